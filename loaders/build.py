"""Building the database from data/, and importing or checking one file.

Owns the write path: every change goes into a private copy that replaces the live file
only when everything succeeded (see loaders/db.py), so a failed build or import leaves
the database exactly as it was.
"""
from __future__ import annotations

import getpass
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from loaders import db, limits
from loaders.entities import EntityRegistry
from loaders.frameworks import Frameworks
from loaders.problems import Problem, ValidationFailed
from loaders.reference import READERS
from loaders.staging import STAGED_COLUMNS
from loaders.text import fold, fold_loose, vn_number

DATA_DIR = db.ROOT / "data"
Progress = Callable[[str], None]
SCORE_KEY = ["year", "index_code", "criterion_code", "entity_code"]


def _quiet(_: str) -> None:
    pass


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Context:
    data_dir: Path
    fw: Frameworks = field(init=False)
    reg: EntityRegistry = field(init=False)

    def __post_init__(self) -> None:
        self.fw = Frameworks.load(self.data_dir / "frameworks")
        self.reg = EntityRegistry.load(self.data_dir / "registry")


# ---------------------------------------------------------------- reading score files

def detect_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".md", ".txt", ".docx"):
        return "plan"
    if suffix == ".xls":
        return "publisher"
    if suffix in (".csv", ".parquet"):
        return "tidy"
    if suffix == ".xlsx":
        from loaders.tabular import peek_xlsx
        from loaders.tidy import _HEADER_KEYS

        for vals in peek_xlsx(path, path.name):  # header rows only: the reader reads the rest
            if {"year", "entity", "points"} <= {_HEADER_KEYS.get(fold_loose(v)) for v in vals if v}:
                return "tidy"
            if any("co quan chu tri" in fold(v) for v in vals if v):
                return "plan"
        return "publisher"
    return "unknown"


def read_scores(path: Path, ctx: Context, *, reader: str = "auto", index_code: str | None = None,
                source_name: str | None = None) -> pd.DataFrame:
    """Staged score rows from one file, or ValidationFailed listing every problem."""
    name = source_name or path.name
    if not path.exists():
        raise ValidationFailed([Problem(name, "không tìm thấy tệp")])
    if path.stat().st_size == 0:
        raise ValidationFailed([Problem(name, "tệp rỗng (0 byte)")])
    if path.suffix.lower() in (".xls", ".xlsx"):
        from loaders.tabular import html_problem, looks_like_html

        with open(path, "rb") as fh:
            if looks_like_html(fh.read(512)):
                raise ValidationFailed([html_problem(name)])
    limits.check_file(path, name)  # before any parser sees the content
    kind = detect_kind(path) if reader == "auto" else reader
    if kind == "tidy":
        from loaders.tidy import read_tidy
        return read_tidy(path, ctx.fw, ctx.reg, index_code=index_code, source_name=name)
    if kind == "publisher":
        if index_code is None:
            raise ValidationFailed([Problem(name, "tệp theo mẫu của cơ quan công bố: cần chỉ rõ chỉ số bằng --index (PAR, SIPAS, PAPI, DDCI hoặc PCI)")])
        from loaders.publisher import read_publisher_workbook
        return read_publisher_workbook(path, index_code, ctx.fw, ctx.reg, source_name=name)
    if kind in READERS:
        return READERS[kind](path, ctx.fw, ctx.reg)
    if kind == "plan":
        raise ValidationFailed([Problem(name, "đây là văn bản kế hoạch, không phải bảng điểm; dùng lệnh «import-plan»")])
    raise ValidationFailed([Problem(name, f"không hỗ trợ loại tệp «{path.suffix}» (cần .csv, .xlsx, .xls hoặc .parquet)")])


def merge_staged(frames: list[pd.DataFrame], tolerance: float = 0.0051) -> tuple[pd.DataFrame, list[Problem]]:
    """Concatenate sources in priority order. The same fact from two sources must agree
    (within rounding); the first source's values stand, and ranks, group sizes and labels
    missing there are taken from the later ones."""
    df = pd.concat([f for f in frames if not f.empty], ignore_index=True) if frames else pd.DataFrame(columns=STAGED_COLUMNS)
    problems: list[Problem] = []
    if df.empty:
        return df, problems
    keep = ~df.duplicated(SCORE_KEY, keep="first")
    dup = df[df.duplicated(SCORE_KEY, keep=False)]
    for _, grp in dup.groupby(SCORE_KEY, dropna=False, sort=False):
        first = grp.index[0]
        pts = grp.points.dropna()
        a = grp.iloc[0]
        # two sources may differ by their rounding; one file stating two values is a conflict
        clash = [b for _, same in grp.groupby("source_file", sort=False) if same.points.dropna().nunique() > 1
                 for b in [same[same.points.notna()].iloc[-1]]]
        if not clash and len(pts) and (pts.max() - pts.min()) > tolerance:
            clash = [grp.iloc[-1]]
        for b in clash:
            base = grp[(grp.source_file == b.source_file) & grp.points.notna()].iloc[0] if any(
                (grp.source_file == b.source_file) & grp.points.notna() & (grp.index != b.name)) else a
            where = f" dòng {base.source_row}" if base.source_row is not None and base.source_row == base.source_row else ""
            problems.append(Problem(b.source_file, f"số liệu khác với {base.source_file}{where}: "
                                    f"{vn_number(b.points)} so với {vn_number(base.points)} ({a.entity_raw}, {a.year}, tiêu chí {a.criterion_code or 'tổng'})",
                                    b.source_sheet, b.source_row, "points"))
        for col in ("rank", "n_ranked", "label", "max_points"):
            if df.at[first, col] is None:
                later = grp[col].dropna()
                if len(later):
                    df.at[first, col] = later.iloc[0]
    return df[keep].reset_index(drop=True), problems


# ---------------------------------------------------------------- writing

def os_user() -> str:
    """Who runs a command: the operating-system account (the audit's "who" at a terminal)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in a bare container
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "không rõ"


def _log(con, action: str, file: str, digest: str | None, index_code: str | None, read: int, loaded: int,
         replaced: int, note: str = "", user: str | None = None, after: int = 0) -> int:
    """One audit row; its number follows the file's last one (and ``after``, for an undo whose
    restored file does not have the rows it undid)."""
    import_id = con.execute("SELECT greatest(COALESCE(max(import_id), 0), ?) + 1 FROM import_log", [after]).fetchone()[0]
    con.execute("INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, datetime.now(), user or os_user(), action, file, digest, index_code,
                 read, loaded, replaced, note])
    return import_id


def _insert_scores(con, df: pd.DataFrame, import_id: int) -> None:
    if df.empty:
        return
    frame = df[STAGED_COLUMNS].copy()
    frame["import_id"] = import_id
    con.register("staged_scores", frame)
    con.execute("""
        INSERT INTO score (year, index_code, framework, criterion_code, entity_code, points, max_points,
                           rank, n_ranked, label, is_illustrative, derived, source_file, source_sheet,
                           source_row, source_note, import_id)
        SELECT CAST(year AS INTEGER), index_code, framework, criterion_code, entity_code,
               CAST(points AS DOUBLE), CAST(max_points AS DOUBLE), CAST(rank AS INTEGER),
               CAST(n_ranked AS INTEGER), label, CAST(is_illustrative AS BOOLEAN), FALSE,
               source_file, source_sheet, CAST(source_row AS INTEGER), source_note, import_id
        FROM staged_scores""")
    con.unregister("staged_scores")


def _derive(con, index_code: str | None) -> None:
    db.run_script(con, "derive_aggregates.sql", [index_code])


def _rank(con) -> None:
    """Every write ends here: one consistent rank order per peer group (loaders/ranking.py)."""
    from loaders import ranking

    ranking.refresh(con)


def _load_registry(con, ctx: Context) -> None:
    fw, reg = ctx.fw, ctx.reg
    con.register("t_indices", fw.indices)
    con.execute("""INSERT INTO indices SELECT index_code, name_vi, name_en, publisher, CAST("order" AS INTEGER),
                   CAST(rank_decimals AS INTEGER) FROM t_indices""")
    con.register("t_fw", fw.frameworks)
    con.execute("""INSERT INTO frameworks SELECT framework, index_code, year_from, year_to, entity_level, status,
                   total_min, total_max, total_rule, source FROM t_fw""")
    con.register("t_crit", fw.criteria)
    con.execute("""INSERT INTO criteria SELECT index_code, framework, code, parent_code, level, name_vi, name_en,
                   min_points, max_points, weight, series, assumed = 'true' FROM t_crit""")
    con.register("t_ent", reg.entities)
    con.execute("""INSERT INTO entities SELECT entity_code, name, name_en, level, NULLIF(parent_code, ''),
                   CAST(NULLIF(valid_from, '') AS DATE), CAST(NULLIF(valid_to, '') AS DATE), note FROM t_ent""")
    aliases = reg.aliases.assign(alias_key=reg.aliases.alias.map(fold))
    con.register("t_alias", aliases)
    con.execute("INSERT INTO entity_aliases SELECT alias, alias_key, entity_code, source FROM t_alias")
    con.register("t_succ", reg.successors)
    con.execute("INSERT INTO entity_successors SELECT entity_code, successor_code, CAST(effective AS DATE), note FROM t_succ")
    for t in ("t_indices", "t_fw", "t_crit", "t_ent", "t_alias", "t_succ"):
        con.unregister(t)


def _load_units(con, data_dir: Path):
    from loaders.units import UnitRegistry

    units = UnitRegistry.load(data_dir / "registry")
    read = lambda n: pd.read_csv(data_dir / "registry" / n, dtype=str, keep_default_na=False)  # noqa: E731
    u, a, m = read("units.csv"), read("unit_aliases.csv"), read("unit_members.csv")
    con.register("t_u", u)
    con.execute("INSERT INTO units SELECT unit_code, name, kind, note FROM t_u")
    con.register("t_a", a.assign(alias_key=a.alias.map(fold)))
    con.execute("INSERT INTO unit_aliases SELECT alias, alias_key, unit_code FROM t_a")
    con.register("t_m", m)
    con.execute("INSERT INTO unit_group_members SELECT group_code, member_code FROM t_m")
    for t in ("t_u", "t_a", "t_m"):
        con.unregister(t)
    return units


def plan_meta(data_dir: Path, plan_id: str, entity_code: str | None = None) -> dict:
    """Whose plan it is (data/plans.csv, or ``entity_code`` given on the command line)."""
    table = pd.read_csv(data_dir / "plans.csv", dtype=str, keep_default_na=False)
    row = table[table.plan_id == plan_id]
    meta = row.iloc[0].to_dict() if len(row) else {"plan_id": plan_id, "entity_code": "", "issuer": "", "title": "",
                                                      "year_from": "", "year_to": ""}
    if entity_code:
        meta["entity_code"] = entity_code
    if not meta["entity_code"]:
        raise ValidationFailed([Problem(plan_id, "chưa biết kế hoạch này của đơn vị nào: thêm một dòng vào "
                                                 "data/plans.csv hoặc ghi rõ --entity")])
    return meta


def load_plan_into(con, path: Path, plan_id: str, ctx: Context, units, source_name: str | None = None,
                   entity_code: str | None = None) -> int:
    """Parse, resolve and store one plan; ValidationFailed if any unit text is unresolved."""
    from loaders.crosswalk import build_crosswalk
    from loaders.plan import load_plan, resolve_plan

    meta = plan_meta(ctx.data_dir, plan_id, entity_code)
    if meta["entity_code"] not in set(ctx.reg.entities.entity_code):
        code = ctx.reg.resolve(meta["entity_code"])  # a name given on the command line
        if code is None:
            raise ValidationFailed([Problem(plan_id, "đơn vị ban hành kế hoạch: "
                                            + ctx.reg.explain_failure(meta["entity_code"]))])
        meta["entity_code"] = code
    doc = load_plan(path)
    task_map, tasks, problems = resolve_plan(doc, units, plan_id)
    if problems:
        raise ValidationFailed(problems)
    name = source_name or path.name
    con.execute("DELETE FROM plans WHERE plan_id = ?", [plan_id])
    for table in ("plan_criteria", "plan_assignments", "plan_task_items", "plan_task_units", "crosswalk"):
        con.execute(f"DELETE FROM {table} WHERE plan_id = ?", [plan_id])
    year = lambda v: int(v) if str(v).strip().isdigit() else None  # noqa: E731
    con.execute("INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [plan_id, meta["title"] or name, name, sha256(path), meta["entity_code"], meta["issuer"] or None,
                 year(meta["year_from"]), year(meta["year_to"])])
    crit = pd.DataFrame([{"plan_id": plan_id, "index_code": c.index_code, "code": c.code, "name": c.name,
                          "level": c.level, "parent_code": c.parent_code, "timing": c.timing, "location": c.location}
                         for c in doc.criteria])
    con.register("t_pc", crit)
    con.execute("INSERT INTO plan_criteria SELECT * FROM t_pc")
    con.register("t_tm", task_map)
    con.execute("""INSERT INTO plan_assignments SELECT plan_id, index_code, criterion_code, role, unit_code,
                   position, raw_text, location FROM t_tm""")
    if len(tasks):
        items = tasks.drop_duplicates("task_no")
        texts = {t.task_no: t for t in doc.tasks}
        items = items.assign(remark=items.task_no.map(lambda n: texts[n].remark if n in texts else ""))
        con.register("t_ti", items)
        con.execute("INSERT INTO plan_task_items SELECT plan_id, index_code, section, task_no, text, remark, location FROM t_ti")
        con.register("t_tu", tasks)
        con.execute("INSERT INTO plan_task_units SELECT plan_id, task_no, role, unit_code, position, raw_text FROM t_tu")
    xw = build_crosswalk(crit, ctx.fw, ctx.data_dir / "crosswalk" / "plan_crosswalk_overrides.csv")
    con.register("t_xw", xw)
    con.execute("INSERT INTO crosswalk SELECT plan_id, index_code, plan_code, framework, criterion_code, method, similarity, note FROM t_xw")
    for t in ("t_pc", "t_tm", "t_ti", "t_tu", "t_xw"):
        try:
            con.unregister(t)
        except Exception:
            pass
    return len(task_map)


def build(db_file: Path | None = None, data_dir: Path = DATA_DIR, progress: Progress = _quiet) -> dict:
    """Rebuild the whole database from data/ into a new file, then swap it in."""
    target = db.db_path(db_file)
    ctx = Context(data_dir)
    manifest = pd.read_csv(data_dir / "manifest.csv", dtype=str, keep_default_na=False)
    steps = len(manifest) + 2
    progress(f"[1/{steps}] Đọc danh mục chỉ số, đơn vị được đánh giá và đơn vị chịu trách nhiệm")
    frames, problems, loaded_files = [], [], []
    with db.writable_copy(target, fresh=True, action="build") as con:
        db.run_script(con, "schema.sql")
        _load_registry(con, ctx)
        units = _load_units(con, data_dir)
        for i, m in enumerate(manifest.itertuples(index=False), 2):
            path = data_dir / m.path
            progress(f"[{i}/{steps}] {m.path}")
            try:
                if m.reader == "plan":
                    n = load_plan_into(con, path, m.plan_id, ctx, units, m.path)
                    loaded_files.append((m.path, sha256(path), None, n, n))
                    continue
                df = read_scores(path, ctx, reader=m.reader, index_code=m.index_code or None, source_name=m.path)
                df["source_file"] = m.path  # the provenance every row carries into the database
                frames.append(df)
                loaded_files.append((m.path, sha256(path), m.index_code or None, len(df), None))
            except ValidationFailed as exc:
                problems += exc.problems
        if problems:
            raise ValidationFailed(problems)
        merged, conflicts = merge_staged(frames)
        for c in conflicts:
            progress(f"  Cảnh báo: {c}")
            con.execute("INSERT INTO source_conflicts VALUES (?, ?, ?, ?)", [c.file, c.sheet, c.row, c.message])
        progress(f"[{steps}/{steps}] Ghi {len(merged)} dòng điểm, tính tổng các cấp tiêu chí, tạo view")
        kept = merged.source_file.value_counts().to_dict()
        for path, digest, index_code, read, loaded in loaded_files:
            import_id = _log(con, "build", path, digest, index_code, read, kept.get(path, loaded or 0), 0)
            _insert_scores(con, merged[merged.source_file == path], import_id)
        _derive(con, None)
        _rank(con)
        db.run_script(con, "views.sql")
        counts = dict(con.execute("SELECT index_code, count(*) FROM score GROUP BY ALL ORDER BY 1").fetchall())
    return {"db": str(target), "rows": counts, "conflicts": conflicts}


_COMPARED = ["year", "index_code", "criterion_code", "entity_code", "points", "max_points", "rank", "n_ranked", "label"]


def _unchanged(con, df: pd.DataFrame) -> bool:
    """Whether the file states exactly what the database already holds for its (year, index,
    entity) keys: same rows, numbers equal to 6 decimals. Compared inside DuckDB (EXCEPT ALL
    both ways), since a national file has about a million rows."""
    con.register("t_new", df[_COMPARED].astype(object))
    try:
        old_n, missing, extra = con.execute("""
            WITH new AS (
                SELECT CAST(year AS INTEGER) AS y, index_code AS i, criterion_code AS c, entity_code AS e,
                       round(CAST(points AS DOUBLE), 6) AS p, round(CAST(max_points AS DOUBLE), 6) AS m,
                       CAST(rank AS INTEGER) AS r, CAST(n_ranked AS INTEGER) AS n, CAST(label AS VARCHAR) AS l
                FROM t_new),
            old AS (
                SELECT s.year AS y, s.index_code AS i, s.criterion_code AS c, s.entity_code AS e,
                       round(s.points, 6) AS p, round(s.max_points, 6) AS m, s.rank AS r, s.n_ranked AS n,
                       s.label AS l
                FROM score s SEMI JOIN (SELECT DISTINCT y, i, e FROM new) k
                     ON s.year = k.y AND s.index_code = k.i AND s.entity_code = k.e
                WHERE NOT s.derived)
            SELECT (SELECT count(*) FROM old),
                   (SELECT count(*) FROM (SELECT * FROM new EXCEPT ALL SELECT * FROM old)),
                   (SELECT count(*) FROM (SELECT * FROM old EXCEPT ALL SELECT * FROM new))""").fetchone()
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
                source_name: str | None = None, progress: Progress = _quiet) -> ImportResult:
    """Validate the whole file, then load it in one transaction into a copy and swap it in.
    Rows for the same (index, year, entity) are replaced; an identical file changes nothing."""
    target = db.db_path(db_file)
    if not target.exists():
        raise FileNotFoundError(f"chưa có cơ sở dữ liệu {target}: chạy «python -m loaders build» trước")
    ctx = Context(data_dir)
    name = source_name or path.name
    progress(f"[1/3] Kiểm tra {name}")
    df = read_scores(path, ctx, reader=reader, index_code=index_code, source_name=name)
    df = df.assign(is_illustrative=df.is_illustrative.astype(bool))
    summary = dict(rows=len(df), years=sorted(df.year.unique().tolist()), indices=sorted(df.index_code.unique().tolist()))
    digest = sha256(path)
    with db.write_lock(target):  # from reading what is there to the swap: imports queue, none is lost
        ro = db.open_read_only(target)
        try:
            unchanged = _unchanged(ro, df)
        finally:
            ro.close()
        if unchanged:
            progress("[3/3] Không có gì thay đổi: số liệu trong tệp đã có sẵn")
            return ImportResult("unchanged", replaced=0, **summary)
        progress(f"[2/3] Ghi {len(df)} dòng vào bản sao cơ sở dữ liệu")
        replaced = _write_import(target, df, name, digest, summary, user)
    progress("[3/3] Đã thay cơ sở dữ liệu bằng bản mới")
    return ImportResult("loaded", replaced=replaced, **summary)


def _write_import(target: Path, df: pd.DataFrame, name: str, digest: str, summary: dict, user: str | None) -> int:
    with db.writable_copy(target, action="import") as con:
        con.execute("BEGIN TRANSACTION")
        keys = df[["year", "index_code", "entity_code"]].drop_duplicates()
        con.register("t_keys", keys)
        replaced = con.execute("""SELECT count(*) FROM score s JOIN t_keys k USING (year, index_code, entity_code)
                                  WHERE NOT s.derived""").fetchone()[0]
        con.execute("""DELETE FROM score WHERE (year, index_code, entity_code) IN
                       (SELECT (year, index_code, entity_code) FROM t_keys)""")
        con.unregister("t_keys")
        import_id = _log(con, "import", name, digest, ",".join(summary["indices"]), len(df), len(df),
                         replaced, user=user)
        _insert_scores(con, df, import_id)
        for idx in summary["indices"]:
            _derive(con, idx)
        _rank(con)
        con.execute("COMMIT")
    return replaced


def import_plan(path: Path, plan_id: str, db_file: Path | None = None, *, user: str | None = None,
                data_dir: Path = DATA_DIR, source_name: str | None = None, entity_code: str | None = None) -> int:
    """Replace (or add) one plan's task map from a .md, .docx or .xlsx file."""
    target = db.db_path(db_file)
    ctx = Context(data_dir)
    from loaders.units import UnitRegistry

    units = UnitRegistry.load(data_dir / "registry")
    if not path.exists():
        raise ValidationFailed([Problem(source_name or path.name, "không tìm thấy tệp")])
    limits.check_file(path, source_name or path.name)
    with db.writable_copy(target, action="import-plan") as con:
        n = load_plan_into(con, path, plan_id, ctx, units, source_name or path.name, entity_code)
        _log(con, "import-plan", source_name or path.name, sha256(path), None, n, n, 0, plan_id, user)
    return n


def check_file(path: Path, *, index_code: str | None = None, reader: str = "auto",
               data_dir: Path = DATA_DIR) -> pd.DataFrame:
    return read_scores(path, Context(data_dir), reader=reader, index_code=index_code)


# ---------------------------------------------------------------- undo, backup and restore

ACTION_VI = {"build": "dựng lại từ data/", "import": "nạp tệp", "import-plan": "nạp kế hoạch", "undo": "hoàn tác",
             "restore": "khôi phục bản sao"}  # import_log.action as people read it


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
            # the newest write still in effect (undo rows describe writes that are gone already)
            last = con.execute("""SELECT import_id, imported_at, user_name, action, file, sha256 FROM import_log
                                  WHERE action <> 'undo' ORDER BY import_id DESC LIMIT 1""").df().iloc[0].to_dict()
            newest = con.execute("SELECT max(import_id) FROM import_log").fetchone()[0]
        finally:
            con.close()
        with db.writable_copy(target, action=db.UNDONE, source=earlier[0]) as con:
            when = pd.Timestamp(last["imported_at"]).strftime("%d/%m/%Y %H:%M")
            _log(con, "undo", last["file"], last["sha256"], None, 0, 0, 0,
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
        _log(con, "restore", backup.name, sha256(backup), None, rows, rows, 0, "khôi phục từ bản sao", user)
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
