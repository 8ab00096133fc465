"""The shipped database against the public record (issue 25): published ranks shipped as such,
every real score in a ranked group placed or explained, no rank among too few units, ranks a
source states as a group respected, and no two scores read in the wrong order at the shown
precision."""
from __future__ import annotations

import pytest

from domain.vocabulary import RANK_NOTES, threshold


def total(con, entity: str, index: str, year: int):
    return con.execute("""SELECT points, rank, n_ranked, rank_published, rank_note FROM scores
                          WHERE entity_code = ? AND index_code = ? AND year = ? AND criterion_code IS NULL""",
                       [entity, index, year]).fetchone()


def province(con, name: str) -> str:
    return con.execute("SELECT entity_code FROM entities WHERE name = ? AND level = 'province'", [name]).fetchone()[0]


@pytest.mark.parametrize("index,year,rank", [("PAR", 2020, 29), ("PAR", 2022, 10), ("PAR", 2023, 25),
                                             ("PAR", 2024, 24), ("SIPAS", 2022, 5), ("SIPAS", 2023, 13),
                                             ("SIPAS", 2024, 22), ("PAPI", 2023, 13), ("PAPI", 2024, 13)])
def test_thanh_hoa_published_ranks_are_shipped(con, index, year, rank):
    _, got, n, published, _ = total(con, "VN-38", index, year)
    assert (got, n, published) == (rank, 63, True)


def test_par_index_2024_as_announced(con):
    got = {name: rank for name, rank in con.execute("""
        SELECT entity_name, rank FROM scores WHERE index_code = 'PAR' AND year = 2024
        AND criterion_code IS NULL AND entity_level = 'province' AND rank_published""").fetchall()}
    assert got["Hải Phòng"] == 1 and got["Hà Nội"] == 3 and got["Cao Bằng"] == 63 and got["Thanh Hóa"] == 24


@pytest.mark.parametrize("name,year,rank", [("Lai Châu", 2019, 63), ("Hà Nam", 2021, None), ("Trà Vinh", 2016, None),
                                            ("Hòa Bình", 2006, None)])
def test_real_pci_scores_that_had_no_rank_now_have_one(con, name, year, rank):
    points, got, _, _, note = total(con, province(con, name), "PCI", year)
    assert points is not None and got is not None and note is None
    if rank is not None:  # the lowest score takes the last place once a tie no longer wastes one
        assert got == rank


def test_every_real_score_in_a_ranked_group_is_placed_or_explained(con):
    unexplained = con.execute("""SELECT index_code, year, criterion_code, entity_name FROM scores
                                 WHERE points IS NOT NULL AND rank IS NULL AND rank_note IS NULL""").fetchall()
    assert unexplained == []
    notes = {n for (n,) in con.execute("SELECT DISTINCT rank_note FROM scores WHERE rank_note IS NOT NULL").fetchall()}
    assert notes <= set(RANK_NOTES)


def test_no_rank_among_fewer_units_than_min_peers(con):
    min_peers = int(threshold("min_peers"))
    few = con.execute("""SELECT s.index_code, s.year, s.criterion_code, s.entity_name, s.rank
                         FROM scores s JOIN (SELECT peer_id FROM scores GROUP BY peer_id
                                             HAVING count(points) < ?) g USING (peer_id)
                         WHERE s.rank IS NOT NULL AND NOT s.rank_published""", [min_peers]).fetchall()
    assert few == []
    # PCI 2023–2024 sub-indices (only Thanh Hóa's are known) and the PAR INDEX 2021 areas
    rows = con.execute("""SELECT index_code, year, criterion_code, rank, rank_note, rank_published FROM scores
                          WHERE entity_code = 'VN-38' AND criterion_code IS NOT NULL
                          AND ((index_code = 'PCI' AND year IN (2023, 2024)) OR (index_code = 'PAR' AND year = 2021))
                          """).fetchall()
    assert len(rows) == 28
    for index, year, crit, rank, note, published in rows:
        if published:  # PAR INDEX 2021 areas 7 and 8: ranks the press printed (7/63, 6/63) stay
            assert (index, year, crit) in {("PAR", 2021, "7"), ("PAR", 2021, "8")} and rank in (6, 7)
        else:
            assert rank is None and note == "few_peers", (index, year, crit)


def test_a_group_a_source_states_bounds_the_rank(con):
    # «one of bottom 3» (PAR INDEX 2023 and SIPAS 2023, vietnam.vn): not 57 and 58
    for index, year, names in [("PAR", 2023, {"Bình Thuận": 61, "Sóc Trăng": 62}),
                               ("SIPAS", 2023, {"Cao Bằng": 61, "Bình Phước": 62})]:
        for name, rank in names.items():
            _, got, n, published, note = total(con, province(con, name), index, year)
            assert (got, n, published, note) == (rank, 63, False, None)
    outside = con.execute("""SELECT s.index_code, s.year, s.entity_code, r.rank, s.rank_min, s.rank_max
                             FROM score s JOIN score_rank r USING (year, index_code, framework, entity_code)
                             WHERE r.criterion_code IS NOT DISTINCT FROM s.criterion_code AND r.rank IS NOT NULL
                             AND (r.rank < s.rank_min OR r.rank > s.rank_max)""").fetchall()
    assert outside == []
    assert con.execute("SELECT count(*) FROM score WHERE rank_min IS NOT NULL").fetchone()[0] >= 15


def test_disagreeing_sources_are_recorded(con):
    msgs = [m for (m,) in con.execute("SELECT message FROM source_conflicts").fetchall()]
    assert any("86,89" in m and "86,76" in m and "Hòa Bình" in m for m in msgs)


def test_no_pair_reads_inverted_at_the_shown_precision(con):
    # PAPI 2023 SC41 Bắc Kạn 1,70 / Nam Định 1,69 and PAPI 2022 C06 Bắc Ninh 8,09 / Bắc Giang 8,08
    # shared a rank; no two units of a group may read that way unless both ranks are published
    pairs = con.execute("""
        SELECT a.index_code, a.year, a.criterion_code, a.entity_name, b.entity_name
        FROM scores a JOIN scores b ON a.peer_id = b.peer_id AND a.entity_code <> b.entity_code
        WHERE round(a.points, 2) > round(b.points, 2) AND a.rank >= b.rank
          AND NOT (a.rank_published AND b.rank_published)""").fetchall()
    assert pairs == []
    got = dict(con.execute("""SELECT entity_name, rank FROM scores WHERE index_code = 'PAPI'
                              AND ((year = 2023 AND criterion_code = 'SC41' AND entity_name IN ('Bắc Kạn', 'Nam Định'))
                                OR (year = 2022 AND criterion_code = 'C06' AND entity_name IN ('Bắc Ninh', 'Bắc Giang')))
                              """).fetchall())
    assert got["Bắc Kạn"] < got["Nam Định"] and got["Bắc Ninh"] < got["Bắc Giang"]


# --- the same rules on imports into a copy ----------------------------------------------------------

HEADER = "year,index,criterion,entity,points,max_points,rank,n_ranked,label,illustrative,source\n"


def imported(db_copy, tmp_path, *rows: str):
    from store.importing import import_file

    path = tmp_path / "nguon-bao-chi.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    import_file(path, db_copy)
    import duckdb

    return duckdb.connect(str(db_copy), read_only=True)


def test_an_imported_group_statement_bounds_the_rank(db_copy, tmp_path):
    # PAR INDEX 2023: a province with a score and only «nhóm 3 tỉnh cuối bảng» in its label
    con = imported(db_copy, tmp_path, "2023,PAR,,Kon Tum,82.50,,,63,nhóm 3 tỉnh cuối bảng,0,báo X")
    try:
        _, rank, n, published, note = total(con, province(con, "Kon Tum"), "PAR", 2023)
        assert (n, published, note) == (63, False, None) and 61 <= rank <= 63
        band = con.execute("""SELECT rank_min, rank_max FROM score WHERE index_code = 'PAR' AND year = 2023
                              AND entity_code = ? AND criterion_code IS NULL""", [province(con, "Kon Tum")]).fetchone()
        assert band == (61, 63)
    finally:
        con.close()


def test_an_imported_rank_only_row_is_published_and_places_the_others(db_copy, tmp_path):
    # a press rank without a score (as press_ranks_2020_2024.csv) for a year the province has none
    con = imported(db_copy, tmp_path, "2020,SIPAS,,Thanh Hóa,,,9,63,,0,báo Y")
    try:
        assert total(con, "VN-38", "SIPAS", 2020)[1:4] == (9, 63, True)
        unexplained = con.execute("""SELECT count(*) FROM scores WHERE points IS NOT NULL AND rank IS NULL
                                     AND rank_note IS NULL""").fetchone()[0]
        assert unexplained == 0
    finally:
        con.close()


def test_an_imported_lone_criterion_gets_no_rank_of_one(db_copy, tmp_path):
    # one province's score of a criterion nobody else has: «chưa đủ đơn vị để xếp hạng», not 1/1
    con = imported(db_copy, tmp_path, "2023,PCI,EC,Nghệ An,7.1,,,,,0,báo Z")
    try:
        row = con.execute("""SELECT rank, rank_note FROM scores WHERE index_code = 'PCI' AND year = 2023
                             AND criterion_code = 'EC' AND entity_code = ?""", [province(con, "Nghệ An")]).fetchone()
        assert row == (None, "few_peers")
        assert RANK_NOTES[row[1]] == "chưa đủ đơn vị để xếp hạng"
    finally:
        con.close()
