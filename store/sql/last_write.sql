-- The newest write still in effect (undo rows describe writes that are gone already).
SELECT import_id, imported_at, user_name, action, file, sha256, note
FROM import_log
WHERE action <> 'undo'
ORDER BY import_id DESC
LIMIT 1
