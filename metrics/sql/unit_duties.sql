-- What one unit leads and supports: directly, or through a group it belongs to (via_group).
-- Parameter: $unit_code.
WITH mine AS (
    SELECT $unit_code AS unit_code, NULL AS via_group
    UNION ALL
    SELECT gm.group_code, g.name FROM unit_group_members gm JOIN units g ON g.unit_code = gm.group_code
    WHERE gm.member_code = $unit_code
)
SELECT a.plan_id, a.index_code, a.criterion_code AS plan_code, pc.name AS criterion_name, a.role,
       m.via_group, x.framework, x.criterion_code AS published_code
FROM plan_assignments a
JOIN mine m USING (unit_code)
JOIN plan_criteria pc ON pc.plan_id = a.plan_id AND pc.index_code = a.index_code AND pc.code = a.criterion_code
LEFT JOIN crosswalk x ON x.plan_id = a.plan_id AND x.index_code = a.index_code AND x.plan_code = a.criterion_code
ORDER BY a.index_code, string_split(a.criterion_code, '.')[1]::INTEGER,
         string_split(a.criterion_code, '.')[2]::INTEGER, a.role, m.via_group NULLS FIRST
