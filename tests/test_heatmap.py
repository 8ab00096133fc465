"""The criteria × years heatmap of «Chỉ số thành phần» (metrics/heatmap.py): coloured by the
position among peers, one framework version at a time, full criterion names; and the
one-criterion panel that says which rank is which."""
import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from domain.text import format_number
from metrics import criteria, heatmap

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = "VN-38-393"  # Huyện Vĩnh Lộc: SIPAS 2.2 last of 27 in 2024 with 73,7 % of the maximum


def _row(g: heatmap.Grid, code: str) -> int:
    return g.codes.index(code)


def test_a_last_place_is_red_however_high_its_percentage(con):
    m = criteria.criterion_metrics(con, DISTRICT, "SIPAS")
    cell = m[(m.criterion_code == "2.2") & (m.year == 2024)].iloc[0]
    assert (int(cell["rank"]), int(cell.n_ranked)) == (27, 27) and cell.pct > 70  # green on a 0–100 % scale
    current, _ = heatmap.grids(m, 2024)
    z = current.z[_row(current, "2.2")][current.years.index(2024)]
    assert z == 0.0  # the worst colour: last among the peers
    assert z == min(v for row in current.z for v in row if v is not None)
    assert current.bases == {heatmap.POSITION}
    assert current.text[_row(current, "2.2")][current.years.index(2024)] == "27"
    hover = current.hover[_row(current, "2.2")][current.years.index(2024)]
    assert "2.2 · Thủ tục hành chính" in hover and "Năm 2024" in hover and "Hạng 27/27" in hover
    assert "Điểm: 73,70 / 100,00" in hover and "73,7% điểm tối đa" in hover
    # the first of the group is the best colour; a middle rank sits in between
    assert heatmap.position(1, 27, 3) == 1.0 and heatmap.position(14, 27, 3) == 0.5
    assert "đỏ = nhóm cuối" in current.caption and "xanh = nhóm đầu" in current.caption
    assert "Vị trí" in current.colour_title


def test_only_the_version_in_force_by_default_the_others_apart(con):
    m = criteria.criterion_metrics(con, "VN-38", "PAPI")  # five versions of PAPI since 2011
    current, older = heatmap.grids(m, 2024)
    assert current.framework == "PAPI-2021" and current.years == [2021, 2022, 2023, 2024]
    leaf = m[(m.framework == "PAPI-2021") & m.is_leaf & m.criterion_code.notna()]
    assert set(current.codes) == set(leaf.criterion_code)
    assert len(current.codes) == 28  # not a hundred rows, most of them empty
    assert all(v is not None for row in current.z for v in row)  # no empty cell in the version's own years
    assert [g.framework for g in older] == ["PAPI-2019", "PAPI-2018", "PAPI-2016", "PAPI-2011"]
    assert all(max(g.years) < 2021 for g in older)
    # an old year shows its own version; the later ones are the «others»
    current, older = heatmap.grids(m, 2016)
    assert current.framework == "PAPI-2016" and "PAPI-2021" in [g.framework for g in older]


def test_labels_keep_the_whole_name_wrapped(con):
    m = criteria.criterion_metrics(con, DISTRICT, "PAR")
    current, _ = heatmap.grids(m, 2024)
    names = m[m.is_leaf & m.criterion_code.notna()].groupby("criterion_code").criterion_name.last()
    assert any(len(n) > 48 for n in names)  # names the old chart cut at 48 characters
    for code, label in zip(current.codes, current.labels):
        assert label.replace("<br>", " ") == f"{code} · {names[code]}"
        assert all(len(line) <= heatmap.WRAP for line in label.split("<br>"))
    # a row is as tall as its label
    heights = [b - a for a, b in zip(current.y_edges, current.y_edges[1:])]
    assert heights == [heatmap.LINE_PX * (label.count("<br>") + 1) + heatmap.ROW_PAD_PX for label in current.labels]
    assert len(set(heights)) > 1
    assert current.codes[:3] == ["1.1", "1.2", "1.3"] and current.codes.index("1.7") < current.codes.index("2.1")


def test_without_a_ranking_the_colour_is_the_percentage_and_says_so():
    m = pd.DataFrame({
        "year": [2024, 2024], "index_code": "PAR", "framework": "X-1", "criterion_code": ["1", "2"],
        "criterion_name": ["Một", "Hai"], "is_leaf": True, "points": [8.0, 3.0], "max_points": [10.0, 10.0],
        "pct": [80.0, 30.0], "rank": [1, 1], "n_ranked": [1, 1], "rank_computed": True})
    current, older = heatmap.grids(m, 2024, min_peers=3)
    assert current.bases == {heatmap.PCT} and not older
    assert current.z == [[0.8], [0.3]] and current.text == [["80%"], ["30%"]]
    assert "% điểm tối đa" in current.caption and "Không có hạng" in current.caption
    assert "% điểm" in current.colour_title
    assert "Màu theo % điểm tối đa" in current.hover[0][0]


def test_criteria_with_neither_rank_nor_maximum_are_named_not_drawn(con):
    # Thanh Hóa's PAR INDEX 2021: areas 7 and 8 ranked among 63 provinces, 1–6 published alone, no maximum
    current, _ = heatmap.grids(criteria.criterion_metrics(con, "VN-38", "PAR"), 2021)
    assert current.codes == ["7", "8"] and current.left_out == ["1", "2", "3", "4", "5", "6"]
    assert "6 tiêu chí (1, 2, 3, 4, 5, 6)" in current.caption


def test_nothing_to_colour_gives_no_grid():
    """An all-empty heatmap blanks the page in the browser: no grid at all."""
    m = pd.DataFrame({"year": [2024], "index_code": "PAR", "framework": "X-1", "criterion_code": ["1"],
                      "criterion_name": ["Một"], "is_leaf": True, "points": [8.0], "max_points": [None],
                      "pct": [None], "rank": [None], "n_ranked": [None], "rank_computed": False})
    assert heatmap.grids(m, 2024) == (None, [])
    assert heatmap.grids(m.iloc[0:0], 2024) == (None, [])


def test_the_panel_says_which_rank_is_which(con):
    m = criteria.criterion_metrics(con, DISTRICT, "SIPAS", 2024)
    row = m[m.criterion_code == "2.2"].iloc[0]
    total = m[m.criterion_code.isna()].iloc[0]
    climb = criteria.points_to_climb(con, DISTRICT, 2024, "SIPAS")
    c = climb[climb.criterion_code == "2.2"].iloc[0]
    lines = heatmap.panel_lines(row, total, c)
    text = "\n".join(lines)
    assert "**Hạng của tiêu chí này:** 27/27" in text
    assert f"**Hạng điểm tổng của chỉ số:** {int(total['rank'])}/{int(total.n_ranked)}" in text
    climb_line = next(line for line in lines if line.startswith("**Điểm tổng của chỉ số cần thêm để lên một hạng:**"))
    assert "điểm tổng, tức thêm" in climb_line and "điểm ở riêng tiêu chí này" in climb_line
    assert f"**{format_number(c.points_to_next_rank)}**" in climb_line
    assert format_number(c.next_total - c.total) in climb_line
    # no ranking at all: said in words, not «1/1»
    alone = row.copy()
    alone["rank"], alone["n_ranked"] = 1, 1
    assert "chưa có" in heatmap.panel_lines(alone, None, None)[1]


# ---------------------------------------------------------------- the page

def _page(entity: str, index: str, year: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/chi_so_thanh_phan.py"), default_timeout=90)
    at.session_state["entity"], at.session_state["index"], at.session_state["year"] = entity, index, year
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_the_page_draws_positions_and_labels_its_ranks(fresh_caches):
    at = _page(DISTRICT, "SIPAS", 2024)
    heat = [f for f in _figures(at) if f["data"][0]["type"] == "heatmap"]
    assert len(heat) == 1
    trace = heat[0]["data"][0]
    assert trace["zmin"] == 0 and trace["zmax"] == 1 and "Vị trí" in trace["colorbar"]["title"]["text"]
    shown = "\n".join(c.value for c in at.caption) + "\n".join(m.value for m in at.markdown)
    assert "đỏ = nhóm cuối, vàng = giữa, xanh = nhóm đầu" in shown
    assert "**Hạng của tiêu chí này:**" in shown and "**Điểm tổng của chỉ số cần thêm để lên một hạng:**" in shown
    assert not at.toggle  # one framework version only: nothing older to offer


def test_older_versions_on_demand(fresh_caches):
    at = _page("VN-38", "PAPI", 2024)
    heat = [f for f in _figures(at) if f["data"][0]["type"] == "heatmap"]
    assert len(heat) == 1 and len(at.toggle) == 1 and at.toggle[0].label.startswith("Xem cả các phiên bản bộ tiêu chí cũ")
    at.toggle[0].set_value(True).run()
    assert not at.exception
    assert len([f for f in _figures(at) if f["data"][0]["type"] == "heatmap"]) == 5
