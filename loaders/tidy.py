"""The tidy import template: one row per (year, index, criterion, entity).

Columns (English or Vietnamese header, any order, case and diacritics ignored):
year/Năm, index/Chỉ số, criterion/Mã tiêu chí (empty = index total), entity/Đơn vị,
points/Điểm, and optionally max_points/Điểm tối đa, rank/Xếp hạng,
n_ranked/Số đơn vị xếp hạng, label/Xếp loại, illustrative/Minh họa, source/Nguồn.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from domain.entities import LEVEL_LABEL, EntityRegistry
from domain.frameworks import Frameworks
from domain import vocabulary
from domain.vocabulary import INDEX_CODES
from domain.problems import Problem, ValidationFailed
from loaders.staging import STAGED_COLUMNS, finish, staged
from loaders.cells import Workbook, csv_problem, decode_bytes, read_xlsx_sheets
from loaders.guard import Limits, check_shape, load_limits
from domain.text import fold_loose, nfc, parse_number, rank_band

COLUMNS = {  # field -> accepted headers (first is the template's English header)
    "year": ["year", "Năm", "năm đánh giá"],
    "index": ["index", "Chỉ số", "index_code"],
    "criterion": ["criterion", "Mã tiêu chí", "criterion_code", "tiêu chí"],
    "entity": ["entity", "Đơn vị", "đơn vị được đánh giá", "entity_name"],
    "points": ["points", "Điểm", "điểm đạt"],
    "max_points": ["max_points", "Điểm tối đa"],
    "rank": ["rank", "Xếp hạng", "thứ hạng"],
    "n_ranked": ["n_ranked", "Số đơn vị xếp hạng"],
    "label": ["label", "Xếp loại", "nhóm"],
    "illustrative": ["illustrative", "Minh họa", "is_illustrative"],
    "source": ["source", "Nguồn", "source_note"],
}
REQUIRED = ["year", "criterion", "entity", "points"]
VI_HEADER = {f: names[1] for f, names in COLUMNS.items()}
HEADER_FIELDS = {fold_loose(h): f for f, names in COLUMNS.items() for h in names}  # folded header -> field
TELLING_FIELDS = frozenset({"year", "entity", "points"})  # a header row naming these is the template's
# an index named by its code, short label or Vietnamese name (without the abbreviation in
# parentheses), as data/frameworks/indices.csv spells them
INDEX_ALIASES = {fold_loose(t): r.index_code for r in vocabulary.indices().itertuples()
                 for t in (r.index_code, r.short_label, re.sub(r"\s*\([^()]*\)\s*$", "", r.name_vi)) if t}
TOTAL_WORDS = {"", "total", "tong", "tong diem"}
FIRST_YEAR = 1990
TRUE_WORDS = {"1", "true", "yes", "co", "x", "minh hoa"}


PREFILLS = {  # what a template can come filled with: rows for every unit of one level
    "example": "Mẫu nhập điểm",
    "communes": "Xã, phường",
    "provinces": "Tỉnh, thành phố",
}


def template_frame(prefill: str = "example", *, data_dir: Path | None = None, today: date | None = None) -> pd.DataFrame:
    """The downloadable template. ``example``: headers and two example rows (the home
    entity, last year). ``communes``:
    one row per commune and ward of the home province, ``provinces``: one per province,
    each as the registry has them in the latest year with results (last year: results of a
    year are published the next), with year and name filled in and the scores left blank
    for the official to type. A row left without points is imported as «no score» for that
    unit (the loaders' rule for a blank score), so rows without results are deleted first."""
    if prefill not in PREFILLS:
        raise ValueError(f"mẫu «{prefill}» không có; chọn một trong: {', '.join(PREFILLS)}")
    data_dir = data_dir or vocabulary.DATA_DIR
    year = (today or date.today()).year - 1
    reg = EntityRegistry.load(data_dir / "registry")
    if prefill == "example":  # the home entity's results of last year, as an office would type them
        home = reg.name(vocabulary.home_entity())
        return pd.DataFrame([
            {"year": year, "index": "PAR", "criterion": "", "entity": home, "points": "85,32", "max_points": 100,
             "rank": 12},
            {"year": year, "index": "PAR", "criterion": "1.1", "entity": home, "points": "1,75", "max_points": 2,
             "rank": ""},
        ], columns=["year", "index", "criterion", "entity", "points", "max_points", "rank"])
    e = reg.entities
    level = "commune" if prefill == "communes" else "province"
    keep = (e.level == level) & e.entity_code.map(lambda c: reg.valid_in(c, year))
    if prefill == "communes":
        keep &= e.parent_code == vocabulary.home_province()
    names = sorted((reg.name(c, year) for c in e[keep].entity_code), key=fold_loose)  # the year's names
    return pd.DataFrame({"year": year, "index": "", "criterion": "", "entity": names, "points": "",
                         "rank": "", "n_ranked": len(names), "illustrative": "", "source": ""},
                        columns=["year", "index", "criterion", "entity", "points", "rank", "n_ranked",
                                 "illustrative", "source"])


def template_bytes(fmt: str, prefill: str = "example", **kw) -> bytes:
    """The template as a file: 'csv' (UTF-8 with BOM, for Excel) or 'xlsx'."""
    import io

    frame = template_frame(prefill, **kw)
    if fmt == "xlsx":
        buf = io.BytesIO()
        frame.to_excel(buf, index=False, sheet_name=PREFILLS[prefill])
        return buf.getvalue()
    return frame.to_csv(index=False).encode("utf-8-sig")


def _header_map(header: list, file: str, sheet: str | None, row: int) -> tuple[dict[str, int], list[Problem]]:
    mapping: dict[str, int] = {}
    problems: list[Problem] = []
    for i, h in enumerate(header):
        key = fold_loose(h)
        if not key:
            continue
        field = HEADER_FIELDS.get(key)
        if field is None:
            problems.append(Problem(file, f"cột «{nfc(h)}» không có trong mẫu nhập (các cột hợp lệ: "
                                          + ", ".join(n[0] for n in COLUMNS.values()) + ")", sheet, row, nfc(h)))
        elif field in mapping:
            problems.append(Problem(file, f"cột «{nfc(h)}» bị lặp", sheet, row, nfc(h)))
        else:
            mapping[field] = i
    return mapping, problems


def parse_index(value: object) -> str | None:
    text = nfc(value)
    if text.upper() in INDEX_CODES:
        return text.upper()
    return INDEX_ALIASES.get(fold_loose(text))


def read_tables(path: Path, name: str, limits: Limits | None = None,
                book: Workbook | None = None) -> list[tuple[str | None, pd.DataFrame]]:
    """Each table as a DataFrame of raw cells with a ``_row`` column (the row number the
    user sees); blank rows dropped. CSV and Parquet have one table, XLSX one per sheet
    (``book``: the workbook at ``path``, when the caller has it loaded already)."""
    limits = limits or load_limits()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import io

        try:
            text = decode_bytes(path.read_bytes(), name)
        except UnicodeDecodeError:
            raise ValidationFailed([Problem(name, "không đọc được bảng mã của tệp CSV (cần UTF-8, UTF-16 hoặc Windows-1258)")])
        if "\x00" in text:
            raise ValidationFailed([Problem(name, "tệp có ký tự nhị phân: đây không phải tệp CSV")])
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max([",", ";", "\t"], key=first.count)
        _check_text_shape(name, text, first, delimiter, limits)  # before pandas parses a line
        try:
            grid = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, header=None,
                               skip_blank_lines=False, engine="python" if delimiter == "\t" else "c")
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ValidationFailed([csv_problem(name, str(exc))]) from None
        _check_last_line(text, delimiter, grid, name)
        grid["_row"] = grid.index + 1
        tables = [(None, grid)]
    elif suffix == ".parquet":
        try:
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(path).metadata  # the footer only: rows and columns before any data
            if meta.num_rows + 1 > limits.max_rows or meta.num_columns > limits.max_columns:
                check_shape(name, None, meta.num_rows + 1, meta.num_columns, limits)
            data = pd.read_parquet(path)
        except ValidationFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken file can fail in any way
            raise ValidationFailed([Problem(name, "không đọc được tệp Parquet (tệp hỏng hoặc không phải Parquet)")]) from None
        grid = pd.concat([pd.DataFrame([list(data.columns)]), pd.DataFrame(data.to_numpy(dtype=object))],
                         ignore_index=True)
        grid["_row"] = grid.index + 1
        tables = [(None, grid)]
    elif suffix == ".xlsx":
        tables = []
        sheets = ([(s.title, s.rows) for s in book.sheets()] if book is not None
                  else read_xlsx_sheets(path, name, limits))
        for sheet, lines in sheets:
            grid = pd.DataFrame([vals for _, vals in lines]) if lines else pd.DataFrame()
            grid["_row"] = [n for n, _ in lines]
            tables.append((sheet, grid))
    else:
        raise ValidationFailed([Problem(name, f"định dạng «{suffix}» không được hỗ trợ cho mẫu nhập (cần .csv, .xlsx hoặc .parquet)")])
    out = []
    for sheet, grid in tables:
        cells = grid.drop(columns="_row")
        filled = cells.apply(lambda c: _each_distinct(c, _has_text)).any(axis=1)
        out.append((sheet, grid[filled].reset_index(drop=True)))  # blank rows carry nothing
    return out


def _check_text_shape(name: str, text: str, first: str, delimiter: str, limits: Limits) -> None:
    """The limits on a CSV's lines and header cells, counted as loaders/guard.py counts them
    (a reader called without the guard in front still refuses before parsing; the guard is
    called only when a count is over its limit, to say why in its words)."""
    import csv

    lines = text.count("\n")
    if lines > limits.max_rows:
        check_shape(name, None, lines, None, limits)
    try:
        cells = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        cells = first.split(delimiter)
    if len(cells) > limits.max_columns:
        check_shape(name, None, None, len(cells), limits)


def _check_last_line(text: str, delimiter: str, grid: pd.DataFrame, name: str) -> None:
    """A file cut off mid-line (an interrupted download or copy) ends with a short row whose
    missing cells would read as empty: refuse it instead of storing a missing score."""
    if not text or text.endswith(("\n", "\r")) or len(grid) < 2:
        return
    import csv

    last = text.splitlines()[-1]
    fields = next(csv.reader([last], delimiter=delimiter), [])
    header = [nfc(h) for h in grid.iloc[0]]
    # optional columns at the end may be left out by hand; required ones may not
    needed = max((i for i, h in enumerate(header) if HEADER_FIELDS.get(fold_loose(h)) in (*REQUIRED, "index")),
                 default=-1) + 1
    if len(fields) < needed:
        raise ValidationFailed([Problem(name, f"dòng cuối chỉ có {len(fields)} ô, thiếu cột «{header[len(fields)]}»: tệp có "
                                              "vẻ bị cắt cụt (tải về hoặc sao chép chưa hết); hãy lấy lại tệp đầy đủ",
                                        None, len(grid), header[len(fields)])])


def _has_text(v) -> bool:
    return bool(nfc(v)) if isinstance(v, str) else v is not None and not (isinstance(v, float) and v != v)


def _each_distinct(column: pd.Series, fn) -> pd.Series:
    """fn applied once per distinct value: a national file repeats a few thousand names."""
    try:
        return column.map({v: fn(v) for v in pd.unique(column)})
    except TypeError:  # unhashable cells (never from CSV or Excel): one by one
        return column.map(fn)


def _parsed(column: pd.Series, parse) -> tuple[pd.Series, pd.Series]:
    """Apply a scalar parser once per distinct value: (values, error message or None)."""
    def one(v):
        try:
            return parse(v), None
        except ValueError as exc:
            return None, str(exc)

    try:
        done = {v: one(v) for v in pd.unique(column)}
    except TypeError:  # unhashable cells (never from CSV or Excel; Parquet lists are refused earlier)
        pairs = column.map(one)
        return pairs.map(lambda p: p[0]), pairs.map(lambda p: p[1])
    return column.map({v: p[0] for v, p in done.items()}), column.map({v: p[1] for v, p in done.items()})


def _number(v):
    return parse_number(None if isinstance(v, str) and not v.strip() else v)


def _integer(v):
    x = _number(v)
    if x is not None and x != int(x):
        raise ValueError("integer")
    return None if x is None else int(x)


def read_tidy(path: Path, fw: Frameworks, reg: EntityRegistry, *, index_code: str | None = None,
              source_name: str | None = None, illustrative_default: bool = False, limits: Limits | None = None,
              book: Workbook | None = None) -> pd.DataFrame:
    """Staged rows from a tidy CSV, XLSX or Parquet file, or ValidationFailed with every problem.
    ``limits`` and ``book`` (an .xlsx already loaded): as the import carries them, else loaded here.

    Columns are processed whole, each distinct value parsed once, so a national file of a
    million rows loads in seconds; only rows with problems are looked at one by one."""
    name = source_name or path.name
    problems: list[Problem] = []
    frames: list[pd.DataFrame] = []
    last_year = date.today().year  # a year's assessment is published the year after
    tables = read_tables(path, name, limits, book)
    found_table = False
    for sheet, grid in tables:
        if grid.empty:
            continue
        header = list(grid.drop(columns="_row").iloc[0])
        hdr_row = int(grid._row.iloc[0])
        mapping, hdr_problems = _header_map(header, name, sheet, hdr_row)
        missing = [f for f in REQUIRED if f not in mapping]
        if index_code is None and "index" not in mapping:
            missing.insert(1, "index")
        if missing and sheet is not None and len(tables) > 1 and not mapping:
            continue  # another sheet (instructions, notes) without a table
        found_table = True
        problems += hdr_problems
        if missing:
            problems.append(Problem(name, "thiếu cột bắt buộc: " + ", ".join(
                f"{COLUMNS[f][0]} ({VI_HEADER[f]})" for f in missing), sheet, hdr_row))
            continue
        body = grid.iloc[1:].reset_index(drop=True)
        cell = lambda f: body[mapping[f]] if f in mapping else pd.Series([None] * len(body), dtype=object)  # noqa: E731
        n = len(body)
        errs: dict[str, pd.Series] = {}

        year, errs["year"] = _parsed(cell("year"), _integer)
        year_num = pd.to_numeric(year, errors="coerce")
        bad_range = year_num.notna() & ~year_num.between(FIRST_YEAR, last_year)
        missing_year = year.isna() & errs["year"].isna()
        if index_code is None or "index" in mapping:
            idx = _each_distinct(cell("index"), parse_index)
            if index_code:  # a pre-filled template leaves the index to the import's choice
                idx = idx.where(cell("index").map(lambda v: v is not None and v == v and bool(str(v).strip())), index_code)
        else:
            idx = pd.Series([index_code] * n, dtype=object)
        crit = _each_distinct(cell("criterion"), nfc)
        crit_code = crit.where(~_each_distinct(crit, fold_loose).isin(TOTAL_WORDS), None)
        entity_raw = _each_distinct(cell("entity"), nfc)
        pairs = pd.Series(list(zip(entity_raw, year.where(~bad_range))), dtype=object)
        resolved = {p: (reg.resolve(p[0], int(p[1])) if p[0] and p[1] is not None and p[1] == p[1] else None)
                    for p in pd.unique(pairs)}
        entity = pairs.map(resolved)
        numbers = {}
        for field, parser in (("points", _number), ("max_points", _number), ("rank", _integer), ("n_ranked", _integer)):
            numbers[field], errs[field] = _parsed(cell(field), parser)
        if "illustrative" in mapping:
            illustrative = cell("illustrative").map(lambda v: fold_loose(v) in TRUE_WORDS)
        else:
            illustrative = pd.Series([illustrative_default] * n, dtype=object)

        rowno = body._row.to_numpy()
        bad = (errs["year"].notna() | bad_range | missing_year | entity.isna() | errs["points"].notna()
               | errs["max_points"].notna() | errs["rank"].notna() | errs["n_ranked"].notna()
               | ((index_code is None or "index" in mapping) & (idx.isna() | ((idx != index_code) if index_code else False))))
        for i in np.flatnonzero(bad.to_numpy()):
            where = dict(file=name, sheet=sheet, row=int(rowno[i]))
            raw = lambda f: nfc(cell(f).iloc[i])  # noqa: E731
            if errs["year"].iloc[i]:
                m = errs["year"].iloc[i]
                problems.append(Problem(message=f"cần số nguyên, gặp {raw('year')}" if m == "integer"
                                        else f"cần một số, gặp «{raw('year')}» ({m})", column="year", **where))
            elif missing_year.iloc[i]:
                problems.append(Problem(message="thiếu năm đánh giá", column="year", **where))
            elif bad_range.iloc[i]:
                future = " (chưa có kết quả đánh giá cho năm chưa qua)" if year.iloc[i] > last_year else ""
                problems.append(Problem(message=f"năm {int(year.iloc[i])} nằm ngoài khoảng {FIRST_YEAR}–{last_year}{future}",
                                        column="year", **where))
            if index_code is None or "index" in mapping:
                if idx.iloc[i] is None:
                    problems.append(Problem(message=f"chỉ số «{raw('index')}» không hợp lệ (cần một trong: "
                                                    + ", ".join(INDEX_CODES) + ")", column="index", **where))
                elif index_code and idx.iloc[i] != index_code:
                    problems.append(Problem(message=f"dòng thuộc chỉ số {idx.iloc[i]}, nhưng lệnh nhập chỉ định {index_code}",
                                            column="index", **where))
            if not entity_raw.iloc[i]:
                problems.append(Problem(message="thiếu tên đơn vị được đánh giá", column="entity", **where))
            elif entity.iloc[i] is None and year.iloc[i] is not None and not bad_range.iloc[i] and year.iloc[i] == year.iloc[i]:
                problems.append(Problem(message=reg.explain_failure(entity_raw.iloc[i], int(year.iloc[i])),
                                        column="entity", **where))
            for field in ("points", "max_points", "rank", "n_ranked"):
                m = errs[field].iloc[i]
                if m == "integer":
                    problems.append(Problem(message=f"cần số nguyên, gặp {raw(field)}", column=COLUMNS[field][0], **where))
                elif m:
                    problems.append(Problem(message=f"cần một số, gặp «{raw(field)}» ({m})", column=COLUMNS[field][0], **where))
        ok = ~bad
        if not ok.any():
            continue
        good_year = year[ok].astype(int)
        good_idx = idx[ok]
        # a province's PAR INDEX is not a district's: the framework follows the unit's level
        level = entity[ok].map({c: reg.level(c) for c in pd.unique(entity[ok])})
        keys = pd.Series(list(zip(good_idx, good_year, level)), index=level.index, dtype=object)
        frameworks = {k: fw.framework_for(*k) for k in pd.unique(keys)}
        wrong = {k for k, f in frameworks.items() if f is None and fw.levels_for(k[0], k[1])}
        wrong_level = np.array([k in wrong for k in keys], dtype=bool)
        for i in np.flatnonzero(wrong_level):
            i_code, y, lvl = keys.iloc[i]
            have = ", ".join(sorted(LEVEL_LABEL.get(v, v) for v in fw.levels_for(i_code, y)))
            problems.append(Problem(name, f"chỉ số {i_code} năm {y} không có bộ tiêu chí cho "
                                          f"{LEVEL_LABEL.get(lvl, lvl)} ({entity_raw[ok].iloc[i]}); chỉ có cho {have}",
                                    sheet, int(rowno[ok.to_numpy()][i]), "entity"))
        nan_none = lambda s: s.astype(object).where(s.notna(), None)  # noqa: E731
        labels = cell("label")[ok].map(nfc).replace("", None) if "label" in mapping else None
        # a label such as «nhóm 5 tỉnh dẫn đầu» on a row without a rank: the group the source states
        bands = ([rank_band(lab, None if pd.isna(n) else int(n)) if lab and pd.isna(r) else None
                  for lab, r, n in zip(labels, numbers["rank"][ok], numbers["n_ranked"][ok])]
                 if labels is not None else [None] * int(ok.sum()))
        frames.append(pd.DataFrame({
            "year": good_year.astype(object), "index_code": good_idx,
            "framework": [frameworks[k] for k in keys],
            "criterion_code": crit_code[ok], "entity_code": entity[ok], "entity_raw": entity_raw[ok],
            "points": nan_none(numbers["points"][ok]), "max_points": nan_none(numbers["max_points"][ok]),
            "rank": nan_none(numbers["rank"][ok]), "n_ranked": nan_none(numbers["n_ranked"][ok]),
            "label": labels,
            "rank_min": [b and b[0] for b in bands], "rank_max": [b and b[1] for b in bands],
            "is_illustrative": illustrative[ok].astype(bool), "source_file": name, "source_sheet": sheet,
            "source_row": pd.Series(rowno, dtype=object)[ok.to_numpy()].to_numpy(),
            "source_note": (cell("source")[ok].map(nfc).replace("", None) if "source" in mapping else None),
        })[STAGED_COLUMNS][~wrong_level])
    if not found_table:
        problems.append(Problem(name, "không tìm thấy bảng số liệu theo mẫu (dòng tiêu đề year, index, criterion, entity, points)"))
    df = pd.concat(frames, ignore_index=True) if frames else staged([])
    df = df.astype(object).where(df.notna(), None)
    if not problems and df.empty:
        problems.append(Problem(name, "tệp không có dòng số liệu nào"))
    return finish(df, fw, name, problems, {"criterion_code": "criterion"})
