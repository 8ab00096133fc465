"""Who may download which evidence file: the rule the «Tiến độ» page asks before it offers one.

An evidence file belongs to one report row (store/progress.py keeps the file and names it in
that row). An account tied to a unit may download the files of its own unit's rows only; the
plan's coordinating unit (Phòng Nội vụ for a district's plan) and administrators, who see every
unit's reports of the plan, may download those of every row of that plan. The page passes what
it already knows about the account (its unit, and whether it sees every unit of this plan:
access.auth.Scope), so the decision is one small pure rule, tested on its own
(tests/test_evidence_files.py), and a file is never served only because its row is on screen.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def may_download(row: Mapping, *, plan_id: str, unit: str | None, sees_all: bool) -> bool:
    """Whether the account may download the evidence file of report ``row`` (a mapping with
    plan_id, unit_code, evidence_file) on the page of plan ``plan_id``. ``unit``: the account's
    unit (None = not tied to one); ``sees_all``: it sees every unit's reports of this plan."""
    file = row.get("evidence_file")
    if not isinstance(file, str) or not file.strip():
        return False  # nothing attached
    if row.get("plan_id") != plan_id:
        return False  # another plan's row: its own page decides
    if sees_all:
        return True
    return unit is not None and row.get("unit_code") == unit


def downloadable(rows: pd.DataFrame, *, plan_id: str, unit: str | None, sees_all: bool) -> pd.DataFrame:
    """The report rows whose evidence file the account may download (``may_download``)."""
    if rows.empty or "evidence_file" not in rows:
        return rows.iloc[0:0]
    keep = [may_download(r, plan_id=plan_id, unit=unit, sees_all=sees_all) for r in rows.to_dict("records")]
    return rows[keep]
