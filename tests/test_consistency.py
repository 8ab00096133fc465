"""Figures that never contradict each other: comparisons only where they mean something,
units only from the viewed entity's own plan, titles and levels named as documents name them."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from domain.entities import authority
from metrics import criteria
from metrics.compare import compare
from tests.small_db import make_db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def page_db(tmp_path, app_database):
    """Run a page against a hand-made database."""
    def make(rows, **kw):
        path = tmp_path / "page.duckdb"
        make_db(path, rows, **kw).close()
        return app_database(path)
    return make


def run_page(page: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at) -> str:
    return "\n".join(str(e.value) for kind in ("info", "caption", "warning", "markdown") for e in getattr(at, kind))


def test_one_unit_group_draws_no_comparison_and_shows_the_published_rank(page_db):
    page_db([(2021, "PCI", None, "VN-38", 63.21, 43, 63)])
    at = run_page("so_sanh.py", entity="VN-38", index="PCI", year=2021)
    assert "không vẽ" in shown(at)
    assert not at.get("plotly_chart")  # no bar of one, no histogram of one, no map of one
    assert at.metric[0].value == "43/63"


def test_a_top_list_is_not_drawn_as_a_comparison(page_db):
    # PCI 2023+: VCCI publishes the scores of the top 30 only
    rows = [(2024, "PCI", None, c, p, r, 63) for c, p, r in (("VN-01", 70.0, 1), ("VN-48", 69.0, 2), ("VN-79", 68.5, 3))]
    page_db(rows + [(2024, "PCI", None, "VN-38", 67.0, 20, 63)])
    at = run_page("so_sanh.py", entity="VN-38", index="PCI", year=2024)
    assert "xếp hạng 63 đơn vị nhưng chỉ công bố" in shown(at)
    assert not at.get("plotly_chart") and at.metric[0].value == "20/63"
    assert list(at.dataframe[0].value["Hạng"] if "Hạng" in at.dataframe[0].value else at.dataframe[0].value["rank"]) \
        == ["1/63", "2/63", "3/63", "20/63"]


def test_a_few_missing_peers_are_said_and_ranks_stay_in_the_published_group(page_db):
    rows = [(2024, "PCI", None, c, p) for c, p in (("VN-01", 70.0), ("VN-48", 69.0), ("VN-79", 68.5))]
    page_db(rows + [(2024, "PCI", None, "VN-38", 67.0, 5, 6)])
    at = run_page("so_sanh.py", entity="VN-38", index="PCI", year=2024)
    text = shown(at)
    assert "xếp hạng 6 đơn vị nhưng chỉ có điểm của 4" in text and "thiếu 2" in text
    assert len(at.get("plotly_chart")) >= 2


def test_bar_axis_does_not_start_at_zero(page_db):
    page_db([(2024, "PCI", None, c, p) for c, p in (("VN-01", 93.0), ("VN-48", 85.0), ("VN-79", 88.0), ("VN-38", 86.0))])
    at = run_page("so_sanh.py", entity="VN-38", index="PCI", year=2024)
    import json
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    lo, hi = fig["layout"]["xaxis"]["range"]
    assert 80 < lo < 85 and 93 < hi < 95


def test_a_unit_that_no_longer_existed_is_nobodys_peer(tmp_path):
    rows = [(2010, "PCI", None, c, p) for c, p in (("VN-01", 60.0), ("VN-HATAY", 61.0), ("VN-38", 55.0), ("VN-48", 64.0))]
    con = make_db(tmp_path / "h.duckdb", rows)
    c = compare(con, "VN-38", "PCI", 2010)
    assert "VN-HATAY" not in set(c.peers.entity_code) and c.n_scored == 3


def test_published_inversions_are_named(tmp_path):
    rows = [(2024, "PCI", None, "VN-01", 70.0, 1, 63), (2024, "PCI", None, "VN-48", 72.0, 2, 63),
            (2024, "PCI", None, "VN-38", 60.0), (2024, "PCI", None, "VN-79", 65.0)]
    c = compare(make_db(tmp_path / "i.duckdb", rows), "VN-38", "PCI", 2024)
    assert c.inverted == [("Hà Nội", "Đà Nẵng")]
    assert list(c.peers.entity_code) == ["VN-01", "VN-48", "VN-79", "VN-38"]


def test_province_scores_are_not_assigned_to_the_district_plan(con):
    assert criteria.responsibility(con, entity_code="VN-38").empty
    assert len(criteria.responsibility(con, entity_code="VN-38-393")) > 50
    weak = criteria.focus_list(con, "VN-38", 2024)
    assert len(weak) and all(len(u) == 0 for u in weak.lead_units)  # Phòng GD&ĐT does not lead Thanh Hóa's SC62
    assert criteria.plans_of(con, "VN-38") == [] and criteria.plans_of(con, "VN-38-393") == ["VL-2023-2025"]


def test_province_view_says_no_plan_covers_it(built_db, app_database):
    app_database(built_db)
    at = run_page("chi_so_thanh_phan.py", entity="VN-38", index="PAPI", year=2024)
    units = at.dataframe[0].value["lead_units"]
    assert set(units) == {criteria.NO_PLAN}
    assert "chưa có kế hoạch giao việc" in shown(at)


@pytest.mark.parametrize("name,level,expected", [
    ("Thanh Hóa", "province", "UBND tỉnh Thanh Hóa"), ("Hà Nội", "province", "UBND thành phố Hà Nội"),
    ("Huyện Vĩnh Lộc", "district", "UBND huyện Vĩnh Lộc"), ("Thành phố Thanh Hóa", "district", "UBND thành phố Thanh Hóa"),
    ("Thị xã Bỉm Sơn", "district", "UBND thị xã Bỉm Sơn"), ("Tây Đô", "commune", "UBND xã Tây Đô")])
def test_authority_names(name, level, expected):
    assert authority(name, level) == expected


def test_task_table_of_the_province_is_addressed_to_the_province(built_db, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "t.xlsx"
    r = subprocess.run([sys.executable, "-m", "briefing", "tasks", "--entity", "Thanh Hóa", "--year", "2024",
                        "--db", str(built_db), "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    import openpyxl
    ws = openpyxl.load_workbook(out).active
    assert "của UBND tỉnh Thanh Hóa)" in ws["A2"].value


def test_a_province_par_index_shows_its_eight_areas(con, built_db, app_database):
    # PAR INDEX 2021 of Thanh Hóa (press): 8 areas with no criteria under them are what units act on
    m = criteria.criterion_metrics(con, "VN-38", "PAR", 2021)
    leaves = m[m.is_leaf]
    assert len(leaves) == 8 and leaves.framework.unique().tolist() == ["PAR-BNV-2021"]
    app_database(built_db)
    at = run_page("chi_so_thanh_phan.py", entity="VN-38", index="PAR", year=2021)
    table = at.dataframe[0].value
    assert len(table) == 8 and 14.18 in set(table["points"])
