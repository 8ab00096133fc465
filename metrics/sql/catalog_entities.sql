-- Assessed entities that have scores, for the pickers: level, parent and the years a unit
-- began (a commune formed on 1/7/2025) or ended (a district dissolved that day).
SELECT DISTINCT e.entity_code, e.name, e.level, COALESCE(e.parent_code, '') AS parent_code,
       year(e.valid_from) AS since, year(e.valid_to) AS until
FROM entities e
JOIN score s USING (entity_code)
