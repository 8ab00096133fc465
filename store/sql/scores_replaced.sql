-- How many score rows from files an import replaces: those with the (year, index, entity)
-- keys of the new file (the registered frame t_keys).
SELECT count(*)
FROM score s
JOIN t_keys k USING (year, index_code, entity_code)
WHERE NOT s.derived
