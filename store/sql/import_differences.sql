-- What writing an import would do (t_import, import_rows.sql): how many facts it adds, replaces,
-- keeps and removes, and how many of the facts it writes differ from what the database holds
-- (numbers compared to 6 decimals; the file's provenance is no difference). Nothing added, none
-- differing and none removed: the import would change nothing.
SELECT count(*) FILTER (WHERE fate = 'new') AS added,
       count(*) FILTER (WHERE fate = 'replaced') AS replaced,
       count(*) FILTER (WHERE fate = 'kept') AS kept,
       count(*) FILTER (WHERE fate = 'removed') AS removed,
       count(*) FILTER (WHERE fate = 'replaced' AND (
           round(points, 6) IS DISTINCT FROM round(held_points, 6)
           OR round(max_points, 6) IS DISTINCT FROM round(held_max_points, 6)
           OR rank IS DISTINCT FROM held_rank OR n_ranked IS DISTINCT FROM held_n_ranked
           OR label IS DISTINCT FROM held_label OR rank_min IS DISTINCT FROM held_rank_min
           OR rank_max IS DISTINCT FROM held_rank_max OR is_illustrative IS DISTINCT FROM held_illustrative)) AS differing
FROM t_import
