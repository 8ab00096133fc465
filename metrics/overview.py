"""The chairman's view: each index's latest total, rank and change for one entity."""
from __future__ import annotations

import pandas as pd

from domain.vocabulary import INDEX_CODES
from metrics.core import criterion_metrics



def index_cards(con, entity_code: str, metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per index the entity has: the latest assessed year with a total.
    ``metrics``: the entity's criterion_metrics when the caller already has them."""
    m = criterion_metrics(con, entity_code) if metrics is None else metrics
    t = m[m.criterion_code.isna() & m.points.notna()]
    if t.empty:
        return t
    latest = t[t.year == t.groupby("index_code").year.transform("max")]
    order = {code: i for i, code in enumerate(INDEX_CODES)}
    latest = latest.sort_values("index_code", key=lambda s: s.map(order))
    return latest[["index_code", "year", "framework", "points", "max_points", "pct", "rank", "n_ranked",
                   "rank_computed", "change_points", "change_pct_points", "rank_change", "break_before",
                   "is_illustrative", "source", "label"]].reset_index(drop=True)


def total_trend(con, entity_code: str, metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    m = criterion_metrics(con, entity_code) if metrics is None else metrics
    return m[m.criterion_code.isna()][["index_code", "year", "framework", "points", "pct", "rank", "n_ranked",
                                       "rank_computed", "break_before", "is_illustrative", "source"]]
