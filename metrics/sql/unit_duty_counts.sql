-- How much each responsible unit owes in one assessed entity's own plans: the plan criteria it
-- leads or supports and the focus tasks (section II.1) it is named in, directly or through a
-- group it belongs to, each counted once. The «Đơn vị» page lists units with duties first.
-- Units with nothing have no row. Parameter: $entity_code.
WITH own_plans AS (
    SELECT plan_id FROM plans WHERE entity_code = $entity_code
), as_member AS (  -- every unit answers for itself and for each group it belongs to
    SELECT unit_code, unit_code AS named FROM units
    UNION ALL
    SELECT member_code, group_code FROM unit_group_members
), criteria AS (  -- as unit_duties.sql: an assignment to a criterion the plan lists
    SELECT DISTINCT m.unit_code, a.plan_id, a.index_code, a.criterion_code
    FROM plan_assignments a
    JOIN own_plans USING (plan_id)
    JOIN plan_criteria pc ON pc.plan_id = a.plan_id AND pc.index_code = a.index_code AND pc.code = a.criterion_code
    JOIN as_member m ON m.named = a.unit_code
), tasks AS (  -- as unit_tasks.sql
    SELECT DISTINCT m.unit_code, u.plan_id, u.task_no
    FROM plan_task_units u
    JOIN own_plans USING (plan_id)
    JOIN plan_task_items t ON t.plan_id = u.plan_id AND t.task_no = u.task_no
    JOIN as_member m ON m.named = u.unit_code
), counted AS (
    SELECT unit_code, count(*) AS n_criteria, 0 AS n_tasks FROM criteria GROUP BY unit_code
    UNION ALL
    SELECT unit_code, 0, count(*) FROM tasks GROUP BY unit_code
)
SELECT unit_code, CAST(sum(n_criteria) AS INTEGER) AS n_criteria, CAST(sum(n_tasks) AS INTEGER) AS n_tasks
FROM counted
GROUP BY unit_code
ORDER BY unit_code
