-- The predecessors ('from') and successors ('to') of one entity. A predecessor whose area
-- went to several successors gave only part of it ("kế thừa một phần").
WITH fanout AS (
    SELECT entity_code, count(*) AS n FROM entity_successors GROUP BY entity_code)
SELECT 'from' AS direction, s.entity_code AS code, e.name, e.level, s.effective, f.n > 1 AS partial
FROM entity_successors s
JOIN entities e ON e.entity_code = s.entity_code
JOIN fanout f ON f.entity_code = s.entity_code
WHERE s.successor_code = $entity_code
UNION ALL
SELECT 'to', s.successor_code, e.name, e.level, s.effective, f.n > 1
FROM entity_successors s
JOIN entities e ON e.entity_code = s.successor_code
JOIN fanout f ON f.entity_code = s.entity_code
WHERE s.entity_code = $entity_code
