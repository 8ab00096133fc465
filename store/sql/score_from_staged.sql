-- Score rows from a validated file (the registered frame staged_scores, loaders/staging.py),
-- typed; none is derived, every one keeps where it came from and the write that brought it.
INSERT INTO score (year, index_code, framework, criterion_code, entity_code, points, max_points,
                   rank, n_ranked, label, rank_min, rank_max, is_illustrative, derived, source_file, source_sheet,
                   source_row, source_note, import_id)
SELECT CAST(year AS INTEGER), index_code, framework, criterion_code, entity_code,
       CAST(points AS DOUBLE), CAST(max_points AS DOUBLE), CAST(rank AS INTEGER),
       CAST(n_ranked AS INTEGER), label, CAST(rank_min AS INTEGER), CAST(rank_max AS INTEGER),
       CAST(is_illustrative AS BOOLEAN), FALSE,
       source_file, source_sheet, CAST(source_row AS INTEGER), source_note, $import_id
FROM staged_scores
