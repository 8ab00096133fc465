-- The indices, frameworks, criteria and assessed entities, from data/frameworks/ and
-- data/registry/ (the frames registered as t_indices, t_fw, t_crit, t_ent, t_alias, t_succ, t_names).
INSERT INTO indices
SELECT index_code, name_vi, name_en, publisher, CAST("order" AS INTEGER), CAST(rank_decimals AS INTEGER)
FROM t_indices;

INSERT INTO frameworks
SELECT framework, index_code, year_from, year_to, entity_level, status, total_min, total_max, total_rule, source
FROM t_fw;

INSERT INTO criteria
SELECT index_code, framework, code, parent_code, level, name_vi, name_en, min_points, max_points, weight,
       series, assumed = 'true'
FROM t_crit;

INSERT INTO entities
SELECT entity_code, name, name_en, level, NULLIF(parent_code, ''),
       CAST(NULLIF(valid_from, '') AS DATE), CAST(NULLIF(valid_to, '') AS DATE), note
FROM t_ent;

INSERT INTO entity_aliases SELECT alias, alias_key, entity_code, source FROM t_alias;

INSERT INTO entity_successors SELECT entity_code, successor_code, CAST(effective AS DATE), note FROM t_succ;

INSERT INTO entity_names
SELECT entity_code, name, CAST(NULLIF(valid_from, '') AS DATE), CAST(NULLIF(valid_to, '') AS DATE), source
FROM t_names;
