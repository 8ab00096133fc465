"""The chairman's view: each index's latest total, rank and change for one entity."""
from __future__ import annotations

import pandas as pd

from domain.vocabulary import INDEX_CODES
from metrics.criteria import criterion_metrics



def index_cards(con, entity_code: str, metrics: pd.DataFrame | None = None, year: int | None = None) -> pd.DataFrame:
    """One row per index the entity has: the latest assessed year with a total, up to
    ``year`` when given. ``metrics``: the entity's criterion_metrics when the caller has them.
    ``prev_rank`` is the rank of the year before in the same series (None after a break)."""
    m = criterion_metrics(con, entity_code) if metrics is None else metrics
    t = m[m.criterion_code.isna() & m.points.notna()]
    if year is not None:
        t = t[t.year <= year]
    if t.empty:
        return t
    latest = t[t.year == t.groupby("index_code").year.transform("max")]
    order = {code: i for i, code in enumerate(INDEX_CODES)}
    latest = latest.sort_values("index_code", key=lambda s: s.map(order))
    latest = latest.assign(prev_rank=latest["rank"] + latest.rank_change)
    return latest[["index_code", "year", "framework", "points", "max_points", "pct", "rank", "n_ranked",
                   "rank_computed", "change_points", "change_pct_points", "rank_change", "prev_rank", "break_before",
                   "is_illustrative", "source", "label"]].reset_index(drop=True)


def pulled_down(metrics: pd.DataFrame, index_code: str, year: int, n: int = 2) -> pd.DataFrame:
    """The ``n`` criteria of one index that lost the most points in ``year`` (against the
    year before, same framework series): what pulled the total down. Empty when none fell."""
    m = metrics[(metrics.index_code == index_code) & (metrics.year == year) & metrics.criterion_code.notna()]
    m = m[m.is_leaf & (m.change_points < 0)] if "is_leaf" in m else m[m.change_points < 0]
    return m.sort_values(["change_points", "criterion_code"]).head(n)[
        ["criterion_code", "criterion_name", "change_points", "points", "max_points"]].reset_index(drop=True)


def total_trend(con, entity_code: str, metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    m = criterion_metrics(con, entity_code) if metrics is None else metrics
    return m[m.criterion_code.isna()][["index_code", "year", "framework", "points", "pct", "rank", "n_ranked",
                                       "rank_computed", "break_before", "is_illustrative", "source"]]
