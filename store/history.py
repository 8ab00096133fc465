"""Undo, backup and restore: every write keeps the replaced file as a snapshot
(store/db.py); undo puts the last one back, restore swaps in a checked backup."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from domain.problems import Problem, ValidationFailed
from store import db
from store.audit import ACTION_VI, log_write, sha256


class NothingToUndo(ValidationFailed):
    def report(self) -> str:
        return "Không hoàn tác được: " + self.problems[0].message + ". Cơ sở dữ liệu không thay đổi."


@dataclass
class UndoResult:
    undone: dict  # the import_log row of what was undone
    kept: Path  # where the state that was undone now lies, for a person to recover by hand


def undo(db_file: Path | None = None, *, user: str | None = None) -> UndoResult:
    """Put back the database as it was before the last write (import, plan import, rebuild,
    restore), and log the undo. Each undo goes one write further back."""
    target = db.db_path(db_file)
    with db.write_lock(target):
        if not target.exists():
            raise FileNotFoundError(target)
        earlier = db.snapshots(target)
        if not earlier:
            raise NothingToUndo([Problem(target.name, "chưa có bản lưu trạng thái trước lần ghi nào "
                                                      f"(thư mục {db.snapshot_dir(target)} trống)")])
        con = db.open_read_only(target)
        try:
            last = con.execute(db.sql("last_write.sql")).df().iloc[0].to_dict()
            newest = con.execute("SELECT max(import_id) FROM import_log").fetchone()[0]
        finally:
            con.close()
        with db.writable_copy(target, action=db.UNDONE, source=earlier[0]) as con:
            when = pd.Timestamp(last["imported_at"]).strftime("%d/%m/%Y %H:%M")
            log_write(con, "undo", last["file"], last["sha256"], None, 0, 0, 0,
                 f"hoàn tác lần {ACTION_VI.get(last['action'], last['action'])} #{last['import_id']} "
                 f"({last['user_name']}, {when})", user,
                 after=int(newest))
        earlier[0].unlink(missing_ok=True)
        kept = db.snapshots(target, undone=True)[0]
    return UndoResult(undone=last, kept=kept)


def restore(backup: Path, db_file: Path | None = None, *, user: str | None = None) -> int:
    """Replace the database with a backup copy (checked first); the current state is kept
    as a snapshot, so ``undo`` reverses a restore too. Returns the backup's score rows."""
    target = db.db_path(db_file)
    if not backup.exists():
        raise FileNotFoundError(backup)
    try:
        con = db.open_read_only(backup)
        rows = con.execute("SELECT count(*) FROM score").fetchone()[0]
        con.execute("SELECT count(*) FROM import_log").fetchone()
        con.close()
    except duckdb.Error:
        raise ValidationFailed([Problem(backup.name, "không phải bản sao cơ sở dữ liệu của ứng dụng này "
                                                     "(không mở được hoặc thiếu bảng score, import_log)")]) from None
    with db.writable_copy(target, action="restore", source=backup) as con:
        log_write(con, "restore", backup.name, sha256(backup), None, rows, rows, 0, "khôi phục từ bản sao", user)
    return rows


def backup(out: Path, db_file: Path | None = None) -> Path:
    """A consistent copy of the live database (writers replace the file, never change it in
    place, so copying is safe while the app runs)."""
    target = db.db_path(db_file)
    if not target.exists():
        raise FileNotFoundError(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "rb") as src, open(out, "wb") as dst:  # one open file: the same version to the end
        shutil.copyfileobj(src, dst, 1 << 20)
    return out
