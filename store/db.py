"""The one door to the database file.

DuckDB allows one read-write process or many read-only ones, never both. So writers never
touch the live file: they build or copy into a sibling file and ``os.replace`` it over the
old one (atomic on one filesystem). Writers take a lock file first, so two imports at once
run one after the other instead of one silently undoing the other, and the file being
replaced is kept as a snapshot (``snapshots/`` beside it) that ``undo`` can bring back.

Readers open the file read-only in a private DuckDB instance (an in-memory database with
the file ATTACHed), because DuckDB shares one instance per path inside a process and would
keep serving the old, deleted file to every new connection. When the file's identity
(inode, size, mtime) changes the reader attaches the new file; the old instance is never
closed under a query that is still running: it goes away with its last cursor. A cursor
therefore reads one file from start to end, old or new, never a mix.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Iterator

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "build" / "chiso.duckdb"
SQL_DIR = Path(__file__).resolve().parent / "sql"
# No progress bar on the terminal or in a server log: commands print their own progress.
# A per-connection setting, so every connection and cursor gets it.
QUIET = "SET enable_progress_bar = false"
CATALOG = "chiso"  # the name readers attach the file under


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database path: the argument, else $CHISO_DB, else build/chiso.duckdb."""
    return Path(path or os.environ.get("CHISO_DB") or DEFAULT_DB)


@cache
def sql(name: str) -> str:
    """The text of store/sql/<name>, read once per process."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _code(text: str) -> tuple[str, str]:
    """``text`` without its comments (``--`` to the end of the line, outside quotes), and the
    same with the contents of string literals blanked (for finding parameters)."""
    code, bare, quoted, i = [], [], False, 0
    while i < len(text):
        ch = text[i]
        if not quoted and text.startswith("--", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        if ch == "'":
            quoted = not quoted  # '' inside a literal toggles twice: still right
        code.append(ch)
        bare.append(" " if quoted and ch != "'" else ch)
        i += 1
    return "".join(code), "".join(bare)


@cache
def statements(name: str) -> tuple[str, ...]:
    """The statements of a .sql file: comments dropped, split on ';' outside quotes."""
    code, bare = _code(sql(name))
    out, start = [], 0
    for i, ch in enumerate(bare):
        if ch == ";":  # a ';' inside a literal is blanked in ``bare``
            out.append(code[start:i])
            start = i + 1
    out.append(code[start:])
    return tuple(s.strip() for s in out if s.strip())


_PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")


@cache
def parameters(statement: str) -> frozenset[str]:
    """The named parameters (``$name``) a statement uses, outside string literals."""
    return frozenset(_PARAMETER.findall(_code(statement)[1]))


def run_script(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> None:
    """Run every statement of store/sql/<name>, each given the named parameters it uses.
    A parameter no statement uses is a mistake in the caller, and so is one missing (DuckDB
    refuses a statement whose ``$name`` has no value)."""
    params = params or {}
    used: set[str] = set()
    for statement in statements(name):
        names = parameters(statement)
        used |= names
        given = {k: v for k, v in params.items() if k in names}
        con.execute(statement, given) if given else con.execute(statement)
    if set(params) - used:
        raise TypeError(f"{name} has no parameter {', '.join(sorted(set(params) - used))}")


def _identity(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


# ---------------------------------------------------------------- writing

_held = threading.local()  # lock files this thread holds, with a nesting count


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Exclusive right to change the database at ``path``, across threads and processes
    (an advisory lock on ``<file>.lock``). Re-entrant within one thread, so an import can
    hold it from its first read of the old data to the swap."""
    key = str(path.resolve())
    counts = _held.__dict__.setdefault("counts", {})
    if counts.get(key):
        counts[key] += 1
        try:
            yield
        finally:
            counts[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _lock_fd(fd)
        counts[key] = 1
        try:
            yield
        finally:
            counts.pop(key, None)
    finally:
        os.close(fd)  # closing releases the lock


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_EX)


def snapshot_dir(path: Path) -> Path:
    return path.parent / "snapshots"


UNDONE = "undone"  # the action name of a state that an undo replaced: kept, never restored by undo


def snapshots(path: Path, *, undone: bool = False) -> list[Path]:
    """Earlier states of the database at ``path``, newest first; with ``undone`` also the
    states that undo replaced (kept for a person to recover by hand)."""
    folder = snapshot_dir(path)
    if not folder.exists():
        return []
    found = sorted(folder.glob(f"{path.stem}.*.duckdb"), reverse=True)
    return found if undone else [p for p in found if not p.name.endswith(f".{UNDONE}.duckdb")]


def _keep_snapshot(path: Path, action: str, keep: int) -> None:
    """Keep the file about to be replaced (a hard link: no copy) and drop the oldest."""
    if keep <= 0 or not path.exists():
        return
    folder = snapshot_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}.{datetime.now():%Y%m%dT%H%M%S%f}.{action}.duckdb"
    try:
        os.link(path, target)
    except OSError:  # a filesystem without hard links
        shutil.copyfile(path, target)
    for old in snapshots(path, undone=True)[keep:]:
        old.unlink(missing_ok=True)


@contextmanager
def writable_copy(path: Path, *, fresh: bool = False, action: str = "write", source: Path | None = None,
                  keep_snapshots: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the database (of ``source`` instead when
    given, or an empty file when ``fresh``). When the block ends without an exception the
    copy atomically replaces the live file, and the replaced file is kept as a snapshot
    named after ``action``; on an exception the copy is deleted and the live file is
    untouched."""
    if keep_snapshots is None:
        from loaders.guard import current

        keep_snapshots = current().snapshots_kept
    with write_lock(path):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        if not fresh:
            origin = source or path
            if not origin.exists():
                raise FileNotFoundError(origin)
            shutil.copyfile(origin, tmp)
        con = duckdb.connect(str(tmp))
        con.execute(QUIET)
        try:
            yield con
            con.execute("CHECKPOINT")
            con.close()
            _keep_snapshot(path, action, keep_snapshots)
            os.replace(tmp, path)
        except BaseException:
            con.close()
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
            raise


# ---------------------------------------------------------------- reading

def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to ``path`` in an instance of its own (see the module docstring)."""
    if not path.exists():
        raise FileNotFoundError(path)
    con = duckdb.connect(":memory:")
    con.execute(QUIET)
    quoted = str(path).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {CATALOG} (READ_ONLY)")
    con.execute(f"USE {CATALOG}")
    return con


class ReadOnlyDatabase:
    """A read-only connection that follows the file when a writer swaps it.

    Call ``cursor()`` for every query (or for every group of queries that must see the
    same data); it attaches the new file first if the file changed.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = db_path(path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._ident: tuple | None = None
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.cursor_and_version()[0]

    def cursor_and_version(self) -> tuple[duckdb.DuckDBPyConnection, tuple | None]:
        """A cursor on the newest file, and that file's version (the two always match)."""
        with self._lock:
            ident = _identity(self.path)
            if self._con is None or ident != self._ident:
                # Not closed: cursors of the old instance may be in the middle of a query.
                self._con = open_read_only(self.path)
                self._ident = ident
            cur, version = self._con.cursor(), self._ident
        cur.execute(QUIET)
        cur.execute(f"USE {CATALOG}")
        return cur, version

    @property
    def version(self) -> tuple | None:
        """Changes whenever the file is replaced: a cache key for query results."""
        return _identity(self.path)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
