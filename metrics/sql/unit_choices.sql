-- The units a plan of one assessed entity can name, for the choice lists of «Trọng tâm năm
-- tới»: those of the entity's level (a commune: its offices under Nghị định 150/2025/NĐ-CP,
-- Công an xã, its groups) and those of every level (level NULL), plus any its own plans name.
-- Offices first, then the government, outside bodies, groups; by name within.
-- Parameter: $entity_code.
SELECT u.unit_code, u.name, u.kind
FROM units u
WHERE u.level IS NULL
   OR u.level = (SELECT level FROM entities WHERE entity_code = $entity_code)
   OR u.unit_code IN (SELECT a.unit_code FROM plan_assignments a JOIN plans p USING (plan_id)
                      WHERE p.entity_code = $entity_code)
ORDER BY CASE u.kind WHEN 'department' THEN 0 WHEN 'government' THEN 1 WHEN 'external' THEN 2
                     WHEN 'group' THEN 3 ELSE 4 END, u.name
