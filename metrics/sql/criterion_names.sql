-- The name of every published criterion, by framework and code.
SELECT framework, code AS published_code, name_vi AS criterion_name
FROM criteria
