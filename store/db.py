"""The one door to the database file.

DuckDB allows one read-write process or many read-only ones, never both. So writers never
touch the live file: they build or copy into a sibling file and ``os.replace`` it over the
old one (atomic on one filesystem). Writers take a lock file first, so two imports at once
run one after the other instead of one silently undoing the other, and the file being
replaced is kept as a snapshot (``snapshots/`` beside it) that ``undo`` can bring back.
The copy is removed whatever stops a write (an error, a full disk, Ctrl-C); copies left by
a writer killed outright are removed by the next write; free space is checked before
copying; snapshots are kept within a count, a size budget and a multiple of the database's
size (config/limits.toml), and when the disk is short the oldest are dropped (and logged)
before a write is refused.

Readers open the file read-only in a private DuckDB instance (an in-memory database with
the file ATTACHed), because DuckDB shares one instance per path inside a process and would
keep serving the old, deleted file to every new connection. When the file's identity
(inode, size, mtime) changes the reader attaches the new file; the old instance is never
closed under a query that is still running: it goes away with its last cursor. A cursor
therefore reads one file from start to end, old or new, never a mix.
"""
from __future__ import annotations

import errno
import glob
import logging
import os
import re
import shutil
import threading
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import duckdb

from domain.problems import OutOfSpace

if TYPE_CHECKING:
    from loaders.guard import Limits

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
    found = sorted(folder.glob(f"{glob.escape(path.stem)}.*.duckdb"), reverse=True)
    return found if undone else [p for p in found if not p.name.endswith(f".{UNDONE}.duckdb")]


def _keep_snapshot(path: Path, action: str) -> Path | None:
    """Keep the file about to be replaced (a hard link: no copy); its path, or None if there
    is no file to keep."""
    if not path.exists():
        return None
    folder = snapshot_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}.{datetime.now():%Y%m%dT%H%M%S%f}.{action}.duckdb"
    try:
        os.link(path, target)
    except OSError:  # a filesystem without hard links: a copy, which needs room of its own
        try:
            ensure_space(folder, path.stat().st_size + SPACE_EXTRA)
            _copy_file(path, target)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return target


def prune_snapshots(path: Path, keep: int, budget: int | None = None) -> list[Path]:
    """Keep the newest snapshots while there are at most ``keep`` of them and they take at
    most ``budget`` bytes together, the newest one always; remove the older ones (never one
    in the middle: undo steps back one state at a time). Returns what was removed.

    Each snapshot is a whole database (a hard link keeps the replaced file alive, so it holds
    its full size), so the budget, not the count, bounds the disk they take: writes pass the
    tighter of snapshot_budget_mb and snapshot_budget_factor times the database's size
    (``Limits.snapshot_budget_for``), so with the factor 3 about three are kept, whatever the
    size. A snapshot that is the live file itself, or another name of a kept one, takes no
    room of its own and counts nothing."""
    kept, total, removed, seen = 0, 0, [], set()
    try:
        live = path.stat()
        seen.add((live.st_dev, live.st_ino))
    except FileNotFoundError:
        pass
    for p in snapshots(path, undone=True):  # newest first
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        size = 0 if (st.st_dev, st.st_ino) in seen else st.st_size  # two names of one file count once
        if not removed and (kept == 0 or (kept < keep and (budget is None or total + size <= budget))):
            kept, total = kept + 1, total + size
            seen.add((st.st_dev, st.st_ino))
            continue
        p.unlink(missing_ok=True)
        removed.append(p)
    return removed


# ---------------------------------------------------------------- room on the disk

MB = 1 << 20
# A write copies the database, then grows the copy (new rows, DuckDB's write-ahead log until
# the checkpoint): room for the copy and a third more, plus a fixed reserve, is asked before
# the copy starts. The replaced file stays on the disk as a snapshot (a hard link, no copy).
SPACE_FACTOR, SPACE_EXTRA = 1.3, 16 * MB


def space_needed(size: int) -> int:
    """The free space a write asks for before copying a database of ``size`` bytes."""
    return int(size * SPACE_FACTOR) + SPACE_EXTRA


def free_space(folder: Path) -> int:
    """The bytes free on ``folder``'s disk (for this user)."""
    return shutil.disk_usage(folder).free


def ensure_space(folder: Path, need: int) -> None:
    """Refuse (OutOfSpace, saying how much is free and needed) unless ``folder``'s disk has
    ``need`` bytes free."""
    free = free_space(folder)
    if free < need:
        raise OutOfSpace(folder, free, need)


log = logging.getLogger("chiso")


def _mb(n: int) -> str:
    return f"{n / MB:.1f}".replace(".", ",") + " MB"


def _droppable(path: Path, keep: Path | None) -> list[tuple[list[Path], int]]:
    """The snapshots of ``path`` a write short of room may delete, as (the names of one file,
    its size), in the order they go: oldest first, the newest state undo would bring back
    last. Never ``keep`` (the snapshot an undo restores), and never a file that deleting these
    names would not free: one that is also the live file or ``keep``, has a name outside the
    snapshots, or lies on another disk. The names of one file go together (one state)."""
    try:
        disk = os.stat(path.parent).st_dev
    except FileNotFoundError:
        return []
    held = set()  # files that stay whatever is deleted here
    for p in (path, keep):
        try:
            st = p.stat() if p is not None else None
        except FileNotFoundError:
            continue
        if st is not None:
            held.add((st.st_dev, st.st_ino))
    restorable = snapshots(path)
    newest = restorable[0] if restorable else None
    files: dict[tuple[int, int], tuple[list[Path], os.stat_result]] = {}
    for p in snapshots(path, undone=True):
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        key = (st.st_dev, st.st_ino)
        if st.st_dev != disk or key in held:
            continue
        files.setdefault(key, ([], st))[0].append(p)
    out = [(sorted(names), st.st_size) for names, st in files.values() if len(names) >= st.st_nlink]
    return sorted(out, key=lambda f: (newest in f[0], f[0][-1].name))


def make_room(path: Path, need: int, *, keep: Path | None = None) -> None:
    """Make sure the disk of the database at ``path`` has ``need`` bytes free for a write,
    deleting the oldest snapshots first if it has not (never ``keep``, the snapshot an undo
    restores; the newest state undo would bring back only last: after the write the state it
    replaces is the newest snapshot, so one undo still works, but if the write fails, the
    write before it can no longer be undone). Each deletion is logged and the free space
    measured again (a file still open in a reader frees its room only when it is closed).
    Refuses (OutOfSpace) if that is still not enough; if even deleting every one of them
    would not make room, deletes none."""
    folder = path.parent
    free = free_space(folder)
    if free >= need:
        return
    droppable = _droppable(path, keep)
    freeable = sum(size for _, size in droppable)
    if not droppable or free + freeable < need:
        if droppable:
            log.warning("thiếu chỗ trên đĩa %s: còn %s, cần khoảng %s; xóa cả %d bản lưu cũ cũng chỉ được thêm %s, "
                        "nên không xóa bản nào", folder, _mb(free), _mb(need), sum(len(n) for n, _ in droppable),
                        _mb(freeable))
        raise OutOfSpace(folder, free, need)
    newest = next(iter(snapshots(path)), None)
    for names, size in droppable:
        for p in names:
            try:
                p.unlink()
            except OSError:  # gone already, or not ours to delete: the next one
                continue
            left = len(snapshots(path, undone=True))
            if p == newest:
                log.warning("thiếu chỗ trên đĩa: đã xóa cả bản lưu mới nhất %s (%s), còn %d bản; nếu lần ghi này "
                            "không thành thì lần ghi trước đó không hoàn tác được nữa", p.name, _mb(size), left)
            else:
                log.warning("thiếu chỗ trên đĩa: đã xóa bản lưu cũ nhất %s (%s), còn %d bản", p.name, _mb(size), left)
            free = free_space(folder)
            if free >= need:
                return
    raise OutOfSpace(folder, free, need)


def no_space(exc: BaseException) -> bool:
    """Whether an error means the disk (or the user's quota) is full, from Python or DuckDB."""
    if isinstance(exc, OutOfSpace):
        return True
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
    return isinstance(exc, duckdb.Error) and "No space left on device" in str(exc)


def _copy_file(src: Path, dst: Path) -> None:
    """Copy a database file (one place, so that a test can make the copy fail midway)."""
    shutil.copyfile(src, dst)


# ---------------------------------------------------------------- temporary copies

# .chiso.duckdb.<pid>.<thread>.tmp (and DuckDB's .wal beside it while it is open)
_TEMP = re.compile(r"^\.(?P<db>.+)\.(?P<pid>\d+)\.(?P<thread>\d+)\.tmp(?:\.wal)?$")


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def temp_copies(path: Path) -> list[Path]:
    """The temporary copies of the database at ``path`` (and their .wal files) on the disk."""
    if not path.parent.exists():
        return []
    found = path.parent.glob(f".{glob.escape(path.name)}.*.tmp*")
    return sorted(p for p in found if (m := _TEMP.match(p.name)) and m["db"] == path.name)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # on Windows os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, for one
        return True
    return True


def remove_stale_copies(path: Path, *, locked: bool) -> list[Path]:
    """Remove the temporary copies that writers stopped midway left beside ``path`` (killed
    with SIGKILL, or the machine lost power: no ``finally`` ran). A copy is as large as the
    database, and thirty such kills would fill the disk. Holding the write lock (``locked``)
    no other writer can be at work, so every copy is stale; without it (a backup), only
    those whose process has ended. Returns what was removed."""
    removed = []
    for p in temp_copies(path):
        if locked or not _alive(int(_TEMP.match(p.name)["pid"])):
            try:
                p.unlink()
            except FileNotFoundError:
                continue
            removed.append(p)
    return removed


def _remove_temp(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:  # nothing more can be done here; the next write removes it
            pass


@contextmanager
def writable_copy(path: Path, *, fresh: bool = False, action: str = "write", source: Path | None = None,
                  keep_snapshots: int | None = None, check: Callable[[Path], None] | None = None,
                  consume_source: bool = False, limits: Limits | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the database (of ``source`` instead when
    given, or an empty file when ``fresh``). When the block ends without an exception the
    copy atomically replaces the live file, and the replaced file is kept as a snapshot
    named after ``action``; then ``source`` is removed if ``consume_source`` (the snapshot an
    undo put back), and old snapshots are pruned (config/limits.toml: snapshots_kept,
    snapshot_budget_mb, snapshot_budget_factor; ``limits``: as the caller loaded them, else
    loaded here). ``check`` is called with the copy's path before it is opened (to refuse a
    backup by its schema before any of it runs).

    On any exception (Ctrl-C and a full disk included) the copy is deleted and the live file
    is untouched; a full disk becomes OutOfSpace, with a message saying what to do. Before
    copying, stale copies of killed writers are removed and the free space is checked; if it
    is short, the oldest snapshots are deleted first (``make_room``; never ``source``)."""
    from loaders.guard import load_limits

    limits = limits or load_limits()
    if keep_snapshots is None:
        keep_snapshots = limits.snapshots_kept
    with write_lock(path):
        remove_stale_copies(path, locked=True)
        origin = None if fresh else (source or path)
        if origin is not None and not origin.exists():
            raise FileNotFoundError(origin)
        sized = origin or path  # a rebuild makes about what is there now
        make_room(path, space_needed(sized.stat().st_size if sized.exists() else 0), keep=source)
        tmp = _temp_path(path)
        _remove_temp(tmp)
        con = kept = None
        try:
            if origin is not None:
                _copy_file(origin, tmp)
            if check is not None:
                check(tmp)
            con = duckdb.connect(str(tmp))
            con.execute(QUIET)
            yield con
            con.execute("CHECKPOINT")
            con.close()
            if keep_snapshots > 0:
                kept = _keep_snapshot(path, action)
            os.replace(tmp, path)
        except BaseException as exc:
            if con is not None:
                try:
                    con.close()
                except Exception:  # noqa: BLE001 - closing a connection on a full disk can fail too
                    pass
            _remove_temp(tmp)
            if kept is not None:
                kept.unlink(missing_ok=True)  # the swap did not happen: that state is still the live one
            if no_space(exc) and not isinstance(exc, OutOfSpace):
                raise OutOfSpace(path.parent) from exc
            raise
        if consume_source and source is not None:
            source.unlink(missing_ok=True)
        if keep_snapshots > 0:
            try:
                prune_snapshots(path, keep_snapshots, limits.snapshot_budget_for(path.stat().st_size))
            except OSError:  # the write is done; the next one prunes
                pass


# ---------------------------------------------------------------- checking a file from elsewhere

# How a database file from outside (a backup to restore) is opened to be looked at: read-only,
# no access to other files or the network (a view in it could read any file of the server),
# no extension loaded or installed on its behalf.
UNTRUSTED = {"enable_external_access": False, "autoload_known_extensions": False,
             "autoinstall_known_extensions": False, "lock_configuration": True}


def open_untrusted(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True, config=UNTRUSTED)


_CATALOG = {  # kind -> (Vietnamese name, query over the catalog of the database ``?``)
    "schema": ("lược đồ", "SELECT schema_name, '' FROM duckdb_schemas() WHERE database_name = ?"),
    "table": ("bảng", "SELECT schema_name || '.' || table_name, sql FROM duckdb_tables() WHERE database_name = ?"),
    "view": ("view", "SELECT schema_name || '.' || view_name, sql FROM duckdb_views() "
                     "WHERE database_name = ? AND NOT internal"),
    "function": ("hàm/macro", "SELECT schema_name || '.' || function_name, function_type || ' ' || "
                              "COALESCE(macro_definition, '') FROM duckdb_functions() WHERE database_name = ? AND NOT internal"),
    "sequence": ("sequence", "SELECT schema_name || '.' || sequence_name, sql FROM duckdb_sequences() WHERE database_name = ?"),
    "index": ("chỉ mục", "SELECT schema_name || '.' || index_name, sql FROM duckdb_indexes() WHERE database_name = ?"),
    "type": ("kiểu dữ liệu", "SELECT schema_name || '.' || type_name, logical_type FROM duckdb_types() "
                             "WHERE database_name = ? AND NOT internal"),
}


def catalog(con: duckdb.DuckDBPyConnection, database: str | None = None) -> dict[str, dict[str, str]]:
    """Everything a database defines: kind -> {name: its SQL}. Tables and views compare by
    the SQL DuckDB keeps for them (columns, types, defaults, constraints; a view's query)."""
    database = database or con.execute("SELECT current_database()").fetchone()[0]
    return {kind: dict(con.execute(query, [database]).fetchall()) for kind, (_, query) in _CATALOG.items()}


@cache
def product_catalog() -> dict[str, dict[str, str]]:
    """The catalog a build creates (store/sql/schema.sql and views.sql, nothing else)."""
    con = duckdb.connect(":memory:")
    try:
        run_script(con, "schema.sql")
        run_script(con, "views.sql")
        return catalog(con)
    finally:
        con.close()


def schema_differences(con: duckdb.DuckDBPyConnection) -> list[str]:
    """How the catalog of ``con``'s database differs from the one this program creates, in
    Vietnamese; empty when it is exactly the same."""
    have, want = catalog(con), product_catalog()
    out = []
    for kind, (label, _) in _CATALOG.items():
        for name in sorted(set(have[kind]) | set(want[kind])):
            if name not in want[kind]:
                out.append(f"{label} lạ «{name.removeprefix('main.')}»")
            elif name not in have[kind]:
                out.append(f"thiếu {label} «{name.removeprefix('main.')}»")
            elif have[kind][name] != want[kind][name]:
                out.append(f"{label} «{name.removeprefix('main.')}» khác với của ứng dụng" + (" (câu truy vấn bị thay)" if kind == "view" else ""))
    return out


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
