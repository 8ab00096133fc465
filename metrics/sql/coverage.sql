-- Published criteria of each index's current framework that no unit of the plan leads or
-- supports (through the crosswalk). Without $1, only the indices the plan has a table for.
-- Parameters: $1 index_code (NULL = the plan's indices), $2 plan_id (NULL = every plan).
WITH current_fw AS (
    SELECT index_code, arg_max(framework, year_from) AS framework FROM frameworks GROUP BY index_code
), planned AS (
    SELECT DISTINCT index_code FROM plan_criteria WHERE $2 IS NULL OR plan_id = $2
), covered AS (
    SELECT DISTINCT x.framework, x.criterion_code
    FROM crosswalk x
    JOIN plan_assignments a ON a.plan_id = x.plan_id AND a.index_code = x.index_code AND a.criterion_code = x.plan_code
    WHERE $2 IS NULL OR x.plan_id = $2
)
SELECT c.index_code, c.code AS criterion_code, c.name_vi AS criterion_name, c.framework
FROM criteria c
JOIN current_fw USING (index_code, framework)
WHERE c.level IN ('criterion', 'subdimension', 'component', 'subindex')
  AND (($1 IS NULL AND c.index_code IN (SELECT index_code FROM planned)) OR c.index_code = $1)
  AND NOT EXISTS (SELECT 1 FROM covered v WHERE v.framework = c.framework AND v.criterion_code = c.code)
ORDER BY c.index_code, c.code
