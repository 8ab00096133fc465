-- Responsible units for the «Đơn vị» picker: departments first, then governments, outside
-- bodies, groups, by name.
SELECT unit_code, name, kind
FROM units
ORDER BY CASE kind WHEN 'department' THEN 0 WHEN 'government' THEN 1 WHEN 'external' THEN 2
                   WHEN 'group' THEN 3 ELSE 4 END, name
