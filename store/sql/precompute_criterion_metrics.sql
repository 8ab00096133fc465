-- What the pages read per entity, one row per entity, index, criterion (NULL = the total) and
-- year: the rows of criterion_metrics_all, computed when data is written (store/build.py
-- precompute), for the indices $index_codes (NULL = every index). THE definition of these
-- figures: metrics/sql/criterion_metrics.sql only adds the flags, which depend on the
-- thresholds a caller passes, and the differences that follow from stored columns.
--
-- Level, change since the previous assessed year in the same series, rank among peers, peer
-- median and best. A criterion is comparable across years only within one series (same
-- code, label and maximum; for totals, same index and scale): a series change is a break,
-- never a jump. Rows with the same peer_id are peers (store/sql/rank_base.sql); an index's
-- peer groups hold only that index's rows, so computing some indices keeps every group whole.
--
-- The scores view is read once (rows); the windows run over the few columns they need and
-- the wide columns are joined back at the end: carrying every column through each window
-- took twice as long on national data.
WITH rows AS MATERIALIZED (
    SELECT * FROM scores WHERE $index_codes IS NULL OR list_contains($index_codes, index_code)
), base AS (
    SELECT s.year, s.index_code, s.framework, s.criterion_code, s.entity_code, s.peer_id, s.points, s.pct,
           s.max_points, s.rank, s.is_illustrative,
           COALESCE(c.series, s.index_code || ':TOTAL:' || CAST(f.total_max AS VARCHAR)) AS series
    FROM rows s
    JOIN frameworks f USING (framework)
    LEFT JOIN criteria c ON c.framework = s.framework AND c.code = s.criterion_code
), peers AS (
    SELECT peer_id, median(points) AS peer_median, max(points) AS peer_best, count(points) AS n_peers,
           -- a peer median or a computed rank over illustrative peers is illustrative too
           bool_or(is_illustrative) AS peers_illustrative
    FROM base
    GROUP BY peer_id
), trend AS (
    SELECT *,
           row_number() OVER ent AS n,
           lag(year) OVER ent AS prev_year,
           lag(series) OVER ent AS prev_series,
           lag(points) OVER ent AS prev_points,
           lag(pct) OVER ent AS prev_pct,
           lag(max_points) OVER ent AS prev_max,
           lag(rank) OVER ent AS prev_rank,
           -- the year before the previous one: the previous year's own change
           lag(series, 2) OVER ent AS prev2_series,
           lag(pct, 2) OVER ent AS prev2_pct
    FROM base
    WINDOW ent AS (PARTITION BY entity_code, index_code, criterion_code ORDER BY year)
), changes AS (
    SELECT *,
           prev_year IS NOT NULL AND prev_series <> series AS break_before,
           -- points are comparable only under the same maximum; percentage points always are
           CASE WHEN prev_series = series AND prev_max = max_points THEN points - prev_points END AS change_points,
           CASE WHEN prev_series = series THEN pct - prev_pct END AS change_pct_points,
           CASE WHEN prev2_series = prev_series THEN prev_pct - prev2_pct END AS prev_change_pct_points,
           CASE WHEN prev_series = series THEN prev_rank - rank END AS rank_change
    FROM trend
), runs AS (
    SELECT *,
           -- consecutive falls up to this year: the rows since the last year that did not fall
           -- (the first year of a series never falls: it has nothing to fall from)
           CASE WHEN change_pct_points < 0
                THEN n - max(CASE WHEN change_pct_points < 0 THEN NULL ELSE n END)
                         OVER (PARTITION BY entity_code, index_code, criterion_code ORDER BY year
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                ELSE 0 END AS decline_run
    FROM changes
)
SELECT s.year, s.index_code, s.framework, s.criterion_code, s.criterion_name,
       COALESCE(c.level, 'total') AS level,
       -- a criterion nothing sits under: what units act on (a province's PAR areas have no children)
       s.criterion_code IS NOT NULL AND COALESCE(c.level, '') <> 'alternate_total' AND k.parent_code IS NULL AS is_leaf,
       c.parent_code, r.series,
       s.entity_code, s.entity_name, s.entity_level, s.peer_group,
       s.points, s.max_points, s.pct, r.prev_year, r.break_before, r.change_points, r.change_pct_points,
       r.prev_change_pct_points, s.rank, NOT s.rank_published AS rank_computed, s.n_ranked, r.rank_change,
       s.rank_note, p.peer_median, p.peer_best, p.n_peers,
       s.is_illustrative OR p.peers_illustrative AS is_illustrative, s.label, s.source, r.decline_run,
       -- as the scores view has them, for the «So sánh» page (metrics/sql/peers.sql)
       s.rank_conflict, s.is_illustrative AS score_is_illustrative
FROM runs r
JOIN rows s ON s.year = r.year AND s.index_code = r.index_code AND s.framework = r.framework
     AND s.entity_code = r.entity_code AND s.criterion_code IS NOT DISTINCT FROM r.criterion_code
JOIN peers p ON p.peer_id = r.peer_id
LEFT JOIN criteria c ON c.framework = s.framework AND c.code = s.criterion_code
-- the criteria something sits under (a join: as NOT EXISTS per row it took a fifth of the time)
LEFT JOIN (SELECT DISTINCT framework, parent_code FROM criteria) k
     ON k.framework = s.framework AND k.parent_code = s.criterion_code
