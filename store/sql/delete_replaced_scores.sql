-- Every score row, from a file or derived, with the (year, index, entity) keys of a new file
-- (the registered frame t_keys): the import writes them anew.
DELETE FROM score
WHERE (year, index_code, entity_code) IN (SELECT (year, index_code, entity_code) FROM t_keys)
