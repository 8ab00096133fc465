"""The staged shape every score reader produces, and the checks every row must pass.

Every reader (tidy template, publisher workbook, reference CSV) turns its input into a
DataFrame with exactly ``STAGED_COLUMNS``; ``check_rows`` then applies the rules that do
not depend on the layout (criterion exists in the year's framework, points within the
maximum, no two rows disagreeing about the same fact), and ``finish`` ends every reader:
those rules, every problem raised together, exact restatements dropped. Nothing reaches
the database unless the whole file passes.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from domain.frameworks import Frameworks
from domain.problems import Problem, ValidationFailed
from domain.text import vn_number

# The database stores year, rank and n_ranked as INTEGER (32 bits): a larger number is a typing
# slip in the file, refused here with its place, never a conversion error at insert time.
INT_MAX = 2**31 - 1
INT_RANGE = f"1 đến {INT_MAX:,}".replace(",", ".")

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
    "rank_min",         # without a rank: the best rank a source places the unit at («top five» → 1), or None
    "rank_max",         # without a rank: the worst such rank («bottom three» of 63 → 63), or None
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
    """Layout-independent rules. ``column_of`` maps a field to the header the user sees.

    Vectorised: a national file has about a million rows, and only the rows that break a
    rule become Problem objects (in file order, each row's problems in a fixed order)."""
    col = {"year": "year", "criterion_code": "criterion", "points": "points",
           "max_points": "max_points", "rank": "rank", "n_ranked": "n_ranked", **(column_of or {})}
    if df.empty:
        return []
    num = lambda c: pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)  # noqa: E731
    points, max_given, rank, n_ranked, year = num("points"), num("max_points"), num("rank"), num("n_ranked"), num("year")
    keys = list(zip(df.framework, df.criterion_code))
    no_fw = df.framework.isna().to_numpy()
    known = np.array([fw.has_criterion(*k) for k in keys])
    bad_crit = ~no_fw & df.criterion_code.notna().to_numpy() & ~known
    fw_max = np.array([fw.max_points(*k) if ok and k[0] is not None else np.nan for k, ok in zip(keys, known)],
                      dtype=float)
    usable = ~no_fw & ~bad_crit
    mx = np.where(np.isnan(max_given), fw_max, max_given)
    with np.errstate(invalid="ignore"):
        bad_max = usable & ~np.isnan(max_given) & ((max_given <= 0) | (~np.isnan(fw_max) & (max_given > fw_max + 1e-9)))
        negative = usable & (points < 0)
        over = usable & ~negative & ~np.isnan(mx) & (points > mx + 1e-9)
        bad_rank = usable & ~np.isnan(rank) & ((rank < 1) | (rank > INT_MAX) | (rank != np.floor(rank)))
        bad_n = usable & ~np.isnan(n_ranked) & ((n_ranked < 1) | (n_ranked > INT_MAX) | (n_ranked != np.floor(n_ranked)))
        bad_year = ~np.isnan(year) & ((year < 1) | (year > INT_MAX))
    problems: list[tuple[int, int, Problem]] = []
    rows = df.reset_index(drop=True)

    def add(mask, order: int, column: str, message) -> None:
        for i in np.flatnonzero(mask):
            r = rows.iloc[i]
            problems.append((i, order, Problem(file=file, sheet=r.source_sheet, row=r.source_row, column=column,
                                               message=message(i, r))))

    add(bad_year, 0, col["year"], lambda i, r: f"năm {r.year} nằm ngoài khoảng cho phép ({INT_RANGE})")
    add(no_fw & ~bad_year, 0, col["year"], lambda i, r: f"chỉ số {r.index_code} không có bộ tiêu chí cho năm {r.year}")
    add(bad_crit, 1, col["criterion_code"], lambda i, r: (
        f"mã tiêu chí «{r.criterion_code}» không có trong bộ {r.framework}"
        f" (ví dụ các mã hợp lệ: {', '.join(fw.criteria_of(r.framework).code.head(12))}…)"))
    add(bad_max, 2, col["max_points"], lambda i, r: (
        f"điểm tối đa {vn_number(max_given[i])} không hợp lệ (phải lớn hơn 0 và không quá "
        f"{vn_number(None if np.isnan(fw_max[i]) else fw_max[i])} theo bộ tiêu chí)"))
    add(negative, 3, col["points"], lambda i, r: f"điểm âm ({vn_number(points[i])})")
    add(over, 3, col["points"], lambda i, r: f"điểm {vn_number(points[i])} vượt điểm tối đa {vn_number(mx[i])}")
    add(bad_rank, 4, col["rank"], lambda i, r: f"thứ hạng phải là số nguyên dương ({INT_RANGE}), gặp {r['rank']}")
    add(bad_n, 4, col["n_ranked"], lambda i, r: f"số đơn vị xếp hạng phải là số nguyên dương ({INT_RANGE}), "
                                                 f"gặp {r['n_ranked']}")
    # The same fact stated twice must agree; stated twice identically it is kept once.
    key = ["year", "index_code", "criterion_code", "entity_code"]
    dup = rows[rows.duplicated(key, keep=False)]
    for _, grp in dup.groupby(key, dropna=False, sort=False):
        if grp[["points", "max_points", "rank"]].astype(str).nunique().max() > 1:
            first = grp.iloc[0]
            listed = ", ".join(str(x) for x in grp.source_row)
            problems.append((int(grp.index[-1]), 5, Problem(
                file=file, sheet=first.source_sheet, row=int(grp.source_row.iloc[-1]), column=col["points"],
                message=f"các dòng {listed} cho cùng {first.entity_raw}, năm {first.year}, "
                        f"tiêu chí {first.criterion_code or 'tổng'} nhưng số liệu khác nhau")))
    return [p for _, _, p in sorted(problems, key=lambda t: (t[0], t[1]))]


def finish(df: pd.DataFrame, fw: Frameworks, file: str, problems: list[Problem],
           column_of: dict[str, str] | None = None,
           locate: Callable[[list[Problem]], list[Problem]] | None = None) -> pd.DataFrame:
    """The last step of a reader: ``check_rows`` on its staged rows (``locate`` may point each
    problem found at a better column), then ValidationFailed with the reader's ``problems`` and
    these, or else the rows with every fact stated twice identically kept once."""
    found = check_rows(df, fw, file, column_of)
    problems = problems + (locate(found) if locate else found)
    if problems:
        raise ValidationFailed(problems)
    return drop_exact_duplicates(df)


def drop_exact_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    key = ["year", "index_code", "criterion_code", "entity_code"]
    return df.drop_duplicates(key, keep="first").reset_index(drop=True)
