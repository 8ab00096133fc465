"""Undo, backup and restore: every write keeps the replaced file as a snapshot
(store/db.py); undo puts the last one back, restore swaps in a checked backup.

Report saves that arrive together are written in one copy of the database (store/progress.py,
``Saves``), so one snapshot is the state before several saves. Undo still reverts one save: when
more than one write since the newest snapshot is in effect and they are all report saves of one
copy (their log rows share one time), the last of them is undone by its rows — the reports it
wrote are put back as the snapshot has them (no other save of that copy wrote the same report)
and its log row is replaced by the undo's. The last save of the copy left is undone by putting
the snapshot back, as any write. The rows an undo by rows removed are kept in
``snapshots/<name>.<time>.undone-report-<number>.csv`` for a person to recover by hand.

Both work from the snapshot or the backup alone: a live file that cannot be read (a disk
error, a copy cut short) is not needed, it is set aside as ``chiso.duckdb.corrupt-<time>``
for a person to look at, and put back only if the undo or restore itself fails. A backup is
restored only if its schema is exactly the one this program creates: a DuckDB file from
elsewhere can hold views that read any file of the server, and the app would run them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from domain.problems import OutOfSpace, Problem, ValidationFailed
from loaders import guard
from store import db
from store.audit import REPORT_ACTIONS, log_write, sha256, undo_note


class NothingToUndo(ValidationFailed):
    def report(self) -> str:
        return "Không hoàn tác được: " + self.problems[0].message + ". Cơ sở dữ liệu không thay đổi."


@dataclass
class UndoResult:
    undone: dict  # the import_log row of what was undone (its values None if the live file was unreadable)
    kept: Path | None  # where the state that was undone now lies, for a person to recover by hand
    # (None when there was no live file to undo)
    corrupt: Path | None = None  # where an unreadable live file was set aside, if it was


def _live_state(target: Path) -> tuple[dict | None, int] | None:
    """The last write still in effect (None if the log has none) and the highest log number
    of the live file; None if the file cannot be read as this program's database."""
    try:
        con = db.open_read_only(target)
    except (duckdb.Error, OSError):
        return None
    try:
        last = con.execute(db.sql("last_write.sql")).df()
        newest = con.execute("SELECT max(import_id) FROM import_log").fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()
    return (last.iloc[0].to_dict() if len(last) else None), int(newest or 0)


def _newest_logged(files: list[Path]) -> int:
    """The highest log number in any of ``files`` (snapshots: our own files), so that an undo
    after an unreadable live file does not reuse numbers; unreadable ones are skipped."""
    newest = 0
    for f in files:
        try:
            con = db.open_read_only(f)
        except (duckdb.Error, OSError):
            continue
        try:
            newest = max(newest, int(con.execute("SELECT max(import_id) FROM import_log").fetchone()[0] or 0))
        except duckdb.Error:
            pass
        finally:
            con.close()
    return newest


def _set_aside(target: Path) -> Path:
    """Move an unreadable live file out of the way (same folder, same disk: a rename)."""
    stamp = f"{datetime.now():%Y%m%dT%H%M%S}"
    aside, n = target.with_name(f"{target.name}.corrupt-{stamp}"), 1
    while aside.exists():
        aside, n = target.with_name(f"{target.name}.corrupt-{stamp}-{n}"), n + 1
    os.replace(target, aside)
    return aside


def _put_back(aside: Path | None, target: Path) -> None:
    """The write failed: the live file is again the one it was (unreadable, but the person's)."""
    if aside is not None and not target.exists():
        os.replace(aside, target)


class NotYours(NothingToUndo):
    """An undo refused because the last write is not the asking account's own."""


def _refuse_unless_own(last: dict | None, owner: str, actions: tuple[str, ...] | None) -> None:
    """Raise NotYours unless the last write still in effect was made by ``owner`` (and is one of
    ``actions``). Called under the write lock, so no other write can slip in between the check
    and the undo."""
    if last is None:
        raise NotYours([Problem("", "không có lần ghi nào của tài khoản này còn hiệu lực để hoàn tác")])
    if last["user_name"] != owner or (actions is not None and last["action"] not in actions):
        when = pd.Timestamp(last["imported_at"]).strftime("%d/%m/%Y %H:%M")
        raise NotYours([Problem("", f"lần ghi gần nhất (lúc {when}) không phải lần lưu của tài khoản này: "
                                    "một cơ quan khác đã ghi sau bạn, nên hoàn tác bây giờ sẽ xóa việc của họ. "
                                    "Hãy sửa lại dòng báo cáo của mình và lưu lần nữa")])


def undo(db_file: Path | None = None, *, user: str | None = None, owner: str | None = None,
         actions: tuple[str, ...] | None = None) -> UndoResult:
    """Put back the database as it was before the last write (import, plan import, rebuild,
    restore), and log the undo. Each undo goes one write further back. Needs only the
    snapshot: a live file that cannot be read is set aside (UndoResult.corrupt).

    ``owner``: undo only if the last write still in effect is this account's (and one of
    ``actions``); checked under the write lock, so a write by another unit that lands between
    the page's look and the click is never undone: NotYours, and nothing changes."""
    target = db.db_path(db_file)
    with db.write_lock(target):
        earlier = db.snapshots(target)
        if not earlier:
            if not target.exists():
                raise FileNotFoundError(target)
            raise NothingToUndo([Problem(target.name, "chưa có bản lưu trạng thái trước lần ghi nào "
                                                      f"(thư mục {db.snapshot_dir(target)} trống)")])
        state = _live_state(target) if target.exists() else None
        if owner is not None:  # an unreadable live file is the administrator's to recover, not a unit's
            _refuse_unless_own(state[0] if state else None, owner, actions)
        corrupt = None
        if state is None:
            last, newest = None, _newest_logged(db.snapshots(target, undone=True)) + 1
            if target.exists():
                corrupt = _set_aside(target)
        else:
            last, newest = state
        snapshot = earlier[0]
        if last is not None and _written_with_others(target, snapshot, last, owner):
            return UndoResult(undone=last, kept=_undo_rows(target, snapshot, last, newest, user))

        def readable(copy: Path) -> None:
            try:
                con = db.open_untrusted(copy)
                try:
                    con.execute("SELECT count(*) FROM import_log").fetchone()
                finally:
                    con.close()
            except duckdb.Error:
                raise NothingToUndo([Problem(snapshot.name, f"bản lưu {snapshot} bị hỏng, không đọc được; xóa nó rồi "
                                                            "chạy lại để về trạng thái trước nữa, hoặc khôi phục từ một "
                                                            "bản sao lưu («python -m loaders restore»)")]) from None

        try:
            with db.writable_copy(target, action=db.UNDONE, source=snapshot, check=readable,
                                  consume_source=True) as con:
                if last is not None:
                    log_write(con, "undo", last["file"], last["sha256"], None, 0, 0, 0, undo_note(last), user,
                              after=newest)
                else:
                    why = (f"tệp cơ sở dữ liệu không đọc được, đã để riêng thành {corrupt.name}" if corrupt else
                           "không có tệp cơ sở dữ liệu" if state is None else "nhật ký không có lần ghi nào")
                    log_write(con, "undo", corrupt.name if corrupt else None, None, None, 0, 0, 0,
                              f"{why}; trở về trạng thái đã lưu {snapshot.name}", user, after=newest)
        except BaseException:
            _put_back(corrupt, target)
            raise
        if corrupt is not None or state is None:
            kept = corrupt  # set aside; or there was no live file, nothing to keep
        else:
            kept = next(iter(db.snapshots(target, undone=True)), None)
    undone = last or {"import_id": None, "imported_at": None, "user_name": None, "action": None,
                      "file": corrupt.name if corrupt else None, "sha256": None}
    return UndoResult(undone=undone, kept=kept, corrupt=corrupt)


def _written_with_others(target: Path, snapshot: Path, last: dict, owner: str | None) -> bool:
    """Whether ``last`` is one of several report saves written in one copy since ``snapshot``
    (their log rows share one time), so that it is undone by its rows. Several writes since the
    snapshot that are not that (the snapshot of a later write is gone): putting the snapshot back
    would undo them all, which an account undoing its own save may not do (NotYours); an
    administrator goes back to the snapshot, as before."""
    con = db.open_read_only(snapshot)
    try:
        before = con.execute("SELECT COALESCE(max(import_id), 0) FROM import_log").fetchone()[0]
    finally:
        con.close()
    con = db.open_read_only(target)
    try:
        since = con.execute("SELECT import_id, imported_at, action FROM import_log WHERE import_id > ? "
                            "AND action <> 'undo' ORDER BY import_id", [before]).fetchall()
    finally:
        con.close()
    if len(since) <= 1:
        return False
    at = pd.Timestamp(last["imported_at"])
    if since[-1][0] == last["import_id"] and all(a in REPORT_ACTIONS and pd.Timestamp(t) == at for _, t, a in since):
        return True
    if owner is not None:
        raise NotYours([Problem("", "không hoàn tác riêng được lần lưu này: bản lưu trạng thái trước nó không còn, "
                                    "đưa bản cũ hơn về sẽ xóa cả việc của người khác. Hãy sửa lại dòng báo cáo của "
                                    "mình và lưu lần nữa")])
    return False


def _undo_rows(target: Path, snapshot: Path, last: dict, newest: int, user: str | None) -> Path | None:
    """Undo the report save ``last`` by its rows (see the module docstring): the reports it wrote
    become what ``snapshot`` has on their keys (or nothing), its log row gives way to the undo's.
    The replaced file is not kept as a snapshot (the snapshot undo needs next is ``snapshot``,
    and a kept file could push it out of the budget): the removed rows go to a CSV instead, whose
    path is returned."""
    from store.progress import COLUMNS, KEY

    cols = ", ".join(COLUMNS)
    quoted = str(snapshot).replace("'", "''")
    with db.writable_copy(target, action=db.UNDONE, keep_snapshots=0) as con:
        gone = con.execute(f"SELECT {cols} FROM progress_reports WHERE import_id = ?", [last["import_id"]]).df()
        con.execute(f"ATTACH '{quoted}' AS before_save (READ_ONLY)")
        con.register("t_gone", gone[KEY])
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM progress_reports WHERE import_id = ?", [last["import_id"]])
        con.execute(f"INSERT INTO progress_reports ({cols}) SELECT {', '.join('b.' + c for c in COLUMNS)} "
                    "FROM before_save.progress_reports b JOIN t_gone g ON "
                    + " AND ".join(f"b.{c} = g.{c}" for c in KEY))
        con.execute("DELETE FROM import_log WHERE import_id = ?", [last["import_id"]])
        log_write(con, "undo", last["file"], last["sha256"], None, 0, 0, 0, undo_note(last), user, after=newest)
        con.execute("COMMIT")
        con.unregister("t_gone")
        con.execute("DETACH before_save")
    folder = db.snapshot_dir(target)
    kept = folder / f"{target.stem}.{datetime.now():%Y%m%dT%H%M%S%f}.undone-report-{last['import_id']}.csv"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        gone.to_csv(kept, index=False, encoding="utf-8-sig")  # for Excel users: UTF-8 with BOM
    except OSError:  # the undo is done; only the copy for a person is missing
        return None
    return kept


def check_backup(path: Path, name: str) -> int:
    """Refuse (ValidationFailed) a file that is not exactly a database of this program: it
    must open as DuckDB, and its tables, views (their queries), macros, sequences, indexes
    and types must be those a build creates, nothing more, nothing less. Opened read-only
    with no access to other files, so nothing in it runs. Returns its score rows."""
    try:
        con = db.open_untrusted(path)
    except duckdb.Error:
        raise ValidationFailed([Problem(name, "không phải bản sao cơ sở dữ liệu của ứng dụng này (DuckDB không mở "
                                              "được: tệp hỏng hoặc không phải cơ sở dữ liệu)")]) from None
    try:
        differences = db.schema_differences(con)
        if differences:
            listed = "; ".join(differences[:8]) + ("; …" if len(differences) > 8 else "")
            raise ValidationFailed([Problem(name, "không phải bản sao cơ sở dữ liệu của ứng dụng này, hoặc đã bị sửa: "
                                                  f"{listed}. Không khôi phục: một view lạ có thể đọc tệp bất kỳ "
                                                  "trên máy chủ. Dùng một bản do «python -m loaders backup» tạo "
                                                  "bởi phiên bản này")])
        return con.execute("SELECT count(*) FROM score").fetchone()[0]
    except duckdb.Error:
        raise ValidationFailed([Problem(name, "không phải bản sao cơ sở dữ liệu của ứng dụng này "
                                              "(không đọc được bảng score, import_log)")]) from None
    finally:
        con.close()


def restore(backup: Path, db_file: Path | None = None, *, user: str | None = None) -> int:
    """Replace the database with a backup copy, checked first (``check_backup``, on the very
    copy that goes live); the current state is kept as a snapshot, so ``undo`` reverses a
    restore too (an unreadable live file is set aside instead). Returns the backup's score
    rows."""
    target = db.db_path(db_file)
    guard.require_file(backup, backup.name)
    found: dict = {}

    def check(copy: Path) -> None:
        found["rows"], found["sha256"] = check_backup(copy, backup.name), sha256(copy)

    with db.write_lock(target):
        corrupt = _set_aside(target) if target.exists() and _live_state(target) is None else None
        try:
            with db.writable_copy(target, action="restore", source=backup, check=check) as con:
                note = "khôi phục từ bản sao" + (f"; tệp cũ không đọc được, đã để riêng thành {corrupt.name}"
                                                 if corrupt else "")
                log_write(con, "restore", backup.name, found["sha256"], None, found["rows"], found["rows"], 0, note, user)
        except BaseException:
            _put_back(corrupt, target)
            raise
    return found["rows"]


def backup(out: Path, db_file: Path | None = None) -> Path:
    """A consistent copy of the live database (writers replace the file, never change it in
    place, so copying is safe while the app runs). Written under a temporary name beside
    ``out`` and renamed at the end: a full disk or Ctrl-C leaves no partial backup."""
    target = db.db_path(db_file)
    if not target.exists():
        raise FileNotFoundError(target)
    if out.is_dir():
        raise ValidationFailed([Problem(str(out), "đây là một thư mục: ghi tên tệp sao lưu, ví dụ "
                                                  f"{out / 'chiso-sao-luu.duckdb'}")])
    out.parent.mkdir(parents=True, exist_ok=True)
    db.remove_stale_copies(target, locked=False)  # copies of killed writers hold room the backup may need
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with open(target, "rb") as src:  # one open file: the same version to the end
        db.ensure_space(out.parent, os.fstat(src.fileno()).st_size + db.SPACE_EXTRA)
        try:
            with open(tmp, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            os.replace(tmp, out)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if db.no_space(exc):
                raise OutOfSpace(out.parent) from exc
            raise
    return out
