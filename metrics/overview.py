"""The chairman's view: each index's latest result for one entity, what its rank means among
its peers, the criteria furthest below the peers, the predecessor's last ranks (context across
a reform, never a change) and the assessment years the overview offers."""
from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd

from domain.text import format_number
from domain.vocabulary import INDEX_CODES
from metrics import catalog
from metrics.criteria import Thresholds, criterion_metrics
from metrics.lineage import first_year_after, lineage


CARD_COLUMNS = ["index_code", "year", "framework", "points", "max_points", "pct", "rank", "n_ranked",
                "rank_computed", "change_points", "change_pct_points", "rank_change", "prev_rank", "break_before",
                "is_illustrative", "source", "label", "peer_median", "gap_to_median", "n_peers", "entity_level",
                "quarter"]


def index_cards(con, entity_code: str, metrics: pd.DataFrame | None = None, year: int | None = None) -> pd.DataFrame:
    """One row per index the entity has a result for (points, or a published rank alone): the
    latest assessed year up to ``year`` when given, a real result before an illustrative one
    (an illustrative figure stands in only where no real result exists). ``metrics``: the
    entity's criterion_metrics when the caller has them. ``prev_rank`` is the rank of the
    year before in the same series (None after a break); ``quarter`` the quarter of the peer
    group the rank falls in (1 = best; None for fewer than four ranked)."""
    m = criterion_metrics(con, entity_code) if metrics is None else metrics
    t = m[m.criterion_code.isna() & (m.points.notna() | m["rank"].notna())]
    if year is not None:
        t = t[t.year <= year]
    if t.empty:
        return t.reindex(columns=CARD_COLUMNS)
    real = t[~t.is_illustrative.astype(bool)]
    t = pd.concat([real, t[~t.index_code.isin(real.index_code)]])
    latest = t[t.year == t.groupby("index_code").year.transform("max")]
    order = {code: i for i, code in enumerate(INDEX_CODES)}
    latest = latest.sort_values("index_code", key=lambda s: s.map(order))
    latest = latest.assign(prev_rank=latest["rank"] + latest.rank_change,
                           quarter=[quarter(r, n) for r, n in zip(latest["rank"], latest.n_ranked)])
    return latest[CARD_COLUMNS].reset_index(drop=True)


def _missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def quarter(rank, n_ranked) -> int | None:
    """1–4: the quarter of the ranked group the rank falls in, best first (100/166: 3)."""
    if _missing(rank) or _missing(n_ranked) or int(n_ranked) < 4:
        return None
    return min(4, max(1, math.ceil(4 * int(rank) / int(n_ranked))))


QUARTER_TEXT = {1: "Nhóm 1/4 cao nhất", 2: "Nửa trên (nhóm 2/4)", 3: "Nửa dưới (nhóm 3/4)", 4: "Nhóm 1/4 thấp nhất"}


def median_known(n_peers, n_ranked, min_peers: int | None = None) -> bool:
    """Whether the peer median says anything: at least ``min_peers`` scores, and at least half of
    the ranked group (VCCI publishes PCI scores of the top 30 only: their median is not the
    group's, as the «So sánh» page says too)."""
    floor = Thresholds.load().min_peers if min_peers is None else min_peers
    if _missing(n_peers) or int(n_peers) < floor:
        return False
    return _missing(n_ranked) or 2 * int(n_peers) >= int(n_ranked)


def standing(card) -> tuple[str, str] | None:
    """What a card's rank means (``card``: a row of index_cards, as itertuples gives it), in two parts: the quarter of the ranked group («Nửa dưới (nhóm
    3/4)») and the distance to the group's median («thấp hơn trung vị 0,74 điểm»; empty when
    the median is not known, see median_known). None without a rank among at least four."""
    q = quarter(card.rank, card.n_ranked)
    if q is None:
        return None
    gap = card.gap_to_median
    if _missing(gap) or not median_known(card.n_peers, card.n_ranked):
        return QUARTER_TEXT[q], ""
    gap = round(float(gap), 2)
    if gap == 0:
        return QUARTER_TEXT[q], "bằng trung vị"
    return QUARTER_TEXT[q], f"{'cao' if gap > 0 else 'thấp'} hơn trung vị {format_number(abs(gap))} điểm"


def change_note(card, break_years) -> str | None:
    """Why a card (a row of index_cards) shows no change of rank: a new peer group (the first year after a reform of
    the entity's level or of the entity itself, or a new series), or no result the year
    before. None when there is a change to show."""
    if not _missing(card.prev_rank):
        return None
    if int(card.year) in set(break_years) or bool(card.break_before):
        return f"Nhóm so sánh mới từ {int(card.year)}: chưa so được với năm trước"
    if _missing(card.rank):
        return None
    return "Chưa có kết quả năm trước để so"


def furthest_below(metrics: pd.DataFrame, index_code: str, year: int, focus: pd.DataFrame | None = None,
                   n: int = 2, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """The ``n`` criteria of one index furthest below the peer median in ``year``, measured as a
    share of the criterion's maximum (2 points short on a criterion of 4 is further than 4 short
    on one of 100), with their lead units from the focus list (``lead_units``: a list, empty
    when no plan names one; ``units_proposed``: they are proposals, metrics.proposals.with_units,
    for an entity without a plan of its own). Only criteria units act on, where the median is known."""
    t = thresholds or Thresholds.load()
    m = metrics[(metrics.index_code == index_code) & (metrics.year == year) & metrics.criterion_code.notna()]
    m = m[m.is_leaf.astype(bool) & m.gap_to_median.notna() & (m.gap_to_median < 0)]
    m = m[[median_known(p, r, t.min_peers) for p, r in zip(m.n_peers, m.n_ranked)]]
    cols = ["index_code", "criterion_code", "criterion_name", "points", "max_points", "peer_median", "gap_to_median",
            "rank", "n_ranked", "rank_computed", "is_illustrative", "lead_units", "units_proposed"]
    if m.empty:
        return pd.DataFrame(columns=cols)
    share = m.gap_to_median / m.max_points.where(m.max_points > 0)
    m = m.assign(_share=share.fillna(m.gap_to_median), _rank=m["rank"].fillna(0))
    m = m.sort_values(["_share", "_rank", "criterion_code"], ascending=[True, False, True]).head(n)
    units, proposed = {}, set()
    if focus is not None and len(focus):
        units = {(i, c): list(u) for i, c, u in zip(focus.index_code, focus.criterion_code, focus.lead_units)
                 if isinstance(u, (list, tuple)) or hasattr(u, "tolist")}
        if "units_proposed" in focus:
            proposed = {(i, c) for i, c, p in zip(focus.index_code, focus.criterion_code, focus.units_proposed) if p}
    keys = list(zip(m.index_code, m.criterion_code))
    m = m.assign(lead_units=[units.get(k, []) for k in keys], units_proposed=[k in proposed for k in keys])
    return m[cols].reset_index(drop=True)


def pulled_down(metrics: pd.DataFrame, index_code: str, year: int, n: int = 2) -> pd.DataFrame:
    """The ``n`` criteria of one index that lost the most points in ``year`` (against the
    year before, same framework series): what pulled the total down. Empty when none fell."""
    m = metrics[(metrics.index_code == index_code) & (metrics.year == year) & metrics.criterion_code.notna()]
    m = m[m.is_leaf & (m.change_points < 0)] if "is_leaf" in m else m[m.change_points < 0]
    return m.sort_values(["change_points", "criterion_code"]).head(n)[
        ["criterion_code", "criterion_name", "change_points", "points", "max_points"]].reset_index(drop=True)


def predecessor_ranks(history: pd.DataFrame) -> pd.DataFrame:
    """From lineage.history_trend: each predecessor's last ranked year of each index («Huyện
    Vĩnh Lộc (trước 01/7/2025)», PAR, 2024, 14/27). Context for a successor's card, among
    other peers: never a change."""
    cols = ["series", "index_code", "year", "rank", "n_ranked", "rank_computed", "is_illustrative"]
    h = history[history.history.astype(bool) & history["rank"].notna()] if len(history) else history
    if len(h) == 0:
        return pd.DataFrame(columns=cols)
    last = h[h.year == h.groupby(["series", "index_code"]).year.transform("max")]
    return last[cols].sort_values(["index_code", "series"]).reset_index(drop=True)


def results_year_due(today: date | None = None) -> int:
    """The latest assessment year whose results are expected by ``today``: a year's results are
    published during the next (in December 2026, those of 2025)."""
    return (today or date.today()).year - 1


def years_offered(con, entity_code: str, today: date | None = None) -> list[int]:
    """The assessment years the overview offers: those with a result, and the year whose results
    are due (results_year_due) when the entity existed in it, so that choosing it can say that
    no result is published yet instead of showing an older year as if it were that one."""
    years = sorted(set(catalog.scored(con, entity_code).year.astype(int)))
    if not years:
        return years
    due = results_year_due(today)
    lin = lineage(con, entity_code)
    first = first_year_after(lin.valid_from) if lin and lin.valid_from else None
    last = first_year_after(lin.valid_to + timedelta(days=1)) - 1 if lin and lin.valid_to else None
    if due > years[-1] and (first is None or due >= first) and (last is None or due <= last):
        years.append(due)
    return years


def without_result(cards: pd.DataFrame, year: int | None) -> list[str]:
    """The indices whose card shows an earlier year than ``year``: no result of ``year``."""
    if year is None or cards.empty:
        return []
    return [c for c, y in zip(cards.index_code, cards.year) if int(y) < int(year)]


def total_trend(con, entity_code: str, metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    m = criterion_metrics(con, entity_code) if metrics is None else metrics
    return m[m.criterion_code.isna()][["index_code", "year", "framework", "points", "pct", "rank", "n_ranked",
                                       "rank_computed", "break_before", "is_illustrative", "source"]]
