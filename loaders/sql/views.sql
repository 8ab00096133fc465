-- Stable views for other tools. Column lists are documented in README.md.

CREATE OR REPLACE VIEW scores AS
WITH base AS (
    SELECT s.year, s.index_code, s.framework, s.criterion_code,
           COALESCE(c.name_vi, i.name_vi) AS criterion_name,
           s.entity_code, e.name AS entity_name, e.level AS entity_level,
           COALESCE(e.parent_code, '') AS peer_group,
           s.points,
           COALESCE(s.max_points, CASE WHEN s.criterion_code IS NULL THEN f.total_max ELSE c.max_points END) AS max_points,
           s.rank AS rank_given, s.n_ranked AS n_given, s.label, s.is_illustrative,
           concat_ws(' › ', s.source_file, s.source_sheet,
                     CASE WHEN s.source_row IS NOT NULL THEN 'dòng ' || s.source_row END,
                     NULLIF(s.source_note, '')) AS source
    FROM score s
    JOIN entities e USING (entity_code)
    JOIN frameworks f USING (framework)
    JOIN indices i ON i.index_code = s.index_code
    LEFT JOIN criteria c ON c.framework = s.framework AND c.code = s.criterion_code
), ranked AS (
    SELECT *,
        -- peers: same index, framework, criterion, year, level and parent; equal scores share a rank
        CASE WHEN points IS NOT NULL THEN rank() OVER w END AS rank_computed,
        count(points) OVER (PARTITION BY year, index_code, framework, criterion_code, entity_level, peer_group) AS n_computed,
        bool_or(is_illustrative) OVER (PARTITION BY year, index_code, framework, criterion_code, entity_level, peer_group) AS peers_illustrative
    FROM base
    WINDOW w AS (PARTITION BY year, index_code, framework, criterion_code, entity_level, peer_group
                 ORDER BY points DESC NULLS LAST)
)
SELECT year, index_code, framework, criterion_code, criterion_name, entity_code, entity_name,
       entity_level, points, max_points,
       100.0 * points / NULLIF(max_points, 0) AS pct,
       COALESCE(rank_given, rank_computed) AS rank,
       rank_given IS NOT NULL AS rank_published,
       CASE WHEN rank_given IS NOT NULL THEN n_given ELSE n_computed END AS n_ranked,
       label,
       -- a computed rank over illustrative peers is illustrative too
       is_illustrative OR (rank_given IS NULL AND points IS NOT NULL AND peers_illustrative) AS is_illustrative,
       source,
       peer_group  -- the parent shared by the peers a computed rank is among ('' for provinces)
FROM ranked;

CREATE OR REPLACE VIEW task_map AS
SELECT a.plan_id, a.index_code, a.criterion_code, pc.name AS criterion_name, a.role,
       u.name AS unit, pc.timing
FROM plan_assignments a
JOIN units u USING (unit_code)
JOIN plan_criteria pc ON pc.plan_id = a.plan_id AND pc.index_code = a.index_code AND pc.code = a.criterion_code
ORDER BY a.plan_id, a.index_code, string_split(a.criterion_code, '.')[1]::INTEGER,
         string_split(a.criterion_code, '.')[2]::INTEGER, a.role, a.position;

CREATE OR REPLACE VIEW plan_tasks AS
SELECT t.plan_id, t.index_code, t.task_no, t.text, tu.role, u.name AS unit
FROM plan_task_items t
JOIN plan_task_units tu ON tu.plan_id = t.plan_id AND tu.task_no = t.task_no
JOIN units u ON u.unit_code = tu.unit_code
ORDER BY t.plan_id, t.section, string_split(t.task_no, '.')[3]::INTEGER, tu.role, tu.position;

CREATE OR REPLACE VIEW unit_members AS
SELECT g.name AS group_unit, m.name AS member_unit
FROM unit_group_members gm
JOIN units g ON g.unit_code = gm.group_code
JOIN units m ON m.unit_code = gm.member_code
ORDER BY g.name, m.name;
