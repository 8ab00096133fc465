"""Metrics on small hand-made tables with hand-written expectations, and the SQL against
the pandas reference on the shipped data and on generated data."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import criteria
from metrics.criteria import Thresholds
from bench.reference_metrics import reference_metrics, reference_points_to_climb, tables
from tests.conftest import examples
from tests.small_db import make_db

TH = Thresholds(decline_pct_points=2.0, decline_years_running=2, low_rank_fraction=1 / 3,
                below_median=True, top_fraction=1 / 3, min_peers=3)
# four Thanh Hóa districts as peers
A, B, C, D = "VN-38-393", "VN-38-399", "VN-38-405", "VN-38-380"


def metric(con, entity, index, crit, year, th=TH):
    m = criteria.criterion_metrics(con, entity, index, year, th)
    m = m[m.criterion_code.isna()] if crit is None else m[m.criterion_code == crit]
    assert len(m) == 1
    return m.iloc[0]


def test_ties_share_the_better_rank(tmp_path):
    con = make_db(tmp_path / "t.duckdb", [(2023, "DDCI", None, e, p) for e, p in
                                          [(A, 70.0), (B, 80.0), (C, 80.0), (D, 60.0)]])
    got = {e: int(metric(con, e, "DDCI", None, 2023)["rank"]) for e in (A, B, C, D)}
    assert got == {B: 1, C: 1, A: 3, D: 4}
    r = metric(con, A, "DDCI", None, 2023)
    assert (r.n_ranked, r.rank_computed, r.peer_median, r.peer_best, r.gap_to_median, r.gap_to_best) == \
           (4, True, 75.0, 80.0, -5.0, -10.0)


def test_published_rank_is_used_as_published(tmp_path):
    con = make_db(tmp_path / "t.duckdb", [(2023, "DDCI", None, A, 70.0, 12, 27), (2023, "DDCI", None, B, 80.0)])
    r = metric(con, A, "DDCI", None, 2023)
    assert (r["rank"], r.n_ranked, r.rank_computed) == (12, 27, False)


def test_missing_years_and_missing_values(tmp_path):
    con = make_db(tmp_path / "t.duckdb", [(2021, "DDCI", None, A, 70.0), (2023, "DDCI", None, A, 65.0),
                                          (2024, "DDCI", None, A, None), (2023, "DDCI", None, B, 50.0)])
    r = metric(con, A, "DDCI", None, 2023)
    assert (r.prev_year, r.change_points, r.change_pct_points) == (2021, -5.0, -5.0)  # previous *assessed* year
    r = metric(con, A, "DDCI", None, 2024)
    assert r.no_data and pd.isna(r.points) and pd.isna(r.change_points) and pd.isna(r["rank"])
    assert not r.declining and not r.low_ranked  # missing is missing, not zero, not a fall


def test_a_maximum_that_changes_between_years(tmp_path):
    # criterion 1.1 was marked out of 2 in 2022 and out of 3 in 2023: 1.5/2 -> 2.0/3
    con = make_db(tmp_path / "t.duckdb", [(2022, "PAR", "1.1", A, 1.5, None, None, 2.0),
                                          (2023, "PAR", "1.1", A, 2.0, None, None, 3.0)])
    r = metric(con, A, "PAR", "1.1", 2023)
    assert pd.isna(r.change_points)  # points out of different maxima are not comparable
    assert r.change_pct_points == pytest.approx(66.6667 - 75.0, abs=1e-3)
    assert r.declining  # fell 8.3 percentage points


def test_papi_framework_break_2017_2018(tmp_path):
    con = make_db(tmp_path / "t.duckdb", [(2017, "PAPI", "SC21", "VN-38", 1.8), (2018, "PAPI", "SC21", "VN-38", 1.2),
                                          (2017, "PAPI", None, "VN-38", 37.0), (2018, "PAPI", None, "VN-38", 45.0)])
    r = metric(con, "VN-38", "PAPI", "SC21", 2018)
    assert r.break_before and pd.isna(r.change_points) and not r.declining  # poverty lists ≠ access to information
    assert (r.framework, r.criterion_name) == ("PAPI-2018", "Tiếp cận thông tin")
    t = metric(con, "VN-38", "PAPI", None, 2018)
    assert t.break_before and pd.isna(t.change_points)  # total out of 60 -> out of 80


def test_unchanged_criterion_is_comparable_across_versions(tmp_path):
    # SC11 civic knowledge: same label and maximum in PAPI-2019 and PAPI-2021
    con = make_db(tmp_path / "t.duckdb", [(2020, "PAPI", "SC11", "VN-38", 1.5), (2021, "PAPI", "SC11", "VN-38", 1.2)])
    r = metric(con, "VN-38", "PAPI", "SC11", 2021)
    assert not r.break_before and r.change_points == pytest.approx(-0.3)


@pytest.mark.parametrize("points,declining", [((80, 78.01), False), ((80, 77.99), True)])
def test_decline_threshold_in_one_year(tmp_path, points, declining):
    con = make_db(tmp_path / "t.duckdb", [(2022, "DDCI", None, A, points[0]), (2023, "DDCI", None, A, points[1])])
    assert bool(metric(con, A, "DDCI", None, 2023).declining) is declining


def test_decline_two_years_running(tmp_path):
    con = make_db(tmp_path / "t.duckdb", [(2021, "DDCI", None, A, 80.0), (2022, "DDCI", None, A, 79.5),
                                          (2023, "DDCI", None, A, 79.0), (2024, "DDCI", None, A, 79.5)])
    assert [bool(metric(con, A, "DDCI", None, y).declining) for y in (2022, 2023, 2024)] == [False, True, False]
    assert int(metric(con, A, "DDCI", None, 2023).decline_run) == 2
    th3 = Thresholds(2.0, 3, 1 / 3, True, 1 / 3, 3)
    assert not metric(con, A, "DDCI", None, 2023, th3).declining


def test_low_rank_thresholds(tmp_path):
    # six peers: the bottom third is ranks 5 and 6; below the median is ranks 4–6
    pts = [90.0, 85.0, 80.0, 75.0, 70.0, 65.0]
    ents = ["VN-38-380", "VN-38-381", "VN-38-382", "VN-38-384", "VN-38-385", "VN-38-386"]
    con = make_db(tmp_path / "t.duckdb", [(2023, "DDCI", None, e, p) for e, p in zip(ents, pts)])
    flags = [(bool(metric(con, e, "DDCI", None, 2023).low_ranked),
              bool(metric(con, e, "DDCI", None, 2023, Thresholds(2.0, 2, 1 / 3, False, 1 / 3, 3)).low_ranked))
             for e in ents]
    assert flags == [(False, False), (False, False), (False, False), (True, False), (True, True), (True, True)]


def test_a_rank_among_too_few_peers_is_not_low(tmp_path):
    # alone, or one of two: last place says nothing, and no rank is given at all («2/2»)
    con = make_db(tmp_path / "t.duckdb", [(2023, "DDCI", None, A, 60.0), (2023, "DDCI", None, B, 70.0)])
    r = metric(con, A, "DDCI", None, 2023)
    assert pd.isna(r["rank"]) and (r.n_ranked, r.low_ranked, r.rank_note) == (2, False, "few_peers")
    con = make_db(tmp_path / "u.duckdb", [(2023, "DDCI", None, A, 60.0), (2023, "DDCI", None, B, 70.0),
                                          (2023, "DDCI", None, C, 65.0)])
    r = metric(con, A, "DDCI", None, 2023)
    assert (r["rank"], r.n_ranked, r.low_ranked, r.rank_note) == (3, 3, True, None)
    assert not metric(con, A, "DDCI", None, 2023, Thresholds(2.0, 2, 1 / 3, True, 1 / 3, 4)).low_ranked


def test_successors_after_2025(tmp_path):
    con = make_db(tmp_path / "t.duckdb", [(2024, "DDCI", None, A, 60.0), (2024, "DDCI", None, B, 70.0),
                                          (2025, "DDCI", None, "VN-38-15349", 66.0),
                                          (2025, "DDCI", None, "VN-38-15382", 61.0)])
    r = criteria.ranks(con, A, "DDCI")
    assert list(r.year) == [2024, 2025, 2025]
    assert list(r.entity_name) == ["Huyện Vĩnh Lộc", "Xã Biện Thượng", "Xã Vĩnh Lộc"]
    assert list(r.via_successor) == [False, True, True]
    assert r.break_before.tolist() == [False, True, True]  # a district and a commune are not one series


def test_points_to_climb_possible_and_impossible(tmp_path):
    # PAR totals are sums: A has 85, the one above has 86.5, the top third starts at 90
    rows = [(2023, "PAR", None, e, p) for e, p in [(A, 85.0), (B, 86.5), (C, 90.0), (D, 80.0)]]
    rows += [(2023, "PAR", "1.1", A, 1.0), (2023, "PAR", "8.1", A, 15.0)]  # max 2 and 20
    con = make_db(tmp_path / "t.duckdb", rows)
    c = criteria.points_to_climb(con, A, 2023, "PAR", TH).set_index("criterion_code")
    assert (c.loc["1.1", "points_to_next_rank"], c.loc["1.1", "headroom"], c.loc["1.1", "next_rank_possible"]) == (1.5, 1.0, False)
    assert (c.loc["8.1", "points_to_next_rank"], c.loc["8.1", "next_rank_possible"]) == (1.5, True)
    assert (c.loc["8.1", "points_to_top"], c.loc["8.1", "top_possible"]) == (5.0, True)
    assert not c.loc["1.1", "top_possible"]


def test_points_to_climb_for_a_weighted_index(tmp_path):
    # DDCI weights are 12.5 % (8 components, equal weights assumed): one point on a 0–10
    # component moves the total by 1.25
    rows = [(2023, "DDCI", None, A, 60.0), (2023, "DDCI", None, B, 61.0), (2023, "DDCI", "2", A, 5.0)]
    con = make_db(tmp_path / "t.duckdb", rows)
    c = criteria.points_to_climb(con, A, 2023, "DDCI", TH).set_index("criterion_code")
    assert c.loc["2", "points_to_next_rank"] == pytest.approx(0.8, abs=1e-4)


def test_focus_list_reasons_and_units(con):
    f = criteria.focus_list(con, "VN-38-393", 2024, "PAR")
    row = f[f.criterion_code == "7.3"].iloc[0]
    assert row.priority == 1
    assert row.reasons[0] == "giảm 3 năm liên tiếp" and row.reasons[1].startswith("hạng 27/27")
    assert row.lead_units == ["Phòng Văn hóa và Thông tin"]
    assert "UBND cấp xã" in row.support_units
    assert row.points_recoverable == pytest.approx(min(row.max_points, 4.0) - row.points, abs=2)
    assert list(f.priority) == sorted(f.priority)


def test_coverage_on_the_plan(con):
    assert criteria.coverage(con)[["index_code", "criterion_code"]].values.tolist() == [["PAPI", "SC61"]]
    assert len(criteria.coverage(con, "DDCI")) == 8  # the plan has no DDCI table; 8 published components


def test_unit_duties_through_groups(con):
    d = criteria.unit_duties(con, "phong_noi_vu")
    direct = d[d.via_group.isna()]
    assert ("PAR", "1.1", "lead") in set(zip(direct.index_code, direct.plan_code, direct.role))
    via = d[d.via_group == "Các phòng, ban, ngành, đơn vị cấp huyện"]
    assert ("PAR", "1.4", "lead") in set(zip(via.index_code, via.plan_code, via.role))


# ---------------------------------------------------------------- SQL = pandas reference

COMPARE = ["points", "max_points", "pct", "rank", "n_ranked", "rank_computed", "prev_year", "break_before",
           "change_points", "change_pct_points", "rank_change", "peer_median", "peer_best", "gap_to_median",
           "gap_to_best", "decline_run", "no_data", "declining", "low_ranked", "is_illustrative"]
KEY = ["entity_code", "index_code", "criterion_code", "year"]


def assert_same(con, th=TH):
    sql = criteria.criterion_metrics(con, thresholds=th)
    ref = reference_metrics(tables(con), th)
    sql = sql.assign(criterion_code=sql.criterion_code.fillna("∅")).set_index(KEY).sort_index()
    ref = ref.assign(criterion_code=ref.criterion_code.fillna("∅")).set_index(KEY).sort_index()
    assert len(sql) == len(ref)
    for col in COMPARE:
        a, b = sql[col].astype(float), ref[col].astype(float)
        assert np.allclose(a.values, b.values, equal_nan=True, atol=1e-9, rtol=0), col


def test_sql_equals_reference_on_the_shipped_data(con):
    assert_same(con)


def test_points_to_climb_equals_reference_on_the_shipped_data(con):
    t = tables(con)
    for entity, year in [("VN-38-393", 2024), ("VN-38-393", 2022), ("VN-38", 2016), ("VN-38", 2023)]:
        sql = criteria.points_to_climb(con, entity, year, None, TH).set_index(["index_code", "criterion_code"]).sort_index()
        ref = reference_points_to_climb(t, entity, year, TH).set_index(["index_code", "criterion_code"]).sort_index()
        assert list(sql.index) == list(ref.index)
        for col in ("points_to_next_rank", "points_to_top", "headroom"):
            assert np.allclose(sql[col].astype(float), ref[col].astype(float), equal_nan=True), (entity, year, col)


ENTS = [A, B, C, D, "VN-38-381"]
rows_strategy = st.lists(
    st.tuples(st.sampled_from([2021, 2022, 2023, 2024]), st.sampled_from(["DDCI", "PAR"]),
              st.sampled_from([None, "1", "2"]), st.sampled_from(ENTS),
              st.one_of(st.none(), st.integers(0, 40).map(lambda v: v / 4)),
              st.one_of(st.none(), st.integers(1, 5)), st.booleans()),
    min_size=1, max_size=40, unique_by=lambda r: (r[0], r[1], r[2], r[3]))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, decline=st.sampled_from([0.5, 2.0, 10.0]), run=st.sampled_from([1, 2, 3]))
def test_sql_equals_reference_on_generated_data(tmp_path_factory, rows, decline, run):
    path = tmp_path_factory.mktemp("gen") / "g.duckdb"
    fixed = []
    for year, index, crit, ent, pts, rank, ill in rows:
        if index == "PAR" and crit is not None:
            crit = {"1": "1.1", "2": "8.1"}[crit]  # max 2 and 20
            pts = None if pts is None else min(pts, 2.0 if crit == "1.1" else 20.0)
        fixed.append((year, index, crit, ent, pts, rank if pts is not None and rank and rank % 2 else None,
                      5 if rank and rank % 2 and pts is not None else None, None, ill))
    con = make_db(path, fixed)
    th = Thresholds(decline, run, 1 / 3, True, 1 / 3, 3)
    assert_same(con, th)
    t = tables(con)
    for ent in ENTS:
        for year in (2023, 2024):
            sql = criteria.points_to_climb(con, ent, year, None, th)
            ref = reference_points_to_climb(t, ent, year, th)
            assert len(sql) == len(ref)
            if len(sql):
                key = ["index_code", "criterion_code"]
                s, r = sql.set_index(key).sort_index(), ref.set_index(key).sort_index()
                for col in ("points_to_next_rank", "points_to_top", "headroom"):
                    assert np.allclose(s[col].astype(float), r[col].astype(float), equal_nan=True)
    con.close()


def test_draft_rows_use_the_plans_codes_and_areas(con):
    import io

    import openpyxl

    from exports.task_table import TaskRow, task_table_xlsx
    from metrics.plan_draft import draft_rows

    focus = criteria.focus_list(con, "VN-38", 2024, "PAPI")
    assert "SC62" in set(focus.criterion_code)  # Thanh Hóa's primary education fell two years running
    # no plan of Thanh Hóa's own: the published code and area, and no unit
    province = draft_rows(con, focus[focus.criterion_code == "SC62"], "VN-38").iloc[0]
    assert (province.code, province.area_code, list(province.lead_units)) == ("SC62", "C06", [])
    # the district's plan: the same published criterion, drafted in the plan's codes and units
    m = criteria.criterion_metrics(con, "VN-38-393", "PAPI", 2024)
    row = m[m.criterion_code == "SC62"].copy()
    resp = criteria.responsibility(con, entity_code="VN-38-393")
    resp = resp[(resp.index_code == "PAPI") & (resp.criterion_code == "SC62")].iloc[0]
    row["lead_units"], row["support_units"] = [list(resp.lead_units)], [list(resp.support_units)]
    rows = draft_rows(con, row, "VN-38-393").iloc[0]
    # published SC62 is the plan's 6.1, under area 6 "Cung ứng dịch vụ công", led by Phòng GD&ĐT
    assert (rows.code, rows.area_code, rows.area_name, rows.timing) == ("6.1", "6", "Cung ứng dịch vụ công", "Thường xuyên")
    assert rows.lead_units == ["Phòng Giáo dục và Đào tạo"]
    data = task_table_xlsx([TaskRow(rows.index_code, rows.area_code, rows.area_name, rows.code, rows.criterion_name,
                                    list(rows.lead_units), list(rows.support_units), rows.timing)],
                           title="T", subtitle="S", index_names={"PAPI": "PAPI"})
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]
    assert ["6", "Cung ứng dịch vụ công"] in cells
    assert ["6.1", "Giáo dục tiểu học công lập", "Phòng Giáo dục và Đào tạo",
            "Các cơ sở giáo dục công lập; Các đơn vị liên quan", "Thường xuyên"] in cells
