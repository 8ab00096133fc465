"""The «mục riêng» of the periodic administrative-reform (CCHC) report: what the units reported
on the plan for one period (metrics.progress.report_section), as a .docx the office pastes into
its own report.

This module owns the wording and order of that section, written as a real CCHC report is: a
body of a few pages and the detail in an appendix.

- Heading: the plan, the period, the issuing body (a body that no longer exists says until when:
  «UBND huyện Vĩnh Lộc (trước 01/7/2025)»).
- I. Who reported: one count, then each group named once, in one sentence: the units that did
  not report, those that reported only part of what they lead (how much), those that reported
  after the due day.
- II. Per index: the duties led counted by their latest state, and the main results of the
  period, grouped («… (12 cơ quan)»), a few per index.
- III. Obstacles of the period, grouped with counts; IV. proposals drawn from them (fixed
  sentences, ``PROPOSALS``).
- Appendix, A4 landscape, one table: one row per plan item (criterion or section II.1 task) with
  its lead units, their states, its main result and evidence, in short cells.

Evidence is cited by what it is (the document number the unit wrote, or the name of the file it
attached), never by where the file is stored. Reports marked «[Minh họa]» lose the mark here:
every page of such a document says SỐ LIỆU MINH HỌA in its header. The page itself (A4, NĐ
30/2020 margins, Times New Roman, page numbers, the red header line) is
exports/admin_document.py's. Every text from data goes through domain.text.cell_text.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from domain.entities import authority, styled_name
from domain.progress import period, period_text
from domain.text import cell_text, fold, format_number, slug
from domain.vocabulary import INDEX_NAME
from exports import admin_document as nd30
from exports.task_table import NOTICE_RGB
from metrics.progress import NO_REPORT, ReportSection, STATE_LABEL

ILLUSTRATIVE_LINE = ("SỐ LIỆU MINH HỌA — các báo cáo trong mục này là minh họa, không phải báo cáo thật của các "
                     "cơ quan.")
SECTION_TITLES = ("I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", "II. KẾT QUẢ THỰC HIỆN THEO TỪNG CHỈ SỐ",
                  "III. KHÓ KHĂN, VƯỚNG MẮC", "IV. ĐỀ XUẤT, KIẾN NGHỊ")
ALL_REPORTED = "Tất cả các cơ quan được giao chủ trì đã báo cáo đủ."
COUNT_ORDER = ("done", "in_progress", "not_started", "not_possible")  # NO_REPORT is said only when there is one
TOP_RESULTS = 4            # main results shown per index in the body; the rest are counted
TOP_OBSTACLES = 5
NO_RESULTS = "Trong kỳ chưa có cơ quan nào báo cáo hoàn thành tiêu chí, nhiệm vụ của chỉ số này."
NO_OBSTACLES = "Các cơ quan không nêu khó khăn, vướng mắc trong kỳ."
# Proposals drawn from the obstacles: a proposal is made when some obstacle's text (folded) holds
# one of its words. Fixed sentences the office edits, in this order.
PROPOSALS = (
    (("huong dan",), "Đề nghị cơ quan cấp trên sớm ban hành văn bản hướng dẫn đối với các nội dung các cơ quan "
                     "nêu là chưa có hướng dẫn."),
    (("kinh phi", "nguon luc"), "Đề nghị bố trí kinh phí thực hiện các nhiệm vụ cải thiện chỉ số trong dự toán "
                                "của các cơ quan, đơn vị."),
    (("can bo", "nhan luc", "cong chuc"), "Đề nghị bố trí, bồi dưỡng cán bộ theo dõi công tác cải cách hành chính "
                                          "tại các cơ quan, đơn vị còn thiếu."),
    (("cong nghe", "ha tang", "thiet bi", "may"), "Đề nghị đầu tư, nâng cấp hạ tầng công nghệ thông tin, thiết bị "
                                                  "phục vụ giải quyết thủ tục hành chính và chuyển đổi số."),
)
PROPOSAL_OTHER = ("Các cơ quan chủ trì chủ động tháo gỡ khó khăn, vướng mắc trong phạm vi thẩm quyền; nội dung vượt "
                  "thẩm quyền báo cáo cấp có thẩm quyền xem xét, giải quyết.")
PROPOSAL_NOT_POSSIBLE = ("Đối với các tiêu chí, nhiệm vụ không thực hiện được, cơ quan chủ trì rà soát nguyên nhân, "
                         "đề xuất điều chỉnh nội dung hoặc thời gian thực hiện.")
PROPOSAL_REPORTS = ("Đề nghị các cơ quan chưa báo cáo, báo cáo chưa đủ hoàn thành báo cáo để tổng hợp, đánh giá "
                    "đầy đủ kết quả thực hiện kế hoạch.")
NO_PROPOSALS = "Không có đề xuất, kiến nghị."
APPENDIX_TITLE = "KẾT QUẢ THỰC HIỆN TỪNG TIÊU CHÍ, NHIỆM VỤ CỦA KẾ HOẠCH"
APPENDIX_HEADER = ("STT", "Mục", "Tiêu chí, nhiệm vụ (tóm tắt)", "Cơ quan chủ trì", "Tình trạng",
                   "Kết quả, minh chứng")
APPENDIX_WIDTHS_MM = (11, 20, 66, 40, 37, 78)  # 252 mm: A4 landscape inside NĐ 30's margins
APPENDIX_PT = 10
APPENDIX_CELL_MARGIN_MM = 1.2   # left and right, inside each cell (Word's default: 1,9)
NOTICE_PT = 10             # the header line fits on one line of a portrait page
ITEM_LABEL = {"criterion": "Tiêu chí", "task": "Nhiệm vụ"}
NAME_CHARS = 100           # an item's name in the appendix, cut at a word
RESULT_CHARS = 80          # a result in the appendix
MAX_CITED = 2              # more evidence than this is counted, not cited
MAX_UNIT_NAMES = 4         # more lead units than this are counted by kind, not named
COMMUNE_KIND = "commune"
UNIT_SEP = "; "            # unit names hold commas («Trung tâm Văn hóa, Thông tin, …»)
_MARK = re.compile(r"^\s*\[\s*minh\s+h[oọ]a\s*\]\s*", re.IGNORECASE)


def progress_section_docx(section: ReportSection, *, expected_units: int | None = None) -> bytes:
    """The section as .docx bytes. ``expected_units`` (default: the section's ``n_expected``, the
    units that lead something) lets the summary say how many were expected."""
    if expected_units is None:
        expected_units = section.n_expected
    doc = nd30.new_document()
    nd30.add_page_numbers(doc.sections[0])
    if section.is_illustrative:
        nd30.add_notice_header(doc.sections[0], ILLUSTRATIVE_LINE, size=NOTICE_PT)
    _heading(doc, section)
    _intro(doc, section)
    _title(doc, SECTION_TITLES[0])
    _reporting(doc, section, expected_units)
    _title(doc, SECTION_TITLES[1])
    for n, index in enumerate(section.indices, start=1):
        _index(doc, n, index, section)
    _title(doc, SECTION_TITLES[2])
    _obstacles(doc, section)
    _title(doc, SECTION_TITLES[3])
    for line in proposals(section) or [NO_PROPOSALS]:
        nd30.add_paragraph(doc, line)
    if len(section.items):
        _appendix(doc, section)
    return nd30.to_bytes(doc)


def write_progress_section(section: ReportSection, path, expected_units: int | None = None) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise ValueError(f"Không hỗ trợ định dạng tệp “{path.suffix or '(không có phần mở rộng)'}”: "
                         "mục báo cáo kết quả thực hiện kế hoạch chỉ xuất được ra tệp .docx.")
    path.write_bytes(progress_section_docx(section, expected_units=expected_units))
    return path


def download_name(period_code: str, year: int, place: str) -> str:
    """«bao-cao-tien-do-6-thang-2025-xa-vinh-loc.docx»: the file name of the download."""
    return f"{slug('Báo cáo tiến độ', period(period_code).short, year, place)}.docx"


# --- texts ---------------------------------------------------------------------------------

def plain(text: object, illustrative: bool) -> str:
    """Text from data as the document prints it: ``cell_text``, without the «[Minh họa]» mark of
    illustrative data when the whole document says so on every page."""
    text = cell_text(text).strip()
    return _MARK.sub("", text) if illustrative else text


def plan_title(section: ReportSection) -> str:
    """The plan as running text names it: «Kế hoạch nâng cao các chỉ số … giai đoạn 2023–2025»."""
    ctx = section.context
    title = plain(ctx.title, section.is_illustrative) or cell_text(ctx.plan_id)
    return title if fold(title).startswith("ke hoach") else f"Kế hoạch {title}"


def heading_text(section: ReportSection) -> str:
    """«KẾT QUẢ THỰC HIỆN KẾ HOẠCH NÂNG CAO CÁC CHỈ SỐ … GIAI ĐOẠN 2023–2025»."""
    return f"KẾT QUẢ THỰC HIỆN {plan_title(section).upper()}"


def day_text(day: date) -> str:
    """NĐ 30's way of writing a date: a zero before a day under 10 and before months 1 and 2
    («01/7/2025», «10/02/2026»)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day.month <= 2 else f"{day.day:02d}/{day.month}/{day.year}"


def issuer(section: ReportSection) -> str:
    """The body that issued the plan; one that no longer exists says until when («UBND huyện
    Vĩnh Lộc (trước 01/7/2025)»): the document is a report on a former body's plan."""
    ctx = section.context
    name = cell_text(ctx.issuer).strip() or authority(ctx.entity_name, ctx.level)
    return f"{name} (trước {day_text(ctx.end + timedelta(days=1))})" if ctx.ended else name


def summary_text(section: ReportSection, expected_units: int | None = None) -> str:
    missing, partly = len(section.not_reported), len(section.partly_reported)
    if expected_units is not None:
        return (f"Có {expected_units} cơ quan, đơn vị được giao chủ trì phải báo cáo: {expected_units - missing} "
                f"cơ quan đã báo cáo (trong đó {partly} cơ quan báo cáo chưa đủ), {missing} cơ quan chưa báo cáo.")
    return (f"Có {len(_reporting_units(section))} cơ quan, đơn vị gửi báo cáo trong kỳ; {missing} cơ quan được "
            f"giao chủ trì chưa báo cáo, {partly} cơ quan báo cáo chưa đủ.")


def group_sentences(section: ReportSection) -> list[str]:
    """One sentence per group of units (not reported, reported part, reported late), each unit
    named once in its group; [ALL_REPORTED] when nobody is missing."""
    out = []
    if section.not_reported:
        out.append(f"Các cơ quan chưa báo cáo ({len(section.not_reported)} cơ quan): {_names(section.not_reported)}.")
    if section.partly_reported:
        share = section.reported_share
        named = [cell_text(u) + (f" ({share[u][0]}/{share[u][1]})" if u in share else "")
                 for u in section.partly_reported]
        out.append(f"Các cơ quan báo cáo chưa đủ các tiêu chí, nhiệm vụ được giao chủ trì ({len(named)} cơ quan"
                   + ("; số trong ngoặc là số đã báo cáo/số được giao" if share else "")
                   + f"): {UNIT_SEP.join(named)}.")
    if section.late:
        due = f" {day_text(section.due)}" if section.due else ""
        out.append(f"Các cơ quan gửi báo cáo sau hạn{due} ({len(section.late)} cơ quan): {_names(section.late)}.")
    return out or [ALL_REPORTED]


def counts_text(index) -> str:
    """«Kế hoạch có 47 tiêu chí, nhiệm vụ thuộc chỉ số, giao chủ trì 412 lượt cơ quan, đơn vị. Theo
    báo cáo gần nhất đến hết kỳ: hoàn thành 252 (61,2%), đang thực hiện 135, …»."""
    counts = index.counts
    total = sum(counts.values())
    if not total:
        return f"Kế hoạch có {index.n_items} tiêu chí, nhiệm vụ thuộc chỉ số này, chưa giao cơ quan chủ trì."
    parts = [f"{STATE_LABEL[s].lower()} {counts.get(s, 0)}" for s in COUNT_ORDER]
    parts[0] += f" ({format_number(100 * counts.get('done', 0) / total, 1)}%)"
    if counts.get(NO_REPORT):
        parts.append(f"chưa có báo cáo {counts[NO_REPORT]}")
    return (f"Kế hoạch có {index.n_items} tiêu chí, nhiệm vụ thuộc chỉ số này, giao chủ trì {total} lượt cơ quan, "
            f"đơn vị. Theo báo cáo gần nhất của các cơ quan đến hết kỳ: {', '.join(parts)}.")


def proposals(section: ReportSection) -> list[str]:
    """The proposals the obstacles call for (``PROPOSALS``; PROPOSAL_OTHER for an obstacle none of
    them answers), the one for items not possible, and, while the plan runs, the reminder to the
    units that have not reported in full."""
    texts = [fold(t) for t in section.obstacles.text] if len(section.obstacles) else []

    def says(text: str, words) -> bool:
        return any(re.search(rf"\b{w}\b", text) for w in words)

    out = [sentence for words, sentence in PROPOSALS if any(says(t, words) for t in texts)]
    if any(not any(says(t, words) for words, _ in PROPOSALS) for t in texts):
        out.append(PROPOSAL_OTHER)
    if any(i.counts.get("not_possible") for i in section.indices):
        out.append(PROPOSAL_NOT_POSSIBLE)
    if (section.not_reported or section.partly_reported) and not section.context.ended:
        out.append(PROPOSAL_REPORTS)
    return out


def units_cell(units, kinds, level: str | None = None) -> str:
    """The lead units of an item, short: named when few; else the communes counted («13 đơn vị cấp
    xã») and the other units named when few, counted when many («13 cơ quan, đơn vị cấp huyện»)."""
    units = [cell_text(u) for u in _listed(units) if cell_text(u).strip()]
    if len(units) <= MAX_UNIT_NAMES:
        return UNIT_SEP.join(units)
    kinds = _listed(kinds) or [None] * len(units)
    communes = sum(k == COMMUNE_KIND for k in kinds)
    others = [u for u, k in zip(units, kinds) if k != COMMUNE_KIND]
    parts = []
    if others:
        where = " cấp huyện" if level == "district" else ""
        named = communes and len(others) <= 2  # «Phòng Nội vụ; 13 đơn vị cấp xã»
        parts.append(UNIT_SEP.join(others) if named else f"{len(others)} cơ quan, đơn vị{where}")
    if communes:
        parts.append(f"{communes} đơn vị cấp xã")
    return UNIT_SEP.join(parts)


def states_cell(states: dict) -> str:
    """«Hoàn thành» (one unit, or all of them); else «Hoàn thành 20, đang thực hiện 5, chưa báo cáo 2»."""
    states = {s: int(n) for s, n in (states if isinstance(states, dict) else {}).items() if n}
    if not states:
        return ""
    order = [*COUNT_ORDER, NO_REPORT]
    if len(states) == 1:
        (state, n), = states.items()
        return STATE_LABEL[state] + (f" (cả {n} cơ quan)" if n > 1 else "")
    parts = [f"{STATE_LABEL[s].lower()} {states[s]}" for s in order if s in states]
    return _upper_first(", ".join(parts))


def result_cell(results, evidence, illustrative: bool, obstacles=None) -> str:
    """The item's main result (with how many units gave it, when several did), its evidence (cited
    when there are a few, else counted) and its main obstacle (the same)."""
    results, evidence, obstacles = _listed(results), _listed(evidence), _listed(obstacles)
    lines = []
    if results:
        text, n = results[0]
        lines.append(_sentence_end(_clause(_short(plain(text, illustrative), RESULT_CHARS))
                                   + (f" ({n} cơ quan)" if n > 1 else "")))
    cited = [t for t in (plain(e, illustrative) for e in evidence) if t]
    if len(cited) > MAX_CITED:  # one of many would be cited at random: they are counted
        lines.append(f"{len(cited)} văn bản minh chứng.")
    elif cited:
        lines.append(_sentence_end(f"Minh chứng: {'; '.join(cited)}"))
    if obstacles:
        text, n = obstacles[0]
        lines.append(_sentence_end(f"Khó khăn: {_clause(_short(plain(text, illustrative), RESULT_CHARS))}"
                                   + (f" ({n} cơ quan)" if n > 1 else "")))
    return " ".join(lines)


# --- blocks ---------------------------------------------------------------------------------

def _heading(doc, section: ReportSection) -> None:
    nd30.add_centred(doc, heading_text(section), bold=True, size=14)
    when = period_text(section.period, section.year)
    nd30.add_centred(doc, f"Kỳ báo cáo: {when}", bold=True, size=14)
    nd30.add_centred(doc, f"Mục riêng của báo cáo cải cách hành chính {_lower_first(when)} của {issuer(section)}",
                     italic=True)
    if section.is_illustrative:
        _red(nd30.add_centred(doc, ILLUSTRATIVE_LINE, bold=True))
    doc.add_paragraph()


def _intro(doc, section: ReportSection) -> None:
    ctx = section.context
    who = cell_text(ctx.coordinator_name).strip() or "Cơ quan tổng hợp"
    nd30.add_paragraph(doc, f"Thực hiện {plan_title(section)} của "
                            f"{issuer(section)}, {who} tổng hợp báo cáo của các cơ quan, đơn vị về kết quả thực "
                            f"hiện trên địa bàn {cell_text(styled_name(ctx.entity_name, ctx.level))} "
                            f"{_lower_first(period_text(section.period, section.year))} như sau:")


def _reporting(doc, section: ReportSection, expected_units: int | None) -> None:
    nd30.add_paragraph(doc, summary_text(section, expected_units))
    for line in group_sentences(section):
        nd30.add_paragraph(doc, f"- {line}")


def _index(doc, n: int, index, section: ReportSection) -> None:
    _title(doc, f"{n}. {cell_text(INDEX_NAME.get(index.index_code, index.index_code))}")
    nd30.add_paragraph(doc, counts_text(index))
    results = index.results
    if results is None or results.empty:
        nd30.add_paragraph(doc, NO_RESULTS)
        return
    nd30.add_paragraph(doc, "Kết quả chủ yếu trong kỳ:", italic=True).paragraph_format.keep_with_next = True
    _grouped(doc, section, results, TOP_RESULTS, lambda r: f"({r.n_units} cơ quan)",
             "Các kết quả khác: {n} nội dung (chi tiết tại Phụ lục).")


def _obstacles(doc, section: ReportSection) -> None:
    rows = section.obstacles
    if rows is None or rows.empty:
        nd30.add_paragraph(doc, NO_OBSTACLES)
        return
    _grouped(doc, section, rows, TOP_OBSTACLES, lambda r: f"({r.n_units} cơ quan nêu, ở {r.n_items} tiêu chí, nhiệm vụ)",
             "Các khó khăn khác: {n} nội dung.")


def _grouped(doc, section: ReportSection, rows, top: int, count, rest: str) -> None:
    """One «- text (count)» line per grouped text, the first ``top`` of them; the rest counted in
    one line (never «1 other»: one more than ``top`` is shown whole)."""
    shown = rows if len(rows) <= top + 1 else rows.head(top)
    for r in shown.itertuples(index=False):
        nd30.add_paragraph(doc, f"- {_clause(plain(r.text, section.is_illustrative))} {count(r)}.")
    if len(rows) > len(shown):
        nd30.add_paragraph(doc, "- " + rest.format(n=len(rows) - len(shown)))


def _appendix(doc, section: ReportSection) -> None:
    """One landscape section, one table: a band per index, then one row per plan item."""
    nd30.add_landscape_section(doc)
    nd30.add_centred(doc, "Phụ lục", bold=True, size=13)
    nd30.add_centred(doc, APPENDIX_TITLE, bold=True, size=13)
    nd30.add_centred(doc, f"({period_text(section.period, section.year)}; tình trạng theo báo cáo gần nhất của cơ "
                          "quan chủ trì đến hết kỳ)", italic=True, size=12)
    table = _grid(doc, APPENDIX_HEADER, APPENDIX_WIDTHS_MM)
    illustrative, level = section.is_illustrative, section.context.level
    n = 0
    for band, (code, rows) in enumerate(section.items.groupby("index_code", sort=False), start=1):
        _band(table, f"{_roman(band)}. {cell_text(INDEX_NAME.get(code, code)).upper()}")
        for r in rows.itertuples(index=False):
            n += 1
            label = ITEM_LABEL.get(r.item_kind, ITEM_LABEL["criterion"])
            _fill_row(table.add_row(), (
                str(n), f"{label} {cell_text(r.item_code)}", _short(_name(r.item_name), NAME_CHARS),
                units_cell(r.units, r.unit_kinds, level), states_cell(r.states),
                result_cell(r.results, r.evidence, illustrative, r.obstacles)), APPENDIX_WIDTHS_MM)


# --- pieces ---------------------------------------------------------------------------------

def _title(doc, text: str) -> None:
    """A heading of the body (bold, as NĐ 30's), kept on the page of what follows it."""
    nd30.add_paragraph(doc, text, bold=True).paragraph_format.keep_with_next = True


def _listed(value) -> list:
    """A list cell of a frame as a list: a missing one (None, NaN) is empty."""
    return list(value) if isinstance(value, (list, tuple)) else []


def _names(units) -> str:
    return UNIT_SEP.join(t for t in (cell_text(u).strip() for u in units) if t)


def _name(name) -> str:
    return cell_text(name).strip().rstrip(".;:")


def _short(text: str, limit: int) -> str:
    """``text`` of at most ``limit`` characters, cut at a word with «…»."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–")
    return cut + "…"


def _clause(text: str) -> str:
    """``text`` without the full stop (or semicolon) it ends with, to go on after it: «… (3 cơ quan)»."""
    return text.rstrip(" .;")


def _sentence_end(text: str) -> str:
    text = text.rstrip(" .;")
    return text if text.endswith(("!", "?", "…")) else text + "."


def _lower_first(text: str) -> str:
    """«Quý IV/2026» → «quý IV/2026» (str.lower would make the numeral «iv»)."""
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _red(p) -> None:
    from docx.shared import RGBColor

    for run in p.runs:
        run.font.color.rgb = RGBColor.from_string(NOTICE_RGB)


def _grid(doc, header: tuple[str, ...], widths_mm: tuple[float, ...]):
    """A bordered table in APPENDIX_PT whose header row (bold, centred) repeats on every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from docx.shared import Mm

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for column, mm in zip(table.columns, widths_mm):  # the grid: what LibreOffice lays out by
        column.width = Mm(mm)
    _cell_margins(table, APPENDIX_CELL_MARGIN_MM)
    row = table.rows[0]
    _fill_row(row, header, widths_mm, bold=True)
    for cell in row.cells:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)
    return table


def _cell_margins(table, mm: float) -> None:
    """The left and right margin of every cell of ``table`` (the table's default)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(round(mm * 1440 / 25.4)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription",
                                           "w:tblPrChange")


def _band(table, text: str) -> None:
    """A full-width row naming the index the rows under it belong to."""
    row = table.add_row()
    _keep_whole(row)
    _write(row.cells[0].merge(row.cells[-1]), text, bold=True)


def _fill_row(row, texts, widths_mm, *, bold: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    _keep_whole(row)
    for cell, text, mm in zip(row.cells, texts, widths_mm):
        cell.width = Mm(mm)  # Word reads widths from each cell, not only from the grid
        _write(cell, text, bold=bold)
    row.cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER  # STT


def _write(cell, text: str, *, bold: bool = False) -> None:
    """``text`` in the cell's paragraph, in the appendix's compact type: APPENDIX_PT, single
    spacing, nothing before or after."""
    from docx.shared import Pt

    p = cell.paragraphs[0]
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    run = p.add_run(text)
    run.font.size = Pt(APPENDIX_PT)
    run.bold = bold or None


def _keep_whole(row) -> None:
    """A row never splits across pages: a reader finds an item on one page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.insert(0, OxmlElement("w:cantSplit"))


def _reporting_units(section: ReportSection) -> set[str]:
    """Every unit named in an item of the section: the units that reported this period."""
    out: set[str] = set()
    for index in section.indices:
        for part in ("done", "in_progress", "not_done"):
            items = getattr(index, part)
            if items is not None and not items.empty:
                out.update(u for units in items.units for u in (units if units is not None else []))
    return out
