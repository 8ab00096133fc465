"""A commune's responsible units: the crosswalk of the former district's
offices to the commune's (data/registry/office_crosswalk.csv), the units it proposes for a
commune without a plan of its own (metrics/proposals.py), what «Trọng tâm năm tới» and the
downloads make of them, the commune's CCHC coordinator (Phòng Văn hóa - Xã hội) and criterion
names read with «xã» for «huyện»."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import docx
import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain import office_crosswalk
from domain.frameworks import criterion_name_for
from domain.problems import ValidationFailed
from domain.progress import coordinator_for
from domain.units import UnitRegistry
from exports.briefing import task_layout, task_rows
from exports.plan_document import gather_plan_document, plan_document_docx
from exports.task_table import task_table_docx, task_table_xlsx
from metrics import criteria, proposals
from metrics.progress import coordinator_name
from tests.conftest import ROOT

REGISTRY = ROOT / "data" / "registry"
VINH_LOC, TAY_DO, DISTRICT, PROVINCE = "VN-38-15349", "VN-38-15361", "VN-38-393", "VN-38"
BIEN_THUONG = "VN-38-15382"  # a commune with no plan of its own (xã Vĩnh Lộc ships an illustrative 2026 plan)
VHXH, VP, KT = "Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND xã", "Phòng Kinh tế"
OFFICES = "Các phòng chuyên môn, đơn vị thuộc UBND xã"


@pytest.fixture(scope="module")
def units() -> UnitRegistry:
    return UnitRegistry.load(REGISTRY)


@pytest.fixture(scope="module")
def crosswalk(units) -> pd.DataFrame:
    return office_crosswalk.load(REGISTRY, units)


@pytest.fixture(scope="module")
def vinh_loc(con) -> pd.DataFrame:
    return proposals.proposal(con, VINH_LOC).units.set_index(["index_code", "criterion_code"])


# ---------------------------------------------------------------- the crosswalk file

def test_every_unit_of_the_shipped_plan_and_every_district_unit_has_a_row(con, units, crosswalk):
    named = {c for (c,) in con.execute("SELECT unit_code FROM plan_assignments WHERE plan_id = 'VL-2023-2025' UNION "
                                       "SELECT unit_code FROM plan_task_units WHERE plan_id = 'VL-2023-2025'").fetchall()}
    district = {u.code for u in units.units() if u.level == "district"}
    assert len(named) == 27 and len(district) == 32  # 15 offices, 4 district groups, 13 communes
    assert named | district <= set(crosswalk.district_unit)
    assert crosswalk.district_unit.is_unique
    # the 13 former communes and the groups are handled explicitly, each with its reason
    assert set(crosswalk[crosswalk.district_unit.str.startswith(("xa_", "tt_"))].commune_unit) == {"ubnd_xa"}
    dropped = crosswalk[crosswalk.commune_unit == ""]
    assert set(dropped.district_unit) == {"bhxh_huyen", "buu_dien_huyen"}
    assert all(b.startswith("Không đề xuất") for b in dropped.basis)
    assert dict(zip(crosswalk.district_unit, crosswalk.commune_unit))["so_noi_vu"] == "so_noi_vu"  # kept: a province body


def test_every_target_is_a_commune_unit_and_every_row_has_a_basis_and_a_status(crosswalk, units):
    for r in crosswalk.itertuples():
        if r.commune_unit:
            assert units.find(r.commune_unit).level in ("commune", ""), r
        assert r.status in ("căn cứ", "đề xuất") and r.confidence in ("cao", "trung bình", "thấp"), r
        assert r.basis and r.source, r
    # what the research found in a source is «căn cứ»; what it did not, «đề xuất» and said so in the source
    by = crosswalk.set_index("district_unit")
    assert by.loc["phong_noi_vu", "status"] == "căn cứ" and "10/2025/TT-BNV" in by.loc["phong_noi_vu", "source"]
    assert by.loc["phong_tu_phap", ["commune_unit", "status"]].tolist() == ["vp_hdnd_ubnd_xa", "căn cứ"]
    assert by.loc["bo_phan_mot_cua", "commune_unit"] == "trung_tam_pvhcc_xa" and "118/2025" in by.loc["bo_phan_mot_cua", "source"]
    assert by.loc["phong_giao_duc_dao_tao", "confidence"] == "trung bình"  # one commune's decision only
    for code in ("ubnd_huyen", "grp_phong_ban_nganh", "trung_tam_vhttttdl", "grp_hdnd_mttq_cap_xa"):
        assert by.loc[code, "status"] == "đề xuất" and by.loc[code, "source"].startswith("Đề xuất"), code


def test_a_wrong_crosswalk_is_refused_with_every_problem(tmp_path, units):
    for name in ("units.csv", "unit_aliases.csv", "unit_members.csv"):
        shutil.copy(REGISTRY / name, tmp_path / name)
    with open(tmp_path / office_crosswalk.FILE, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(office_crosswalk.COLUMNS)
        w.writerow(["phong_noi_vu", "phong_tu_phap", "căn cứ", "cao", "x", "y"])  # a district office as target
        w.writerow(["phong_noi_vu", "phong_van_hoa_xa_hoi", "chắc chắn", "cao", "", "y"])  # twice; bad status; no basis
        w.writerow(["phong_van_hoa_xa_hoi", "", "đề xuất", "vừa", "x", "y"])  # a commune's own office; bad confidence
    with pytest.raises(ValidationFailed) as e:
        office_crosswalk.load(tmp_path, units)
    where = [(p.row, p.column) for p in e.value.problems]
    assert where == [(2, "commune_unit"), (3, "district_unit"), (3, "status"), (3, "basis"),
                     (4, "district_unit"), (4, "confidence")]


def test_the_database_holds_the_crosswalk(con, crosswalk):
    stored = con.execute("SELECT district_unit, COALESCE(commune_unit, ''), status FROM office_crosswalk "
                         "ORDER BY 1").fetchall()
    assert stored == sorted(zip(crosswalk.district_unit, crosswalk.commune_unit, crosswalk.status))


# ---------------------------------------------------------------- the coordinator

def test_the_communes_coordinator_is_phong_van_hoa_xa_hoi(con):
    assert coordinator_for("commune") == "phong_van_hoa_xa_hoi" and coordinator_for("district") == "phong_noi_vu"
    assert coordinator_name(con, "commune") == VHXH and coordinator_name(con, "province") is None
    with open(ROOT / "data" / "progress" / "coordinators.csv", encoding="utf-8") as fh:
        note = {r["level"]: r["note"] for r in csv.DictReader(fh)}["commune"]
    assert "Thông tư 10/2025/TT-BNV" in note
    # the draft plan of a commune sends its reports to that office
    p = gather_plan_document(con, VINH_LOC, 2025)
    assert p.coordinator == VHXH
    text = "\n".join(par.text for par in docx.Document(io.BytesIO(plan_document_docx(p))).paragraphs)
    assert f"gửi {VHXH} để tổng hợp" in text and "gửi Văn phòng HĐND và UBND để tổng hợp" not in text


# ---------------------------------------------------------------- the proposal

def test_the_proposal_for_xa_vinh_loc_by_hand(vinh_loc):
    def units_of(index, code):
        r = vinh_loc.loc[(index, code)]
        return list(r.lead_units), list(r.support_units)

    # PAR 5.5: Phòng Nội vụ led it, with Văn phòng HĐND và UBND huyện, the departments, UBND cấp xã, others
    assert units_of("PAR", "5.5") == ([VHXH], [VP, OFFICES, "UBND xã", "Các đơn vị liên quan"])
    assert units_of("PAR", "2.2")[0] == [VP]  # Phòng Tư pháp
    assert units_of("PAR", "6.1")[0] == [KT]  # Phòng Tài chính - Kế hoạch
    assert units_of("PAPI", "SC64") == (["Công an xã"], ["UBND xã", "Các đơn vị liên quan"])  # Công an huyện
    # Nội vụ leads and supports SC43: once, as lead
    assert units_of("PAPI", "SC43") == ([VHXH], [])
    # SC24: three district offices become Phòng Kinh tế, which leads; a support never repeats the lead
    assert units_of("PAPI", "SC24") == ([KT], ["UBND xã"])
    # SC21: two leads stay leads; VH-TT and its Trung tâm both become Phòng Văn hóa - Xã hội, named once
    assert units_of("PAPI", "SC21") == ([OFFICES, "UBND xã"], [VHXH])
    r = vinh_loc.loc[("PAR", "5.5")]
    assert list(r.plan_ids) == ["VL-2023-2025"] and list(r.plan_codes) == ["5.5"]
    assert "Phòng Nội vụ" in list(r.from_units) and not r.all_sourced and list(r.proposed_units) == [OFFICES]
    assert vinh_loc.loc[("PAR", "1.6")].all_sourced  # Văn phòng HĐND và UBND huyện → its commune office: a source
    eight_one = vinh_loc.loc[("PAR", "8.1")]
    assert list(eight_one.dropped_units) == ["Bưu điện huyện"] and not eight_one.all_sourced


def test_an_own_plan_wins_where_it_assigns_and_the_proposal_fills_the_rest(con, db_copy):
    assert proposals.proposal(con, DISTRICT).empty  # no predecessor with a plan
    assert proposals.proposal(con, PROVINCE).empty  # nothing before it has a plan
    assert not proposals.proposal(con, TAY_DO).empty
    from store.importing import import_plan

    import_plan(ROOT / "tests" / "fixtures" / "ke-hoach-xa-tay-do-2026.md", "TD-2026", db_copy, entity_code=TAY_DO)
    with duckdb.connect(str(db_copy), read_only=True) as c:
        prop = proposals.proposal(c, TAY_DO)
        focus = criteria.focus_list(c, TAY_DO, 2025)
        filled = proposals.with_units(focus, prop)
        planned = [len(u) > 0 for u in focus.lead_units]
        assert any(planned) and not all(planned)
        # the plan's units stay on the criteria it assigns; only the others are proposed
        assert not filled.units_proposed[planned].any()
        assert list(map(list, filled.lead_units[planned])) == list(map(list, focus.lead_units[planned]))
        assert filled.units_proposed[[not p for p in planned]].any()
        note = proposals.note(prop, filled)
        assert note and proposals.note(prop, filled[~filled.units_proposed]) == ""
        assert proposals.unit_status(c, "phong_van_hoa_xa_hoi", TAY_DO).empty  # the office's duties: its plan's


def test_the_focus_list_gets_one_proposed_lead_per_criterion(con):
    focus = criteria.focus_list(con, BIEN_THUONG, 2025)
    assert len(focus) and all(len(u) == 0 for u in focus.lead_units)  # its own plans: none
    filled = proposals.with_units(focus, proposals.proposal(con, BIEN_THUONG))
    assert filled.units_proposed.all() and all(len(u) == 1 for u in filled.lead_units)
    row = filled.set_index(["index_code", "criterion_code"]).loc[("PAR", "5.5")]
    assert list(row.lead_units) == [VHXH]
    district = criteria.focus_list(con, DISTRICT, 2024)
    same = proposals.with_units(district, proposals.proposal(con, DISTRICT))
    assert not same.units_proposed.any() and list(map(list, same.lead_units)) == list(map(list, district.lead_units))


def test_one_lead_moves_the_other_leads_to_support():
    assert proposals.one_lead(["A", "B"], ["C", "B"]) == (["A"], ["B", "C"])
    assert proposals.one_lead(["A"], ["A", "C", "C"]) == (["A"], ["C"])
    assert proposals.one_lead([], ["C"]) == ([], ["C"])


def test_the_note_names_the_plan_the_crosswalk_and_the_unsourced_steps(con):
    prop = proposals.proposal(con, VINH_LOC)
    text = proposals.note(prop)
    assert "đề xuất" in text and "data/registry/office_crosswalk.csv" in text
    assert "Kế hoạch nâng cao các chỉ số PAR INDEX, SIPAS, PAPI, DDCI giai đoạn 2023–2025 của UBND huyện Vĩnh Lộc" in text
    assert f"«{OFFICES}» thay «Các phòng, ban, ngành, đơn vị cấp huyện»" in text
    assert "«UBND xã» thay «UBND cấp huyện»" in text and "«Bưu điện huyện»" in text
    assert text.endswith(".") and not re.search(r"\.\s+[A-ZĐ]", text)  # one sentence
    # for the rows of one criterion led and supported only through sourced steps: nothing unsourced
    only = pd.DataFrame({"index_code": ["PAR"], "framework": ["PAR-TH-HUYEN-2023"], "criterion_code": ["1.6"]})
    assert "chưa có văn bản" not in proposals.note(prop, only)
    assert proposals.note(proposals.proposal(con, DISTRICT)) == ""


def test_a_commune_office_has_duties_under_the_proposal(con):
    """What the «Đơn vị» page calls for a commune without a plan: proposals.unit_status."""
    duties = proposals.unit_status(con, "phong_van_hoa_xa_hoi", BIEN_THUONG)
    assert duties.proposed.all() and set(duties.plan_id) == {"VL-2023-2025"}
    lead = duties[(duties.role == "lead") & duties.via_group.isna()]
    assert {"5.5", "5.7", "7.1", "1.1"} <= set(lead[lead.index_code == "PAR"].published_code)
    via = duties[duties.via_group.notna()]
    assert set(via.via_group) == {OFFICES}  # what it owes as one of the commune's offices
    assert set(duties.columns) >= set(criteria.unit_status(con, "phong_noi_vu", DISTRICT).columns)
    names = dict(zip(duties.published_code, duties.criterion_name))
    assert names.get("8.2", "Mức độ thu hút đầu tư của xã") == "Mức độ thu hút đầu tư của xã"
    assert proposals.unit_status(con, "phong_noi_vu", DISTRICT).empty  # the district has its plan


# ---------------------------------------------------------------- «huyện» reads «xã» for a commune

def test_district_criterion_names_read_xa_for_a_commune():
    crit = pd.read_csv(ROOT / "data" / "frameworks" / "criteria.csv", dtype=str, keep_default_na=False)
    with_district = crit[crit.name_vi.str.contains("huyện", case=False)]
    assert len(with_district) == 8  # all in the district PAR framework, and none in a proper name
    for name in with_district.name_vi:
        renamed = criterion_name_for(name, "commune")
        assert "huyện" not in renamed.lower() and "xã" in renamed and criterion_name_for(name, "district") == name
    by = dict(zip(with_district.code, with_district.name_vi))
    assert criterion_name_for(by["8.2"], "commune") == "Mức độ thu hút đầu tư của xã"
    assert criterion_name_for(by["8.5"], "commune") == "Mức độ thực hiện chỉ tiêu phát triển kinh tế - xã hội do HĐND xã giao"
    assert criterion_name_for(by["1.6"], "commune") == "Đối thoại của xã với người dân, doanh nghiệp"
    assert criterion_name_for(by["3.5"], "commune").endswith("thuộc thẩm quyền giải quyết của xã")
    assert criterion_name_for("Cấp huyện giao cho UBND huyện Vĩnh Lộc", "commune") == "Cấp xã giao cho UBND huyện Vĩnh Lộc"
    assert criterion_name_for(None, "commune") is None


def test_a_communes_metrics_and_draft_say_xa(con):
    m = criteria.criterion_metrics(con, VINH_LOC, "PAR", 2025)
    assert not m.criterion_name.dropna().str.contains("huyện").any()
    assert "Mức độ thu hút đầu tư của xã" in set(m.criterion_name)
    d = criteria.criterion_metrics(con, DISTRICT, "PAR", 2024)
    assert "Mức độ thu hút đầu tư của huyện" in set(d.criterion_name)  # the district keeps its words
    rows = task_rows(con, VINH_LOC, 2025)
    assert not any("huyện" in r.name or "huyện" in (r.area_name or "") for r in rows)


# ---------------------------------------------------------------- the page and the downloads

@pytest.fixture()
def deferred(monkeypatch) -> dict:
    """The data callables of the page's download buttons, by their file id (AppTest runs no
    server to ask for them)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    seen: dict = {}
    original = MediaFileManager.add_deferred

    def keep(self, data_callable, *args, **kw):
        file_id = original(self, data_callable, *args, **kw)
        seen[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return seen


def test_focus_page_of_xa_vinh_loc_offers_the_proposed_units_as_choices(fresh_caches, deferred):
    at = AppTest.from_file(str(ROOT / "pages" / "trong_tam.py"), default_timeout=120)
    at.session_state["entity"] = VINH_LOC
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    editor = at.dataframe[0]
    table = editor.value.set_index(["index", "code"])
    assert table.loc[("PAR INDEX", "5.5"), "lead"] == VHXH
    assert list(table.loc[("PAR INDEX", "5.5"), "support"]) == [VP, OFFICES, "UBND xã", "Các đơn vị liên quan"]
    assert table.loc[("PAR INDEX", "2.2"), "lead"] == VP
    assert "Mức độ thu hút đầu tư của xã" in set(table.name)
    columns = json.loads(editor.proto.columns)
    assert columns["lead"]["type_config"]["type"] == "selectbox"
    assert columns["support"]["type_config"]["type"] == "multiselect"
    offered = columns["lead"]["type_config"]["options"]
    assert {VHXH, VP, KT, "Trung tâm Phục vụ hành chính công", "Công an xã"} <= set(offered)
    assert "Phòng Nội vụ" not in offered and "Văn phòng HĐND và UBND huyện" not in offered
    said = " ".join(i.value for i in at.info).replace("\\", "")
    assert "đề xuất" in said and "data/registry/office_crosswalk.csv" in said and "huyện Vĩnh Lộc" in said
    assert f"«{OFFICES}» thay «Các phòng, ban, ngành, đơn vị cấp huyện»" in said
    # the three downloads carry the proposed units, not «…»
    files = {b.label: deferred[b.proto.deferred_file_id]() for b in at.get("download_button")}
    xlsx = next(v for k, v in files.items() if k.endswith("(Excel)"))
    cells = [c.value for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row]
    assert VHXH in cells and VP in cells
    word = next(v for k, v in files.items() if k.startswith("Tải bảng") and k.endswith("(Word)"))
    table_cells = [c.text for t in docx.Document(io.BytesIO(word)).tables for row in t.rows for c in row.cells]
    assert VHXH in table_cells
    plan = next(v for k, v in files.items() if k.startswith("Tải dự thảo"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(plan)).paragraphs)
    assert f"- Cơ quan chủ trì: {VP}." in text and "- Cơ quan chủ trì: …" not in text
    # the former district keeps its own plan's units, typed as its plan names them
    at = AppTest.from_file(str(ROOT / "pages" / "trong_tam.py"), default_timeout=120)
    at.session_state["entity"] = DISTRICT
    at.run()
    assert not at.exception
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["lead"]["type_config"]["type"] == columns["support"]["type_config"]["type"] == "text"
    assert not any("là đề xuất" in i.value for i in at.info)  # its own plan: nothing proposed


def test_the_command_line_draft_carries_the_proposed_units(con):
    rows = task_rows(con, VINH_LOC, 2025)
    assert rows and all(len(r.lead_units) == 1 for r in rows)
    layout = task_layout("UBND xã Vĩnh Lộc", 2025, illustrative=True)
    ws = openpyxl.load_workbook(io.BytesIO(task_table_xlsx(rows, **layout))).active
    assert any(c.value == VHXH for row in ws.iter_rows() for c in row)
    d = docx.Document(io.BytesIO(task_table_docx(rows, **layout)))
    assert any(c.text == KT for t in d.tables for row in t.rows for c in row.cells)
    p = gather_plan_document(con, VINH_LOC, 2025)
    assert [r.lead_units for r in p.rows] == [r.lead_units for r in rows]
