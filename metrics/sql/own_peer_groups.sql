-- The peer group (peer_id) of one entity's own row for one index, criterion (NULL = the
-- total) and year; none where it has no row there (see fellows_peer_groups.sql).
-- Read from score_rank, which holds the scores view's peer_id, in a tenth of the time.
-- Parameters: $entity_code, $index_code, $year, $criterion_code.
SELECT DISTINCT peer_id
FROM score_rank
WHERE entity_code = $entity_code AND index_code = $index_code AND year = $year
  AND criterion_code IS NOT DISTINCT FROM $criterion_code
ORDER BY peer_id
