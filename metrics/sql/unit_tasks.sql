-- The section II.1 tasks one unit leads or supports, directly or through a group it belongs
-- to (via_group), in the plans of one assessed entity. Parameters: $unit_code; $entity_code
-- (NULL = the plans of every entity).
WITH mine AS (
    SELECT $unit_code AS unit_code, NULL AS via_group
    UNION ALL
    SELECT gm.group_code, g.name FROM unit_group_members gm JOIN units g ON g.unit_code = gm.group_code
    WHERE gm.member_code = $unit_code
)
SELECT t.plan_id, t.index_code, t.section, t.task_no, t.text, u.role, m.via_group
FROM plan_task_units u JOIN mine m USING (unit_code)
JOIN plan_task_items t ON t.plan_id = u.plan_id AND t.task_no = u.task_no
JOIN plans p ON p.plan_id = t.plan_id
WHERE $entity_code IS NULL OR p.entity_code = $entity_code
ORDER BY p.year_from DESC NULLS LAST, t.plan_id, t.section, string_split(t.task_no, '.')[3]::INTEGER, u.role
