-- Each published criterion's parent in its framework: the area a draft puts it under when
-- the entity's own plan does not have it ('' and NULL for a top-level criterion).
SELECT c.framework, c.code AS criterion_code, c.parent_code AS pub_area_code, p.name_vi AS pub_area_name
FROM criteria c
LEFT JOIN criteria p ON p.framework = c.framework AND p.code = c.parent_code
