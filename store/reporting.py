"""Writing progress reports: the plan's reporting loop on the same write path as every import.

A save checks every row against the plan's duties (store/sql/plan_duties.sql) and the
reporting vocabulary (domain/reporting.py), collecting every problem with its row; only when
all rows are valid does it write them, in one transaction into a copy of the database that
replaces the live file (store/db.py: the lock, the snapshot undo restores, the import_log row).
Nothing is written when any row is wrong.

Evidence files are kept beside the database, in ``evidence/<first 16 hex of SHA-256>/<name>``:
a file is stored once whatever its name, never overwritten, and its SHA-256 is in the report
row, so an undo that drops the row leaves at most an unreferenced file behind.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from domain import reporting as vocab
from domain.problems import Problem, ValidationFailed
from domain.text import nfc
from store import db
from store.audit import log_write
from loaders.progress import COLUMNS as TEMPLATE_COLUMNS

COLUMNS_VI = {field: names[0] for field, names in TEMPLATE_COLUMNS.items()}  # «Tình trạng», «Kết quả đã thực hiện»…

KEY = ["plan_id", "item_kind", "index_code", "item_code", "unit_code", "year", "period"]
FIELDS = ["status", "done_text", "evidence", "evidence_file", "evidence_sha256", "obstacles"]
COLUMNS = KEY + FIELDS + ["reported_by", "reported_at", "is_illustrative", "import_id"]
TEXT_LIMIT = 4000  # characters in one free-text cell: a report, not a book
EVIDENCE_TYPES = (".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".jpg", ".jpeg", ".png")


def duties(con, plan_id: str | None = None) -> pd.DataFrame:
    """Every (plan item × reporting unit) of a plan: store/sql/plan_duties.sql."""
    return con.execute(db.sql("plan_duties.sql"), {"plan_id": plan_id}).df()


@dataclass
class SaveResult:
    status: str      # "saved" | "unchanged"
    rows: int
    replaced: int    # rows that replaced an earlier report on the same key


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = nfc(str(value)).strip()
    return text or None


def check_reports(con, rows: pd.DataFrame, *, file: str, sheet: str | None = None,
                  allowed_units: set[str] | None = None, years: tuple[int, int] | None = None) -> list[Problem]:
    """Every problem with these report rows, each with its row (column ``source_row``, else the
    position + 2 as a spreadsheet under one header line would show it) and column; [] = valid.

    ``allowed_units``: the units the account may report for (None = every unit). ``years``: the
    plan's years a report may be about (default: the plan's own period from the plans table)."""
    problems: list[Problem] = []
    known = duties(con)
    keyset = set(zip(known.plan_id, known.item_kind, known.index_code, known.item_code, known.unit_code))
    plans = {p: (f, t) for p, f, t in con.execute("SELECT plan_id, year_from, year_to FROM plans").fetchall()}
    unit_names = dict(con.execute("SELECT unit_code, name FROM units").fetchall())
    seen: dict[tuple, int] = {}
    for i, r in enumerate(rows.to_dict("records")):
        where = int(r["source_row"]) if pd.notna(r.get("source_row")) else i + 2

        def bad(column: str, message: str) -> None:  # the column as the template and the page name it
            problems.append(Problem(file, message, sheet, where, COLUMNS_VI.get(column, column)))

        if r.get("plan_id") not in plans:
            bad("plan_id", f"không có kế hoạch mã «{r.get('plan_id')}» trong cơ sở dữ liệu")
            continue
        if r.get("unit_code") not in unit_names:
            bad("unit_code", f"không có cơ quan mã «{r.get('unit_code')}» trong danh mục (data/registry/units.csv)")
            continue
        if (r["plan_id"], r.get("item_kind"), r.get("index_code"), r.get("item_code"), r["unit_code"]) not in keyset:
            what = "nhiệm vụ" if r.get("item_kind") == "task" else "tiêu chí"
            bad("item_code", f"{unit_names[r['unit_code']]} không được giao {what} {r.get('index_code')} "
                             f"{r.get('item_code')} trong kế hoạch {r['plan_id']} (chủ trì, phối hợp, trực tiếp hay qua nhóm)")
            continue
        if allowed_units is not None and r["unit_code"] not in allowed_units:
            bad("unit_code", f"tài khoản này chỉ được báo cáo cho {', '.join(sorted(unit_names.get(u, u) for u in allowed_units))}, "
                             f"không cho {unit_names[r['unit_code']]}")
        lo, hi = (years or plans[r["plan_id"]])
        try:
            year = int(r.get("year"))
        except (TypeError, ValueError):
            bad("year", "cần năm báo cáo (số, ví dụ 2026)")
        else:
            if lo and hi and not (int(lo) <= year <= int(hi)):
                bad("year", f"năm {year} nằm ngoài giai đoạn của kế hoạch ({lo}–{hi})")
        if r.get("period") not in vocab.PERIOD_CODES:
            bad("period", f"kỳ báo cáo phải là một trong: {', '.join(vocab.PERIOD_LABEL.values())}")
        if r.get("status") not in vocab.STATUS_CODES:
            bad("status", f"tình trạng phải là một trong: {', '.join(vocab.STATUS_LABEL.values())}")
        for column in ("done_text", "evidence", "obstacles"):
            text = _text(r.get(column))
            if text and len(text) > TEXT_LIMIT:
                bad(column, f"dài {len(text)} ký tự; tối đa {TEXT_LIMIT}")
        if r.get("status") == vocab.DONE and not _text(r.get("done_text")):
            bad("done_text", "nhiệm vụ «Hoàn thành» cần ghi kết quả đã làm")
        if r.get("status") == "not_possible" and not _text(r.get("obstacles")):
            bad("obstacles", "nhiệm vụ «Không thực hiện được» cần ghi khó khăn, vướng mắc")
        key = tuple(r.get(k) for k in KEY)
        if key in seen:
            bad("item_code", f"trùng với dòng {seen[key]}: cùng kế hoạch, {r.get('item_code')}, cơ quan và kỳ báo cáo")
        else:
            seen[key] = where
    return problems


def _normalise(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    for column in FIELDS:
        if column not in out:
            out[column] = None
        out[column] = out[column].map(_text).astype(object)
    out["year"] = out["year"].astype(int)
    out["is_illustrative"] = out["is_illustrative"].fillna(False).astype(bool) if "is_illustrative" in out else False
    return out


def save_reports(db_file: Path | None, rows: pd.DataFrame, *, user: str, file: str = "(nhập trên trang)",
                 digest: str | None = None, action: str = "report", sheet: str | None = None,
                 allowed_units: set[str] | None = None) -> SaveResult:
    """Check every row, then write them all (replacing earlier reports on the same keys) in one
    write: one import_log row, one snapshot for undo. Reports identical to what is stored (same
    status and texts) change nothing. ValidationFailed, and nothing written, if any row is wrong."""
    target = db.db_path(db_file)
    if rows.empty:
        raise ValidationFailed([Problem(file, "không có dòng báo cáo nào (cột «Tình trạng» đều để trống)", sheet)])
    with db.write_lock(target):
        ro = db.open_read_only(target)
        try:
            problems = check_reports(ro, rows, file=file, sheet=sheet, allowed_units=allowed_units)
            if problems:
                raise ValidationFailed(problems)
            new = _normalise(rows)
            ro.register("t_new", new[KEY + FIELDS])
            stored, same = ro.execute(
                "SELECT count(p.plan_id), count(p.plan_id) FILTER (WHERE " +
                " AND ".join(f"p.{c} IS NOT DISTINCT FROM n.{c}" for c in FIELDS) + ") "
                "FROM t_new n LEFT JOIN progress_reports p USING (" + ", ".join(KEY) + ")").fetchone()
            ro.unregister("t_new")
        finally:
            ro.close()
        if same == len(new):
            return SaveResult("unchanged", len(new), 0)
        with db.writable_copy(target, action=action) as con:
            con.execute("BEGIN TRANSACTION")
            import_id = log_write(con, action, file, digest, ",".join(sorted(new.index_code.unique())), len(rows),
                                  len(new), stored, ", ".join(sorted(new.plan_id.unique())), user=user)
            insert_reports(con, new, user=user, import_id=import_id)
            con.execute("COMMIT")
    return SaveResult("saved", len(new), stored)


def insert_reports(con, rows: pd.DataFrame, *, user: str, import_id: int, illustrative: bool = False,
                   at: datetime | None = None) -> None:
    """Write checked rows into ``con`` (a writable copy), replacing reports on the same keys."""
    new = _normalise(rows).assign(reported_by=user, reported_at=at or datetime.now(), import_id=import_id)
    if illustrative:
        new["is_illustrative"] = True
    con.register("t_new", new[COLUMNS])
    con.execute("DELETE FROM progress_reports p USING t_new n WHERE " + " AND ".join(f"p.{c} = n.{c}" for c in KEY))
    con.execute(f"INSERT INTO progress_reports ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM t_new")
    con.unregister("t_new")


# ---------------------------------------------------------------- evidence files


def evidence_dir(db_file: Path | None = None) -> Path:
    return db.db_path(db_file).parent / "evidence"


def _safe_name(name: str) -> str:
    """A file name that is one path component on every system, Vietnamese letters kept."""
    name = unicodedata.normalize("NFC", Path(str(name).replace("\\", "/")).name)
    name = re.sub(r"[\x00-\x1f<>:\"/\\|?*]", "_", name).strip(" .") or "minh-chung"
    return name[-120:]


def keep_evidence(data: bytes, name: str, db_file: Path | None = None, *, max_bytes: int | None = None) -> tuple[str, str]:
    """Store an evidence file beside the database; (its path relative to the database's folder,
    its SHA-256). The same content is stored once. ValidationFailed for a type that is not a
    document or picture, or a file over the upload limit."""
    import hashlib

    from loaders.guard import current

    suffix = Path(name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationFailed([Problem(name, f"tệp minh chứng phải là {', '.join(EVIDENCE_TYPES)}")])
    limit = max_bytes if max_bytes is not None else current().upload_bytes
    if len(data) > limit:
        raise ValidationFailed([Problem(name, f"tệp minh chứng {len(data) / (1 << 20):.1f} MB vượt giới hạn "
                                              f"{limit / (1 << 20):.0f} MB")])
    digest = hashlib.sha256(data).hexdigest()
    folder = evidence_dir(db_file) / digest[:16]
    # a name starting with "." is a copy cut short (killed before the rename): never the stored file
    existing = sorted(p for p in folder.glob("*") if not p.name.startswith(".")) if folder.exists() else []
    if existing:
        path = existing[0]
    else:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / _safe_name(name)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return str(path.relative_to(db.db_path(db_file).parent)), digest


def evidence_path(relative: str, db_file: Path | None = None) -> Path | None:
    """The stored evidence file, or None when it is not (or no longer) inside evidence/."""
    base = evidence_dir(db_file).resolve()
    path = (db.db_path(db_file).parent / relative).resolve()
    return path if path.is_file() and base in path.parents else None
