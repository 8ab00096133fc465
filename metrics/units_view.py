"""Drill-down by responsible unit: its tasks in section II.1 and its criteria's trends."""
from __future__ import annotations

import pandas as pd


def unit_tasks(con, unit_code: str) -> pd.DataFrame:
    """The II.1 tasks a unit leads or supports, directly or through a group it belongs to."""
    return con.execute("""
        WITH mine AS (
            SELECT ? AS unit_code, NULL AS via_group
            UNION ALL
            SELECT gm.group_code, g.name FROM unit_group_members gm JOIN units g ON g.unit_code = gm.group_code
            WHERE gm.member_code = ?)
        SELECT t.index_code, t.task_no, t.text, u.role, m.via_group
        FROM plan_task_units u JOIN mine m USING (unit_code)
        JOIN plan_task_items t ON t.plan_id = u.plan_id AND t.task_no = u.task_no
        ORDER BY t.section, string_split(t.task_no, '.')[3]::INTEGER, u.role""", [unit_code, unit_code]).df()


def pct_trends(metrics: pd.DataFrame) -> pd.DataFrame:
    """% of maximum by year for each published criterion (for sparklines), from an entity's
    criterion_metrics (which the page already has, cached)."""
    m = metrics[metrics.criterion_code.notna()].sort_values("year")
    return (m.groupby(["index_code", "framework", "criterion_code"], sort=False).pct
            .agg(list).rename("trend").reset_index())
