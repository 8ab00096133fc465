"""The «mục riêng» of the periodic administrative-reform (CCHC) report: what the units reported
on the plan for one period (metrics.progress.report_section), as a .docx the office pastes into
its own report.

This module owns the wording and order of that section: heading with the plan and the period,
a one-line count of who reported, per index the items done / in progress / not done (criteria
and section II.1 tasks labelled apart, each with its units, what was done, evidence and
obstacles), the units that did not report or reported only part, and optionally an appendix
setting what was reported done next to the score change of the year after. The page itself
(A4, NĐ 30/2020 margins, Times New Roman, page numbers, the red header line) is
exports/admin_document.py's. Every text from data goes through domain.text.cell_text.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from domain.entities import authority, styled_name
from domain.progress import period_text
from domain.text import cell_text, fold, format_number
from domain.vocabulary import INDEX_LABEL, INDEX_NAME
from exports import admin_document as nd30
from exports.task_table import NOTICE_RGB
from metrics.progress import COINCIDENCE_NOTE, ReportSection

ILLUSTRATIVE_LINE = ("SỐ LIỆU MINH HỌA — các báo cáo trong mục này là minh họa, không phải báo cáo thật của các "
                     "cơ quan.")
NOTHING = "Không có."
ALL_REPORTED = "Tất cả các cơ quan đã báo cáo."
PARTS = (("done", "a) Nhiệm vụ đã hoàn thành"),
         ("in_progress", "b) Nhiệm vụ đang thực hiện"),
         ("not_done", "c) Nhiệm vụ chưa thực hiện / không thực hiện được"))
ITEM_LABEL = {"criterion": "Tiêu chí", "task": "Nhiệm vụ"}
NOT_REPORTED_TITLE = "Các cơ quan chưa báo cáo"
PARTLY_TITLE = "Các cơ quan báo cáo chưa đủ (chưa báo cáo hết các tiêu chí, nhiệm vụ được giao chủ trì)"
EFFORT_TITLE = "Việc đã làm và thay đổi điểm năm sau"
EFFORT_HEADER = ("Tiêu chí", "Năm N", "Cơ quan báo cáo hoàn thành", "Thay đổi điểm N→N+1")
EFFORT_WIDTHS_MM = (68, 17, 48, 32)   # 165 mm: A4 portrait inside NĐ 30's margins
NO_NEXT_YEAR = "chưa có kết quả năm sau"
ITEM_INDENT_CM = (1.27, 0.5)          # item paragraphs: left indent, hanging first line
UNIT_SEP = "; "                       # unit names hold commas («Trung tâm Văn hóa, Thông tin, …»)


def progress_section_docx(section: ReportSection, *, effort: pd.DataFrame | None = None,
                          expected_units: int | None = None) -> bytes:
    """The section as .docx bytes. ``effort`` (metrics.progress.effort_outcome) adds the appendix
    table; ``expected_units`` (default: the section's ``n_expected``, the units that lead
    something) lets the summary say how many were expected."""
    if expected_units is None:
        expected_units = getattr(section, "n_expected", None)
    shown = _effort_rows(effort)
    illustrative = section.is_illustrative or bool(shown is not None and shown.reports_illustrative.any())
    doc = nd30.new_document()
    nd30.add_page_numbers(doc.sections[0])
    if illustrative:
        nd30.add_notice_header(doc.sections[0], ILLUSTRATIVE_LINE)
    _heading(doc, section, illustrative)
    _summary(doc, section, expected_units)
    for n, index in enumerate(section.indices, start=1):
        _index(doc, n, index)
    n = len(section.indices)
    _unit_list(doc, f"{n + 1}. {NOT_REPORTED_TITLE}", section.not_reported, ALL_REPORTED)
    _unit_list(doc, f"{n + 2}. {PARTLY_TITLE}", section.partly_reported, NOTHING)
    if shown is not None:
        _effort_appendix(doc, shown)
    return nd30.to_bytes(doc)


def write_progress_section(section: ReportSection, path, effort: pd.DataFrame | None = None,
                           expected_units: int | None = None) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise ValueError(f"Không hỗ trợ định dạng tệp “{path.suffix or '(không có phần mở rộng)'}”: "
                         "mục báo cáo kết quả thực hiện kế hoạch chỉ xuất được ra tệp .docx.")
    path.write_bytes(progress_section_docx(section, effort=effort, expected_units=expected_units))
    return path


# --- texts ---------------------------------------------------------------------------------

def plan_title(section: ReportSection) -> str:
    """The plan as running text names it: «Kế hoạch nâng cao các chỉ số … giai đoạn 2023–2025»."""
    ctx = section.context
    title = cell_text(ctx.title).strip() or cell_text(ctx.plan_id)
    return title if fold(title).startswith("ke hoach") else f"Kế hoạch {title}"


def heading_text(section: ReportSection) -> str:
    """«KẾT QUẢ THỰC HIỆN KẾ HOẠCH NÂNG CAO CÁC CHỈ SỐ … GIAI ĐOẠN 2023–2025»."""
    return f"KẾT QUẢ THỰC HIỆN {plan_title(section).upper()}"


def issuer(section: ReportSection) -> str:
    ctx = section.context
    return cell_text(ctx.issuer).strip() or authority(ctx.entity_name, ctx.level)


def summary_text(section: ReportSection, expected_units: int | None = None) -> str:
    missing, partly = len(section.not_reported), len(section.partly_reported)
    if expected_units is not None:
        return (f"Có {expected_units} cơ quan, đơn vị được giao chủ trì phải báo cáo: {expected_units - missing} "
                f"cơ quan đã báo cáo (trong đó {partly} cơ quan báo cáo chưa đủ), {missing} cơ quan chưa báo cáo.")
    return (f"Có {len(_reporting_units(section))} cơ quan, đơn vị gửi báo cáo trong kỳ; {missing} cơ quan được "
            f"giao chủ trì chưa báo cáo, {partly} cơ quan báo cáo chưa đủ.")


def item_title(item) -> str:
    """«Tiêu chí 3.4 <tên>» / «Nhiệm vụ 1.1.3 <tên>»."""
    label = ITEM_LABEL.get(item.item_kind, ITEM_LABEL["criterion"])
    return f"{label} {cell_text(item.item_code)} {_name(item.item_name)}"


def units_text(units) -> str:
    return UNIT_SEP.join(cell_text(u) for u in (units if units is not None else []) if cell_text(u).strip())


def item_details(item, part: str) -> list[tuple[str, str]]:
    """The lines under an item: what was done, the evidence (missing evidence of a done item is
    said), the obstacles (missing ones of an item not done are said)."""
    done, evidence, obstacles = (cell_text(getattr(item, c, None)).strip() for c in ("done_text", "evidence",
                                                                                        "obstacles"))
    out = []
    if done:
        out.append(("Kết quả", done))
    if evidence or part == "done":
        out.append(("Minh chứng", evidence or "chưa có"))
    if obstacles or part == "not_done":
        out.append(("Khó khăn, vướng mắc", obstacles or "không nêu"))
    return out


def change_text(row) -> str:
    """«tăng 1,00 điểm», «giảm 0,25 điểm», «không đổi»: words, not a sign, so that no cell starts
    like a formula when the table is pasted into a spreadsheet."""
    value = row.change_points
    if value is None or pd.isna(value):
        return NO_NEXT_YEAR
    text = "không đổi" if value == 0 else f"{'tăng' if value > 0 else 'giảm'} {format_number(abs(value))} điểm"
    return text + (" (điểm minh họa)" if bool(row.is_illustrative) else "")


# --- blocks ---------------------------------------------------------------------------------

def _heading(doc, section: ReportSection, illustrative: bool) -> None:
    nd30.add_centred(doc, heading_text(section), bold=True, size=14)
    when = period_text(section.period, section.year)
    nd30.add_centred(doc, f"Kỳ báo cáo: {when}", bold=True, size=14)
    nd30.add_centred(doc, f"(Mục riêng của báo cáo cải cách hành chính {when} của {issuer(section)})", italic=True)
    if illustrative:
        _red(nd30.add_centred(doc, ILLUSTRATIVE_LINE, bold=True))
    doc.add_paragraph()


def _summary(doc, section: ReportSection, expected_units: int | None) -> None:
    ctx = section.context
    who = cell_text(ctx.coordinator_name).strip() or "Cơ quan tổng hợp"
    nd30.add_paragraph(doc, f"Thực hiện {plan_title(section)} của "
                            f"{issuer(section)}, {who} tổng hợp báo cáo của các cơ quan, đơn vị về kết quả thực "
                            f"hiện trên địa bàn {cell_text(styled_name(ctx.entity_name, ctx.level))} "
                            f"{_lower_first(period_text(section.period, section.year))} như sau:")
    nd30.add_paragraph(doc, summary_text(section, expected_units))


def _index(doc, n: int, index) -> None:
    nd30.add_heading(doc, f"{n}. {cell_text(INDEX_NAME.get(index.index_code, index.index_code))}")
    for part, title in PARTS:
        nd30.add_paragraph(doc, title, bold=True, italic=True)
        items = getattr(index, part)
        if items is None or items.empty:
            nd30.add_paragraph(doc, NOTHING)
            continue
        for item in items.itertuples(index=False):
            _item(doc, item, part)


def _item(doc, item, part: str) -> None:
    """«- Tiêu chí 1.2 <tên> (đơn vị; đơn vị).» with a hanging indent, then its detail lines
    at the same left edge as the item's text."""
    units = units_text(item.units)
    p = _indented(doc, hanging=True)
    p.add_run("- " + item_title(item)).bold = True
    p.add_run(f" ({units})." if units else ".")
    for label, text in item_details(item, part):
        p = _indented(doc)
        p.add_run(f"{label}: ").italic = True
        p.add_run(_sentence(text))


def _unit_list(doc, title: str, names: list[str], when_empty: str) -> None:
    nd30.add_heading(doc, title)
    names = [t for t in (cell_text(n).strip() for n in names) if t]
    if not names:
        nd30.add_paragraph(doc, when_empty)
        return
    for i, name in enumerate(names):
        nd30.add_paragraph(doc, f"- {name}{'.' if i == len(names) - 1 else ';'}")


def _effort_rows(effort: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows of effort_outcome the appendix shows (those with units reporting done), or None
    when no appendix was asked for."""
    if effort is None:
        return None
    if effort.empty or "done_units" not in effort:
        return pd.DataFrame(columns=["index_code", "item_code", "item_name", "year", "done_units", "change_points",
                                     "is_illustrative", "reports_illustrative"])
    return effort[effort.done_units.map(lambda u: u is not None and len(u) > 0)].reset_index(drop=True)


def _effort_appendix(doc, rows: pd.DataFrame) -> None:
    doc.add_page_break()
    nd30.add_centred(doc, f"Phụ lục: {EFFORT_TITLE}", bold=True, size=14)
    nd30.add_paragraph(doc, COINCIDENCE_NOTE, italic=True)
    if rows.empty:
        nd30.add_paragraph(doc, NOTHING)
        return
    table = _grid(doc, EFFORT_HEADER, EFFORT_WIDTHS_MM)
    for r in rows.itertuples(index=False):
        label = cell_text(INDEX_LABEL.get(r.index_code, r.index_code))
        _fill_row(table.add_row(), (f"{label} {cell_text(r.item_code)} {_name(r.item_name)}", str(int(r.year)),
                                    units_text(r.done_units), change_text(r)), EFFORT_WIDTHS_MM)


# --- pieces ---------------------------------------------------------------------------------

def _indented(doc, *, hanging: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    left, hang = ITEM_INDENT_CM
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.left_indent = Cm(left)
    p.paragraph_format.first_line_indent = Cm(-hang if hanging else 0)
    p.paragraph_format.space_after = Pt(2 if not hanging else 0)
    return p


def _name(name) -> str:
    return cell_text(name).strip().rstrip(".;:")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _lower_first(text: str) -> str:
    """«Quý IV/2026» → «quý IV/2026» (str.lower would make the numeral «iv»)."""
    return text[:1].lower() + text[1:]


def _red(p) -> None:
    from docx.shared import RGBColor

    for run in p.runs:
        run.font.color.rgb = RGBColor.from_string(NOTICE_RGB)


def _grid(doc, header: tuple[str, ...], widths_mm: tuple[float, ...]):
    """A bordered table whose header row (bold, centred) repeats on every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    row = table.rows[0]
    _fill_row(row, header, widths_mm, bold=True)
    for cell in row.cells:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)
    return table


def _fill_row(row, texts, widths_mm, *, bold: bool = False) -> None:
    from docx.shared import Mm

    for cell, text, mm in zip(row.cells, texts, widths_mm):
        cell.width = Mm(mm)  # Word reads widths from each cell, not only from the grid
        run = cell.paragraphs[0].add_run(text)
        if bold:
            run.bold = True


def _reporting_units(section: ReportSection) -> set[str]:
    """Every unit named in an item of the section: the units that reported this period."""
    out: set[str] = set()
    for index in section.indices:
        for part, _ in PARTS:
            items = getattr(index, part)
            if items is not None and not items.empty:
                out.update(u for units in items.units for u in (units if units is not None else []))
    return out
