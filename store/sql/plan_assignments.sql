-- A plan's task map: who leads and who supports each plan criterion (the registered frame t_tm).
INSERT INTO plan_assignments
SELECT plan_id, index_code, criterion_code, role, unit_code, position, raw_text, location
FROM t_tm
