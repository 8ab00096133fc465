-- The peers of one entity for one index, criterion and year: the units of its peer groups
-- ($peer_ids, metrics/compare.py peer_groups) that existed that year, with score, rank
-- and how the rank was obtained.
-- Parameters: $entity_code, $year, $peer_ids.
SELECT s.entity_code, s.entity_name, s.points, s.pct, s.max_points, s.rank, s.n_ranked,
       NOT s.rank_published AS rank_computed, s.rank_conflict, s.rank_note, s.label, s.is_illustrative, s.source,
       s.framework, s.entity_code = $entity_code AS is_me
FROM scores s
JOIN entities e USING (entity_code)
WHERE list_contains($peer_ids, s.peer_id)
  -- the same groups as a range: DuckDB reads only the part of score_rank that holds them
  AND s.peer_id BETWEEN list_min($peer_ids) AND list_max($peer_ids)
  -- a unit that had ceased to exist (Hà Tây after 7/2008) is nobody's peer that year
  AND (e.valid_to IS NULL OR e.valid_to >= make_date($year, 1, 1))
  AND (e.valid_from IS NULL OR e.valid_from <= make_date($year, 12, 31))
  AND (s.points IS NOT NULL OR s.rank IS NOT NULL)
ORDER BY s.rank NULLS LAST, s.points DESC NULLS LAST, s.entity_name
