-- Before an import writes its rows (t_import, import_rows.sql): the held facts it replaces or
-- removes, and every sum derived here for the (year, index, entity) it speaks of (derived again
-- after the write, store/build.py derive).
DELETE FROM score s USING t_import t
WHERE t.fate IN ('replaced', 'removed') AND NOT s.derived
  AND s.year = t.year AND s.index_code = t.index_code AND s.entity_code = t.entity_code
  AND s.criterion_code IS NOT DISTINCT FROM t.criterion_code;

DELETE FROM score s USING (SELECT DISTINCT year, index_code, entity_code FROM t_import WHERE fate IN ('new', 'replaced')) k
WHERE s.derived AND s.year = k.year AND s.index_code = k.index_code AND s.entity_code = k.entity_code
