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
INDEX_LABEL: dict[str, str] = dict(zip(indices().index_code, indices().short_label))  # «PAR INDEX»
INDEX_NAME: dict[str, str] = dict(zip(indices().index_code, indices().name_vi))


def short_label(index_code: str) -> str:
    return INDEX_LABEL.get(index_code, index_code)


def index_rank(index_code: str) -> int:
    """Position of an index in the product's order (unknown codes last)."""
    return INDEX_CODES.index(index_code) if index_code in INDEX_CODES else len(INDEX_CODES)


@cache
def home(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """role -> entity_code from data/home.csv: ``default`` (the entity the dashboard opens
    on), ``province`` (its province, for context), ``district`` (the district whose plan
    and illustrative results are shipped)."""
    df = _read(data_dir / "home.csv")
    return dict(zip(df.role, df.entity_code))


def home_entity() -> str:
    return home()["default"]


def home_province() -> str:
    return home()["province"]


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


def plan_year(plan_id: str | None, data_dir: Path = DATA_DIR, today: date | None = None) -> int:
    """The year whose frameworks a plan is read against: the last year of its period, or
    last year when the plan does not say (results of a year are published the next)."""
    row = plan_row(plan_id, data_dir) if plan_id else None
    end = (row or {}).get("year_to", "")
    return int(end) if str(end).isdigit() else (today or date.today()).year - 1
