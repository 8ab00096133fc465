-- Every write to the database, newest first (undo rows included), as one viewer may see it.
--   Score activity (imports, plans, rebuilds, restores, and their undos): everyone; the
--   account names ($names) only for a signed-in viewer.
--   Progress-report activity (a unit's saves, template uploads and their undos) is not public:
--   an administrator sees all of it ($everything), an account its own writes ($user), a
--   coordinating unit those touching only plans of its own entity ($entity).
-- A report write's note lists its plans; an undo of one names them after « · kế hoạch: ».
WITH log AS (
    SELECT *,
           action IN ('report', 'import-report')
               OR (action = 'undo' AND regexp_matches(note, '^hoàn tác lần (nạp )?báo cáo tiến độ #')) AS about_reports,
           CASE WHEN action = 'undo' THEN regexp_extract(note, ' · kế hoạch: (.*)$', 1) ELSE note END AS plan_list
    FROM import_log
)
SELECT import_id, imported_at,
       CASE WHEN $names THEN user_name END AS user_name,
       action, file, sha256, index_code, rows_read, rows_loaded, rows_replaced,
       -- an undo's note names who made the write it undid
       CASE WHEN $names OR action <> 'undo' THEN note ELSE regexp_extract(note, '^(hoàn tác lần [^#]*#[0-9]+)', 1) END AS note
FROM log
WHERE NOT about_reports
   OR $everything
   OR user_name = $user
   OR ($entity IS NOT NULL AND COALESCE(plan_list, '') <> '' AND NOT EXISTS (
           SELECT 1 FROM unnest(string_split(plan_list, ', ')) AS t(plan_id)
           WHERE t.plan_id NOT IN (SELECT plan_id FROM plans WHERE entity_code = $entity)))
ORDER BY import_id DESC
