"""Responsible units proposed for the criteria an entity's own plans do not assign.

A commune formed on 1/7/2025 has, until it issues its own plan, only its predecessor's: the
former district's plan (VL-2023-2025 for the three communes of Vĩnh Lộc), whose offices no
longer exist. ``proposal`` carries each unit that plan assigns to the unit of the commune that
took over its work (data/registry/office_crosswalk.csv, table office_crosswalk) and says, for
each criterion, where the proposal came from and whether every step rests on a source
(«căn cứ») or some are the product's own proposal («đề xuất»). Once the commune adopts a plan
of its own, that plan wins on every criterion it assigns; the proposal still fills the others
(a weak criterion the year's plan did not take up). The SQL is metrics/sql/proposed_units.sql.

Who uses it: «Trọng tâm năm tới» (``with_units``, ``note``, ``choices``), the draft task table
and plan (exports.briefing.chosen_criteria), and the «Đơn vị» page (``unit_status``: a
commune office's duties under the proposal, in the columns of ``criteria.unit_status``).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain.entities import authority
from domain.frameworks import criterion_name_for
from metrics import catalog, criteria
from metrics.lineage import vn_date
from metrics.sql_files import sql

CROSSWALK_FILE = "data/registry/office_crosswalk.csv"
SOURCED, PROPOSED = "căn cứ", "đề xuất"
_KEY = ["index_code", "framework", "criterion_code"]


@dataclass(frozen=True)
class Proposal:
    """``units``: one row per published criterion (metrics/sql/proposed_units.sql); ``sources``:
    the predecessors' plans they came from (metrics/sql/proposal_sources.sql). Both empty
    when the entity has no predecessor with a plan."""
    entity_code: str
    units: pd.DataFrame
    sources: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.units.empty


def proposal(con, entity_code: str) -> Proposal:
    params = {"entity_code": entity_code}
    units = con.execute(sql("proposed_units.sql"), params).df()
    for col in ("lead_units", "support_units", "lead_codes", "support_codes", "plan_ids", "plan_codes",
                "from_units", "mappings", "proposed_units", "dropped_units"):
        units[col] = units[col].map(_as_list)
    return Proposal(entity_code, units, con.execute(sql("proposal_sources.sql"), params).df())


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else []


def one_lead(lead: list[str], support: list[str]) -> tuple[list[str], list[str]]:
    """One lead unit, as a commune plan's annex gives each task (and as the page's choice list
    takes it): the first lead; the other leads go first among the supporting units, each unit
    named once."""
    lead, support = list(lead), list(support)
    if len(lead) <= 1:
        return lead, [u for u in dict.fromkeys(support) if u not in lead]
    return lead[:1], [u for u in dict.fromkeys(lead[1:] + support) if u != lead[0]]


def with_units(focus: pd.DataFrame, prop: Proposal) -> pd.DataFrame:
    """``focus`` (criteria.focus_list, or rows with its columns) with the proposed units in
    ``lead_units`` / ``support_units`` where it has none, one lead each (``one_lead``), and
    ``units_proposed`` True on those rows. Rows that have units, and every row when there is
    no proposal, are left as they are."""
    out = focus.copy()
    out["units_proposed"] = False
    if prop.empty or out.empty:
        return out
    units = prop.units.set_index(_KEY)
    for i, r in out.iterrows():
        key = (r.index_code, r.framework, r.criterion_code)
        if _as_list(r.lead_units) or _as_list(r.support_units) or key not in units.index:
            continue
        p = units.loc[key]
        lead, support = one_lead(p.lead_units, p.support_units)
        out.at[i, "lead_units"], out.at[i, "support_units"] = lead, support
        out.at[i, "units_proposed"] = True
    return out


def note(prop: Proposal, rows: pd.DataFrame | None = None) -> str:
    """The sentence that says the units are proposed, from which plan, through which table, and
    which steps rest on no source — for the criteria of ``rows`` (None: every criterion of the
    proposal). Empty when there is no proposal."""
    if prop.empty:
        return ""
    units = prop.units
    if rows is not None:
        if "units_proposed" in rows:  # with_units' rows: only those whose units are proposed
            rows = rows[rows.units_proposed.astype(bool)]
        units = units.merge(rows[_KEY].drop_duplicates(), on=_KEY)
        if units.empty:
            return ""
    plans = plans_text(prop)
    steps = {(m["from_unit"], m["unit"], m["status"]) for ms in units.mappings for m in ms}
    unsourced = sorted((u, f) for f, u, s in steps if u and s != SOURCED)
    dropped = sorted({f for f, u, _ in steps if not u})
    text = (f"Cơ quan chủ trì, phối hợp là đề xuất, chưa phải phân công: lấy từ {plans}, mỗi cơ quan cũ "
            f"đổi sang cơ quan của xã đã nhận phần việc đó theo bảng đối chiếu {CROSSWALK_FILE} (kèm căn cứ pháp lý)")
    if unsourced:
        text += ("; chưa có văn bản làm căn cứ, chỉ là đề xuất: "
                 + ", ".join(f"«{u}» thay «{f}»" for u, f in unsourced))
    if dropped:
        text += "; không có cơ quan tương ứng ở xã: " + ", ".join(f"«{f}»" for f in dropped)
    return text + "."


def plans_text(prop: Proposal) -> str:
    """«Kế hoạch … của UBND huyện Vĩnh Lộc (trước 01/7/2025)»: the plans a proposal came from."""
    return "; ".join(f"{_clean(t)} của {_clean(i) or authority(n, lv)} (trước {vn_date(pd.Timestamp(e).date())})"
                     for t, i, n, lv, e in zip(prop.sources.title, prop.sources.issuer, prop.sources.entity_name,
                                               prop.sources.level, prop.sources.effective))


def _clean(text) -> str:
    return text.strip() if isinstance(text, str) else ""


def source_text(prop: Proposal, rows: pd.DataFrame | None = None) -> str:
    """The source line's part for proposed units; empty when there is no proposal, or when
    none of ``rows`` (with_units' rows) has proposed units."""
    if prop.empty or (rows is not None and not rows.get("units_proposed", pd.Series(dtype=bool)).astype(bool).any()):
        return ""
    titles = "; ".join(f"{_clean(t)} của {_clean(i)}" if _clean(i) else _clean(t)
                       for t, i in zip(prop.sources.title, prop.sources.issuer))
    return f"cơ quan chủ trì, phối hợp: đề xuất từ {titles} qua {CROSSWALK_FILE}"


def choices(con, entity_code: str) -> list[str]:
    """The names a choice list of the entity's units offers (metrics/sql/unit_choices.sql): for
    a commune its offices (Nghị định 150/2025/NĐ-CP), Công an xã, UBND xã, its groups and the
    units of every level."""
    return list(con.execute(sql("unit_choices.sql"), {"entity_code": entity_code}).df().name)


def unit_status(con, unit_code: str, entity_code: str, year: int | None = None) -> pd.DataFrame:
    """A unit's duties under the proposal for ``entity_code`` (directly, or through a group of
    the proposal it belongs to), in the columns of ``criteria.unit_status`` — the plan is the
    predecessor's, the code its own — with ``proposed`` True. What the «Đơn vị» page shows for
    a commune office while the commune has no plan of its own; empty when it has one (its plan
    says what the office owes)."""
    prop = proposal(con, entity_code)
    if len(catalog.plans(con, entity_code)):
        prop = Proposal(entity_code, prop.units.iloc[0:0], prop.sources.iloc[0:0])
    groups = dict(con.execute(sql("unit_groups.sql"), {"unit_code": unit_code}).fetchall())
    level = con.execute(sql("catalog_entity.sql"), {"entity_code": entity_code}).fetchone()
    rows = []
    for r in prop.units.itertuples():
        for role, codes in (("lead", r.lead_codes), ("support", r.support_codes)):
            for via in [None] + [g for g in groups if g in codes]:
                if via is None and unit_code not in codes:
                    continue
                rows.append({"plan_id": r.plan_ids[0] if r.plan_ids else None, "index_code": r.index_code,
                             "plan_code": r.plan_codes[0] if r.plan_codes else r.criterion_code,
                             "criterion_name": None, "role": role, "via_group": groups.get(via),
                             "framework": r.framework, "published_code": r.criterion_code})
    cols = ["plan_id", "index_code", "plan_code", "criterion_name", "role", "via_group", "framework", "published_code"]
    duties = pd.DataFrame(rows, columns=cols)
    names = con.execute(sql("criterion_names.sql")).df()
    duties = duties.drop(columns="criterion_name").merge(names, on=["framework", "published_code"], how="left")
    duties["criterion_name"] = [criterion_name_for(n, level[2] if level else None) for n in duties.criterion_name]
    return criteria.with_flags(con, duties[cols], entity_code, year).assign(proposed=True)
