-- Stable views for other tools. Column lists are documented in README.md.

CREATE OR REPLACE VIEW scores AS
-- Ranks come from score_rank (store/ranking.py): one consistent ordering per peer group,
-- published ranks as given and computed ones filling the free slots around them. Rows with
-- the same peer_id are compared with each other (store/sql/rank_base.sql defines the group);
-- no window here, so a filter on any column reaches the tables before the joins.
WITH base AS (
    SELECT s.year, s.index_code, s.framework, s.criterion_code,
           COALESCE(c.name_vi, i.name_vi) AS criterion_name,
           -- the name the entity bore on 31 December of the row's year (entity_names: Thừa Thiên-Huế
           -- for 2024, Huế for 2025), else its one name
           s.entity_code, COALESCE(n.name, e.name) AS entity_name, e.level AS entity_level,
           COALESCE(e.parent_code, '') AS peer_group,
           s.points,
           COALESCE(s.max_points, CASE WHEN s.criterion_code IS NULL THEN f.total_max ELSE c.max_points END) AS max_points,
           r.rank, COALESCE(r.rank_published, FALSE) AS rank_published, r.n_ranked,
           COALESCE(r.rank_conflict, FALSE) AS rank_conflict, r.rank_note, s.label, s.is_illustrative,
           COALESCE(r.peers_illustrative, FALSE) AS peers_illustrative, r.peer_id,
           concat_ws(' › ', s.source_file, s.source_sheet,
                     CASE WHEN s.source_row IS NOT NULL THEN 'dòng ' || s.source_row END,
                     NULLIF(s.source_note, '')) AS source
    FROM score s
    JOIN entities e USING (entity_code)
    -- no type name in the view (DATE '…'): DuckDB writes it back quoted or not depending on the
    -- database, and store/db.py schema_differences compares the view's text
    LEFT JOIN entity_names n ON n.entity_code = s.entity_code
         AND (n.valid_from IS NULL OR n.valid_from <= make_date(s.year, 12, 31))
         AND (n.valid_to IS NULL OR n.valid_to >= make_date(s.year, 12, 31))
    JOIN frameworks f USING (framework)
    JOIN indices i ON i.index_code = s.index_code
    LEFT JOIN criteria c ON c.framework = s.framework AND c.code = s.criterion_code
    LEFT JOIN score_rank r ON r.year = s.year AND r.index_code = s.index_code AND r.framework = s.framework
         AND r.criterion_code IS NOT DISTINCT FROM s.criterion_code AND r.entity_code = s.entity_code
)
SELECT year, index_code, framework, criterion_code, criterion_name, entity_code, entity_name,
       entity_level, points, max_points,
       100.0 * points / NULLIF(max_points, 0) AS pct,
       rank, rank_published, n_ranked,
       label,
       -- a computed rank over illustrative peers is illustrative too
       is_illustrative OR (NOT rank_published AND points IS NOT NULL AND peers_illustrative) AS is_illustrative,
       source,
       peer_group,  -- the parent shared by the peers a computed rank is among ('' for provinces)
       rank_conflict,
       rank_note,   -- why a scored unit has no rank (domain.vocabulary.RANK_NOTES), else NULL
       peer_id      -- the peer group: rows with the same peer_id are ranked among each other
FROM base;

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
