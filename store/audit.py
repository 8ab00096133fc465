"""Who wrote what, when: the audit log every write adds a row to, and a file's SHA-256."""
from __future__ import annotations

import getpass
import hashlib
import os
from datetime import datetime
from pathlib import Path


ACTION_VI = {"build": "dựng lại từ data/", "import": "nạp tệp", "import-plan": "nạp kế hoạch", "undo": "hoàn tác",
             "restore": "khôi phục bản sao", "report": "báo cáo tiến độ", "import-report": "nạp báo cáo tiến độ",
             "adopt-plan": "ban hành kế hoạch"}  # import_log.action as people read it
REPORT_ACTIONS = ("report", "import-report")  # writes of progress reports: not public (metrics/sql/import_log.sql)
PLANS_MARK = " · kế hoạch: "  # an undo of a report write names the plans it touched after this mark


def undo_note(last: dict) -> str:
    """The note of an undo row: what it undid, by whom and when; for a report write also its plans
    (so that the log shows that undo to whoever may see those plans' reports)."""
    import pandas as pd

    when = pd.Timestamp(last["imported_at"]).strftime("%d/%m/%Y %H:%M")
    note = (f"hoàn tác lần {ACTION_VI.get(last['action'], last['action'])} #{last['import_id']} "
            f"({last['user_name']}, {when})")
    if last["action"] in REPORT_ACTIONS and last.get("note"):
        note += PLANS_MARK + last["note"]
    return note


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def os_user() -> str:
    """Who runs a command: the operating-system account (the audit's "who" at a terminal)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in a bare container
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "không rõ"


def log_write(con, action: str, file: str, digest: str | None, index_code: str | None, read: int, loaded: int,
         replaced: int, note: str = "", user: str | None = None, after: int = 0) -> int:
    """One audit row; its number follows the file's last one (and ``after``, for an undo whose
    restored file does not have the rows it undid)."""
    import_id = con.execute("SELECT greatest(COALESCE(max(import_id), 0), ?) + 1 FROM import_log", [after]).fetchone()[0]
    con.execute("INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, datetime.now(), user or os_user(), action, file, digest, index_code,
                 read, loaded, replaced, note])
    return import_id
