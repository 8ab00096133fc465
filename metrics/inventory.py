"""What the database holds: rows per index, year and source, and the import log."""
from __future__ import annotations

import duckdb
import pandas as pd

INVENTORY_SQL = """
SELECT s.index_code, s.year, e.level AS entity_level,
       count(*) AS n_rows,
       count(DISTINCT s.entity_code) AS n_entities,
       bool_or(s.is_illustrative) AS any_illustrative,
       bool_and(s.is_illustrative) AS all_illustrative,
       string_agg(DISTINCT s.source_file, '; ') FILTER (WHERE s.source_file IS NOT NULL) AS sources
FROM score s JOIN entities e USING (entity_code)
GROUP BY ALL
ORDER BY s.index_code, s.year, e.level
"""


def loaded_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(INVENTORY_SQL).df()


def import_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""SELECT import_id, imported_at, user_name, action, file, sha256, index_code,
                                 rows_read, rows_loaded, rows_replaced, note
                          FROM import_log ORDER BY import_id DESC""").df()


def source_conflicts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM source_conflicts").df()
