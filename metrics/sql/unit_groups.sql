-- The groups one unit is a member of (unit_members.csv), with their names. Parameter: $unit_code.
SELECT gm.group_code, g.name
FROM unit_group_members gm
JOIN units g ON g.unit_code = gm.group_code
WHERE gm.member_code = $unit_code
ORDER BY g.name
