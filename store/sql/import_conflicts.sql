-- The real facts an import states differently from a real fact the database holds from another
-- file (t_import, import_rows.sql): points apart by more than two sources' rounding (0.0051), or
-- another published rank. The file's figure is written; each disagreement is kept in
-- source_conflicts for people to see, worded like the build's (loaders/read.py merge_staged,
-- numbers as domain.text.vn_number writes them). t_conflicts: the same rows, in file order,
-- for the import's summary.
CREATE OR REPLACE TEMP TABLE t_conflicts AS
WITH differing AS (
    SELECT *, coalesce(abs(points - held_points) > 0.0051, FALSE) AS points_differ,
           coalesce(rank <> held_rank, FALSE) AS rank_differs
    FROM t_import
    WHERE fate = 'replaced' AND NOT is_illustrative AND NOT held_illustrative
      AND held_file IS DISTINCT FROM source_file
)
SELECT source_file AS file, source_sheet AS sheet, source_row AS row,
       'số liệu khác với ' || held_file || coalesce(' dòng ' || held_row, '') || ': '
       || concat_ws(', ',
                    CASE WHEN points_differ THEN replace(printf('%g', points), '.', ',') || ' so với '
                                                 || replace(printf('%g', held_points), '.', ',') END,
                    CASE WHEN rank_differs THEN 'hạng ' || rank || ' so với hạng ' || held_rank END)
       || ' (' || coalesce(entity_raw, entity_code) || ', ' || year || ', tiêu chí ' || coalesce(criterion_code, 'tổng')
       || '); đã thay bằng số liệu của tệp này' AS message
FROM differing
WHERE points_differ OR rank_differs
ORDER BY sheet NULLS FIRST, row;

INSERT INTO source_conflicts (file, sheet, row, message) SELECT file, sheet, row, message FROM t_conflicts
