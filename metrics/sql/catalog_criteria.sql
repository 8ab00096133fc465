-- The criteria one entity has a score row for in one index and year (for a criterion picker).
SELECT DISTINCT criterion_code, criterion_name
FROM scores
WHERE entity_code = $entity_code AND index_code = $index_code AND year = $year
  AND criterion_code IS NOT NULL
ORDER BY criterion_code
