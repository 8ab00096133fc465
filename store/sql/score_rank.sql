-- score_rank from t_rank_base (store/sql/rank_base.sql): the groups without a published rank
-- or stated group (nearly all) ranked here, score order with ties sharing the better rank, and
-- no rank among fewer scored units than $min_peers (data/thresholds.csv); the other groups as
-- fill_ranks left them in t_mixed_rank. Stored in peer_id order (see rank_base.sql).
DELETE FROM score_rank;

INSERT INTO score_rank BY NAME
SELECT * FROM (
    SELECT year, index_code, framework, criterion_code, entity_code,
           CASE WHEN points_r IS NOT NULL AND count(points_r) OVER peer >= $min_peers
                THEN rank() OVER ranked END AS rank,
           count(points_r) OVER peer AS n_ranked,
           FALSE AS rank_published, FALSE AS rank_conflict,
           CASE WHEN points_r IS NOT NULL AND count(points_r) OVER peer < $min_peers
                THEN 'few_peers' END AS rank_note,
           peer_id, peers_illustrative
    FROM t_rank_base
    WHERE NOT mixed
    WINDOW peer AS (PARTITION BY peer_id),
           ranked AS (PARTITION BY peer_id ORDER BY points_r DESC NULLS LAST, points_s DESC NULLS LAST)
    UNION ALL BY NAME
    SELECT * FROM t_mixed_rank
)
ORDER BY peer_id;

DROP TABLE t_rank_base;

DROP TABLE t_mixed_rank;
