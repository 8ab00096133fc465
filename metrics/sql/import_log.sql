-- Every write to the database, newest first (undo rows included).
SELECT import_id, imported_at, user_name, action, file, sha256, index_code,
       rows_read, rows_loaded, rows_replaced, note
FROM import_log
ORDER BY import_id DESC
