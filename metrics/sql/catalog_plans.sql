-- The plans issued for one entity (the responsibility source line, «no plan» texts).
-- Parameter: $entity_code.
SELECT plan_id, title, issuer, source_file
FROM plans
WHERE entity_code = $entity_code
ORDER BY plan_id
