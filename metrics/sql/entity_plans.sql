-- The plans of one assessed entity with the sections of their focus tasks (plan_task_items),
-- newest period first: what the «Đơn vị» page cites. Parameter: $entity_code.
SELECT p.plan_id, p.title, p.issuer, p.year_from, p.year_to,
       COALESCE(list(DISTINCT t.section ORDER BY t.section) FILTER (WHERE t.section IS NOT NULL), []) AS sections
FROM plans p
LEFT JOIN plan_task_items t USING (plan_id)
WHERE p.entity_code = $entity_code
GROUP BY ALL
ORDER BY p.year_from DESC NULLS LAST, p.plan_id
