"""The briefing slide deck (.pptx) officials present from.

This module owns the deck's slides and their layout: a title slide, one slide per index
with native PowerPoint charts of points and rank over the years, the most urgent criteria
that are declining or low-ranked (the first ``TOP_FOCUS`` of the focus list, which is
ordered by urgency), next year's focus table for them (points needed to climb), a slide
naming the sources, and after it, as backup slides for questions, the appendix with the
rest of the focus list and their lead units. It owns nothing numeric: every figure comes
from a ``exports.briefing.Briefing``, so the deck shows exactly the dashboard's numbers, and
decimal commas come from ``exports.briefing.vn``. When the briefing rests on illustrative
data, every slide carries ``ILLUSTRATIVE_MARK`` in red in its footer.

Charts are native (``add_chart``) rather than pictures so that an official can restyle
them or read the underlying numbers in PowerPoint; their series hold the Briefing's
values unrounded, and only the display formats round.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from domain.vocabulary import short_label
from exports.briefing import APPENDIX_TITLE, ILLUSTRATIVE_MARK, ILLUSTRATIVE_NOTICE, TOP_FOCUS, Briefing, vn
from exports.report import RANK_COMPUTED

DECK_TITLE = "Kết quả các chỉ số quản trị và hành chính công"
INDEX_TITLE = "{label}: điểm và thứ hạng qua các năm"
WEAK_TITLE = "Tiêu chí đang giảm hoặc xếp hạng thấp"
CONTINUED = " (tiếp)"
FOCUS_TITLE = "Trọng tâm năm {year}: điểm cần để lên hạng"
SOURCES_TITLE = "Nguồn số liệu"
ILLUSTRATIVE_FOOTER = ILLUSTRATIVE_MARK
ILLUSTRATIVE_BADGE = "SỐ LIỆU MINH HỌA"
NO_LEAD = "— chưa giao —"
IMPOSSIBLE = "không thể"
UNIT_SEP = "; "

WEAK_HEADER = ("Chỉ số", "Mã", "Tiêu chí", "Lý do", "Cơ quan chủ trì")
FOCUS_HEADER = ("Chỉ số", "Mã", "Tiêu chí", "Điểm hiện tại", "Có thể lấy lại", "Để lên 1 hạng",
                "Vào nhóm 1/3 đầu")
WEAK_ROWS_PER_SLIDE = 12
FOCUS_ROWS = TOP_FOCUS

# Arial ships with every Office install and carries the full Vietnamese repertoire
# (precomposed letters with stacked diacritics such as ễ, ặ); theme fonts may not.
FONT = "Arial"
RED = RGBColor(0xC0, 0x00, 0x00)
GREY = RGBColor(0x59, 0x59, 0x59)
TABLE_PT = 11

# 16:9 at PowerPoint's default widescreen size.
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_W = SLIDE_W - 2 * MARGIN
TITLE_TOP, TITLE_H = Inches(0.3), Inches(0.85)
BODY_TOP = Inches(1.3)
FOOTER_TOP = Inches(7.0)
BODY_BOTTOM = Inches(6.9)
NOTE_TOP = Inches(6.55)     # the grey note under a table

WEAK_COL_IN = (1.1, 0.8, 3.4, 4.0, 3.033)
FOCUS_COL_IN = (1.1, 0.8, 4.733, 1.3, 1.4, 1.5, 1.5)

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- text helpers ----------------------------------------------------------------------

def _clean(text) -> str:
    """Text as written into the deck: NFC (one code point per Vietnamese letter, so the
    glyph comes from the font instead of being stacked from combining marks, which some
    viewers misplace) and without the control characters XML forbids."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _XML_ILLEGAL.sub("", unicodedata.normalize("NFC", str(text)))


def _style_run(run, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    f = run.font
    f.name = FONT
    f.size = Pt(size)
    f.bold = bold
    # Tagging runs as Vietnamese makes PowerPoint's spelling check and font fallback
    # treat the text as Vietnamese rather than as misspelt English.
    f.language_id = MSO_LANGUAGE_ID.VIETNAMESE
    if color is not None:
        f.color.rgb = color


def _write(text_frame, lines, size: float, bold: bool = False, color: RGBColor | None = None,
           align=None) -> None:
    """Replace the frame's text with ``lines`` (a string or a list: one paragraph each)."""
    if isinstance(lines, str):
        lines = [lines]
    text_frame.clear()
    for i, line in enumerate(lines):
        p = text_frame.paragraphs[0] if i == 0 else text_frame.add_paragraph()
        if align is not None:
            p.alignment = align
        run = p.add_run()
        run.text = _clean(line)
        _style_run(run, size, bold, color)


def _listify(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [_clean(v) for v in value if v is not None and _clean(v)]


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


# --- slide scaffolding -----------------------------------------------------------------

class _Deck:
    def __init__(self, b: Briefing):
        self.b = b
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = SLIDE_W, SLIDE_H
        cp = self.prs.core_properties
        cp.title = _clean(f"{DECK_TITLE} — {b.entity_name} — {b.year}")
        cp.language = "vi-VN"
        self.labels = {i.index_code: short_label(i.index_code) for i in b.indices}

    def slide(self, title: str, layout: int = 5):
        s = self.prs.slides.add_slide(self.prs.slide_layouts[layout])
        if self.b.is_illustrative:
            self.footer(s)
        # The default template's placeholders are laid out for 4:3; placing them per
        # slide keeps titles real title placeholders (outline view, accessibility).
        t = s.shapes.title
        t.left, t.top, t.width, t.height = MARGIN, TITLE_TOP, CONTENT_W, TITLE_H
        t.text_frame.word_wrap = True
        t.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        _write(t.text_frame, title, 28, bold=True, align=PP_ALIGN.LEFT)
        return s

    def textbox(self, slide, left, top, width, height, lines, size, bold=False, color=None, align=None):
        tb = slide.shapes.add_textbox(left, top, width, height)
        tb.text_frame.word_wrap = True
        _write(tb.text_frame, lines, size, bold, color, align)
        return tb

    def footer(self, slide) -> None:
        """The illustrative mark, on every slide of a deck that rests on illustrative data:
        a slide shown or printed on its own still says so."""
        self.textbox(slide, MARGIN, FOOTER_TOP, CONTENT_W, Inches(0.35), ILLUSTRATIVE_FOOTER, 10, bold=True,
                     color=RED)

    def table(self, slide, header, rows, col_in, top=BODY_TOP):
        shape = slide.shapes.add_table(len(rows) + 1, len(header), MARGIN, top, CONTENT_W,
                                       Inches(0.3) * (len(rows) + 1))
        tbl = shape.table
        for j, w in enumerate(col_in):
            tbl.columns[j].width = Inches(w)
        for i, values in enumerate([header, *rows]):
            # Rows start minimal; PowerPoint grows each to fit its wrapped text.
            tbl.rows[i].height = Inches(0.3)
            for j, value in enumerate(values):
                cell = tbl.cell(i, j)
                cell.margin_left = cell.margin_right = Inches(0.05)
                cell.margin_top = cell.margin_bottom = Inches(0.03)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE if i == 0 else MSO_ANCHOR.TOP
                cell.text_frame.word_wrap = True
                _write(cell.text_frame, value, TABLE_PT, bold=(i == 0))
        return shape


# --- slides ----------------------------------------------------------------------------

def _title_slide(d: _Deck) -> None:
    b = d.b
    s = d.prs.slides.add_slide(d.prs.slide_layouts[0])
    t, sub = s.shapes.title, s.placeholders[1]
    t.left, t.top, t.width, t.height = Inches(0.8), Inches(1.8), SLIDE_W - Inches(1.6), Inches(1.7)
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.7), SLIDE_W - Inches(1.6), Inches(1.6)
    _write(t.text_frame, DECK_TITLE, 38, bold=True)
    _write(sub.text_frame, [f"{b.entity_name} — năm đánh giá {b.year}",
                            f"Ngày lập: {b.generated.strftime('%d/%m/%Y')}"], 22, color=GREY)
    if b.is_illustrative:
        d.footer(s)


def _rank_axis_max(trend: pd.DataFrame) -> int:
    vals = [v for v in (*trend["rank"].tolist(), *trend["n_ranked"].tolist()) if _int(v) is not None]
    return max([int(v) for v in vals] + [2])


def _major_unit(span: int) -> int:
    # Keep the rank axis to at most ~8 gridlines whatever the number of peers (27 or 63).
    for unit in (1, 2, 5, 10, 20, 50):
        if span / unit <= 8:
            return unit
    return 100


def _index_slide(d: _Deck, it) -> None:
    label = d.labels[it.index_code]
    s = d.slide(INDEX_TITLE.format(label=label))
    d.textbox(s, MARGIN, Inches(1.1), CONTENT_W, Inches(0.4), it.name, 16, color=GREY)

    tr = it.trend
    years = [str(int(y)) for y in tr.year]
    points = [_num(v) for v in tr.points]
    ranks = [_int(v) for v in tr["rank"]]
    few = len(years) <= 10      # label every point only while labels do not collide

    chart_top, chart_h, gap = Inches(1.55), Inches(4.3), Inches(0.3)
    chart_w = Emu(int((CONTENT_W - gap) / 2))

    cd = CategoryChartData(number_format="0.00")
    cd.categories = years
    cd.add_series("Điểm", points)
    pc = s.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, chart_top, chart_w, chart_h, cd).chart
    _chart_common(pc, "Điểm")
    va = pc.value_axis
    va.minimum_scale = 0        # columns must start at zero or small differences look huge
    va.tick_labels.number_format, va.tick_labels.number_format_is_linked = "0", False
    if few:
        _data_labels(pc, "0.00", XL_LABEL_POSITION.OUTSIDE_END)

    rd = CategoryChartData(number_format="0")
    rd.categories = years
    rd.add_series("Thứ hạng", ranks)
    rc = s.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, MARGIN + chart_w + gap, chart_top, chart_w, chart_h,
                            rd).chart
    _chart_common(rc, "Thứ hạng (1 = cao nhất)")
    va = rc.value_axis
    va.reverse_order = True     # rank 1 is best, so it belongs at the top
    top = _rank_axis_max(tr)
    va.minimum_scale, va.maximum_scale = 1, top
    va.major_unit = _major_unit(top - 1)
    va.tick_labels.number_format, va.tick_labels.number_format_is_linked = "0", False
    # With the axis reversed the year axis would cross at rank 1, i.e. at the top; make
    # it cross at the largest rank so the years stay under the plot.
    va.crosses = XL_AXIS_CROSSES.MAXIMUM
    rc.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.NEXT_TO_AXIS
    if few:
        _data_labels(rc, "0", XL_LABEL_POSITION.ABOVE)

    d.textbox(s, MARGIN, Inches(5.95), CONTENT_W, Inches(0.5), _summary(it), 16, bold=True)
    if it.is_illustrative:
        d.textbox(s, MARGIN, Inches(6.45), CONTENT_W, Inches(0.45), ILLUSTRATIVE_BADGE, 14, bold=True, color=RED)


def _data_labels(chart, number_format: str, position) -> None:
    """Values on the points: only for short series, where they do not collide."""
    plot = chart.plots[0]
    plot.has_data_labels = True
    dl = plot.data_labels
    dl.number_format, dl.number_format_is_linked = number_format, False
    dl.position = position
    dl.font.size, dl.font.name = Pt(10), FONT


def _chart_common(chart, title: str) -> None:
    chart.has_legend = False
    chart.font.name, chart.font.size = FONT, Pt(11)
    chart.has_title = True
    tf = chart.chart_title.text_frame
    _write(tf, title, 13, bold=True)
    chart.value_axis.has_major_gridlines = True


def _summary(it) -> str:
    parts = [f"Năm {it.latest_year}: {vn(it.latest_points)} điểm"]
    if it.latest_rank is None:
        parts.append("chưa có thứ hạng")
    else:
        rank = f"hạng {it.latest_rank}" + (f"/{it.latest_n}" if it.latest_n is not None else "")
        parts.append(rank + (RANK_COMPUTED if it.rank_computed else ""))
    prev = [int(y) for y, p in zip(it.trend.year, it.trend.points) if int(y) < it.latest_year and not pd.isna(p)]
    if it.change_points is not None and not pd.isna(it.change_points) and prev:
        c = float(it.change_points)
        since = f"so với năm {prev[-1]}"
        if round(c, 2) == 0:
            parts.append(f"không đổi {since}")
        else:
            parts.append(f"{'tăng' if c > 0 else 'giảm'} {vn(abs(c))} điểm {since}")
    return " · ".join(parts)


def _weak_row(d: _Deck, r) -> tuple[str, ...]:
    lead = _listify(r.lead_units)
    return (d.labels.get(r.index_code, _clean(r.index_code)), _clean(r.criterion_code), _clean(r.criterion_name),
            UNIT_SEP.join(_listify(r.reasons)), UNIT_SEP.join(lead) if lead else NO_LEAD)


def _row_lines(row, col_in) -> int:
    """Lines a row wraps to at TABLE_PT in Arial: its tallest cell. An estimate (about
    half an em per character) so that long reasons push rows onto the next slide
    instead of off the bottom of this one."""
    char_in = TABLE_PT * 0.5 / 72
    return max(max(1, math.ceil(len(text) * char_in / (w - 0.1))) for text, w in zip(row, col_in))


def _pages(rows, col_in, max_rows: int, height_in: float) -> list[list]:
    line_in, pad_in = TABLE_PT * 1.2 / 72, 0.08
    pages, page, used = [], [], 2 * (line_in + pad_in)      # header (may wrap to two lines)
    for row in rows:
        h = _row_lines(row, col_in) * line_in + pad_in
        if page and (len(page) >= max_rows or used + h > height_in):
            pages.append(page)
            page, used = [], 2 * (line_in + pad_in)
        page.append(row)
        used += h
    if page:
        pages.append(page)
    return pages


def _table_slides(d: _Deck, title: str, w: pd.DataFrame, note: str | None = None) -> None:
    """``w``'s rows in the weak-criteria table, continued over as many slides as they need;
    ``note`` in grey under the table of every slide."""
    rows = [_weak_row(d, r) for r in w.itertuples(index=False)]
    height = Emu((NOTE_TOP if note else BODY_BOTTOM) - BODY_TOP).inches
    for n, page in enumerate(_pages(rows, WEAK_COL_IN, WEAK_ROWS_PER_SLIDE, height)):
        s = d.slide(title + (CONTINUED if n else ""))
        d.table(s, WEAK_HEADER, page, WEAK_COL_IN)
        if note:
            d.textbox(s, MARGIN, NOTE_TOP, CONTENT_W, Inches(0.4), note, 10, color=GREY)


def _rest_note(d: _Deck) -> str | None:
    n = len(d.b.weak)
    if n <= TOP_FOCUS:
        return None
    return (f"{TOP_FOCUS}/{n} tiêu chí cấp bách nhất; {n - TOP_FOCUS} tiêu chí còn lại ở phần "
            f"«{APPENDIX_TITLE}», sau trang nguồn số liệu.")


def _weak_slides(d: _Deck) -> None:
    w = d.b.weak
    if w.empty:
        s = d.slide(WEAK_TITLE)
        d.textbox(s, MARGIN, BODY_TOP, CONTENT_W, Inches(0.6),
                  f"Năm {d.b.year} không có tiêu chí nào đang giảm hoặc xếp hạng thấp.", 18)
        return
    _table_slides(d, WEAK_TITLE, w.head(TOP_FOCUS), _rest_note(d))


def _appendix_slides(d: _Deck) -> None:
    """The rest of the focus list, after the sources: backup slides for questions."""
    rest = d.b.weak.iloc[TOP_FOCUS:]
    if rest.empty:
        return
    _table_slides(d, APPENDIX_TITLE, rest,
                  f"Tiêu chí thứ {TOP_FOCUS + 1} đến {len(d.b.weak)} của danh sách trọng tâm, "
                  "theo thứ tự cấp bách.")


def _climb_cell(value, possible) -> str:
    # NaN means the metric could not be computed (e.g. peers' criterion scores missing):
    # a dash, not a verdict. "không thể" is the verdict that the maximum forbids it.
    if value is None or pd.isna(value):
        return "—"
    return vn(float(value)) if bool(possible) else IMPOSSIBLE


def _focus_rows(d: _Deck) -> list[tuple[str, ...]]:
    w, c = d.b.weak.head(FOCUS_ROWS), d.b.climb.head(FOCUS_ROWS)
    rows = []
    for r, m in zip(w.itertuples(index=False), c.itertuples(index=False)):
        rows.append((d.labels.get(r.index_code, _clean(r.index_code)), _clean(r.criterion_code),
                     _clean(r.criterion_name), vn(_num(r.points)), vn(_num(r.points_recoverable)),
                     _climb_cell(m.points_to_next_rank, m.next_rank_possible),
                     _climb_cell(m.points_to_top, m.top_possible)))
    return rows


def _focus_slide(d: _Deck) -> None:
    b = d.b
    s = d.slide(FOCUS_TITLE.format(year=b.plan_year))
    if b.weak.empty:
        d.textbox(s, MARGIN, BODY_TOP, CONTENT_W, Inches(0.6),
                  f"Năm {b.year} không có tiêu chí nào cần ưu tiên.", 18)
        return
    d.table(s, FOCUS_HEADER, _focus_rows(d), FOCUS_COL_IN, top=Inches(1.2))
    note = ("Điểm cần thêm ở riêng tiêu chí đó, giữ nguyên điểm các đơn vị khác; «không thể»: cần nhiều hơn "
            "số điểm còn có thể lấy lại; «—»: chưa đủ số liệu để tính.")
    if len(b.weak) > FOCUS_ROWS:
        note = f"{FOCUS_ROWS}/{len(b.weak)} tiêu chí cấp bách nhất (còn lại ở phần Phụ lục). " + note
    d.textbox(s, MARGIN, NOTE_TOP, CONTENT_W, Inches(0.45), note, 10, color=GREY)


def _sources_slide(d: _Deck) -> None:
    b = d.b
    s = d.slide(SOURCES_TITLE, layout=1)
    body = s.placeholders[1]
    notice_h = Inches(1.0) if b.is_illustrative else 0
    body.left, body.top, body.width = MARGIN, BODY_TOP, CONTENT_W
    body.height = BODY_BOTTOM - BODY_TOP - notice_h
    items = [*(f"Tệp số liệu: {src}" for src in b.sources), f"Kế hoạch: {b.plan_title}", *b.notes,
             f"Ngày lập: {b.generated.strftime('%d/%m/%Y')}"]
    _write(body.text_frame, items, 16)
    if b.is_illustrative:
        d.textbox(s, MARGIN, BODY_BOTTOM - notice_h, CONTENT_W, notice_h, ILLUSTRATIVE_NOTICE, 16,
                  bold=True, color=RED)


# --- API -------------------------------------------------------------------------------

def build_deck(b: Briefing) -> bytes:
    """The briefing deck for ``b`` as .pptx bytes."""
    d = _Deck(b)
    _title_slide(d)
    for it in b.indices:
        _index_slide(d, it)
    _weak_slides(d)
    _focus_slide(d)
    _sources_slide(d)
    _appendix_slides(d)
    out = io.BytesIO()
    d.prs.save(out)
    return out.getvalue()


def write_deck(b: Briefing, path) -> Path:
    """Write the deck for ``b`` to ``path``; returns the path."""
    path = Path(path)
    path.write_bytes(build_deck(b))
    return path
