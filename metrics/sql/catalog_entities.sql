-- Assessed entities that have scores, for the pickers: level, parent, the years a unit
-- began (a commune formed on 1/7/2025) or ended (a district dissolved that day), and the
-- names it bore before its current one, with the last year of each (entity_names:
-- «Thừa Thiên-Huế» until 2024 for Huế), so that a picker can say «đến 2024: Thừa Thiên-Huế».
WITH former AS (
    SELECT n.entity_code, list(n.name ORDER BY n.valid_to) AS former_names,
           list(year(n.valid_to) ORDER BY n.valid_to) AS former_until
    FROM entity_names n
    JOIN entities e USING (entity_code)
    WHERE n.valid_to IS NOT NULL AND n.name <> e.name
    GROUP BY n.entity_code
)
SELECT e.entity_code, e.name, e.level, COALESCE(e.parent_code, '') AS parent_code,
       year(e.valid_from) AS since, year(e.valid_to) AS until, f.former_names, f.former_until
FROM entities e
LEFT JOIN former f USING (entity_code)
WHERE e.entity_code IN (SELECT entity_code FROM score)
