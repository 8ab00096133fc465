"""One consistent rank order per peer group: published ranks stand, computed ones fill the gaps."""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.compare import inverted_published
from store.ranking import fill_ranks
from tests.conftest import examples
from tests.small_db import make_db


def competition(points):
    return [1 + sum(q > p for q in points) for p in points]


def test_par_2023_case_from_the_issue():
    # Đông Sơn 1, Hoằng Hóa 2, TP Thanh Hóa 3, Mường Lát 27 published; the rest scored only
    pts = [92.15, 91.92, 91.46, 86.09, 91.50, 85.75, 86.00, 90.0]
    given = [1, 2, 3, 27, None, None, None, None]
    ranks, notes = fill_ranks(pts, given, 27)
    assert ranks[:4] == [1, 2, 3, 27]
    assert ranks[7] == 4  # the first free slot after the published top three
    # 91.50 cannot sit between ranks 2 and 3; 85.75 and 86.00 cannot sit below the last place
    assert ranks[4] is None and ranks[5] is None and ranks[6] is None
    assert notes == [None, None, None, None, "published", "published", "published", None]


def test_computed_ranks_fill_the_gaps_without_collision():
    ranks, notes = fill_ranks([90, 85, 80, 70, 60], [None, 2, None, None, 5], 5)
    assert ranks == [1, 2, 3, 4, 5] and not any(notes)


def test_ties_share_a_rank_and_consume_places():
    assert fill_ranks([9, 8, 8, 7], [None, None, None, None])[0] == [1, 2, 2, 4]
    assert fill_ranks([9, 8, 8, 7], [1, None, None, None])[0] == [1, 2, 2, 4]
    # a tie with a published unit takes the free place next to it: the publisher, who knows
    # more decimals, gave that rank to one unit only
    assert fill_ranks([9, 8, 8, 7], [None, 2, None, None])[0] == [1, 2, 3, 4]
    assert fill_ranks([9, 8, 8, 7], [None, None, 3, None])[0] == [1, 2, 3, 4]


def test_pci_2019_the_last_place_is_not_lost_to_a_tie():
    # Like PCI 2019: Quảng Trị 63,84 is published 4th here (49th there) with a free place
    # above it; Hòa Bình has 63,84 too. Sharing 4 pushed everyone below down one place and
    # the lowest score (Lai Châu) found no place at all; now the tie takes the free place.
    pts = [70.0, 63.85, 63.84, 63.84, 63.79, 60.0]
    given = [1, None, 4, None, None, None]
    ranks, notes = fill_ranks(pts, given, 6)
    assert ranks == [1, 2, 4, 3, 5, 6] and not any(notes)
    # one unit more than the group has places: the last gets no rank, and the reason
    ranks, notes = fill_ranks(pts + [59.0], given + [None], 6)
    assert ranks[6] is None and notes[6] == "full"


def test_a_group_the_source_states_bounds_the_computed_rank():
    # PAR INDEX 2023: Quảng Nam 56 and An Giang 63 published; Bình Thuận and Sóc Trăng are
    # «one of bottom 3» (61–63): not 57 and 58, the first free places after 56
    pts = [84.60, 81.87, 81.70, 81.32]
    given = [56, None, None, 63]
    assert fill_ranks(pts, given, 63)[0] == [56, 57, 58, 63]
    ranks, notes = fill_ranks(pts, given, 63, [None, (61, 63), (61, 63), None])
    assert ranks == [56, 61, 62, 63] and not any(notes)
    # a stated group the published ranks leave no room in: no rank, and why
    ranks, notes = fill_ranks([90.0, 80.0, 70.0], [1, 2, None], 3, [None, None, (1, 2)])
    assert ranks == [1, 2, None] and notes[2] == "band"
    assert fill_ranks([9.0, 8.0, 7.0], [None, None, None], 10, [(1, 5), (1, 5), None])[0] == [1, 2, 3]


def test_few_scored_units_get_no_computed_rank():
    assert fill_ranks([7.5], [None], None, None, min_peers=3) == ([None], ["few_peers"])
    assert fill_ranks([7.5, 6.0], [None, 7], 63, None, min_peers=3) == ([None, 7], ["few_peers", None])
    assert fill_ranks([7.5, 6.0, 5.0], [None, None, None], None, None, min_peers=3)[0] == [1, 2, 3]


def test_shown_precision_breaks_a_tie_at_the_published_precision():
    # PAPI 2022 C06: 8,085028 and 8,084984 are equal to four decimals but read 8,09 and 8,08
    keys = [(8.085, 8.09), (8.085, 8.08), (7.4107, 7.41)]
    assert fill_ranks(keys, [None, None, None])[0] == [1, 2, 3]
    assert fill_ranks([(8.085, 8.09), (8.085, 8.09)], [None, None])[0] == [1, 1]


def test_units_without_score_keep_published_rank_and_take_a_place():
    ranks, _ = fill_ranks([None, 90, 80], [1, None, None], 3)
    assert ranks == [1, 2, 3]


group = st.integers(min_value=1, max_value=12).flatmap(lambda n: st.tuples(
    st.lists(st.one_of(st.none(), st.integers(0, 20).map(lambda v: v / 2)), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.booleans()))


@settings(max_examples=examples(400), deadline=None)
@given(group)
def test_property_one_consistent_order(case):
    points, publish, consistent = case
    n = len(points)
    if consistent:  # published ranks taken from the true ordering of the scores
        full = [p if p is not None else -1.0 for p in points]
        truth = competition(full)
        given_ = [truth[i] if publish[i] else None for i in range(n)]
    else:  # ranks a publisher printed against the scores
        given_ = [(i * 7) % n + 1 if publish[i] else None for i in range(n)]
    ranks, notes = fill_ranks(points, given_, n)
    conflict = [x is not None for x in notes]
    for i in range(n):
        if given_[i] is not None:
            assert ranks[i] == given_[i]  # a published rank is a fact
        if ranks[i] is not None:
            assert 1 <= ranks[i] <= n
        assert not (conflict[i] and ranks[i] is not None)
    for i in range(n):
        for j in range(n):
            if i == j or ranks[i] is None or ranks[j] is None or points[i] is None or points[j] is None:
                continue
            both_published = given_[i] is not None and given_[j] is not None
            if points[i] > points[j] and not both_published:
                assert ranks[i] < ranks[j], (points, given_, ranks)
            if ranks[i] == ranks[j] and not both_published:
                assert points[i] == points[j], (points, given_, ranks)  # only a true tie shares a rank
    if consistent:  # every score gets a rank: none is dropped for want of a place
        assert not any(conflict), (points, given_, ranks, notes)
        if not any(publish) and all(p is not None for p in points):
            assert ranks == competition(points)


def test_rounding_to_published_precision_stops_flips(tmp_path):
    # 0.1 + 0.2 summed in floating point is 0.30000000000000004: one import would rank it
    # above 0.3, the next (summed in another order) equal. Rounded first, it is a tie.
    con = make_db(tmp_path / "r.duckdb", [(2024, "PCI", None, "VN-38", 0.1 + 0.2), (2024, "PCI", None, "VN-01", 0.3),
                                          (2024, "PCI", None, "VN-48", 0.1)])
    got = dict(con.execute("SELECT entity_code, rank FROM scores WHERE year = 2024").fetchall())
    assert got == {"VN-38": 1, "VN-01": 1, "VN-48": 3}


def test_two_scores_are_not_a_ranking(tmp_path):
    # «Hạng 1/1», «Hạng 2/2»: fewer scored units than min_peers (data/thresholds.csv) get no
    # rank, and the view says why
    con = make_db(tmp_path / "f.duckdb", [(2024, "PCI", None, "VN-38", 60.0), (2024, "PCI", None, "VN-01", 70.0)])
    got = con.execute("SELECT rank, rank_note FROM scores WHERE year = 2024").fetchall()
    assert got == [(None, "few_peers"), (None, "few_peers")]


def test_view_mixes_published_and_computed_consistently(tmp_path):
    rows = [(2024, "PCI", None, "VN-01", 70.0, 2, 63), (2024, "PCI", None, "VN-38", 72.0),
            (2024, "PCI", None, "VN-48", 68.0), (2024, "PCI", None, "VN-79", 71.0, 1, 63)]
    con = make_db(tmp_path / "m.duckdb", rows)
    got = con.execute("""SELECT entity_code, rank, n_ranked, rank_published, rank_conflict FROM scores
                         WHERE year = 2024 ORDER BY entity_code""").fetchall()
    assert got == [("VN-01", 2, 63, True, False), ("VN-38", None, 63, False, True),
                   ("VN-48", 3, 63, False, False), ("VN-79", 1, 63, True, False)]


def test_inverted_published_pairs_are_named():
    df = pd.DataFrame({"entity_name": ["A", "B", "C"], "points": [80.0, 85.0, 70.0],
                       "rank": [1, 2, 3], "rank_computed": [False, False, True]})
    assert inverted_published(df) == [("A", "B")]
