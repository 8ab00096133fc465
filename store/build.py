"""Building the database from data/ into a new file, then swapping it in.

Owns the write path of a rebuild: everything goes into a private copy that replaces the
live file only when everything succeeded (store/db.py), so a failed build leaves the
database exactly as it was. The import of one file is store/importing.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from domain.problems import Problem, ValidationFailed
from domain.text import fold
from domain.vocabulary import DATA_DIR, appendix_indices, plan_row, plan_year
from loaders.read import Context, merge_staged, read_scores
from loaders.staging import STAGED_COLUMNS
from store import db
from store.audit import log_write, sha256

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def insert_scores(con, df: pd.DataFrame, import_id: int) -> None:
    if df.empty:
        return
    con.register("staged_scores", df[STAGED_COLUMNS])
    db.run_script(con, "score_from_staged.sql", {"import_id": import_id})
    con.unregister("staged_scores")


def derive(con, index_code: str | None) -> None:
    db.run_script(con, "derive_aggregates.sql", {"index_code": index_code})


def rank(con) -> None:
    """Every write ends here: one consistent rank order per peer group (store/ranking.py)."""
    from store import ranking

    ranking.refresh(con)


def load_registry(con, ctx: Context) -> None:
    fw, reg = ctx.fw, ctx.reg
    frames = {"t_indices": fw.indices, "t_fw": fw.frameworks, "t_crit": fw.criteria, "t_ent": reg.entities,
              "t_alias": reg.aliases.assign(alias_key=reg.aliases.alias.map(fold)), "t_succ": reg.successors}
    for name, frame in frames.items():
        con.register(name, frame)
    db.run_script(con, "registry.sql")
    for name in frames:
        con.unregister(name)


def load_units(con, data_dir: Path):
    from domain.units import UnitRegistry

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
    meta = plan_row(plan_id, data_dir) or {"plan_id": plan_id, "entity_code": "", "issuer": "", "title": "",
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
    from domain.crosswalk import build_crosswalk
    from loaders.plan import load_plan, resolve_plan

    meta = plan_meta(ctx.data_dir, plan_id, entity_code)
    if meta["entity_code"] not in set(ctx.reg.entities.entity_code):
        code = ctx.reg.resolve(meta["entity_code"])  # a name given on the command line
        if code is None:
            raise ValidationFailed([Problem(plan_id, "đơn vị ban hành kế hoạch: "
                                            + ctx.reg.explain_failure(meta["entity_code"]))])
        meta["entity_code"] = code
    doc = load_plan(path, appendix_indices(plan_id, ctx.data_dir))
    task_map, tasks, problems = resolve_plan(doc, units, plan_id)
    if problems:
        raise ValidationFailed(problems)
    name = source_name or path.name
    db.run_script(con, "delete_plan.sql", {"plan_id": plan_id})
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
    db.run_script(con, "plan_assignments.sql")
    if len(tasks):
        items = tasks.drop_duplicates("task_no")
        texts = {t.task_no: t for t in doc.tasks}
        items = items.assign(remark=items.task_no.map(lambda n: texts[n].remark if n in texts else ""))
        con.register("t_ti", items)
        con.execute("INSERT INTO plan_task_items SELECT plan_id, index_code, section, task_no, text, remark, location FROM t_ti")
        con.register("t_tu", tasks)
        con.execute("INSERT INTO plan_task_units SELECT plan_id, task_no, role, unit_code, position, raw_text FROM t_tu")
    level = ctx.reg.level(meta["entity_code"])
    year = int(meta["year_to"]) if str(meta.get("year_to", "")).isdigit() else plan_year(None)
    xw = build_crosswalk(crit, ctx.fw, ctx.data_dir / "crosswalk" / "plan_crosswalk_overrides.csv", level, year)
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
        load_registry(con, ctx)
        units = load_units(con, data_dir)
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
            import_id = log_write(con, "build", path, digest, index_code, read, kept.get(path, loaded or 0), 0)
            insert_scores(con, merged[merged.source_file == path], import_id)
        derive(con, None)
        rank(con)
        db.run_script(con, "views.sql")
        counts = dict(con.execute("SELECT index_code, count(*) FROM score GROUP BY ALL ORDER BY 1").fetchall())
    return {"db": str(target), "rows": counts, "conflicts": conflicts}
