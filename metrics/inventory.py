"""What the database holds: rows per index, year and source, and the import log."""
from __future__ import annotations

import duckdb
import pandas as pd

from metrics.core import sql


def loaded_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(sql("loaded_summary.sql")).df()


def import_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(sql("import_log.sql")).df()


def source_conflicts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM source_conflicts").df()
