-- The province's own view («Toàn tỉnh»): one row per commune of $province (level commune,
-- parent $province, existing on $on) with its plan for $year, how the units that lead its duties
-- reported for $period of $year, and how many of those duties are overdue on $on. One query for
-- every commune: 166 plans × ~30 duties × 4 periods of reports stay one scan of each table.
--
-- The same rules as metrics/progress.py, which reads one plan at a time:
-- * the plan: the commune's own plan whose years hold $year; an adopted one (plan_adoptions)
--   before one only imported, then the latest signed, then the highest plan_id;
-- * duties: what a unit leads (chủ trì) directly or through a group, expanded to the group's
--   members as store/sql/plan_duties.sql does; units outside the government (kind external: Sở
--   Nội vụ, Bưu điện) report to no one (metrics.progress.expected);
-- * a unit has reported in full when every duty it leads has a report for $period exactly, in
--   part when some have (metrics.progress.who_reported); late when not in full after $due;
-- * a duty is overdue when a deadline of $year read from its «Thời gian thực hiện»
--   ($timing_texts → $timing_deadlines, domain.progress.parse_timing) passed before $on (or the
--   plan's end) without a «Hoàn thành» ($done) report of the year — with several deadlines a
--   year, a report of a period whose months ($period_codes, $period_first, $period_last) hold
--   the deadline's month (metrics.progress.overdue).
WITH RECURSIVE communes AS (
    SELECT entity_code, name, valid_to
    FROM entities
    WHERE level = 'commune' AND parent_code = $province
      AND (valid_from IS NULL OR valid_from <= $on) AND (valid_to IS NULL OR valid_to >= $on)
),
candidates AS (
    SELECT p.plan_id, p.entity_code, p.title, a.number, a.signed_on,
           a.plan_id IS NOT NULL AS adopted, COALESCE(a.is_illustrative, FALSE) AS plan_illustrative,
           -- the last day the plan runs: its last year, or the day its commune ended
           LEAST(make_date(COALESCE(p.year_to, p.year_from), 12, 31),
                 COALESCE(c.valid_to, make_date(9999, 12, 31))) AS plan_end,
           row_number() OVER (PARTITION BY p.entity_code
                              ORDER BY a.plan_id IS NOT NULL DESC, a.signed_on DESC NULLS LAST, p.plan_id DESC) AS n
    FROM plans p
    JOIN communes c USING (entity_code)
    LEFT JOIN plan_adoptions a USING (plan_id)
    WHERE COALESCE(p.year_from, p.year_to) <= $year AND $year <= COALESCE(p.year_to, p.year_from)
),
chosen AS (
    SELECT * EXCLUDE (n), LEAST($on, plan_end) AS as_of FROM candidates WHERE n = 1
),
expand(assigned, reporter, depth) AS (
    SELECT unit_code, unit_code, 0 FROM units
    UNION ALL
    SELECT e.assigned, m.member_code, e.depth + 1
    FROM expand e JOIN unit_group_members m ON m.group_code = e.reporter
    WHERE e.depth < 5
),
leaves AS (
    SELECT DISTINCT assigned, reporter FROM expand
    WHERE reporter NOT IN (SELECT group_code FROM unit_group_members)
),
led AS (
    SELECT a.plan_id, 'criterion' AS item_kind, a.index_code, a.criterion_code AS item_code,
           l.reporter AS unit_code, pc.timing
    FROM plan_assignments a
    JOIN chosen USING (plan_id)
    JOIN plan_criteria pc ON pc.plan_id = a.plan_id AND pc.index_code = a.index_code AND pc.code = a.criterion_code
    JOIN leaves l ON l.assigned = a.unit_code
    WHERE a.role = 'lead'
    UNION
    SELECT t.plan_id, 'task', t.index_code, t.task_no, l.reporter, NULL
    FROM plan_task_items t
    JOIN chosen USING (plan_id)
    JOIN plan_task_units tu ON tu.plan_id = t.plan_id AND tu.task_no = t.task_no
    JOIN leaves l ON l.assigned = tu.unit_code
    WHERE tu.role = 'lead'
),
expected AS (
    SELECT led.* FROM led JOIN units u USING (unit_code) WHERE COALESCE(u.kind, '') <> 'external'
),
reports AS (
    SELECT r.plan_id, r.item_kind, r.index_code, r.item_code, r.unit_code, r.period, r.status,
           r.reported_at, r.is_illustrative
    FROM progress_reports r JOIN chosen USING (plan_id)
    WHERE r.year = $year
),
now AS (  -- the duties reported for the period itself
    SELECT plan_id, item_kind, index_code, item_code, unit_code, max(reported_at) AS reported_at,
           bool_or(is_illustrative) AS is_illustrative
    FROM reports WHERE period = $period
    GROUP BY ALL
),
by_unit AS (
    SELECT e.plan_id, e.unit_code, count(*) AS n_duties, count(n.unit_code) AS n_reported,
           max(n.reported_at) AS last_at
    FROM expected e
    LEFT JOIN now n USING (plan_id, item_kind, index_code, item_code, unit_code)
    GROUP BY ALL
),
by_plan AS (
    SELECT b.plan_id, count(*) AS units_expected,
           count(*) FILTER (WHERE n_reported = n_duties) AS units_full,
           count(*) FILTER (WHERE n_reported > 0 AND n_reported < n_duties) AS units_partial,
           count(*) FILTER (WHERE n_reported = 0) AS units_none,
           count(*) FILTER (WHERE n_reported < n_duties AND c.as_of > $due) AS units_late,
           sum(n_duties) AS duties_led, sum(n_reported) AS duties_reported, max(last_at) AS last_report_at
    FROM by_unit b JOIN chosen c USING (plan_id)
    GROUP BY ALL
),
deadlines AS (
    SELECT timing, unnest(deadlines) AS deadline, len(deadlines) AS n_deadlines
    FROM (SELECT unnest(CAST($timing_texts AS VARCHAR[])) AS timing,
                 unnest(CAST($timing_deadlines AS DATE[][])) AS deadlines)
    WHERE len(deadlines) > 0
),
months AS (
    SELECT unnest(CAST($period_codes AS VARCHAR[])) AS period, unnest(CAST($period_first AS INTEGER[])) AS first_month,
           unnest(CAST($period_last AS INTEGER[])) AS last_month
),
done AS (
    SELECT r.plan_id, r.item_kind, r.index_code, r.item_code, r.unit_code, m.first_month, m.last_month
    FROM reports r JOIN months m USING (period)
    WHERE r.status = $done
),
missed AS (
    SELECT DISTINCT e.plan_id, e.item_kind, e.index_code, e.item_code, e.unit_code
    FROM expected e
    JOIN chosen c USING (plan_id)
    JOIN deadlines d ON d.timing = e.timing
    WHERE d.deadline < c.as_of
      AND NOT EXISTS (SELECT 1 FROM done x
                      WHERE x.plan_id = e.plan_id AND x.item_kind = e.item_kind AND x.index_code = e.index_code
                        AND x.item_code = e.item_code AND x.unit_code = e.unit_code
                        AND (d.n_deadlines = 1 OR month(d.deadline) BETWEEN x.first_month AND x.last_month))
),
overdue AS (
    SELECT plan_id, count(*) AS overdue FROM missed GROUP BY plan_id
),
shown_reports AS (  -- the reports the row's figures rest on: this period's and the year's «Hoàn thành»
    SELECT plan_id, bool_or(is_illustrative) AS reports_illustrative
    FROM reports WHERE period = $period OR status = $done
    GROUP BY plan_id
)
SELECT c.entity_code, c.name AS entity_name,
       ch.plan_id, ch.title AS plan_title, ch.number AS plan_number, ch.signed_on AS plan_signed_on,
       COALESCE(ch.adopted, FALSE) AS adopted, COALESCE(ch.plan_illustrative, FALSE) AS plan_illustrative,
       COALESCE(b.units_expected, 0) AS units_expected, COALESCE(b.units_full, 0) AS units_full,
       COALESCE(b.units_partial, 0) AS units_partial, COALESCE(b.units_none, 0) AS units_none,
       COALESCE(b.units_late, 0) AS units_late,
       COALESCE(b.duties_led, 0) AS duties_led, COALESCE(b.duties_reported, 0) AS duties_reported,
       b.last_report_at,
       COALESCE(o.overdue, 0) AS overdue,
       COALESCE(s.reports_illustrative, FALSE) AS reports_illustrative
FROM communes c
LEFT JOIN chosen ch USING (entity_code)
LEFT JOIN by_plan b ON b.plan_id = ch.plan_id
LEFT JOIN overdue o ON o.plan_id = ch.plan_id
LEFT JOIN shown_reports s ON s.plan_id = ch.plan_id
