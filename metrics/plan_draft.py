"""Next year's draft task table: the chosen weak criteria with their area in the plan's
layout and their (possibly edited) lead and supporting units; what the drafted plan cites for
each (``standing``) and the task it sets for each (``task_for``)."""
from __future__ import annotations

import pandas as pd

from domain.frameworks import criterion_name_for
from domain.text import fold, nfc
from domain.vocabulary import criterion_tasks, index_rank
from metrics import criteria
from metrics.sql_files import sql


def draft_rows(con, focus: pd.DataFrame, entity_code: str | None = None) -> pd.DataFrame:
    """For each focus row: the plan's own code, area code and name, and timing where the
    entity's own plan has the criterion; otherwise the published code and the published parent
    as the area (a province is not drafted in a district plan's codes)."""
    xw = con.execute(sql("plan_codes.sql"), {"entity_code": entity_code}).df()
    parents = con.execute(sql("published_areas.sql")).df()
    level = con.execute(sql("catalog_entity.sql"), {"entity_code": entity_code}).fetchone() if entity_code else None
    # a commune drafts under the district framework's areas, read with «xã» for «huyện»
    parents["pub_area_name"] = [criterion_name_for(n, level[2] if level else None) for n in parents.pub_area_name]
    out = focus.merge(xw, on=["index_code", "framework", "criterion_code"], how="left")
    out = out.merge(parents, on=["framework", "criterion_code"], how="left")
    in_plan = out.plan_code.notna()
    out["code"] = out.plan_code.where(in_plan, out.criterion_code)
    out["area_code"] = out.area_code.where(in_plan, out.pub_area_code.replace("", None))
    out["area_name"] = out.area_name.where(in_plan, out.pub_area_name)
    out["timing"] = out.timing.where(in_plan, "Thường xuyên")
    out = out.drop(columns=["plan_code", "pub_area_code", "pub_area_name"])
    # a plan reads in the plan's order: index by index, criteria by their number
    return out.sort_values(["index_code", "code"], key=lambda col: col.map(index_rank if col.name == "index_code"
                                                                             else _code_key)).reset_index(drop=True)


def _code_key(code: str) -> tuple:
    """'3.10' after '3.9'; 'SC62' after 'SC61'."""
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"\d+|\D+", str(code)))


# --- what a plan asks of each criterion ----------------------------------------------------

def standing(con, entity_code: str, year: int) -> pd.DataFrame:
    """The facts a plan cites for each criterion of ``year`` (metrics/sql/criterion_metrics.sql
    through criteria.criterion_metrics, the focus list's own numbers): rank among the peers and
    whether the product computed it, the years of decline, the change in points since the year
    before, and the flags that put the criterion on the focus list."""
    m = criteria.criterion_metrics(con, entity_code, None, year)
    m = m[m.is_leaf & (m.year == year)]
    return m[["index_code", "framework", "criterion_code", "rank", "n_ranked", "rank_computed", "decline_run",
              "change_points", "prev_year", "declining", "low_ranked", "below_median"]].reset_index(drop=True)


# One task for each criterion, in the words of a plan: what to do so that the criterion's score
# rises, drawn from what the criterion measures and, where the former district's plan
# (VL-2023-2025, section II.1) had a task for the same ground, from that task (column
# from_plan_task). The texts are data/frameworks/criterion_tasks.csv, for the office to edit;
# keyed by index and name as a commune reads it (domain.frameworks.criterion_name_for: «của
# huyện» reads «của xã»), so the district's and the commune's rows, and the older names of a
# criterion (one row each), find the same text. Texts avoid naming the level of government: the
# same words serve a commune, a district and a province.


def _task_key(index_code: str, name: str) -> tuple[str, str]:
    return index_code, fold(criterion_name_for(name, "commune"))


TASKS: dict[tuple[str, str], str] = {_task_key(r.index_code, r.criterion_name): r.task
                                     for r in criterion_tasks().itertuples(index=False)}


def task_for(index_code: str, name: str) -> str:
    """What the plan asks of a criterion (data/frameworks/criterion_tasks.csv), or, for a criterion without a text of its
    own, a task that names it: never two criteria with the same words."""
    text = TASKS.get(_task_key(index_code, name or ""))
    if text:
        return text
    return (f"Rà soát từng nội dung đánh giá của tiêu chí “{nfc(name)}”, xác định nội dung chưa đạt và nguyên nhân; "
            "giao nhiệm vụ cụ thể, có thời hạn cho từng bộ phận để cải thiện kết quả.")
