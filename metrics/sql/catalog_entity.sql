-- One entity of the registry: its name and level (every page that names an entity in running
-- text, titles and addressees). Parameter: $entity_code.
SELECT entity_code, name, level
FROM entities
WHERE entity_code = $entity_code
