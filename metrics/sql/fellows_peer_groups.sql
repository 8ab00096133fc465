-- For an entity without a row for one index, criterion (NULL = the total) and year: the peer
-- groups there of the units it is compared with in other years or criteria.
-- Read from score_rank, which holds the scores view's peer_id, in a tenth of the time.
-- Parameters: $entity_code, $index_code, $year, $criterion_code.
WITH fellows AS (  -- the entity and every unit it shares a peer group with
    SELECT DISTINCT entity_code FROM score_rank
    WHERE peer_id IN (SELECT peer_id FROM score_rank WHERE entity_code = $entity_code)
)
SELECT DISTINCT peer_id
FROM score_rank
WHERE index_code = $index_code AND year = $year AND criterion_code IS NOT DISTINCT FROM $criterion_code
  AND entity_code IN (SELECT entity_code FROM fellows)
ORDER BY peer_id
