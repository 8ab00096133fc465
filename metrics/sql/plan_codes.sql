-- Published criterion -> the plan's own code for it, the plan area it sits in and its timing,
-- from the plans of one assessed entity ($entity_code; NULL = every plan).
SELECT x.index_code, x.framework, x.criterion_code, x.plan_code, pc.timing,
       pc.parent_code AS area_code, pa.name AS area_name
FROM crosswalk x
JOIN plan_criteria pc ON pc.plan_id = x.plan_id AND pc.index_code = x.index_code AND pc.code = x.plan_code
LEFT JOIN plan_criteria pa ON pa.plan_id = pc.plan_id AND pa.index_code = pc.index_code AND pa.code = pc.parent_code
JOIN plans p ON p.plan_id = x.plan_id
WHERE x.criterion_code IS NOT NULL AND pc.level = 'criterion'
  AND ($entity_code IS NULL OR p.entity_code = $entity_code)
