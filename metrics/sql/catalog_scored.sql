-- The indices and years an entity has scores for (the pickers). Parameters: $entity_code,
-- $index_code (NULL: every index).
SELECT DISTINCT index_code, year
FROM score
WHERE entity_code = $entity_code
  AND ($index_code IS NULL OR index_code = $index_code)
ORDER BY index_code, year
