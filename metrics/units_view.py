"""Drill-down by responsible unit: its tasks in section II.1 and its criteria's trends."""
from __future__ import annotations

import pandas as pd

from metrics.core import sql


def unit_tasks(con, unit_code: str) -> pd.DataFrame:
    """The II.1 tasks a unit leads or supports, directly or through a group it belongs to."""
    return con.execute(sql("unit_tasks.sql"), {"unit_code": unit_code}).df()


def pct_trends(metrics: pd.DataFrame) -> pd.DataFrame:
    """% of maximum by year for each published criterion (for sparklines), from an entity's
    criterion_metrics (which the page already has, cached)."""
    m = metrics[metrics.criterion_code.notna()].sort_values("year")
    return (m.groupby(["index_code", "framework", "criterion_code"], sort=False).pct
            .agg(list).rename("trend").reset_index())
