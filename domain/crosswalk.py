"""Crosswalk from the plan's own criterion codes to the published criteria.

The plan numbers criteria its own way: Phụ lục 3 item 6.1 "Giáo dục tiểu học công lập" is
PAPI's SC62, not SC61. So plan criteria are matched to the current framework of the same
index by NAME (Vietnamese and English labels, folded, token overlap), and the office can
pin or correct any match in data/crosswalk/plan_crosswalk_overrides.csv. A plan criterion
that matches nothing well enough stays unmatched and is reported, never guessed.
"""
from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pandas as pd

from domain.frameworks import Frameworks
from domain.text import fold_loose

THRESHOLD = 0.55
LEVEL_PAIRS = {  # plan level -> framework levels it can match
    "area": {"area", "dimension", "part"},
    "criterion": {"criterion", "subdimension", "component", "subindex"},
}


def similarity(a: str, b: str) -> float:
    ta, tb = set(fold_loose(a).split()), set(fold_loose(b).split())
    if not ta or not tb:
        return 0.0
    jaccard = len(ta & tb) / len(ta | tb)
    containment = len(ta & tb) / min(len(ta), len(tb))
    seq = SequenceMatcher(None, fold_loose(a), fold_loose(b)).ratio()
    return round(max(jaccard, seq, 0.9 * containment if min(len(ta), len(tb)) >= 3 else 0), 4)


def build_crosswalk(plan_criteria: pd.DataFrame, fw: Frameworks, overrides_file: Path,
                    level: str | None, year: int) -> pd.DataFrame:
    """One row per plan criterion: plan_id, index_code, plan_code, framework, criterion_code
    (None when unmatched), method ('override' | 'name'), similarity, note. ``level`` is that
    of the unit whose plan it is (a district's plan answers the district frameworks);
    ``year`` the one whose frameworks are in force for the plan (the end of its period)."""
    overrides = pd.DataFrame(columns=["plan_id", "index_code", "plan_code", "framework", "criterion_code", "note"])
    if overrides_file.exists():
        overrides = pd.read_csv(overrides_file, dtype=str, keep_default_na=False)
    rows = []
    matched_area: dict[tuple, str] = {}  # (plan_id, index, area code) -> published parent code
    # areas first, so that a criterion is matched only among its area's published children
    ordered = sorted(plan_criteria.itertuples(index=False), key=lambda r: r.level != "area")
    for pc in ordered:
        framework = fw.framework_for(pc.index_code, year, level)
        ov = overrides[(overrides.plan_id == pc.plan_id) & (overrides.index_code == pc.index_code)
                       & (overrides.plan_code == pc.code)]
        if len(ov):
            o = ov.iloc[0]
            rows.append({"plan_id": pc.plan_id, "index_code": pc.index_code, "plan_code": pc.code,
                         "framework": o.framework or framework, "criterion_code": o.criterion_code or None,
                         "method": "override", "similarity": None, "note": o.note})
            if pc.level == "area" and o.criterion_code:
                matched_area[(pc.plan_id, pc.index_code, pc.code)] = o.criterion_code
            continue
        best, best_score = None, 0.0
        if framework:
            cands = fw.criteria_of(framework)
            cands = cands[cands.level.isin(LEVEL_PAIRS.get(pc.level, set()))]
            parent = matched_area.get((pc.plan_id, pc.index_code, pc.parent_code))
            if parent is not None:
                cands = cands[cands.parent_code == parent]
            for c in cands.itertuples():
                s = max(similarity(pc.name, c.name_vi), similarity(pc.name, c.name_en) if c.name_en else 0)
                if s > best_score:
                    best, best_score = c.code, s
        matched = best_score >= THRESHOLD
        if matched and pc.level == "area":
            matched_area[(pc.plan_id, pc.index_code, pc.code)] = best
        rows.append({"plan_id": pc.plan_id, "index_code": pc.index_code, "plan_code": pc.code,
                     "framework": framework, "criterion_code": best if matched else None,
                     "method": "name", "similarity": best_score,
                     "note": "" if matched else f"không tìm được tiêu chí công bố đủ giống (tốt nhất: {best}, {best_score:.2f})"})
    order = {(r.index_code, r.code): i for i, r in enumerate(plan_criteria.itertuples(index=False))}
    rows.sort(key=lambda r: order[(r["index_code"], r["plan_code"])])
    return pd.DataFrame(rows, columns=["plan_id", "index_code", "plan_code", "framework", "criterion_code",
                                       "method", "similarity", "note"])
