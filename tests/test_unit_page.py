"""The «Đơn vị» page: a unit's own lead first, then its own support, then what it inherits
through generic groups, each criterion once; its tasks grouped by role, a line each with the
full text on demand (metrics/units_view.py draws nothing; pages/don_vi.py only draws). The units
with duties are listed first and the page opens on one; a unit without duties, or an entity
without a plan, is told so in one line."""
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain.vocabulary import home_entity
from metrics import units_view
from metrics.units_view import GROUP, LEAD, SUPPORT

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = "VN-38-393"  # Huyện Vĩnh Lộc: the plan that names the district's offices
GROUP_NAME = "Các phòng, ban, ngành, đơn vị cấp huyện"


def sections(con, unit: str) -> pd.DataFrame:
    return units_view.duty_sections(units_view.unit_status(con, unit, DISTRICT))


def assert_well_formed(d: pd.DataFrame) -> None:
    order = {LEAD: 0, SUPPORT: 1, GROUP: 2}
    assert list(d.section.map(order)) == sorted(d.section.map(order))  # own lead, own support, inherited
    assert not d.duplicated(["plan_id", "index_code", "plan_code"]).any()  # each criterion once on the page
    assert (d[d.section != GROUP].via_group.isna()).all() and d[d.section == GROUP].via_group.notna().all()


def test_own_lead_first_then_support_then_inherited(con):
    raw = units_view.unit_status(con, "phong_tai_chinh_ke_hoach", DISTRICT)
    # what the page used to show: inherited rows first (PAPI before PAR), lead and support twice
    assert raw.via_group.iloc[0] == GROUP_NAME
    assert raw.duplicated(["index_code", "plan_code"]).sum() == 2  # PAR 6.1 and 6.2
    d = units_view.duty_sections(raw)
    assert_well_formed(d)
    assert d.section.value_counts().to_dict() == {GROUP: 37, LEAD: 4, SUPPORT: 2}
    lead = d[d.section == LEAD]
    assert list(zip(lead.index_code, lead.plan_code)) == [("PAR", "6.1"), ("PAR", "6.2"), ("PAR", "6.3"), ("PAR", "8.4")]
    assert list(lead.note) == ["cũng phối hợp qua nhóm", "cũng phối hợp qua nhóm", "", ""]
    support = d[d.section == SUPPORT]
    assert list(support.code) == ["2.3 (SC23)", "2.4 (SC24)"]  # the plan's code, the published one beside it
    assert len(d) == raw.groupby(["index_code", "plan_code"]).ngroups


def test_a_criterion_led_and_supported_directly_is_led_with_a_note(con):
    d = sections(con, "phong_noi_vu")
    assert_well_formed(d)
    row = d[(d.index_code == "PAR") & (d.plan_code == "5.1")].iloc[0]
    assert (row.section, row.role, row.note) == (LEAD, "lead", "cũng phối hợp")
    row = d[(d.index_code == "PAPI") & (d.plan_code == "4.3")].iloc[0]
    assert (row.section, row.note) == (LEAD, "cũng phối hợp")
    # supported directly, led only through the group: under Phối hợp, and it says so
    row = d[(d.index_code == "PAR") & (d.plan_code == "5.4")].iloc[0]
    assert (row.section, row.note) == (SUPPORT, "cũng chủ trì qua nhóm")


def test_led_directly_and_through_a_group_is_one_row(con):
    raw = units_view.unit_status(con, "vp_hdnd_ubnd", DISTRICT)
    assert raw.duplicated(["index_code", "plan_code", "role"]).any()  # lead twice: directly and via the group
    d = units_view.duty_sections(raw)
    assert_well_formed(d)
    row = d[(d.index_code == "SIPAS") & (d.plan_code == "2.5")].iloc[0]
    assert (row.section, row.note) == (LEAD, "cũng chủ trì qua nhóm")


def test_sections_from_rows_in_any_order():
    """No database: the inherited rows come first in the input, as the SQL used to give them."""
    rows = [("PAR", "1.1", "support", GROUP_NAME), ("PAR", "1.1", "lead", None), ("PAR", "2.1", "lead", GROUP_NAME),
            ("PAR", "2.1", "support", GROUP_NAME), ("PAPI", "3.1", "support", None), ("PAR", "1.10", "lead", None),
            ("PAR", "1.2", "lead", None)]
    duties = pd.DataFrame([{"plan_id": "P", "index_code": i, "plan_code": c, "criterion_name": f"Tiêu chí {c}",
                            "role": r, "via_group": g, "framework": "F", "published_code": c} for i, c, r, g in rows])
    d = units_view.duty_sections(duties)
    assert list(zip(d.section, d.index_code, d.plan_code, d.role)) == [
        (LEAD, "PAR", "1.1", "lead"), (LEAD, "PAR", "1.2", "lead"), (LEAD, "PAR", "1.10", "lead"),
        (SUPPORT, "PAPI", "3.1", "support"), (GROUP, "PAR", "2.1", "lead")]
    assert list(d.note) == ["cũng phối hợp qua nhóm", "", "", "", "cũng phối hợp"]
    assert units_view.group_title(d[d.section == GROUP]) == f"Qua nhóm chung («{GROUP_NAME}»)"
    assert units_view.duty_sections(duties.iloc[0:0]).empty


def test_duty_table_says_the_status_in_words(con):
    from metrics import criteria

    raw = units_view.unit_status(con, "phong_tai_chinh_ke_hoach", DISTRICT)
    d = units_view.duty_table(raw, criteria.criterion_metrics(con, DISTRICT))
    assert set(d.status) <= {"ổn", "đang giảm", "hạng thấp", "đang giảm, hạng thấp", "không có số liệu"}
    assert set(d.index_label) == {"PAR INDEX", "PAPI", "SIPAS"}
    assert all(isinstance(t, list) and len(t) == 4 for t in d.trend)  # 2021–2024
    assert set(d.role_vi) == {"Chủ trì", "Phối hợp"}


def test_tasks_grouped_by_role_once_each(con):
    raw = units_view.unit_tasks(con, "phong_noi_vu", DISTRICT)
    assert raw.duplicated(["plan_id", "task_no"]).any()  # 1.1.1: lead through the group and support directly
    t = units_view.task_groups(raw)
    assert not t.duplicated(["plan_id", "task_no"]).any() and len(t) == raw.task_no.nunique()
    assert list(t.role) == sorted(t.role)  # «lead» before «support»
    lead = t[t.role == "lead"]
    assert lead.via.iloc[0] == "trực tiếp" and list(lead.via).count("trực tiếp") == 1  # 1.2.5, given directly, first
    row = t[t.task_no == "1.1.1"].iloc[0]
    assert (row.role, row.via, row.via_group, row.note) == ("lead", "qua nhóm chung", GROUP_NAME, "cũng phối hợp trực tiếp")
    assert all(len(s) <= 70 for s in t.summary) and all(len(x) >= len(s) - 2 for x, s in zip(t.text, t.summary))
    assert units_view.task_groups(raw.iloc[0:0]).empty


def test_short_text():
    assert units_view.short_text("Thực hiện có hiệu quả Đề án 06; thường xuyên kiểm tra.") == "Thực hiện có hiệu quả Đề án 06 …"
    long = "Tăng cường công tác đào tạo, bồi dưỡng nhằm nâng cao chất lượng, hiệu quả hoạt động của đội ngũ cán bộ"
    short = units_view.short_text(long)
    assert short.endswith(" …") and len(short) <= 70 and long.startswith(short[:-2])
    assert units_view.short_text("Ngắn gọn.") == "Ngắn gọn."


# ---------------------------------------------------------------- the page

def run(entity: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/don_vi.py"), default_timeout=90)
    if entity:
        at.session_state["entity"] = entity
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_shows_three_sections(fresh_caches, con):
    at = run(DISTRICT)
    unit = next(s for s in at.selectbox if s.label == "Cơ quan, đơn vị")
    unit.set_value("phong_tai_chinh_ke_hoach").run()
    assert not at.exception, [e.value for e in at.exception]
    heads = [s.value for s in at.subheader]
    assert heads[:3] == ["Chủ trì (giao trực tiếp) — 4", "Phối hợp (giao trực tiếp) — 2",
                         f"Qua nhóm chung («{GROUP_NAME}») — 37"]
    assert heads[3].startswith("Nhiệm vụ trọng tâm")
    assert [m.value for m in at.metric][:3] == ["4", "2", "37"]
    lead = at.dataframe[0].value
    assert list(lead.columns) == ["index_label", "code", "criterion_name", "status", "trend", "note"]
    assert list(lead.code) == ["6.1", "6.2", "6.3", "8.4"]
    group = at.dataframe[2].value
    assert "role_vi" in group.columns and len(group) == 37
    # tasks: by role, a line each, the full text in an expander
    assert [m.value for m in at.markdown if m.value.startswith("**Chủ trì —") or m.value.startswith("**Phối hợp —")] == [
        "**Chủ trì — 10 nhiệm vụ**", "**Phối hợp — 5 nhiệm vụ**"]
    assert [e.label for e in at.expander] == ["Toàn văn 10 nhiệm vụ chủ trì", "Toàn văn 5 nhiệm vụ phối hợp"]


def test_the_home_commune_opens_on_an_office_of_its_own_plan(fresh_caches):
    at = run(None)
    assert at.session_state["entity"] == home_entity()  # xã Vĩnh Lộc, with its (illustrative) 2026 plan
    assert [s for s in at.subheader if s.value.startswith("Chủ trì")]
    assert not any("đề xuất" in i.value for i in at.info)  # its plan assigns: nothing proposed


# ---------------------------------------------------------------- the unit it opens on, and units without duties

TAY_DO = "VN-38-15361"
NONE = "không có việc được giao"


def bare(text: str) -> str:
    """Markdown as a reader sees it: fmt.plain's backslashes gone."""
    return re.sub(r"\\(.)", r"\1", str(text))


@pytest.fixture()
def tay_do_plan(built_db, tmp_path, app_database) -> Path:
    """The shipped database with the TEST SAMPLE plan of xã Tây Đô (tests/fixtures/), pages reading it."""
    from store.importing import import_plan

    db = tmp_path / "chiso.duckdb"
    shutil.copyfile(built_db, db)
    import_plan(ROOT / "tests" / "fixtures" / "ke-hoach-xa-tay-do-2026.md", "TD-2026", db, entity_code=TAY_DO)
    return app_database(db)


def test_units_with_duties_come_first_and_count_what_the_page_shows(tay_do_plan):
    with duckdb.connect(str(tay_do_plan), read_only=True) as con:
        units = units_view.units_by_duties(con, TAY_DO)
        assert units.has_duties.tolist() == sorted(units.has_duties, reverse=True)
        # the commune's offices its plan left out are listed too, last, so they can read that they owe nothing
        assert list(units[~units.has_duties].unit_code) == ["phong_kinh_te_ha_tang_do_thi", "ubnd_xa"]
        for u in units.itertuples():
            assert u.n_criteria == len(units_view.duty_sections(units_view.unit_status(con, u.unit_code, TAY_DO)))
            assert u.n_tasks == len(units_view.task_groups(units_view.unit_tasks(con, u.unit_code, TAY_DO)))
    assert units_view.unit_label("Phòng Kinh tế", 5, 2) == "Phòng Kinh tế — 5 tiêu chí, 2 nhiệm vụ"
    assert units_view.unit_label("UBND xã", 0, 0) == f"UBND xã — {NONE}"


def test_the_page_opens_on_a_unit_with_duties_and_says_in_one_line_when_one_has_none(tay_do_plan):
    at = run(TAY_DO)
    picker = next(s for s in at.selectbox if s.label == "Cơ quan, đơn vị")
    options = list(picker.options)
    assert options[-2:] == [f"Phòng Kinh tế, Hạ tầng và Đô thị — {NONE}", f"UBND xã — {NONE}"]
    assert not any(NONE in o for o in options[:-2])  # those with duties first
    assert picker.value == "cong_an_xa" and options[0] == "Công an xã — 1 tiêu chí, 1 nhiệm vụ"
    assert at.dataframe and at.metric  # it opened on a unit with duties: its criteria are shown
    picker.set_value("ubnd_xa").run()
    assert not at.exception
    assert [bare(i.value) for i in at.info] == [
        "UBND xã không được giao tiêu chí hay nhiệm vụ nào trong kế hoạch của UBND xã Tây Đô (kể cả qua nhóm); "
        "các cơ quan có việc đứng đầu danh sách."]
    assert not at.dataframe and not at.subheader and not at.metric  # one line, nothing empty under it


def test_an_entity_without_a_plan_or_a_predecessors_says_in_one_line_what_to_do(fresh_caches):
    at = run("VN-38-14797")  # phường Hạc Thành: no plan of its own, none proposed from a predecessor's
    assert not [s for s in at.selectbox if s.label == "Cơ quan, đơn vị"]  # nobody to choose: nobody has duties
    assert len(at.info) == 1
    line = bare(at.info[0].value)
    assert line.startswith("Chưa có kế hoạch giao việc của UBND phường Hạc Thành, nên chưa cơ quan nào có tiêu chí")
    assert "trang «Trọng tâm năm tới»" in line and "Ban hành kế hoạch" in line
    assert 'python -m loaders import-plan TỆP --plan-id MÃ --entity "Phường Hạc Thành"' in line


