"""Drill-down by responsible unit: its tasks in section II.1 and its criteria's trends, from
the plans of the assessed entity being looked at (plans.entity_code) and no other's."""
from __future__ import annotations

import pandas as pd

from domain.entities import LEVEL_LABEL, authority
from metrics import core
from metrics.core import sql


def unit_tasks(con, unit_code: str, entity_code: str | None = None) -> pd.DataFrame:
    """The II.1 tasks a unit leads or supports, directly or through a group it belongs to,
    in the plans of ``entity_code`` (None: of every entity)."""
    return con.execute(sql("unit_tasks.sql"), {"unit_code": unit_code, "entity_code": entity_code}).df()


def entity_plans(con, entity_code: str) -> pd.DataFrame:
    """The entity's plans (title, issuer, period) with the sections of their focus tasks."""
    return con.execute(sql("entity_plans.sql"), {"entity_code": entity_code}).df()


def unit_status(con, unit_code: str, entity_code: str, year: int | None = None) -> pd.DataFrame:
    """``core.unit_status`` limited to the entity's own plans: a unit named in a district's
    plan answers nothing for a commune's scores (a generic group such as «Các đơn vị liên
    quan» is named in both)."""
    duties = core.unit_status(con, unit_code, entity_code, year)
    return duties[duties.plan_id.isin(entity_plans(con, entity_code).plan_id)].reset_index(drop=True)


def no_plan_note(con, entity_code: str) -> str:
    """«Chưa có kế hoạch giao việc của UBND xã Tây Đô: …» for an entity without a plan."""
    row = con.execute("SELECT name, level FROM entities WHERE entity_code = ?", [entity_code]).fetchone()
    who, level = (authority(row[0], row[1]), row[1]) if row else (entity_code, None)
    listed = (f"danh sách là các cơ quan {LEVEL_LABEL[level]} và các nhóm dùng chung trong danh mục đơn vị"
              if level in LEVEL_LABEL else "danh sách là các nhóm dùng chung trong danh mục đơn vị")
    return (f"{core.NO_PLAN[:1].upper()}{core.NO_PLAN[1:]} của {who}: {listed} "
            "(data/registry/units.csv); nạp kế hoạch để biết ai chủ trì, phối hợp tiêu chí nào.")


def _sections(sections: list[str]) -> str:
    """'1.1', '1.2', '1.3' → «mục II.1.1–II.1.3»; '1.1', '1.3' → «mục II.1.1, II.1.3» (the
    parser reads the tasks of part II, item 1, of a plan)."""
    if not sections:
        return ""
    labels = [f"II.{s}" for s in sections]
    heads = {s.rpartition(".")[0] for s in sections}
    tails = [s.rpartition(".")[2] for s in sections]
    consecutive = (len(heads) == 1 and all(t.isdigit() for t in tails)
                   and [int(t) for t in tails] == list(range(int(tails[0]), int(tails[0]) + len(tails))))
    if len(labels) > 2 and consecutive:
        return f"mục {labels[0]}–{labels[-1]}"
    return "mục " + ", ".join(labels)


def task_heading(plans: pd.DataFrame, n_tasks: int) -> tuple[str, str]:
    """(subheader, caption) of the focus tasks, from the entity's plans: no year, plan or unit
    name written in code."""
    sections = sorted({s for ss in plans.sections for s in list(ss)})
    where = _sections(sections)
    subheader = f"Nhiệm vụ trọng tâm ({where}) — {n_tasks}" if where else f"Nhiệm vụ trọng tâm — {n_tasks}"
    sources = []
    for p in plans.itertuples():
        text = f"{p.title} ({p.issuer})" if isinstance(p.issuer, str) and p.issuer else str(p.title)
        part = _sections(list(p.sections))
        sources.append(f"{text}, {part}" if part else f"{text} (không có mục nhiệm vụ trọng tâm)")
    return subheader, "Nguồn: " + "; ".join(sources)


def pct_trends(metrics: pd.DataFrame) -> pd.DataFrame:
    """% of maximum by year for each published criterion (for sparklines), from an entity's
    criterion_metrics (which the page already has, cached)."""
    m = metrics[metrics.criterion_code.notna()].sort_values("year")
    return (m.groupby(["index_code", "framework", "criterion_code"], sort=False).pct
            .agg(list).rename("trend").reset_index())
