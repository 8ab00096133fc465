-- Assessed entities that have scores, for the pickers: level, parent and, for a unit that
-- no longer exists, the year it ended.
SELECT DISTINCT e.entity_code, e.name, e.level, COALESCE(e.parent_code, '') AS parent_code,
       year(e.valid_to) AS until
FROM entities e
JOIN score s USING (entity_code)
