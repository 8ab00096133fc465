"""The printable A4 report (exports/report.py): one page per index plus the focus page and
the appendix, the dashboard's numbers written with the decimal comma, the ten most urgent
criteria of the focus list on the focus page and the rest in the appendix, the illustrative
mark on every page, escaping of imported text, charts inline SVG drawn without a browser,
and the printed page count."""
from __future__ import annotations

import base64
import dataclasses
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from domain.vocabulary import next_plan_year, short_label
from exports.briefing import APPENDIX_TITLE, ILLUSTRATIVE_MARK, ILLUSTRATIVE_NOTICE, TOP_FOCUS, gather, vn
from exports import report

VINH_LOC, THANH_HOA, YEAR = "VN-38-393", "VN-38", 2024
needs_chromium = pytest.mark.skipif(not Path(os.environ.get("BROWSER_PATH", report.CHROMIUM)).exists(),
                                    reason="no Chromium to draw charts or print")


class _Page(HTMLParser):
    """Collects the text of each <section class="page …"> (its illustrative mark apart, in
    "notice") and the cells of the focus tables (all of them in ``focus_rows``, each
    section's in its "rows")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[dict] = []
        self.focus_rows: list[list[str]] = []
        self.imgs: list[dict] = []
        self.tags: list[str] = []
        self._section = None
        self._in_focus = self._in_tbody = self._in_notice = False
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        classes = (a.get("class") or "").split()
        if tag == "section" and "page" in classes:
            self._section = {"classes": classes, "index": a.get("data-index"), "text": [], "notice": [], "rows": []}
            self.sections.append(self._section)
        elif tag == "p" and "page-notice" in classes and self._section is not None:
            self._in_notice = True
        elif tag == "table" and "focus" in classes:
            self._in_focus = True
        elif tag == "tbody" and self._in_focus:
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.imgs.append(a)

    def handle_endtag(self, tag):
        if tag == "section":
            self._section = None
        elif tag == "p":
            self._in_notice = False
        elif tag == "table":
            self._in_focus = self._in_tbody = False
        elif tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.focus_rows.append(self._row)
            if self._section is not None:
                self._section["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._section is not None:
            self._section["notice" if self._in_notice else "text"].append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(doc: str) -> _Page:
    p = _Page()
    p.feed(doc)
    for s in p.sections:
        s["text"] = " ".join("".join(s["text"]).split())
        s["notice"] = " ".join("".join(s["notice"]).split())
    return p


@pytest.fixture(scope="module")
def vinh_loc(con):
    return gather(con, VINH_LOC, YEAR)


@pytest.fixture(scope="module")
def thanh_hoa(con):
    return gather(con, THANH_HOA, YEAR)


@pytest.fixture(scope="module")
def vinh_loc_with_images(vinh_loc):
    return report.build_report(vinh_loc, images=True)  # SVG written in Python: no browser


@pytest.mark.parametrize("entity", [VINH_LOC, THANH_HOA])
def test_one_page_per_index_then_the_focus_page_then_the_appendix(con, entity):
    b = gather(con, entity, YEAR)
    assert b.indices, "the shipped data has indices for both entities"
    assert len(b.weak) > TOP_FOCUS, "both focus lists are long enough for an appendix"
    doc = report.build_report(b, images=False)
    p = parse(doc)
    # every section that starts a printed page, in order: the indices, the focus page, the appendix
    assert [s["index"] for s in p.sections] == [i.index_code for i in b.indices] + [None, None]
    assert "focus" in p.sections[-2]["classes"] and "appendix" in p.sections[-1]["classes"]
    assert p.sections[-2]["text"].startswith(f"Trọng tâm năm {next_plan_year(YEAR)}")
    assert p.sections[-1]["text"].startswith("Phụ lục: các tiêu chí yếu còn lại")
    css = re.search(r"<style>(.*)</style>", doc, re.S).group(1)
    page_rule = re.search(r"(?m)^\.page\s*\{([^}]*)\}", css).group(1)
    assert "break-before: page" in page_rule and "page-break-before: always" in page_rule
    assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*15mm", css)
    assert re.search(r"thead\s*\{\s*display:\s*table-header-group", css)
    assert re.search(r"(^|\n)tr\s*\{[^}]*break-inside:\s*avoid", css)


@pytest.mark.parametrize("entity", [VINH_LOC, THANH_HOA])
def test_index_pages_show_the_dashboard_numbers(con, entity):
    b = gather(con, entity, YEAR)
    p = parse(report.build_report(b, images=False))
    pages = {s["index"]: s["text"] for s in p.sections if s["index"]}
    for it in b.indices:
        text = pages[it.index_code]
        assert text.startswith(it.name)
        assert f"{vn(it.latest_points)} điểm" in text
        assert "," in vn(it.latest_points) and "." not in vn(it.latest_points)
        rank = f"hạng {it.latest_rank}/{it.latest_n}"
        assert rank in text
        assert (f"{rank}{report.RANK_COMPUTED}" in text) == it.rank_computed and "tự tính" not in text
        if it.change_points is not None:
            assert vn(abs(it.change_points)) in text
        # two captions, each naming its source; "minh họa" exactly when the index is
        assert text.count("Nguồn:") == 2
        assert (text.count("— số liệu minh họa") == 2) == it.is_illustrative
        assert text.count("Biểu đồ không kèm trong bản này") == 2


def test_decimal_comma_everywhere_in_numbers(vinh_loc):
    # criterion codes such as "7.3" keep their point, so look at the number cells and the
    # summaries: a decimal point there escaped vn()
    p = parse(report.build_report(vinh_loc, images=False))
    text = " ".join(s["text"] for s in p.sections)
    numeric = [cell for row in p.focus_rows for cell in (row[4], row[5])]
    assert numeric and all(re.fullmatch(r"\d+,\d{2}|không thể|đã hạng 1|—", c) for c in numeric), numeric
    assert not re.search(r"\d\.\d+ điểm", text)


@pytest.mark.parametrize("entity", [VINH_LOC, THANH_HOA])
def test_focus_page_has_the_top_ten_and_the_appendix_the_rest(con, entity):
    b = gather(con, entity, YEAR)
    p = parse(report.build_report(b, images=False))
    focus, appendix = p.sections[-2], p.sections[-1]
    assert len(focus["rows"]) == min(TOP_FOCUS, len(b.weak)) == 10
    assert len(appendix["rows"]) == len(b.weak) - 10
    assert [r[1] for r in focus["rows"]] == list(b.weak.criterion_code[:10])  # the most urgent first
    assert [r[1] for r in appendix["rows"]] == list(b.weak.criterion_code[10:])
    assert f"{len(b.weak) - 10} tiêu chí còn lại ở phần «{APPENDIX_TITLE}»" in focus["text"]


def test_a_short_focus_list_has_no_appendix(vinh_loc):
    b = dataclasses.replace(vinh_loc, weak=vinh_loc.weak.head(4), climb=vinh_loc.climb.head(4))
    p = parse(report.build_report(b, images=False))
    assert "focus" in p.sections[-1]["classes"] and len(p.sections[-1]["rows"]) == 4
    assert not any("appendix" in s["classes"] for s in p.sections)
    assert "Phụ lục" not in p.sections[-1]["text"]


@pytest.mark.parametrize("entity", [VINH_LOC, THANH_HOA])
def test_focus_table_rows_are_the_focus_list(con, entity):
    b = gather(con, entity, YEAR)
    assert len(b.weak), "the shipped data has weak criteria for both entities"
    rows = parse(report.build_report(b, images=False)).focus_rows  # the focus page's table, then the appendix's
    assert len(rows) == len(b.weak)
    for row, (_, w), (_, c) in zip(rows, b.weak.iterrows(), b.climb.iterrows()):
        assert row[0].startswith(short_label(w.index_code))
        assert row[1] == w.criterion_code
        assert row[2] == w.criterion_name
        assert row[3] == ("; ".join(w.reasons) or "—")
        assert row[4] == vn(w.points_recoverable)
        assert row[5] == ("đã hạng 1" if c.already_first else
                          vn(c.points_to_next_rank) if c.next_rank_possible else "không thể")
        assert row[6] == ("; ".join(w.lead_units) or "—")
        assert row[7] == ("; ".join(w.support_units) or "—")
    # the table's header names the eight columns in order
    assert re.search(r"<thead><tr><th>Chỉ số</th><th>Mã</th><th>Tiêu chí</th><th>Lý do</th>"
                     r"<th>Điểm có thể lấy lại</th><th>Để lên 1 hạng</th><th>Cơ quan chủ trì</th>"
                     r"<th>Cơ quan phối hợp</th></tr></thead>", report.build_report(b, images=False))


def test_vietnamese_text_survives_the_file(vinh_loc, tmp_path):
    path = report.write_report(vinh_loc, tmp_path / "bao-cao.html", images=False)
    doc = path.read_bytes().decode("utf-8")
    assert '<html lang="vi">' in doc and '<meta charset="utf-8">' in doc
    for text in ["Báo cáo kết quả các chỉ số quản trị và hành chính công", "Huyện Vĩnh Lộc",
                 f"Năm đánh giá: {YEAR}", f"Ngày lập: {vinh_loc.generated:%d/%m/%Y}",
                 f"Trọng tâm năm {next_plan_year(YEAR)}", "Cơ quan phối hợp", report.RANK_COMPUTED.strip(),
                 *[i.name for i in vinh_loc.indices], vinh_loc.weak.criterion_name.iloc[0]]:
        assert text in doc, text
    assert "Ã" not in doc and "\ufffd" not in doc   # no mojibake, no replacement characters


def test_illustrative_notice_only_where_data_is_illustrative(vinh_loc, thanh_hoa):
    assert vinh_loc.is_illustrative and not thanh_hoa.is_illustrative
    vl = report.build_report(vinh_loc, images=False)
    th = report.build_report(thanh_hoa, images=False)
    notice = f'<div class="notice" role="alert">{ILLUSTRATIVE_NOTICE}</div>'
    # at the top: the notice comes before the title
    assert notice in vl and vl.index(notice) < vl.index("<h1>")
    assert re.search(r"\.notice\s*\{[^}]*border:\s*2px solid #c00", vl)
    assert ILLUSTRATIVE_NOTICE not in th and 'class="notice"' not in th
    assert "minh họa" not in th and "MINH HỌA" not in th


@pytest.mark.parametrize("images", [False, True])
def test_every_printed_page_carries_the_illustrative_mark(vinh_loc, thanh_hoa, images):
    assert vinh_loc.is_illustrative and not thanh_hoa.is_illustrative
    vl = report.build_report(vinh_loc, images=images)
    p = parse(vl)
    assert len(p.sections) == len(vinh_loc.indices) + 2
    # each section that starts a printed page opens with the mark: index pages, focus page, appendix
    assert [s["notice"] for s in p.sections] == [ILLUSTRATIVE_MARK] * len(p.sections)
    # and the page's top margin repeats it on every printed page, a long table's continuation
    # pages included (CSS page margin box)
    css = re.search(r"<style>(.*)</style>", vl, re.S).group(1)
    margin = re.search(r"@page\s*\{\s*@top-center\s*\{([^}]*)\}", css)
    assert margin and f'content: "{ILLUSTRATIVE_MARK}"' in margin.group(1)
    th = report.build_report(thanh_hoa, images=images)
    assert all(not s["notice"] for s in parse(th).sections)
    assert "@top-center" not in th and ILLUSTRATIVE_MARK not in th and "page-notice\"" not in th


def test_imported_text_never_becomes_markup(vinh_loc):
    evil = "<script>alert('x')</script>"
    weak = vinh_loc.weak.copy()
    weak.at[0, "criterion_name"] = "Tiêu chí " + evil
    weak.at[0, "criterion_code"] = '"><img src=x onerror=alert(1)>'
    weak.at[0, "lead_units"] = ["Phòng " + evil]
    weak.at[0, "support_units"] = ["<b>đậm</b> & Co"]
    weak.at[0, "reasons"] = ["giảm </td></tr></table>"]
    b = dataclasses.replace(vinh_loc, weak=weak, entity_name="Huyện <i>X</i>",
                            sources=[*vinh_loc.sources, "nhap/" + evil + ".csv"], notes=[evil])
    doc = report.build_report(b, images=False)
    assert "<script" not in doc.lower() and "<img" not in doc and "<b>" not in doc and "<i>" not in doc
    assert "&lt;script&gt;" in doc and "&amp; Co" in doc
    # and the escaped text reads back as the original
    rows = parse(doc).focus_rows
    assert len(rows) == len(weak)
    assert rows[0][1:4] == ['"><img src=x onerror=alert(1)>', "Tiêu chí " + evil, "giảm </td></tr></table>"]
    assert rows[0][6] == "Phòng " + evil


SVG = "{http://www.w3.org/2000/svg}"


def svg_of(it):
    points, rank = report.charts(it, ("Điểm", "Hạng"))
    return ET.fromstring(points), ET.fromstring(rank)


def marks(svg, cls):
    return [e for e in svg.iter() if e.get("class") == cls]


def texts(svg, cls):
    return [e.text for e in marks(svg, cls)]


@pytest.mark.parametrize("entity", [VINH_LOC, THANH_HOA])
def test_charts_hold_the_trend_exactly(con, entity):
    for it in gather(con, entity, YEAR).indices:
        points, rank = svg_of(it)
        years = [str(int(y)) for y in it.trend.year]
        for svg in (points, rank):
            assert texts(svg, "category") == years          # years as categories, never "2.021,5"
            assert all("." not in t for t in texts(svg, "tick"))
        present = [(str(int(y)), float(v)) for y, v in zip(it.trend.year, it.trend.points) if not pd.isna(v)]
        bars = marks(points, "bar")
        assert [(b.get("data-category"), float(b.get("data-value"))) for b in bars] == present
        # a column's height is its value: the same scale for every column
        heights = [float(b.get("height")) for b in bars]
        ratios = {round(h / v, 6) for h, (_, v) in zip(heights, present) if v}
        assert max(ratios) - min(ratios) < 0.01 * max(ratios)
        labelled = len(years) <= report.MAX_LABELLED_YEARS
        assert texts(points, "value") == ([vn(v) for _, v in present] if labelled else [])
        ranks = [(str(int(y)), int(r)) for y, r in zip(it.trend.year, it.trend["rank"]) if not pd.isna(r)]
        markers = marks(rank, "marker")
        assert [(m.get("data-category"), int(m.get("data-value"))) for m in markers] == ranks


def test_rank_charts_put_rank_one_on_top(vinh_loc):
    for it in vinh_loc.indices:
        points, rank = svg_of(it)
        ys = {int(m.get("data-value")): float(m.get("cy")) for m in marks(rank, "marker")}
        for a in ys:
            for b in ys:
                if a < b:
                    assert ys[a] < ys[b]                    # a better rank is drawn higher
        ticks = texts(rank, "tick")
        assert ticks[0] == "1" and [int(t) for t in ticks] == sorted(int(t) for t in ticks)
        tick_y = {e.text: float(e.get("y")) for e in marks(rank, "tick")}
        assert tick_y["1"] == min(tick_y.values())             # rank 1 is the top tick
        assert all(tick_y["1"] <= y for y in ys.values())
        assert "Hạng (1 = cao nhất)" in texts(rank, "axis-title") and "Năm đánh giá" in texts(rank, "axis-title")
        assert "Điểm" in texts(points, "axis-title")
        assert vn(it.latest_points) in texts(points, "value")   # the decimal comma of vn()
        labels = texts(rank, "value")
        assert f"{it.latest_rank}/{it.latest_n}" == labels[-1]


def test_missing_years_are_gaps_not_zeros(vinh_loc):
    it = vinh_loc.indices[0]
    trend = it.trend.copy()
    trend["points"] = trend.points.astype(float)
    trend["rank"] = trend["rank"].astype("Int64")
    trend.loc[1, "points"] = float("nan")
    trend.loc[2, "rank"] = pd.NA
    points, rank = svg_of(dataclasses.replace(it, trend=trend))
    assert [b.get("data-category") for b in marks(points, "bar")] == [str(int(y)) for y in trend.year.drop(1)]
    assert str(int(trend.year[2])) not in [m.get("data-category") for m in marks(rank, "marker")]
    # the line breaks at the gap: one polyline per run of two or more years, none through the gap
    runs, run = [], []
    for r in trend["rank"]:
        if pd.isna(r):
            runs, run = runs + [run], []
        else:
            run.append(r)
    runs.append(run)
    lines = [e for e in rank.iter(SVG + "polyline")]
    assert [len(e.get("points").split()) for e in lines] == [len(r) for r in runs if len(r) > 1]


def test_chart_text_is_escaped(vinh_loc):
    it = vinh_loc.indices[0]
    points, _ = report.charts(it, ("<script>alert(1)</script> & Co", "x"))
    assert "<script>" not in points and "&lt;script&gt;" in points
    ET.fromstring(points)  # still well-formed XML


def test_charts_are_inline_svg(vinh_loc, vinh_loc_with_images):
    doc = vinh_loc_with_images
    p = parse(doc)
    charts = [a for a in p.imgs if "chart" in (a.get("class") or "")]
    assert len(charts) == len(p.imgs) == 2 * len(vinh_loc.indices)
    assert "class=\"chart-placeholder\"" not in doc
    for a in charts:
        assert a["src"].startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(a["src"].split(",", 1)[1]).decode("utf-8")
        assert svg.lstrip().startswith("<svg")
        ET.fromstring(svg)
    # nothing fetched from the network: no http(s) src/href, no external stylesheet or script
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", doc)
    assert "@import" not in doc and "<link" not in doc and "<script" not in doc
    svgs = [base64.b64decode(a["src"].split(",", 1)[1]).decode("utf-8") for a in charts]
    # the PAR column labels carry the decimal comma, the rank chart its Vietnamese axis title
    assert vn(vinh_loc.indices[0].latest_points) in svgs[0]
    assert "Hạng (1 = cao nhất)" in svgs[1]


def _pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


@needs_chromium
@pytest.mark.browser  # prints with chromium: `make test-fast` (no chromium) leaves it out
def test_prints_to_a4_pages(vinh_loc, vinh_loc_with_images, tmp_path):
    html_path = tmp_path / "bao-cao.html"
    html_path.write_text(vinh_loc_with_images, encoding="utf-8")
    pdf = report.render_pdf(html_path, tmp_path / "bao-cao.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    n = len(vinh_loc.indices)
    pages = _pdf_pages(pdf)
    assert 1 + n + 1 <= pages <= 1 + n + len(vinh_loc.weak), pages
    # A4 portrait in points (595 × 842)
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert box and abs(float(box.group(1)) - 595) < 2 and abs(float(box.group(2)) - 842) < 2

    # Without a focus table the count is exact: cover, one page per index (its two charts
    # fit), one focus page. A chart that spilled over would add a page.
    empty = dataclasses.replace(vinh_loc, weak=vinh_loc.weak.iloc[0:0], climb=vinh_loc.climb.iloc[0:0])
    short = report.write_report(empty, tmp_path / "ngan.html", images=False)
    assert _pdf_pages(report.render_pdf(short, tmp_path / "ngan.pdf")) == 1 + n + 1
