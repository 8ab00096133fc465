"""The plan loader: the task map of the Vĩnh Lộc plan for PAR INDEX, SIPAS, PAPI and DDCI.

Owns reading the plan (``data/plan/ke-hoach-chi-so-vinh-loc-2023-2025.md``) into
``PlanCriterion`` rows (Phụ lục 1–3: lead and supporting unit of every sub-criterion) and
``PlanTask`` rows (section II.1: 26 numbered tasks), reading the same appendix tables from a
Word (.docx) or Excel (.xlsx) copy, and turning both into the ``task_map`` and ``plan_tasks``
tables with one row per criterion or task × role × unit (``resolve_plan``).

The three formats share one table reader (``_AppendixReader``): every format is first turned
into rows of cell texts, and columns are found by their header text, never by position.
Structural surprises are collected as ``Problem``s and raised together as ``ValidationFailed``.
The plan's text is kept as printed, quirks included (Phòng Nội vụ as both lead and supporting
unit of PAR 5.1, 5.6 and PAPI 4.3); only unit names are reconciled, through the registry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from domain.entities import LEVEL_LABEL
from domain.problems import Problem, ValidationFailed
from domain.text import fold, fold_loose, nfc
from domain.units import CellResolution, UnitRegistry, cell_text
from domain.vocabulary import appendix_indices

# Section II.1.x titles → index; tested in this order ("Chỉ số Hiệu quả Quản trị và Hành chính
# công" must not be read as "cải cách hành chính").
_SECTION_INDEX = [
    ("hieu qua quan tri", "PAPI"),
    ("nang luc canh tranh", "DDCI"),
    ("cai cach hanh chinh", "PAR"),
    ("hai long", "PAR"),
]
APPENDIX_COLUMNS = {"lead": "Cơ quan chủ trì", "support": "Cơ quan phối hợp"}
TASK_COLUMNS = {"lead": "Đơn vị chủ trì", "support": "Đơn vị phối hợp"}
ALIASES_PATH = "data/registry/unit_aliases.csv"
UNITS_PATH = "data/registry/units.csv"

TASK_MAP_COLUMNS = [
    "plan_id", "index_code", "criterion_code", "criterion_name", "area_code", "area_name",
    "role", "unit_code", "unit", "position", "timing", "raw_text", "location",
]
PLAN_TASK_COLUMNS = [
    "plan_id", "index_code", "section", "task_no", "text", "role", "unit_code", "unit",
    "position", "raw_text", "location",
]


@dataclass(frozen=True)
class PlanCriterion:
    appendix: int
    index_code: str  # PAR / SIPAS / PAPI
    code: str  # as printed: "3" (area) or "3.2"
    name: str
    level: str  # 'area' or 'criterion'
    parent_code: str | None
    lead_text: str
    support_text: str
    timing: str
    location: str  # Vietnamese: "Phụ lục 1, bảng 3, dòng 5 (dòng 279 trong tệp)"
    row: int | None = None  # the row a Problem points to (file line, table row or sheet row)
    sheet: str | None = None  # xlsx only


@dataclass(frozen=True)
class PlanTask:
    section: str  # '1.1', '1.2', '1.3'
    index_code: str  # PAR / PAPI / DDCI
    number: int
    task_no: str  # f"{section}.{number}", e.g. "1.2.6"
    text: str
    lead_text: str  # the "Đơn vị chủ trì" line as printed (remark included)
    support_text: str
    remark: str  # a parenthetical note after the unit list, e.g. task 1.1.2
    location: str  # "Mục II.1.2, nhiệm vụ (6), dòng 115"
    row: int | None = None  # file line of the task's "(n)"


@dataclass
class PlanDocument:
    criteria: list[PlanCriterion]
    tasks: list[PlanTask]
    source: str
    title: str = ""  # the document's own title ("Kế hoạch … năm 2026"); '' when it has none


# --- the title and the period of a plan ------------------------------------------------------

_MARKUP = " \t#>*_`"
# "giai đoạn 2026–2030", "2026 - 2030", "2026-2030" (on fold(): every dash is " - ")
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*-\s*((?:19|20)\d{2})(?!\d)")
_ONE_YEAR = re.compile(r"\bnam\s+((?:19|20)\d{2})(?!\d)")  # "năm 2026"


def document_title(paragraphs: list[str]) -> str:
    """The plan's title among its paragraphs (or cells), in document order: the first that
    starts with "Kế hoạch" (a bare "KẾ HOẠCH" line takes the line after it, as official
    documents print the subject under the word), else the first that contains it; '' if none."""
    texts = [t for t in (nfc(p).strip(_MARKUP) for p in paragraphs) if t]
    for k, text in enumerate(texts):
        key = fold(text).strip(" .:")
        if key == "ke hoach" and k + 1 < len(texts):
            subject = texts[k + 1]
            return "Kế hoạch " + subject[:1].lower() + subject[1:]
        if key.startswith("ke hoach") and key != "ke hoach":
            return text
    return next((t for t in texts if "ke hoach" in fold(t)), "")


def plan_period(text: str) -> tuple[int, int] | None:
    """(year_from, year_to) that a title states: "giai đoạn 2026 - 2030" or "2026–2030" →
    (2026, 2030); "năm 2026" → (2026, 2026). None when it states no year (never guessed)."""
    key = fold(text)
    for m in _PERIOD.finditer(key):
        a, b = int(m.group(1)), int(m.group(2))
        if a <= b:
            return a, b
    m = _ONE_YEAR.search(key)
    return (int(m.group(1)), int(m.group(1))) if m else None


def plan_title(path: str | Path) -> str:
    """The title of a plan file (.md/.txt: lines outside tables; .docx: paragraphs; .xlsx:
    cells, sheet by sheet); '' when none says "Kế hoạch" or the file cannot be read (reading
    the plan itself reports that)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".md", ".markdown", ".txt"):
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            return document_title([line for line in lines if not line.lstrip().startswith("|")])
        if suffix == ".docx":
            import docx

            return document_title([p.text for p in docx.Document(str(path)).paragraphs])
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
            try:
                cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if isinstance(v, str)]
            finally:
                wb.close()
            return document_title(cells)
    except Exception:  # noqa: BLE001 - a broken file is reported by the plan reader
        return ""
    return ""


# --- shared table reading -------------------------------------------------------------------

_CODE = re.compile(r"^\d+(\.\d+)*\.?$")
_HEADER_WORDS = {
    "stt", "linh vuc tieu chi", "linh vuc", "tieu chi", "noi dung", "phan cong nhiem vu",
    "co quan chu tri", "co quan phoi hop", "thoi gian thuc hien", "thoi gian",
}
# Words that identify a column in the (combined) header text.
_ROLE_WORDS = {
    "code": ("stt",),
    "name": ("tieu chi", "linh vuc", "noi dung"),
    "lead": ("chu tri",),
    "support": ("phoi hop",),
    "timing": ("thoi gian",),
}
_ROLE_LABELS = {
    "code": "STT", "name": "Lĩnh vực/Tiêu chí", "lead": APPENDIX_COLUMNS["lead"],
    "support": APPENDIX_COLUMNS["support"], "timing": "Thời gian thực hiện",
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_TITLE = re.compile(r"\bphu luc\s*(?:so\s*)?(\d+|[ivx]+)\b")
_TITLE_AT_START = re.compile(r"^\W*phu luc\s*(?:so\s*)?(\d+|[ivx]+)\b")


def _appendix_title(text: str, anywhere: bool) -> int | None:
    """N from "Phụ lục N" ("PHỤ LỤC SỐ 2", "Phụ lục II"); at the start unless ``anywhere``.

    The plan's body says "(Có các Phụ lục số 1, 2, 3 kèm theo)", so in running text only a
    paragraph that starts with "Phụ lục" is a title; sheet names and the title cells of a
    sheet may have it anywhere.
    """
    m = (_TITLE if anywhere else _TITLE_AT_START).search(fold(text))
    if not m:
        return None
    n = m.group(1)
    return int(n) if n.isdigit() else _ROMAN.get(n)


@dataclass
class _Row:
    cells: list[str]
    table_row: int  # 1-based row in the table (sheet row for xlsx)
    report_row: int  # what Problem.row shows: file line (md), table row (docx), sheet row (xlsx)
    sheet: str | None = None
    suffix: str = ""  # appended to the location, e.g. " (dòng 279 trong tệp)"
    merged: set[int] = field(default_factory=set)  # cells covered by a horizontal merge


def _is_header(cells: list[str]) -> bool:
    return not any(_CODE.match(nfc(c)) for c in cells) and any(
        fold_loose(c) in _HEADER_WORDS for c in cells
    )


def _is_empty(cells: list[str]) -> bool:
    return not any(nfc(c) for c in cells)


def _is_column_numbers(cells: list[str]) -> bool:
    """A row "(1) (2) (3) (4) (5)" or "1 2 3 4 5" that numbers the columns under a header."""
    numbers = [nfc(c).strip("()") for c in cells if nfc(c)]
    return len(numbers) >= 3 and numbers == [str(k) for k in range(1, len(numbers) + 1)]


class _AppendixReader:
    """Appendix tables (from any format) → PlanCriterion, collecting problems."""

    def __init__(self, source: str, problems: list[Problem], appendices: dict[int, str] | None = None):
        self.source = source
        # which index each appendix assigns (data/frameworks/indices.csv, or the plan's own row in data/plans.csv)
        self.appendices = appendices or appendix_indices()
        self.problems = problems
        self.criteria: list[PlanCriterion] = []
        self._last_appendix: int | None = None
        self._tables: dict[int, int] = {}  # appendix → tables read
        self._area: dict[int, str | None] = {}  # appendix → area being read
        self._codes: dict[int, set[str]] = {}
        self._area_children: dict[tuple[int, str], int] = {}
        self._last_cols: dict[str, int | None] | None = None
        self._last_width = 0

    def _problem(self, row: _Row, where: str, message: str, column: str | None = None) -> None:
        self.problems.append(
            Problem(self.source, f"{where}: {message}", sheet=row.sheet, row=row.report_row, column=column)
        )

    def read_table(self, appendix: int | None, rows: list[_Row], strict_width: bool) -> None:
        """Read one table (or sheet) of an appendix; other tables are ignored.

        An appendix table has a header with "Cơ quan chủ trì". A table without any header
        whose rows carry criterion codes continues the previous appendix table (a page break
        that did not repeat the header) and is read with the previous table's columns.
        """
        first = next((k for k, r in enumerate(rows) if _is_header(r.cells)), None)
        if first is None:
            if self._last_cols is None or not any(_CODE.match(nfc(c)) for r in rows for c in r.cells[:1]):
                return
            cols, width = self._last_cols, self._last_width
        else:
            end = first
            while end < len(rows) and _is_header(rows[end].cells):
                end += 1
            if not any("chu tri" in fold_loose(c) for r in rows[first:end] for c in r.cells):
                return
            # Title rows above the header (xlsx) are not part of the table.
            rows, cols, width = rows[first:], None, 0

        if appendix is None:
            # No "Phụ lục N" title: continue the current appendix, or start the next one when
            # the numbering restarts at area 1 (document order).
            data = [r for r in rows if not (_is_header(r.cells) or _is_empty(r.cells) or _is_column_numbers(r.cells))]
            first_code = nfc(data[0].cells[0]).rstrip(".") if data and data[0].cells else ""
            if self._last_appendix is None:
                appendix = 1
            elif first_code == "1" and self._codes.get(self._last_appendix):
                appendix = self._last_appendix + 1
            else:
                appendix = self._last_appendix
        self._last_appendix = appendix
        table_no = self._tables[appendix] = self._tables.get(appendix, 0) + 1

        def where(row: _Row) -> str:
            if row.sheet is not None:
                return f"Phụ lục {appendix}, trang tính «{row.sheet}», dòng {row.table_row}"
            return f"Phụ lục {appendix}, bảng {table_no}, dòng {row.table_row}{row.suffix}"

        if appendix not in self.appendices:
            known = ", ".join(str(n) for n in self.appendices)
            self._problem(rows[0], where(rows[0]), f"kế hoạch chỉ có Phụ lục {known}; không biết Phụ lục {appendix} thuộc chỉ số nào")
            return

        header: list[_Row] = []
        for row in rows:
            if _is_empty(row.cells) or _is_column_numbers(row.cells):
                continue
            if _is_header(row.cells):
                header.append(row)
                continue
            if header:  # the header just ended (a sheet may repeat it after a page break)
                cols = self._columns(header, where)
                width = max(len(h.cells) for h in header)
                self._last_cols, self._last_width = cols, width
                header = []
            if cols is None:
                continue  # columns could not be identified; already reported
            if strict_width and len(row.cells) != width:
                self._problem(row, where(row), f"dòng có {len(row.cells)} ô trong khi bảng có {width} cột")
                continue
            self._data_row(appendix, row, cols, where(row))

    def _columns(self, header: list[_Row], where) -> dict[str, int | None] | None:
        width = max(len(h.cells) for h in header)
        combined = [""] * width
        for h in header:
            text = ""
            for j in range(width):
                cell = h.cells[j] if j < len(h.cells) else ""
                # A horizontal merge ("Phân công nhiệm vụ" over both unit columns) carries the
                # text of the cell where it starts.
                text = text if j in h.merged else cell
                combined[j] += " " + fold_loose(text)
        cols: dict[str, int | None] = {}
        ok = True
        for role, words in _ROLE_WORDS.items():
            found = [j for j, c in enumerate(combined) if any(f" {w} " in f"{c} " for w in words)]
            if len(found) == 1:
                cols[role] = found[0]
            elif not found and role == "timing":
                cols[role] = None
            else:
                ok = False
                what = "không tìm thấy" if not found else "có nhiều hơn một"
                self._problem(header[0], where(header[0]), f"{what} cột «{_ROLE_LABELS[role]}» trong tiêu đề bảng", _ROLE_LABELS[role])
        return cols if ok else None

    def _data_row(self, appendix: int, row: _Row, cols: dict[str, int | None], where: str) -> None:
        def get(role: str) -> str:
            j = cols.get(role)
            return row.cells[j] if j is not None and j < len(row.cells) and j not in row.merged else ""

        code = nfc(get("code")).rstrip(".")
        name, timing = nfc(get("name")), nfc(get("timing"))
        lead, support = cell_text(get("lead")), cell_text(get("support"))
        if not code:
            self._problem(row, where, "dòng có nội dung nhưng không có STT", "STT")
            return
        if not _CODE.match(code):
            self._problem(row, where, f"STT «{code}» không phải là mã lĩnh vực hay tiêu chí", "STT")
            return
        codes = self._codes.setdefault(appendix, set())
        if code in codes:
            self._problem(row, where, f"mã «{code}» xuất hiện hai lần trong Phụ lục {appendix}", "STT")
        codes.add(code)
        if not name:
            self._problem(row, where, f"mã «{code}» không có tên lĩnh vực/tiêu chí", _ROLE_LABELS["name"])

        parts = code.split(".")
        if len(parts) == 1:
            level, parent = "area", None
            self._area[appendix] = code
            self._area_children[(appendix, code)] = 0
            for role, text in (("lead", lead), ("support", support)):
                if text:
                    self._problem(row, where, f"dòng lĩnh vực «{code}» có đơn vị «{text}»; "
                                  "chỉ tiêu chí mới được giao đơn vị", _ROLE_LABELS[role])
        elif len(parts) == 2:
            level, parent = "criterion", parts[0]
            area = self._area.get(appendix)
            if parent != area:
                inside = f"lĩnh vực {area}" if area else "trước dòng lĩnh vực đầu tiên"
                self._problem(row, where, f"tiêu chí «{code}» không thuộc lĩnh vực đang đọc ({inside})", "STT")
            else:
                self._area_children[(appendix, area)] += 1
            if not lead:
                self._problem(row, where, f"tiêu chí «{code}» không có cơ quan chủ trì", _ROLE_LABELS["lead"])
        else:
            self._problem(row, where, f"mã «{code}» có quá hai cấp; phụ lục chỉ có lĩnh vực và tiêu chí", "STT")
            return
        self.criteria.append(PlanCriterion(
            appendix=appendix, index_code=self.appendices[appendix], code=code, name=name,
            level=level, parent_code=parent, lead_text=lead, support_text=support, timing=timing,
            location=where, row=row.report_row, sheet=row.sheet,
        ))

    def finish(self) -> None:
        for (appendix, area), n in self._area_children.items():
            if n == 0:
                self.problems.append(Problem(self.source, f"Phụ lục {appendix}: lĩnh vực «{area}» không có tiêu chí nào"))


# --- markdown ---------------------------------------------------------------------------------

_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-*:?\s*)*\|?\s*$")


def _md_cells(line: str) -> list[str]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
    return [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", s)]


def parse_plan_markdown(path: str | Path, appendices: dict[int, str] | None = None) -> PlanDocument:
    """The whole plan from its markdown transcription: appendix tables and section II.1."""
    path = Path(path)
    source = str(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        from loaders.cells import first_non_utf8_line

        raise ValidationFailed([Problem(source, "tệp kế hoạch phải viết bằng bảng mã UTF-8 mà dòng này thì không "
                                                "(có vẻ là Windows-1258): mở tệp và lưu lại dạng UTF-8", None,
                                        first_non_utf8_line(path.read_bytes()))]) from None
    except OSError as e:
        raise ValidationFailed([Problem(source, f"không đọc được tệp ({e.strerror or e.__class__.__name__})")]) from None
    problems: list[Problem] = []
    tasks = _parse_tasks(lines, source, problems)

    reader = _AppendixReader(source, problems, appendices)
    appendix: int | None = None
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|"):
            n = _appendix_title(lines[i], anywhere=False)
            appendix = n if n is not None else appendix
            i += 1
            continue
        rows: list[_Row] = []
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            if not _MD_SEPARATOR.match(lines[i]):
                rows.append(_Row(_md_cells(lines[i]), len(rows) + 1, i + 1, suffix=f" (dòng {i + 1} trong tệp)"))
            i += 1
        reader.read_table(appendix, rows, strict_width=True)
    reader.finish()

    if not reader.criteria and not tasks:
        problems.append(Problem(source, "không tìm thấy bảng phụ lục (cột «Cơ quan chủ trì») hay nhiệm vụ nào"))
    if problems:
        raise ValidationFailed(problems)
    title = document_title([line for line in lines if not line.lstrip().startswith("|")])
    return PlanDocument(reader.criteria, tasks, source, title)


# Section II.1: "(n) text", paragraphs, then "- Đơn vị chủ trì: …" / "- Đơn vị phối hợp: …".
_PART = re.compile(r"^([ivx]+)\.\s")  # on fold(): "ii. nhiem vu, giai phap"
_SUBPART = re.compile(r"^(\d+)\.\s+\S")  # "1. Nhiệm vụ, giải pháp trọng tâm …"
_SECTION = re.compile(r"^1\.(\d+)\.?\s+(\S.*)$")  # "1.2. Chỉ số Hiệu quả …"
_TASK = re.compile(r"^\((\d+)\)\s*(.*)$")
_REMARK = re.compile(r"[.;]\s*\((.*)\)[\s.]*$")  # "…thị trấn. (Phòng Nội vụ tổng hợp, …)."


def _unit_line(line: str) -> tuple[str | None, str] | None:
    """(role, text) for a "- Đơn vị …: text" line; role None for an unknown label."""
    label, colon, text = line.partition(":")
    f = fold(label).lstrip("-+*•– ").strip()
    if not colon or len(f) > 60 or not (f.startswith("don vi") or f.startswith("co quan")):
        return None
    if "phoi hop" in f:
        return "support", nfc(text)
    if "chu tri" in f or "chiu trach nhiem" in f:  # once "Đơn vị chịu trách nhiệm thực hiện"
        return "lead", nfc(text)
    return None, nfc(text)


def _join_paragraphs(paragraphs: list[str]) -> str:
    """Paragraphs joined by newlines; one that starts in lower case continues the previous
    sentence across a page break and is joined with a space."""
    text = ""
    for p in paragraphs:
        if not text:
            text = p
        elif p[0].islower():
            text += " " + p
        else:
            text += "\n" + p
    return text


@dataclass
class _TaskDraft:
    section: str
    index_code: str
    number: int
    line: int
    paragraphs: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)
    last_role: str | None = None


def _parse_tasks(lines: list[str], source: str, problems: list[Problem]) -> list[PlanTask]:
    tasks: list[PlanTask] = []
    in_part_two = in_subpart_one = False
    section: tuple[str, str] | None = None
    draft: _TaskDraft | None = None

    def where(d: _TaskDraft) -> str:
        return f"Mục II.{d.section}, nhiệm vụ ({d.number}), dòng {d.line}"

    def flush() -> None:
        nonlocal draft
        d, draft = draft, None
        if d is None:
            return
        previous = [t.number for t in tasks if t.section == d.section]
        expected = (previous[-1] + 1) if previous else 1
        if d.number != expected:
            problems.append(Problem(source, f"{where(d)}: số thứ tự ({d.number}), đáng lẽ là ({expected})", row=d.line))
        if not d.paragraphs:
            problems.append(Problem(source, f"{where(d)}: nhiệm vụ không có nội dung", row=d.line))
        if "lead" not in d.units:
            problems.append(Problem(source, f"{where(d)}: thiếu dòng «{TASK_COLUMNS['lead']}»", row=d.line, column=TASK_COLUMNS["lead"]))
        lead, support = d.units.get("lead", ""), d.units.get("support", "")
        remarks = [m.group(1).strip() for m in (_REMARK.search(lead), _REMARK.search(support)) if m]
        tasks.append(PlanTask(
            section=d.section, index_code=d.index_code, number=d.number,
            task_no=f"{d.section}.{d.number}", text=_join_paragraphs(d.paragraphs),
            lead_text=lead, support_text=support, remark=" ".join(remarks),
            location=where(d), row=d.line,
        ))

    for lineno, raw in enumerate(lines, 1):
        line = nfc(raw)
        if not line or line.startswith("|"):
            continue
        f = fold(line)
        if _PART.match(f):
            flush()
            in_part_two, in_subpart_one, section = f.startswith("ii."), False, None
            continue
        if not in_part_two:
            continue
        m = _SUBPART.match(line)
        if m:
            flush()
            in_subpart_one, section = m.group(1) == "1", None
            continue
        if not in_subpart_one:
            continue
        m = _SECTION.match(line)
        if m:
            flush()
            title = fold(m.group(2))
            index_code = next((code for words, code in _SECTION_INDEX if words in title), "")
            if not index_code:
                problems.append(Problem(source, f"Mục II.1.{m.group(1)}: không nhận ra chỉ số của mục «{m.group(2)}»", row=lineno))
            section = (f"1.{m.group(1)}", index_code)
            continue
        m = _TASK.match(line)
        if m:
            flush()
            if section is None:
                problems.append(Problem(source, f"dòng {lineno}: nhiệm vụ ({m.group(1)}) nằm ngoài các mục II.1.x", row=lineno))
                continue
            draft = _TaskDraft(section[0], section[1], int(m.group(1)), lineno)
            if m.group(2):
                draft.paragraphs.append(m.group(2))
            continue
        if draft is None:
            if section is not None:
                problems.append(Problem(source, f"Mục II.{section[0]}, dòng {lineno}: đoạn văn không thuộc nhiệm vụ nào", row=lineno))
            continue
        unit = _unit_line(line)
        if unit is not None:
            role, text = unit
            if role is None:
                label = line.partition(":")[0]
                problems.append(Problem(source, f"{where(draft)}: không rõ dòng «{label}» là đơn vị "
                                                "chủ trì hay phối hợp", row=lineno))
            elif role in draft.units:
                problems.append(Problem(source, f"{where(draft)}: dòng «{TASK_COLUMNS[role]}» xuất hiện hai lần",
                                        row=lineno, column=TASK_COLUMNS[role]))
            else:
                draft.units[role] = text
                draft.last_role = role
            continue
        if not draft.units:
            draft.paragraphs.append(line)
        elif draft.last_role and line[0].islower():
            # A unit line cut by a page break.
            draft.units[draft.last_role] += " " + line
        else:
            problems.append(Problem(source, f"{where(draft)}: đoạn văn «{line[:60]}» nằm sau các dòng đơn vị", row=lineno))
    flush()
    return tasks


# --- Word ----------------------------------------------------------------------------------------


def _docx_rows(table) -> list[_Row]:
    rows = []
    for k, row in enumerate(table.rows, 1):
        cells = [""] * row.grid_cols_before
        merged: set[int] = set()
        previous = None
        for cell in row.cells:
            # python-docx repeats a horizontally merged cell once per grid column; the repeats
            # share the same <w:tc> element. A vertical merge repeats the top cell's text,
            # which is what a reader of the printed table sees, so it is kept.
            if previous is not None and cell._tc is previous:
                merged.add(len(cells))
                cells.append("")
            else:
                cells.append(cell_text(cell.text))
            previous = cell._tc
        cells += [""] * row.grid_cols_after
        rows.append(_Row(cells, k, k, merged=merged))
    return rows


def parse_appendix_docx(path: str | Path, appendices: dict[int, str] | None = None) -> list[PlanCriterion]:
    """Appendix tables from a Word file: every table whose header has "Cơ quan chủ trì"."""
    import docx  # python-docx; imported here so that reading markdown does not need it
    from docx.table import Table

    source = str(path)
    try:
        document = docx.Document(source)
    except Exception as e:  # noqa: BLE001 - an uploaded file can be broken in any way
        raise ValidationFailed([Problem(source, f"không đọc được tệp Word: {e}")]) from None
    problems: list[Problem] = []
    reader = _AppendixReader(source, problems, appendices)
    appendix: int | None = None  # from the nearest preceding "Phụ lục N" paragraph
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            reader.read_table(appendix, _docx_rows(block), strict_width=True)
        else:
            n = _appendix_title(block.text, anywhere=False)
            appendix = n if n is not None else appendix
    return _appendix_result(reader, problems, source, "không tìm thấy bảng phụ lục nào (bảng có cột «Cơ quan chủ trì»)")


# --- Excel ---------------------------------------------------------------------------------------


def _xl_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # A code typed as a number: 1.1 → "1.1". Excel has already turned "3.10" into 3.1;
        # the duplicate-code check reports that case.
        return f"{value:.10g}"
    return str(value)


def _sheet_rows(ws) -> list[_Row]:
    grid = [[_xl_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in grid), default=0)
    grid = [r + [""] * (width - len(r)) for r in grid]
    merged: list[set[int]] = [set() for _ in grid]
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row, min(rng.max_row, len(grid)) + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if c > rng.min_col:
                    merged[r - 1].add(c - 1)  # horizontal continuation: no text of its own
                elif r > rng.min_row:
                    grid[r - 1][c - 1] = top  # vertical merge: the text applies to every row
    return [_Row(cells, k, k, sheet=ws.title, merged=merged[k - 1]) for k, cells in enumerate(grid, 1)]


def parse_appendix_xlsx(path: str | Path, appendices: dict[int, str] | None = None) -> list[PlanCriterion]:
    """Appendix tables from an Excel file: one sheet per appendix ("Phụ lục N" in the sheet
    name or in the title rows above the header)."""
    import openpyxl

    from loaders.guard import check_shape

    source = str(path)
    try:
        # Not read-only: merged ranges are needed, and plan workbooks are small.
        wb = openpyxl.load_workbook(source, data_only=True)
    except Exception as e:  # noqa: BLE001 - an uploaded file can be broken in any way
        raise ValidationFailed([Problem(source, f"không đọc được tệp Excel: {e}")]) from None
    problems: list[Problem] = []
    reader = _AppendixReader(source, problems, appendices)
    so_far = 0
    for ws in wb.worksheets:
        # the limits of config/limits.toml, every sheet counted (an import-plan's guard.check_file
        # counted the rows before this load; data/'s own plans are read here only)
        so_far += ws.max_row or 0
        check_shape(source, ws.title, ws.max_row, ws.max_column)
        check_shape(source, ws.title, so_far, None, whole_file=True)
        rows = _sheet_rows(ws)
        header = next((k for k, r in enumerate(rows) if any("chu tri" in fold_loose(c) for c in r.cells)), None)
        if header is None:
            continue
        appendix = _appendix_title(ws.title, anywhere=True)
        m = re.match(r"^pl\s*(\d+)$", fold(ws.title))  # sheet names such as "PL1"
        appendix = int(m.group(1)) if appendix is None and m else appendix
        for r in rows[:header]:
            for c in r.cells:
                appendix = appendix or _appendix_title(c, anywhere=True)
        reader.read_table(appendix, rows, strict_width=False)
    return _appendix_result(reader, problems, source, "không tìm thấy trang tính phụ lục nào (có cột «Cơ quan chủ trì»)")


def _appendix_result(reader, problems: list[Problem], source: str, none_found: str) -> list[PlanCriterion]:
    """Close the reader; every problem at once, or the criteria."""
    reader.finish()
    if not reader.criteria:
        problems.append(Problem(source, none_found))
    if problems:
        raise ValidationFailed(problems)
    return reader.criteria


# --- dispatch and resolution ---------------------------------------------------------------------


def load_plan(path: str | Path, appendices: dict[int, str] | None = None) -> PlanDocument:
    """The plan from .md/.txt (appendices and tasks) or .docx/.xlsx (appendices only);
    ``appendices``: appendix number -> index code (default: domain/vocabulary)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown", ".txt"):
        return parse_plan_markdown(path, appendices=appendices)
    if suffix == ".docx":
        return PlanDocument(parse_appendix_docx(path, appendices=appendices), [], str(path), plan_title(path))
    if suffix in (".xlsx", ".xlsm"):
        return PlanDocument(parse_appendix_xlsx(path, appendices=appendices), [], str(path), plan_title(path))
    raise ValidationFailed([Problem(str(path), f"không đọc được tệp «{suffix}»; hãy dùng .md, .txt, .docx hoặc .xlsx")])


def _unit_problems(res: CellResolution, registry: UnitRegistry, source: str, where: str,
                   column: str, row: int | None, sheet: str | None) -> list[Problem]:
    out = []
    for fragment in res.unresolved:
        candidates = res.candidates.get(fragment)
        elsewhere = [u for u in (registry.find(c) for c in res.elsewhere.get(fragment, [])) if u is not None]
        if elsewhere:
            here = LEVEL_LABEL.get(registry.level, registry.level)
            names = ", ".join(u.name for u in elsewhere if fold(u.name) != fold(fragment))
            levels = ", ".join(dict.fromkeys(LEVEL_LABEL.get(u.level, u.level) for u in elsewhere))
            message = (f"{where}: «{fragment}»{f' ({names})' if names else ''} là đơn vị {levels}, không phải "
                       f"đơn vị {here}; kế hoạch {here} chỉ giao việc cho đơn vị {here} hoặc đơn vị dùng chung "
                       f"mọi cấp (cột level trong {UNITS_PATH})")
        elif candidates:
            names = ", ".join(registry.name(c) for c in candidates)
            message = f"{where}: tên «{fragment}» có thể là nhiều đơn vị ({names}); ghi đủ dấu hoặc sửa {ALIASES_PATH}"
        else:
            message = f"{where}: không nhận ra đơn vị «{fragment}»; thêm tên này vào {ALIASES_PATH}"
        out.append(Problem(source, message, sheet=sheet, row=row, column=column))
    if column in (APPENDIX_COLUMNS["lead"], TASK_COLUMNS["lead"]) and not res.unit_codes and not res.unresolved:
        out.append(Problem(source, f"{where}: không có đơn vị chủ trì", sheet=sheet, row=row, column=column))
    return out


def resolve_plan(doc: PlanDocument, registry: UnitRegistry, plan_id: str
                 ) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """(task_map, plan_tasks, problems): one row per criterion or task × role × unit.

    A unit named as both lead and supporting unit keeps both rows (the plan does this for
    PAR 5.1, 5.6 and PAPI 4.3). Every fragment that names no known unit is a Problem.
    """
    problems: list[Problem] = []
    areas = {(c.appendix, c.code): c for c in doc.criteria if c.level == "area"}
    map_rows = []
    for c in doc.criteria:
        if c.level != "criterion":
            continue
        area = areas.get((c.appendix, c.parent_code))
        for role, text in (("lead", c.lead_text), ("support", c.support_text)):
            res = registry.resolve_cell(text)
            problems += _unit_problems(res, registry, doc.source, f"{c.location}, tiêu chí {c.code}",
                                       APPENDIX_COLUMNS[role], c.row, c.sheet)
            for position, code in enumerate(res.unit_codes, 1):
                map_rows.append({
                    "plan_id": plan_id, "index_code": c.index_code, "criterion_code": c.code,
                    "criterion_name": c.name, "area_code": c.parent_code,
                    "area_name": area.name if area else "", "role": role, "unit_code": code,
                    "unit": registry.name(code), "position": position, "timing": c.timing,
                    "raw_text": text, "location": c.location,
                })
    task_rows = []
    for t in doc.tasks:
        for role, text in (("lead", t.lead_text), ("support", t.support_text)):
            res = registry.resolve_cell(text)
            problems += _unit_problems(res, registry, doc.source, t.location, TASK_COLUMNS[role], t.row, None)
            for position, code in enumerate(res.unit_codes, 1):
                task_rows.append({
                    "plan_id": plan_id, "index_code": t.index_code, "section": t.section,
                    "task_no": t.task_no, "text": t.text, "role": role, "unit_code": code,
                    "unit": registry.name(code), "position": position, "raw_text": text,
                    "location": t.location,
                })
    task_map = pd.DataFrame(map_rows, columns=TASK_MAP_COLUMNS).astype({"position": "int64"})
    plan_tasks = pd.DataFrame(task_rows, columns=PLAN_TASK_COLUMNS).astype({"position": "int64"})
    return task_map, plan_tasks, problems
