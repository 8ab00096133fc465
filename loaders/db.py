"""The one door to the database file.

DuckDB allows one read-write process or many read-only ones, never both. So writers never
touch the live file: they build or copy into a sibling file and ``os.replace`` it over the
old one (atomic on one filesystem). Readers open the file read-only and reopen it when its
identity (inode, size, mtime) changes, closing the old connection first — DuckDB would
otherwise keep serving the old, deleted file.
"""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "build" / "chiso.duckdb"
SQL_DIR = Path(__file__).resolve().parent / "sql"
# No progress bar on the terminal or in a server log: commands print their own progress.
# A per-connection setting, so every connection and cursor gets it.
QUIET = "SET enable_progress_bar = false"


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database path: the argument, else $CHISO_DB, else build/chiso.duckdb."""
    return Path(path or os.environ.get("CHISO_DB") or DEFAULT_DB)


def sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """The statements of a .sql file: comment lines dropped, split on ';' outside quotes."""
    body = "\n".join(l for l in sql(name).splitlines() if not l.strip().startswith("--"))
    out, current, quoted = [], [], False
    for ch in body:
        if ch == "'":
            quoted = not quoted  # '' inside a literal toggles twice: still right
        if ch == ";" and not quoted:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return [s.strip() for s in out if s.strip()]


def run_script(con: duckdb.DuckDBPyConnection, name: str, params: list | None = None) -> None:
    for statement in statements(name):
        con.execute(statement, params) if params else con.execute(statement)


def _identity(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@contextmanager
def writable_copy(path: Path, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the database (or an empty file when
    ``fresh``). When the block ends without an exception the copy atomically replaces the
    live file; on an exception the copy is deleted and the live file is untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if not fresh:
        if not path.exists():
            raise FileNotFoundError(path)
        shutil.copyfile(path, tmp)
    con = duckdb.connect(str(tmp))
    con.execute(QUIET)
    try:
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, path)
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise


class ReadOnlyDatabase:
    """A read-only connection that follows the file when a writer swaps it.

    Call ``cursor()`` for every query; it reconnects first if the file changed.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = db_path(path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._ident: tuple | None = None
        self._lock = threading.Lock()

    def _connect(self) -> None:
        if self._con is not None:
            self._con.close()
        if not self.path.exists():
            raise FileNotFoundError(self.path)
        self._ident = _identity(self.path)
        self._con = duckdb.connect(str(self.path), read_only=True)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None or _identity(self.path) != self._ident:
                self._connect()
            cur = self._con.cursor()
            cur.execute(QUIET)
            return cur

    @property
    def version(self) -> tuple | None:
        """Changes whenever the file is replaced: a cache key for query results."""
        return _identity(self.path)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
