-- The distinct «Thời gian thực hiện» cells of the plans of $province's communes (level commune,
-- parent $province) whose years hold $year: metrics.province reads their deadlines once
-- (domain.progress.parse_timing) and hands them to province_communes.sql.
SELECT DISTINCT pc.timing
FROM plan_criteria pc
JOIN plans p USING (plan_id)
JOIN entities e USING (entity_code)
WHERE e.level = 'commune' AND e.parent_code = $province AND pc.timing IS NOT NULL
  AND COALESCE(p.year_from, p.year_to) <= $year AND $year <= COALESCE(p.year_to, p.year_from)
ORDER BY pc.timing
