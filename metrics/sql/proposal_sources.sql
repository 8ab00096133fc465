-- The plans units are proposed from for an entity (as in
-- proposed_units.sql): the latest plan of each predecessor, with whose it was and since when
-- that predecessor is gone. Parameter: $entity_code.
SELECT p.plan_id, p.title, p.issuer, p.entity_code, e.name AS entity_name, e.level, s.effective
FROM plans p
JOIN entity_successors s ON s.entity_code = p.entity_code AND s.successor_code = $entity_code
JOIN entities e ON e.entity_code = p.entity_code
QUALIFY rank() OVER (PARTITION BY p.entity_code ORDER BY p.year_to DESC NULLS LAST, p.plan_id DESC) = 1
ORDER BY p.plan_id
