-- The newest write still in effect (what «Hoàn tác» would undo).
SELECT import_id, imported_at, user_name, action, file
FROM import_log
WHERE action <> 'undo'
ORDER BY import_id DESC
LIMIT 1
