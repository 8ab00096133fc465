-- Who owes a report on what: every assignment of a plan (a criterion of an appendix, or a task
-- of section II.1) × unit, with a group expanded to its members (each commune of «UBND cấp xã»
-- reports for itself); a group with no members listed reports as itself. One row per
-- (plan, kind, index, item, reporting unit), with its strongest role (chủ trì over phối hợp) and,
-- when the duty comes through a group, that group. $plan_id NULL = every plan.
WITH RECURSIVE expand(assigned, reporter, depth) AS (
    SELECT unit_code, unit_code, 0 FROM units
    UNION ALL
    SELECT e.assigned, m.member_code, e.depth + 1
    FROM expand e JOIN unit_group_members m ON m.group_code = e.reporter
    WHERE e.depth < 5
),
leaves AS (
    SELECT DISTINCT assigned, reporter FROM expand
    WHERE reporter NOT IN (SELECT group_code FROM unit_group_members)
),
assigned AS (
    SELECT a.plan_id, 'criterion' AS item_kind, a.index_code, a.criterion_code AS item_code,
           pc.name AS item_name, pc.parent_code AS area_code, pc.timing, a.role, a.unit_code
    FROM plan_assignments a
    JOIN plan_criteria pc ON pc.plan_id = a.plan_id AND pc.index_code = a.index_code AND pc.code = a.criterion_code
    WHERE $plan_id IS NULL OR a.plan_id = $plan_id
    UNION ALL
    SELECT t.plan_id, 'task', t.index_code, t.task_no, t.text, t.section, NULL, tu.role, tu.unit_code
    FROM plan_task_items t
    JOIN plan_task_units tu ON tu.plan_id = t.plan_id AND tu.task_no = t.task_no
    WHERE $plan_id IS NULL OR t.plan_id = $plan_id
),
ranked AS (
    SELECT a.*, l.reporter,
           CASE WHEN l.reporter = a.unit_code THEN NULL ELSE a.unit_code END AS via_group,
           row_number() OVER (PARTITION BY a.plan_id, a.item_kind, a.index_code, a.item_code, l.reporter
                              ORDER BY a.role = 'lead' DESC, l.reporter = a.unit_code DESC, a.unit_code) AS n
    FROM assigned a JOIN leaves l ON l.assigned = a.unit_code
)
SELECT r.plan_id, r.item_kind, r.index_code, r.item_code, r.item_name, r.area_code, r.timing, r.role,
       r.reporter AS unit_code, u.name AS unit_name, u.kind AS unit_kind,
       r.via_group, g.name AS via_group_name
FROM ranked r
JOIN units u ON u.unit_code = r.reporter
LEFT JOIN units g ON g.unit_code = r.via_group
WHERE r.n = 1
