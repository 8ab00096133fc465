"""The staged shape every score reader produces, and the checks every row must pass.

Every reader (tidy template, publisher workbook, reference CSV) turns its input into a
DataFrame with exactly ``STAGED_COLUMNS``; ``check_rows`` then applies the rules that do
not depend on the layout (criterion exists in the year's framework, points within the
maximum, no two rows disagreeing about the same fact). Nothing reaches the database
unless the whole file passes.
"""
from __future__ import annotations

import math

import pandas as pd

from loaders.frameworks import Frameworks
from loaders.problems import Problem
from loaders.text import vn_number

STAGED_COLUMNS = [
    "year",             # assessment year (năm đánh giá), int
    "index_code",       # PAR, SIPAS, PAPI, DDCI, PCI
    "framework",        # framework version, e.g. PAPI-2021
    "criterion_code",   # None for the index total
    "entity_code",      # resolved through the entity registry
    "entity_raw",       # the name as written in the file
    "points",           # float or None (missing is missing, never zero)
    "max_points",       # the maximum that applied to this entity, or None (framework's)
    "rank",             # published rank, or None
    "n_ranked",         # size of the published ranking, or None
    "label",            # published classification (quartile group, tier), or None
    "is_illustrative",  # bool
    "source_file",      # file name as imported
    "source_sheet",     # sheet name, or None for CSV
    "source_row",       # 1-based row in the file/sheet
    "source_note",      # decision number, URL, remarks
]


def empty_staged() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in STAGED_COLUMNS})


def staged(rows: list[dict]) -> pd.DataFrame:
    """A staged DataFrame from dicts; missing keys become None."""
    if not rows:
        return empty_staged()
    df = pd.DataFrame([{c: r.get(c) for c in STAGED_COLUMNS} for r in rows], columns=STAGED_COLUMNS)
    return df.astype(object).where(df.notna(), None)


def check_rows(df: pd.DataFrame, fw: Frameworks, file: str, column_of: dict[str, str] | None = None) -> list[Problem]:
    """Layout-independent rules. ``column_of`` maps a field to the header the user sees."""
    col = {"year": "year", "criterion_code": "criterion", "points": "points",
           "max_points": "max_points", "rank": "rank", **(column_of or {})}
    problems: list[Problem] = []
    for r in df.itertuples(index=False):
        where = dict(file=file, sheet=r.source_sheet, row=r.source_row)
        if r.framework is None:
            problems.append(Problem(message=f"chỉ số {r.index_code} không có bộ tiêu chí cho năm {r.year}",
                                    column=col["year"], **where))
            continue
        if r.criterion_code is not None and not fw.has_criterion(r.framework, r.criterion_code):
            codes = ", ".join(fw.criteria_of(r.framework).code.head(12))
            problems.append(Problem(message=f"mã tiêu chí «{r.criterion_code}» không có trong bộ {r.framework}"
                                            f" (ví dụ các mã hợp lệ: {codes}…)", column=col["criterion_code"], **where))
            continue
        fw_max = fw.max_points(r.framework, r.criterion_code)
        mx = r.max_points if r.max_points is not None else fw_max
        if r.max_points is not None and (r.max_points <= 0 or (fw_max is not None and r.max_points > fw_max + 1e-9)):
            problems.append(Problem(message=f"điểm tối đa {vn_number(r.max_points)} không hợp lệ (phải lớn hơn 0 và không quá "
                                            f"{vn_number(fw_max)} theo bộ tiêu chí)", column=col["max_points"], **where))
        if r.points is not None:
            if r.points < 0:
                problems.append(Problem(message=f"điểm âm ({vn_number(r.points)})", column=col["points"], **where))
            elif mx is not None and r.points > mx + 1e-9:
                problems.append(Problem(message=f"điểm {vn_number(r.points)} vượt điểm tối đa {vn_number(mx)}",
                                        column=col["points"], **where))
        if r.rank is not None and (r.rank < 1 or r.rank != math.floor(r.rank)):
            problems.append(Problem(message=f"thứ hạng phải là số nguyên dương, gặp {r.rank}", column=col["rank"], **where))
    # The same fact stated twice must agree; stated twice identically it is kept once.
    key = ["year", "index_code", "criterion_code", "entity_code"]
    dup = df[df.duplicated(key, keep=False)]
    for _, grp in dup.groupby(key, dropna=False, sort=False):
        if grp[["points", "max_points", "rank"]].astype(str).nunique().max() > 1:
            first = grp.iloc[0]
            rows = ", ".join(str(x) for x in grp.source_row)
            problems.append(Problem(file=file, sheet=first.source_sheet, row=int(grp.source_row.iloc[-1]),
                                    column=col["points"],
                                    message=f"các dòng {rows} cho cùng {first.entity_raw}, năm {first.year}, "
                                            f"tiêu chí {first.criterion_code or 'tổng'} nhưng số liệu khác nhau"))
    return problems


def drop_exact_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    key = ["year", "index_code", "criterion_code", "entity_code"]
    return df.drop_duplicates(key, keep="first").reset_index(drop=True)
