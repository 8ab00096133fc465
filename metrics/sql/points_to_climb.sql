-- For each criterion of one entity in one year: how many points on that criterion alone
-- would lift the index total by one rank, and into the top group, everyone else fixed.
-- How much a point on a criterion moves the total depends on the framework's total rule:
--   sum      (PAPI, PAR): one point is one point of the total (leaf criteria);
--   weighted (PCI, DDCI): weight % of the total scale per criterion scale;
--   mean     (SIPAS): the total is the mean of part means.
-- Only where the scores of the units ranked above are known: with a published rank r and
-- fewer than r-1 known higher scores (PCI 2023+: top 30 only) the gap is unknown (NULL).
-- Parameters: $entity_code, $year, $index_code (NULL = all), $top_fraction;
-- $peer_from, $peer_to: the range of peer_id that holds the entity's peer groups that year
-- (metrics/sql/peer_range.sql; constants, so DuckDB reads only those groups).
-- Scores and ranks are read from criterion_metrics_all (computed when data is written), the
-- peer groups from score_rank: both hold only what the scores view shows.
WITH members AS (  -- the rows of the entity's peer groups that year
    SELECT peer_id, year, index_code, framework, criterion_code, entity_code
    FROM score_rank
    WHERE year = $year AND peer_id BETWEEN $peer_from AND $peer_to
), peer_rows AS NOT MATERIALIZED (
    SELECT m.peer_id, c.index_code, c.framework, c.criterion_code, c.criterion_name, c.entity_code,
           c.points, c.max_points, c.rank, c.n_ranked
    FROM criterion_metrics_all c
    JOIN members m ON c.entity_code = m.entity_code AND c.year = m.year AND c.index_code = m.index_code
         AND c.framework = m.framework AND c.criterion_code IS NOT DISTINCT FROM m.criterion_code
    -- the members' units again, as a filter DuckDB applies while reading the table (stored in
    -- entity order): it then reads the blocks of those units only
    WHERE c.entity_code IN (SELECT entity_code FROM members) AND c.year = $year
), totals AS (
    SELECT s.index_code, s.framework, s.entity_code, s.peer_id, s.points AS total, s.rank, s.n_ranked
    FROM peer_rows s
    WHERE s.criterion_code IS NULL AND s.points IS NOT NULL
      AND ($index_code IS NULL OR s.index_code = $index_code)
), me AS (
    SELECT * FROM totals WHERE entity_code = $entity_code
), targets AS (  -- each total of the entity against the others of its peer group
    SELECT me.index_code, me.framework, me.total,
           CASE WHEN me.rank IS NULL OR me.rank - 1 <= count(*) FILTER (WHERE o.total > me.total)
                THEN min(o.total) FILTER (WHERE o.total > me.total)
           END AS next_total,
           -- the top group is counted on the whole ranked group; a score past the known ones is NULL
           list_sort(list(o.total), 'DESC')[greatest(1, CAST(floor(greatest(count(*), COALESCE(me.n_ranked, 0)) * $top_fraction) AS INTEGER))] AS top_total
    FROM me
    JOIN totals o ON o.peer_id = me.peer_id
    GROUP BY me.index_code, me.framework, me.total, me.rank, me.n_ranked, me.peer_id
), siblings AS (
    SELECT framework, code, count(*) OVER (PARTITION BY framework, parent_code) AS n_siblings,
           EXISTS (SELECT 1 FROM criteria k WHERE k.framework = c.framework AND k.parent_code = c.code) AS has_children,
           (SELECT count(*) FROM criteria t WHERE t.framework = c.framework AND t.parent_code = '') AS n_top
    FROM criteria c
), effect AS (
    SELECT c.framework, c.code,
           CASE f.total_rule
                WHEN 'sum' THEN CASE WHEN s.has_children THEN NULL ELSE 1.0 END
                WHEN 'weighted' THEN c.weight / 100.0 * f.total_max / c.max_points
                WHEN 'mean' THEN CASE WHEN c.parent_code = '' THEN NULL ELSE 1.0 / (s.n_top * s.n_siblings) END
           END AS total_per_point
    FROM criteria c JOIN frameworks f USING (framework) JOIN siblings s USING (framework, code)
    WHERE c.level <> 'alternate_total'
)
SELECT sc.index_code, sc.criterion_code, sc.criterion_name, sc.points, sc.max_points,
       t.total, t.next_total, t.top_total, ef.total_per_point,
       (t.next_total - t.total) / ef.total_per_point AS points_to_next_rank,
       CASE WHEN ef.total_per_point IS NULL OR t.top_total IS NULL THEN NULL
            WHEN t.top_total > t.total THEN (t.top_total - t.total) / ef.total_per_point ELSE 0 END AS points_to_top,
       sc.max_points - sc.points AS headroom
FROM peer_rows sc
JOIN targets t ON t.index_code = sc.index_code AND t.framework = sc.framework
JOIN effect ef ON ef.framework = sc.framework AND ef.code = sc.criterion_code
WHERE sc.entity_code = $entity_code AND sc.criterion_code IS NOT NULL
ORDER BY sc.index_code, sc.criterion_code
