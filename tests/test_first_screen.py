"""«Tổng quan» as the chairman's first screen, December 2026: for a
commune in its first year, each card says what the rank means among the 166 (quarter, distance
to the median), which criteria are furthest below the peers and who leads them (or that there is
no plan yet), why there is no change (a new peer group), and the district's last ranks as a line
of their own; for the province, a year whose results are due is offered and said to be
unpublished, and each card is its index's latest real result."""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace as Row

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain.vocabulary import INDEX_LABEL, home_entity
from metrics import criteria, overview, proposals

ROOT = Path(__file__).resolve().parents[1]
COMMUNE = home_entity()  # Xã Vĩnh Lộc (data/home.csv): 2025 results only, illustrative, no plan
DISTRICT = "VN-38-393"  # its predecessor, ranked among 27 districts until 2024
PROVINCE = "VN-38"
TAY_DO = "VN-38-15361"
PLAN = ROOT / "tests" / "fixtures" / "ke-hoach-xa-tay-do-2026.md"  # a TEST SAMPLE of a commune plan


def bare(text: str) -> str:
    """Markdown as a reader sees it: fmt.plain's backslashes gone."""
    return re.sub(r"\\(.)", r"\1", str(text))


def run(entity: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/tong_quan.py"), default_timeout=90)
    if entity:
        at.session_state["entity"] = entity
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def card_texts(at) -> tuple[list[str], list[str]]:
    """Each card's words below its metric: the standing (a badge and the distance to the median),
    and the caption (change note, points, weak criteria with their units, the predecessor)."""
    return ([bare(m.value) for m in at.markdown if "-badge[" in m.value],
            [bare(c.value) for c in at.caption if "Điểm " in c.value or "Chỉ công bố hạng" in c.value])


# ---------------------------------------------------------------- the figures (metrics/overview.py)

def test_the_quarter_of_the_peer_group():
    assert [overview.quarter(r, 166) for r in (1, 41, 42, 83, 84, 100, 124, 125, 166)] == [1, 1, 2, 2, 3, 3, 3, 4, 4]
    assert overview.quarter(2, 3) is None and overview.quarter(None, 166) is None  # no quarters of three


def test_what_a_rank_means_in_words():
    card = Row(rank=100, n_ranked=166, gap_to_median=-0.74, n_peers=166)
    assert overview.standing(card) == ("Nửa dưới (nhóm 3/4)", "thấp hơn trung vị 0,74 điểm")
    top = Row(rank=14, n_ranked=63, gap_to_median=2.5, n_peers=60)
    assert overview.standing(top) == ("Nhóm 1/4 cao nhất", "cao hơn trung vị 2,50 điểm")
    # VCCI publishes 30 of 63 PCI scores: their median is not the group's, so none is said
    pci = Row(rank=21, n_ranked=63, gap_to_median=-1.8, n_peers=30)
    assert overview.standing(pci) == ("Nửa trên (nhóm 2/4)", "")


def test_a_new_peer_group_is_said_instead_of_a_change():
    first = Row(year=2025, rank=100, prev_rank=None, break_before=False)
    assert overview.change_note(first, [2025]) == "Nhóm so sánh mới từ 2025: chưa so được với năm trước"
    assert overview.change_note(first, []) == "Chưa có kết quả năm trước để so"
    moved = Row(year=2024, rank=17, prev_rank=16, break_before=False)
    assert overview.change_note(moved, [2025]) is None  # the card shows the change itself


def test_criteria_furthest_below_the_peers_by_share_of_their_maximum():
    m = pd.DataFrame({
        "index_code": "PAR", "year": 2025, "criterion_code": ["7.1", "1.1", "2.1", "3.1", "9.9"],
        "criterion_name": ["a", "b", "c", "d", "e"], "is_leaf": [True, True, True, True, False],
        "points": [1.5, 60.0, 4.0, 2.0, 0.0], "max_points": [4.0, 100.0, 6.0, 3.0, 10.0],
        "peer_median": [3.5, 64.0, 3.0, 2.5, 9.0], "gap_to_median": [-2.0, -4.0, 1.0, -0.5, -9.0],
        "n_peers": 166, "n_ranked": 166, "rank": [166, 120, 10, 150, 166], "rank_computed": True,
        "is_illustrative": True})
    focus = pd.DataFrame({"index_code": ["PAR"], "criterion_code": ["3.1"], "lead_units": [["Phòng Văn hóa - Xã hội"]]})
    weak = overview.furthest_below(m, "PAR", 2025, focus, n=3)
    # 2 short of 4 (50 %) before 0,5 short of 3 (17 %) before 4 short of 100 (4 %); 9.9 is an area
    assert list(weak.criterion_code) == ["7.1", "3.1", "1.1"]
    assert list(weak.lead_units) == [[], ["Phòng Văn hóa - Xã hội"], []]


def test_the_predecessor_s_last_ranks_are_context():
    history = pd.DataFrame({
        "series": ["Xã Vĩnh Lộc"] + ["Huyện Vĩnh Lộc (trước 01/7/2025)"] * 3, "history": [False, True, True, True],
        "index_code": ["PAR", "PAR", "PAR", "SIPAS"], "year": [2025, 2023, 2024, 2024], "rank": [100, 15, 20, 18],
        "n_ranked": [166, 27, 27, 27], "rank_computed": True, "is_illustrative": True})
    last = overview.predecessor_ranks(history)
    assert last[["index_code", "year", "rank", "n_ranked"]].values.tolist() == [["PAR", 2024, 20, 27],
                                                                               ["SIPAS", 2024, 18, 27]]


def test_a_card_is_the_latest_real_result_and_a_published_rank_alone_makes_one():
    nan = float("nan")
    base = {"framework": "F", "max_points": 100.0, "pct": nan, "n_ranked": 63, "rank_computed": False,
            "change_points": nan, "change_pct_points": nan, "rank_change": nan, "break_before": False,
            "source": "s", "label": None, "peer_median": nan, "gap_to_median": nan, "n_peers": 63,
            "entity_level": "province", "criterion_code": None}
    rows = [("PCI", 2024, 68.74, 21, False), ("PCI", 2025, 70.0, 10, True),  # 2025: illustrative only
            ("SIPAS", 2022, None, 5, False),                                 # published as a rank alone
            ("PAR", 2025, 80.0, 30, True)]                                   # nothing real: the illustrative stands
    m = pd.DataFrame([{**base, "index_code": i, "year": y, "points": p, "rank": r, "is_illustrative": ill}
                      for i, y, p, r, ill in rows])
    cards = overview.index_cards(None, PROVINCE, m, 2025)
    assert cards[["index_code", "year", "rank"]].values.tolist() == [["PAR", 2025, 30], ["SIPAS", 2022, 5],
                                                                     ["PCI", 2024, 21]]
    assert overview.without_result(cards, 2025) == ["SIPAS", "PCI"]


def test_the_year_whose_results_are_due_is_offered_where_the_entity_existed(con):
    assert overview.results_year_due(date(2026, 12, 7)) == 2025
    province = overview.years_offered(con, PROVINCE, date(2026, 12, 7))
    assert province[-2:] == [2024, 2025]  # no 2025 result loaded, and 2025 is offered
    assert overview.years_offered(con, PROVINCE, date(2025, 12, 1))[-1] == 2024  # due 2024: there already
    assert overview.years_offered(con, COMMUNE, date(2026, 12, 7)) == [2025]
    assert overview.years_offered(con, DISTRICT, date(2026, 12, 7))[-1] == 2024  # ended on 30/6/2025


# ---------------------------------------------------------------- the page: a commune in its first year

def test_the_commune_s_cards_say_what_the_rank_means(fresh_caches, con):
    at = run()
    assert at.session_state["entity"] == COMMUNE
    cards = overview.index_cards(con, COMMUNE)
    assert [m.label for m in at.metric] == [f"{INDEX_LABEL[c]} {y}" for c, y in zip(cards.index_code, cards.year)]
    badges, captions = card_texts(at)
    assert len(badges) == len(cards) == 2
    for badge, c in zip(badges, cards.itertuples()):
        q = overview.quarter(c.rank, c.n_ranked)
        assert badge.startswith(f":{['green', 'blue', 'orange', 'red'][q - 1]}-badge[")
        gap = f"{abs(c.gap_to_median):.2f}".replace(".", ",")
        assert badge.endswith(f"{'thấp' if c.gap_to_median < 0 else 'cao'} hơn trung vị {gap} điểm")
    assert badges[0] == ":orange-badge[Nửa dưới (nhóm 3/4)] thấp hơn trung vị 0,74 điểm"  # 100/166, by hand
    # no change to show in a new peer group: said in a few words, and no delta on the card
    assert all(m.delta is None or m.delta == "" for m in at.metric)
    assert sum("Nhóm so sánh mới từ 2025: chưa so được với năm trước" in c for c in captions) == 2
    assert any("SỐ LIỆU MINH HỌA" in w.value for w in at.warning)
    assert sum("Điểm" in c and "· minh họa" in c for c in captions) == 2


def test_the_commune_s_cards_name_the_criteria_furthest_below_the_peers(fresh_caches, con):
    at = run()
    _, captions = card_texts(at)
    m = criteria.criterion_metrics(con, COMMUNE)
    # its own (illustrative) 2026 plan assigns some criteria; the others get units proposed from the
    # district's plan (metrics/proposals.py), said so: a proposal is never shown as an assignment
    proposal = proposals.proposal(con, COMMUNE)
    assert not proposal.empty, "the shipped data proposes units for the home commune"
    focus = proposals.with_units(criteria.focus_list(con, COMMUNE, 2025), proposal).set_index(["index_code", "criterion_code"])
    assert len(captions) == 2
    for index, caption in zip(("PAR", "SIPAS"), captions):
        leaves = m[(m.index_code == index) & m.is_leaf & (m.gap_to_median < 0)]
        worst = leaves.assign(s=leaves.gap_to_median / leaves.max_points).sort_values("s").criterion_code.iloc[0]
        row = focus.loc[(index, worst)]
        said = "đề xuất chủ trì" if row.units_proposed else "chủ trì"
        line = next(x for x in caption.split("  \n") if x.startswith(f"· {worst} "))
        assert line.endswith(f" điểm — {said}: {'; '.join(row.lead_units)}"), line
        assert "Thấp nhất so với nhóm:**  \n· " + worst in caption  # the furthest first
        assert "Chưa có kế hoạch giao việc" not in caption
    # 1,50 of 4 points against a median of 3,50 (by hand, data/illustrative)
    assert captions[0].split("  \n")[3].startswith("· 7.1 Phát triển các nền tảng, cơ sở dữ liệu: thấp hơn trung vị 2,00 điểm")


def test_without_a_plan_or_a_proposal_no_unit_is_made_up(fresh_caches, con):
    from metrics import catalog

    e = catalog.entities(con)
    communes = sorted(c for c, lv in zip(e.entity_code, e.level) if lv == "commune")
    other = next(c for c in communes if proposals.proposal(con, c).empty)  # another former district's: no plan anywhere
    _, captions = card_texts(run(other))
    weak = [c for c in captions if "Thấp nhất so với nhóm" in c]
    assert weak and all(c.count("Chủ trì: chưa có kế hoạch giao việc") == 1 and "chủ trì: " not in c for c in weak)


def test_the_district_s_last_ranks_are_a_line_of_their_own(fresh_caches, con):
    at = run()
    _, captions = card_texts(at)
    d = criteria.criterion_metrics(con, DISTRICT)
    for index, label in (("PAR", "PAR INDEX"), ("SIPAS", "SIPAS")):
        t = d[(d.index_code == index) & d.criterion_code.isna()].sort_values("year").iloc[-1]
        line = f"Huyện Vĩnh Lộc (trước 01/7/2025): {label} {t.year} hạng {int(t['rank'])}/{int(t.n_ranked)}"
        assert sum(line in c for c in captions) == 1, (line, captions)
    # never joined into a change: no delta on any card, no rank move «từ 20 xuống 100»
    assert not any(m.delta for m in at.metric) and not any("xuống" in c or "lên" in c for c in captions)


def test_a_commune_plan_puts_the_lead_unit_next_to_the_weak_criterion(built_db, tmp_path, app_database):
    from store.importing import import_plan

    db = tmp_path / "chiso.duckdb"
    shutil.copyfile(built_db, db)
    import_plan(PLAN, "TD-2026", db, entity_code=TAY_DO)
    app_database(db)
    _, captions = card_texts(run(TAY_DO))
    sipas = next(c for c in captions if "Thấp nhất so với nhóm" in c and "2.3 " in c)
    assert "· 2.3 Công chức trực tiếp giải quyết TTHC: thấp hơn trung vị 10,98 điểm — chủ trì: " \
           "Trung tâm Phục vụ hành chính công" in sipas
    # 1.1: the plan names no one, so the unit proposed from the former district's plan is shown, said so
    assert "chưa có kế hoạch giao việc" not in sipas
    assert "· 1.1 Trách nhiệm giải trình của cơ quan nhà nước: thấp hơn trung vị 12,81 điểm — đề xuất chủ trì: " in sipas


def test_the_district_keeps_its_changes(fresh_caches, con):
    at = run(DISTRICT)
    ddci = next(m for m in at.metric if m.label.startswith("DDCI"))
    assert ddci.delta.endswith("hạng (từ 16 xuống 17)")
    _, captions = card_texts(at)
    assert any("chủ trì: Phòng" in c for c in captions)  # the district's plan names its offices
    assert not any("Nhóm so sánh mới" in c for c in captions)


# ---------------------------------------------------------------- the page: the province in the year due

def test_choosing_the_due_year_for_the_province_says_no_result_is_published(fresh_caches):
    due = overview.results_year_due()
    at = run(PROVINCE)
    year = at.selectbox(key="_w_year")
    assert year.options[-1] == str(due) and year.value == due  # offered, and the latest
    said = [i.value for i in at.info if f"Chưa có kết quả năm {due} được công bố" in i.value]
    assert said and all(name in said[0] for name in ("PAR INDEX", "SIPAS", "PAPI", "PCI"))
    # each card: its index's latest real result, with its year
    # PAR INDEX and SIPAS 2024 are published ranks without a printed score (press_ranks_2020_2024.csv)
    assert [m.label for m in at.metric] == ["PAR INDEX 2024", "SIPAS 2024", "PAPI 2024", "PCI 2024"]
    assert [m.value for m in at.metric][:2] == ["Hạng 24/63", "Hạng 22/63"]
    assert not at.warning  # nothing illustrative stands in
    assert at.session_state["year"] == due


def test_the_commune_s_year_carries_to_the_province_without_a_silent_switch(fresh_caches):
    due = overview.results_year_due()  # 2025 in December 2026: the communes' first year
    at = run()
    assert at.session_state["year"] == due
    at.selectbox(key="_w_entity").set_value(PROVINCE).run()
    assert not at.exception
    assert at.session_state["year"] == due and at.selectbox(key="_w_year").value == due
    assert any(f"Chưa có kết quả năm {due} được công bố" in i.value for i in at.info)


def test_an_earlier_year_without_a_result_says_it_is_not_loaded(fresh_caches, con):
    # a unit and a year with some result, where another index has only an earlier one
    entity, year, index = con.execute("""
        WITH t AS (SELECT DISTINCT entity_code, index_code, year FROM scores
                   WHERE criterion_code IS NULL AND (points IS NOT NULL OR rank IS NOT NULL))
        SELECT y.entity_code, y.year, min(e.index_code) FROM (SELECT DISTINCT entity_code, year FROM t) y
        JOIN t e ON e.entity_code = y.entity_code AND e.year < y.year
        WHERE y.year < 2025 AND NOT EXISTS (SELECT 1 FROM t n WHERE n.entity_code = y.entity_code
                                            AND n.index_code = e.index_code AND n.year = y.year)
        GROUP BY ALL ORDER BY 1, 2 LIMIT 1""").fetchone()
    at = run(entity, year=year)
    label = next(m.label for m in at.metric if m.label.startswith(INDEX_LABEL[index]))
    assert int(label.rsplit(" ", 1)[1]) < year  # the card says its own, earlier year
    said = [i.value for i in at.info if i.value.startswith(f"Chưa nạp kết quả năm {year}")]
    assert said and INDEX_LABEL[index] in said[0]
