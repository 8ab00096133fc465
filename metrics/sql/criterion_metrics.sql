-- Per entity, index, criterion (or total) and year: level, change since the previous
-- assessed year in the same series, rank among peers, peer median and best, and the flags.
-- The figures are computed when data is written (criterion_metrics_all, defined by
-- store/sql/precompute_criterion_metrics.sql); only the flags are computed here, with the
-- thresholds the caller passes (data/thresholds.csv unless a caller passes others).
-- Parameters: $entity_code, $index_code, $year (each NULL = all);
-- $decline_pct_points, $decline_years_running, $low_rank_fraction, $below_median,
-- $min_peers (a rank among fewer units is not a ranking).
SELECT year, index_code, framework, criterion_code, criterion_name, level, is_leaf, parent_code, series,
       entity_code, entity_name, entity_level, peer_group,
       points, max_points, pct, prev_year, break_before, change_points, change_pct_points,
       prev_change_pct_points, rank, rank_computed, n_ranked, rank_change, rank_note,
       peer_median, peer_best, n_peers,
       points - peer_median AS gap_to_median, points - peer_best AS gap_to_best,
       is_illustrative, label, source,
       decline_run,
       points IS NULL AS no_data,
       COALESCE(change_pct_points < -$decline_pct_points OR decline_run >= $decline_years_running, FALSE) AS declining,
       COALESCE(n_ranked >= $min_peers AND rank > n_ranked * (1 - $low_rank_fraction), FALSE) AS bottom_fraction,
       COALESCE($below_median AND n_peers >= $min_peers AND points < peer_median, FALSE) AS below_median,
       COALESCE((n_ranked >= $min_peers AND rank > n_ranked * (1 - $low_rank_fraction))
                OR ($below_median AND n_peers >= $min_peers AND points < peer_median),
                FALSE) AS low_ranked
FROM criterion_metrics_all
WHERE ($entity_code IS NULL OR entity_code = $entity_code) AND ($year IS NULL OR year = $year)
  AND ($index_code IS NULL OR index_code = $index_code)
