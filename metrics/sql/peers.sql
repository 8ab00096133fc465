-- The peers of one entity for one index, criterion and year: the units of its peer groups
-- ($peer_ids, metrics/compare.py peer_groups) that existed that year, with score, rank
-- and how the rank was obtained. The groups are read from score_rank, the rows from
-- criterion_metrics_all (computed when data is written; the scores view's columns).
-- Parameters: $entity_code, $year, $peer_ids.
WITH members AS (
    SELECT r.year, r.index_code, r.framework, r.criterion_code, r.entity_code
    FROM score_rank r
    JOIN entities e USING (entity_code)
    WHERE list_contains($peer_ids, r.peer_id)
      -- the same groups as a range: DuckDB reads only the part of score_rank that holds them
      AND r.peer_id BETWEEN list_min($peer_ids) AND list_max($peer_ids)
      -- a unit that had ceased to exist (Hà Tây after 7/2008) is nobody's peer that year
      AND (e.valid_to IS NULL OR e.valid_to >= make_date($year, 1, 1))
      AND (e.valid_from IS NULL OR e.valid_from <= make_date($year, 12, 31))
)
SELECT c.entity_code, c.entity_name, c.points, c.pct, c.max_points, c.rank, c.n_ranked,
       c.rank_computed, c.rank_conflict, c.rank_note, c.label, c.score_is_illustrative AS is_illustrative, c.source,
       c.framework, c.entity_code = $entity_code AS is_me
FROM criterion_metrics_all c
JOIN members m ON c.entity_code = m.entity_code AND c.year = m.year AND c.index_code = m.index_code
     AND c.framework = m.framework AND c.criterion_code IS NOT DISTINCT FROM m.criterion_code
-- the members' units again, as a filter DuckDB applies while reading the table (stored in
-- entity order): it then reads the blocks of those units only
WHERE c.entity_code IN (SELECT entity_code FROM members)
  AND c.year = $year  -- a peer group is of one year
  AND (c.points IS NOT NULL OR c.rank IS NOT NULL)
ORDER BY c.rank NULLS LAST, c.points DESC NULLS LAST, c.entity_name
