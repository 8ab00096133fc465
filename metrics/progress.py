"""The plan's reporting loop as Phòng Nội vụ reads it: who owes what (store/sql/plan_duties.sql),
what each unit reported for a period, who has not reported, what is overdue by the plan's own
«Thời gian thực hiện», progress by index and by unit, weak criteria whose tasks show no
progress, and what was reported done next to how the score moved the year after.

Only duties led (chủ trì) are counted in «who has not reported» and in progress: the lead unit
answers for the item; supporting units may report too. Units outside the government
(kind ``external``: Sở Nội vụ, Bưu điện) are never expected to report to it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

import pandas as pd

from domain import progress as vocab
from domain.vocabulary import index_rank
from metrics import criteria
from store.progress import duties

NO_REPORT = "no_report"
NO_REPORT_LABEL = "Chưa báo cáo"
STATE_ORDER = [*vocab.STATUS_CODES, NO_REPORT]
STATE_LABEL = {**vocab.STATUS_LABEL, NO_REPORT: NO_REPORT_LABEL}
# whether a unit has reported for a period (who_reported's ``state``), worst first
REPORTED_FULL, REPORTED_PART, REPORTED_NONE = "full", "partial", "none"
REPORTED_LABEL = {REPORTED_NONE: "Chưa báo cáo", REPORTED_PART: "Báo cáo một phần", REPORTED_FULL: "Đã báo cáo"}


@dataclass(frozen=True)
class PlanContext:
    plan_id: str
    title: str
    issuer: str
    entity_code: str
    entity_name: str
    level: str
    year_from: int
    year_to: int
    end: date                      # the last day the plan can run: its last year, or the day its entity ended
    coordinator: str | None        # unit code that compiles the reports
    coordinator_name: str | None
    ended: bool = False            # the plan's entity no longer exists (the district after 1/7/2025)
    start: date | None = None      # the first day it can run: 1/1 of its first year, or the day its entity began

    @property
    def years(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

    def as_of(self, today: date) -> date:
        """The day the reporting loop is looked at: today, or the plan's end if it has ended."""
        return min(today, self.end)


def plans_with_duties(con) -> pd.DataFrame:
    """Plans that assign anything, with their entity: plan_id, title, entity_code, year_from, year_to."""
    return con.execute("""
        SELECT p.plan_id, p.title, p.entity_code, e.name AS entity_name, p.year_from, p.year_to
        FROM plans p JOIN entities e USING (entity_code)
        WHERE EXISTS (SELECT 1 FROM plan_assignments a WHERE a.plan_id = p.plan_id)
           OR EXISTS (SELECT 1 FROM plan_task_units t WHERE t.plan_id = p.plan_id)
        ORDER BY p.year_to DESC, p.plan_id""").df()


def plans_for(con, entity_code: str) -> pd.DataFrame:
    """The plans an entity's offices report on: its own first, then those of the units it came
    from (a commune after 1/7/2025 finds the former district's 2023–2025 plan), column
    ``history`` telling them apart."""
    from metrics.lineage import lineage

    plans = plans_with_duties(con)
    lin = lineage(con, entity_code)
    before = [p.code for p in lin.predecessors] if lin else []
    own = plans[plans.entity_code == entity_code].assign(history=False)
    old = plans[plans.entity_code.isin(before)].assign(history=True)
    return pd.concat([own, old], ignore_index=True)


def plan_for_year(plans: pd.DataFrame, year: int) -> str | None:
    """Of ``plans_for``'s rows, the plan to report on for ``year``: the first (the entity's own
    before its predecessors') whose period holds the year, else the first; None when none."""
    if plans.empty:
        return None
    for p in plans.itertuples():
        if int(p.year_from or year) <= year <= int(p.year_to or year):
            return p.plan_id
    return plans.plan_id.iloc[0]


def plan_context(con, plan_id: str) -> PlanContext:
    row = con.execute("""
        SELECT p.plan_id, COALESCE(p.title, ''), COALESCE(p.issuer, ''), p.entity_code, e.name, e.level,
               p.year_from, p.year_to, e.valid_to, e.valid_from
        FROM plans p JOIN entities e USING (entity_code) WHERE p.plan_id = ?""", [plan_id]).fetchone()
    if row is None:
        raise KeyError(plan_id)
    pid, title, issuer, entity, name, level, y0, y1, valid_to, valid_from = row
    y0 = int(y0 or y1 or date.today().year)
    y1 = int(y1 or y0)
    end = date(y1, 12, 31)
    if valid_to is not None:
        end = min(end, valid_to)
    start = date(y0, 1, 1)
    if valid_from is not None:  # a commune founded on 1/7/2025 has no plan running before that day
        start = max(start, valid_from)
    return PlanContext(pid, title, issuer, entity, name, level, y0, y1, end, vocab.coordinator_for(level),
                       coordinator_name(con, level), valid_to is not None, start)


def coordinator_name(con, level: str | None) -> str | None:
    """The name of the unit that compiles the reports of a plan of an entity of ``level``
    (data/progress/coordinators.csv: Phòng Nội vụ for a district; Phòng Văn hóa - Xã hội for a
    commune, TT 10/2025/TT-BNV); None when the level has none."""
    code = vocab.coordinator_for(level)
    row = con.execute("SELECT name FROM units WHERE unit_code = ?", [code]).fetchone() if code else None
    return row[0] if row else None


def periods_in_term(ctx: PlanContext) -> list[tuple[int, str]]:
    """The (year, period code) pairs a unit reports on for the plan: every period of
    data/progress/periods.csv whose months lie inside the plan's term, from its first day (1/1 of
    its first year, or the day its entity began) to ``ctx.end``. The district's 2023–2025 plan
    ended with the district on 30/6/2025, so 2025 has quý I, quý II and 6 tháng đầu năm only: no
    report is asked for months the plan no longer ran. By year, then in the file's order."""
    start = ctx.start or date(ctx.year_from, 1, 1)
    return [(year, p.code) for year in ctx.years for p in vocab.periods()
            if p.start(year) >= start and p.end(year) <= ctx.end]


def default_period(ctx: PlanContext, today: date) -> tuple[str, int]:
    """The period Phòng Nội vụ is collecting now (vocab.current_period), always one of
    ``periods_in_term`` when the term has any: once the plan has ended (or when the current one
    runs past its end), the last tracked period that began by then; before the plan starts, its
    first period."""
    on = ctx.as_of(today)
    code, year = vocab.current_period(on)
    term = periods_in_term(ctx)
    if not term or (year, code) in term:
        return code, year
    began = [(y, vocab.period(c)) for y, c in term if vocab.period(c).start(y) <= on]
    if not began:
        return term[0][1], term[0][0]
    # tracked periods first (the ones collected by default), then the latest to end, the narrowest
    y, p = max(began, key=lambda b: (b[1].tracked, b[1].end(b[0]), -(b[1].last_month - b[1].first_month)))
    return p.code, y


def reports(con, plan_id: str, year: int | None = None) -> pd.DataFrame:
    return con.execute("SELECT * FROM progress_reports WHERE plan_id = ? AND (CAST(? AS INTEGER) IS NULL OR year = ?)",
                       [plan_id, year, year]).df()


_DUTY_KEY = ["plan_id", "item_kind", "index_code", "item_code", "unit_code"]


def _order(df: pd.DataFrame) -> pd.DataFrame:
    from metrics.plan_draft import _code_key

    keys = df.assign(_i=df.index_code.map(index_rank), _k=df.item_kind.map({"criterion": 0, "task": 1}),
                     _c=df.item_code.map(_code_key))
    return keys.sort_values(["_i", "_k", "_c", "unit_name"]).drop(columns=["_i", "_k", "_c"]).reset_index(drop=True)


def period_rows(con, plan_id: str, year: int, period: str, unit_code: str | None = None) -> pd.DataFrame:
    """A unit's duties (every unit's with None) with what it reported for exactly this period:
    what the entry page edits and the template lists. Status NULL = not reported."""
    d = duties(con, plan_id)
    if unit_code is not None:
        d = d[d.unit_code == unit_code]
    r = reports(con, plan_id, year)
    r = r[r.period == period]
    out = d.merge(r.drop(columns=["year", "period"]), on=_DUTY_KEY, how="left")
    return _order(out.assign(year=year, period=period))


def duty_state(con, plan_id: str, year: int, period: str) -> pd.DataFrame:
    """Every duty with its latest report of ``year`` up to the end of ``period`` (a «6 tháng»
    report counts for quý I, the annual one for all), ``state`` = its status or no_report, and
    ``reported_now`` = reported for this very period."""
    upto = vocab.period(period)
    d = duties(con, plan_id)
    r = reports(con, plan_id, year)
    if len(r):
        meta = {p.code: (p.last_month, p.order) for p in vocab.periods()}
        r = r[r.period.map(lambda p: meta.get(p, (99, 99))[0] <= upto.last_month)]
        # the report of this very period wins; else the one of the latest period that ends by then
        r = r.assign(_x=r.period == period, _m=r.period.map(lambda p: meta[p][0]), _o=r.period.map(lambda p: meta[p][1]))
        latest = r.sort_values(["_x", "_m", "_o", "reported_at"]).groupby(_DUTY_KEY, as_index=False).tail(1)
        now = set(map(tuple, r[r.period == period][_DUTY_KEY].itertuples(index=False)))
        latest = latest.drop(columns=["_x", "_m", "_o"])
    else:
        latest, now = r, set()
    out = d.merge(latest.drop(columns=["year"], errors="ignore"), on=_DUTY_KEY, how="left")
    out["state"] = out.status.fillna(NO_REPORT) if len(out) else []
    out["reported_now"] = [k in now for k in map(tuple, out[_DUTY_KEY].itertuples(index=False))]
    return _order(out)


def expected(state: pd.DataFrame) -> pd.DataFrame:
    """The duties a unit must report on: those it leads, for units of the government."""
    return state[(state.role == "lead") & (state.unit_kind != "external")]


def who_reported(con, ctx: PlanContext, year: int, period: str, today: date) -> pd.DataFrame:
    """One row per unit expected to report (it leads something): duties led, how many it reported
    for this period, when it last reported, its state (REPORTED_FULL, REPORTED_PART,
    REPORTED_NONE; REPORTED_LABEL says them) and whether the period's due date has passed (late);
    those that have not reported first."""
    s = duty_state(con, ctx.plan_id, year, period)
    lead = expected(s)
    if lead.empty:
        return pd.DataFrame(columns=["unit_code", "unit_name", "n_duties", "n_reported", "last_at", "state", "late"])
    due = vocab.period(period).due(year)
    g = lead.groupby(["unit_code", "unit_name"], as_index=False).agg(
        n_duties=("item_code", "size"), n_reported=("reported_now", "sum"))
    last = s[s.reported_now].groupby("unit_code").reported_at.max()
    g["last_at"] = g.unit_code.map(last)
    g["state"] = [REPORTED_FULL if r == n else REPORTED_PART if r else REPORTED_NONE
                  for r, n in zip(g.n_reported, g.n_duties)]
    g["late"] = (g.n_reported < g.n_duties) & (ctx.as_of(today) > due)
    order = {code: i for i, code in enumerate(REPORTED_LABEL)}
    return g.sort_values(["state", "unit_name"], key=lambda c: c.map(order) if c.name == "state" else c) \
            .reset_index(drop=True)


@dataclass(frozen=True)
class Overview:
    """The four figures at the top of the coordinator's view of a period."""
    units_full: int           # units that reported every duty they lead
    units_expected: int       # units expected to report (they lead something)
    units_none: int           # units that reported nothing
    overdue: int              # led duties past a deadline of the year without «Hoàn thành»
    share_done: float | None  # led duties whose latest state is «Hoàn thành», of all led (None: none led)


def overview(who: pd.DataFrame, late: pd.DataFrame, counts: pd.DataFrame) -> Overview:
    """The figures of ``who_reported``, ``overdue`` and ``progress_counts`` for one period."""
    total = int(counts.total.sum()) if len(counts) else 0
    return Overview(int((who.state == REPORTED_FULL).sum()), len(who), int((who.state == REPORTED_NONE).sum()),
                    len(late), float(counts.done.sum()) / total if total else None)


def reporting_units(plan_duties: pd.DataFrame, coordinator: str | None) -> pd.DataFrame:
    """The units of a plan a coordinator may report for, in the order the pick list shows them:
    the coordinator itself, then the units that lead something, then the others; by name within."""
    units = plan_duties.assign(_support=plan_duties.role != "lead").sort_values(["_support", "unit_name"]) \
        .drop_duplicates("unit_code")
    units = units.assign(_other=units.unit_code != coordinator).sort_values(["_other", "_support", "unit_name"])
    return units[["unit_code", "unit_name"]].reset_index(drop=True)


def overdue(con, ctx: PlanContext, on: date, year: int | None = None) -> pd.DataFrame:
    """Led duties whose «Thời gian thực hiện» sets a deadline in ``year`` (default: ``on``'s) that
    has passed before ``on`` (a duty is late the day after its deadline, as a report is) while no report says «Hoàn thành» for it (one deadline a year: any report of the
    year; several: a report of a period containing the deadline's month). «Thường xuyên» and timings that
    point to another document have no deadline: they are never overdue (their reporting is
    followed in «who has reported»). Columns: the duty, deadline, timing text, latest state."""
    year = on.year if year is None else year
    if year not in ctx.years or on.year < year:
        return pd.DataFrame(columns=["index_code", "item_kind", "item_code", "item_name", "unit_name", "deadline",
                                     "timing", "state"])
    s = expected(duty_state(con, ctx.plan_id, year, "Y"))
    r_all = reports(con, ctx.plan_id, year)
    done = r_all[r_all.status == vocab.DONE] if len(r_all) else r_all
    done_months: dict[tuple, list[tuple[int, int]]] = {}
    for d in done.itertuples(index=False):
        p = vocab.period(d.period)
        done_months.setdefault((d.item_kind, d.index_code, d.item_code, d.unit_code), []).append(
            (p.first_month, p.last_month))
    rows = []
    for r in s.itertuples(index=False):
        deadlines = vocab.parse_timing(r.timing).deadlines(year)
        spans = done_months.get((r.item_kind, r.index_code, r.item_code, r.unit_code), [])
        # one deadline a year: «Hoàn thành» in any report of the year meets it; several (a report
        # each quarter): each needs «Hoàn thành» in a report of a period containing its month
        missed = [d for d in deadlines if d < on and not (
            spans if len(deadlines) == 1 else any(a <= d.month <= b for a, b in spans))]
        if missed:
            rows.append({"index_code": r.index_code, "item_kind": r.item_kind, "item_code": r.item_code,
                         "item_name": r.item_name, "unit_name": r.unit_name, "deadline": missed[0],
                         "timing": r.timing, "state": r.state})
    out = pd.DataFrame(rows, columns=["index_code", "item_kind", "item_code", "item_name", "unit_name", "deadline",
                                      "timing", "state"])
    return out.sort_values(["deadline", "index_code", "item_code", "unit_name"]).reset_index(drop=True)


def timing_kinds(con, plan_id: str) -> pd.DataFrame:
    """How the plan's «Thời gian thực hiện» cells were read: text, kind, deadlines each year and
    how many duties carry it (so a reader can check the parsing)."""
    d = duties(con, plan_id)
    d = d[d.role == "lead"]
    g = d.groupby(d.timing.fillna(""), as_index=False).size().rename(columns={"timing": "text", "size": "n_duties"})
    parsed = g.text.map(vocab.parse_timing)
    g["kind"] = parsed.map(lambda t: t.label)
    g["deadlines"] = parsed.map(lambda t: ", ".join(f"{d:02d}/{m:02d}" for d, m in t.yearly)
                                + ", ".join(x.strftime("%d/%m/%Y") for x in t.fixed))
    return g.sort_values("n_duties", ascending=False).reset_index(drop=True)


def progress_counts(con, plan_id: str, year: int, period: str, by: str = "index_code") -> pd.DataFrame:
    """Led duties counted by latest state up to the period, per ``by`` (index_code or unit_name):
    one column per state (STATE_ORDER), ``total`` and ``share_done`` (0–1)."""
    s = expected(duty_state(con, plan_id, year, period))
    if s.empty:
        return pd.DataFrame(columns=[by, *STATE_ORDER, "total", "share_done"])
    t = pd.crosstab(s[by], s.state).reindex(columns=STATE_ORDER, fill_value=0)
    t["total"] = t.sum(axis=1)
    t["share_done"] = t[vocab.DONE] / t.total
    t = t.reset_index()
    if by == "index_code":
        t = t.sort_values(by, key=lambda c: c.map(index_rank))
    return t.reset_index(drop=True)


def weak_without_progress(con, ctx: PlanContext, results_year: int, year: int, period: str) -> pd.DataFrame:
    """The weak criteria of the latest results (criteria.focus_list of the plan's entity) whose plan
    duties show no progress in ``year`` up to ``period``: no report «Đang thực hiện» or «Hoàn
    thành» from any unit. Columns: the published criterion, its plan code, reasons, lead units,
    and how many of its duties have no report at all."""
    focus = criteria.focus_list(con, ctx.entity_code, results_year)
    cols = ["index_code", "criterion_code", "criterion_name", "plan_code", "reasons", "lead_units", "n_duties",
            "n_unreported", "is_illustrative"]
    if focus.empty:
        return pd.DataFrame(columns=cols)
    xw = con.execute("""SELECT index_code, framework, criterion_code, plan_code FROM crosswalk
                        WHERE plan_id = ? AND criterion_code IS NOT NULL""", [ctx.plan_id]).df()
    f = focus.merge(xw, on=["index_code", "framework", "criterion_code"], how="inner")
    s = duty_state(con, ctx.plan_id, year, period)
    s = s[s.item_kind == "criterion"]
    rows = []
    for r in f.itertuples(index=False):
        mine = s[(s.index_code == r.index_code) & (s.item_code == r.plan_code)]
        if mine.empty or mine.state.isin(vocab.PROGRESS_STATUSES).any():
            continue
        rows.append({"index_code": r.index_code, "criterion_code": r.criterion_code, "criterion_name": r.criterion_name,
                     "plan_code": r.plan_code, "reasons": list(r.reasons), "lead_units": list(r.lead_units),
                     "n_duties": len(mine), "n_unreported": int((mine.state == NO_REPORT).sum()),
                     "is_illustrative": bool(r.is_illustrative)})
    return pd.DataFrame(rows, columns=cols)


COINCIDENCE_NOTE = ("Bảng đặt cạnh nhau việc các đơn vị báo cáo đã hoàn thành trong năm N và điểm tiêu chí thay đổi "
                    "từ năm N sang N+1. Đó là sự trùng hợp về thời gian, không chứng minh việc làm là nguyên nhân: "
                    "điểm còn phụ thuộc cách chấm, các đơn vị khác và những việc không có trong kế hoạch.")


def effort_outcome(con, ctx: PlanContext) -> pd.DataFrame:
    """For each plan criterion and plan year N: the units that reported it «Hoàn thành» in N
    (any period), and the change of the matching published criterion from N to N+1 (points and
    percentage points; None when N+1 has no result or the series breaks between them)."""
    d = duties(con, ctx.plan_id)
    d = d[d.item_kind == "criterion"][["index_code", "item_code", "item_name"]].drop_duplicates()
    r = reports(con, ctx.plan_id)
    r = r[(r.item_kind == "criterion") & (r.status == vocab.DONE)] if len(r) else r
    units = dict(con.execute("SELECT unit_code, name FROM units").fetchall())
    xw = con.execute("""SELECT index_code, plan_code AS item_code, framework, criterion_code FROM crosswalk
                        WHERE plan_id = ? AND criterion_code IS NOT NULL""", [ctx.plan_id]).df()
    m = criteria.criterion_metrics(con, ctx.entity_code)
    m = m[m.criterion_code.notna()][["index_code", "framework", "criterion_code", "year", "prev_year", "break_before",
                                     "change_points", "change_pct_points", "pct", "is_illustrative"]]
    rows = []
    for item in d.itertuples(index=False):
        pub = xw[(xw.index_code == item.index_code) & (xw.item_code == item.item_code)]
        scores = m.merge(pub, on=["index_code", "framework", "criterion_code"]) if len(pub) else m.iloc[0:0]
        for year in ctx.years:
            done = r[(r.index_code == item.index_code) & (r.item_code == item.item_code) & (r.year == year)] \
                if len(r) else r
            after = scores[(scores.year == year + 1) & (scores.prev_year == year) & ~scores.break_before.fillna(False)]
            rows.append({
                "index_code": item.index_code, "item_code": item.item_code, "item_name": item.item_name, "year": year,
                "criterion_code": pub.criterion_code.iloc[0] if len(pub) else None,
                "done_units": sorted({units.get(u, u) for u in done.unit_code}) if len(done) else [],
                "change_points": after.change_points.iloc[0] if len(after) else None,
                "change_pct_points": after.change_pct_points.iloc[0] if len(after) else None,
                "is_illustrative": bool(after.is_illustrative.iloc[0]) if len(after) else False,
                "reports_illustrative": bool(done.is_illustrative.any()) if len(done) else False})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.assign(_i=out.index_code.map(index_rank)).sort_values(["_i", "item_code", "year"]) \
              .drop(columns="_i").reset_index(drop=True)


@dataclass
class SectionIndex:
    index_code: str
    done: pd.DataFrame          # item_code, item_name, units, evidence (one row per item)
    in_progress: pd.DataFrame
    not_done: pd.DataFrame      # «Chưa triển khai» and «Không thực hiện được», with obstacles
    # led duties (item × lead unit) by their latest state up to the period (STATE_ORDER keys), and
    # how many plan items the index has: the counts the document opens the index with
    counts: dict[str, int] = field(default_factory=dict)
    n_items: int = 0
    # what the units reported done in this period, grouped: text, n_units, n_items (most units first)
    results: pd.DataFrame = field(default_factory=lambda: _grouped(pd.DataFrame(), "done_text"))


@dataclass
class ReportSection:
    context: PlanContext
    year: int
    period: str
    indices: list[SectionIndex]
    not_reported: list[str]     # units expected to report that did not, for this period
    partly_reported: list[str]
    is_illustrative: bool
    n_expected: int | None = None   # units expected to report (they lead something)
    # of ``partly_reported``: unit name -> (duties reported for this period, duties led)
    reported_share: dict[str, tuple[int, int]] = field(default_factory=dict)
    late: list[str] = field(default_factory=list)   # units whose first report for the period came after ``due``
    due: date | None = None                         # the day the period's report was due
    # the obstacles of this period's reports, grouped as ``SectionIndex.results``
    obstacles: pd.DataFrame = field(default_factory=lambda: _grouped(pd.DataFrame(), "obstacles"))
    # one row per plan item (the appendix): index_code, item_kind, item_code, item_name, units and
    # unit_kinds (lead units), states (latest state -> led duties), results ([(text, n_units)]) of
    # those done, evidence (cited: document number or the file's own name, never where it is
    # stored), obstacles ([(text, n_units)]) of the latest reports
    items: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ITEM_COLUMNS))


ITEM_COLUMNS = ["index_code", "item_kind", "item_code", "item_name", "units", "unit_kinds", "states", "results",
                "evidence", "obstacles"]


def effort_done(effort: pd.DataFrame, ctx: PlanContext) -> pd.DataFrame:
    """The rows of ``effort_outcome`` some unit reported done, those whose next year's result
    exists first, with ``no_change_reason``: why a row has no score change to show («chưa có kết
    quả năm N+1», or that the entity is no longer assessed)."""
    shown = effort[effort.done_units.map(len) > 0] if len(effort) else effort
    if shown.empty:
        return shown.assign(no_change_reason=pd.Series(dtype=object))
    shown = shown.sort_values("change_pct_points", na_position="last", key=lambda c: c.isna(), kind="stable")
    return shown.assign(no_change_reason=[
        None if pd.notna(v) else f"không có: {ctx.entity_name.lower()} không còn được đánh giá"
        if ctx.ended and y + 1 >= ctx.end.year else f"chưa có kết quả năm {y + 1}"
        for v, y in zip(shown.change_pct_points, shown.year)])


def evidence_name(stored: object) -> str:
    """The name an evidence file goes by in a document: the name the unit gave it. The store keeps
    it as ``evidence/<16 hex of its SHA-256>/<that name, made safe>`` (store.progress.keep_evidence):
    the folder is where it is kept, never what it is."""
    text = "" if stored is None or (isinstance(stored, float) and pd.isna(stored)) else str(stored)
    return PurePosixPath(text.replace("\\", "/")).name.strip()


def cited_evidence(rows: pd.DataFrame) -> list[str]:
    """The evidence of report rows as a reader cites it: what the unit wrote (a document number and
    date, a link), then «tệp <the file's own name>» for an attached file; each once."""
    texts = [str(t).strip() for t in rows.evidence.dropna() if str(t).strip()] if "evidence" in rows else []
    files = [f"tệp {n}" for n in map(evidence_name, rows.evidence_file.dropna()) if n] \
        if "evidence_file" in rows else []
    return list(dict.fromkeys([*texts, *files]))


def _grouped(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """The distinct texts of ``column`` (trailing full stop and spacing aside), with how many units
    and plan items gave each: most units first, then most items, then the text."""
    cols = ["text", "n_units", "n_items"]
    if rows.empty or column not in rows:
        return pd.DataFrame(columns=cols)
    rows = rows.assign(_t=rows[column].map(lambda t: " ".join(str(t).split()).rstrip(" .;")
                                           if isinstance(t, str) else ""),
                       _item=rows.index_code + "|" + rows.item_kind + "|" + rows.item_code)
    rows = rows[rows._t != ""]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    g = rows.groupby("_t").agg(n_units=("unit_code", "nunique"), n_items=("_item", "nunique")) \
            .reset_index().rename(columns={"_t": "text"})
    return g.sort_values(["n_units", "n_items", "text"], ascending=[False, False, True]).reset_index(drop=True)[cols]


def _items(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per plan item: its units (lead first) and their evidence and obstacles joined."""
    if rows.empty:
        return pd.DataFrame(columns=["item_kind", "item_code", "item_name", "units", "done_text", "evidence",
                                     "obstacles"])
    out = []
    for (kind, code), g in rows.groupby(["item_kind", "item_code"], sort=False):
        g = g.sort_values(["role", "unit_name"])
        join = lambda col: "; ".join(dict.fromkeys(t for t in g[col].dropna() if str(t).strip()))  # noqa: E731
        out.append({"item_kind": kind, "item_code": code, "item_name": g.item_name.iloc[0],
                    "units": list(dict.fromkeys(g.unit_name)), "done_text": join("done_text"),
                    "evidence": "; ".join(cited_evidence(g)), "obstacles": join("obstacles")})
    return pd.DataFrame(out)


def _plan_items(lead: pd.DataFrame) -> pd.DataFrame:
    """The appendix: one row per plan item (in the plan's order) with its lead units, their latest
    states counted, what those that finished reported done and their evidence, and the obstacles
    the latest reports name."""
    def pairs(rows: pd.DataFrame, column: str) -> list[tuple[str, int]]:
        return list(_grouped(rows, column)[["text", "n_units"]].itertuples(index=False, name=None))

    rows = []
    for _, g in lead.groupby(["index_code", "item_kind", "item_code"], sort=False):
        done = g[g.state == vocab.DONE]
        first = g.iloc[0]
        rows.append({"index_code": first.index_code, "item_kind": first.item_kind, "item_code": first.item_code,
                     "item_name": first.item_name, "units": list(g.unit_name), "unit_kinds": list(g.unit_kind),
                     "states": {s: int(n) for s, n in g.state.value_counts().items()},
                     "results": pairs(done, "done_text"), "evidence": cited_evidence(done),
                     "obstacles": pairs(g, "obstacles")})
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def report_section(con, ctx: PlanContext, year: int, period: str, today: date) -> ReportSection:
    """The «mục riêng» of the periodic CCHC report: per index, the led duties counted by their
    latest state up to the period and what the units reported done in it (grouped), items done, in
    progress and not done by the reports of exactly this period (every unit's, lead and support),
    with units and evidence; the units expected to report that did not, did only in part, or did
    after the due day; the obstacles of the period, grouped; and one row per plan item."""
    s = duty_state(con, ctx.plan_id, year, period)
    now = s[s.reported_now]
    lead = expected(s)
    indices = []
    for code in sorted(s.index_code.unique(), key=index_rank):
        mine, led = now[now.index_code == code], lead[lead.index_code == code]
        indices.append(SectionIndex(
            code, _items(mine[mine.status == vocab.DONE]), _items(mine[mine.status == "in_progress"]),
            _items(mine[mine.status.isin(["not_started", "not_possible"])]),
            {state: int((led.state == state).sum()) for state in STATE_ORDER},
            len(s[s.index_code == code][["item_kind", "item_code"]].drop_duplicates()),
            _grouped(mine[mine.status == vocab.DONE], "done_text")))
    who = who_reported(con, ctx, year, period, today)
    due = vocab.period(period).due(year)
    partly = who[who.state == REPORTED_PART]
    # late: the unit's first report of the period came after the due day (a correction made later
    # does not make a report that came in time late)
    first = now.groupby("unit_code").reported_at.min()
    late = [u for code, u in zip(who.unit_code, who.unit_name)
            if pd.notna(first.get(code)) and pd.Timestamp(first[code]).date() > due]
    return ReportSection(ctx, year, period, indices, who[who.state == REPORTED_NONE].unit_name.tolist(),
                         partly.unit_name.tolist(),
                         bool(now.is_illustrative.astype("boolean").fillna(False).any()), len(who),
                         {u: (int(r), int(n)) for u, r, n in zip(partly.unit_name, partly.n_reported, partly.n_duties)},
                         late, due, _grouped(now, "obstacles"), _plan_items(lead))
