-- The lowest and highest peer_id of the peer groups one entity is ranked in (in one index
-- and one year, each NULL = all). Filtering on this range keeps every group whole and holds
-- all of the entity's; the groups are numbered level and parent first, then index
-- (store/sql/rank_base.sql), so the range is short and a query that filters on it reads one
-- entity's peers, not the whole country.
-- Both NULL for an entity without scores: a filter on the range then keeps nothing.
-- Read from score_rank, which holds the scores view's peer_id, in a tenth of the time.
-- Parameters: $entity_code, $index_code, $year.
SELECT min(peer_id) AS peer_from, max(peer_id) AS peer_to
FROM score_rank
WHERE entity_code = $entity_code AND ($index_code IS NULL OR index_code = $index_code)
  AND ($year IS NULL OR year = $year)
