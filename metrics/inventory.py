"""What the database holds: rows per index, year and source, and the import log."""
from __future__ import annotations

import duckdb
import pandas as pd

from metrics.sql_files import sql


def loaded_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(sql("loaded_summary.sql")).df()


def import_log(con: duckdb.DuckDBPyConnection, *, everything: bool = False, user: str | None = None,
               entity: str | None = None, names: bool = False) -> pd.DataFrame:
    """The write log as one viewer may see it (metrics/sql/import_log.sql): score activity for
    everyone, account names with ``names``; progress-report activity only ``everything`` (an
    administrator), the writes logged under ``user``, and those on plans of ``entity`` (its
    coordinating unit). The default is what an anonymous visitor sees."""
    return con.execute(sql("import_log.sql"), {"everything": everything, "user": user, "entity": entity,
                                               "names": names}).df()


def source_conflicts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM source_conflicts").df()
