"""The vocabulary of the plan's reporting loop, read from data/progress/ (an official edits it,
not the code): reporting periods and their deadlines, the statuses of a task, the coordinating
unit per level, and what a plan's «Thời gian thực hiện» cell means as dates.

The plan orders every unit to report «định kỳ hằng quý, 06 tháng, năm» to Phòng Nội vụ;
quarterly reports before the 10th of the quarter's last month, the annual one before 20/12
(data/progress/README.md gives the source).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from domain.text import fold
from domain.vocabulary import DATA_DIR

PROGRESS_DIR = DATA_DIR / "progress"


def _read(name: str, folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    code: str          # Q1 Q2 H1 Q3 Q4 Y
    label: str         # «Quý I», «6 tháng đầu năm», «Năm»
    short: str
    order: int
    first_month: int
    last_month: int
    due_day: int
    due_month: int
    tracked: bool      # collected by default (quý I, 6 tháng, quý III, năm)

    def due(self, year: int) -> date:
        """The day the report for this period of ``year`` is due."""
        return date(year, self.due_month, self.due_day)

    def start(self, year: int) -> date:
        return date(year, self.first_month, 1)

    def end(self, year: int) -> date:
        return date(year, self.last_month, calendar.monthrange(year, self.last_month)[1])


@cache
def periods(folder: Path = PROGRESS_DIR) -> tuple[Period, ...]:
    df = _read("periods.csv", folder)
    out = []
    for r in df.itertuples():
        day, month = (int(x) for x in r.due.split("/"))
        out.append(Period(r.period, r.label, r.short, int(r.order), int(r.first_month), int(r.last_month),
                          day, month, r.tracked == "1"))
    return tuple(sorted(out, key=lambda p: p.order))


def period(code: str) -> Period:
    for p in periods():
        if p.code == code:
            return p
    raise KeyError(code)


PERIOD_CODES: tuple[str, ...] = tuple(p.code for p in periods())
PERIOD_LABEL: dict[str, str] = {p.code: p.label for p in periods()}


def period_text(code: str, year: int) -> str:
    """«Quý IV/2026», «6 tháng đầu năm 2026», «Năm 2026»."""
    p = period(code)
    return f"{p.label}/{year}" if p.code.startswith("Q") else f"{p.label} {year}"


def current_period(on: date) -> tuple[str, int]:
    """The tracked period whose months contain ``on`` (1 December 2026: the annual report of
    2026); among tracked periods the narrowest one wins (April falls in «6 tháng», not «Năm»)."""
    tracked = [p for p in periods() if p.tracked and p.first_month <= on.month <= p.last_month]
    best = min(tracked, key=lambda p: (p.last_month - p.first_month, p.order))
    return best.code, on.year


_PERIOD_WORDS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_period(text: object) -> str | None:
    """A period as people write it («Quý IV», «quy 4», «Q4», «6 tháng», «Năm», «cả năm»), or None."""
    key = " ".join(fold(text).replace(".", " ").split())
    if not key:
        return None
    for p in periods():
        if key in (fold(p.code), fold(p.label), fold(p.short)):
            return p.code
    if m := re.fullmatch(r"(?:quy|q)\s*(i{1,3}|iv|[1-4])", key):
        return f"Q{_PERIOD_WORDS[m[1]]}"
    if key in ("6 thang", "sau thang", "6 thang dau nam", "nua nam", "h1", "quy ii 6 thang"):
        return "H1"
    if key in ("nam", "ca nam", "y", "bao cao nam"):
        return "Y"
    return None


# ---------------------------------------------------------------- statuses


@dataclass(frozen=True)
class Status:
    code: str
    label: str
    order: int
    progress: bool     # «đang thực hiện» and «hoàn thành» count as progress
    aliases: tuple[str, ...]


@cache
def statuses(folder: Path = PROGRESS_DIR) -> tuple[Status, ...]:
    df = _read("statuses.csv", folder)
    return tuple(sorted((Status(r.status, r.label, int(r.order), r.progress == "1",
                                tuple(a for a in r.aliases.split("|") if a)) for r in df.itertuples()),
                        key=lambda s: s.order))


STATUS_CODES: tuple[str, ...] = tuple(s.code for s in statuses())
STATUS_LABEL: dict[str, str] = {s.code: s.label for s in statuses()}
PROGRESS_STATUSES: frozenset[str] = frozenset(s.code for s in statuses() if s.progress)
DONE = "done"


def parse_status(text: object) -> str | None:
    key = " ".join(fold(text).split())
    for s in statuses():
        if key in (fold(s.code), fold(s.label), *s.aliases):
            return s.code
    return None


# ---------------------------------------------------------------- who compiles the reports


@cache
def coordinators(folder: Path = PROGRESS_DIR) -> dict[str, str]:
    """level of the plan's entity (district | commune) -> the unit that compiles the reports."""
    df = _read("coordinators.csv", folder)
    return dict(zip(df.level, df.unit_code))


def coordinator_for(level: str | None) -> str | None:
    return coordinators().get(level or "")


# ---------------------------------------------------------------- «Thời gian thực hiện»


@dataclass(frozen=True)
class Timing:
    """What a plan's «Thời gian thực hiện» cell commits a unit to, as dates.

    kind: ``continuous`` («Thường xuyên»: reported on in every period, no single deadline),
    ``deadline`` (one or more dates each year, or on fixed dates), ``other`` (it points to another
    document, e.g. «Theo Kế hoạch cải cách hành chính hàng năm»: no date can be read), ``none``
    (the cell is empty)."""
    text: str
    kind: str
    yearly: tuple[tuple[int, int], ...] = field(default=())   # (day, month) every year
    fixed: tuple[date, ...] = field(default=())

    def deadlines(self, year: int) -> list[date]:
        """The deadlines that fall in ``year``."""
        out = [date(year, m, d) for d, m in self.yearly] + [d for d in self.fixed if d.year == year]
        return sorted(set(out))

    @property
    def label(self) -> str:
        return {"continuous": "thường xuyên", "deadline": "có hạn", "other": "theo văn bản khác",
                "none": "không ghi"}[self.kind]


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


_MAX_DAY = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a month's days in any year


def _end_of_month(year: int, month: int) -> tuple[int, int]:
    """(last day, month); without a year February ends on the 28th, as it does three years in four."""
    if year:
        return calendar.monthrange(year, month)[1], month
    return (28 if month == 2 else _MAX_DAY[month - 1]), month


def parse_timing(text: object) -> Timing:
    """Read the dates out of a «Thời gian thực hiện» cell. Recognised (without diacritics, any
    case): «Thường xuyên»; «Quý IV (hàng năm | năm 2026)»; «(trước | đến | trước ngày) 20/12
    (hàng năm | /2026)»; «Tháng 6 (/2026)»; «6 tháng đầu năm»; «Năm 2026»; «Báo cáo quý 1, 2, 3:
    trước ngày 10 của tháng cuối quý». Anything else with no date in it is ``other``."""
    raw = " ".join(str(text or "").split())
    key = fold(raw)
    if not key:
        return Timing(raw, "none")
    yearly: list[tuple[int, int]] = []
    fixed: list[date] = []

    def add(day: int, month: int, year: int | None) -> None:
        if not (1 <= month <= 12 and 1 <= day <= (calendar.monthrange(year, month)[1] if year else _MAX_DAY[month - 1])):
            return
        (fixed.append(date(year, month, day)) if year else yearly.append((day, month)))

    rest = key
    # «quý 1, 2, 3: trước ngày 10 của tháng cuối quý»
    for m in re.finditer(r"quy\s+((?:(?:i{1,3}|iv|[1-4])\s*(?:,|va)?\s*)+)[^;]*?ngay\s+(\d{1,2})\s+cua\s+thang\s+cuoi\s+quy",
                         rest):
        for q in re.findall(r"i{1,3}|iv|[1-4]", m[1]):
            add(int(m[2]), 3 * _ROMAN[q], None)
        rest = rest.replace(m[0], " ")
    # explicit dates: 20/12, 20/12/2026
    for m in re.finditer(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})(?!\d)(?:\s*/\s*(\d{4}))?", rest):
        add(int(m[1]), int(m[2]), int(m[3]) if m[3] else None)
    rest = re.sub(r"(?<!\d)\d{1,2}\s*/\s*\d{1,2}(?!\d)(?:\s*/\s*\d{4})?", " ", rest)
    # quarters: «quý IV hàng năm», «quý II năm 2026», «quý I, II»
    for m in re.finditer(r"quy\s+((?:(?:iv|i{1,3}|[1-4])\b\s*(?:,|va|-)?\s*)+)(?:(?:nam|/)\s*(\d{4}))?", rest):
        year = int(m[2]) if m[2] else None
        for q in re.findall(r"iv|i{1,3}|[1-4]", m[1]):
            day, month = _end_of_month(year or 0, 3 * _ROMAN[q])
            add(day, month, year)
    rest = re.sub(r"quy\s+((?:(?:iv|i{1,3}|[1-4])\b\s*(?:,|va|-)?\s*)+)(?:(?:nam|/)\s*\d{4})?", " ", rest)
    if "6 thang dau nam" in rest:
        add(30, 6, None)
        rest = rest.replace("6 thang dau nam", " ")
    # months: «tháng 6», «tháng 6/2026», «tháng 6 năm 2026»
    for m in re.finditer(r"thang\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?", rest):
        year = int(m[2]) if m[2] else None
        if 1 <= int(m[1]) <= 12:
            day, month = _end_of_month(year or 0, int(m[1]))
            add(day, month, year)
    rest = re.sub(r"thang\s+\d{1,2}(?:\s*(?:/|nam)\s*\d{4})?", " ", rest)
    # a bare year: «năm 2026», «trong năm 2026»
    if not yearly and not fixed:
        for m in re.finditer(r"nam\s+(\d{4})", rest):
            add(31, 12, int(m[1]))
    continuous = "thuong xuyen" in key
    if yearly or fixed:
        return Timing(raw, "deadline", tuple(sorted(set(yearly), key=lambda dm: (dm[1], dm[0]))),
                      tuple(sorted(set(fixed))))
    return Timing(raw, "continuous" if continuous else "other")
