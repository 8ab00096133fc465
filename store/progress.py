"""Writing progress reports: the plan's reporting loop on the same write path as every import.

A save checks every row against the plan's duties (store/sql/plan_duties.sql) and the
reporting vocabulary (domain/progress.py), collecting every problem with its row; only when
all rows are valid does it write them, in one transaction into a copy of the database that
replaces the live file (store/db.py: the lock, the snapshot undo restores, the import_log row).
Nothing is written when any row is wrong. Saves that arrive while another write holds the lock
are written together in the next copy (``Saves``: group commit), each still checked alone, with
its own import_log row and its own undo (store/history.py).

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
import os
import pickle
import re
import secrets
import threading
import time
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
from store.audit import os_user
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


@dataclass(frozen=True)
class Reference:
    """What report rows are checked against: every plan's duties, the plans' years, owners and
    terms, the units' names. Read once per save (``reference``), once for all the saves
    written together."""
    keyset: frozenset
    plans: dict
    owners: dict
    terms: dict
    unit_names: dict


def reference(con) -> Reference:
    known = duties(con)
    keyset = frozenset(zip(known.plan_id, known.item_kind, known.index_code, known.item_code, known.unit_code))
    plans, owners, terms = {}, {}, {}
    for p, f, t, entity, level, began, ended in con.execute(
            "SELECT plan_id, year_from, year_to, entity_code, e.level, e.valid_from, e.valid_to FROM plans "
            "LEFT JOIN entities e USING (entity_code)").fetchall():
        plans[p], owners[p] = (f, t), (entity, vocab.coordinator_for(level))
        if f and t:  # the plan's term: its years, within its entity's life (the district's ended 30/6/2025)
            terms[p] = (max(date(int(f), 1, 1), began or date.min), min(date(int(t), 12, 31), ended or date.max))
    return Reference(keyset, plans, owners, terms, dict(con.execute("SELECT unit_code, name FROM units").fetchall()))


def check_reports(con, rows: pd.DataFrame, *, file: str, sheet: str | None = None,
                  scope=None, years: tuple[int, int] | None = None, known: Reference | None = None) -> list[Problem]:
    """Every problem with these report rows, each with its row (column ``source_row``, else the
    position + 2 as a spreadsheet under one header line would show it) and column; [] = valid.

    ``scope``: the account's access.auth.Scope (None = an administrator at a terminal): each row's
    unit must be one it may report for in that plan's entity (``report_units``). ``years``: the
    plan's years a report may be about (default: the plan's own period from the plans table).
    ``known``: ``reference(con)``, when the caller has read it already."""
    problems: list[Problem] = []
    known = known or reference(con)
    keyset, plans, owners, terms, unit_names = known.keyset, known.plans, known.owners, known.terms, known.unit_names
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
    """Check every row, then write them all (replacing earlier reports on the same keys) as one
    write: one import_log row, and undo reverts exactly this save. Reports identical to what is
    stored (same status, texts and evidence file) change nothing. ValidationFailed, and nothing
    written, if any row is wrong.

    What the rows do not carry is kept, never emptied: under the write lock, before the rows are
    checked and compared, a field whose column is absent from ``rows`` takes the stored report's
    value (a report file without the «Khó khăn» column keeps the stored obstacles); the evidence
    file (``evidence_file`` and ``evidence_sha256``, together) of a row whose ``evidence_file`` is
    empty is the stored one. So the Excel template, which shows the attached file but never
    returns it, and the page's table keep every file attached.

    Removing a file is asked for explicitly, per row: ``remove_evidence`` True empties both
    columns (even if the row names a file). On the page, «Đính kèm tệp minh chứng» → «Gỡ tệp».
    The file itself stays in evidence/ (another report may hold the same content, and an undo
    brings the reference back); the template cannot remove, attach or replace a file.

    Saves that arrive together are written together (``Saves``): the save is left in the
    database's queue, and whoever holds the write lock next writes every save waiting there in
    one copy of the database. Each keeps its own checks, its own result, its own log row."""
    target = db.db_path(db_file)
    if rows.empty:
        raise ValidationFailed([Problem(file, "không có dòng báo cáo nào (cột «Tình trạng» đều để trống)", sheet)])
    queue = Saves(target)
    outcome = queue.wait(queue.put(dict(rows=rows, user=user, file=file, digest=digest, action=action, sheet=sheet,
                                        scope=scope)))
    if outcome["status"] == "failed":
        raise ValidationFailed(outcome["problems"])
    return SaveResult(outcome["status"], outcome["rows"], outcome["replaced"])


# ---------------------------------------------------------------- saves written together

class Saves:
    """The queue of report saves waiting for the write lock, and the writing of all of them in
    one copy of the database (group commit): copying the database and making the copy durable
    is most of a save's cost, so twenty offices saving at once pay it once or twice, not twenty
    times one after another.

    The queue is a folder beside the database (``.<name>.saves/``): a save is a file
    ``<time>.<pid>.<thread>.<random>.req`` (written under a temporary name, then renamed). The
    writer (holding the lock) takes every waiting save in order of arrival, leaving for the next
    copy a save that touches a report key a save before it in this copy touches (so that each
    report in a copy is written by one save only: undo of one save restores its rows from the
    state before the copy, ``store.history``). It checks each save as a save alone is checked
    (against the live database, under the lock), writes those that change something into one
    copy — each with its own log row, all with one time, the copy's — and, just before the copy
    replaces the live file, leaves each save's outcome beside its request (``.done``); then it
    removes the requests. A saver that finds its outcome returns it.

    All or nothing: a writer killed before the swap leaves the live file as it was, the requests
    in place and outcomes that name log rows the live file does not have: those saves are taken
    again by the next writer. Killed after the swap, before removing the requests: the outcome's
    log row is in the live file, so the save is done and is not taken again. Requests and
    outcomes of processes that have ended are removed."""

    def __init__(self, target: Path):
        self.target = target
        self.folder = target.parent / f".{target.name}.saves"

    # -------------------------------------------------- the saver's side

    def put(self, request: dict) -> Path:
        """Queue a save (its rows and how save_reports was called); the request's path."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # only the serving account writes here
        name = f"{time.time_ns():020d}.{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}"
        ticket = self.folder / f"{name}.req"
        tmp = self.folder / f".{name}.tmp"
        try:
            tmp.write_bytes(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(ticket)
        finally:
            tmp.unlink(missing_ok=True)
        return ticket

    def wait(self, ticket: Path) -> dict:
        """The outcome of the save ``ticket``: taken by another writer meanwhile, or written now by
        this one together with every save waiting (if that fails, this save alone: a save that
        cannot be written fails only its own saver). The request is removed whatever happens."""
        try:
            while True:
                with db.write_lock(self.target):
                    outcome = self.outcome(ticket)
                    if outcome is None:
                        try:
                            self.write_waiting()
                        except Exception:  # noqa: BLE001 - any save of the group may be the cause
                            if self.outcome(ticket) is None:  # not written: this save alone
                                self.write_waiting(only=ticket)
                        outcome = self.outcome(ticket)
                if outcome is not None:  # else the next copy: it names a report a save before it names
                    return outcome
        finally:
            self.drop(ticket)

    def outcome(self, ticket: Path) -> dict | None:
        """This save's outcome once it is written (or refused); None while it still waits. Under
        the write lock."""
        done = ticket.with_suffix(".done")
        if done.exists():
            outcome = self._load(done)
            # both there: the writer stopped between leaving the outcomes and removing the requests
            if ticket.exists() and (outcome is None or (outcome["status"] == "saved" and not self._in_log(outcome["line"]))):
                done.unlink(missing_ok=True)  # its copy never replaced the live file: still to write
                return None
            if outcome is not None:
                return outcome
        elif ticket.exists():
            return None
        raise RuntimeError(f"yêu cầu lưu báo cáo {ticket.name} không còn trong hàng đợi")

    def drop(self, ticket: Path) -> None:
        ticket.unlink(missing_ok=True)
        ticket.with_suffix(".done").unlink(missing_ok=True)

    # -------------------------------------------------- the writer's side (under the write lock)

    def waiting(self) -> list[Path]:
        """The requests to write, oldest first: not those whose outcome is there already (their
        savers take it), and neither those nor outcomes of processes that have ended."""
        if not self.folder.exists():
            return []
        out = []
        for p in sorted(self.folder.iterdir()):
            try:
                pid = int(p.name.lstrip(".").split(".")[1])
            except (IndexError, ValueError):
                continue
            if _ended(pid):  # its saver is gone: nobody waits for it (and it never saw it saved)
                p.unlink(missing_ok=True)
            elif p.suffix == ".req" and not p.name.startswith(".") and not p.with_suffix(".done").exists():
                out.append(p)
        return out

    def write_waiting(self, only: Path | None = None) -> None:
        """Write the waiting saves (``only`` that one) in one copy of the database."""
        ro = db.open_read_only(self.target)
        try:
            known = reference(ro)  # first: the saves that arrive meanwhile are in this copy too
            taken: list[tuple[Path, dict]] = []
            keys: set = set()
            for ticket in [only] if only is not None else self.waiting():
                request = self._load(ticket)
                if request is None:  # cannot be read (a disk error): its saver is told it is gone
                    ticket.unlink(missing_ok=True)
                    continue
                mine = _keys_of(request["rows"])
                if mine & keys:
                    continue  # the same report as a save before it in this copy: the next copy
                keys |= mine
                taken.append((ticket, request))
            if not taken:
                return
            outcomes, written = _prepare(ro, [r for _, r in taken], known)
        finally:
            ro.close()
        # An error or a kill from here on leaves outcomes beside requests: ``outcome`` tells by
        # the log whether the copy went live, whatever stopped the writer at whatever point.
        if written:
            with db.writable_copy(self.target, action=taken[written[0][0]][1]["action"]) as con:
                lines = _write_saves(con, written, [r for _, r in taken])
                for (i, _, _), line in zip(written, lines):
                    outcomes[i]["line"] = line
                self._leave(taken, outcomes)  # before the swap: see the class's docstring
        else:
            self._leave(taken, outcomes)
        for ticket, _ in taken:
            ticket.unlink(missing_ok=True)

    def _leave(self, taken, outcomes) -> None:
        for (ticket, _), outcome in zip(taken, outcomes):
            done = ticket.with_suffix(".done")
            tmp = done.with_name(f".{done.name}.tmp")
            tmp.write_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(done)

    def _in_log(self, line: tuple) -> bool:
        ro = db.open_read_only(self.target)
        try:
            return ro.execute("SELECT count(*) FROM import_log WHERE import_id = ? AND imported_at = ?",
                              list(line)).fetchone()[0] > 0
        finally:
            ro.close()

    @staticmethod
    def _load(path: Path) -> dict | None:
        """A request or an outcome, read back only when this account wrote it: a pickle runs code,
        so a file another account could have put in the folder is never loaded."""
        try:
            if path.stat().st_uid != os.getuid() or path.parent.stat().st_mode & 0o022:
                return None
            return pickle.loads(path.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError):
            return None


def _ended(pid: int) -> bool:
    """Whether the process ``pid`` has ended (never said of this process or of another user's)."""
    if pid == os.getpid() or os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _keys_of(rows: pd.DataFrame) -> set:
    """The report keys a save's rows name, as text (a year given as 2026 or "2026" alike)."""
    present = [k for k in KEY if k in rows.columns]
    return {tuple(str(v) for v in key) for key in rows[present].itertuples(index=False, name=None)}


def _prepare(ro, requests: list[dict], known: Reference) -> tuple[list[dict], list[tuple[int, pd.DataFrame, int]]]:
    """Each request checked and compared with what is stored, as a save alone is: its outcome
    (``failed`` with the problems, ``unchanged``, or ``saved``), and what is to be written: (its
    position, its normalised rows, how many stored reports they replace). The stored reports are
    read once for all requests that carry the same columns; ``known`` is read once for all."""
    filled: list[pd.DataFrame | None] = [None] * len(requests)
    by_columns: dict[tuple, list[int]] = {}
    for i, r in enumerate(requests):
        by_columns.setdefault(tuple(r["rows"].columns), []).append(i)
    for positions in by_columns.values():
        frames = [requests[i]["rows"].reset_index(drop=True) for i in positions]
        together = _with_stored(ro, pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
        start = 0
        for i, frame in zip(positions, frames):
            filled[i] = together.iloc[start:start + len(frame)].reset_index(drop=True)
            start += len(frame)
    outcomes: list[dict] = []
    for i, r in enumerate(requests):
        problems = check_reports(ro, filled[i], file=r["file"], sheet=r["sheet"], scope=r["scope"], known=known)
        outcomes.append({"status": "failed", "problems": problems, "rows": len(filled[i]), "replaced": 0})
    normalised: dict[int, pd.DataFrame] = {}
    for positions in by_columns.values():
        ok = [i for i in positions if not outcomes[i]["problems"]]
        if ok:
            together = _normalise(pd.concat([filled[i] for i in ok], ignore_index=True))
            start = 0
            for i in ok:
                normalised[i] = together.iloc[start:start + len(filled[i])].reset_index(drop=True)
                start += len(filled[i])
    valid = sorted(normalised.items())
    if not valid:
        return outcomes, []
    together = pd.concat([new[KEY + FIELDS].assign(_save=i) for i, new in valid], ignore_index=True)
    ro.register("t_new", together)
    try:
        counts = {i: (stored, same) for i, stored, same in ro.execute(
            "SELECT n._save, count(p.plan_id), count(p.plan_id) FILTER (WHERE " +
            " AND ".join(f"p.{c} IS NOT DISTINCT FROM n.{c}" for c in FIELDS) + ") "
            "FROM t_new n LEFT JOIN progress_reports p USING (" + ", ".join(KEY) + ") GROUP BY n._save").fetchall()}
    finally:
        ro.unregister("t_new")
    written = []
    for i, new in valid:
        stored, same = counts[i]
        if same == len(new):
            outcomes[i] = {"status": "unchanged", "rows": len(new), "replaced": 0}
        else:
            outcomes[i] = {"status": "saved", "rows": len(new), "replaced": stored}
            written.append((i, new, stored))
    return outcomes, written


def _write_saves(con, written: list[tuple[int, pd.DataFrame, int]], requests: list[dict]) -> list[tuple]:
    """Write the saves into ``con`` (a writable copy) in one transaction: a log row each, numbered
    after the file's last one in order of arrival, all with one time (that of this copy: the log
    rows of one copy are what store.history.undo recognises as written together); the reports
    each with its save's log number. Returns the log rows' (number, time)."""
    at = datetime.now()
    con.execute("BEGIN TRANSACTION")
    first = con.execute("SELECT COALESCE(max(import_id), 0) + 1 FROM import_log").fetchone()[0]
    lines, frames = [], []
    for k, (i, new, stored) in enumerate(written):
        r = requests[i]
        user = r["user"] or os_user()
        lines.append([first + k, at, user, r["action"], r["file"], r["digest"], ",".join(sorted(new.index_code.unique())),
                      len(r["rows"]), len(new), stored, ", ".join(sorted(new.plan_id.unique()))])
        frames.append(new.assign(reported_by=r["user"], reported_at=at, import_id=first + k))
    con.executemany("INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", lines)
    _replace_rows(con, pd.concat(frames, ignore_index=True))
    con.execute("COMMIT")
    return [(line[0], at) for line in lines]


def insert_reports(con, rows: pd.DataFrame, *, user: str, import_id: int, illustrative: bool = False,
                   at: datetime | None = None) -> None:
    """Write checked rows into ``con`` (a writable copy), replacing reports on the same keys."""
    new = _normalise(rows).assign(reported_by=user, reported_at=at or datetime.now(), import_id=import_id)
    if illustrative:
        new["is_illustrative"] = True
    _replace_rows(con, new)


def _replace_rows(con, new: pd.DataFrame) -> None:
    """Write normalised rows carrying every column of COLUMNS, replacing reports on the same keys."""
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
