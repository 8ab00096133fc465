"""Writing progress reports: the plan's reporting loop on the same write path as every import.

A save checks every row against the plan's duties (store/sql/plan_duties.sql) and the
reporting vocabulary (domain/progress.py), collecting every problem with its row; only when
all rows are valid does it write them, in one transaction into a copy of the database that
replaces the live file (store/db.py: the lock, the snapshot undo restores, the import_log row).
Nothing is written when any row is wrong.

A save never empties what the rows do not carry: a field whose column is absent (a template
or CSV without the «Khó khăn» column, a row that names only its key and status) and the
evidence file of a row that names none keep what is stored (``save_reports``).

Evidence files are kept beside the database, in ``evidence/<first 16 hex of SHA-256>/<name>``,
each under the name its uploader gave (a second name for the same content is a hard link to the
same bytes), after their content was found to be what their suffix says (``evidence_kind``);
never overwritten, and the SHA-256 is in the report row, so an undo that drops the row leaves at
most an unreferenced file behind. Who may download which file: access/evidence.py.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from domain import progress as vocab
from domain.problems import Problem, ValidationFailed
from domain.text import nfc
from store import db
from store.audit import log_write
from loaders.progress import COLUMNS as TEMPLATE_COLUMNS

COLUMNS_VI = {field: names[0] for field, names in TEMPLATE_COLUMNS.items()}  # «Tình trạng», «Kết quả đã thực hiện»…

KEY = ["plan_id", "item_kind", "index_code", "item_code", "unit_code", "year", "period"]
FIELDS = ["status", "done_text", "evidence", "evidence_file", "evidence_sha256", "obstacles"]
EVIDENCE = ["evidence_file", "evidence_sha256"]  # given together by keep_evidence, kept or removed together
REMOVE_EVIDENCE = "remove_evidence"  # a row's column: True = take the attached file off this report
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
                  scope=None, years: tuple[int, int] | None = None) -> list[Problem]:
    """Every problem with these report rows, each with its row (column ``source_row``, else the
    position + 2 as a spreadsheet under one header line would show it) and column; [] = valid.

    ``scope``: the account's access.auth.Scope (None = an administrator at a terminal): each row's
    unit must be one it may report for in that plan's entity (``report_units``). ``years``: the
    plan's years a report may be about (default: the plan's own period from the plans table)."""
    problems: list[Problem] = []
    known = duties(con)
    keyset = set(zip(known.plan_id, known.item_kind, known.index_code, known.item_code, known.unit_code))
    plans, owners, terms = {}, {}, {}
    for p, f, t, entity, level, began, ended in con.execute(
            "SELECT plan_id, year_from, year_to, entity_code, e.level, e.valid_from, e.valid_to FROM plans "
            "LEFT JOIN entities e USING (entity_code)").fetchall():
        plans[p], owners[p] = (f, t), (entity, vocab.coordinator_for(level))
        if f and t:  # the plan's term: its years, within its entity's life (the district's ended 30/6/2025)
            terms[p] = (max(date(int(f), 1, 1), began or date.min), min(date(int(t), 12, 31), ended or date.max))
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
        allowed_units = scope.report_units(*owners[r["plan_id"]]) if scope is not None else None
        if allowed_units is not None and not allowed_units:
            bad("plan_id", f"tài khoản này không thuộc đơn vị ban hành kế hoạch {r['plan_id']}: không báo cáo được "
                           "cho kế hoạch của đơn vị khác")
            continue
        if allowed_units is not None and r["unit_code"] not in allowed_units:
            bad("unit_code", f"tài khoản này chỉ được báo cáo cho {', '.join(sorted(unit_names.get(u, u) for u in allowed_units))}, "
                             f"không cho {unit_names[r['unit_code']]}")
        lo, hi = (years or plans[r["plan_id"]])
        try:
            year = int(r.get("year"))
        except (TypeError, ValueError):
            year = None
            bad("year", "cần năm báo cáo (số, ví dụ 2026)")
        else:
            if lo and hi and not (int(lo) <= year <= int(hi)):
                bad("year", f"năm {year} nằm ngoài giai đoạn của kế hoạch ({lo}–{hi})")
                year = None  # said once: no second problem for the period of a year outside the plan
        if r.get("period") not in vocab.PERIOD_CODES:
            bad("period", f"kỳ báo cáo phải là một trong: {', '.join(vocab.PERIOD_LABEL.values())}")
        elif year is not None and years is None and r["plan_id"] in terms:
            first, last = terms[r["plan_id"]]
            period = vocab.period(r["period"])
            if period.start(year) < first or period.end(year) > last:  # «Tiến độ» offers only the periods inside
                bad("period", f"kỳ {vocab.period_text(r['period'], year)} nằm ngoài thời gian thực hiện kế hoạch "
                              f"({first:%d/%m/%Y}–{last:%d/%m/%Y})")
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


def _flag(value) -> bool:
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _with_stored(con, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (positions kept) with what they do not carry taken from the report stored on the
    same key: every field whose column is absent, and the evidence file and its SHA-256 of a row
    that names no file, unless the row asks for the file to be removed (``REMOVE_EVIDENCE``).
    A row with nothing stored, or only an illustrative report, keeps empty fields."""
    out = rows.reset_index(drop=True).copy()
    absent = [f for f in FIELDS if f not in out.columns]
    for f in absent + EVIDENCE:
        out[f] = out[f].astype(object) if f in out.columns else pd.Series([None] * len(out), dtype=object)
    remove = out[REMOVE_EVIDENCE].map(_flag) if REMOVE_EVIDENCE in out else pd.Series(False, index=out.index)
    out.loc[remove, EVIDENCE] = None
    keep_file = out["evidence_file"].map(lambda v: _text(v) is None) & ~remove
    wanted = [f for f in FIELDS if f in absent or (f in EVIDENCE and keep_file.any())]
    if not wanted or out.empty:
        return out
    keys = pd.DataFrame({k: (out[k] if k in out else pd.Series([None] * len(out))).map(
        lambda v: v if isinstance(v, str) else None).astype(object) for k in KEY if k != "year"})
    year = pd.to_numeric(out["year"], errors="coerce") if "year" in out else pd.Series([float("nan")] * len(out))
    keys["year"] = year.where(year == year.round()).astype("Int64")  # a year that is no integer matches nothing
    keys["_i"] = range(len(out))
    con.register("t_keys", keys)
    try:
        stored = con.execute(
            "SELECT k._i, " + ", ".join(f"p.{f}" for f in wanted) + " FROM t_keys k JOIN progress_reports p ON "
            + " AND ".join(f"p.{c} = CAST(k.{c} AS {'INTEGER' if c == 'year' else 'VARCHAR'})" for c in KEY)
            # an illustrative report is no unit's word: a real one replaces it and takes nothing from it
            + " WHERE NOT p.is_illustrative").df().drop_duplicates("_i", keep="last").set_index("_i")
    finally:
        con.unregister("t_keys")
    for f in absent:
        if f not in EVIDENCE:  # the file: below, where a row's request to remove it counts
            out.loc[stored.index, f] = stored[f].astype(object).to_numpy()
    if keep_file.any():
        take = [i for i in stored.index if keep_file[i]]
        out.loc[take, EVIDENCE] = stored.loc[take, EVIDENCE].astype(object).to_numpy()
    return out


def save_reports(db_file: Path | None, rows: pd.DataFrame, *, user: str, file: str = "(nhập trên trang)",
                 digest: str | None = None, action: str = "report", sheet: str | None = None,
                 scope=None) -> SaveResult:
    """Check every row, then write them all (replacing earlier reports on the same keys) in one
    write: one import_log row, one snapshot for undo. Reports identical to what is stored (same
    status, texts and evidence file) change nothing. ValidationFailed, and nothing written, if any
    row is wrong.

    What the rows do not carry is kept, never emptied: under the write lock, before the rows are
    checked and compared, a field whose column is absent from ``rows`` takes the stored report's
    value (a report file without the «Khó khăn» column keeps the stored obstacles); the evidence
    file (``evidence_file`` and ``evidence_sha256``, together) of a row whose ``evidence_file`` is
    empty is the stored one. So the Excel template, which shows the attached file but never
    returns it, and the page's table keep every file attached.

    Removing a file is asked for explicitly, per row: ``remove_evidence`` True empties both
    columns (even if the row names a file). On the page, «Đính kèm tệp minh chứng» → «Gỡ tệp».
    The file itself stays in evidence/ (another report may hold the same content, and an undo
    brings the reference back); the template cannot remove, attach or replace a file."""
    target = db.db_path(db_file)
    if rows.empty:
        raise ValidationFailed([Problem(file, "không có dòng báo cáo nào (cột «Tình trạng» đều để trống)", sheet)])
    with db.write_lock(target):
        ro = db.open_read_only(target)
        try:
            rows = _with_stored(ro, rows)  # under the lock: what is kept is what is stored now
            problems = check_reports(ro, rows, file=file, sheet=sheet, scope=scope)
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
    """A file name that is one path component on every system, Vietnamese letters kept, short
    enough in bytes for every file system (255) with the temporary name's additions."""
    name = unicodedata.normalize("NFC", Path(str(name).replace("\\", "/")).name)
    name = re.sub(r"[\x00-\x1f<>:\"/\\|?*]", "_", name).strip(" .") or "minh-chung"
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    stem = name[: len(name) - len(suffix)]
    while len((stem + suffix).encode("utf-8")) > 180:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "minh-chung") + suffix


# What an evidence file's content is, by its first bytes (and a zip's directory, never inflated
# beyond a few bytes): the kinds, how they are said, and the kind each suffix must hold.
KIND_LABEL = {
    "pdf": "một tệp PDF", "docx": "một tài liệu Word (.docx)", "xlsx": "một bảng tính Excel (.xlsx)",
    "pptx": "một bản trình chiếu PowerPoint (.pptx)", "ooxml": "một tệp Office khác (Office Open XML)",
    "odt": "một văn bản OpenDocument (.odt)", "ods": "một bảng tính OpenDocument (.ods)",
    "odf": "một tệp OpenDocument khác (trình chiếu, hình vẽ…)",
    "ole2": "một tệp Office đời cũ (.doc, .xls hoặc .ppt)", "jpeg": "một ảnh JPEG", "png": "một ảnh PNG",
    "gif": "một ảnh GIF", "zip": "một tệp nén ZIP", "broken_zip": "một tệp nén ZIP bị hỏng",
    "rar": "một tệp nén RAR", "7z": "một tệp nén 7-Zip", "exe": "một chương trình chạy được (.exe, .dll)",
    "html": "một trang web (HTML)", "text": "chữ thuần (một tệp văn bản .txt hoặc .csv)",
    "empty": "rỗng (0 byte)", None: "một loại tệp không nhận ra (có thể là tệp hỏng)",
}
SUFFIX_KIND = {".pdf": "pdf", ".doc": "ole2", ".xls": "ole2", ".docx": "docx", ".xlsx": "xlsx", ".odt": "odt",
               ".ods": "ods", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}
_KIND_SUFFIX = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "odt": ".odt", "ods": ".ods", "jpeg": ".jpg",
                "png": ".png"}  # the suffix to rename a file to (legacy Office: .doc or .xls, not told apart)
_SIGNATURES = [(b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"),
               (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
               (b"Rar!\x1a\x07", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"MZ", "exe")]
_OOXML_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
_ODF_MIMETYPE = {"application/vnd.oasis.opendocument.text": "odt",
                 "application/vnd.oasis.opendocument.spreadsheet": "ods"}


def evidence_kind(data: bytes) -> str | None:
    """What a file's content is (a key of KIND_LABEL), whatever its name says: by its signature
    (PDF ``%PDF-``, PNG, JPEG, the OLE2 container of .doc/.xls), and for a zip by its directory:
    Office Open XML has ``[Content_Types].xml`` and its main part (word/document.xml,
    xl/workbook.xml), OpenDocument a ``mimetype`` entry naming its kind."""
    if not data:
        return "empty"
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data.startswith(b"PK"):
        return _zip_kind(data)
    from loaders.guard import looks_like_html

    if looks_like_html(data[:1024]):
        return "html"
    try:
        head = data[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:  # a character cut at the 4096th byte is still text
        head = data[:exc.start].decode("utf-8") if exc.start > 4090 else None
    return "text" if head and not re.search(r"[\x00-\x08\x0e-\x1f]", head) else None


def _zip_kind(data: bytes) -> str:
    """A zip's kind from its central directory; only a small ``mimetype`` entry is ever read, and
    no more than 256 bytes of it: nothing is extracted, a zip bomb stays folded."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" in names:
                return next((kind for kind, part in _OOXML_MAIN.items() if part in names), "ooxml")
            mimetype = next((i for i in infos if i.filename == "mimetype"), None)
            if mimetype is None:
                return "zip"
            if mimetype.file_size > 256 or mimetype.flag_bits & 0x1:  # too long to be one, or encrypted
                return "odf"
            with zf.open(mimetype) as fh:
                text = fh.read(257).decode("ascii", errors="replace").strip()
            return _ODF_MIMETYPE.get(text, "odf")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
            RuntimeError):
        return "broken_zip"


def _content_problem(data: bytes, name: str, suffix: str) -> str | None:
    """Why a file's content is not what its suffix says (None when it is), in Vietnamese."""
    kind, expected = evidence_kind(data), SUFFIX_KIND[suffix]
    if kind == expected:
        return None
    if kind == "empty":
        return f"tệp «{name}» rỗng (0 byte): chưa lưu"
    fix = (f"nếu tệp đúng là như vậy, đổi đuôi thành {_KIND_SUFFIX[kind]} rồi đính kèm lại"
           if kind in _KIND_SUFFIX else "hãy mở tệp bằng chương trình đã tạo ra nó, lưu lại đúng định dạng rồi đính kèm lại")
    return (f"tệp «{name}» mang đuôi {suffix} nhưng nội dung là {KIND_LABEL[kind]}, không phải "
            f"{KIND_LABEL[expected]}: chưa lưu; {fix}")


def _holds(path: Path, data: bytes) -> bool:
    return path.stat().st_size == len(data) and path.read_bytes() == data


def keep_evidence(data: bytes, name: str, db_file: Path | None = None, *, max_bytes: int | None = None) -> tuple[str, str]:
    """Store an evidence file beside the database; (its path relative to the database's folder,
    its SHA-256). ValidationFailed, and nothing stored, for a type that is not a document or
    picture, a file over the upload limit, or content that is not what the suffix says
    (``evidence_kind``: a picture named .pdf, a Word file named .xlsx…).

    The file is ``evidence/<first 16 hex of SHA-256>/<its uploader's name, made safe>``: each
    upload keeps its own name, so a second unit sending the same content under another name sees
    its name, not the first unit's. The bytes are stored once: a second name is a hard link to the
    first (a copy where the file system has none). Nothing stored is ever overwritten: a new name
    is written under a '.'-prefixed temporary name, then renamed into place; a name that exists
    already is used only if it holds these very bytes (else the upload is refused)."""
    import hashlib
    import os
    import secrets

    from loaders.guard import load_limits

    safe = _safe_name(name)
    suffix = Path(safe).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationFailed([Problem(name, f"tệp minh chứng phải là {', '.join(EVIDENCE_TYPES)}")])
    limit = max_bytes if max_bytes is not None else load_limits().upload_bytes
    if len(data) > limit:
        raise ValidationFailed([Problem(name, f"tệp minh chứng {len(data) / (1 << 20):.1f} MB vượt giới hạn "
                                              f"{limit / (1 << 20):.0f} MB")])
    if problem := _content_problem(data, safe, suffix):
        raise ValidationFailed([Problem(name, problem)])
    digest = hashlib.sha256(data).hexdigest()
    folder = evidence_dir(db_file) / digest[:16]
    path = folder / safe
    clash = ValidationFailed([Problem(name, f"không lưu được «{safe}»: kho minh chứng đã có một tệp khác nội dung dưới "
                                            f"cùng mã {digest[:16]} (tệp đã lưu không bị thay); hãy báo người quản trị")])
    if path.is_file():
        if not _holds(path, data):
            raise clash
        return str(path.relative_to(db.db_path(db_file).parent)), digest
    folder.mkdir(parents=True, exist_ok=True)
    # a name starting with "." is a copy cut short (killed before the rename): never a stored file
    twin = next((p for p in sorted(folder.iterdir()) if not p.name.startswith(".") and p.is_file()), None)
    if twin is not None and not _holds(twin, data):
        raise clash
    tmp = folder / f".{safe}.{secrets.token_hex(4)}.tmp"
    try:
        try:
            if twin is None:
                raise FileNotFoundError
            os.link(twin, tmp)
        except OSError:  # the first of these bytes, or a file system without hard links
            tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return str(path.relative_to(db.db_path(db_file).parent)), digest


def evidence_path(relative: str, db_file: Path | None = None) -> Path | None:
    """The stored evidence file, or None when it is not (or no longer) inside evidence/."""
    base = evidence_dir(db_file).resolve()
    path = (db.db_path(db_file).parent / relative).resolve()
    return path if path.is_file() and base in path.parents else None
