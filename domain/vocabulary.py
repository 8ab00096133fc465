"""The product's vocabulary, read from data files an official can edit: which indices there
are and in what order, their short labels, which plan appendix belongs to which index, whose
dashboard this is (data/home.csv) and the plans it knows (data/plans.csv).

Every layer takes these from here: adding an index or next year's plan is a data edit.
"""
from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@cache
def indices(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """data/frameworks/indices.csv in its own order (column ``order``)."""
    df = _read(data_dir / "frameworks" / "indices.csv")
    return df.assign(order=df["order"].astype(int)).sort_values("order").reset_index(drop=True)


INDEX_CODES: tuple[str, ...] = tuple(indices().index_code)


@cache
def criterion_tasks(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """data/frameworks/criterion_tasks.csv: the task a drafted plan sets for each criterion
    (index_code, criterion_name, task, from_plan_task: the former district's task it follows)."""
    return _read(data_dir / "frameworks" / "criterion_tasks.csv")
INDEX_LABEL: dict[str, str] = dict(zip(indices().index_code, indices().short_label))  # «PAR INDEX»
INDEX_NAME: dict[str, str] = dict(zip(indices().index_code, indices().name_vi))


def short_label(index_code: str) -> str:
    return INDEX_LABEL.get(index_code, index_code)


def index_rank(index_code: str) -> int:
    """Position of an index in the product's order (unknown codes last)."""
    return INDEX_CODES.index(index_code) if index_code in INDEX_CODES else len(INDEX_CODES)


@cache
def home(data_dir: Path = DATA_DIR) -> dict[str, list[str]]:
    """role -> entity codes, in file order, from data/home.csv: ``home`` (the entities this
    copy of the product serves; the first is the one it opens on) and ``history`` (units
    that no longer exist but whose plans and results are kept, e.g. the district dissolved
    on 1/7/2025). Pointing the product at another commune or province is an edit of that file."""
    df = _read(data_dir / "home.csv")
    out: dict[str, list[str]] = {}
    for role, code in zip(df.role, df.entity_code):
        out.setdefault(role.strip(), []).append(code.strip())
    if not out.get("home"):
        raise ValueError(f"{data_dir / 'home.csv'}: cần ít nhất một dòng role=home")
    return out


def home_entities() -> list[str]:
    return home()["home"]


def home_history() -> list[str]:
    return home().get("history", [])


def home_entity() -> str:
    """The entity the dashboard opens on: the first ``home`` row."""
    return home_entities()[0]


def home_province() -> str:
    """The province of the home entities: the ``home`` row of a code without a sub-code
    (VN-38), else the province part of the first home code."""
    for code in home_entities():
        if code.count("-") == 1:
            return code
    return "-".join(home_entity().split("-")[:2])


@cache
def reforms(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """data/registry/reforms.csv: administrative reforms that changed whole peer groups
    (effective date, the levels they touched, a name and its legal source). A trend of any
    unit at those levels is broken there, whether or not the unit itself changed."""
    df = _read(data_dir / "registry" / "reforms.csv")
    return df.assign(effective=pd.to_datetime(df.effective).dt.date, levels=df.levels.str.split("|"))


def plans(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """data/plans.csv: plan_id, entity_code, issuer, title, year_from, year_to, source, and
    optionally appendices («1:PAR|2:SIPAS|3:PAPI») when a plan numbers them otherwise.
    Read on every call: an import may follow an edit of the file."""
    return _read(data_dir / "plans.csv")


def plan_row(plan_id: str, data_dir: Path = DATA_DIR) -> dict | None:
    df = plans(data_dir)
    row = df[df.plan_id == plan_id]
    return row.iloc[0].to_dict() if len(row) else None


def appendix_indices(plan_id: str | None = None, data_dir: Path = DATA_DIR) -> dict[int, str]:
    """Which index each numbered appendix of a plan assigns: the plan's own ``appendices``
    column, else the default order of indices.csv (``plan_appendix``)."""
    row = plan_row(plan_id, data_dir) if plan_id else None
    text = (row or {}).get("appendices", "")
    if text:
        return {int(k): v for k, v in (part.split(":") for part in text.split("|"))}
    df = indices(data_dir)
    return {int(a): c for a, c in zip(df.plan_appendix, df.index_code) if a}


def next_plan_year(results_year: int, today: date | None = None) -> int:
    """The year a plan drafted today from ``results_year``'s results is for: the year after
    those results, but never a year already under way once its plan is due. From October
    on, offices draft the coming year's plan (December 2026 with 2025 results: 2027)."""
    today = today or date.today()
    return max(int(results_year) + 1, today.year + (1 if today.month >= 10 else 0))


def plan_year(plan_id: str | None, data_dir: Path = DATA_DIR, today: date | None = None) -> int:
    """The year whose frameworks a plan is read against: the last year of its period, or
    last year when the plan does not say (results of a year are published the next)."""
    row = plan_row(plan_id, data_dir) if plan_id else None
    end = (row or {}).get("year_to", "")
    return int(end) if str(end).isdigit() else (today or date.today()).year - 1


@cache
def threshold(key: str, data_dir: Path = DATA_DIR) -> float:
    """One value of data/thresholds.csv (``min_peers``, ``low_rank_fraction``, …)."""
    df = _read(data_dir / "thresholds.csv")
    return float(dict(zip(df.key, df.value))[key])


# Why a unit with a score has no rank (score_rank.rank_note), as pages and documents say it.
RANK_NOTES: dict[str, str] = {
    "few_peers": "chưa đủ đơn vị để xếp hạng",
    "published": "điểm mâu thuẫn với thứ hạng cơ quan công bố đã nêu",
    "band": "không xếp được vào nhóm mà nguồn nêu",
    "full": "không còn chỗ trống giữa các thứ hạng đã công bố",
}
