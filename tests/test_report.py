"""The printable A4 report (exports/report.py): one page per index plus the focus page, the
dashboard's numbers written with the decimal comma, the focus table equal to the Briefing's
focus list, escaping of imported text, charts inline only, and the printed page count."""
from __future__ import annotations

import base64
import dataclasses
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from domain.vocabulary import next_plan_year, short_label
from exports.briefing import ILLUSTRATIVE_NOTICE, gather, vn
from exports import report

VINH_LOC, THANH_HOA, YEAR = "VN-38-393", "VN-38", 2024
needs_chromium = pytest.mark.skipif(not Path(os.environ.get("BROWSER_PATH", report.CHROMIUM)).exists(),
                                    reason="no Chromium to draw charts or print")


class _Page(HTMLParser):
    """Collects the text of each <section class="page …"> and the cells of the focus table."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[dict] = []
        self.focus_rows: list[list[str]] = []
        self.imgs: list[dict] = []
        self.tags: list[str] = []
        self._section = None
        self._in_focus = self._in_tbody = False
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        classes = (a.get("class") or "").split()
        if tag == "section" and "page" in classes:
            self._section = {"classes": classes, "index": a.get("data-index"), "text": []}
            self.sections.append(self._section)
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
        elif tag == "table":
            self._in_focus = self._in_tbody = False
        elif tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.focus_rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._section is not None:
            self._section["text"].append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(doc: str) -> _Page:
    p = _Page()
    p.feed(doc)
    for s in p.sections:
        s["text"] = " ".join("".join(s["text"]).split())
    return p


@pytest.fixture(scope="module")
def vinh_loc(con):
    return gather(con, VINH_LOC, YEAR)


@pytest.fixture(scope="module")
def thanh_hoa(con):
    return gather(con, THANH_HOA, YEAR)


@pytest.fixture(scope="module")
def vinh_loc_with_images(vinh_loc):
    if not Path(os.environ.get("BROWSER_PATH", report.CHROMIUM)).exists():
        pytest.skip("no Chromium to draw charts")
    return report.build_report(vinh_loc, images=True)


@pytest.mark.parametrize("entity", [VINH_LOC, THANH_HOA])
def test_one_page_per_index_then_the_focus_page(con, entity):
    b = gather(con, entity, YEAR)
    assert b.indices, "the shipped data has indices for both entities"
    doc = report.build_report(b, images=False)
    p = parse(doc)
    # every section that starts a printed page, in order: the indices, then the focus page
    assert [s["index"] for s in p.sections] == [i.index_code for i in b.indices] + [None]
    assert "focus" in p.sections[-1]["classes"]
    assert p.sections[-1]["text"].startswith(f"Trọng tâm năm {next_plan_year(YEAR)}")
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
        assert (f"{rank} (tự tính)" in text) == it.rank_computed
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
def test_focus_table_rows_are_the_focus_list(con, entity):
    b = gather(con, entity, YEAR)
    assert len(b.weak), "the shipped data has weak criteria for both entities"
    rows = parse(report.build_report(b, images=False)).focus_rows
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
                 f"Trọng tâm năm {next_plan_year(YEAR)}", "Cơ quan phối hợp", "(tự tính)",
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
    assert "minh họa" not in th


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


def test_rank_charts_put_rank_one_on_top(vinh_loc):
    for it in vinh_loc.indices:
        points, rank = report.charts(it)
        for fig in (points, rank):
            assert fig.layout.separators == ", "
            assert fig.layout.xaxis.type == "category"
            assert list(fig.data[0].x) == [str(int(y)) for y in it.trend.year]
        assert list(rank.layout.yaxis.range) == [max(it.trend.n_ranked.max(), it.trend["rank"].max()) + 0.5, 0.5]
        assert 1 in rank.layout.yaxis.tickvals
        assert rank.layout.yaxis.title.text == "Hạng (1 = cao nhất)"
        assert points.layout.yaxis.title.text == "Điểm"
        assert vn(it.latest_points) in points.data[0].text


@needs_chromium
@pytest.mark.browser  # draws with chromium: `make test-fast` (no chromium) leaves it out
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
