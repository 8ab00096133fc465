-- Whether a file states exactly what the database already holds for its (year, index, entity)
-- keys: the number of rows held for those keys, the file's rows not held, and the rows held
-- that the file lacks (numbers compared to 6 decimals; derived rows are not the file's).
-- The file is the registered frame t_new.
WITH new AS (
    SELECT CAST(year AS INTEGER) AS y, index_code AS i, criterion_code AS c, entity_code AS e,
           round(CAST(points AS DOUBLE), 6) AS p, round(CAST(max_points AS DOUBLE), 6) AS m,
           CAST(rank AS INTEGER) AS r, CAST(n_ranked AS INTEGER) AS n, CAST(label AS VARCHAR) AS l
    FROM t_new
), old AS (
    SELECT s.year AS y, s.index_code AS i, s.criterion_code AS c, s.entity_code AS e,
           round(s.points, 6) AS p, round(s.max_points, 6) AS m, s.rank AS r, s.n_ranked AS n,
           s.label AS l
    FROM score s SEMI JOIN (SELECT DISTINCT y, i, e FROM new) k
         ON s.year = k.y AND s.index_code = k.i AND s.entity_code = k.e
    WHERE NOT s.derived
)
SELECT (SELECT count(*) FROM old) AS n_old,
       (SELECT count(*) FROM (SELECT * FROM new EXCEPT ALL SELECT * FROM old)) AS missing,
       (SELECT count(*) FROM (SELECT * FROM old EXCEPT ALL SELECT * FROM new)) AS extra
