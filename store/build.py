"""Building the database from data/ into a new file, then swapping it in.

Owns the write path of a rebuild: everything goes into a private copy that replaces the
live file only when everything succeeded (store/db.py), so a failed build leaves the
database exactly as it was. The import of one file is store/importing.py.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Callable

import pandas as pd

from domain.problems import Problem, ValidationFailed
from domain.text import fold, nfc
from domain.vocabulary import DATA_DIR, appendix_indices, plan_row, plan_year
from loaders.read import Context, merge_staged, read_scores
from loaders.staging import STAGED_COLUMNS
from store import db
from store.audit import log_write, sha256

Progress = Callable[[str], None]
_REPORT_COLUMNS = ("plan_id", "item_kind", "index_code", "item_code", "unit_code", "year", "period", "status",
                   "done_text", "evidence", "evidence_file", "evidence_sha256", "obstacles", "reported_by",
                   "reported_at", "is_illustrative", "import_id")


def quiet(_: str) -> None:
    """A Progress that says nothing (the default of build and import)."""


def insert_scores(con, df: pd.DataFrame, import_id: int) -> None:
    if df.empty:
        return
    con.register("staged_scores", df[STAGED_COLUMNS])
    db.run_script(con, "score_from_staged.sql", {"import_id": import_id})
    con.unregister("staged_scores")


def derive(con, index_code: str | None) -> None:
    db.run_script(con, "derive_aggregates.sql", {"index_code": index_code})


def rank(con) -> None:
    """Every write that changes scores ends here (a build, an import): one consistent rank
    order per peer group (store/ranking.py), then what the pages read per entity (precompute).
    Plans, their adoption and progress reports change no score and do not come here."""
    from store import ranking

    ranking.refresh(con)
    precompute(con)


# DuckDB's working memory while precompute runs; past it, it works on disk beside the database.
# Unbounded, computing PAR on national data took ~1 GB, which a write adds to what it holds.
PRECOMPUTE_MEMORY = "400MB"


def precompute(con) -> list[str]:
    """criterion_metrics_all, the per-entity figures every page reads (trend, rank among peers,
    peer median and best: store/sql/precompute_criterion_metrics.sql), computed again for the
    indices whose scores or ranks changed since it was last computed (all of them in a new
    database; store/sql/precompute_stale.sql). Returns those indices."""
    db.run_script(con, "views.sql")  # the figures are read through the scores view; a new database has none yet
    db.run_script(con, "precompute_stale.sql")
    stale = [code for (code,) in con.execute("SELECT index_code FROM t_stale ORDER BY index_code").fetchall()]
    con.execute("DROP TABLE t_stale")
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute(f"SET memory_limit = '{PRECOMPUTE_MEMORY}'")
    try:
        for index_code in stale:  # one index at a time: on national data, half the memory of all at once
            # in entity order: a page reads one entity's rows from a few blocks of the table
            con.execute("INSERT INTO criterion_metrics_all BY NAME SELECT * FROM (\n"
                        + db.sql("precompute_criterion_metrics.sql") + "\n) ORDER BY entity_code",
                        {"index_codes": [index_code]})
    finally:
        con.execute(f"SET memory_limit = '{limit}'")
    return stale


def load_registry(con, ctx: Context) -> None:
    fw, reg = ctx.fw, ctx.reg
    frames = {"t_indices": fw.indices, "t_fw": fw.frameworks, "t_crit": fw.criteria, "t_ent": reg.entities,
              "t_alias": reg.aliases.assign(alias_key=reg.aliases.alias.map(fold)), "t_succ": reg.successors,
              "t_names": reg.names}
    for name, frame in frames.items():
        con.register(name, frame)
    db.run_script(con, "registry.sql")
    for name in frames:
        con.unregister(name)


def load_units(con, data_dir: Path):
    from domain import office_crosswalk
    from domain.units import UnitRegistry

    units = UnitRegistry.load(data_dir / "registry")
    read = lambda n: pd.read_csv(data_dir / "registry" / n, dtype=str, keep_default_na=False)  # noqa: E731
    a, m = read("unit_aliases.csv"), read("unit_members.csv")
    # the checked values (NFC); a registry written before levels has no level column: every level
    u = pd.DataFrame([{"unit_code": x.code, "name": x.name, "kind": x.kind, "note": x.note, "level": x.level}
                      for x in units.units()], columns=["unit_code", "name", "kind", "note", "level"])
    con.register("t_u", u)
    con.execute("INSERT INTO units (unit_code, name, kind, note, level) "
                "SELECT unit_code, name, kind, note, NULLIF(level, '') FROM t_u")
    con.register("t_a", a.assign(alias_key=a.alias.map(fold)))
    con.execute("INSERT INTO unit_aliases SELECT alias, alias_key, unit_code FROM t_a")
    con.register("t_m", m)
    con.execute("INSERT INTO unit_group_members SELECT group_code, member_code FROM t_m")
    for t in ("t_u", "t_a", "t_m"):
        con.unregister(t)
    con.from_df(office_crosswalk.load(data_dir / "registry", units).replace({"commune_unit": {"": None}})).insert_into("office_crosswalk")
    return units


def plan_meta(data_dir: Path, plan_id: str, entity_code: str | None = None, *, title: str = "",
              issuer: str = "", source: str | None = None) -> dict:
    """Whose plan it is (data/plans.csv, or ``entity_code`` given on the command line) and,
    when the document's ``title`` (its first heading) and the entity's ``issuer`` («UBND xã
    Tây Đô») are given, what plans.csv leaves empty: the title, the issuer, and the period
    that the title states («… năm 2026» → 2026–2026; «giai đoạn 2026 - 2030» → 2026–2030).
    A period that neither gives is a ValidationFailed naming ``source``: never guessed."""
    from loaders.plan import plan_period

    meta = plan_row(plan_id, data_dir) or {"plan_id": plan_id, "entity_code": "", "issuer": "", "title": "",
                                           "year_from": "", "year_to": ""}
    if entity_code:
        meta["entity_code"] = entity_code
    if not meta["entity_code"]:
        raise ValidationFailed([Problem(plan_id, "chưa biết kế hoạch này của đơn vị nào: thêm một dòng vào "
                                                 "data/plans.csv hoặc ghi rõ --entity")])
    if not (title or issuer):
        return meta
    meta["title"] = meta.get("title") or title
    meta["issuer"] = meta.get("issuer") or issuer
    given = {k: str(meta.get(k, "")).strip() for k in ("year_from", "year_to")}
    if not all(v.isdigit() for v in given.values()):
        period = plan_period(title)
        if period is None:
            said = (f"tiêu đề «{title}» không ghi năm" if title else
                    "không tìm thấy tiêu đề (dòng bắt đầu bằng «Kế hoạch») để đọc năm")
            raise ValidationFailed([Problem(source or plan_id, f"không biết kế hoạch «{plan_id}» cho năm nào: {said} "
                                            "(như «năm 2026» hay «giai đoạn 2026 - 2030»); ghi năm vào tiêu đề kế "
                                            "hoạch hoặc thêm một dòng vào data/plans.csv (cột year_from, year_to)")])
        for k, year in zip(("year_from", "year_to"), period):
            meta[k] = given[k] if given[k].isdigit() else str(year)
    return meta


def _crosswalk(crit: pd.DataFrame, ctx: Context, level: str | None, year: int) -> pd.DataFrame:
    """The crosswalk of a plan read against the frameworks of ``year`` for its entity's level.
    An index that has no framework for that year yet (a 2026 plan: the province has not
    published the next method) is read against its latest framework for the level, and
    the rows say so in their note."""
    from domain.crosswalk import build_crosswalk

    overrides = ctx.data_dir / "crosswalk" / "plan_crosswalk_overrides.csv"
    parts = []
    for index_code, part in crit.groupby("index_code", sort=False):
        used = year
        if ctx.fw.framework_for(index_code, year, level) is None:
            earlier = [int(r.year_to) for r in ctx.fw.frameworks.itertuples(index=False)
                       if r.index_code == index_code and int(r.year_to) < year
                       and (level is None or level in str(r.entity_level).split("|"))]
            used = max(earlier, default=year)
        xw = build_crosswalk(part, ctx.fw, overrides, level, used)
        if used != year:
            note = f"năm {year} chưa có bộ tiêu chí: tạm dùng bộ tiêu chí áp dụng đến năm {used}"
            xw["note"] = [f"{n}; {note}" if n else note for n in xw.note]
        parts.append(xw)
    return pd.concat(parts, ignore_index=True) if parts else build_crosswalk(crit, ctx.fw, overrides, level, year)


def load_plan_into(con, path: Path, plan_id: str, ctx: Context, units, source_name: str | None = None,
                   entity_code: str | None = None) -> int:
    """Parse, resolve and store one plan; ValidationFailed if any unit text is unresolved.

    Unit cells are read against the registry of the plan entity's level (a commune plan's
    «Văn phòng HĐND và UBND» is the commune's office; «Phòng Nội vụ» of the former district
    is refused there). The period, title and issuer come from data/plans.csv, else from the
    document and the entity (plan_meta)."""
    from domain.entities import authority
    from loaders.plan import load_plan, resolve_plan

    meta = plan_meta(ctx.data_dir, plan_id, entity_code)
    if meta["entity_code"] not in set(ctx.reg.entities.entity_code):
        code = ctx.reg.resolve(meta["entity_code"])  # a name given on the command line
        if code is None:
            raise ValidationFailed([Problem(plan_id, "đơn vị ban hành kế hoạch: "
                                            + ctx.reg.explain_failure(meta["entity_code"]))])
        meta["entity_code"] = code
    level = ctx.reg.level(meta["entity_code"])
    name = source_name or path.name
    doc = load_plan(path, appendix_indices(plan_id, ctx.data_dir))
    task_map, tasks, problems = resolve_plan(doc, units.for_level(level), plan_id)
    try:
        meta = plan_meta(ctx.data_dir, plan_id, meta["entity_code"], title=doc.title, source=doc.source,
                         issuer=authority(ctx.reg.name(meta["entity_code"]), level))
    except ValidationFailed as exc:
        problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
    db.run_script(con, "delete_plan.sql", {"plan_id": plan_id})
    year = lambda v: int(v) if str(v).strip().isdigit() else None  # noqa: E731
    con.execute("INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [plan_id, meta["title"] or name, name, sha256(path), meta["entity_code"], meta["issuer"] or None,
                 year(meta["year_from"]), year(meta["year_to"])])
    crit = pd.DataFrame([{"plan_id": plan_id, "index_code": c.index_code, "code": c.code, "name": c.name,
                          "level": c.level, "parent_code": c.parent_code, "timing": c.timing, "location": c.location}
                         for c in doc.criteria],
                        columns=["plan_id", "index_code", "code", "name", "level", "parent_code", "timing", "location"])
    con.register("t_pc", crit)
    con.execute("INSERT INTO plan_criteria SELECT * FROM t_pc")
    con.register("t_tm", task_map)
    db.run_script(con, "plan_assignments.sql")
    if len(tasks):
        items = tasks.drop_duplicates("task_no")
        texts = {t.task_no: t for t in doc.tasks}
        items = items.assign(remark=items.task_no.map(lambda n: texts[n].remark if n in texts else ""))
        con.register("t_ti", items)
        con.execute("INSERT INTO plan_task_items SELECT plan_id, index_code, section, task_no, text, remark, location FROM t_ti")
        con.register("t_tu", tasks)
        con.execute("INSERT INTO plan_task_units SELECT plan_id, task_no, role, unit_code, position, raw_text FROM t_tu")
    year = int(meta["year_to"]) if str(meta.get("year_to", "")).isdigit() else plan_year(None)
    xw = _crosswalk(crit, ctx, level, year)
    con.register("t_xw", xw)
    con.execute("INSERT INTO crosswalk SELECT plan_id, index_code, plan_code, framework, criterion_code, method, similarity, note FROM t_xw")
    for t in ("t_pc", "t_tm", "t_ti", "t_tu", "t_xw"):
        try:
            con.unregister(t)
        except Exception:
            pass
    return len(task_map)


def record_adoption(con, plan_id: str, *, number: str, signed_on: date, signer: str, adopted_by: str,
                    document: str, illustrative: bool = False, at: datetime | None = None) -> None:
    """The adoption row of a plan (replacing an earlier one of the same plan)."""
    con.execute("DELETE FROM plan_adoptions WHERE plan_id = ?", [plan_id])
    con.execute("INSERT INTO plan_adoptions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [plan_id, nfc(number), signed_on, nfc(signer), adopted_by, at or datetime.now(), document,
                 illustrative])


def shipped_adoption(con, plan_id: str, name: str, data_dir: Path) -> None:
    """A plan shipped as adopted (data/plans.csv gives its number, signed_on and signer: the
    illustrative 2026 plan of xã Vĩnh Lộc) gets its adoption row, as store.adoption writes
    it in the app; one shipped under illustrative/ is marked illustrative."""
    row = plan_row(plan_id, data_dir) or {}
    if not str(row.get("signed_on", "")).strip():
        return
    illustrative = name.startswith("illustrative/")
    signed_on = date.fromisoformat(row["signed_on"])
    record_adoption(con, plan_id, number=row.get("number", ""), signed_on=signed_on, signer=row.get("signer", ""),
                    adopted_by="minh họa" if illustrative else "dựng từ data/", document=Path(name).name,
                    illustrative=illustrative, at=datetime(signed_on.year, signed_on.month, signed_on.day, 9, 0))


def load_progress_into(con, path: Path, name: str) -> int:
    """Progress reports shipped in data/ (the illustrative ones, under illustrative/): read with
    the template's reader and checked against the plan's duties like an upload. The report
    date is the period's due date, so that «who reported when» reads naturally."""
    from domain import progress as vocab
    from loaders.progress import read_progress
    from store.progress import check_reports, insert_reports

    rows = read_progress(path, name)
    problems = check_reports(con, rows, file=name)
    if problems:
        raise ValidationFailed(problems)
    illustrative = name.startswith("illustrative/")
    for (year, period), part in rows.groupby(["year", "period"]):
        due = vocab.period(period).due(int(year))
        insert_reports(con, part, user="minh họa" if illustrative else "dựng từ data/", import_id=None,
                       illustrative=illustrative, at=datetime(due.year, due.month, due.day, 9, 0))
    return len(rows)


PLAN_TABLES = ("plans", "plan_criteria", "plan_assignments", "plan_task_items", "plan_task_units", "crosswalk",
               "plan_adoptions")


def _carry(con, old: Path, copy: Callable[[], int]) -> int:
    """Run ``copy()`` with the database being replaced attached as ``old_db`` (read-only); 0
    without a readable old file (a corrupt one: the rebuild goes on, its snapshot keeps it)."""
    if not old.exists():
        return 0
    quoted = str(old).replace("'", "''")
    try:
        con.execute(f"ATTACH '{quoted}' AS old_db (READ_ONLY)")
    except Exception:  # noqa: BLE001 - a corrupt old file: the rebuild goes on without it
        return 0
    try:
        return copy()
    finally:
        con.execute("DETACH old_db")


def _old_columns(con, table: str) -> list[str]:
    """The columns of ``table`` in the attached old database, in order; [] when it has no such table."""
    return [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = 'old_db' "
                                      "AND table_name = ? ORDER BY column_index", [table]).fetchall()]


def carry_plans(con, old: Path) -> int:
    """Copy the plans adopted in the app (plan_adoptions rows of the database being replaced,
    whose plan data/ does not ship) into the new one, every table of each as it was: a rebuild
    must not lose a commune's plan of record, nor the duties its offices report on. Returns how
    many plans were kept (0 without a readable old file: its snapshot still holds them)."""
    def copy() -> int:
        if not all(_old_columns(con, t) for t in PLAN_TABLES):
            return 0
        con.execute("CREATE TEMP TABLE t_carried AS SELECT a.plan_id FROM old_db.plan_adoptions a "
                    "WHERE a.plan_id NOT IN (SELECT plan_id FROM plans)")
        for table in PLAN_TABLES:
            new = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = "
                                             "current_database() AND table_name = ?", [table]).fetchall()}
            shared = ", ".join(c for c in _old_columns(con, table) if c in new)
            con.execute(f"INSERT INTO {table} ({shared}) SELECT {shared} FROM old_db.{table} "
                        "WHERE plan_id IN (SELECT plan_id FROM t_carried)")
        n = con.execute("SELECT count(*) FROM t_carried").fetchone()[0]
        con.execute("DROP TABLE t_carried")
        return n

    return _carry(con, old, copy)


def carry_reports(con, old: Path) -> int:
    """Copy the progress reports of the database being replaced into the new one: they were
    typed by people, not read from data/, so a rebuild (``make run`` after an update) must not
    lose them (the illustrative ones are read from data/ again). Returns how many were kept (0
    when there is no old file or it cannot be read: its snapshot still holds them)."""
    def copy() -> int:
        cols = _old_columns(con, "progress_reports")
        if not cols:
            return 0
        shared = ", ".join(c for c in cols if c in _REPORT_COLUMNS)
        # the illustrative reports come again from data/; a real one replaces one on its key
        con.execute(f"CREATE TEMP TABLE t_kept AS SELECT {shared} FROM old_db.progress_reports WHERE NOT is_illustrative")
        con.execute("DELETE FROM progress_reports p USING t_kept k WHERE " +
                    " AND ".join(f"p.{c} = k.{c}" for c in _REPORT_COLUMNS[:7]))
        con.execute(f"INSERT INTO progress_reports ({shared}) SELECT {shared} FROM t_kept")
        # their write numbers belonged to the old log, which the rebuild starts afresh
        con.execute("UPDATE progress_reports SET import_id = NULL WHERE NOT is_illustrative")
        n = con.execute("SELECT count(*) FROM t_kept").fetchone()[0]
        con.execute("DROP TABLE t_kept")
        return n

    return _carry(con, old, copy)


def build(db_file: Path | None = None, data_dir: Path = DATA_DIR, progress: Progress = quiet) -> dict:
    """Rebuild the whole database from data/ into a new file, then swap it in."""
    target = db.db_path(db_file)
    ctx = Context(data_dir)
    manifest = pd.read_csv(data_dir / "manifest.csv", dtype=str, keep_default_na=False)
    steps = len(manifest) + 2
    progress(f"[1/{steps}] Đọc danh mục chỉ số, đơn vị được đánh giá và đơn vị chịu trách nhiệm")
    frames, problems, loaded_files = [], [], []
    with db.writable_copy(target, fresh=True, action="build", limits=ctx.limits) as con:
        db.run_script(con, "schema.sql")
        load_registry(con, ctx)
        units = load_units(con, data_dir)
        for i, m in enumerate(manifest.itertuples(index=False), 2):
            path = data_dir / m.path
            progress(f"[{i}/{steps}] {m.path}")
            try:
                if m.reader == "progress":
                    n = load_progress_into(con, path, m.path)
                    loaded_files.append((m.path, sha256(path), None, n, n))
                    continue
                if m.reader == "plan":
                    n = load_plan_into(con, path, m.plan_id, ctx, units, m.path)
                    shipped_adoption(con, m.plan_id, m.path, data_dir)
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
            import_id = log_write(con, "build", path, digest, index_code, read, kept.get(path, loaded or 0), 0)
            insert_scores(con, merged[merged.source_file == path], import_id)
        derive(con, None)
        rank(con)
        kept_plans = carry_plans(con, target)  # before the reports: they are reports on those plans
        if kept_plans:
            progress(f"  Giữ {kept_plans} kế hoạch đã ban hành trong ứng dụng của cơ sở dữ liệu cũ")
        kept_reports = carry_reports(con, target)
        if kept_reports:
            progress(f"  Giữ {kept_reports} báo cáo tiến độ của cơ sở dữ liệu cũ")
        db.run_script(con, "views.sql")
        counts = dict(con.execute("SELECT index_code, count(*) FROM score GROUP BY ALL ORDER BY 1").fetchall())
    return {"db": str(target), "rows": counts, "conflicts": conflicts}
