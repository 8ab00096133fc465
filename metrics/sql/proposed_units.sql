-- Lead and supporting units proposed for an entity from its predecessors' plans: the latest plan
-- of each predecessor (entity_successors; for a commune, the former district's plan), each unit
-- it assigns carried to the unit that took over that work (office_crosswalk, from
-- data/registry/office_crosswalk.csv). One row per published criterion. A unit that any source
-- makes lead stays lead; the supporting units leave the leads out; a unit named several times
-- is named once. An entity with a plan of its own gets them too: its plan wins on the criteria
-- it assigns (metrics.proposals.with_units), the proposal fills only the others.
-- Columns: lead_units, support_units (names, the plan's order), lead_codes, support_codes;
-- provenance: plan_ids, plan_codes (the plan's own codes), from_units (names of the units of the
-- plan), mappings (from_unit → unit, status), proposed_units (units no source names: every
-- mapping to them is 'đề xuất'), dropped_units (units of the plan with no counterpart), and
-- all_sourced (every mapping is 'căn cứ'). Parameter: $entity_code.
WITH source_plans AS (
    SELECT p.plan_id
    FROM plans p
    JOIN entity_successors s ON s.entity_code = p.entity_code AND s.successor_code = $entity_code
    QUALIFY rank() OVER (PARTITION BY p.entity_code ORDER BY p.year_to DESC NULLS LAST, p.plan_id DESC) = 1
), mapped AS (
    SELECT x.index_code, x.framework, x.criterion_code, x.plan_id, x.plan_code, a.role, a.position,
           a.unit_code AS from_unit, f.name AS from_name, o.commune_unit AS unit_code, u.name AS unit_name,
           COALESCE(o.status, '') AS status
    FROM source_plans sp
    JOIN crosswalk x ON x.plan_id = sp.plan_id
    JOIN plan_assignments a ON a.plan_id = x.plan_id AND a.index_code = x.index_code AND a.criterion_code = x.plan_code
    JOIN units f ON f.unit_code = a.unit_code
    LEFT JOIN office_crosswalk o ON o.district_unit = a.unit_code
    LEFT JOIN units u ON u.unit_code = o.commune_unit
    WHERE x.criterion_code IS NOT NULL
), per_unit AS (
    SELECT index_code, framework, criterion_code, unit_code, unit_name,
           bool_or(role = 'lead') AS is_lead,
           min(position) FILTER (WHERE role = 'lead') AS lead_position,
           min(position) FILTER (WHERE role <> 'lead') AS support_position,
           bool_or(status = 'căn cứ') AS sourced
    FROM mapped
    WHERE unit_name IS NOT NULL
    GROUP BY ALL
), proposed AS (
    SELECT index_code, framework, criterion_code,
           COALESCE(list(unit_name ORDER BY lead_position, unit_name) FILTER (WHERE is_lead), []) AS lead_units,
           COALESCE(list(unit_name ORDER BY support_position, unit_name) FILTER (WHERE NOT is_lead), []) AS support_units,
           COALESCE(list(unit_code ORDER BY lead_position, unit_name) FILTER (WHERE is_lead), []) AS lead_codes,
           COALESCE(list(unit_code ORDER BY support_position, unit_name) FILTER (WHERE NOT is_lead), []) AS support_codes,
           COALESCE(list(unit_name ORDER BY unit_name) FILTER (WHERE NOT sourced), []) AS proposed_units
    FROM per_unit
    GROUP BY ALL
), provenance AS (
    SELECT index_code, framework, criterion_code,
           list(DISTINCT plan_id ORDER BY plan_id) AS plan_ids,
           list(DISTINCT plan_code ORDER BY plan_code) AS plan_codes,
           list(DISTINCT from_name ORDER BY from_name) AS from_units,
           list(DISTINCT {'from_unit': from_name, 'unit': unit_name, 'status': status}) AS mappings,
           COALESCE(list(DISTINCT from_name ORDER BY from_name) FILTER (WHERE unit_name IS NULL), []) AS dropped_units,
           bool_and(status = 'căn cứ') AS all_sourced
    FROM mapped
    GROUP BY ALL
)
SELECT v.index_code, v.framework, v.criterion_code,
       COALESCE(p.lead_units, []) AS lead_units, COALESCE(p.support_units, []) AS support_units,
       COALESCE(p.lead_codes, []) AS lead_codes, COALESCE(p.support_codes, []) AS support_codes,
       v.plan_ids, v.plan_codes, v.from_units, v.mappings, COALESCE(p.proposed_units, []) AS proposed_units,
       v.dropped_units, v.all_sourced
FROM provenance v
LEFT JOIN proposed p USING (index_code, framework, criterion_code)
ORDER BY v.index_code, v.criterion_code
