"""Next year's draft task table: the chosen weak criteria with their area in the plan's
layout and their (possibly edited) lead and supporting units."""
from __future__ import annotations

import pandas as pd

from domain.frameworks import criterion_name_for
from domain.vocabulary import index_rank
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
