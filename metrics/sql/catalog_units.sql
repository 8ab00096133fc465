-- Responsible units for the «Đơn vị» picker of one assessed entity: the units its own plans
-- name (plans.entity_code), directly or as members of a group they name, and the units of its
-- level (units.level) whether named or not, so that an office its plan left out finds itself
-- and reads that it has nothing; when it has no plan, those of every level (level NULL) too.
-- Departments first, then governments, outside bodies, groups, by name.
-- Parameter: $entity_code (NULL = every unit of every level).
WITH own_plans AS (
    SELECT plan_id FROM plans WHERE entity_code = $entity_code
), named AS (
    SELECT a.unit_code FROM plan_assignments a JOIN own_plans USING (plan_id)
    UNION
    SELECT tu.unit_code FROM plan_task_units tu JOIN own_plans USING (plan_id)
), offered AS (
    SELECT unit_code FROM named
    UNION
    SELECT gm.member_code FROM unit_group_members gm JOIN named n ON n.unit_code = gm.group_code
)
SELECT u.unit_code, u.name, u.kind, u.level
FROM units u
WHERE $entity_code IS NULL
   OR u.unit_code IN (SELECT unit_code FROM offered)
   OR u.level = (SELECT level FROM entities WHERE entity_code = $entity_code)
   OR (NOT EXISTS (SELECT 1 FROM own_plans) AND u.level IS NULL)
ORDER BY CASE u.kind WHEN 'department' THEN 0 WHEN 'government' THEN 1 WHEN 'external' THEN 2
                     WHEN 'group' THEN 3 ELSE 4 END, u.name
