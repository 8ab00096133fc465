"""The tidy import template: one row per (year, index, criterion, entity).

Columns (English or Vietnamese header, any order, case and diacritics ignored):
year/Năm, index/Chỉ số, criterion/Mã tiêu chí (empty = index total), entity/Đơn vị,
points/Điểm, and optionally max_points/Điểm tối đa, rank/Xếp hạng,
n_ranked/Số đơn vị xếp hạng, label/Xếp loại, illustrative/Minh họa, source/Nguồn.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders.entities import EntityRegistry
from loaders.frameworks import INDEX_CODES, Frameworks
from loaders.problems import Problem, ValidationFailed
from loaders.staging import check_rows, drop_exact_duplicates, staged
from loaders.tabular import read_csv_rows, read_xlsx_sheets
from loaders.text import fold_loose, nfc, parse_number

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
_HEADER_KEYS = {fold_loose(h): f for f, names in COLUMNS.items() for h in names}
INDEX_ALIASES = {"par index": "PAR", "chi so cai cach hanh chinh": "PAR", "par": "PAR", "sipas": "SIPAS",
                 "papi": "PAPI", "ddci": "DDCI", "pci": "PCI"}
TOTAL_WORDS = {"", "total", "tong", "tong diem"}
TRUE_WORDS = {"1", "true", "yes", "co", "x", "minh hoa"}


def template_frame() -> pd.DataFrame:
    """The downloadable template: headers and two example rows (marked as examples)."""
    return pd.DataFrame([
        {"year": 2024, "index": "PAR", "criterion": "", "entity": "Huyện Vĩnh Lộc", "points": "85,32",
         "max_points": 100, "rank": 12},
        {"year": 2024, "index": "PAR", "criterion": "1.1", "entity": "Huyện Vĩnh Lộc", "points": "1,75",
         "max_points": 2, "rank": ""},
    ], columns=["year", "index", "criterion", "entity", "points", "max_points", "rank"])


def template_bytes(fmt: str) -> bytes:
    """The template as a file: 'csv' (UTF-8 with BOM, for Excel) or 'xlsx'."""
    import io

    frame = template_frame()
    if fmt == "xlsx":
        buf = io.BytesIO()
        frame.to_excel(buf, index=False, sheet_name="Mẫu nhập điểm")
        return buf.getvalue()
    return frame.to_csv(index=False).encode("utf-8-sig")


def _header_map(header: list, file: str, sheet: str | None, row: int) -> tuple[dict[str, int], list[Problem]]:
    mapping: dict[str, int] = {}
    problems: list[Problem] = []
    for i, h in enumerate(header):
        key = fold_loose(h)
        if not key:
            continue
        field = _HEADER_KEYS.get(key)
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


def read_tidy(path: Path, fw: Frameworks, reg: EntityRegistry, *, index_code: str | None = None,
              source_name: str | None = None, illustrative_default: bool = False) -> pd.DataFrame:
    """Staged rows from a tidy CSV or XLSX, or ValidationFailed with every problem."""
    name = source_name or path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        sheets = [(None, read_csv_rows(path, name))]
    elif suffix == ".xlsx":
        sheets = [(s, r) for s, r in read_xlsx_sheets(path, name)]
    else:
        raise ValidationFailed([Problem(name, f"định dạng «{suffix}» không được hỗ trợ cho mẫu nhập (cần .csv hoặc .xlsx)")])

    problems: list[Problem] = []
    rows: list[dict] = []
    found_table = False
    for sheet, lines in sheets:
        lines = [(n, vals) for n, vals in lines if any(nfc(v) for v in vals)]  # blank rows carry nothing
        if not lines:
            continue
        hdr_row, header = lines[0]
        mapping, hdr_problems = _header_map(header, name, sheet, hdr_row)
        missing = [f for f in REQUIRED if f not in mapping]
        if index_code is None and "index" not in mapping:
            missing.insert(1, "index")
        if missing and sheet is not None and len(sheets) > 1 and not mapping:
            continue  # another sheet (instructions, notes) without a table
        found_table = True
        problems += hdr_problems
        if missing:
            problems.append(Problem(name, "thiếu cột bắt buộc: " + ", ".join(
                f"{COLUMNS[f][0]} ({VI_HEADER[f]})" for f in missing), sheet, hdr_row))
            continue
        for n, vals in lines[1:]:
            cell = lambda f: vals[mapping[f]] if f in mapping and mapping[f] < len(vals) else None  # noqa: E731
            where = dict(file=name, sheet=sheet, row=n)
            row_problems: list[Problem] = []

            def number(field: str, integer: bool = False):
                try:
                    v = parse_number(cell(field))
                except ValueError as exc:
                    row_problems.append(Problem(message=f"cần một số, gặp «{nfc(cell(field))}» ({exc})",
                                                column=COLUMNS[field][0], **where))
                    return None
                if v is not None and integer and v != int(v):
                    row_problems.append(Problem(message=f"cần số nguyên, gặp {nfc(cell(field))}",
                                                column=COLUMNS[field][0], **where))
                return None if v is None else (int(v) if integer else v)

            year = number("year", integer=True)
            if year is None and not row_problems:
                row_problems.append(Problem(message="thiếu năm đánh giá", column="year", **where))
            elif year is not None and not 1990 <= year <= 2100:
                row_problems.append(Problem(message=f"năm {year} nằm ngoài khoảng 1990–2100", column="year", **where))
                year = None
            idx = index_code
            if "index" in mapping:
                idx = parse_index(cell("index"))
                if idx is None:
                    row_problems.append(Problem(message=f"chỉ số «{nfc(cell('index'))}» không hợp lệ (cần một trong: "
                                                        + ", ".join(INDEX_CODES) + ")", column="index", **where))
                elif index_code and idx != index_code:
                    row_problems.append(Problem(message=f"dòng thuộc chỉ số {idx}, nhưng lệnh nhập chỉ định {index_code}",
                                                column="index", **where))
            crit = nfc(cell("criterion"))
            crit_code = None if fold_loose(crit) in TOTAL_WORDS else crit
            entity_raw = nfc(cell("entity"))
            entity = None
            if not entity_raw:
                row_problems.append(Problem(message="thiếu tên đơn vị được đánh giá", column="entity", **where))
            elif year is not None:
                entity = reg.resolve(entity_raw, year)
                if entity is None:
                    row_problems.append(Problem(message=reg.explain_failure(entity_raw, year), column="entity", **where))
            points = number("points")
            max_points = number("max_points")
            rank = number("rank", integer=True)
            n_ranked = number("n_ranked", integer=True)
            illustrative = illustrative_default
            if "illustrative" in mapping:
                illustrative = fold_loose(cell("illustrative")) in TRUE_WORDS
            if max_points is not None and points is not None and max_points < points and not row_problems:
                pass  # reported by check_rows with the framework's view of the maximum
            problems += row_problems
            if row_problems:
                continue
            rows.append({"year": year, "index_code": idx, "framework": fw.framework_for(idx, year),
                         "criterion_code": crit_code, "entity_code": entity, "entity_raw": entity_raw,
                         "points": points, "max_points": max_points, "rank": rank, "n_ranked": n_ranked,
                         "label": nfc(cell("label")) or None, "is_illustrative": illustrative,
                         "source_file": name, "source_sheet": sheet, "source_row": n,
                         "source_note": nfc(cell("source")) or None})
    if not found_table:
        problems.append(Problem(name, "không tìm thấy bảng số liệu theo mẫu (dòng tiêu đề year, index, criterion, entity, points)"))
    df = staged(rows)
    if not problems and df.empty:
        problems.append(Problem(name, "tệp không có dòng số liệu nào"))
    problems += check_rows(df, fw, name, {"criterion_code": "criterion"})
    if problems:
        raise ValidationFailed(problems)
    return drop_exact_duplicates(df)
