-- The rows to rank, each with its peer group, for store/ranking.py.
--
-- THE definition of a peer group (the only one: score_rank, the scores view and every query
-- in metrics/sql/ compare rows by peer_id and nothing else): the units of one level under one
-- parent (a province's districts, or the provinces, whose parent is ''), compared on one
-- criterion (NULL = the index total) of one framework of one index in one year.
--
-- peer_id numbers the groups in the order of that key, level and parent first, then index, so
-- the groups of one entity (all its years and criteria, in one index or in all) lie in one
-- short range of ids. score_rank is stored in peer_id order: a reader that needs one entity's
-- groups filters on that range (metrics/sql/peer_range.sql) and DuckDB skips the rest of the
-- table. Numbered, not hashed: two groups never share an id.
CREATE OR REPLACE TEMP TABLE t_rank_base AS
WITH keyed AS (
    SELECT s.year, s.index_code, s.framework, s.criterion_code, s.entity_code,
           (e.level, COALESCE(e.parent_code, ''), s.index_code, s.framework, s.criterion_code, s.year) AS peer_key,
           round(s.points, COALESCE(i.rank_decimals, 2)) AS points_r,
           -- a tie at the published precision is broken where the shown scores differ (8,09 > 8,08)
           round(s.points, $shown_decimals) AS points_s,
           s.rank AS rank_given, s.n_ranked AS n_given, s.rank_min AS band_lo, s.rank_max AS band_hi,
           s.is_illustrative
    FROM score s
    JOIN entities e USING (entity_code)
    JOIN indices i ON i.index_code = s.index_code
), peer_groups AS (
    -- structs compare NULL with NULL as equal: the totals (criterion NULL) group like the rest
    SELECT peer_key, row_number() OVER (ORDER BY peer_key) AS peer_id
    FROM (SELECT DISTINCT peer_key FROM keyed)
)
SELECT k.* EXCLUDE (peer_key), g.peer_id,
       -- a published rank, or a group a source states («top five»), in the group
       bool_or(k.rank_given IS NOT NULL OR k.band_lo IS NOT NULL OR k.band_hi IS NOT NULL) OVER peer AS mixed,
       bool_or(k.is_illustrative) OVER peer AS peers_illustrative
FROM keyed k
JOIN peer_groups g USING (peer_key)
WINDOW peer AS (PARTITION BY g.peer_id);

-- The ranks of the groups with a published rank, filled in by fill_ranks (Python).
CREATE OR REPLACE TEMP TABLE t_mixed_rank AS SELECT * FROM score_rank LIMIT 0;
