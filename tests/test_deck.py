"""The briefing deck: generated from a Briefing of the shipped data (Vĩnh Lộc, partly
illustrative; Thanh Hóa, all published), read back with python-pptx and checked slide by
slide against the Briefing it was built from: the ten most urgent criteria in the main part,
the rest in the appendix after the sources, the illustrative mark on every slide."""
from __future__ import annotations

import dataclasses
import io
import math
import unicodedata

import pandas as pd
import pytest

from domain.vocabulary import next_plan_year
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Pt

from exports.briefing import APPENDIX_TITLE, ILLUSTRATIVE_MARK, ILLUSTRATIVE_NOTICE, TOP_FOCUS, gather, vn
from exports.deck import build_deck, write_deck
from exports.report import RANK_COMPUTED

VINH_LOC, THANH_HOA = "VN-38-393", "VN-38"
DECK_TITLE = "Kết quả các chỉ số quản trị và hành chính công"
WEAK = "Tiêu chí đang giảm hoặc xếp hạng thấp"
FOOTER = ILLUSTRATIVE_MARK
BADGE = "SỐ LIỆU MINH HỌA"
RED = RGBColor(0xC0, 0x00, 0x00)
LABELS = {"PAR": "PAR INDEX", "SIPAS": "SIPAS", "PAPI": "PAPI", "DDCI": "DDCI", "PCI": "PCI"}


# --- fixtures and readers --------------------------------------------------------------

@pytest.fixture(scope="module")
def vl(con):
    return gather(con, VINH_LOC, 2024)


@pytest.fixture(scope="module")
def th(con):
    return gather(con, THANH_HOA, 2024)


def open_deck(b):
    return Presentation(io.BytesIO(build_deck(b)))


@pytest.fixture(scope="module")
def vl_deck(vl):
    return open_deck(vl)


@pytest.fixture(scope="module")
def th_deck(th):
    return open_deck(th)


def title(slide) -> str:
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""


def runs(slide):
    """Every text run on the slide: text boxes, placeholders and table cells."""
    for sh in slide.shapes:
        frames = []
        if sh.has_text_frame:
            frames.append(sh.text_frame)
        if sh.has_table:
            frames += [c.text_frame for row in sh.table.rows for c in row.cells]
        for tf in frames:
            for p in tf.paragraphs:
                yield from p.runs


def text(slide) -> str:
    return "\n".join(r.text for r in runs(slide))


def deck_text(prs) -> str:
    return "\n".join(text(s) for s in prs.slides)


def tables(slide):
    return [sh.table for sh in slide.shapes if sh.has_table]


def table_rows(table) -> list[list[str]]:
    return [[c.text_frame.text for c in row.cells] for row in table.rows]


def kinds(b, prs) -> dict[str, list]:
    """The deck's slides grouped by what they are, found by title."""
    index_titles = [f"{LABELS[i.index_code]}: điểm và thứ hạng qua các năm" for i in b.indices]
    out = {"title": [], "index": [], "weak": [], "focus": [], "sources": [], "appendix": [], "other": []}
    for s in prs.slides:
        t = title(s)
        if t == DECK_TITLE:
            out["title"].append(s)
        elif t in index_titles:
            out["index"].append(s)
        elif t in (WEAK, WEAK + " (tiếp)"):
            out["weak"].append(s)
        elif t == f"Trọng tâm năm {b.plan_year}: điểm cần để lên hạng":
            out["focus"].append(s)
        elif t == "Nguồn số liệu":
            out["sources"].append(s)
        elif t in (APPENDIX_TITLE, APPENDIX_TITLE + " (tiếp)"):
            out["appendix"].append(s)
        else:
            out["other"].append(s)
    return out


def expected_points(trend) -> list:
    return [None if pd.isna(v) else float(v) for v in trend.points]


def expected_ranks(trend) -> list:
    return [None if pd.isna(v) else int(v) for v in trend["rank"]]


def climb_cell(value, possible) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return vn(value) if possible else "không thể"


# --- structure -------------------------------------------------------------------------

def appendix_rows(b, prs) -> list[list[str]]:
    rows = []
    for slide in kinds(b, prs)["appendix"]:
        (tbl,) = tables(slide)
        head, *body = table_rows(tbl)
        assert head == ["Chỉ số", "Mã", "Tiêu chí", "Lý do", "Cơ quan chủ trì"]
        assert 1 <= len(body) <= 12
        rows += body
    return rows


@pytest.mark.parametrize("which", ["vl", "th"])
def test_slides_come_in_order_title_indices_weak_focus_sources_appendix(which, request):
    b, prs = request.getfixturevalue(which), request.getfixturevalue(which + "_deck")
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    k = kinds(b, prs)
    assert not k["other"], [title(s) for s in k["other"]]
    n_weak, n_appendix = len(k["weak"]), len(k["appendix"])
    assert len(b.weak) > TOP_FOCUS  # both lists are long enough to have an appendix
    assert len(k["title"]) == 1 and len(k["index"]) == len(b.indices) and len(k["focus"]) == 1
    assert len(k["sources"]) == 1 and n_weak >= 1
    assert n_appendix >= math.ceil((len(b.weak) - TOP_FOCUS) / 12)
    titles = [title(s) for s in prs.slides]
    assert titles == ([DECK_TITLE] + [f"{LABELS[i.index_code]}: điểm và thứ hạng qua các năm" for i in b.indices]
                      + [WEAK] + [WEAK + " (tiếp)"] * (n_weak - 1)
                      + [f"Trọng tâm năm {b.plan_year}: điểm cần để lên hạng", "Nguồn số liệu"]
                      + [APPENDIX_TITLE] + [APPENDIX_TITLE + " (tiếp)"] * (n_appendix - 1))
    cover = text(k["title"][0])
    assert b.entity_name in cover and f"năm đánh giá {b.year}" in cover
    assert b.generated.strftime("%d/%m/%Y") in cover


def test_thanh_hoa_has_par_papi_and_pci_only(th, th_deck):
    assert [i.index_code for i in th.indices] == ["PAR", "PAPI", "PCI"]  # PAR INDEX 2021 from the press
    k = kinds(th, th_deck)
    assert len(th_deck.slides) == 1 + 3 + len(k["weak"]) + 2 + len(k["appendix"])


def test_no_pictures_anywhere(vl_deck, th_deck):
    for prs in (vl_deck, th_deck):
        for s in prs.slides:
            assert not [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]


# --- index slides ----------------------------------------------------------------------

@pytest.mark.parametrize("which", ["vl", "th"])
def test_index_charts_hold_the_trend_exactly(which, request):
    b, prs = request.getfixturevalue(which), request.getfixturevalue(which + "_deck")
    for it, slide in zip(b.indices, kinds(b, prs)["index"]):
        assert title(slide).startswith(LABELS[it.index_code])
        assert it.name in text(slide)
        charts = [sh.chart for sh in slide.shapes if sh.has_chart]
        assert len(charts) == 2
        by_type = {c.chart_type: c for c in charts}
        col, line = by_type[XL_CHART_TYPE.COLUMN_CLUSTERED], by_type[XL_CHART_TYPE.LINE_MARKERS]
        years = [str(int(y)) for y in it.trend.year]
        assert list(col.plots[0].categories) == years and list(line.plots[0].categories) == years
        assert list(col.plots[0].series[0].values) == expected_points(it.trend)
        assert list(line.plots[0].series[0].values) == expected_ranks(it.trend)
        assert line.value_axis.reverse_order is True
        assert col.value_axis.reverse_order is False


@pytest.mark.parametrize("which", ["vl", "th"])
def test_index_summary_names_latest_points_rank_and_change(which, request):
    b, prs = request.getfixturevalue(which), request.getfixturevalue(which + "_deck")
    for it, slide in zip(b.indices, kinds(b, prs)["index"]):
        t = text(slide)
        assert f"{vn(it.latest_points)} điểm" in t
        rank = f"hạng {it.latest_rank}/{it.latest_n}" + (RANK_COMPUTED if it.rank_computed else "")
        assert rank in t and "tự tính" not in t  # no dashboard shorthand on a slide
        if not it.rank_computed:
            assert f"hạng {it.latest_rank}/{it.latest_n}{RANK_COMPUTED}" not in t
        if it.change_points is not None:  # Thanh Hóa's PAR INDEX: one year only
            word = "tăng" if it.change_points > 0 else "giảm"
            assert f"{word} {vn(abs(it.change_points))} điểm so với năm {it.latest_year - 1}" in t
        # the index's own badge when its figures are illustrative; the deck's mark on every slide
        assert any(r.text == BADGE for r in runs(slide)) == it.is_illustrative
        assert (FOOTER in t) == b.is_illustrative


def test_thanh_hoa_pci_rank_is_published_not_computed(th, th_deck):
    pci = dict(zip((i.index_code for i in th.indices), kinds(th, th_deck)["index"]))["PCI"]
    assert "hạng 21/63" in text(pci) and RANK_COMPUTED not in text(pci)


def test_missing_years_become_gaps_not_zeros(vl):
    par = vl.indices[0]
    trend = par.trend.copy()
    trend["points"] = trend.points.astype(float)
    trend["rank"] = trend["rank"].astype("Int64")
    trend.loc[1, "points"] = float("nan")
    trend.loc[2, "rank"] = pd.NA
    b = dataclasses.replace(vl, indices=[dataclasses.replace(par, trend=trend)])
    slide = kinds(b, open_deck(b))["index"][0]
    charts = {sh.chart.chart_type: sh.chart for sh in slide.shapes if sh.has_chart}
    points = list(charts[XL_CHART_TYPE.COLUMN_CLUSTERED].plots[0].series[0].values)
    ranks = list(charts[XL_CHART_TYPE.LINE_MARKERS].plots[0].series[0].values)
    assert points[1] is None and points == expected_points(trend)
    assert ranks[2] is None and ranks == expected_ranks(trend)


# --- weak-criteria table ---------------------------------------------------------------

def expected_weak(w) -> list[list[str]]:
    return [[LABELS[r.index_code], r.criterion_code, r.criterion_name, "; ".join(r.reasons),
             "; ".join(r.lead_units) if len(r.lead_units) else "— chưa giao —"]
            for r in w.itertuples(index=False)]


@pytest.mark.parametrize("which", ["vl", "th"])
def test_weak_table_leads_with_the_top_ten_and_the_appendix_holds_the_rest(which, request):
    b, prs = request.getfixturevalue(which), request.getfixturevalue(which + "_deck")
    rows = []
    for slide in kinds(b, prs)["weak"]:
        (tbl,) = tables(slide)
        head, *body = table_rows(tbl)
        assert head == ["Chỉ số", "Mã", "Tiêu chí", "Lý do", "Cơ quan chủ trì"]
        assert 1 <= len(body) <= 12
        rows += body
    assert len(rows) == TOP_FOCUS == 10
    assert rows == expected_weak(b.weak.head(10))          # the most urgent, in the list's order
    rest = appendix_rows(b, prs)
    assert len(rest) == len(b.weak) - 10
    assert rest == expected_weak(b.weak.iloc[10:])         # with their lead units, as in the main part
    assert list(b.weak.priority) == sorted(b.weak.priority)      # priority-1 rows lead


def test_unassigned_criteria_say_so_and_units_keep_their_diacritics(vl, vl_deck):
    k = kinds(vl, vl_deck)
    t = "\n".join(text(s) for s in k["weak"] + k["appendix"])
    assert "Phòng Văn hóa và Thông tin" in t
    assert "— chưa giao —" in t            # DDCI criteria have no lead unit in the plan
    assert "giảm 3 năm liên tiếp" in t


def test_long_appendix_continues_on_extra_slides(vl):
    weak = pd.concat([vl.weak] * 3, ignore_index=True)
    climb = pd.concat([vl.climb] * 3, ignore_index=True)
    b = dataclasses.replace(vl, weak=weak, climb=climb)
    prs = open_deck(b)
    k = kinds(b, prs)
    codes = [row[1] for s in k["weak"] for row in table_rows(tables(s)[0])[1:]]
    assert codes == list(weak.criterion_code[:10])
    assert len(k["appendix"]) >= math.ceil((len(weak) - 10) / 12)
    assert [title(s) for s in k["appendix"]] == [APPENDIX_TITLE] + [APPENDIX_TITLE + " (tiếp)"] * (len(k["appendix"]) - 1)
    assert [row[1] for row in appendix_rows(b, prs)] == list(weak.criterion_code[10:])
    assert all(FOOTER in text(s) for s in prs.slides)


def test_a_short_focus_list_has_no_appendix(vl):
    b = dataclasses.replace(vl, weak=vl.weak.head(7), climb=vl.climb.head(7))
    prs = open_deck(b)
    k = kinds(b, prs)
    assert not k["appendix"] and not k["other"]
    assert [row[1] for s in k["weak"] for row in table_rows(tables(s)[0])[1:]] == list(vl.weak.criterion_code[:7])
    assert title(prs.slides[len(prs.slides) - 1]) == "Nguồn số liệu"


def test_empty_focus_list_still_gives_the_slides(vl):
    b = dataclasses.replace(vl, weak=vl.weak.iloc[0:0], climb=vl.climb.iloc[0:0])
    k = kinds(b, open_deck(b))
    assert len(k["weak"]) == 1 and len(k["focus"]) == 1 and not k["appendix"]
    assert not tables(k["weak"][0]) and not tables(k["focus"][0])


# --- focus slide -----------------------------------------------------------------------

@pytest.mark.parametrize("which", ["vl", "th"])
def test_focus_table_shows_points_to_climb(which, request):
    b, prs = request.getfixturevalue(which), request.getfixturevalue(which + "_deck")
    (slide,) = kinds(b, prs)["focus"]
    assert f"Trọng tâm năm {b.plan_year}" in title(slide)
    (tbl,) = tables(slide)
    head, *body = table_rows(tbl)
    assert head == ["Chỉ số", "Mã", "Tiêu chí", "Điểm hiện tại", "Có thể lấy lại", "Để lên 1 hạng",
                    "Vào nhóm 1/3 đầu"]
    n = min(10, len(b.weak))
    assert len(body) == n
    w, c = b.weak.head(n), b.climb.head(n)
    assert [r[1] for r in body] == list(w.criterion_code)
    assert [r[3] for r in body] == [vn(v) for v in w.points]
    assert [r[4] for r in body] == [vn(v) for v in w.points_recoverable]
    assert [r[5] for r in body] == [climb_cell(v, p) for v, p in zip(c.points_to_next_rank, c.next_rank_possible)]
    assert [r[6] for r in body] == [climb_cell(v, p) for v, p in zip(c.points_to_top, c.top_possible)]


def test_focus_cells_distinguish_impossible_from_unknown(vl, vl_deck, th):
    (slide,) = kinds(vl, vl_deck)["focus"]
    climb_col = [r[5] for r in table_rows(tables(slide)[0])[1:]]
    assert "không thể" in climb_col                 # PAR 3.4 needs more than it can recover
    assert "1,75" in climb_col                     # PAR 7.3 can climb with 1,75 points
    # Thanh Hóa's PCI rows have no peer criterion scores: unknown, not impossible.
    pci = th.weak.index[th.weak.index_code == "PCI"]
    b = dataclasses.replace(th, weak=th.weak.loc[pci].reset_index(drop=True),
                            climb=th.climb.loc[pci].reset_index(drop=True))
    (slide,) = kinds(b, open_deck(b))["focus"]
    assert {r[5] for r in table_rows(tables(slide)[0])[1:]} == {"—"}


# --- sources, illustrative marking, text -----------------------------------------------

def test_vinh_loc_carries_the_illustrative_notice_everywhere_it_shows_figures(vl, vl_deck):
    assert vl.is_illustrative
    k = kinds(vl, vl_deck)
    (src,) = k["sources"]
    notice = [r for r in runs(src) if r.text == ILLUSTRATIVE_NOTICE]
    assert notice and notice[0].font.bold and notice[0].font.color.rgb == RED
    assert len(k["appendix"]) >= 1
    for s in vl_deck.slides:  # title, indices, weak, focus, sources and appendix slides alike
        footer = [r for r in runs(s) if r.text == FOOTER]
        assert len(footer) == 1, title(s)
        assert footer[0].font.color.rgb == RED and footer[0].font.bold
    t = text(src)
    assert all(s in t for s in vl.sources) and vl.plan_title in t


def test_thanh_hoa_shows_no_illustrative_marking(th, th_deck):
    assert not th.is_illustrative
    t = deck_text(th_deck).lower()
    assert "minh họa" not in t and ILLUSTRATIVE_NOTICE.lower() not in t
    (src,) = kinds(th, th_deck)["sources"]
    assert all(s in text(src) for s in th.sources)


def test_vietnamese_text_is_intact_and_in_a_font_with_vietnamese_glyphs(vl_deck, th_deck):
    t = deck_text(vl_deck)
    for phrase in ("Phòng Văn hóa và Thông tin", f"Trọng tâm năm {next_plan_year(2024)}", "Tiêu chí đang giảm hoặc xếp hạng thấp",
                   "Kết quả các chỉ số quản trị và hành chính công", "Nguồn số liệu"):
        assert phrase in t
    for prs in (vl_deck, th_deck):
        for s in prs.slides:
            for r in runs(s):
                assert unicodedata.is_normalized("NFC", r.text)
                assert r.font.name == "Arial", r.text
            for tbl in tables(s):
                for row in tbl.rows:
                    for c in row.cells:
                        for p in c.text_frame.paragraphs:
                            for r in p.runs:
                                assert Pt(11) <= r.font.size <= Pt(12)


def test_write_deck_writes_an_openable_file(vl, tmp_path):
    path = write_deck(vl, tmp_path / "bao-cao.pptx")
    prs = Presentation(str(path))
    assert title(prs.slides[0]) == DECK_TITLE
