-- Before criterion_metrics_all is computed again (store/build.py precompute): which indices
-- need it, and their old rows forgotten. An index needs it when its rows of score or
-- score_rank differ from those it was computed from: compared by a fingerprint per index
-- (row count and a sum of row hashes) kept in criterion_metrics_state. A new database has no
-- fingerprint, so every index is computed; an import computes the indices it changed. The
-- registry (names, levels, frameworks) changes only with a rebuild, which starts afresh.
-- peer_id is left out: adding a peer group renumbers the groups after it without changing
-- them, and criterion_metrics_all does not store peer_id.
-- Leaves t_stale (index_code) for the caller.
CREATE OR REPLACE TEMP TABLE t_fingerprint AS
SELECT index_code, count(*) AS n_rows, sum(h) AS fingerprint
FROM (
    SELECT index_code,
           hash(year, framework, criterion_code, entity_code, points, max_points, label, is_illustrative,
                source_file, source_sheet, source_row, source_note)::HUGEINT AS h
    FROM score
    UNION ALL
    SELECT index_code,
           hash(year, framework, criterion_code, entity_code, rank, n_ranked, rank_published, rank_conflict,
                rank_note, peers_illustrative)::HUGEINT
    FROM score_rank
)
GROUP BY index_code;

CREATE OR REPLACE TEMP TABLE t_stale AS
SELECT DISTINCT index_code FROM (
    (SELECT index_code, n_rows, fingerprint FROM t_fingerprint
     EXCEPT SELECT index_code, n_rows, fingerprint FROM criterion_metrics_state)
    UNION ALL
    (SELECT index_code, n_rows, fingerprint FROM criterion_metrics_state
     EXCEPT SELECT index_code, n_rows, fingerprint FROM t_fingerprint)
);

DELETE FROM criterion_metrics_all WHERE index_code IN (SELECT index_code FROM t_stale);

DELETE FROM criterion_metrics_state;

INSERT INTO criterion_metrics_state SELECT index_code, n_rows, fingerprint FROM t_fingerprint;

DROP TABLE t_fingerprint;
