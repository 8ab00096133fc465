"""Everything a briefing shows, gathered once from metrics/ so that slides, printable
pages and task tables carry exactly the dashboard's numbers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from domain.problems import InputError
from domain.text import format_number
from domain.vocabulary import INDEX_CODES, INDEX_NAME, next_plan_year
from metrics import criteria, proposals



@dataclass
class IndexTrend:
    index_code: str
    name: str                   # Vietnamese name of the index
    trend: pd.DataFrame         # year, points, rank, n_ranked, computed, is_illustrative (own rows only)
    latest_year: int
    latest_points: float | None
    latest_rank: int | None
    latest_n: int | None
    rank_computed: bool
    change_points: float | None
    is_illustrative: bool


@dataclass
class Briefing:
    entity_code: str
    entity_name: str
    year: int
    generated: date
    indices: list[IndexTrend]
    weak: pd.DataFrame          # the focus list: declining or low-ranked criteria of `year`
    climb: pd.DataFrame         # points to climb for those criteria (same order as weak)
    sources: list[str]
    is_illustrative: bool
    plan_title: str = ""  # the entity's own plans (title and issuer), or «chưa có kế hoạch giao việc»
    notes: list[str] = field(default_factory=list)

    @property
    def plan_year(self) -> int:
        """The year the focus list is drafted for (domain.vocabulary.next_plan_year)."""
        return next_plan_year(self.year, self.generated)


def gather(con, entity_code: str, year: int) -> Briefing:
    name = con.execute("SELECT name FROM entities WHERE entity_code = ?", [entity_code]).fetchone()
    if name is None:
        raise ValueError(f"không có đơn vị được đánh giá mã {entity_code}")
    index_names = dict(con.execute("SELECT index_code, name_vi FROM indices").fetchall())
    indices = []
    for code in INDEX_CODES:
        r = criteria.ranks(con, entity_code, code, follow_successors=False)
        r = r[r.year <= year]
        if r.empty or r.points.isna().all():
            continue
        last = r[r.points.notna()].iloc[-1]
        nan = lambda v: None if pd.isna(v) else v  # noqa: E731
        indices.append(IndexTrend(
            code, index_names.get(code, code), r[["year", "points", "rank", "n_ranked", "computed", "is_illustrative"]]
            .reset_index(drop=True), int(last.year), nan(last.points), nan(last["rank"]) and int(last["rank"]),
            nan(last.n_ranked) and int(last.n_ranked), bool(last.computed), nan(last.change_points),
            bool(r.is_illustrative.any())))
    weak = criteria.focus_list(con, entity_code, year)
    climb = criteria.points_to_climb(con, entity_code, year)
    climb = weak[["index_code", "criterion_code"]].merge(climb, on=["index_code", "criterion_code"], how="left")
    codes = [i.index_code for i in indices]
    sources = [s for (s,) in con.execute(
        f"""SELECT DISTINCT source_file FROM score WHERE entity_code = ? AND year <= ? AND source_file IS NOT NULL
            AND index_code IN ({", ".join("?" * len(codes)) or "NULL"}) ORDER BY 1""", [entity_code, year, *codes]).fetchall()]
    own = con.execute("SELECT source_file, title, issuer FROM plans WHERE entity_code = ? ORDER BY plan_id",
                      [entity_code]).fetchall()
    plans = [f for f, _, _ in own]
    plan_title = "; ".join(f"{t} của {i}" if i else t for _, t, i in own) or criteria.NO_PLAN
    illustrative = any(i.is_illustrative for i in indices) or bool(weak.is_illustrative.any() if len(weak) else False)
    return Briefing(entity_code, name[0], year, date.today(), indices, weak.reset_index(drop=True),
                    climb.reset_index(drop=True), [*sources, *plans], illustrative, plan_title)


ILLUSTRATIVE_NOTICE = ("Một phần số liệu là SỐ LIỆU MINH HỌA, không phải số liệu công bố: kết quả chính thức "
                       "PAR, SIPAS, PAPI, DDCI của đơn vị chưa được nhập vào hệ thống.")
# The line every page of every export carries when illustrative rows were used (each slide's
# footer, each printed page of the report, the task table's title block and page header): a
# page copied or forwarded on its own still says so.
ILLUSTRATIVE_MARK = "SỐ LIỆU MINH HỌA — tài liệu này có dùng số liệu minh họa, không phải số liệu công bố"
# Decks and reports lead with this many of the focus list (it is ordered by urgency); the
# rest go to an appendix («Phụ lục: các tiêu chí yếu còn lại»).
TOP_FOCUS = 10
APPENDIX_TITLE = "Phụ lục: các tiêu chí yếu còn lại"


vn = format_number  # the documents' numbers are the screen's


class CriterionChoiceError(InputError, ValueError):
    """A --criteria code that names nothing, or several things."""


def chosen_criteria(con, entity_code: str, year: int, codes: list[str] | None) -> pd.DataFrame:
    """The focus list, or the criteria named by ``codes`` ("3.4", "SC62", or "PAR:3.4" when a
    code exists in several indices), with their units — in the focus list's columns. An entity
    without a plan of its own (a commune since 1/7/2025) gets the units proposed from its
    predecessor's plan (metrics.proposals; ``units_proposed`` says which rows)."""
    prop = proposals.proposal(con, entity_code)
    focus = criteria.focus_list(con, entity_code, year)
    if not codes:
        return proposals.with_units(focus, prop)
    m = criteria.criterion_metrics(con, entity_code, None, year)
    m = m[m.is_leaf]
    resp = criteria.responsibility(con, entity_code=entity_code)
    picked, problems = [], []
    for raw in codes:
        index, _, code = raw.strip().rpartition(":")
        hit = m[(m.criterion_code == code) & ((m.index_code == index.upper()) if index else True)]
        if len(hit) != 1:
            where = ", ".join(f"{i}:{c}" for i, c in zip(hit.index_code, hit.criterion_code))
            problems.append(f"«{raw}»: " + (f"có ở nhiều chỉ số ({where}); ghi rõ dạng CHỈ_SỐ:MÃ" if len(hit) > 1
                                            else f"không có tiêu chí này cho đơn vị và năm {year}"))
            continue
        picked.append(hit.iloc[0])
    if problems:
        raise CriterionChoiceError("Không chọn được tiêu chí: " + "; ".join(problems))
    df = pd.DataFrame(picked)
    units = resp.groupby(["index_code", "framework", "criterion_code"]).agg(
        lead_units=("lead_units", "first"), support_units=("support_units", "first")).reset_index()
    df = df.merge(units, on=["index_code", "framework", "criterion_code"], how="left")
    for col in ("lead_units", "support_units"):
        df[col] = df[col].apply(lambda v: list(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") else [])
    return proposals.with_units(df, prop)


def task_rows(con, entity_code: str, year: int, codes: list[str] | None = None) -> list:
    """Next year's task table rows in the plan's appendix layout."""
    from metrics.plan_draft import draft_rows

    chosen = chosen_criteria(con, entity_code, year, codes)
    if chosen.empty:
        return []
    return task_rows_of(draft_rows(con, chosen, entity_code))


def task_rows_of(draft: pd.DataFrame) -> list:
    """metrics.plan_draft.draft_rows → the task table's rows (the one conversion, for the
    page and the command line alike)."""
    from exports.task_table import TaskRow

    text = lambda v: v if isinstance(v, str) and v else None  # noqa: E731
    flags = draft["is_illustrative"] if "is_illustrative" in draft else [False] * len(draft)
    return [TaskRow(r.index_code, text(r.area_code), text(r.area_name), r.code, r.criterion_name,
                    list(r.lead_units), list(r.support_units), text(r.timing) or "Thường xuyên",
                    bool(flag) if not pd.isna(flag) else False)
            for r, flag in zip(draft.itertuples(), flags)]


# --- the dates and the number of next year's plan ------------------------------------------

BLANK = "…"                   # what the office fills in by hand in a draft: số, ngày, tháng
PLAN_NUMBER_SUFFIX = "/KH-UBND"


def plan_years(results_year: int, today: date | None = None, signed_on: date | None = None) -> tuple[int, int]:
    """(the year the plan drafted from ``results_year``'s results is for, the year it is dated).
    A plan for year N is drafted and signed before N begins (the 2023–2025 plan: 11/2023), so
    it is dated N−1, or N when N is already under way; once signed, the year it was signed.
    The plan, its appendices and the task table all take their dates from here."""
    today = today or date.today()
    plan = next_plan_year(results_year, today)
    return plan, (signed_on.year if signed_on else max(today.year, plan - 1))


def plan_number_text(given: str | None) -> str:
    """«…/KH-UBND» in a draft; «125/KH-UBND» from «125»; a full number («125/KH-UBND») as given."""
    given = (given or "").strip() or BLANK
    return given if given != BLANK and "/" in given else f"{given}{PLAN_NUMBER_SUFFIX}"


def attached_to(number: str, issuer: str, year: int, day: str = BLANK, month: str = BLANK) -> str:
    """The line under an appendix's title: «(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm 2026 của
    UBND xã Tây Đô)», as the date line of the plan writes the date."""
    return f"(Kèm theo Kế hoạch số {number} ngày {day} tháng {month} năm {year} của {issuer})"


def task_layout(authority_name: str, year: int, plan_number: str = BLANK, *, illustrative: bool,
                today: date | None = None, signed_on: date | None = None) -> dict:
    """Title, «Kèm theo Kế hoạch …» line, index names and illustrative notice (None when
    the criteria were chosen from published data only) of the task table drafted from
    ``year``'s results, addressed to ``authority_name`` («UBND xã Tây Đô»): the keywords of
    ``exports.task_table.task_table_xlsx`` / ``task_table_docx`` / ``write_task_table``. Dated
    as the plan it is attached to (``plan_years``): drafted in December 2026 for 2027, «năm 2026»."""
    plan, issued = plan_years(year, today, signed_on)
    day, month = (f"{signed_on.day:02d}", f"{signed_on.month:02d}") if signed_on else (BLANK, BLANK)
    return dict(title=f"NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CÁC CHỈ SỐ NĂM {plan}",
                subtitle=attached_to(plan_number_text(plan_number), authority_name, issued, day, month),
                index_names=dict(INDEX_NAME), notice=ILLUSTRATIVE_MARK if illustrative else None)
