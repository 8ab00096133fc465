"""What the pages read per entity is computed when data is written (criterion_metrics_all,
store/build.py precompute): it must equal the same query run now, after a build and after an
import, and the metric functions must read it instead of computing again."""
from __future__ import annotations

import duckdb
import pandas as pd

from metrics import compare, criteria
from metrics.criteria import Thresholds
from store import db
from store.build import precompute
from store.importing import import_file
from store.ranking import refresh

KEYS = ["year", "index_code", "framework", "criterion_code", "entity_code"]
HOME = "VN-38-393"  # Huyện Vĩnh Lộc


def stored(con) -> pd.DataFrame:
    return _sorted(con.execute("SELECT * FROM criterion_metrics_all").df())


def live(con, index_codes=None) -> pd.DataFrame:
    """The definition run now (store/sql/precompute_criterion_metrics.sql), not read from the table."""
    return _sorted(con.execute(db.sql("precompute_criterion_metrics.sql"), {"index_codes": index_codes}).df())


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(KEYS, na_position="first", kind="stable").reset_index(drop=True)


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b[a.columns], check_exact=True)


def test_the_table_equals_the_live_computation_on_the_shipped_data(con):
    table = stored(con)
    assert len(table) == con.execute("SELECT count(*) FROM score").fetchone()[0]  # one row per score row
    assert_same(table, live(con))


def test_an_import_refreshes_the_table_and_only_the_indices_it_changed(db_copy, tmp_path):
    with duckdb.connect(str(db_copy), read_only=True) as c:
        before = stored(c)
        state = dict(c.execute("SELECT index_code, fingerprint FROM criterion_metrics_state").fetchall())
    f = tmp_path / "par.csv"
    f.write_text("year,index,criterion,entity,points,max_points,rank\n2024,PAR,,Huyện Vĩnh Lộc,99.5,100,\n",
                 encoding="utf-8")
    assert import_file(f, db_copy).status == "loaded"
    with duckdb.connect(str(db_copy), read_only=True) as c:
        after = stored(c)
        assert_same(after, live(c))  # refreshed, and equal to what the definition gives now
        changed = {i for i, fp in c.execute("SELECT index_code, fingerprint FROM criterion_metrics_state").fetchall()
                   if state.get(i) != fp}
        total = c.execute("SELECT points FROM criterion_metrics_all WHERE entity_code = ? AND index_code = 'PAR' "
                          "AND year = 2024 AND criterion_code IS NULL", [HOME]).fetchall()
    assert changed == {"PAR"}
    assert total == [(99.5,)]  # the file's total
    others = before.index_code != "PAR"
    assert_same(before[others].reset_index(drop=True), after[after.index_code != "PAR"].reset_index(drop=True))


def test_a_write_computes_only_the_changed_index_again(db_copy):
    con = duckdb.connect(str(db_copy))
    try:
        assert precompute(con) == []  # nothing changed since the build: nothing computed
        con.execute("UPDATE score SET points = points - 3 WHERE entity_code = ? AND index_code = 'SIPAS' "
                    "AND criterion_code IS NULL AND year = 2024", [HOME])
        refresh(con)
        assert precompute(con) == ["SIPAS"]
        assert_same(stored(con), live(con))
        con.execute("DELETE FROM score WHERE index_code = 'DDCI'")  # an index gone entirely
        refresh(con)
        assert precompute(con) == ["DDCI"]
        assert con.execute("SELECT count(*) FROM criterion_metrics_all WHERE index_code = 'DDCI'").fetchone()[0] == 0
    finally:
        con.close()


def _results(con, year: int) -> dict:
    return {"metrics": criteria.criterion_metrics(con, HOME),
            "focus": criteria.focus_list(con, HOME, year),
            "climb": criteria.points_to_climb(con, HOME, year),
            "peers": compare.compare(con, HOME, "PAR", year).peers,
            "custom": criteria.criterion_metrics(con, HOME, "PAR", year, Thresholds(1.0, 1, 0.5, False, 0.5, 2))}


def test_the_pages_functions_read_the_table_not_the_scores(db_copy):
    """With the score rows gone (the live computation then finds nothing), criterion_metrics,
    the focus list, points to climb and the peers give exactly what they gave before."""
    con = duckdb.connect(str(db_copy))
    try:
        year = 2024
        want = _results(con, year)
        assert len(want["metrics"]) and len(want["focus"]) and len(want["climb"]) and len(want["peers"])
        con.execute("DELETE FROM score")  # what the live path would compute from
        assert live(con).empty
        got = _results(con, year)
        for key in ("metrics", "focus", "climb", "peers", "custom"):
            pd.testing.assert_frame_equal(got[key], want[key], check_exact=True)
    finally:
        con.close()


def test_flags_follow_the_thresholds_passed_not_those_stored(con):
    """Only the figures are stored: the flags are computed on reading, with any thresholds."""
    lax = criteria.criterion_metrics(con, HOME, "PAR", 2024, Thresholds(50.0, 9, 0.0, False, 0.5, 3))
    strict = criteria.criterion_metrics(con, HOME, "PAR", 2024, Thresholds(0.0, 1, 1.0, True, 0.5, 1))
    assert not lax.declining.any() and not lax.low_ranked.any()
    assert strict.low_ranked.sum() > 0
    assert (lax.drop(columns=["declining", "bottom_fraction", "below_median", "low_ranked"])
            .equals(strict.drop(columns=["declining", "bottom_fraction", "below_median", "low_ranked"])))
