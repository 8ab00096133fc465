-- Published criteria of each index's current framework that no unit of the plan leads or
-- supports (through the crosswalk). Without $index_code, only the indices the plan has a table for.
-- Parameters: $index_code (NULL = the plan's indices), $plan_id (NULL = every plan).
WITH current_fw AS (
    SELECT index_code, arg_max(framework, year_from) AS framework FROM frameworks GROUP BY index_code
), planned AS (
    SELECT DISTINCT index_code FROM plan_criteria WHERE $plan_id IS NULL OR plan_id = $plan_id
), covered AS (
    SELECT DISTINCT x.framework, x.criterion_code
    FROM crosswalk x
    JOIN plan_assignments a ON a.plan_id = x.plan_id AND a.index_code = x.index_code AND a.criterion_code = x.plan_code
    WHERE $plan_id IS NULL OR x.plan_id = $plan_id
)
SELECT c.index_code, c.code AS criterion_code, c.name_vi AS criterion_name, c.framework
FROM criteria c
JOIN current_fw USING (index_code, framework)
WHERE c.level IN ('criterion', 'subdimension', 'component', 'subindex')
  AND (($index_code IS NULL AND c.index_code IN (SELECT index_code FROM planned)) OR c.index_code = $index_code)
  AND NOT EXISTS (SELECT 1 FROM covered v WHERE v.framework = c.framework AND v.criterion_code = c.code)
ORDER BY c.index_code, c.code
