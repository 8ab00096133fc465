"""Building blocks of an administrative document (văn bản hành chính) laid out as Nghị
định 30/2020/NĐ-CP, Phụ lục I (thể thức văn bản hành chính) asks, with python-docx.

This module owns the form: A4 with the decree's margins, Times New Roman, the header
(issuing body on the left; Quốc hiệu and Tiêu ngữ on the right; then «Số: …» and «<địa
danh>, ngày … tháng … năm …»), the document type and trích yếu, body paragraphs, the
closing («Nơi nhận:» on the left, the signature block on the right), page numbers (top
centre, none on a section's first page) and a red line in every page header when the
document rests on illustrative data. What the document says is the caller's business
(exports/plan_document.py); text from data must reach these functions already cleaned
(exports.task_table._clean), fixed text is only made XML-safe here.
"""
from __future__ import annotations

import io

from exports.task_table import FONT_NAME, NOTICE_RGB, docx_font, xml_text

BODY_PT = 13            # NĐ 30: body 13–14 pt
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # NĐ 30: 20–25, 20–25, 30–35, 15–20
A4_MM = (210, 297)
HEADER_COLS_MM = (68, 97)    # issuing body | Quốc hiệu, Tiêu ngữ: 165 mm of text width
CLOSING_COLS_MM = (90, 75)   # Nơi nhận | signature
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "…"                  # what the office fills in by hand: số, ngày, tháng
SIGNATURE_HINTS = ("(Chữ ký, dấu)", "(Họ và tên)")
INDENT_CM = 1.27             # NĐ 30: first line indented 1–1,27 cm
_CELL_PAD_MM = 3.8           # Word's default left + right cell margins (0,19 cm each)


def new_document():
    """An empty A4 portrait document with NĐ 30's margins and one typeface."""
    from docx import Document

    doc = Document()
    _a4(doc.sections[0], landscape=False)
    docx_font(doc, FONT_NAME, BODY_PT)
    return doc


def text_width_mm(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 36000  # EMU per mm


def place_date(place: str, year: int | str, day: str = BLANK, month: str = BLANK) -> str:
    """«Vĩnh Lộc, ngày … tháng … năm 2026»: day and month left for the office to fill."""
    return f"{place}, ngày {day} tháng {month} năm {year}"


def add_header_block(doc, *, issuer: str, number: str, place: str, year: int | str,
                     parent: str | None = None, day: str = BLANK, month: str = BLANK):
    """The borderless two-column header: [cơ quan chủ quản], issuing body (bold caps; a
    "\\n" breaks the line), a short rule, «Số: …» | Quốc hiệu, Tiêu ngữ with its rule, the
    place and date (italic)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = _borderless_table(doc, 2, HEADER_COLS_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = True
    if parent:
        _add_line(left, parent.upper(), size=12, first=first)
        first = False
    for i, line in enumerate(issuer.upper().split("\n")):
        _add_line(left, line, size=12, bold=True, first=first and i == 0)
    _add_rule(left, 18, HEADER_COLS_MM[0])  # NĐ 30: 1/3 to 1/2 of the line above
    _add_line(right, NATIONAL_TITLE, size=12, bold=True, first=True)
    # NĐ 30: a rule as long as the motto under it: the motto's own underline is exactly that
    _add_line(right, MOTTO, size=13, bold=True, underline=True)
    _add_line(table.cell(1, 0), f"Số: {number}", size=13, first=True)
    _add_line(table.cell(1, 1), place_date(place, year, day, month), size=13, italic=True, first=True)
    for cell in table._cells:
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for cell in table.rows[1].cells:
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)
    _spacer(doc)
    return table


def add_title(doc, kind: str, summary: str) -> None:
    """The document type («KẾ HOẠCH») and its trích yếu, bold and centred, with the short
    rule NĐ 30 puts under the trích yếu."""
    _add_line(doc, kind.upper(), size=14, bold=True, centre=True)
    _add_line(doc, summary, size=14, bold=True, centre=True)
    _add_rule(doc, 55, text_width_mm(doc.sections[-1]) + _CELL_PAD_MM)
    _spacer(doc)


def add_heading(doc, text: str) -> None:
    """A section heading of the body («I. MỤC ĐÍCH, YÊU CẦU», «1. Chỉ số …»): bold."""
    add_paragraph(doc, text, bold=True)


def add_paragraph(doc, text: str, *, bold: bool = False, italic: bool = False):
    """A body paragraph: justified, first line indented, 6 pt after (NĐ 30)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.first_line_indent = Cm(INDENT_CM)
    p.paragraph_format.space_after = Pt(6)
    _run(p, text, bold=bold, italic=italic)
    return p


def add_closing(doc, recipients: list[str], signer: tuple[str, ...] = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
                kept_by: str = "VT", signer_name: str | None = None) -> None:
    """«Nơi nhận:» (one «- …;» line per recipient, «- Lưu: VT.» last) on the left; the
    signer's role in bold caps, room for signature and seal, and the placeholders for
    them and the signer's name (or ``signer_name``, bold) on the right."""
    table = _borderless_table(doc, 1, CLOSING_COLS_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    _add_line(left, "Nơi nhận:", size=12, bold=True, italic=True, first=True, centre=False)
    for name in recipients:
        _add_line(left, f"- {name};", size=11, centre=False)
    _add_line(left, f"- Lưu: {kept_by}.", size=11, centre=False)
    for i, line in enumerate(signer):
        _add_line(right, line.upper(), size=13, bold=True, first=i == 0)
    _add_line(right, SIGNATURE_HINTS[0], size=13, italic=True)
    for _ in range(3):
        _add_line(right, "", size=13)
    if signer_name:
        _add_line(right, xml_text(signer_name), size=13, bold=True)
    else:
        _add_line(right, SIGNATURE_HINTS[1], size=13, italic=True)


def add_page_numbers(section) -> None:
    """Page numbers at the top centre of every page but the section's first (NĐ 30)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), ("end", None)):
        run = p.add_run()
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def add_notice_header(section, notice: str, size: float = 11) -> None:
    """``notice`` in red bold in the page header of every page of the section (its first
    page too), and of the sections after it, which link to it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    for header in (section.header, section.first_page_header):
        p = header.add_paragraph() if header.paragraphs[0].runs else header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = _run(p, notice, bold=True, size=size)
        run.font.color.rgb = RGBColor.from_string(NOTICE_RGB)


def add_landscape_section(doc):
    """A new section on a new page, A4 landscape with the same margins, its pages numbered
    from 1 (NĐ 30 numbers each appendix on its own); headers follow the first section."""
    from docx.enum.section import WD_SECTION
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _a4(section, landscape=True)
    section.different_first_page_header_footer = True
    restart = section._sectPr.find(qn("w:pgNumType"))  # a section is a copy of the one before it
    if restart is None:
        restart = OxmlElement("w:pgNumType")
        section._sectPr.insert_element_before(restart, "w:cols", "w:formProt", "w:vAlign", "w:noEndnote",
                                              "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid")
    restart.set(qn("w:start"), "1")
    return section


def add_centred(doc, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None):
    return _add_line(doc, text, size=size, bold=bold, italic=italic, centre=True)


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- pieces ------------------------------------------------------------------------------

def _a4(section, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    short, long_ = A4_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(long_), Mm(short)) if landscape else (Mm(short), Mm(long_))
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])


def _run(p, text: str, *, bold=False, italic=False, underline=False, size: float | None = None):
    from docx.shared import Pt

    run = p.add_run(xml_text(text))
    run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
    if size:
        run.font.size = Pt(size)
    return run


def _add_line(container, text: str, *, size: float | None = None, bold=False, italic=False, underline=False,
              first=False, centre=True):
    """A one-line paragraph in a cell (``first``: its existing empty paragraph) or the body."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = container.paragraphs[0] if first else container.add_paragraph()
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, text, bold=bold, italic=italic, underline=underline, size=size)
    return p


def _add_rule(container, length_mm: float, box_mm: float) -> None:
    """A centred horizontal rule ``length_mm`` long: a near-empty paragraph whose bottom
    border is cut to length by equal indents inside a box (cell or page) ``box_mm`` wide."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    p = container.add_paragraph()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)  # first in an empty pPr: the schema's order holds
    side = max(0.0, (box_mm - _CELL_PAD_MM - length_mm) / 2)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(side)
    p.paragraph_format.line_spacing = Pt(2)
    p.add_run().font.size = Pt(2)


def _borderless_table(doc, rows: int, widths_mm: tuple[float, ...]):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.autofit = False
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    # the schema's order: borders before the layout, cell margins and look python-docx writes
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                           "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    for col, mm in zip(table.columns, widths_mm):
        col.width = Mm(mm)
        for cell in col.cells:
            cell.width = Mm(mm)
    return table


def _spacer(doc) -> None:
    doc.add_paragraph()
