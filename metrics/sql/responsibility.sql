-- Published criterion -> plan criterion -> lead and supporting units (groups stay groups).
-- Parameters: $plan_id (NULL = every plan); $entity_code: only the plans of that assessed
-- entity (NULL = every plan). A province's scores are never answered for by a district's offices.
SELECT x.plan_id, x.index_code, x.framework, x.criterion_code, x.plan_code,
       pc.name AS plan_criterion_name,
       COALESCE(list(u.name ORDER BY a.position) FILTER (WHERE a.role = 'lead'), []) AS lead_units,
       COALESCE(list(u.name ORDER BY a.position) FILTER (WHERE a.role = 'support'), []) AS support_units
FROM crosswalk x
JOIN plan_criteria pc ON pc.plan_id = x.plan_id AND pc.index_code = x.index_code AND pc.code = x.plan_code
JOIN plan_assignments a ON a.plan_id = x.plan_id AND a.index_code = x.index_code AND a.criterion_code = x.plan_code
JOIN units u USING (unit_code)
JOIN plans p ON p.plan_id = x.plan_id
WHERE x.criterion_code IS NOT NULL AND ($plan_id IS NULL OR x.plan_id = $plan_id)
  AND ($entity_code IS NULL OR p.entity_code = $entity_code)
GROUP BY ALL
ORDER BY x.index_code, x.plan_code
