-- Per entity, index, criterion (or total) and year: level, change since the previous
-- assessed year in the same series, rank among peers, peer median and best.
-- A criterion is comparable across years only within one series (same code, label and
-- maximum; for totals, same index and scale): a series change is a break, never a jump.
-- Flags use the thresholds of data/thresholds.csv.
-- Parameters: $entity_code, $index_code, $year (each NULL = all);
-- $decline_pct_points, $decline_years_running, $low_rank_fraction, $below_median,
-- $min_peers (a rank among fewer units is not a ranking);
-- $peer_from, $peer_to: with an entity, the range of peer_id that holds its peer groups
-- (metrics/sql/peer_range.sql; constants, so DuckDB reads only those groups).
WITH base AS (
    SELECT s.*,
           COALESCE(c.level, 'total') AS level,
           c.parent_code,
           COALESCE(c.series, s.index_code || ':TOTAL:' || CAST(f.total_max AS VARCHAR)) AS series,
           -- a criterion nothing sits under: what units act on (a province's PAR areas have no children)
           s.criterion_code IS NOT NULL AND COALESCE(c.level, '') <> 'alternate_total'
             AND NOT EXISTS (SELECT 1 FROM criteria k WHERE k.framework = s.framework
                             AND k.parent_code = s.criterion_code) AS is_leaf
    FROM scores s
    JOIN frameworks f USING (framework)
    LEFT JOIN criteria c ON c.framework = s.framework AND c.code = s.criterion_code
    -- one entity needs only its own peer groups, and a filter on peer_id keeps every group
    -- whole: the windows below see all of each group they rank the entity in
    WHERE ($entity_code IS NULL OR s.peer_id BETWEEN $peer_from AND $peer_to)
      -- the same rows again, as the units they belong to (it changes no result): DuckDB then
      -- reads only those units' scores instead of joining every score to score_rank
      AND ($entity_code IS NULL OR s.entity_code IN (SELECT DISTINCT entity_code FROM score_rank
                                                    WHERE peer_id BETWEEN $peer_from AND $peer_to))
      -- with an entity, the index is filtered at the end instead: filtered here as well, it
      -- made DuckDB build its hash join on the large side (3× slower on national data)
      AND ($entity_code IS NOT NULL OR $index_code IS NULL OR s.index_code = $index_code)
), peers AS (
    SELECT *,
           median(points) OVER peer AS peer_median,
           max(points) OVER peer AS peer_best,
           count(points) OVER peer AS n_peers,
           bool_or(is_illustrative) OVER peer AS peers_illustrative
    FROM base
    WINDOW peer AS (PARTITION BY peer_id)
), trend AS (
    SELECT *,
           lag(year) OVER ent AS prev_year,
           lag(series) OVER ent AS prev_series,
           lag(points) OVER ent AS prev_points,
           lag(pct) OVER ent AS prev_pct,
           lag(max_points) OVER ent AS prev_max,
           lag(rank) OVER ent AS prev_rank
    FROM peers
    WINDOW ent AS (PARTITION BY entity_code, index_code, criterion_code ORDER BY year)
), changes AS (
    SELECT *,
           prev_year IS NOT NULL AND prev_series <> series AS break_before,
           -- points are comparable only under the same maximum; percentage points always are
           CASE WHEN prev_series = series AND prev_max = max_points THEN points - prev_points END AS change_points,
           CASE WHEN prev_series = series THEN pct - prev_pct END AS change_pct_points,
           CASE WHEN prev_series = series THEN prev_rank - rank END AS rank_change
    FROM trend
)
, runs AS (
    SELECT *,
           -- islands of consecutive falls: every year that did not fall starts a new island
           sum(CASE WHEN change_pct_points < 0 THEN 0 ELSE 1 END)
               OVER (PARTITION BY entity_code, index_code, criterion_code ORDER BY year) AS island,
           lag(change_pct_points) OVER (PARTITION BY entity_code, index_code, criterion_code ORDER BY year) AS prev_change_pct_points
    FROM changes
), final AS (
    SELECT *,
           CASE WHEN change_pct_points < 0
                THEN row_number() OVER (PARTITION BY entity_code, index_code, criterion_code, island ORDER BY year) - 1
                ELSE 0 END AS decline_run
    FROM runs
)
SELECT year, index_code, framework, criterion_code, criterion_name, level, is_leaf, parent_code, series,
       entity_code, entity_name, entity_level, peer_group,
       points, max_points, pct, prev_year, break_before, change_points, change_pct_points,
       prev_change_pct_points, rank, NOT rank_published AS rank_computed, n_ranked, rank_change, rank_note,
       peer_median, peer_best, n_peers,
       points - peer_median AS gap_to_median, points - peer_best AS gap_to_best,
       -- a peer median or a computed rank over illustrative peers is illustrative too
       is_illustrative OR peers_illustrative AS is_illustrative, label, source,
       decline_run,
       points IS NULL AS no_data,
       COALESCE(change_pct_points < -$decline_pct_points OR decline_run >= $decline_years_running, FALSE) AS declining,
       COALESCE(n_ranked >= $min_peers AND rank > n_ranked * (1 - $low_rank_fraction), FALSE) AS bottom_fraction,
       COALESCE($below_median AND n_peers >= $min_peers AND points < peer_median, FALSE) AS below_median,
       COALESCE((n_ranked >= $min_peers AND rank > n_ranked * (1 - $low_rank_fraction))
                OR ($below_median AND n_peers >= $min_peers AND points < peer_median),
                FALSE) AS low_ranked
FROM final
WHERE ($entity_code IS NULL OR entity_code = $entity_code) AND ($year IS NULL OR year = $year)
  AND ($index_code IS NULL OR index_code = $index_code)
