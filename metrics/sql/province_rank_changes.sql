-- The province's own view («Toàn tỉnh»): per commune of $province (level commune, parent
-- $province, existing on $on) and index, the index total of the latest year up to $year in which
-- the province's communes were assessed in that index, with the commune's rank the assessed year
-- before and the change — as metrics/sql/criterion_metrics.sql computes rank_change: the
-- previous rank minus this one (negative: the commune fell), only within one series (same index
-- and scale); a first year, or a year after a break, has none. One query for every commune.
WITH communes AS (
    SELECT entity_code, name
    FROM entities
    WHERE level = 'commune' AND parent_code = $province
      AND (valid_from IS NULL OR valid_from <= $on) AND (valid_to IS NULL OR valid_to >= $on)
),
totals AS (
    SELECT s.year, s.index_code, s.entity_code, s.points, s.pct, s.rank, s.n_ranked,
           NOT s.rank_published AS rank_computed, s.rank_note,
           s.index_code || ':TOTAL:' || CAST(f.total_max AS VARCHAR) AS series,
           -- a computed rank among illustrative peers is illustrative too (criterion_metrics.sql)
           s.is_illustrative OR bool_or(s.is_illustrative) OVER (PARTITION BY s.peer_id) AS is_illustrative
    FROM scores s
    JOIN communes c USING (entity_code)
    JOIN frameworks f USING (framework)
    WHERE s.criterion_code IS NULL AND s.year <= $year
),
trend AS (
    SELECT *,
           lag(year) OVER ent AS prev_year,
           lag(series) OVER ent AS prev_series,
           lag(rank) OVER ent AS prev_rank,
           lag(n_ranked) OVER ent AS prev_n_ranked
    FROM totals
    WINDOW ent AS (PARTITION BY entity_code, index_code ORDER BY year)
),
latest AS (
    SELECT index_code, max(year) AS year FROM totals WHERE points IS NOT NULL GROUP BY index_code
)
SELECT t.entity_code, c.name AS entity_name, t.index_code, t.year, t.points, t.pct, t.rank, t.n_ranked,
       t.rank_computed, t.rank_note, t.prev_year, t.prev_rank, t.prev_n_ranked,
       t.prev_year IS NOT NULL AND t.prev_series <> t.series AS break_before,
       CASE WHEN t.prev_series = t.series THEN t.prev_rank - t.rank END AS rank_change,
       t.is_illustrative
FROM trend t
JOIN latest USING (index_code, year)
JOIN communes c USING (entity_code)
