-- The focus tasks (section II.1) of the plans for one index, as «Chỉ số thành phần» lists them.
-- Parameter: $index_code.
SELECT DISTINCT task_no, text
FROM plan_tasks
WHERE index_code = $index_code
ORDER BY task_no
