"""A small database from hand-made score rows, on the real frameworks and registry."""
from __future__ import annotations

from pathlib import Path

import duckdb

from domain.vocabulary import DATA_DIR
from loaders.read import Context
from store import build as store_build
from store import db

_CTX: Context | None = None


def context() -> Context:
    global _CTX
    if _CTX is None:
        _CTX = Context(DATA_DIR)
    return _CTX


def make_db(path: Path, rows: list[tuple], *, with_plan: bool = False, derive: bool = False) -> duckdb.DuckDBPyConnection:
    """rows: (year, index_code, criterion_code or None, entity_code, points[, rank, n_ranked, max_points, illustrative])."""
    ctx = context()
    con = duckdb.connect(str(path))
    db.run_script(con, "schema.sql")
    store_build.load_registry(con, ctx)
    units = store_build.load_units(con, DATA_DIR)
    if with_plan:
        store_build.load_plan_into(con, DATA_DIR / "plan" / "ke-hoach-chi-so-vinh-loc-2023-2025.md", "VL-2023-2025", ctx, units)
    for r in rows:
        year, index_code, crit, entity, points, *rest = r
        rank, n_ranked, max_points, illustrative = (rest + [None, None, None, False])[:4]
        con.execute("""INSERT INTO score (year, index_code, framework, criterion_code, entity_code, points,
                       max_points, rank, n_ranked, is_illustrative) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [year, index_code, ctx.fw.framework_for(index_code, year), crit, entity, points,
                     max_points, rank, n_ranked, bool(illustrative)])
    if derive:
        store_build.derive(con, None)
    store_build.rank(con)
    db.run_script(con, "views.sql")
    return con


# ---------------------------------------------------------------- a tiny database for the write path

def tiny_db(path: Path) -> Path:
    """An empty database with the product's schema at ``path`` (about 1 MB), built through the
    write path: snapshots and undo of it cost little."""
    from store.audit import log_write

    with db.writable_copy(path, fresh=True, action="build") as con:
        db.run_script(con, "schema.sql")
        log_write(con, "build", "data/", None, None, 0, 0, 0)
    return path


def write_one(path: Path, i: int) -> None:
    """One more write (a log row naming «dot<i>.csv»): one more snapshot."""
    from store.audit import log_write

    with db.writable_copy(path, action="import") as con:
        log_write(con, "import", f"dot{i}.csv", None, None, 1, 1, 0)


def last_file(path: Path) -> str:
    """The file of the last write still in effect."""
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute("SELECT file FROM import_log WHERE action <> 'undo' ORDER BY import_id DESC LIMIT 1").fetchone()[0]
