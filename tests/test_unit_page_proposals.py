"""«Đơn vị» for a commune without a plan of its own: its offices' duties proposed from the former
district's plan (metrics.proposals.unit_status, through data/registry/office_crosswalk.csv) are
counted, listed first, shown in the same tables as planned duties, and said in one line to be
proposals, not an assignment. An entity with a plan of its own is unchanged."""
from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics import units_view

ROOT = Path(__file__).resolve().parents[1]
BIEN_THUONG = "VN-38-15382"  # Xã Biện Thượng: no plan of its own, the district's 2023–2025 plan before it
DISTRICT = "VN-38-393"
OFFICES = ("department", "government")


def bare(text: str) -> str:
    """Markdown as a reader sees it: fmt.plain's backslashes gone."""
    return re.sub(r"\\(.)", r"\1", str(text))


def test_offices_with_proposed_duties_come_first(con):
    units = units_view.units_by_duties(con, BIEN_THUONG)
    assert units.proposed.all()
    assert units.has_duties.tolist() == sorted(units.has_duties, reverse=True)
    offices = units[units.kind.isin(OFFICES)]
    assert offices.has_duties.sum() >= 5  # Công an xã, Phòng Kinh tế, Phòng Văn hóa - Xã hội, VP, UBND xã, …
    first = units.iloc[0]
    assert first.kind in OFFICES and first.has_duties and first.n_criteria > 0
    # an office the proposal gives nothing comes after every unit with a proposed duty
    idle = units.index[units.unit_code == "phong_kinh_te_ha_tang_do_thi"][0]
    assert not units.has_duties[idle] and units.has_duties[:idle].all()
    # the count is what the page shows: each criterion once, every row a proposal
    for u in units.itertuples():
        duties = units_view.unit_status(con, u.unit_code, BIEN_THUONG)
        assert u.n_criteria == len(units_view.duty_sections(duties)), u.unit_code
        assert duties.proposed.all()


def test_an_entity_with_a_plan_of_its_own_is_not_given_proposals(con):
    units = units_view.units_by_duties(con, DISTRICT)
    assert not units.proposed.any() and units.has_duties.any()
    assert not units_view.unit_status(con, "phong_noi_vu", DISTRICT).proposed.any()
    assert units_view.proposal_note(con, DISTRICT, "phong_noi_vu") == ""


def test_the_note_says_proposal_source_and_crosswalk(con):
    note = units_view.proposal_note(con, BIEN_THUONG, "phong_kinh_te_xa")
    assert note.startswith("Chưa có kế hoạch giao việc của UBND xã Biện Thượng: các tiêu chí dưới đây là đề xuất, "
                           "chưa phải phân công")
    assert "UBND huyện Vĩnh Lộc (trước 01/7/2025)" in note and "data/registry/office_crosswalk.csv" in note
    assert "«Phòng Kinh tế» thay «Phòng Kinh tế và Hạ tầng», «Phòng Tài chính - Kế hoạch»" in note
    assert units_view.unit_label("Phòng Kinh tế", 50, 0, proposed=True) == "Phòng Kinh tế — 50 tiêu chí đề xuất"
    assert units_view.unit_label("Phòng Kinh tế", 0, 0, proposed=True) == "Phòng Kinh tế — không có việc được đề xuất"


def run(entity: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/don_vi.py"), default_timeout=90)
    at.session_state["entity"] = entity
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def picker(at):
    return next(s for s in at.selectbox if s.label == "Cơ quan, đơn vị")


def test_the_page_opens_on_an_office_with_proposed_duties(fresh_caches, con):
    at = run(BIEN_THUONG)
    unit = picker(at)
    units = units_view.units_by_duties(con, BIEN_THUONG)
    assert unit.value == units.unit_code.iloc[0] and units.has_duties.iloc[0]
    assert unit.options[0].endswith("tiêu chí đề xuất")
    assert at.dataframe and sum(len(d.value) for d in at.dataframe) > 0  # its criteria, in the planned duties' tables
    said = [bare(i.value) for i in at.info]
    assert len(said) == 1 and "là đề xuất, chưa phải phân công" in said[0] and "office_crosswalk.csv" in said[0]
    sources = [bare(c.value) for c in at.caption if c.value.startswith("Nguồn: ")]
    assert sources and "đề xuất từ" in sources[0]

    unit.set_value("phong_kinh_te_xa").run()
    assert not at.exception, [e.value for e in at.exception]
    n = len(units_view.duty_sections(units_view.unit_status(con, "phong_kinh_te_xa", BIEN_THUONG)))
    assert n > 0 and sum(len(d.value) for d in at.dataframe) == n  # lead, support, through a group: each once
    assert sum(int(m.value) for m in at.metric[:3]) == n


def test_an_office_without_proposed_duties_gets_one_line(fresh_caches):
    at = run(BIEN_THUONG)
    picker(at).set_value("phong_kinh_te_ha_tang_do_thi").run()
    assert not at.exception, [e.value for e in at.exception]
    said = [bare(i.value) for i in at.info]
    assert len(said) == 1 and said[0].startswith("Phòng Kinh tế, Hạ tầng và Đô thị không có tiêu chí nào")
    assert not at.dataframe and not at.metric
