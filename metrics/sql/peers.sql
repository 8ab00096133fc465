-- The peers of one entity for one index, criterion (NULL = total) and year: the units of its
-- level and parent that existed that year, with score, rank and how the rank was obtained.
-- Parameters: $1 entity_code, $2 index_code, $3 year, $4 criterion_code (NULL = the total).
WITH me AS (
    SELECT level, COALESCE(parent_code, '') AS parent FROM entities WHERE entity_code = $1
)
SELECT s.entity_code, s.entity_name, s.points, s.pct, s.max_points, s.rank, s.n_ranked,
       NOT s.rank_published AS rank_computed, s.rank_conflict, s.label, s.is_illustrative, s.source,
       s.framework, s.entity_code = $1 AS is_me
FROM scores s
JOIN entities e USING (entity_code)
JOIN me ON s.entity_level = me.level AND s.peer_group = me.parent
WHERE s.index_code = $2 AND s.year = $3 AND s.criterion_code IS NOT DISTINCT FROM $4
  -- a unit that had ceased to exist (Hà Tây after 7/2008) is nobody's peer that year
  AND (e.valid_to IS NULL OR e.valid_to >= make_date($3, 1, 1))
  AND (e.valid_from IS NULL OR e.valid_from <= make_date($3, 12, 31))
  AND (s.points IS NOT NULL OR s.rank IS NOT NULL)
ORDER BY s.rank NULLS LAST, s.points DESC NULLS LAST, s.entity_name
