"""Reader for score tables as publishers release them (.xlsx and legacy .xls workbooks).

Owns: turning a publisher's workbook — a decision annex, the PAPI workbook, VCCI's PCI
downloads — into the staged DataFrame of ``loaders.staging``. Nothing about a particular
publisher's layout is hard-coded: every sheet is searched for a table, its columns are
recognised by header text through ``Frameworks.match_header`` and its entity names through
``EntityRegistry.resolve``. Two shapes are understood:

* one row per entity, one column per criterion (decision annexes, PAPI): possibly a title
  block above, several header rows (English + Vietnamese, merged cells), STT/id columns,
  a rank column, footer rows ("Điểm cao nhất", "Trung bình", notes, signatures) below;
* the PCI summary layout, where every sub-index is its own (province, score) column pair
  sorted by that sub-index, so rows do not line up across pairs. Each pair ("block": a
  name column and the value columns up to the next name column) is read on its own.

Everything that cannot be read is reported as a ``Problem`` (file, sheet, row, column,
what was expected) and the whole file is refused with ``ValidationFailed``; a name that
does not resolve is never guessed and a row with numbers is never silently dropped.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from domain.entities import LEVEL_LABEL, EntityRegistry
from domain.frameworks import TOTAL, Frameworks
from domain.problems import Problem, ValidationFailed
from loaders.staging import check_rows, finish, staged
from loaders.cells import Sheet, Workbook, unreadable
from loaders import guard
from domain.text import fold_loose, nfc, parse_number, vn_number

__all__ = ["read_publisher_workbook"]

# The header block and the first data row are looked for in the first rows of a sheet only:
# publishers put at most a title block (and a few header rows) above the table.
HEADER_SCAN_ROWS = 25
LEVELS = ("province", "district", "commune")  # tried in this order; ties go to the first

_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
# "Chỉ số 1: Chi phí gia nhập thị trường", "1. Công tác chỉ đạo…", "1.1 Thực hiện…", "II) …"
_NUMBERING = re.compile(
    r"^(?:(?i:chỉ số(?: thành phần)?|tiêu chí(?: thành phần)?|lĩnh vực|sub-?index|phần)\s*)?"
    r"(?:\d+(?:\.\d+)*\s*(?:[.:)\-–]\s*|\s+)|[IVX]+\s*[.:)\-–]\s*)(?=\S)")
# A scale note after a header says nothing about which criterion it is:
# "PCI có trọng số (Điểm tối đa =100)", "Tổng điểm (tối đa 100)".
_SCALE_NOTE = re.compile(r"\s*\((?:điểm tối đa|tối đa|thang điểm|max(?:imum)?)[^)]*\)\s*$", re.IGNORECASE)
# Column numbering rows under the headers ("(1)", "[2]", "4=2+3") name no criterion.
_COLUMN_NUMBER = re.compile(r"^[(\[]?\s*\d+\s*[)\]]?$|^[(\[]?\d+\s*=.*$")

# Header words (compared on fold_loose text). Id/STT columns are row numbering, not data.
_ID_HEADERS = {"stt", "tt", "so tt", "so thu tu", "thu tu", "no", "id", "ma", "ma so", "order"}
_ID_PATTERN = re.compile(r"^(?:ma\b.*|[a-z]*id)$")
# Published classifications: "Nhóm xếp hạng" (PCI tiers), quartile groups (PAPI), "Xếp loại".
_LABEL_PREFIXES = ("nhom xep hang", "nhom xep loai", "nhom tu phan vi", "xep loai", "phan loai", "quartile")
_RANK_PHRASES = ("xep hang", "thu hang", "ranking", "rank", "hang")
# A unit's own maximum (PAR: lower when criteria do not apply to it).
_MAX_PREFIXES = ("diem toi da", "tong diem toi da", "diem chuan", "max points", "maximum points", "maximum score")
# Numeric columns that publishers print beside the scores but that are not criteria:
# PCI 2005's "traditional conditions" context, region codes (and bare "%" columns, below).
_IGNORED_PREFIXES = ("dieu kien truyen thong", "initial conditions", "vung", "region")
# Labels of lines that are not units: statistics over the table, notes, sources, signatures,
# header words repeated in the table, the scale line ("Điểm tối đa") under the header.
_FOOTER_PREFIXES = ("highest", "lowest", "diem cao nhat", "diem thap nhat", "cao nhat", "thap nhat",
                    "trung binh", "binh quan", "average", "mean", "median", "trung vi", "min", "max",
                    "ghi chu", "nguon", "source", "note", "tong cong", "ca nuoc", "toan quoc", "national",
                    "minimum", "maximum", "xep hang", "thu hang", "rank", "ranking", "thu tu", "stt", "nguoi lap",
                    "chu tich", "kt", "tm", "diem toi da", "diem chuan", "thang diem")


# --------------------------------------------------------------------------- workbook access

@dataclass
class _Sheet:
    name: str
    grid: list[list[object]]  # merged cells expanded; "" for empty cells


def _open_workbook(path: Path, file: str, limits: guard.Limits, book: Workbook | None = None) -> list[_Sheet]:
    """All sheets of an .xlsx or .xls file (``book``: the .xlsx at ``path``, loaded already);
    a file that is neither becomes a Problem."""
    if book is None:
        try:
            with open(path, "rb") as fh:
                head = fh.read(512)
        except OSError as e:
            raise ValidationFailed([Problem(file, f"không đọc được tệp: {e.strerror or e}")]) from None
        if head.startswith(b"PK\x03\x04"):
            book = Workbook(path, file, limits)
        elif not head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            raise ValidationFailed([Problem(file, "tệp không phải bảng tính Excel (.xlsx hoặc .xls); "
                                                  "hãy lưu lại bằng Excel/LibreOffice dưới dạng .xlsx")])
    try:
        if book is not None:
            return _grids(book.sheets(layout=True), file, limits)
        return _read_xls(path, file, limits)
    except ValidationFailed:
        raise
    except Exception as e:  # a damaged workbook must be reported, not crash the import
        raise unreadable(file, e) from None


def _grids(sheets: list[Sheet], file: str, limits: guard.Limits) -> list[_Sheet]:
    """Each sheet as a grid, as openpyxl's full mode shows it: every row and column up to the
    last cell stored (or merged), a merged range's value in its top-left cell only, then copied
    into every cell of the range."""
    out, so_far = [], 0
    for sheet in sheets:
        n_rows, n_cols = sheet.size
        so_far += n_rows
        _check_size(file, sheet.title, n_rows, so_far, limits)
        grid = [[""] * n_cols for _ in range(n_rows)] if any(values for _, values in sheet.rows) else []
        for number, values in sheet.rows:
            if number <= len(grid):
                grid[number - 1][:len(values)] = ["" if v is None else v for v in values]
        for r0, r1, c0, c1 in sheet.merged:  # the other cells of a merged range hold nothing of their own
            for r in range(r0, min(r1, len(grid))):
                grid[r][c0:c1] = [grid[r][c] if (r, c) == (r0, c0) else "" for c in range(c0, c1)]
        _check_size(file, sheet.title, 0, 0, limits, _filled_width(grid))
        for r0, r1, c0, c1 in sheet.merged:
            _fill(grid, r0, r1, c0, c1)
        out.append(_Sheet(sheet.title, _square(grid)))
    return out


def _read_xls(path: Path, file: str, limits: guard.Limits) -> list[_Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except NotImplementedError:  # some writers' formatting records are unsupported: lose only the merges
        book = xlrd.open_workbook(str(path), on_demand=True)
    sheets, so_far = [], 0
    for i in range(book.nsheets):
        sh = book.sheet_by_index(i)  # one sheet loaded at a time: refused before the next is read
        so_far += sh.nrows
        _check_size(file, sh.name, sh.nrows, so_far, limits)
        grid = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append("")
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    # error codes are ints in xlrd: keep the text so it is reported as "#N/A", not as a number
                    row.append(xlrd.error_text_from_code.get(cell.value, "#ERR"))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(bool(cell.value))
                else:
                    row.append(cell.value)
            grid.append(row)
        _check_size(file, sh.name, 0, 0, limits, _filled_width(grid))
        for rlo, rhi, clo, chi in sh.merged_cells:
            _fill(grid, rlo, rhi, clo, chi)
        sheets.append(_Sheet(sh.name, _square(grid)))
        book.unload_sheet(i)
    book.release_resources()
    return sheets


def _check_size(file: str, sheet: str, rows: int, so_far: int, limits: guard.Limits, width: int = 0) -> None:
    """The limits of a sheet as read: max_rows is per file, every sheet counting (the guard
    counted the rows before the workbook was read), and max_columns for its filled width. The
    guard is called only when a count is over its limit, to say why in its words."""
    if so_far > limits.max_rows:
        guard.check_rows(file, sheet, rows, so_far, limits)
    if width > limits.max_columns:
        guard.check_shape(file, sheet, None, width, limits)


def _fill(grid: list[list[object]], r0: int, r1: int, c0: int, c1: int) -> None:
    """Copy a merged range's top-left value into every cell it spans (0-based, end-exclusive)."""
    if r0 >= len(grid):
        return
    value = grid[r0][c0] if c0 < len(grid[r0]) else ""
    for r in range(r0, min(r1, len(grid))):
        row = grid[r]
        if len(row) < c1:
            row.extend([""] * (c1 - len(row)))
        for c in range(c0, c1):
            row[c] = value


def _filled_width(grid: list[list[object]]) -> int:
    """The widest row up to its last filled cell (formatting alone widens a sheet, not a table)."""
    width = 0
    for row in grid:
        n = len(row)
        while n > width and _blank(row[n - 1]):
            n -= 1
        width = max(width, n)
    return width


def _square(grid: list[list[object]]) -> list[list[object]]:
    while grid and all(_blank(v) for v in grid[-1]):
        grid.pop()
    width = max((len(r) for r in grid), default=0)
    return [list(r) + [""] * (width - len(r)) for r in grid]


# --------------------------------------------------------------------------- cell helpers

def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _number(v: object) -> float | None:
    """The number in a cell, or None when it is empty or not a number."""
    if _blank(v):
        return None
    try:
        return parse_number(v)
    except ValueError:
        return None


def _is_text(v: object) -> bool:
    return isinstance(v, str) and bool(v.strip()) and _number(v) is None


def _is_footer(label: str) -> bool:
    key = fold_loose(label)
    return bool(key) and any(key == p or key.startswith(p + " ") for p in _FOOTER_PREFIXES)


def _years_in(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text)]


# --------------------------------------------------------------------------- header matching

def _variants(text: str) -> list[str]:
    """The header as written, then without the year, the scale note and the numbering."""
    out = [text]
    no_year = nfc(_YEAR.sub(" ", text))
    for t in (text, no_year):
        t2 = nfc(_SCALE_NOTE.sub("", t))
        t3 = nfc(_NUMBERING.sub("", t2))
        out += [t, t2, t3]
    seen, result = set(), []
    for t in out:
        if t and t not in seen:
            seen.add(t)
            result.append(t)
    return result


def _match(fw: Frameworks, framework: str, texts: list[str]) -> str | None:
    # The lowest header text is the most specific one (a merged group header such as
    # "Chỉ số PCI" above the sub-index columns must not win), so try bottom-up.
    for t in reversed(texts):
        if _COLUMN_NUMBER.match(t):
            continue
        code = fw.match_header(framework, *_variants(t))
        if code:
            return code
    return None


def _strip_rank_words(text: str) -> str:
    """"Thứ hạng PCI 2009" -> "PCI 2009": what is left names the ranked criterion."""
    key = fold_loose(text)
    stripped = re.sub(rf"\b(?:{'|'.join(_RANK_PHRASES)})\b", " ", key)
    return text if stripped == key else nfc(stripped)


def _is_rank(texts: list[str]) -> bool:
    for t in texts:
        key = fold_loose(_YEAR.sub(" ", t))
        if key in ("hang", "rank", "ranking") or re.search(r"\b(xep hang|thu hang|rank|ranking)\b", key):
            return True
    return False


def _is_label(texts: list[str]) -> bool:
    keys = [fold_loose(t) for t in texts]
    return any(k == "nhom" or k.startswith(_LABEL_PREFIXES) or "tier" in k.split() for k in keys)


def _is_id(texts: list[str]) -> bool:
    for t in texts:
        key = fold_loose(t)
        if key in _ID_HEADERS or _ID_PATTERN.match(key):
            return True
    return False


def _is_max(texts: list[str]) -> bool:
    return any(fold_loose(t).startswith(_MAX_PREFIXES) for t in texts)


def _strip_max_words(text: str) -> str:
    s = fold_loose(text)
    for p in _MAX_PREFIXES:
        if s.startswith(p):
            return s[len(p):].strip()
    return s


def _is_percent(texts: list[str]) -> bool:
    return any("%" in t or fold_loose(t).startswith(("ty le", "phan tram", "percent")) for t in texts)


def _is_ignored(texts: list[str]) -> bool:
    # a bare "%" / "Tỷ lệ (%)" column names nothing but the points as a share of the maximum;
    # "Tỷ lệ hài lòng … (%)" does name something and must match a criterion or be reported
    bare_percent = bool(texts) and fold_loose(texts[-1]) in ("", "ty le", "phan tram", "percent", "percentage")
    return bare_percent or any(fold_loose(t).startswith(_IGNORED_PREFIXES) for t in texts)


# --------------------------------------------------------------------------- sheet analysis

@dataclass
class _Column:
    index: int
    texts: list[str]
    kind: str = "text"          # name|criterion|rank|label|max|id|ignored|unmatched|duplicate|text
    code: str | None = None     # criterion code, TOTAL, or the criterion a rank/label belongs to

    @property
    def header(self) -> str:
        return " / ".join(self.texts) if self.texts else f"cột {_col_letter(self.index)}"


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


@dataclass
class _Layout:
    data_start: int                 # 0-based index of the first data row
    header_rows: list[int]
    title_text: list[str]           # the texts of the title block above the header


def _find_layout(grid: list[list[object]], reg: EntityRegistry) -> _Layout | None:
    """Where the data begin and which rows above them are the header."""
    start = None
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS + 1]):
        if any(_number(v) is not None for v in row) and any(_is_text(v) and reg.candidates(v) for v in row):
            start = r
            break
    if start is None or start == 0:
        return None
    # A first row whose name is misspelled looks like a header row to the test above; it is
    # data if it has a name where the found row has one and numbers where it has numbers.
    name_cols = [c for c, v in enumerate(grid[start]) if _is_text(v) and reg.candidates(v)]
    num_cols = [c for c, v in enumerate(grid[start]) if _number(v) is not None]
    while start > 1:
        prev = grid[start - 1]
        has_name = any(_is_text(prev[c]) for c in name_cols)
        nums = sum(_number(prev[c]) is not None for c in num_cols)
        if has_name and nums * 2 >= len(num_cols) and not any(_is_footer(str(prev[c])) for c in name_cols):
            start -= 1
        else:
            break
    header_rows = []
    r = start - 1
    while r >= 0 and not all(_blank(v) for v in grid[r]):
        header_rows.insert(0, r)
        r -= 1
    # A title line (one text across the row, usually merged) above the header is not a header.
    width = len(grid[0]) if grid else 0
    titles = [h for h in header_rows if width >= 3 and len({nfc(v) for v in grid[h] if not _blank(v)}) == 1]
    header_rows = [h for h in header_rows if h not in titles]
    title_rows = [t for t in range(start) if t not in header_rows]
    title_text = [nfc(v) for t in title_rows for v in grid[t] if _is_text(v)]
    return _Layout(start, header_rows, title_text)


def _column_texts(grid: list[list[object]], header_rows: list[int], c: int) -> list[str]:
    texts: list[str] = []
    for r in header_rows:
        v = grid[r][c]
        t = nfc(v) if not _blank(v) else ""
        if t and (not texts or texts[-1] != t):  # a vertically merged header repeats itself
            texts.append(t)
    return texts


def _sheet_year(sheet: _Sheet, title_text: list[str], score_headers: list[str], year: int | None,
                file_name: str, index_code: str) -> int | None:
    """The assessment year: the argument, else the sheet name, else the title block, else
    the headers of the score columns ("PCI 2013", "Thứ hạng PCI 2009"), else the file name.

    Years elsewhere above the data (an indicator "so với năm 2000", a decision dated
    .../2024) do not count; among several years in the title, the one written as
    "năm 2023" / "PCI 2023" wins.
    """
    if year is not None:
        return year
    named = re.compile(rf"(?:năm|year|{re.escape(index_code)})\s*(19\d{{2}}|20\d{{2}})", re.IGNORECASE)
    for texts in ([sheet.name], title_text, score_headers, [Path(file_name).stem]):
        found = {y for t in texts for y in _years_in(t)}
        if len(found) > 1:
            found = {int(y) for t in texts for y in named.findall(nfc(t))}
        if len(found) == 1:
            return found.pop()
    return None


@dataclass
class _SheetResult:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    year: int | None = None
    codes: set = field(default_factory=set)   # criterion codes (and TOTAL) the sheet's columns name
    n_matched: int = 0
    n_unmatched: int = 0                      # numeric columns whose header names no criterion


def _is_supplementary(res: _SheetResult, results: list[_SheetResult]) -> bool:
    """Whether a sheet is an indicator sheet beside the workbook's score table.

    VCCI's PCI workbooks have one sheet per sub-index listing its survey indicators
    (mostly columns that are not criteria) next to the sub-index score that the summary
    sheet already gives. Such a sheet adds no recognised score, so it is left out rather
    than reported column by column. A sheet is only left out when its unrecognised columns
    outnumber the recognised ones AND another sheet of the same year, with no unrecognised
    column, states every criterion it names: otherwise its problems are reported.
    """
    if res.n_unmatched == 0 or res.n_unmatched <= res.n_matched:
        return False
    return any(other is not res and other.n_unmatched == 0 and other.year == res.year and other.rows
               and res.codes <= other.codes for other in results)


# --------------------------------------------------------------------------- the reader

def read_publisher_workbook(path: Path, index_code: str, fw: Frameworks, reg: EntityRegistry,
                            *, year: int | None = None, source_name: str | None = None,
                            limits: guard.Limits | None = None, book: Workbook | None = None) -> pd.DataFrame:
    """Every score table in a publisher's workbook as a staged DataFrame.

    ``year`` forces the assessment year of every table (otherwise: the year in the sheet
    name, else in the title block, else in the score columns' headers, else in the file
    name). ``source_name`` is the file name to record and report (default: the path's).
    ``limits`` and ``book`` (an .xlsx already loaded): as the import carries them, else
    loaded here. Raises ``ValidationFailed`` with every problem found; nothing is returned
    partially.
    """
    path = Path(path)
    file = source_name or path.name
    sheets = _open_workbook(path, file, limits or guard.load_limits(), book)
    results = [_read_sheet(sheet, index_code, fw, reg, year, file) for sheet in sheets]
    rows: list[dict] = []
    problems: list[Problem] = []
    for res in results:
        if not _is_supplementary(res, results):
            rows += res.rows
            problems += res.problems
    if not rows and not problems:
        # every sheet skipped: most likely the wrong index was chosen for this file
        problems.append(Problem(file, f"không tìm thấy bảng điểm {index_code} nào: không trang tính nào có tiêu đề "
                                      f"cột khớp tiêu chí của chỉ số {index_code} kèm tên đơn vị được đánh giá; "
                                      "kiểm tra đã chọn đúng chỉ số và đúng tệp"))
    headers = {(r["source_sheet"], r["source_row"], r["criterion_code"]): r["_columns"] for r in rows}
    df = _merge_restatements(staged(rows))
    for col in ("rank", "n_ranked"):  # ints mixed with None come back from pandas as floats
        df[col] = pd.Series([None if pd.isna(x) else int(x) for x in df[col]], index=df.index, dtype=object)
    return finish(df, fw, file, problems, locate=lambda found: _name_columns_of(found, df, fw, file, headers))


def _read_sheet(sheet: _Sheet, index_code: str, fw: Frameworks, reg: EntityRegistry,
                year_arg: int | None, file: str) -> _SheetResult:
    grid = sheet.grid
    layout = _find_layout(grid, reg)
    if layout is None or not layout.header_rows:
        return _SheetResult()  # no table on this sheet (cover page, notes, chart data…)
    width = len(grid[0])
    texts = [_column_texts(grid, layout.header_rows, c) for c in range(width)]
    data_rows = range(layout.data_start, len(grid))
    where = dict(file=file, sheet=sheet.name)
    header_row = layout.header_rows[-1] + 1  # 1-based row that problems about a column point at

    # Before the year is known, a sheet is a table of this index when any version of the
    # index recognises one of its headers; those headers may also carry the year.
    versions = fw.frameworks.loc[fw.frameworks.index_code == index_code, "framework"]
    score_headers = [text for c in range(width) if texts[c] and not _is_id(texts[c])
                     and any(_match(fw, v, [_strip_rank_words(t) for t in texts[c]]) for v in versions)
                     for text in texts[c]]
    if not score_headers:
        return _SheetResult()
    year = _sheet_year(sheet, layout.title_text, score_headers, year_arg, file, index_code)
    if year is None:
        return _SheetResult(problems=[Problem(
            message="không xác định được năm đánh giá của bảng: không có năm (19xx/20xx) trong tên trang tính, "
                    "tiêu đề bảng, tiêu đề cột hay tên tệp; hãy ghi năm vào tên trang tính hoặc chọn năm khi nhập",
            row=layout.header_rows[0] + 1, **where)])
    # the units' level chooses the framework: a province's PAR INDEX is not a district's
    level, name_cols = _name_columns(grid, data_rows, width, reg, year)
    framework = fw.framework_for(index_code, year, level if name_cols else None)
    if framework is None:
        other = name_cols and fw.levels_for(index_code, year)
        return _SheetResult(problems=[Problem(
            message=f"chỉ số {index_code} không có bộ tiêu chí cho năm {year}"
                    + (f" ở {LEVEL_LABEL.get(level, level)} (chỉ có cho "
                       + ", ".join(sorted(LEVEL_LABEL.get(v, v) for v in other)) + ")" if other else ""),
            row=layout.header_rows[0] + 1, **where)])
    columns = _classify_columns(grid, data_rows, texts, name_cols, fw, framework)
    crit_cols = [c for c in columns if c.kind == "criterion"]
    result = _SheetResult(year=year, codes={c.code for c in crit_cols}, n_matched=len(crit_cols),
                          n_unmatched=sum(c.kind == "unmatched" for c in columns))
    if not crit_cols:
        return _SheetResult()  # headers, but none names a criterion of this year's framework
    if not name_cols:
        result.problems.append(Problem(message="không tìm thấy cột tên đơn vị được đánh giá (tỉnh, huyện, xã): "
                                               "không ô nào khớp danh mục đơn vị", row=layout.data_start + 1, **where))
        return result
    result.problems += _column_problems(columns, framework, header_row, where)
    blocks = _blocks(columns, name_cols, width)
    base = dict(year=year, index_code=index_code, framework=framework, is_illustrative=False,
                source_file=file, source_sheet=sheet.name, max_points=None, source_note=None)
    rows, extras = _read_rows(grid, data_rows, texts, columns, blocks, reg, year, level, base, result.problems,
                              where)
    _attach(rows, extras, base, result.problems, where)
    result.rows = rows
    return result


def _name_columns(grid, data_rows: range, width: int, reg: EntityRegistry,
                  year: int) -> tuple[str, list[int]]:
    """The level of the assessed units and the columns holding their names.

    Every level is tried (province first, then district, then commune) and the one under
    which the most names resolve wins. Every column where at least half as many names
    resolve as in the best column holds names too (the PCI pair layout; English and
    Vietnamese name columns side by side in PAPI).
    """
    text_cols = [c for c in range(width) if any(_is_text(grid[r][c]) for r in data_rows)]
    best_level, best_counts, best = LEVELS[0], {}, -1
    for level in LEVELS:
        counts = {c: sum(1 for r in data_rows if _is_text(grid[r][c]) and reg.resolve(grid[r][c], year, level))
                  for c in text_cols}
        top = max(counts.values(), default=0)
        if top > best:
            best_level, best_counts, best = level, counts, top
    return best_level, sorted(c for c, n in best_counts.items() if n > 0 and n * 2 >= best)


def _classify_columns(grid, data_rows: range, texts: list[list[str]], name_cols: list[int],
                      fw: Frameworks, framework: str) -> list[_Column]:
    columns: list[_Column] = []
    for c, col_texts in enumerate(texts):
        col = _Column(c, col_texts)
        numeric = any(_number(grid[r][c]) is not None for r in data_rows)
        stripped = [_strip_rank_words(t) for t in col_texts]
        if c in name_cols:
            col.kind = "name"
        elif _is_id(col_texts):
            col.kind = "id"
        elif _is_label(col_texts):
            col.kind, col.code = "label", _match(fw, framework, stripped)
        elif _is_rank(col_texts):
            col.kind, col.code = "rank", _match(fw, framework, stripped)
        elif _is_max(col_texts):
            col.kind, col.code = "max", _match(fw, framework, [_strip_max_words(t) for t in col_texts])
        elif (code := _match(fw, framework, col_texts)) is not None:
            col.kind, col.code = "criterion", code
        elif numeric:
            if _is_ignored(col_texts):
                col.kind = "ignored"
            elif not col_texts and _is_numbering(grid, data_rows, c):
                col.kind = "id"  # an STT column without a header
            else:
                col.kind = "unmatched"
        columns.append(col)
    # "Tổng điểm" beside "Chỉ số CCHC (%)": the percentage restates the points, it is not a
    # second statement of the criterion.
    for code in {c.code for c in columns if c.kind == "criterion"}:
        same = [c for c in columns if c.kind == "criterion" and c.code == code]
        pct = [c for c in same if _is_percent(c.texts)]
        if len(same) - len(pct) == 1:
            for c in pct:
                c.kind = "ignored"
    # A rank, label or maximum whose header names no criterion belongs to the total, or to
    # the only criterion of a one-criterion table.
    crit = [c for c in columns if c.kind == "criterion"]
    default = TOTAL if any(c.code == TOTAL for c in crit) else crit[0].code if len(crit) == 1 else None
    for col in columns:
        if col.kind in ("rank", "label", "max") and col.code is None:
            col.code = default
            if default is None and col.kind == "label":
                col.kind = "text"  # a classification of nothing in particular: ignore the text
    return columns


def _column_problems(columns: list[_Column], framework: str, header_row: int, where: dict) -> list[Problem]:
    """Columns that cannot be read: unrecognised numbers, a rank or maximum of no known
    criterion, a criterion twice (the second copy is then set aside)."""
    problems = []
    seen: dict[str, _Column] = {}
    for col in columns:
        at = dict(row=header_row, column=col.header, **where)
        if col.kind == "unmatched":
            problems.append(Problem(message=f"không nhận ra cột «{col.header}»: tiêu đề không khớp tiêu chí nào của "
                                            f"bộ {framework}; thêm tên này vào header_aliases trong "
                                            f"data/frameworks/criteria.csv hoặc xoá cột", **at))
        elif col.kind in ("rank", "max") and col.code is None:
            what = "thứ hạng" if col.kind == "rank" else "điểm tối đa"
            problems.append(Problem(message=f"không rõ cột {what} «{col.header}» thuộc tiêu chí nào (bảng không có "
                                            "cột tổng điểm); ghi tên tiêu chí vào tiêu đề cột", **at))
        elif col.kind == "criterion":
            # The same criterion twice in one table: which column is right cannot be told.
            if col.code in seen:
                col.kind = "duplicate"  # not read: its values would only repeat the problem row by row
                first = seen[col.code]
                problems.append(Problem(message=f"hai cột cùng là tiêu chí {_code_name(col.code)}: «{first.header}» "
                                                f"(cột {_col_letter(first.index)}) và «{col.header}» "
                                                f"(cột {_col_letter(col.index)}); chỉ giữ một cột", **at))
            else:
                seen[col.code] = col
    return problems


def _blocks(columns: list[_Column], name_cols: list[int], width: int) -> list[tuple[_Column, list[_Column]]]:
    """(name column, value columns) pairs: a name column owns the columns up to the next one.

    A one-table sheet has one block; the PCI summary has one per sub-index. A name column
    with nothing after it (English names beside Vietnamese ones) owns nothing and is dropped;
    columns left of the first name column (STT, rank) belong to the first block.
    """
    blocks = []
    for i, nc in enumerate(name_cols):
        lo = 0 if i == 0 else nc + 1
        hi = name_cols[i + 1] if i + 1 < len(name_cols) else width
        values = [columns[c] for c in range(lo, hi)
                  if columns[c].kind in ("criterion", "rank", "label", "max") and columns[c].code is not None]
        if values:
            blocks.append((columns[nc], values))
    return blocks


def _read_rows(grid, data_rows: range, texts: list[list[str]], columns: list[_Column],
               blocks, reg: EntityRegistry, year: int, level: str, base: dict,
               problems: list[Problem], where: dict) -> tuple[list[dict], list[tuple[str, dict]]]:
    header_texts = [set(t) for t in texts]
    rows: list[dict] = []
    extras: list[tuple[str, dict]] = []  # (kind, fact): ranks, labels, maxima to put on score rows
    for r in data_rows:
        line = grid[r]
        filled = [c for c, v in enumerate(line) if not _blank(v)]
        if not filled or all(nfc(line[c]) in header_texts[c] for c in filled):
            continue  # a blank line, or the header repeated inside the table
        row_label = next((nfc(v) for v in line if _is_text(v)), "")
        for name_col, values in blocks:
            name = nfc(line[name_col.index]) if _is_text(line[name_col.index]) else ""
            cells = {col.index: line[col.index] for col in values}
            has_number = any(_number(cells[col.index]) is not None for col in values if col.kind != "label")
            if not name and not has_number:
                continue
            if _is_footer(name or row_label):
                continue  # "Điểm cao nhất", "Trung bình", "Ghi chú: …", "Xếp hạng" under a highlight line
            # A value with no name in its own column is named by the row's label: a highlight
            # line under the PCI summary repeats one province's values across all pairs.
            name = name or row_label
            entity = reg.resolve(name, year, level) if name else None
            if entity is None:
                if has_number:
                    problems.append(Problem(message=reg.explain_failure(name, year, level) if name else
                                            "dòng có số liệu nhưng không có tên đơn vị",
                                            row=r + 1, column=name_col.header, **where))
                continue  # a text-only line: a note, a signature, a group heading
            crit_cells = [col.index for col in values if col.kind == "criterion"]
            stated = [c for c in crit_cells if not _blank(cells[c])]
            if not any(not _blank(v) for v in cells.values()) or (crit_cells and not stated):
                continue  # listed without any value: not assessed that year
            if len(stated) == 1 < len(crit_cells) and columns[stated[0]].code == TOTAL \
                    and _number(cells[stated[0]]) == 0:
                continue  # a SUM over blank components (PAPI 2014, Bắc Giang): not assessed, not a score of 0
            for col in values:
                v = cells[col.index]
                fact = dict(entity=entity, code=col.code, row=r + 1, name=name, column=col.header)
                if col.kind == "label":
                    if _is_text(v):  # a tier is words; a number here is a lookup artefact
                        extras.append(("label", {**fact, "value": nfc(v)}))
                    continue
                try:
                    x = parse_number(v)
                except ValueError:
                    problems.append(Problem(message=f"ô «{nfc(v)}» ở cột «{col.header}» không phải là số (ví dụ "
                                                    "đúng: 7,25 hoặc 7.25; để trống nếu không có số liệu)",
                                            row=r + 1, column=col.header, **where))
                    continue
                if col.kind in ("rank", "max"):
                    if x is not None:
                        extras.append((col.kind, {**fact, "value": x}))
                    continue
                rows.append({**base, "criterion_code": None if col.code == TOTAL else col.code,
                             "entity_code": entity, "entity_raw": name, "points": x, "rank": None,
                             "n_ranked": None, "label": None, "source_row": r + 1,
                             "_columns": {"points": col.header, "criterion_code": col.header}})
    return rows, extras


def _is_numbering(grid, data_rows: range, c: int) -> bool:
    """Whether a column holds 1, 2, 3, … (row numbers), allowing blanks and footers."""
    nums = [x for x in (_number(grid[r][c]) for r in data_rows) if x is not None]
    return len(nums) >= 2 and all(x == int(x) for x in nums) and all(b - a == 1 for a, b in zip(nums, nums[1:]))


def _code_name(code: str) -> str:
    return "tổng điểm" if code == TOTAL else f"«{code}»"


def _attach(rows: list[dict], extras: list[tuple[str, dict]], base: dict, problems: list[Problem],
            where: dict) -> None:
    """Put published ranks, labels and maxima on the score rows of the same entity and criterion
    (in the PCI summary the rank sits in a pair of its own, sorted differently)."""
    ranked: dict[str, set] = {}
    for kind, f in extras:
        if kind == "rank":
            ranked.setdefault(f["code"], set()).add(f["entity"])
    index: dict[tuple, list[dict]] = {}
    for row in rows:
        index.setdefault((row["entity_code"], row["criterion_code"]), []).append(row)
    for kind, f in extras:
        crit = None if f["code"] == TOTAL else f["code"]
        value = f["value"]
        if kind == "rank" and (value != int(value) or value < 1):
            problems.append(Problem(message=f"thứ hạng phải là số nguyên dương, gặp {vn_number(value)}",
                                    row=f["row"], column=f["column"], **where))
            continue
        targets = index.get((f["entity"], crit))
        if not targets:  # ranked or classified without a score in this sheet
            row = {**base, "criterion_code": crit, "entity_code": f["entity"], "entity_raw": f["name"],
                   "points": None, "rank": None, "n_ranked": None, "label": None, "source_row": f["row"],
                   "_columns": {}}
            rows.append(row)
            targets = index[(f["entity"], crit)] = [row]
        for row in targets:
            if kind == "label":
                row["label"] = row["label"] or value
            elif kind == "max":
                row["max_points"] = value
                row["_columns"]["max_points"] = f["column"]
            else:
                row["rank"], row["n_ranked"] = int(value), len(ranked[f["code"]])
                row["_columns"]["rank"] = f["column"]


def _name_columns_of(problems: list[Problem], df: pd.DataFrame, fw: Frameworks, file: str,
                     headers: dict) -> list[Problem]:
    """``check_rows`` names fields ("points", "rank"); say which column of the sheet instead.

    A sheet row holds many criteria, so the problem is traced to the criterion by checking
    that row's facts one by one, each with its own column headers.
    """
    out = []
    for p in problems:
        located = None
        if p.row is not None and p.column in ("points", "rank", "max_points", "criterion", "year"):
            same_row = df[(df.source_sheet == p.sheet) & (df.source_row == p.row)]
            for i in same_row.index:
                cols = headers.get((p.sheet, p.row, same_row.at[i, "criterion_code"]))
                if cols:
                    again = check_rows(same_row.loc[[i]], fw, file, column_of=cols)
                    located = next((q for q in again if q.message == p.message), None)
                if located:
                    break
        out.append(located or p)
    return out


def _merge_restatements(df: pd.DataFrame) -> pd.DataFrame:
    """One row for a fact stated more than once in agreement (a ranking sheet beside the
    summary sheet; a highlight line under the table; a table in two languages).
    Disagreeing statements are all kept for ``check_rows`` to report."""
    if df.empty:
        return df
    key = ["year", "index_code", "criterion_code", "entity_code"]
    keep, drop = df.copy(), []
    for _, grp in df[df.duplicated(key, keep=False)].groupby(key, dropna=False, sort=False):
        pts = [p for p in grp.points if p is not None]  # a blank cell states nothing
        if pts and max(pts) - min(pts) > 1e-9 * max(1.0, abs(max(pts))):
            continue
        ranks = {x for x in grp["rank"] if x is not None}
        maxima = {x for x in grp.max_points if x is not None}
        if len(ranks) > 1 or len(maxima) > 1:
            continue
        first = grp.index[0]
        keep.at[first, "points"] = pts[0] if pts else None
        keep.at[first, "rank"] = next(iter(ranks), None)
        keep.at[first, "n_ranked"] = next((n for n in grp.n_ranked if n is not None), None)
        keep.at[first, "max_points"] = next(iter(maxima), None)
        # the first label stated: the same tier may be written in two languages
        keep.at[first, "label"] = next((lb for lb in grp.label if lb is not None), None)
        drop += list(grp.index[1:])
    return keep.drop(index=drop).reset_index(drop=True)
