"""Importing one score file or one plan: validate the whole file, then write it in one
transaction into a copy of the database and swap it in (store/db.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from domain.problems import InputError
from domain.text import format_number
from domain.vocabulary import DATA_DIR
from loaders import guard
from loaders.read import Context, read_scores
from loaders.staging import STAGED_COLUMNS
from store import db
from store.audit import log_write, sha256
from store.build import Progress, derive, load_plan_into, quiet, rank


def _plan_import(con, df: pd.DataFrame, replace_breakdown: bool) -> dict:
    """Pair the file's rows with what the database holds for their (year, index, entity): the
    temp table t_import (store/sql/import_rows.sql), in DuckDB since a national file has about
    a million rows. Returns how many facts the write adds, replaces, keeps and removes, and how
    many of those it writes differ from the held ones."""
    con.register("t_new", df[STAGED_COLUMNS])
    try:
        db.run_script(con, "import_rows.sql", {"replace_breakdown": replace_breakdown})
    finally:
        con.unregister("t_new")
    cur = con.execute(db.sql("import_differences.sql"))
    return dict(zip([d[0] for d in cur.description], cur.fetchone()))


@dataclass
class ImportResult:
    status: str  # "loaded" | "unchanged"
    rows: int  # rows the file states
    replaced: int  # facts held before that a row of the file replaced
    years: list
    indices: list
    added: int = 0  # facts the database did not hold from a file
    kept: int = 0  # held facts of the same (year, index, entity) the file does not state: left as they were
    removed: int = 0  # held facts the file does not state, deleted (replace_breakdown, or illustrative)
    conflicts: int = 0  # real figures differing from those held from another file, recorded in source_conflicts
    conflict_messages: list[str] = field(default_factory=list)  # the first SHOWN_CONFLICTS of them, in file order
    replace_breakdown: bool = False


CONFLICTS_HEADING = "Nguồn số liệu mâu thuẫn"  # the Dữ liệu page's list of source_conflicts
SHOWN_CONFLICTS = 20  # conflicts an import's summary lists one by one


def import_summary(r: ImportResult, name: str | None = None) -> str:
    """What an import did, in Vietnamese, for the page and the command line: «Đã nạp 1 dòng
    (PAPI; năm 2020): thay 1 dòng, giữ nguyên 37 dòng chi tiết mà tệp không nêu.»"""
    n = lambda v: format_number(v, 0)  # noqa: E731
    if r.status == "unchanged":
        return f"Không có gì thay đổi: {n(r.rows)} dòng trong {f'«{name}»' if name else 'tệp'} đã có sẵn trong cơ sở dữ liệu."
    removed = ("dòng cũ mà tệp không nêu (đã chọn thay toàn bộ số liệu chi tiết)" if r.replace_breakdown else
               "dòng minh họa mà tệp không nêu (số liệu minh họa không đứng cạnh số liệu thật)")
    parts = [text for count, text in [(r.added, f"thêm {n(r.added)} dòng mới"), (r.replaced, f"thay {n(r.replaced)} dòng"),
                                      (r.kept, f"giữ nguyên {n(r.kept)} dòng chi tiết mà tệp không nêu"),
                                      (r.removed, f"bỏ {n(r.removed)} {removed}")] if count]
    text = (f"Đã nạp {n(r.rows)} dòng{f' từ «{name}»' if name else ''} ({', '.join(r.indices)}; năm "
            f"{', '.join(map(str, r.years))})" + (": " + ", ".join(parts) if parts else ""))
    if r.conflicts:
        text += (f"; {n(r.conflicts)} số liệu khác với nguồn đã có, ghi vào «{CONFLICTS_HEADING}» "
                 "(số của tệp này được dùng)")
    return text + "."


def shown_conflicts(r: ImportResult) -> list[str]:
    """The conflict messages a summary lists: the first SHOWN_CONFLICTS, then how many more."""
    more = r.conflicts - len(r.conflict_messages)
    return r.conflict_messages + (
        [f"… và {format_number(more, 0)} số liệu khác nguồn nữa (xem «{CONFLICTS_HEADING}» trên trang Dữ liệu)"]
        if more > 0 else [])


def import_file(path: Path, db_file: Path | None = None, *, index_code: str | None = None,
                reader: str = "auto", user: str | None = None, data_dir: Path = DATA_DIR,
                source_name: str | None = None, progress: Progress = quiet,
                limits: guard.Limits | None = None, replace_breakdown: bool = False) -> ImportResult:
    """Validate the whole file, then load it in one transaction into a copy and swap it in.
    Each row replaces the fact it states (year, index, criterion, entity), keeping the held
    values it leaves empty where sound (store/sql/import_rows.sql); the held facts of the same
    (year, index, entity) that the file does not state are kept, but an illustrative breakdown
    beside a real figure of the file is removed. ``replace_breakdown``: every held fact of
    each (year, index, entity) in the file is replaced by the file's rows. A real figure that
    differs from one held from another file is written and recorded in source_conflicts. A
    file that would change nothing writes nothing (status "unchanged").
    ``limits``: as the caller loaded them (the web page, for the upload size), else loaded here,
    once for the whole import (reading and snapshots)."""
    target = db.db_path(db_file)
    if not target.exists():
        raise FileNotFoundError(f"chưa có cơ sở dữ liệu {target}: chạy «python -m loaders build» trước")
    ctx = Context(data_dir, limits)
    name = source_name or path.name
    progress(f"[1/3] Kiểm tra {name}")
    df = read_scores(path, ctx, reader=reader, index_code=index_code, source_name=name)
    df = df.assign(is_illustrative=df.is_illustrative.astype(bool))
    summary = dict(rows=len(df), years=sorted(df.year.unique().tolist()), indices=sorted(df.index_code.unique().tolist()),
                   replace_breakdown=replace_breakdown)
    digest = sha256(path)
    with db.write_lock(target):  # from reading what is there to the swap: imports queue, none is lost
        try:
            ro = db.open_read_only(target)
        except duckdb.Error as exc:  # the live file, not the imported one, cannot be read
            raise InputError(f"Cơ sở dữ liệu {target} không đọc được (tệp hỏng: {str(exc).splitlines()[0]}). Chạy "
                             "«python -m loaders undo» để về bản lưu gần nhất, hoặc «python -m loaders restore» "
                             "từ một bản sao lưu, rồi nạp lại. Tệp nạp chưa được ghi.") from None
        try:
            fates = _plan_import(ro, df, replace_breakdown)
        finally:
            ro.close()
        if not (fates["added"] or fates["removed"] or fates["differing"]):
            progress("[3/3] Không có gì thay đổi: số liệu trong tệp đã có sẵn")
            return ImportResult("unchanged", replaced=0, **summary)
        progress(f"[2/3] Ghi {len(df)} dòng vào bản sao cơ sở dữ liệu")
        fates, messages = _write_import(target, df, name, digest, summary, user, ctx.limits, replace_breakdown)
    progress("[3/3] Đã thay cơ sở dữ liệu bằng bản mới")
    return ImportResult("loaded", replaced=fates["replaced"], added=fates["added"], kept=fates["kept"],
                        removed=fates["removed"], conflicts=fates["conflicts"], conflict_messages=messages, **summary)


def _write_import(target: Path, df: pd.DataFrame, name: str, digest: str, summary: dict, user: str | None,
                  limits: guard.Limits, replace_breakdown: bool) -> tuple[dict, list[str]]:
    """The write itself, in one transaction on a copy: the fates counted again under the lock
    (the copy is what the read-only check saw), the disagreements recorded, the held facts
    replaced or removed, the file's rows written, the sums derived and the ranks made again.
    Returns the counts (with "conflicts") and the first SHOWN_CONFLICTS conflict messages."""
    with db.writable_copy(target, action="import", limits=limits) as con:
        con.execute("BEGIN TRANSACTION")
        fates = _plan_import(con, df, replace_breakdown)
        db.run_script(con, "import_conflicts.sql")
        fates["conflicts"] = con.execute("SELECT count(*) FROM t_conflicts").fetchone()[0]
        messages = [m for (m,) in con.execute("SELECT message FROM t_conflicts LIMIT ?", [SHOWN_CONFLICTS]).fetchall()]
        n = lambda v: format_number(v, 0)  # noqa: E731
        note = "; ".join(text for count, text in [
            (fates["added"], f"thêm {n(fates['added'])} dòng"),
            (fates["kept"], f"giữ nguyên {n(fates['kept'])} dòng tệp không nêu"),
            (fates["removed"], f"bỏ {n(fates['removed'])} dòng "
                               + ("(thay toàn bộ số liệu chi tiết)" if replace_breakdown else "minh họa tệp không nêu")),
            (fates["conflicts"], f"{n(fates['conflicts'])} số liệu khác nguồn đã có")] if count)
        import_id = log_write(con, "import", name, digest, ",".join(summary["indices"]), len(df), len(df),
                              fates["replaced"], note, user=user)
        db.run_script(con, "delete_replaced_scores.sql")
        db.run_script(con, "score_from_staged.sql", {"import_id": import_id})  # staged_scores: the rows to write
        for temp in ("VIEW staged_scores", "TABLE t_conflicts", "TABLE t_import"):
            con.execute(f"DROP {temp}")
        for idx in summary["indices"]:
            derive(con, idx)
        rank(con)
        con.execute("COMMIT")
    return fates, messages


def import_plan(path: Path, plan_id: str, db_file: Path | None = None, *, user: str | None = None,
                data_dir: Path = DATA_DIR, source_name: str | None = None, entity_code: str | None = None) -> int:
    """Replace (or add) one plan's task map from a .md, .docx or .xlsx file."""
    target = db.db_path(db_file)
    ctx = Context(data_dir)
    from domain.units import UnitRegistry

    units = UnitRegistry.load(data_dir / "registry")
    guard.check_file(path, source_name or path.name, ctx.limits)  # a missing file, a folder or a pipe included
    with db.writable_copy(target, action="import-plan", limits=ctx.limits) as con:
        n = load_plan_into(con, path, plan_id, ctx, units, source_name or path.name, entity_code)
        log_write(con, "import-plan", source_name or path.name, sha256(path), None, n, n, 0, plan_id, user)
    return n


def check_file(path: Path, *, index_code: str | None = None, reader: str = "auto",
               data_dir: Path = DATA_DIR) -> pd.DataFrame:
    return read_scores(path, Context(data_dir), reader=reader, index_code=index_code)


# ---------------------------------------------------------------- undo, backup and restore
