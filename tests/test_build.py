"""The database built from the shipped data: stable views, real figures, illustrative marks."""
import pandas as pd
import pytest

SCORES_COLUMNS = ["year", "index_code", "framework", "criterion_code", "criterion_name", "entity_code",
                  "entity_name", "entity_level", "points", "max_points", "pct", "rank", "rank_published",
                  "n_ranked", "label", "is_illustrative", "source", "peer_group", "rank_conflict", "rank_note",
                  "peer_id"]


@pytest.mark.parametrize("view,columns", [
    ("scores", SCORES_COLUMNS),
    ("task_map", ["plan_id", "index_code", "criterion_code", "criterion_name", "role", "unit", "timing"]),
    ("plan_tasks", ["plan_id", "index_code", "task_no", "text", "role", "unit"]),
    ("unit_members", ["group_unit", "member_unit"]),
])
def test_views_have_the_documented_columns(con, view, columns):
    assert [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description] == columns


def one(con, sql, *params):
    return con.execute(sql, list(params)).fetchone()


def test_index_codes_and_levels_are_the_documented_ones(con):
    assert {r[0] for r in con.execute("SELECT DISTINCT index_code FROM scores").fetchall()} == {"PAR", "SIPAS", "PAPI", "DDCI", "PCI"}
    assert {r[0] for r in con.execute("SELECT DISTINCT entity_level FROM scores").fetchall()} <= {"province", "district", "commune"}


def test_papi_real_totals_and_published_ranks_for_thanh_hoa(con):
    # SOURCES.md: Thanh Hóa total 2021 47.10, 2023 44.20; the press (finds_2026) printed rank 3
    # for 2021 and 2022 and rank 13 for 2023 and 2024 (press_ranks_2020_2024.csv): the sums
    # stand, the ranks are published, and they agree with the order of the sums
    rows = con.execute("""SELECT year, round(points, 2), rank, rank_published, is_illustrative FROM scores
                          WHERE entity_code = 'VN-38' AND index_code = 'PAPI' AND criterion_code IS NULL
                          AND year IN (2021, 2022, 2023, 2024) ORDER BY year""").fetchall()
    assert rows == [(2021, 47.10, 3, True, False), (2022, 46.02, 3, True, False),
                    (2023, 44.20, 13, True, False), (2024, 44.87, 13, True, False)]


def test_papi_codes_that_changed_meaning_stay_apart(con):
    names = dict(con.execute("""SELECT DISTINCT year, criterion_name FROM scores WHERE index_code = 'PAPI'
                                AND criterion_code = 'SC21' AND year IN (2012, 2018)""").fetchall())
    assert names == {2012: "Danh sách hộ nghèo", 2018: "Tiếp cận thông tin"}
    fws = dict(con.execute("""SELECT DISTINCT year, framework FROM scores WHERE index_code = 'PAPI'
                              AND year IN (2012, 2018, 2021)""").fetchall())
    assert fws == {2012: "PAPI-2011", 2018: "PAPI-2018", 2021: "PAPI-2021"}
    # construction permits (SC52) is gone from 2021
    assert one(con, "SELECT count(*) FROM scores WHERE criterion_code = 'SC52' AND year >= 2021")[0] == 0


def test_papi_dimension_is_the_sum_of_its_subdimensions(con):
    dims = dict(con.execute("""SELECT criterion_code, round(points, 4) FROM scores WHERE entity_code = 'VN-38'
                               AND year = 2024 AND index_code = 'PAPI' AND criterion_code LIKE 'C0%'""").fetchall())
    ref = pd.read_csv("data/reference/papi_subdimension_long_2011_2024.csv")
    th = ref[(ref.province_code == "P26") & (ref.year == 2024)].groupby("dimension_code").score.sum().round(4)
    assert dims == th.to_dict()


def test_pci_real_figures(con):
    # pcivietnam.vn: Thanh Hóa 2015 and 2016 totals 60.74 and 58.54; rank is published
    rows = con.execute("""SELECT year, round(points, 2), rank, rank_published FROM scores WHERE entity_code = 'VN-38'
                          AND index_code = 'PCI' AND criterion_code IS NULL AND year IN (2015, 2016, 2023)
                          ORDER BY year""").fetchall()
    assert rows == [(2015, 60.74, 10, True), (2016, 58.54, 31, True), (2023, 66.79, 30, True)]


def test_conflicting_real_sources_are_recorded_not_hidden(con):
    msgs = [r[0] for r in con.execute("SELECT message FROM source_conflicts").fetchall()]
    assert any("2009" in m and "BSS" in m for m in msgs)


def test_press_figures_are_published_rows(con):
    rows = con.execute("""SELECT entity_name, points, rank, n_ranked, rank_published, is_illustrative, source
                          FROM scores WHERE index_code = 'PAR' AND year = 2023 AND criterion_code IS NULL
                          AND NOT is_illustrative AND entity_level = 'district' ORDER BY rank""").fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("Huyện Đông Sơn", 92.15, 1, 27), ("Huyện Hoằng Hóa", 91.92, 2, 27),
        ("Thành phố Thanh Hóa", 91.46, 3, 27), ("Huyện Mường Lát", 86.09, 27, 27)]
    assert all("QĐ 600/QĐ-UBND" in r[6] for r in rows)
    ddci = con.execute("""SELECT entity_name, points, rank FROM scores WHERE index_code = 'DDCI' AND
                          criterion_code IS NULL AND NOT is_illustrative ORDER BY year, rank""").fetchall()
    assert ddci == [("Huyện Hoằng Hóa", 90.83, 1), ("Thành phố Sầm Sơn", 89.94, 2),
                    ("Huyện Nông Cống", 85.01, 3), ("Huyện Hoằng Hóa", 89.35, 1)]


def test_everything_else_at_district_level_is_illustrative(con):
    n_real = one(con, """SELECT count(*) FROM scores WHERE entity_level = 'district' AND NOT is_illustrative""")[0]
    assert n_real == 8  # exactly the press rows above
    # a computed rank among illustrative peers is illustrative, even for a published score
    assert one(con, """SELECT bool_and(is_illustrative) FROM scores WHERE entity_level = 'district'
                       AND criterion_code IS NOT NULL""")[0]


def test_vinh_loc_district_has_every_index_2021_2024(con):
    rows = dict(con.execute("""SELECT index_code, count(DISTINCT year) FROM scores WHERE entity_code = 'VN-38-393'
                               AND criterion_code IS NULL AND points IS NOT NULL GROUP BY ALL""").fetchall())
    assert rows == {"PAR": 4, "SIPAS": 4, "PAPI": 4, "DDCI": 4}


def test_missing_stays_missing(con):
    # the one missing illustrative value: Quan Sơn, PAPI 2022, SC73 — its dimension and total are missing too
    rows = dict(con.execute("""SELECT coalesce(criterion_code, 'TOTAL'), points FROM scores
                               WHERE entity_code = 'VN-38-387' AND index_code = 'PAPI' AND year = 2022
                               AND (criterion_code IN ('SC73', 'C07') OR criterion_code IS NULL)""").fetchall())
    assert rows == {"SC73": None, "C07": None, "TOTAL": None}


def test_pct_and_max_points(con):
    r = one(con, """SELECT points, max_points, pct FROM scores WHERE index_code = 'PAR' AND year = 2023
                    AND entity_code = 'VN-38-405' AND criterion_code IS NULL""")
    assert r == (92.15, 100.0, 92.15)
    sub = one(con, """SELECT max_points FROM scores WHERE index_code = 'PAPI' AND year = 2024
                      AND criterion_code = 'SC81' AND entity_code = 'VN-38'""")
    assert sub[0] == pytest.approx(10 / 3, abs=1e-3)


def test_ties_share_the_better_rank(con):
    ties = con.execute("""SELECT year, criterion_code, points, list(rank) FROM scores
                          WHERE index_code = 'PAR' AND entity_level = 'district' AND criterion_code = '1.2'
                          GROUP BY ALL HAVING count(*) > 1 LIMIT 3""").fetchall()
    assert ties, "the illustrative PAR data should contain ties"
    for *_, ranks in ties:
        assert len(set(ranks)) == 1


def test_task_map_and_units(con):
    assert one(con, "SELECT count(DISTINCT criterion_code) FROM task_map WHERE index_code = 'PAR'")[0] == 37
    assert one(con, "SELECT count(DISTINCT criterion_code) FROM task_map WHERE index_code = 'SIPAS'")[0] == 9
    assert one(con, "SELECT count(DISTINCT criterion_code) FROM task_map WHERE index_code = 'PAPI'")[0] == 27
    assert one(con, "SELECT count(DISTINCT task_no) FROM plan_tasks")[0] == 26
    lead = [r[0] for r in con.execute("""SELECT unit FROM task_map WHERE index_code = 'PAPI' AND criterion_code = '6.1'
                                         AND role = 'lead'""").fetchall()]
    assert lead == ["Phòng Giáo dục và Đào tạo"]
    members = {r[0] for r in con.execute("""SELECT member_unit FROM unit_members WHERE group_unit = 'UBND cấp xã'""").fetchall()}
    assert len(members) == 13 and "Thị trấn Vĩnh Lộc" in members


def test_crosswalk_follows_meaning_not_plan_numbering(con):
    xw = dict(con.execute("""SELECT plan_code, criterion_code FROM crosswalk WHERE index_code = 'PAPI'
                             AND plan_id = 'VL-2023-2025'""").fetchall())
    assert xw["6.1"] == "SC62" and xw["6.2"] == "SC63" and xw["6.3"] == "SC64"
    assert xw["5.2"] == "SC53" and xw["8.3"] == "SC83" and xw["3.1"] == "SC31"
    covered = set(xw.values())
    published = {r[0] for r in con.execute("SELECT code FROM criteria WHERE framework = 'PAPI-2021'").fetchall()}
    assert published - covered == {"SC61"}  # public healthcare: no unit in the plan is responsible
    same = con.execute("""SELECT count(*) FILTER (WHERE plan_code = criterion_code), count(*) FROM crosswalk
                          WHERE index_code IN ('PAR', 'SIPAS') AND plan_id = 'VL-2023-2025'""").fetchone()
    assert same[0] == same[1] == 37 + 8 + 9 + 2


def test_import_log_records_every_file_with_its_hash(con):
    rows = con.execute("SELECT action, file, sha256, rows_loaded FROM import_log ORDER BY import_id").fetchall()
    assert [r[1] for r in rows][:2] == ["plan/ke-hoach-chi-so-vinh-loc-2023-2025.md",
                                        "reference/papi_subdimension_long_2011_2024.csv"]
    assert all(r[0] == "build" and len(r[2]) == 64 and r[3] > 0 for r in rows)
