-- Per entity, index, criterion (or total) and year: level, change since the previous
-- assessed year in the same series, rank among peers, peer median and best.
-- A criterion is comparable across years only within one series (same code, label and
-- maximum; for totals, same index and scale): a series change is a break, never a jump.
-- Flags use the thresholds of data/thresholds.csv.
-- Parameters: $1 entity_code, $2 index_code, $3 year (each NULL = all);
-- $4 decline_pct_points, $5 decline_years_running, $6 low_rank_fraction, $7 below_median,
-- $8 min_peers (a rank among fewer units is not a ranking);
-- $9, $10 the entity's level and peer group (constants, so DuckDB filters before its windows).
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
    WHERE ($2 IS NULL OR s.index_code = $2)
      -- one entity needs only its own peer group; the view's windows partition by it, so
      -- DuckDB filters before ranking instead of ranking the whole country
      AND ($9 IS NULL OR (s.entity_level = $9 AND s.peer_group = $10))
), peers AS (
    SELECT *,
           median(points) OVER peer AS peer_median,
           max(points) OVER peer AS peer_best,
           count(points) OVER peer AS n_peers,
           bool_or(is_illustrative) OVER peer AS peers_illustrative
    FROM base
    WINDOW peer AS (PARTITION BY year, index_code, framework, criterion_code, entity_level, peer_group)
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
       prev_change_pct_points, rank, NOT rank_published AS rank_computed, n_ranked, rank_change,
       peer_median, peer_best, n_peers,
       points - peer_median AS gap_to_median, points - peer_best AS gap_to_best,
       -- a peer median or a computed rank over illustrative peers is illustrative too
       is_illustrative OR peers_illustrative AS is_illustrative, label, source,
       decline_run,
       points IS NULL AS no_data,
       COALESCE(change_pct_points < -$4 OR decline_run >= $5, FALSE) AS declining,
       COALESCE(n_ranked >= $8 AND rank > n_ranked * (1 - $6), FALSE) AS bottom_fraction,
       COALESCE($7 AND n_peers >= $8 AND points < peer_median, FALSE) AS below_median,
       COALESCE((n_ranked >= $8 AND rank > n_ranked * (1 - $6)) OR ($7 AND n_peers >= $8 AND points < peer_median),
                FALSE) AS low_ranked
FROM final
WHERE ($1 IS NULL OR entity_code = $1) AND ($3 IS NULL OR year = $3)
