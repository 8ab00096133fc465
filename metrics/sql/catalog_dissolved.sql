-- An entity's end of validity and the names of the entities that took it over (a document
-- refused for a dissolved issuer names them). Parameter: $entity_code.
SELECT e.name, e.level, e.valid_to,
       list(n.name ORDER BY n.name) FILTER (WHERE n.name IS NOT NULL) AS successors
FROM entities e
LEFT JOIN entity_successors s ON s.entity_code = e.entity_code
LEFT JOIN entities n ON n.entity_code = s.successor_code
WHERE e.entity_code = $entity_code
GROUP BY e.name, e.level, e.valid_to
