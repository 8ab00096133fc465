"""Drill-down by responsible unit: its tasks in section II.1 and its criteria's trends, from
the plans of the assessed entity being looked at (plans.entity_code) and no other's. An entity
without a plan of its own (a commune formed on 1/7/2025) gets instead the duties proposed from
its predecessor's plan (metrics/proposals.py), flagged ``proposed`` and said to be proposals."""
from __future__ import annotations

import re

import pandas as pd

from domain.entities import authority
from domain.vocabulary import INDEX_LABEL, index_rank
from metrics import catalog, criteria, proposals
from metrics.sql_files import sql


def unit_tasks(con, unit_code: str, entity_code: str | None = None) -> pd.DataFrame:
    """The II.1 tasks a unit leads or supports, directly or through a group it belongs to,
    in the plans of ``entity_code`` (None: of every entity)."""
    return con.execute(sql("unit_tasks.sql"), {"unit_code": unit_code, "entity_code": entity_code}).df()


def entity_plans(con, entity_code: str) -> pd.DataFrame:
    """The entity's plans (title, issuer, period) with the sections of their focus tasks."""
    return con.execute(sql("entity_plans.sql"), {"entity_code": entity_code}).df()


def _has_own_plan(con, entity_code: str) -> bool:
    return bool(len(catalog.plans(con, entity_code)))


def unit_status(con, unit_code: str, entity_code: str, year: int | None = None) -> pd.DataFrame:
    """``criteria.unit_status`` limited to the entity's own plans: a unit named in a district's
    plan answers nothing for a commune's scores (a generic group such as «Các đơn vị liên
    quan» is named in both). An entity without a plan of its own gets the unit's duties under
    the proposal from its predecessor's plan (proposals.unit_status). ``proposed`` says which."""
    if not _has_own_plan(con, entity_code):
        return proposals.unit_status(con, unit_code, entity_code, year)
    duties = criteria.unit_status(con, unit_code, entity_code, year)
    return duties[duties.plan_id.isin(entity_plans(con, entity_code).plan_id)].reset_index(drop=True).assign(proposed=False)


def _authority(con, entity_code: str) -> tuple[str, str | None, str]:
    """(«UBND xã Tây Đô», level, «Xã Tây Đô») of an entity; the code itself when unknown."""
    row = con.execute(sql("catalog_entity.sql"), {"entity_code": entity_code}).fetchone()
    if row is None:
        return entity_code, None, entity_code
    _, name, level = row
    return authority(name, level), level, name


def units_by_duties(con, entity_code: str) -> pd.DataFrame:
    """The units the «Đơn vị» page offers for the entity (metrics.catalog.units) with what each
    owes in the entity's own plans — ``n_criteria`` plan criteria and ``n_tasks`` focus tasks,
    directly or through a group — and ``has_duties``; the units with duties first, each part in
    the catalog's order. Without a plan of its own, ``n_criteria`` counts the criteria proposed
    from the predecessor's plan (``proposed`` True on every row; no focus task is proposed);
    with neither, no unit has duties."""
    units = catalog.units(con, entity_code)
    counts = con.execute(sql("unit_duty_counts.sql"), {"entity_code": entity_code}).df()
    out = units.merge(counts, on="unit_code", how="left")
    for col in ("n_criteria", "n_tasks"):
        out[col] = out[col].fillna(0).astype(int)
    prop = None if _has_own_plan(con, entity_code) else proposals.proposal(con, entity_code)
    out["proposed"] = prop is not None and not prop.empty
    if out.proposed.any():
        out["n_criteria"] = [len(_proposed_criteria(con, prop, u)) for u in out.unit_code]
    out["has_duties"] = (out.n_criteria + out.n_tasks) > 0
    return out.sort_values("has_duties", ascending=False, kind="stable").reset_index(drop=True)


def _groups_of(con, unit_code: str) -> dict[str, str]:
    """{group code: group name} of the groups a unit is a member of."""
    return dict(con.execute(sql("unit_groups.sql"), {"unit_code": unit_code}).fetchall())


def _proposed_criteria(con, prop: proposals.Proposal, unit_code: str) -> pd.DataFrame:
    """The rows of ``prop.units`` that name the unit or a group it belongs to, one per plan
    criterion (plan, index, the plan's code): what proposals.unit_status lists for it and
    ``duty_sections`` shows once each."""
    mine = {unit_code, *_groups_of(con, unit_code)}
    rows = prop.units[[bool(mine & {*lead, *support}) for lead, support in zip(prop.units.lead_codes,
                                                                                prop.units.support_codes)]]
    key = [(p[0] if p else None, i, c[0] if c else code)
           for p, i, c, code in zip(rows.plan_ids, rows.index_code, rows.plan_codes, rows.criterion_code)]
    return rows.assign(_key=key).drop_duplicates("_key").drop(columns="_key")


def unit_label(name: str, n_criteria: int, n_tasks: int, proposed: bool = False) -> str:
    """The picker's line for a unit: «Phòng Tư pháp — 5 tiêu chí, 2 nhiệm vụ», «Công an xã —
    không có việc được giao»; with ``proposed`` «Phòng Kinh tế — 30 tiêu chí đề xuất», «… —
    không có việc được đề xuất»."""
    parts = [f"{n} {what}" for n, what in ((n_criteria, "tiêu chí"), (n_tasks, "nhiệm vụ")) if n]
    if proposed:
        return f"{name} — " + (", ".join(parts) + " đề xuất" if parts else "không có việc được đề xuất")
    return f"{name} — " + (", ".join(parts) if parts else "không có việc được giao")


def no_duties_note(con, entity_code: str) -> str:
    """The one line of an entity where no unit has duties, with what to do about it."""
    who, _, name = _authority(con, entity_code)
    if not len(entity_plans(con, entity_code)):
        return (f"{criteria.NO_PLAN[:1].upper()}{criteria.NO_PLAN[1:]} của {who}, nên chưa cơ quan nào có tiêu chí "
                "hay nhiệm vụ để xem. Cần làm: ban hành kế hoạch ở trang «Trọng tâm năm tới» (cơ quan đầu mối đăng "
                "nhập, mục «Ban hành kế hoạch năm … trong ứng dụng»), hoặc nạp bằng lệnh python -m loaders import-plan "
                f"TỆP --plan-id MÃ --entity \"{name}\".")
    return (f"Kế hoạch của {who} chưa giao tiêu chí hay nhiệm vụ nào cho cơ quan nào: kiểm tra các cột «Cơ quan "
            "chủ trì», «Cơ quan phối hợp» của kế hoạch rồi nạp lại.")


def unit_without_duties_note(con, entity_code: str, unit_name: str) -> str:
    """The one line of a chosen unit that the entity's plans (or, without one, the proposal
    from its predecessor's plan) give nothing to."""
    who, _, _ = _authority(con, entity_code)
    if not _has_own_plan(con, entity_code):
        prop = proposals.proposal(con, entity_code)
        if not prop.empty:
            return (f"{unit_name} không có tiêu chí nào, kể cả qua nhóm, trong đề xuất từ {proposals.plans_text(prop)}; "
                    f"{who} chưa có kế hoạch riêng, các cơ quan có việc đề xuất đứng đầu danh sách.")
    return (f"{unit_name} không được giao tiêu chí hay nhiệm vụ nào trong kế hoạch của {who} (kể cả qua nhóm); "
            "các cơ quan có việc đứng đầu danh sách.")


def proposal_note(con, entity_code: str, unit_code: str) -> str:
    """The one line over a unit's proposed duties: they are proposals, not yet an assignment;
    from which plan; which former offices' work the unit (or a group of it) takes over through
    data/registry/office_crosswalk.csv, and which of those steps rest on no document. Empty when
    the entity has a plan of its own or nothing is proposed."""
    if _has_own_plan(con, entity_code):
        return ""
    prop = proposals.proposal(con, entity_code)
    if prop.empty:
        return ""
    who, _, _ = _authority(con, entity_code)
    own = set(catalog.units(con, entity_code).query("unit_code == @unit_code").name)
    names = own | set(_groups_of(con, unit_code).values())
    steps: dict[str, dict[str, bool]] = {}  # new unit → {former unit: rests on a document}
    for ms in _proposed_criteria(con, prop, unit_code).mappings:
        for m in ms:
            if m["unit"] in names:
                sourced = steps.setdefault(m["unit"], {})
                sourced[m["from_unit"]] = sourced.get(m["from_unit"], True) and m["status"] == proposals.SOURCED
    if not steps:
        return ""
    takes = "; ".join(f"«{unit}» thay " + ", ".join(f"«{f}»" + ("" if ok else " (chưa có văn bản làm căn cứ, chỉ là đề xuất)")
                                                    for f, ok in sorted(froms.items()))
                      for unit, froms in sorted(steps.items(), key=lambda kv: (kv[0] not in own, kv[0])))
    return (f"{criteria.NO_PLAN[:1].upper()}{criteria.NO_PLAN[1:]} của {who}: các tiêu chí dưới đây là đề xuất, chưa "
            f"phải phân công, lấy từ {proposals.plans_text(prop)} theo bảng đối chiếu {proposals.CROSSWALK_FILE}: {takes}.")


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


# ---------------------------------------------------------------- the page's sections

LEAD, SUPPORT, GROUP = "lead", "support", "group"  # the page's three sections, in this order
SECTION_TITLE = {LEAD: "Chủ trì (giao trực tiếp)", SUPPORT: "Phối hợp (giao trực tiếp)", GROUP: "Qua nhóm chung"}
ROLE_VI = {"lead": "chủ trì", "support": "phối hợp"}


def _natural(code) -> list:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|[^\d.]+", str(code))]


def _strength(role: str, via_group) -> int:
    """0 = leads directly, 1 = supports directly, 2 = leads through a group, 3 = supports through one."""
    return (0 if role == "lead" else 1) + (2 if isinstance(via_group, str) and via_group else 0)


def group_title(duties: pd.DataFrame) -> str:
    """«Qua nhóm chung («Các phòng, ban, ngành, đơn vị cấp huyện»)»: the groups named."""
    groups = list(dict.fromkeys(g for g in duties.get("via_group", pd.Series(dtype=object)) if isinstance(g, str) and g))
    return SECTION_TITLE[GROUP] + (" (" + ", ".join(f"«{g}»" for g in groups) + ")" if groups else "")


def duty_sections(duties: pd.DataFrame) -> pd.DataFrame:
    """A unit's duties (unit_status) as the page's sections: each plan criterion once, in the
    strongest way it is given — led directly (LEAD), else supported directly (SUPPORT), else
    through a generic group (GROUP) — with what else the unit owes on it in ``note``
    («cũng phối hợp»). Ordered by section, then index (the product's order), then code.

    Adds ``section``, ``note``, ``code`` (the plan's code, with the published one when it
    differs: «2.1 (SC21)») and keeps ``role`` (the role of the kept row) and, in GROUP,
    ``via_group`` (the groups it comes through, joined; None in the direct sections)."""
    cols = list(duties.columns) + ["section", "note", "code"]
    if duties.empty:
        return pd.DataFrame(columns=cols)
    d = duties.copy()
    d["_s"] = [_strength(r, g) for r, g in zip(d.role, d.via_group)]
    d["_k"] = list(zip(d.plan_id, d.index_code, d.plan_code))
    rows = []
    for _, part in d.groupby("_k", sort=False):
        part = part.sort_values("_s", kind="stable")
        best = part.iloc[0].copy()
        best["section"] = [LEAD, SUPPORT, GROUP, GROUP][int(best._s)]
        notes = []
        for s in sorted(set(part._s) - {best._s}):
            role = ROLE_VI["lead" if s in (0, 2) else "support"]
            # a group duty under a direct one says so; in the group section every row is through a group
            notes.append(f"cũng {role} qua nhóm" if s >= 2 and best._s < 2 else f"cũng {role}")
        best["note"] = "; ".join(dict.fromkeys(notes))
        groups = [g for g in part.via_group if isinstance(g, str) and g]
        best["via_group"] = "; ".join(dict.fromkeys(groups)) if best.section == GROUP else None
        rows.append(best)
    out = pd.DataFrame(rows)
    pub = out.published_code
    out["code"] = [str(p) if not isinstance(c, str) or c == p or not c else f"{p} ({c})"
                   for p, c in zip(out.plan_code, pub)]
    out["_order"] = [({LEAD: 0, SUPPORT: 1, GROUP: 2}[s], index_rank(i), _natural(p))
                     for s, i, p in zip(out.section, out.index_code, out.plan_code)]
    out = out.iloc[sorted(range(len(out)), key=lambda i: out["_order"].iloc[i])]
    return out.drop(columns=["_s", "_k", "_order"]).reset_index(drop=True)[cols]


def short_text(text: object, width: int = 68) -> str:
    """The first sentence or clause of a task (up to ``width`` characters), cut at a word with
    «…» when longer: a line to recognise it by, the full text on demand."""
    text = " ".join(str(text).split())
    for stop in (". ", "; "):
        head = text.split(stop, 1)[0]
        if len(head) <= width and head != text:
            return head.rstrip(".;") + " …"
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0]
    return cut.rstrip(",;.:") + " …"


def task_groups(tasks: pd.DataFrame) -> pd.DataFrame:
    """A unit's tasks (unit_tasks) once each, under ``role`` lead if it leads them in any way,
    else support; the ones given to it directly first, then those through a group (``via``:
    «trực tiếp» or «qua nhóm chung», and ``via_group``, the group's name), each in plan order;
    ``note`` for the other role («cũng phối hợp trực tiếp»); ``summary``, a short first line."""
    cols = ["plan_id", "index_code", "section", "task_no", "role", "via", "via_group", "note", "summary", "text"]
    if tasks.empty:
        return pd.DataFrame(columns=cols)
    t = tasks.reset_index(drop=True).copy()
    t["_pos"] = range(len(t))
    rows = []
    for _, part in t.groupby(["plan_id", "task_no"], sort=False):
        part = part.assign(_s=[_strength(r, g) for r, g in zip(part.role, part.via_group)])
        lead = part[part.role == "lead"]
        mine = lead if len(lead) else part
        best = mine.sort_values("_s", kind="stable").iloc[0]
        direct = not (isinstance(best.via_group, str) and best.via_group)
        other = part[part.role != best.role]
        note = ""
        if len(other):
            o = other.sort_values("_s", kind="stable").iloc[0]
            o_direct = not (isinstance(o.via_group, str) and o.via_group)
            note = f"cũng {ROLE_VI[o.role]} {'trực tiếp' if o_direct else 'qua nhóm'}"
        rows.append({"plan_id": best.plan_id, "index_code": best.index_code, "section": best.section,
                     "task_no": best.task_no, "role": best.role,
                     "via": "trực tiếp" if direct else "qua nhóm chung", "via_group": None if direct else best.via_group,
                     "note": note,
                     "summary": short_text(best.text), "text": best.text,
                     "_order": (0 if best.role == "lead" else 1, 0 if direct else 1, int(part._pos.min()))})
    out = pd.DataFrame(rows)
    out = out.iloc[sorted(range(len(out)), key=lambda i: out["_order"].iloc[i])]
    return out[cols].reset_index(drop=True)


def status_text(no_data: bool, declining: bool, low_ranked: bool) -> str:
    """«không có số liệu», «đang giảm, hạng thấp» or «ổn»."""
    if no_data:
        return "không có số liệu"
    return ", ".join(x for x, on in (("đang giảm", declining), ("hạng thấp", low_ranked)) if on) or "ổn"


def duty_table(duties: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """``duty_sections`` ready to show: the index's label, the status in words, the % of the
    maximum by year (``trend``, for a sparkline) and ``role_vi`` («Chủ trì», «Phối hợp»).
    ``metrics``: criteria.criterion_metrics of the entity (all indices)."""
    d = duty_sections(duties)
    extra = ["index_label", "status", "trend", "role_vi", "flagged"]
    if d.empty:
        return pd.DataFrame(columns=list(d.columns) + extra)
    trend = pct_trends(metrics).rename(columns={"criterion_code": "published_code"})
    d = d.merge(trend, on=["index_code", "framework", "published_code"], how="left")
    d["index_label"] = d.index_code.map(lambda c: INDEX_LABEL.get(c, c))
    d["status"] = [status_text(nd, de, lo) for nd, de, lo in zip(d.no_data, d.declining, d.low_ranked)]
    d["trend"] = [[float(x) for x in v if x == x] if isinstance(v, (list, tuple)) or hasattr(v, "tolist") else []
                  for v in d.trend]
    d["role_vi"] = d.role.map(lambda r: ROLE_VI.get(r, r).capitalize())
    d["flagged"] = (d.declining | d.low_ranked) & ~d.no_data
    return d
