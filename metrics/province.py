"""The province's own view («Toàn tỉnh», for Sở Nội vụ): every commune of a province at once —
whether it has a plan for the year (adopted in the app or not), how the units that lead its
duties reported for a period, how many duties are overdue, and whether its rank fell in the
latest assessed year.

One query per table over all communes (metrics/sql/province_communes.sql,
province_rank_changes.sql), never one per commune; the rules are those of metrics/progress.py,
which reads one plan at a time (tests/test_province_view.py holds the two to the same figures).
Who may see this view is access.auth.Scope.sees_province's to say.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from domain import progress as vocab
from domain.text import fold
from domain.vocabulary import index_rank, short_label
from metrics import catalog
from metrics.sql_files import sql

# a commune's state for the period, worst first (STATE_LABEL says them)
NO_PLAN, NONE, PARTIAL, FULL, NOTHING_LED = "no_plan", "none", "partial", "full", "nothing_led"
STATE_LABEL = {NO_PLAN: "Chưa có kế hoạch", NONE: "Chưa báo cáo", PARTIAL: "Báo cáo một phần",
               FULL: "Đã báo cáo đủ", NOTHING_LED: "Kế hoạch chưa giao chủ trì"}
STATE_ORDER = {code: i for i, code in enumerate(STATE_LABEL)}

# what the page's filter keeps (FILTER_LABEL says them)
SHOW_ALL, SHOW_NOT_REPORTED, SHOW_NOT_FULL, SHOW_NO_PLAN = "all", "not_reported", "not_full", "no_plan"
FILTER_LABEL = {SHOW_ALL: "Tất cả xã, phường", SHOW_NOT_REPORTED: "Chỉ xã, phường chưa báo cáo",
                SHOW_NOT_FULL: "Chưa báo cáo đủ (chưa báo cáo hoặc một phần)", SHOW_NO_PLAN: "Chưa có kế hoạch"}
_SHOWN = {SHOW_NOT_REPORTED: {NONE}, SHOW_NOT_FULL: {NONE, PARTIAL}, SHOW_NO_PLAN: {NO_PLAN}}
# how the page sorts (SORT_LABEL says them)
BY_NAME, BY_OVERDUE, BY_UNREPORTED = "name", "overdue", "unreported"
SORT_LABEL = {BY_OVERDUE: "Nhiều nhiệm vụ quá hạn trước", BY_UNREPORTED: "Nhiều cơ quan chưa báo cáo trước",
              BY_NAME: "Theo tên"}


@dataclass(frozen=True)
class Counts:
    """The figures at the top of the view and of the summary."""
    communes: int          # communes of the province
    with_plan: int         # with a plan for the year
    adopted: int           # of those, adopted (number, date, signer recorded)
    full: int              # communes whose every expected unit reported in full for the period
    partial: int           # some reported
    none: int              # none reported
    overdue: int           # overdue duties, all communes together
    communes_overdue: int  # communes with at least one
    rank_fell: int         # communes whose rank fell in some index in the latest assessed year
    plans_illustrative: int  # of the plans, those shipped as illustrative (minh họa)


@dataclass(frozen=True)
class ProvinceView:
    province_code: str
    province_name: str
    year: int
    period: str
    due: date              # the day the period's report is due (data/progress/periods.csv)
    on: date               # the day the view was read (overdue counts up to it)
    communes: pd.DataFrame  # one row per commune: province_communes.sql, with ``state``
    ranks: pd.DataFrame     # one row per commune and index: province_rank_changes.sql

    @property
    def counts(self) -> Counts:
        c, fell = self.communes, self.fallen()
        return Counts(len(c), int(c.plan_id.notna().sum()), int(c.adopted.sum()), int((c.state == FULL).sum()),
                      int((c.state == PARTIAL).sum()), int((c.state == NONE).sum()), int(c.overdue.sum()),
                      int((c.overdue > 0).sum()), fell.entity_code.nunique(),
                      int((c.plan_id.notna() & c.plan_illustrative).sum()))

    @property
    def plans_illustrative(self) -> bool:
        return bool(self.communes.plan_illustrative.any() or self.communes.reports_illustrative.any())

    @property
    def ranks_illustrative(self) -> bool:
        return bool(self.ranks.is_illustrative.any()) if len(self.ranks) else False

    @property
    def illustrative(self) -> bool:
        """Whether any figure of the view rests on illustrative data (a plan or report marked so,
        or scores marked «minh họa»)."""
        return self.plans_illustrative or self.ranks_illustrative

    @property
    def rank_years(self) -> dict[str, int]:
        """index -> the latest year the province's communes were assessed in it, in index order."""
        if self.ranks.empty:
            return {}
        years = self.ranks.groupby("index_code").year.max()
        return {code: int(years[code]) for code in sorted(years.index, key=index_rank)}

    def fallen(self) -> pd.DataFrame:
        """The rows of ``ranks`` whose rank fell from the assessed year before: the largest fall
        first, then by index and name."""
        r = self.ranks
        fell = r[r.rank_change.notna() & (r.rank_change < 0)] if len(r) else r
        return fell.assign(_i=fell.index_code.map(index_rank), _n=fell.entity_name.map(fold)) \
                   .sort_values(["rank_change", "_i", "_n"]).drop(columns=["_i", "_n"]).reset_index(drop=True)

    def compared(self) -> bool:
        """Whether any commune's latest rank has a rank of the year before to compare with."""
        return bool(len(self.ranks) and self.ranks.rank_change.notna().any())

    def rank_note(self) -> str:
        """Why no rank can have fallen, when none has a rank the year before to compare with (the
        first year the communes formed on 1/7/2025 were assessed); «» otherwise."""
        years = self.rank_years
        if not years:
            return "Chưa có kết quả chỉ số nào của các xã, phường."
        if self.compared():
            return ""
        when = ", ".join(str(y) for y in sorted(set(years.values())))
        mark = " (kết quả minh họa)" if self.ranks_illustrative else ""
        indices = ", ".join(short_label(i) for i in years)
        return (f"Năm {when}{mark} là năm đầu tiên các xã, phường được đánh giá {indices} sau sắp xếp đơn vị hành "
                "chính (từ 01/7/2025): chưa có thứ hạng năm trước để so sánh, nên chưa xã, phường nào được tính là "
                "tụt hạng.")

    def not_reported(self) -> list[str]:
        """The communes with a plan whose units have not reported anything for the period, by name."""
        return _names(self.communes[self.communes.state == NONE])

    def partly_reported(self) -> list[str]:
        return _names(self.communes[self.communes.state == PARTIAL])

    def without_plan(self) -> list[str]:
        return _names(self.communes[self.communes.state == NO_PLAN])

    def most_overdue(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` communes with the most overdue duties (only those with some), most first."""
        c = self.communes[self.communes.overdue > 0]
        return sort(c, BY_OVERDUE).head(n).reset_index(drop=True)


def timing_deadlines(con, province: str, year: int) -> tuple[list[str], list[list[date]]]:
    """The «Thời gian thực hiện» cells of the province's commune plans for ``year`` and the
    deadlines each sets in that year (domain.progress.parse_timing), as two parallel lists."""
    texts = [r[0] for r in con.execute(sql("province_timings.sql"), {"province": province, "year": year}).fetchall()]
    return texts, [vocab.parse_timing(t).deadlines(year) for t in texts]


def commune_status(con, province: str, year: int, period: str, on: date) -> pd.DataFrame:
    """One row per commune of ``province`` (metrics/sql/province_communes.sql) with ``state``
    (STATE_LABEL), by name."""
    texts, deadlines = timing_deadlines(con, province, year)
    periods = vocab.periods()
    df = con.execute(sql("province_communes.sql"), {
        "province": province, "year": year, "period": period, "on": on, "due": vocab.period(period).due(year),
        "done": vocab.DONE, "timing_texts": texts, "timing_deadlines": deadlines,
        "period_codes": [p.code for p in periods], "period_first": [p.first_month for p in periods],
        "period_last": [p.last_month for p in periods]}).df()
    df["state"] = [NO_PLAN if not isinstance(p, str) else NOTHING_LED if not n else FULL if f == n
                   else NONE if z == n else PARTIAL
                   for p, n, f, z in zip(df.plan_id, df.units_expected, df.units_full, df.units_none)]
    return sort(df, BY_NAME)


def rank_changes(con, province: str, year: int, on: date) -> pd.DataFrame:
    """Per commune and index, the latest assessed year's rank and its change
    (metrics/sql/province_rank_changes.sql), by index then name."""
    df = con.execute(sql("province_rank_changes.sql"), {"province": province, "year": year, "on": on}).df()
    return df.assign(_i=df.index_code.map(index_rank), _n=df.entity_name.map(fold)) \
             .sort_values(["_i", "_n"]).drop(columns=["_i", "_n"]).reset_index(drop=True)


def province_view(con, province: str, year: int, period: str, on: date) -> ProvinceView:
    """Everything the «Toàn tỉnh» page and the one-page summary show for ``period`` of ``year``,
    read on ``on``."""
    row = catalog.entity(con, province)
    name = row.name.iloc[0] if len(row) else province
    return ProvinceView(province, name, year, period, vocab.period(period).due(year), on,
                        commune_status(con, province, year, period, on), rank_changes(con, province, year, on))


def current_period(on: date) -> tuple[str, int]:
    """The reporting period being collected on ``on`` (domain.progress.current_period: in
    December, the annual report)."""
    return vocab.current_period(on)


def shown(communes: pd.DataFrame, show: str) -> pd.DataFrame:
    """The rows the page's filter ``show`` (FILTER_LABEL) keeps."""
    keep = _SHOWN.get(show)
    return communes if keep is None else communes[communes.state.isin(keep)]


def sort(communes: pd.DataFrame, by: str) -> pd.DataFrame:
    """The communes ordered ``by`` (SORT_LABEL): most overdue duties first (then most units not
    reported, then name); most units not reported first; or by name (Vietnamese letters read
    without their marks, so «Đ» sits with «D»)."""
    keys = communes.assign(_n=communes.entity_name.map(fold), _o=-communes.overdue,
                           _u=-(communes.units_none + communes.units_partial),
                           _s=communes.state.map(STATE_ORDER))
    order = {BY_OVERDUE: ["_o", "_u", "_n"], BY_UNREPORTED: ["_u", "_s", "_o", "_n"]}.get(by, ["_n"])
    return keys.sort_values(order, kind="stable").drop(columns=["_n", "_o", "_u", "_s"]).reset_index(drop=True)


def _names(rows: pd.DataFrame) -> list[str]:
    return sorted(rows.entity_name, key=fold)
