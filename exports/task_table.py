"""Next year's draft task table ("Phân công nhiệm vụ"), as .xlsx and .docx.

This module owns the layout of the appendix Phòng Nội vụ attaches to next year's plan:
the same shape as Phụ lục 1/2/3 of the 2023–2025 plan (title, "(Kèm theo Kế hoạch số …)"
line, two-row header with "Phân công nhiệm vụ" spanning "Cơ quan chủ trì" and "Cơ quan
phối hợp", area rows in bold before their criteria). It also owns making every text cell
safe to open in a spreadsheet (``domain.text.neutralise``, re-exported here). Choosing which criteria go in and who
leads them is the caller's business; this module only lays out the rows it is given.

The .docx table itself (``add_task_table``) is also the body of each appendix of the
drafted plan (exports/plan_document.py).

When the criteria were chosen on illustrative data the caller passes ``notice`` (the text,
``exports.briefing.ILLUSTRATIVE_MARK``): it is printed as a red line under the title and in
the page header, so that every printed page of the table says so.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from domain.text import cell_text, neutralise, xml_safe  # noqa: F401 - neutralise: this module's callers use it

SHEET_NAME = "Phân công nhiệm vụ"
HEADER_TOP = ("STT", "Lĩnh vực/Tiêu chí", "Phân công nhiệm vụ", "Thời gian thực hiện")
HEADER_UNITS = ("Cơ quan chủ trì", "Cơ quan phối hợp")
N_COLS = 5
UNIT_SEP = "; "
FONT_NAME = "Times New Roman"
FONT_SIZE = 13

@dataclass
class TaskRow:
    index_code: str          # "PAR", "SIPAS", "PAPI", "DDCI", "PCI"
    area_code: str | None    # the Lĩnh vực / dimension the criterion belongs to, e.g. "3"
    area_name: str | None    # e.g. "Cải cách thủ tục hành chính"
    code: str                # criterion code as shown in STT, e.g. "3.4" or "SC62"
    name: str                # criterion name
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    timing: str = "Thường xuyên"
    is_illustrative: bool = False  # the criterion was judged weak on illustrative data


def xml_text(text: str | None) -> str:
    """Text as a document may hold it: NFC, no XML-illegal characters. Not formula-neutralised:
    for fixed text («- Lưu: VT.») and page headers."""
    return "" if text is None else xml_safe(text)


def _clean(text: str | None) -> str:
    """Data text as written into a cell: ``xml_text``, formula-neutralised (domain.text.cell_text)."""
    return cell_text(text)


def _units(units: list[str] | None) -> str:
    # The guard applies to the joined cell: that is what a spreadsheet parses, and only
    # its first character can start a formula.
    return _clean(UNIT_SEP.join(u for u in (units or []) if u is not None))


# --- shared row model ----------------------------------------------------------------

@dataclass
class _Line:
    kind: str                # "index", "area" or "criterion"
    cells: tuple[str, ...]   # already cleaned; one per column (index: only the first)


def _lines(rows: list[TaskRow], index_names: dict[str, str]) -> list[_Line]:
    """The body of the table, in order: index headings (only when several indices are
    present), area rows, criterion rows. Both writers render this same list, so the
    .xlsx and the .docx cannot drift apart."""
    # Group stably: indices in order of first appearance, areas within an index in order
    # of first appearance, criteria in the order given. A caller that interleaves areas
    # still gets each area row once, above all of its criteria.
    by_index: dict[str, dict[object, list[TaskRow]]] = {}
    for r in rows:
        area_key = ("area", r.area_code) if r.area_code is not None else ("none", id(r))
        by_index.setdefault(r.index_code, {}).setdefault(area_key, []).append(r)

    several = len(by_index) > 1
    out: list[_Line] = []
    for index_code, areas in by_index.items():
        if several:
            out.append(_Line("index", (_clean(index_names.get(index_code, index_code)),)))
        for (kind, _), members in areas.items():
            if kind == "area":
                first = members[0]
                name = first.area_name if first.area_name is not None else ""
                out.append(_Line("area", (_clean(first.area_code), _clean(name), "", "", "")))
            for r in members:
                out.append(_Line("criterion", (
                    _clean(r.code), _clean(r.name), _units(r.lead_units),
                    _units(r.support_units), _clean(r.timing),
                )))
    return out


# --- xlsx ----------------------------------------------------------------------------

TITLE_ROW, SUBTITLE_ROW = 1, 2
NOTICE_ROW = 3               # the illustrative notice, when there is one; else a spacer as in the plan
HEADER_ROW = 4               # two header rows: 4 and 5
FIRST_BODY_ROW = HEADER_ROW + 2
XLSX_WIDTHS = (8, 55, 40, 40, 22)


NOTICE_RGB = "C00000"


def _header_text(text: str) -> str:
    """Text for an Excel page header: "&" starts a control code there (&P, &N, …)."""
    return xml_text(text).replace("&", "&&")


def task_table_xlsx(rows: list[TaskRow], *, title: str, subtitle: str,
                    index_names: dict[str, str], notice: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    last_col = get_column_letter(N_COLS)

    plain = Font(name=FONT_NAME, size=FONT_SIZE)
    bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    italic = Font(name=FONT_NAME, size=FONT_SIZE, italic=True)
    red = Font(name=FONT_NAME, size=FONT_SIZE, bold=True, color=NOTICE_RGB)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    def put(row: int, col: int, text: str, font=plain, align=left):
        cell = ws.cell(row=row, column=col)
        cell.value = text
        # Belt and braces: the text is already neutralised, but a str must never be
        # stored as a formula whatever it starts with.
        cell.data_type = "s"
        cell.font = font
        cell.alignment = align
        return cell

    for i, width in enumerate(XLSX_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    # Title and subtitle span the table; Excel does not grow merged rows to fit wrapped
    # text, so give them a height from a rough line count.
    total_width = sum(XLSX_WIDTHS)
    heads = [(TITLE_ROW, title, bold), (SUBTITLE_ROW, subtitle, italic)]
    if notice:
        heads.append((NOTICE_ROW, notice, red))
    for row, text, font in heads:
        put(row, 1, _clean(text), font, centre)
        ws.merge_cells(f"A{row}:{last_col}{row}")
        lines = max(1, -(-len(_clean(text)) // int(total_width * 0.9)))
        ws.row_dimensions[row].height = 20 * lines

    h1, h2 = HEADER_ROW, HEADER_ROW + 1
    put(h1, 1, HEADER_TOP[0], bold, centre)
    put(h1, 2, HEADER_TOP[1], bold, centre)
    put(h1, 3, HEADER_TOP[2], bold, centre)
    put(h1, 5, HEADER_TOP[3], bold, centre)
    put(h2, 3, HEADER_UNITS[0], bold, centre)
    put(h2, 4, HEADER_UNITS[1], bold, centre)
    for rng in (f"A{h1}:A{h2}", f"B{h1}:B{h2}", f"C{h1}:D{h1}", f"E{h1}:E{h2}"):
        ws.merge_cells(rng)

    row = FIRST_BODY_ROW
    for line in _lines(rows, index_names):
        if line.kind == "index":
            put(row, 1, line.cells[0], bold, left)
            ws.merge_cells(f"A{row}:{last_col}{row}")
        else:
            font = bold if line.kind == "area" else plain
            for col, text in enumerate(line.cells, start=1):
                # STT and timing are short labels, centred as in the plan.
                put(row, col, text, font, centre if col in (1, N_COLS) else left)
            # Neither Excel nor LibreOffice grows a row for wrapped text written by a
            # program: estimate the lines of the fullest cell (13 pt ≈ 1.1 chars per width unit).
            lines = max(1, *(-(-len(t or "") // max(1, int(w * 0.95))) for t, w in zip(line.cells, XLSX_WIDTHS)))
            ws.row_dimensions[row].height = 18 * lines
        row += 1

    # Borders on every cell of the table, merged cells included, so the grid prints whole.
    for r in range(HEADER_ROW, row):
        for c in range(1, N_COLS + 1):
            ws.cell(row=r, column=c).border = box

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    # Fit the five columns to the page width; as many pages tall as needed.
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_title_rows = f"{h1}:{h2}"
    ws.freeze_panes = f"A{FIRST_BODY_ROW}"
    if notice:
        # the page header prints on every page, the first and the continuation pages alike
        for part in (ws.oddHeader.center, ws.evenHeader.center, ws.firstHeader.center):
            part.text = _header_text(notice)
            part.font = f"{FONT_NAME},Bold"
            part.size = 11
            part.color = NOTICE_RGB

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- docx ----------------------------------------------------------------------------

# A4 landscape with 2 cm side margins leaves 257 mm; split like the xlsx columns.
DOCX_WIDTHS_MM = (15, 85, 60, 60, 37)


def task_table_docx(rows: list[TaskRow], *, title: str, subtitle: str,
                    index_names: dict[str, str], notice: str | None = None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(15)
    docx_font(doc, FONT_NAME, FONT_SIZE)

    def heading(text: str, *, bold=False, italic=False, red=False, p=None):
        p = p if p is not None else doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(_clean(text))
        run.bold, run.italic = bold or None, italic or None
        if red:
            run.font.color.rgb = RGBColor.from_string(NOTICE_RGB)

    heading(title, bold=True)
    heading(subtitle, italic=True)
    if notice:
        heading(notice, bold=True, red=True)
        # the section's header prints on every page the table runs onto
        header = section.header
        header.is_linked_to_previous = False
        heading(notice, bold=True, red=True, p=header.paragraphs[0])
    doc.add_paragraph()
    add_task_table(doc, rows, index_names)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def docx_font(doc, name: str, size: float) -> None:
    """Make ``name`` at ``size`` pt the document's one typeface (the Normal style)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name = name
    normal.font.size = Pt(size)
    # font.name sets only ascii/hAnsi; Word picks East Asian / complex-script fonts for
    # some characters, so name the font for every script to keep one typeface.
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    normal.paragraph_format.space_after = Pt(0)


def add_task_table(doc, rows: list[TaskRow], index_names: dict[str, str], width_mm: float | None = None):
    """Append the appendix table to ``doc``: the two-row header (repeated on every page),
    then the body of ``_lines``. The one table of the task table and of the plan's
    appendices; ``width_mm`` scales the columns (default: A4 landscape, 2 cm margins)."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    scale = (width_mm or sum(DOCX_WIDTHS_MM)) / sum(DOCX_WIDTHS_MM)
    widths = tuple(w * scale for w in DOCX_WIDTHS_MM)
    table = doc.add_table(rows=2, cols=N_COLS)
    table.style = "Table Grid"
    table.autofit = False
    for col, mm in zip(table.columns, widths):
        col.width = Mm(mm)

    def fill(cell, text: str, *, bold=False, centre=False):
        # Cells are fresh (merging empty cells leaves one empty paragraph), so write
        # into the first paragraph rather than via cell.text, which adds an empty run.
        p = cell.paragraphs[0]
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        if bold:  # leave plain runs without <w:b/> so they follow the style
            run.bold = True
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def size_row(row):
        # Word reads widths from each cell, not only from the grid.
        for cell, mm in zip(_unique_cells(row), _spans_mm(row, widths)):
            cell.width = Mm(mm)

    r1, r2 = table.rows[0], table.rows[1]
    stt = r1.cells[0].merge(r2.cells[0])
    name = r1.cells[1].merge(r2.cells[1])
    timing = r1.cells[4].merge(r2.cells[4])
    assign = r1.cells[2].merge(r1.cells[3])
    for cell, text in ((stt, HEADER_TOP[0]), (name, HEADER_TOP[1]),
                       (assign, HEADER_TOP[2]), (timing, HEADER_TOP[3])):
        fill(cell, text, bold=True, centre=True)
    fill(r2.cells[2], HEADER_UNITS[0], bold=True, centre=True)
    fill(r2.cells[3], HEADER_UNITS[1], bold=True, centre=True)
    for row in (r1, r2):
        # Repeat both header rows at the top of every page the table runs onto.
        tr_pr = row._tr.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        tr_pr.append(flag)
        size_row(row)

    for line in _lines(rows, index_names):
        row = table.add_row()
        # a criterion's row stays whole on one page: a unit's name cut in two across pages
        # («Các đơn vị liên» / «quan») reads as two units
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if line.kind == "index":
            merged = row.cells[0].merge(row.cells[N_COLS - 1])
            fill(merged, line.cells[0], bold=True)
        else:
            is_area = line.kind == "area"
            for col, (cell, text) in enumerate(zip(row.cells, line.cells)):
                fill(cell, text, bold=is_area, centre=col in (0, N_COLS - 1))
        if line.kind != "criterion":
            # an index's or an area's heading row goes onto the page of its first criterion
            for cell in _unique_cells(row):
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
        size_row(row)
    return table


def _unique_cells(row):
    """The row's cells once each (python-docx repeats a cell for every column it spans)."""
    from docx.table import _Cell

    return [_Cell(tc, row.table) for tc in row._tr.tc_lst]


def _spans_mm(row, widths):
    out, col = [], 0
    for tc in row._tr.tc_lst:
        span = tc.grid_span
        out.append(sum(widths[col:col + span]))
        col += span
    return out


# --- files ---------------------------------------------------------------------------

def write_task_table(rows: list[TaskRow], path: Path, **kw) -> None:
    """Write the table to ``path``: .xlsx or .docx, chosen by the file extension. The
    keywords are those of ``task_table_xlsx`` (title, subtitle, index_names, notice=None)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        data = task_table_xlsx(rows, **kw)
    elif suffix == ".docx":
        data = task_table_docx(rows, **kw)
    else:
        raise ValueError(
            f"Không hỗ trợ định dạng tệp “{path.suffix or '(không có phần mở rộng)'}”: "
            "chỉ xuất được bảng phân công nhiệm vụ ra tệp .xlsx hoặc .docx."
        )
    path.write_bytes(data)
