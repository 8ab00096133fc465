"""Printable A4 report ("Báo cáo kết quả các chỉ số quản trị và hành chính công") as one
self-contained HTML file.

This module owns the report's layout and its print CSS: the cover block, the
illustrative-data notice, one printed page per index (summary line and two charts:
points per year, rank per year), the "Trọng tâm năm …" page with the ``TOP_FOCUS`` most
urgent criteria and the sources list, the appendix page with the rest of the focus list,
and the charts as inline SVG images (drawn by ``exports.svg_chart``, no browser). When
illustrative data was used, every ``section.page`` opens with ``ILLUSTRATIVE_MARK`` and the
print CSS repeats it in the top margin of every printed page (a table that runs over
several pages included). It computes no numbers: everything shown comes
from a ``exports.briefing.Briefing``, so the report carries exactly the dashboard's figures.
It also owns escaping: every piece of text reaches the page through ``_t`` (html.escape),
because criterion and unit names come from imported files and must never become markup.

API: ``build_report(b, images=True) -> str``, ``write_report(b, path, images=True)`` and
``render_pdf(html_path, pdf_path)`` (Chromium headless, used to check the page count).
"""
from __future__ import annotations

import base64
import html
import math
import os
import re
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from domain.vocabulary import short_label
from exports import svg_chart
from exports.briefing import (APPENDIX_TITLE, ILLUSTRATIVE_MARK, ILLUSTRATIVE_NOTICE, TOP_FOCUS, Briefing,
                              IndexTrend, vn)

TITLE = "Báo cáo kết quả các chỉ số quản trị và hành chính công"
CHROMIUM = "/usr/bin/chromium"

# Charts are drawn at this pixel size and shown at CHART_WIDTH_MM wide, which keeps the
# aspect ratio: 170 mm fits the 180 mm text width of A4 portrait with 15 mm margins, and
# two 90 mm-high charts plus heading and captions fit in the 267 mm text height.
CHART_PX = (680, 360)
CHART_WIDTH_MM = 170
CHART_HEIGHT_MM = round(CHART_WIDTH_MM * CHART_PX[1] / CHART_PX[0])
# Column labels on a 20-year PCI series would overlap; above this many years the axis is enough.
MAX_LABELLED_YEARS = 12

# Widths of the eight focus-table columns (sum 100 %): the text columns get the room, so
# rows stay a few lines high on portrait A4.
FOCUS_COLS = "<colgroup>" + "".join(
    f'<col style="width:{w}%">' for w in (8, 7, 17, 20, 8, 8, 16, 16)) + "</colgroup>"

# C0 control characters other than tab/newline/CR: invisible, and a stray NUL or form feed
# pasted into an imported name would otherwise reach the page.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CSS = f"""
@page {{ size: A4; margin: 15mm; }}
* {{ box-sizing: border-box; }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: "Times New Roman", Times, "Liberation Serif", "DejaVu Serif", serif;
       font-size: 12pt; line-height: 1.35; color: #000; margin: 0; }}
@media screen {{ body {{ max-width: 180mm; margin: 10mm auto; }}
                section.page {{ border-top: 1px dashed #999; padding-top: 6mm; margin-top: 8mm; }} }}
h1 {{ font-size: 18pt; text-align: center; margin: 0 0 4mm; text-transform: uppercase; }}
h2 {{ font-size: 15pt; margin: 0 0 3mm; }}
h3 {{ font-size: 12pt; margin: 4mm 0 2mm; }}
.cover {{ text-align: center; margin-top: 20mm; }}
.cover .entity {{ font-size: 16pt; font-weight: bold; margin: 2mm 0; }}
.cover p {{ margin: 1mm 0; }}
.notice {{ border: 2px solid #c00; color: #900; padding: 3mm 4mm; margin: 6mm 0; font-weight: bold; }}
.page-notice {{ color: #900; font-weight: bold; font-size: 10pt; margin: 0 0 3mm; padding-bottom: 1mm;
               border-bottom: 1px solid #c00; }}
.summary {{ margin: 0 0 3mm; }}
.page {{ break-before: page; page-break-before: always; }}
figure {{ margin: 0 0 4mm; break-inside: avoid; page-break-inside: avoid; }}
img.chart, .chart-placeholder {{ display: block; width: {CHART_WIDTH_MM}mm; max-width: 100%;
                                  height: {CHART_HEIGHT_MM}mm; margin: 0 auto; }}
.chart-placeholder {{ border: 1px dashed #999; color: #666; display: flex; align-items: center;
                      justify-content: center; font-style: italic; }}
figcaption {{ font-size: 10pt; text-align: center; margin-top: 1mm; }}
figcaption .source {{ display: block; font-style: italic; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #000; padding: 1mm 1.5mm; vertical-align: top; overflow-wrap: anywhere; }}
th {{ background: #e8e8e8; }}
table.overview td.num {{ text-align: right; white-space: nowrap; }}
table.focus td.num {{ text-align: right; }}
table.focus td.code {{ overflow-wrap: normal; }}
table.focus {{ font-size: 9pt; line-height: 1.25; table-layout: fixed; }}
table.focus tr.priority-1 td {{ background: #fdecea; }}
/* repeat the header on every printed page, never cut a criterion's row in two */
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
.muted {{ color: #444; font-size: 10pt; }}
ul.sources {{ font-size: 10pt; }}
"""


# --------------------------------------------------------------------------- text

def _t(value) -> str:
    """Text as it may appear in the page: NFC (one code point per Vietnamese letter, so
    search and fonts behave), control characters dropped, then HTML-escaped."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return html.escape(_CONTROL.sub("", text), quote=True)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _num(value) -> str:
    """vn() for any cell value: pandas' NA would make vn() itself fail."""
    return "—" if _missing(value) else vn(float(value))


def _signed(value) -> str:
    if _missing(value):
        return "—"
    return ("+" if value > 0 else "") + vn(float(value))


def _units(value) -> str:
    """A list cell (units, reasons) as one line; an empty or missing list as a dash."""
    if isinstance(value, str):
        return value or "—"
    try:
        items = [str(v) for v in value if not _missing(v)]
    except TypeError:
        return "—"
    return "; ".join(items) if items else "—"


# A rank the publisher did not state, ranked here from the published scores: said in words an
# official reads without a glossary (the dashboard's short «tự tính» is jargon on paper).
RANK_COMPUTED = " (xếp theo điểm số)"


def rank_text(it: IndexTrend) -> str:
    """"hạng X/N", with RANK_COMPUTED when the publisher gave no rank and it was ranked here."""
    if it.latest_rank is None:
        return "chưa có hạng"
    text = f"hạng {it.latest_rank}/{it.latest_n}" if it.latest_n is not None else f"hạng {it.latest_rank}"
    return text + (RANK_COMPUTED if it.rank_computed else "")


def _is_plan_file(source: str) -> bool:
    return "plan" in Path(source).parts[:-1] or Path(source).name.startswith(("ke-hoach", "kế-hoạch"))


def index_sources(code: str, sources: list[str], all_codes: list[str]) -> list[str]:
    """The files of ``sources`` behind one index's charts.

    A Briefing lists its sources for all indices together; files named after an index
    ("papi_…", "pci_…") belong to that index. A file naming no index (the illustrative
    district file) holds every index, so it is cited under each; plan files hold no scores.
    """
    def names(source: str, c: str) -> bool:
        return re.search(rf"(?<![a-z]){re.escape(c.lower())}(?![a-z])", Path(source).name.lower()) is not None

    own = [s for s in sources if names(s, code)]
    if own:
        return own
    return [s for s in sources if not _is_plan_file(s) and not any(names(s, c) for c in all_codes)]


# --------------------------------------------------------------------------- charts

def _years(trend: pd.DataFrame) -> list[str]:
    # strings: years are categories, never "2.021,5"
    return [str(int(y)) for y in trend.year]


def charts(it: IndexTrend, titles: tuple[str, str] = ("", "")) -> tuple[str, str]:
    """The two charts of an index page as SVG text: points per year (columns from zero,
    values with the decimal comma above them) and rank per year (a line, rank 1 at the top,
    «hạng/số đơn vị» above each marker). Written by ``exports.svg_chart`` in Python: no
    browser, a few milliseconds for the whole report."""
    t = it.trend
    years = _years(t)
    label = len(years) <= MAX_LABELLED_YEARS
    points = [None if _missing(p) else float(p) for p in t.points]
    ranks = [None if _missing(r) else int(r) for r in t["rank"]]
    ns = [None if _missing(n) else int(n) for n in t.n_ranked]
    size = dict(width=CHART_PX[0], height=CHART_PX[1], slanted=not label)

    # vn() text, so the labels are character for character the report's numbers
    svg_points = svg_chart.columns(years, points, [vn(p) if p is not None else "" for p in points],
                                   title=titles[0], y_title="Điểm", x_title="Năm đánh giá", show_values=label,
                                   unit="điểm", **size)
    worst = max([v for v in [*ranks, *ns] if v is not None], default=1)
    step = 1 if worst <= 10 else 5 if worst <= 30 else 10 if worst <= 70 else 20
    svg_rank = svg_chart.rank_line(
        years, ranks, [(f"{r}/{n}" if n is not None else str(r)) if r is not None else "" for r, n in zip(ranks, ns)],
        # rank 1 at the top, the group's size at the bottom; 1 is always a tick
        worst=worst, tickvals=sorted({1, *range(step, worst + 1, step)}), title=titles[1],
        y_title="Hạng (1 = cao nhất)", x_title="Năm đánh giá", show_values=label, **size)
    return svg_points, svg_rank


def _img(svg: bytes, alt: str) -> str:
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return f'<img class="chart" alt="{_t(alt)}" src="{uri}">'


# --------------------------------------------------------------------------- sections

def _cover(b: Briefing) -> str:
    rows = []
    for it in b.indices:
        rows.append(
            f"<tr><td>{_t(it.name)}</td><td class=\"num\">{_t(it.latest_year)}</td>"
            f"<td class=\"num\">{_t(_num(it.latest_points))}</td><td class=\"num\">{_t(rank_text(it))}</td>"
            f"<td class=\"num\">{_t(_signed(it.change_points))}</td></tr>")
    overview = ("<table class=\"overview\"><thead><tr><th>Chỉ số</th><th>Năm</th><th>Điểm</th><th>Hạng</th>"
                "<th>Thay đổi so với năm trước</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
                if rows else "<p>Chưa có số liệu chỉ số nào cho đơn vị này.</p>")
    notice = f'<div class="notice" role="alert">{_t(ILLUSTRATIVE_NOTICE)}</div>' if b.is_illustrative else ""
    return (f'<header class="cover">{notice}<h1>{_t(TITLE)}</h1>'
            f'<p class="entity">{_t(b.entity_name)}</p>'
            f"<p>Năm đánh giá: {_t(b.year)}</p>"
            f"<p>Ngày lập: {_t(b.generated.strftime('%d/%m/%Y'))}</p></header>"
            f'<h3>Tóm tắt</h3>{overview}')


def _caption(number: int, title: str, sources: list[str], illustrative: bool) -> str:
    source = "Nguồn: " + ("; ".join(sources) if sources else "cơ sở dữ liệu của sản phẩm")
    if illustrative:
        source += " — số liệu minh họa"
    return (f"<figcaption>Hình {number}. {_t(title)}"
            f'<span class="source">{_t(source)}</span></figcaption>')


def _mark(b: Briefing) -> str:
    """The illustrative mark that opens every printed section (page) of an illustrative
    report; nothing for a report on published data only."""
    return f'<p class="page-notice">{_t(ILLUSTRATIVE_MARK)}</p>' if b.is_illustrative else ""


def _index_page(it: IndexTrend, b: Briefing, first_figure: int, images: bool) -> str:
    codes = [i.index_code for i in b.indices]
    sources = index_sources(it.index_code, b.sources, codes)
    summary = (f"Năm {it.latest_year}: <strong>{_t(_num(it.latest_points))} điểm</strong>, "
               f"{_t(rank_text(it))}; thay đổi so với năm trước: {_t(_signed(it.change_points))} điểm.")
    if it.latest_year != b.year:
        summary += f" Chưa có số liệu năm {_t(b.year)}; số trên là của năm gần nhất có số liệu."
    titles = (f"Điểm {short_label(it.index_code)} của {b.entity_name} qua các năm",
              f"Thứ hạng {short_label(it.index_code)} của {b.entity_name} qua các năm (hạng 1 ở trên cùng)")
    svgs = charts(it, titles) if images else None
    figures = []
    for k, title in enumerate(titles):
        if svgs is not None:
            body = _img(svgs[k].encode("utf-8"), title)
        else:
            body = '<div class="chart-placeholder">Biểu đồ không kèm trong bản này</div>'
        figures.append(f"<figure>{body}{_caption(first_figure + k, title, sources, it.is_illustrative)}</figure>")
    return (f'<section class="page index" data-index="{_t(it.index_code)}">{_mark(b)}'
            f"<h2>{_t(it.name)}</h2><p class=\"summary\">{summary}</p>{''.join(figures)}</section>")


def _next_rank(row, climb_row) -> str:
    # climb is the dashboard's "points to climb" table; the focus list carries the same two
    # columns, used when a row has no climb row
    src = climb_row if climb_row is not None else row
    first = src.get("already_first")
    if not _missing(first) and bool(first):
        return "đã hạng 1"
    possible = src.get("next_rank_possible")
    if not _missing(possible) and not bool(possible):
        return "không thể"
    return _num(src.get("points_to_next_rank"))


FOCUS_HEAD = ("<thead><tr><th>Chỉ số</th><th>Mã</th><th>Tiêu chí</th><th>Lý do</th>"
              "<th>Điểm có thể lấy lại</th><th>Để lên 1 hạng</th><th>Cơ quan chủ trì</th>"
              "<th>Cơ quan phối hợp</th></tr></thead>")


def _criteria_table(b: Briefing, weak: pd.DataFrame, css: str) -> str:
    """``weak`` (rows of ``b.weak``) as the eight-column focus table; a row is marked
    «(minh họa)» when it is illustrative and the focus list is not all illustrative."""
    climb = {}
    if b.climb is not None and len(b.climb):
        for _, c in b.climb.iterrows():
            climb.setdefault((c["index_code"], c["criterion_code"]), c)
    all_illustrative = _all_illustrative(b)
    rows = []
    for _, r in weak.iterrows():
        c = climb.get((r["index_code"], r["criterion_code"]))
        index = _t(short_label(r["index_code"]))
        if bool(r.get("is_illustrative", False)) and not all_illustrative:
            index += '<br><span class="muted">(minh họa)</span>'
        reasons = _units(r.get("reasons"))
        priority = r.get("priority")
        cls = f' class="priority-{int(priority)}"' if not _missing(priority) else ""
        rows.append(
            f"<tr{cls}><td>{index}</td><td class=\"code\">{_t(r['criterion_code'])}</td>"
            f"<td>{_t(r['criterion_name'])}</td><td>{_t(reasons)}</td>"
            f"<td class=\"num\">{_t(_num(r.get('points_recoverable')))}</td>"
            f"<td class=\"num\">{_t(_next_rank(r, c))}</td><td>{_t(_units(r.get('lead_units')))}</td>"
            f"<td>{_t(_units(r.get('support_units')))}</td></tr>")
    return f'<table class="{css}">{FOCUS_COLS}{FOCUS_HEAD}<tbody>{"".join(rows)}</tbody></table>'


def _all_illustrative(b: Briefing) -> bool:
    return bool(len(b.weak)) and bool(b.weak.get("is_illustrative", pd.Series([False])).all())


def _focus_page(b: Briefing) -> str:
    n = len(b.weak)
    intro = (f"<p>Các tiêu chí năm {_t(b.year)} đang giảm hoặc đang ở thứ hạng thấp, "
             f"cần tập trung cải thiện năm {_t(b.plan_year)} "
             "(tô màu: ưu tiên 1, vừa giảm vừa ở thứ hạng thấp). "
             f"Phân công theo {_t(b.plan_title)}.</p>")
    if n > TOP_FOCUS:
        intro += (f"<p>Bảng dưới đây là {TOP_FOCUS} tiêu chí cấp bách nhất trong số {n} tiêu chí; "
                  f"{n - TOP_FOCUS} tiêu chí còn lại ở phần «{_t(APPENDIX_TITLE)}» cuối báo cáo.</p>")
    if _all_illustrative(b):
        intro += '<p class="muted">Mọi dòng của bảng dựa trên số liệu minh họa.</p>'
    table = (_criteria_table(b, b.weak.head(TOP_FOCUS), "focus lead") if n
             else "<p>Không có tiêu chí nào đang giảm hoặc ở thứ hạng thấp.</p>")
    return (f'<section class="page focus">{_mark(b)}<h2>Trọng tâm năm {_t(b.plan_year)}</h2>{intro}{table}'
            f"{_sources(b)}</section>")


def _appendix_page(b: Briefing) -> str:
    """The rest of the focus list, in the same table, after the main part; nothing when
    the focus list has no more than ``TOP_FOCUS`` criteria."""
    rest = b.weak.iloc[TOP_FOCUS:]
    if rest.empty:
        return ""
    intro = (f"<p>Tiêu chí thứ {TOP_FOCUS + 1} đến {len(b.weak)} của danh sách các tiêu chí năm {_t(b.year)} "
             "đang giảm hoặc đang ở thứ hạng thấp, theo thứ tự cấp bách.</p>")
    return (f'<section class="page appendix">{_mark(b)}<h2>{_t(APPENDIX_TITLE)}</h2>{intro}'
            f'{_criteria_table(b, rest, "focus rest")}</section>')


def _sources(b: Briefing) -> str:
    items = "".join(f"<li>{_t(s)}</li>" for s in b.sources) or "<li>cơ sở dữ liệu của sản phẩm</li>"
    notes = "".join(f"<p class=\"muted\">{_t(n)}</p>" for n in b.notes)
    illustrative = (f'<p class="muted">{_t(ILLUSTRATIVE_NOTICE)}</p>' if b.is_illustrative else "")
    return f'<h3>Nguồn số liệu</h3><ul class="sources">{items}</ul>{illustrative}{notes}'


# --------------------------------------------------------------------------- API

def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _print_css(b: Briefing) -> str:
    """The report's CSS; for an illustrative report the mark also goes into the top margin
    of every printed page (CSS page margin boxes, printed by Chromium-based browsers), so
    the continuation pages of a long table carry it too."""
    if not b.is_illustrative:
        return CSS
    return CSS + ("@page { @top-center { content: " + _css_string(ILLUSTRATIVE_MARK) + "; color: #900; "
                  "font-family: Arial, 'Liberation Sans', sans-serif; font-size: 9pt; font-weight: bold; } }\n")


def build_report(b: Briefing, *, images: bool = True) -> str:
    """The whole report as one HTML document (UTF-8, lang="vi"), with no external
    resources. ``images=False`` replaces each chart by a placeholder of the same size and
    caption (a lighter preview)."""
    pages = [_index_page(it, b, 2 * k + 1, images) for k, it in enumerate(b.indices)]
    title = f"{TITLE} — {b.entity_name} — năm {b.year}"
    return ("<!DOCTYPE html>\n"
            '<html lang="vi"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_t(title)}</title><style>{_print_css(b)}</style></head><body>"
            f"{_cover(b)}{''.join(pages)}{_focus_page(b)}{_appendix_page(b)}</body></html>\n")


def write_report(b: Briefing, path, *, images: bool = True) -> Path:
    path = Path(path)
    path.write_text(build_report(b, images=images), encoding="utf-8")
    return path


def render_pdf(html_path, pdf_path, *, timeout: float = 120) -> Path:
    """Print ``html_path`` to an A4 PDF with headless Chromium, as a browser's "Print" would
    (the page size comes from the report's @page rule)."""
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    browser = os.environ.get("BROWSER_PATH", CHROMIUM)
    # A throwaway profile: a second Chromium on the same default profile would hand the
    # job to the first one and return at once without a PDF.
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}", html_path.as_uri()],
                       check=True, timeout=timeout, capture_output=True)
    if not pdf_path.exists():
        raise RuntimeError(f"Chromium không tạo được tệp PDF {pdf_path}")
    return pdf_path
