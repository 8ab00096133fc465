-- What the database holds: rows, entities and sources per index, year and level, and
-- whether the rows are illustrative (some, all).
SELECT s.index_code, s.year, e.level AS entity_level,
       count(*) AS n_rows,
       count(DISTINCT s.entity_code) AS n_entities,
       bool_or(s.is_illustrative) AS any_illustrative,
       bool_and(s.is_illustrative) AS all_illustrative,
       string_agg(DISTINCT s.source_file, '; ') FILTER (WHERE s.source_file IS NOT NULL) AS sources
FROM score s JOIN entities e USING (entity_code)
GROUP BY ALL
ORDER BY s.index_code, s.year, e.level
