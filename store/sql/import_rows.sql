-- What an import writes and what it leaves (store/importing.py), as the temp table t_import:
-- the file's rows (the registered frame t_new, loaders/staging.py STAGED_COLUMNS) beside the
-- rows the database holds for the same (year, index, entity), one row per fact
-- (year, index, criterion, entity) with its fate:
--   new       the file states it; the database held it from no file (nothing, or a sum derived here)
--   replaced  the file states it and the database held it from a file: the file's values, and
--             those the row leaves empty taken from the held row where that is sound (below)
--   kept      held, not stated by the file: left as it was
--   removed   held, not stated by the file, deleted: every one with $replace_breakdown (the
--             file replaces all it held for the unit), else an illustrative one when the file
--             states a real figure of the unit (an illustrative breakdown never stands beside
--             real figures)
-- A held value goes into a stated row only without $replace_breakdown, and never an illustrative
-- one into a real row. Points: when the row gives none (a rank-only row adds a rank to the held
-- score; a sum derived here too, which the stated row would otherwise stop deriving). The
-- maximum, rank, group (rank_min, rank_max), size and label: when the row gives no points, or
-- the held row had none, or both are equal within 0.0051 (two sources' rounding): a new score
-- drops the rank that belonged to the old one. A rank or a group stated replaces both whole.
-- held_*: the held row, for the comparison (import_differences.sql) and the conflicts
-- (import_conflicts.sql). staged_scores: the rows to write, as score_from_staged.sql reads them.
CREATE OR REPLACE TEMP TABLE t_import AS
WITH new AS (
    SELECT CAST(year AS INTEGER) AS year, index_code, framework, criterion_code, entity_code, entity_raw,
           CAST(points AS DOUBLE) AS points, CAST(max_points AS DOUBLE) AS max_points,
           CAST(rank AS INTEGER) AS rank, CAST(n_ranked AS INTEGER) AS n_ranked, CAST(label AS VARCHAR) AS label,
           CAST(rank_min AS INTEGER) AS rank_min, CAST(rank_max AS INTEGER) AS rank_max,
           CAST(is_illustrative AS BOOLEAN) AS is_illustrative, source_file, source_sheet,
           CAST(source_row AS INTEGER) AS source_row, source_note
    FROM t_new
), units AS (
    SELECT year, index_code, entity_code, bool_or(NOT is_illustrative) AS states_real
    FROM new GROUP BY ALL
), held AS (
    SELECT s.*, u.states_real
    FROM score s JOIN units u ON s.year = u.year AND s.index_code = u.index_code AND s.entity_code = u.entity_code
), paired AS (
    SELECT n.*, n.year IS NOT NULL AS stated,
           h.year IS NOT NULL AND NOT h.derived AS held,
           h.year AS held_year, h.index_code AS held_index, h.framework AS held_framework,
           h.criterion_code AS held_criterion, h.entity_code AS held_entity,
           h.points AS held_points, h.max_points AS held_max_points, h.rank AS held_rank,
           h.n_ranked AS held_n_ranked, h.label AS held_label, h.rank_min AS held_rank_min,
           h.rank_max AS held_rank_max, h.is_illustrative AS held_illustrative, h.states_real,
           h.source_file AS held_file, h.source_sheet AS held_sheet, h.source_row AS held_row,
           h.source_note AS held_note, h.derived AS held_derived,
           h.year IS NOT NULL AND (n.year IS NULL OR (
               NOT $replace_breakdown AND (n.is_illustrative OR NOT h.is_illustrative)
               AND (NOT h.derived OR n.points IS NULL))) AS carry
    FROM new n FULL JOIN held h
      ON h.year = n.year AND h.index_code = n.index_code AND h.entity_code = n.entity_code
     AND h.criterion_code IS NOT DISTINCT FROM n.criterion_code
    WHERE n.year IS NOT NULL OR NOT h.derived  -- a sum derived here is no fact of its own
), judged AS (
    SELECT *,
           carry AND (points IS NULL OR held_points IS NULL OR abs(points - held_points) <= 0.0051) AS carry_rank,
           rank IS NOT NULL OR rank_min IS NOT NULL OR rank_max IS NOT NULL AS states_rank
    FROM paired
)
SELECT CASE WHEN stated AND held THEN 'replaced' WHEN stated THEN 'new'
            WHEN $replace_breakdown OR (held_illustrative AND states_real) THEN 'removed' ELSE 'kept' END AS fate,
       coalesce(year, held_year) AS year, coalesce(index_code, held_index) AS index_code,
       coalesce(framework, held_framework) AS framework,
       CASE WHEN stated THEN criterion_code ELSE held_criterion END AS criterion_code,
       coalesce(entity_code, held_entity) AS entity_code, entity_raw,
       coalesce(points, CASE WHEN carry THEN held_points END) AS points,
       coalesce(max_points, CASE WHEN carry_rank THEN held_max_points END) AS max_points,
       CASE WHEN states_rank THEN rank WHEN carry_rank THEN held_rank END AS rank,
       coalesce(n_ranked, CASE WHEN carry_rank THEN held_n_ranked END) AS n_ranked,
       coalesce(label, CASE WHEN carry_rank THEN held_label END) AS label,
       CASE WHEN states_rank THEN rank_min WHEN carry_rank THEN held_rank_min END AS rank_min,
       CASE WHEN states_rank THEN rank_max WHEN carry_rank THEN held_rank_max END AS rank_max,
       coalesce(is_illustrative, held_illustrative) AS is_illustrative,
       source_file, source_sheet, source_row,
       -- a score carried into the row says where it came from (the row's own provenance is the file's)
       CASE WHEN stated AND points IS NULL AND carry AND held_points IS NOT NULL THEN concat_ws('; ', source_note,
            CASE WHEN held_derived THEN 'điểm lấy từ tổng các tiêu chí con khi nạp'
                 ELSE coalesce(nullif(regexp_extract(held_note, 'điểm lấy từ [^;]*'), ''),
                               'điểm lấy từ ' || concat_ws(' › ', held_file, held_sheet, 'dòng ' || held_row)) END)
            ELSE source_note END AS source_note,
       held_points, held_max_points, held_rank, held_n_ranked, held_label, held_rank_min, held_rank_max,
       held_illustrative, held_file, held_row
FROM judged;

CREATE OR REPLACE TEMP VIEW staged_scores AS
SELECT * FROM t_import WHERE fate IN ('new', 'replaced')
