-- Sum parents from their children where the framework says the total is a sum and the
-- parent was not published itself. A parent with any missing child stays missing.
-- Parameter: $index_code, the one index to sum (NULL = every index).
INSERT INTO score (year, index_code, framework, criterion_code, entity_code, points,
                   is_illustrative, derived, source_file, source_note)
SELECT s.year, s.index_code, s.framework, c.parent_code, s.entity_code,
       CASE WHEN count(s.points) = count(*) AND count(*) = max(n.n_children) THEN sum(s.points) END,
       bool_or(s.is_illustrative), TRUE, string_agg(DISTINCT s.source_file, '; '), 'tổng các tiêu chí con'
FROM score s
JOIN criteria c ON c.framework = s.framework AND c.code = s.criterion_code
JOIN frameworks f ON f.framework = s.framework AND f.total_rule = 'sum'
JOIN (SELECT framework, parent_code, count(*) AS n_children FROM criteria
      WHERE parent_code <> '' GROUP BY ALL) n
  ON n.framework = c.framework AND n.parent_code = c.parent_code
WHERE c.parent_code <> '' AND ($index_code IS NULL OR s.index_code = $index_code)
  AND NOT EXISTS (SELECT 1 FROM score p WHERE p.year = s.year AND p.framework = s.framework
                  AND p.criterion_code = c.parent_code AND p.entity_code = s.entity_code)
GROUP BY s.year, s.index_code, s.framework, c.parent_code, s.entity_code;

INSERT INTO score (year, index_code, framework, criterion_code, entity_code, points,
                   is_illustrative, derived, source_file, source_note)
SELECT s.year, s.index_code, s.framework, NULL, s.entity_code,
       CASE WHEN count(s.points) = count(*) AND count(*) = max(n.n_top) THEN sum(s.points) END,
       bool_or(s.is_illustrative), TRUE, string_agg(DISTINCT s.source_file, '; '), 'tổng các tiêu chí'
FROM score s
JOIN criteria c ON c.framework = s.framework AND c.code = s.criterion_code AND c.parent_code = ''
                 AND c.level <> 'alternate_total'
JOIN frameworks f ON f.framework = s.framework AND f.total_rule = 'sum'
JOIN (SELECT framework, count(*) AS n_top FROM criteria
      WHERE parent_code = '' AND level <> 'alternate_total' GROUP BY ALL) n ON n.framework = c.framework
WHERE ($index_code IS NULL OR s.index_code = $index_code)
  AND NOT EXISTS (SELECT 1 FROM score p WHERE p.year = s.year AND p.framework = s.framework
                  AND p.criterion_code IS NULL AND p.entity_code = s.entity_code)
GROUP BY s.year, s.index_code, s.framework, s.entity_code;
