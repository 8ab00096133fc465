"""The province's one-page summary (Sở Nội vụ): how the communes stand with their index plans in
one reporting period (metrics.province.ProvinceView), as a .docx that fits one A4 page.

This module owns the wording and the order:

- the header of an administrative document (exports/admin_document.py, NĐ 30/2020): «UBND TỈNH
  THANH HÓA / SỞ NỘI VỤ», «Số: …/BC-SNV», «Thanh Hóa, ngày 07 tháng 12 năm 2026»; «BÁO CÁO» and
  its trích yếu;
- 1. plans: how many communes have a plan for the year, how many of them adopted;
- 2. reporting for the period: communes whose units reported in full, in part, not at all, with
  the communes that did not report named (compact: a long list ends «và N xã, phường khác»);
- 3. overdue duties: the total and a small table of the ten communes with the most;
- 4. ranks: per index, the communes whose rank fell in the latest assessed year, largest fall
  first (capped the same way), or why there is nothing to compare;
- the closing (Nơi nhận, signature).

Every list is capped by characters and rows, so the page holds for 166 communes in any state
(tests/test_province_view.py renders the worst case with LibreOffice). When any figure rests on
illustrative data, every page header says so and the rank lines say «minh họa». Text from data
goes through domain.text.cell_text.
"""
from __future__ import annotations

from datetime import date

from domain.entities import authority
from domain.progress import period, period_text
from domain.text import cell_text, format_number, slug
from domain.vocabulary import INDEX_LABEL
from exports import admin_document as nd30
from exports.progress_report import day_text
from exports.task_table import NOTICE_RGB, xml_text
from metrics.province import ProvinceView
from exports.progress_report import _cell_margins  # one copy of the table-margin XML

ISSUER = "Sở Nội vụ"
NUMBER = "…/BC-SNV"
KIND = "BÁO CÁO"
ILLUSTRATIVE_LINE = "SỐ LIỆU MINH HỌA — văn bản có số liệu minh họa, không phải số liệu thật."
SECTION_TITLES = ("1. Kế hoạch năm {year} của các xã, phường", "2. Tình hình báo cáo {when}",
                  "3. Nhiệm vụ quá hạn", "4. Xã, phường tụt hạng")
RECIPIENTS = ("UBND tỉnh (để báo cáo)", "UBND các xã, phường")
SIGNER = ("GIÁM ĐỐC",)
KEPT_BY = "VT, CCHC"
TEXT_PT = 12            # the body of this one page (NĐ 30's 13–14 pt is for documents of several pages)
TABLE_PT = 11
NOTICE_PT = 10
TOP_OVERDUE = 10        # communes in the overdue table
NAMES_CHARS = 260       # the communes not reported, then those in part: about three lines at TEXT_PT in all
PARTLY_MIN_CHARS = 100  # what must be left of NAMES_CHARS to name the communes that reported in part
FALLEN_NAMED = 6        # communes named whose rank fell, shared among the indices
TABLE_HEADER = ("STT", "Xã, phường", "Quá hạn")   # twice across: ten communes in five rows
TABLE_WIDTHS_MM = (10, 54.5, 18)   # × 2 = 165 mm: A4 portrait inside NĐ 30's margins
TABLE_CELL_MARGIN_MM = 1.0
PAGE_NOTE = "danh sách đủ ở trang «Toàn tỉnh»"


def summary_docx(view: ProvinceView) -> bytes:
    """The one-page summary as .docx bytes, dated ``view.on``."""
    doc = nd30.new_document()
    section = doc.sections[0]
    if view.illustrative:
        nd30.add_notice_header(section, ILLUSTRATIVE_LINE, size=NOTICE_PT)
    _header(doc, view)
    _text(doc, intro(view))
    _title(doc, SECTION_TITLES[0].format(year=view.year))
    _text(doc, plans_text(view))
    _title(doc, SECTION_TITLES[1].format(when=_lower_first(period_text(view.period, view.year))))
    for line in reporting_lines(view):
        _text(doc, line)
    _title(doc, SECTION_TITLES[2])
    _text(doc, overdue_text(view))
    top = view.most_overdue(TOP_OVERDUE)
    if len(top):
        _overdue_table(doc, top)
    _title(doc, ranks_title(view))
    for line in rank_lines(view):
        _text(doc, line)
    _closing(doc)
    return nd30.to_bytes(doc)


def download_name(period_code: str, year: int) -> str:
    """«tong-hop-toan-tinh-nam-2026.docx», «tong-hop-toan-tinh-quy-iii-2026.docx»."""
    return f"{slug('Tổng hợp toàn tỉnh', period(period_code).short, year)}.docx"


# --- texts ---------------------------------------------------------------------------------

def date_words(day: date) -> tuple[str, str]:
    """(day, month) as NĐ 30 writes them in «ngày … tháng …»: a zero before a day under 10 and
    before months 1 and 2 («ngày 07 tháng 12», «ngày 05 tháng 02»)."""
    return f"{day.day:02d}", f"{day.month:02d}" if day.month <= 2 else str(day.month)


def trich_yeu(view: ProvinceView) -> str:
    return (f"Tổng hợp tình hình thực hiện kế hoạch nâng cao các chỉ số của các xã, phường "
            f"{_lower_first(period_text(view.period, view.year))}")


def intro(view: ProvinceView) -> str:
    return (f"{ISSUER} tổng hợp tình hình của {view.counts.communes} xã, phường thuộc tỉnh "
            f"{cell_text(view.province_name)} đến ngày {day_text(view.on)} (kỳ báo cáo "
            f"{_lower_first(period_text(view.period, view.year))}, hạn gửi báo cáo {day_text(view.due)}):")


def plans_text(view: ProvinceView) -> str:
    c = view.counts
    without = c.communes - c.with_plan
    text = f"Có {c.with_plan}/{c.communes} xã, phường có kế hoạch năm {view.year} trong hệ thống"
    if c.with_plan:
        parts = [f"đã ban hành {c.adopted}"] \
            + ([f"chưa ghi số và ngày ban hành {c.with_plan - c.adopted}"] if c.with_plan > c.adopted else []) \
            + ([f"kế hoạch minh họa {c.plans_illustrative}"] if c.plans_illustrative else [])
        text += f" ({', '.join(parts)})"
    text += f"; {without} xã, phường chưa có kế hoạch." if without else "."
    return text


def reporting_lines(view: ProvinceView) -> list[str]:
    """The counts, then the communes that did not report, named; then those that reported in
    part, named in what is left of NAMES_CHARS (else counted)."""
    c = view.counts
    if not c.with_plan:
        return ["Chưa có xã, phường nào có kế hoạch để báo cáo."]
    expected = c.full + c.partial + c.none
    lines = [f"Trong {expected} xã, phường có kế hoạch giao cơ quan chủ trì: đã báo cáo đủ {c.full}, báo cáo một "
             f"phần {c.partial}, chưa có cơ quan nào báo cáo {c.none}."]
    not_reported, partly = view.not_reported(), view.partly_reported()
    if not_reported:
        lines.append(f"- Chưa báo cáo ({len(not_reported)}): {names_text(not_reported)}.")
    left = NAMES_CHARS - (len(names_text(not_reported)) if not_reported else 0)
    if partly:  # named in what the list above left, else counted
        named = names_text(partly, left) if left >= PARTLY_MIN_CHARS else f"{PAGE_NOTE}"
        lines.append(f"- Báo cáo một phần ({len(partly)}): {named}.")
    return lines


def overdue_text(view: ProvinceView) -> str:
    c = view.counts
    if not c.overdue:
        return (f"Đến ngày {day_text(view.on)}, không có nhiệm vụ nào quá hạn theo «Thời gian thực hiện» của kế "
                "hoạch (nhiệm vụ «Thường xuyên» không có hạn riêng).")
    shown = min(TOP_OVERDUE, c.communes_overdue)
    return (f"Đến ngày {day_text(view.on)}, có {format_number(c.overdue, 0)} nhiệm vụ, tiêu chí chủ trì đã quá hạn mà chưa báo cáo "
            f"«Hoàn thành», ở {c.communes_overdue} xã, phường"
            + (f"; {shown} xã, phường có nhiều nhiệm vụ quá hạn nhất:" if shown < c.communes_overdue else ":"))


def rank_lines(view: ProvinceView) -> list[str]:
    """Per index of the latest assessed year: how many communes' rank fell and the largest falls
    (FALLEN_NAMED in all, shared among the indices), or that none did; when no commune has a
    rank of the year before, why."""
    years = view.rank_years
    if not years or not view.compared():
        return [view.rank_note()]
    fallen = view.fallen()
    per_index = max(1, FALLEN_NAMED // max(1, fallen.index_code.nunique()))
    lines, cut = [], False
    for code, year in years.items():
        mine = fallen[fallen.index_code == code]
        label = f"{INDEX_LABEL.get(code, code)} năm {year}"
        if mine.empty:
            lines.append(f"- {label}: không có xã, phường nào tụt hạng.")
            continue
        named = "; ".join(f"{cell_text(r.entity_name)} ({_fall(r)})" for r in mine.head(per_index).itertuples())
        more = len(mine) > per_index
        cut = cut or more
        lines.append(f"- {label}: {len(mine)} xã, phường" + (f", nhiều nhất {named}." if more else f": {named}."))
    if cut:
        lines[-1] = lines[-1][:-1] + f" ({PAGE_NOTE})."
    return lines


def ranks_title(view: ProvinceView) -> str:
    """«4. Xã, phường tụt hạng (minh họa; trong ngoặc: hạng năm trước → năm nay)»."""
    notes = (["minh họa"] if view.ranks_illustrative and view.compared() else []) \
        + (["trong ngoặc: hạng năm trước → năm nay"] if view.compared() else [])
    return SECTION_TITLES[3] + (f" ({'; '.join(notes)})" if notes else "")


def names_text(names: list[str], limit: int = NAMES_CHARS) -> str:
    """Commune names joined by commas, up to about ``limit`` characters, the rest counted: «…,
    Xã Yên Định và 141 xã, phường khác (danh sách đầy đủ trên trang «Toàn tỉnh» …)»; only the
    count when not even one name fits."""
    names = [cell_text(n).strip() for n in names if cell_text(n).strip()]
    shown: list[str] = []
    for n in names:
        if len(", ".join([*shown, n])) > limit:
            break
        shown.append(n)
    rest = len(names) - len(shown)
    if not shown:
        return f"{len(names)} xã, phường ({PAGE_NOTE})"
    return ", ".join(shown) + (f" và {rest} xã, phường khác ({PAGE_NOTE})" if rest else "")


def _fall(r) -> str:
    """«12 → 17»: the rank the year before, then this year's (among how many: the page says)."""
    return f"{int(r.prev_rank)} → {int(r.rank)}"


def _lower_first(text: str) -> str:
    """«Năm 2026» → «năm 2026», «Quý IV/2026» → «quý IV/2026» (not str.lower: «iv»)."""
    return text[:1].lower() + text[1:]


# --- blocks ---------------------------------------------------------------------------------

def _header(doc, view: ProvinceView) -> None:
    from docx.shared import Pt

    day, month = date_words(view.on)
    nd30.add_header_block(doc, parent=authority(view.province_name, "province"), issuer=ISSUER, number=NUMBER,
                          place=cell_text(view.province_name), year=view.on.year, day=day, month=month)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(0)
    nd30.add_title(doc, KIND, trich_yeu(view))
    spacer = doc.paragraphs[-1]
    if view.illustrative:  # in place of add_title's blank line
        spacer.paragraph_format.space_after = Pt(6)
        spacer.alignment = 1  # centred
        run = spacer.add_run(ILLUSTRATIVE_LINE)
        run.bold, run.font.size = True, Pt(NOTICE_PT)
        _red(spacer)


def _title(doc, text: str) -> None:
    p = _text(doc, text, bold=True, indent=True)
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_before = _pt(3)


def _text(doc, text: str, *, bold: bool = False, indent: bool = True):
    """A body paragraph in TEXT_PT: justified, first line indented (NĐ 30), 3 pt after."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        p.paragraph_format.first_line_indent = Cm(nd30.INDENT_CM)
    p.paragraph_format.space_after = _pt(2)
    p.paragraph_format.line_spacing = 1.0
    run = p.add_run(xml_text(text))  # text from data was cleaned by cell_text where it was put in
    run.font.size = _pt(TEXT_PT)
    run.bold = bold or None
    return p


def _overdue_table(doc, top) -> None:
    """The communes with the most overdue duties, two to a row when there are more than five
    (1–5 on the left, 6–10 on the right: ten take five rows), else one block, centred."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    blocks = 2 if len(top) > TOP_OVERDUE // 2 else 1
    half = -(-len(top) // blocks)
    cells = [(str(i), cell_text(r.entity_name), str(int(r.overdue))) for i, r in enumerate(top.itertuples(), start=1)]
    cells += [("", "", "")] * (blocks * half - len(cells))
    table = doc.add_table(rows=1 + half, cols=blocks * len(TABLE_HEADER))
    table.style = "Table Grid"
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_margins(table, TABLE_CELL_MARGIN_MM)
    widths = TABLE_WIDTHS_MM * blocks
    for column, mm in zip(table.columns, widths):
        column.width = Mm(mm)
    for k, row in enumerate(table.rows):
        texts = TABLE_HEADER * blocks if k == 0 else sum((cells[b * half + k - 1] for b in range(blocks)), ())
        for j, (cell, text, mm) in enumerate(zip(row.cells, texts, widths)):
            cell.width = Mm(mm)
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = p.paragraph_format.space_before = _pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if j % 3 == 1 and k else WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.font.size = _pt(TABLE_PT)
            run.bold = (k == 0) or None
    _gap(doc, 3)


def _closing(doc) -> None:
    _gap(doc, 8)
    nd30.add_closing(doc, list(RECIPIENTS), signer=SIGNER, kept_by=KEPT_BY)


def _gap(doc, pt: float) -> None:
    """An empty paragraph exactly ``pt`` points high (an empty paragraph is otherwise as high as
    the body's type, whatever its run says)."""
    from docx.enum.text import WD_LINE_SPACING

    p = doc.add_paragraph()
    p.paragraph_format.space_before = p.paragraph_format.space_after = _pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = _pt(pt)


def _red(p) -> None:
    from docx.shared import RGBColor

    for run in p.runs:
        run.font.color.rgb = RGBColor.from_string(NOTICE_RGB)


def _pt(size: float):
    from docx.shared import Pt

    return Pt(size)
