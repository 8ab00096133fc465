"""Importing one score file or one plan: validate the whole file, then write it in one
transaction into a copy of the database and swap it in (store/db.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from domain.problems import InputError
from domain.vocabulary import DATA_DIR
from loaders import guard
from loaders.read import Context, read_scores
from store import db
from store.audit import log_write, sha256
from store.build import Progress, derive, insert_scores, load_plan_into, quiet, rank

_COMPARED = ["year", "index_code", "criterion_code", "entity_code", "points", "max_points", "rank", "n_ranked", "label"]


def _unchanged(con, df: pd.DataFrame) -> bool:
    """Whether the file states exactly what the database already holds for its (year, index,
    entity) keys: same rows, numbers equal to 6 decimals. Compared inside DuckDB (EXCEPT ALL
    both ways), since a national file has about a million rows."""
    con.register("t_new", df[_COMPARED].astype(object))
    try:
        old_n, missing, extra = con.execute(db.sql("import_differences.sql")).fetchone()
    finally:
        con.unregister("t_new")
    return old_n == len(df) and missing == 0 and extra == 0


@dataclass
class ImportResult:
    status: str  # "loaded" | "unchanged"
    rows: int
    replaced: int
    years: list
    indices: list


def import_file(path: Path, db_file: Path | None = None, *, index_code: str | None = None,
                reader: str = "auto", user: str | None = None, data_dir: Path = DATA_DIR,
                source_name: str | None = None, progress: Progress = quiet,
                limits: guard.Limits | None = None) -> ImportResult:
    """Validate the whole file, then load it in one transaction into a copy and swap it in.
    Rows for the same (index, year, entity) are replaced; an identical file changes nothing.
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
    summary = dict(rows=len(df), years=sorted(df.year.unique().tolist()), indices=sorted(df.index_code.unique().tolist()))
    digest = sha256(path)
    with db.write_lock(target):  # from reading what is there to the swap: imports queue, none is lost
        try:
            ro = db.open_read_only(target)
        except duckdb.Error as exc:  # the live file, not the imported one, cannot be read
            raise InputError(f"Cơ sở dữ liệu {target} không đọc được (tệp hỏng: {str(exc).splitlines()[0]}). Chạy "
                             "«python -m loaders undo» để về bản lưu gần nhất, hoặc «python -m loaders restore» "
                             "từ một bản sao lưu, rồi nạp lại. Tệp nạp chưa được ghi.") from None
        try:
            unchanged = _unchanged(ro, df)
        finally:
            ro.close()
        if unchanged:
            progress("[3/3] Không có gì thay đổi: số liệu trong tệp đã có sẵn")
            return ImportResult("unchanged", replaced=0, **summary)
        progress(f"[2/3] Ghi {len(df)} dòng vào bản sao cơ sở dữ liệu")
        replaced = _write_import(target, df, name, digest, summary, user, ctx.limits)
    progress("[3/3] Đã thay cơ sở dữ liệu bằng bản mới")
    return ImportResult("loaded", replaced=replaced, **summary)


def _write_import(target: Path, df: pd.DataFrame, name: str, digest: str, summary: dict, user: str | None,
                  limits: guard.Limits) -> int:
    with db.writable_copy(target, action="import", limits=limits) as con:
        con.execute("BEGIN TRANSACTION")
        keys = df[["year", "index_code", "entity_code"]].drop_duplicates()
        con.register("t_keys", keys)
        replaced = con.execute(db.sql("scores_replaced.sql")).fetchone()[0]
        db.run_script(con, "delete_replaced_scores.sql")
        con.unregister("t_keys")
        import_id = log_write(con, "import", name, digest, ",".join(summary["indices"]), len(df), len(df),
                         replaced, user=user)
        insert_scores(con, df, import_id)
        for idx in summary["indices"]:
            derive(con, idx)
        rank(con)
        con.execute("COMMIT")
    return replaced


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
