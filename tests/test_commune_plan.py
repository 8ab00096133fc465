"""A commune's plan (since 1/7/2025): its units are the commune UBND's offices, its period and
issuer come from the document and the entity, and a district office is refused in it.

The plan is tests/fixtures/ke-hoach-xa-tay-do-2026.md, a TEST SAMPLE (not a real plan) of
UBND xã Tây Đô for 2026, laid out like the district's plan in data/plan/.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from domain.problems import ValidationFailed
from domain.units import UnitRegistry
from loaders.plan import document_title, load_plan, plan_period, resolve_plan
from metrics import catalog, criteria, units_view
from store.build import plan_meta
from store.importing import import_plan
from tests.conftest import ROOT, db_content
from tests.plan_forms import write_appendix_docx, write_appendix_xlsx

FIXTURE = ROOT / "tests" / "fixtures" / "ke-hoach-xa-tay-do-2026.md"
REGISTRY = ROOT / "data" / "registry"
TAY_DO = "VN-38-15361"  # Xã Tây Đô, official code (Cục Thống kê, CV 1027/CTK-CSCL)
PLAN_ID = "TD-2026"


@pytest.fixture(scope="module")
def commune() -> UnitRegistry:
    return UnitRegistry.load(REGISTRY, level="commune")


def _rows(path: Path, sql: str, *params) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def _with(tmp_path: Path, old: str, new: str, name: str = "ke-hoach.md") -> tuple[Path, int]:
    """The fixture with ``old`` replaced once; the file line of the change."""
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    return path, line


def test_the_fixture_says_it_is_a_test_sample():
    first = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    assert "TỆP MẪU ĐỂ KIỂM THỬ — không phải kế hoạch thật" in first


def test_a_commune_plan_imports_with_its_period_issuer_and_offices(db_copy):
    n = import_plan(FIXTURE, PLAN_ID, db_copy, entity_code=TAY_DO)
    assert n == 22
    plan = _rows(db_copy, "SELECT * FROM plans WHERE plan_id = ?", PLAN_ID).iloc[0]
    assert (plan.entity_code, plan.issuer, plan.year_from, plan.year_to) == (TAY_DO, "UBND xã Tây Đô", 2026, 2026)
    assert plan.title.startswith("Kế hoạch duy trì, nâng cao") and plan.title.endswith("của xã Tây Đô năm 2026")

    units = _rows(db_copy, """SELECT DISTINCT a.unit_code, u.level FROM plan_assignments a JOIN units u USING (unit_code)
                              WHERE a.plan_id = ? UNION SELECT DISTINCT t.unit_code, u.level
                              FROM plan_task_units t JOIN units u USING (unit_code) WHERE t.plan_id = ?""", PLAN_ID, PLAN_ID)
    assert set(units.level.fillna("")) <= {"commune", ""}
    assert {"vp_hdnd_ubnd_xa", "trung_tam_pvhcc_xa", "phong_kinh_te_xa", "phong_van_hoa_xa_hoi", "cong_an_xa",
            "grp_phong_chuyen_mon_xa", "grp_thon_to_dan_pho", "mttq_xa"} <= set(units.unit_code)
    assert "vp_hdnd_ubnd" not in set(units.unit_code)  # «Văn phòng HĐND và UBND» is the commune's office here
    lead = _rows(db_copy, "SELECT criterion_code, unit_code FROM plan_assignments WHERE plan_id = ? AND role = 'lead'",
                 PLAN_ID)
    assert dict(zip(lead.criterion_code, lead.unit_code))["1.1"] == "vp_hdnd_ubnd_xa"
    tasks = _rows(db_copy, "SELECT section, task_no FROM plan_task_items WHERE plan_id = ? ORDER BY task_no", PLAN_ID)
    assert list(tasks.task_no) == ["1.1.1", "1.1.2", "1.1.3", "1.2.1"]

    with duckdb.connect(str(db_copy), read_only=True) as con:
        resp = criteria.responsibility(con, None, TAY_DO)
        assert len(resp) == 8 and set(resp.plan_id) == {PLAN_ID}
        assert set(resp.index_code) == {"PAR", "SIPAS"}
        row = resp[(resp.index_code == "PAR") & (resp.criterion_code == "3.3")].iloc[0]
        assert list(row.lead_units) == ["Trung tâm Phục vụ hành chính công"]
        assert list(row.support_units) == ["Văn phòng HĐND và UBND xã", "Phòng Kinh tế", "Phòng Văn hóa - Xã hội"]
        # the district's plan still answers for the district only
        assert set(criteria.responsibility(con, None, "VN-38-393").plan_id) == {"VL-2023-2025"}
        # the «Đơn vị» page: the commune's units and tasks, from its own plan
        offered = catalog.units(con, TAY_DO)
        assert "vp_hdnd_ubnd_xa" in set(offered.unit_code) and "phong_noi_vu" not in set(offered.unit_code)
        assert "phong_kinh_te_xa" in set(offered.unit_code)
        tasks = units_view.unit_tasks(con, "phong_kinh_te_xa", TAY_DO)
        assert list(zip(tasks.task_no, tasks.role, tasks.via_group.fillna(""))) == [
            ("1.1.1", "support", "Các phòng chuyên môn, đơn vị thuộc UBND xã"), ("1.1.3", "lead", "")]
        assert units_view.unit_tasks(con, "grp_don_vi_lien_quan", TAY_DO).empty  # only the district's plan names it
        subheader, caption = units_view.task_heading(units_view.entity_plans(con, TAY_DO), len(tasks))
        assert subheader == "Nhiệm vụ trọng tâm (mục II.1.1, II.1.2) — 2"
        assert "UBND xã Tây Đô" in caption and "năm 2026" in caption and "huyện" not in caption


def test_a_district_office_in_a_commune_plan_is_refused(db_copy, tmp_path):
    before = db_content(db_copy)
    path, line = _with(tmp_path, "| 6.1 | Tổ chức thực hiện công tác tài chính - ngân sách | Phòng Kinh tế |",
                       "| 6.1 | Tổ chức thực hiện công tác tài chính - ngân sách | Phòng Nội vụ |")
    with pytest.raises(ValidationFailed) as e:
        import_plan(path, PLAN_ID, db_copy, entity_code=TAY_DO)
    [p] = e.value.problems
    assert (Path(p.file).name, p.row, p.column) == (path.name, line, "Cơ quan chủ trì")
    assert "tiêu chí 6.1" in p.message
    assert "«Phòng Nội vụ» là đơn vị cấp huyện, không phải đơn vị cấp xã" in p.message
    assert db_content(db_copy) == before
    assert _rows(db_copy, "SELECT count(*) AS n FROM plans WHERE plan_id = ?", PLAN_ID).n[0] == 0


def test_a_district_group_with_commas_in_a_task_is_refused(db_copy, tmp_path):
    path, _ = _with(tmp_path, "- Đơn vị phối hợp: Công an xã; Phòng Văn hóa - Xã hội.",
                    "- Đơn vị phối hợp: Công an xã; UBND các xã, thị trấn.")
    with pytest.raises(ValidationFailed) as e:
        import_plan(path, PLAN_ID, db_copy, entity_code=TAY_DO)
    [p] = e.value.problems
    task_line = FIXTURE.read_text(encoding="utf-8").splitlines().index(
        "(2) Bảo đảm Trung tâm Phục vụ hành chính công tiếp nhận, giải quyết hồ sơ đúng hạn; "
        "hỗ trợ người dân nộp hồ sơ trực tuyến.") + 1
    assert (p.row, p.column) == (task_line, "Đơn vị phối hợp")  # a task's problems point at its "(n)" line
    assert p.message.startswith("Mục II.1.1, nhiệm vụ (2)")
    assert "«UBND các xã, thị trấn» (UBND cấp xã) là đơn vị cấp huyện" in p.message


def test_a_plan_without_a_year_is_refused_unless_plans_csv_gives_it(db_copy, tmp_path):
    before = db_content(db_copy)
    path, _ = _with(tmp_path, "của xã Tây Đô năm 2026\n", "của xã Tây Đô\n")
    with pytest.raises(ValidationFailed) as e:
        import_plan(path, PLAN_ID, db_copy, entity_code=TAY_DO)
    [p] = e.value.problems
    assert Path(p.file).name == path.name
    assert "không biết kế hoạch «TD-2026» cho năm nào" in p.message and "data/plans.csv" in p.message
    assert db_content(db_copy) == before

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "plans.csv").write_text(
        "plan_id,entity_code,issuer,title,year_from,year_to,source\n"
        f"{PLAN_ID},{TAY_DO},,,2026,2027,\n", encoding="utf-8")
    meta = plan_meta(tmp_path / "data", PLAN_ID, title="Kế hoạch không ghi năm", issuer="UBND xã Tây Đô")
    assert (meta["year_from"], meta["year_to"], meta["issuer"]) == ("2026", "2027", "UBND xã Tây Đô")


@pytest.mark.parametrize("text, period", [
    ("Kế hoạch cải cách hành chính năm 2026", (2026, 2026)),
    ("KẾ HOẠCH NÂNG CAO CÁC CHỈ SỐ GIAI ĐOẠN 2026–2030", (2026, 2030)),
    ("Kế hoạch nâng cao chỉ số xã Tây Đô, 2026 - 2030", (2026, 2030)),
    ("Kế hoạch số 12/KH-UBND ngày 09/01/2026", None),
    ("Kế hoạch nâng cao chỉ số", None),
])
def test_the_period_is_read_from_the_title(text, period):
    assert plan_period(text) == period


def test_the_title_is_the_first_heading_that_says_ke_hoach():
    assert document_title(["> **TỆP MẪU** không phải kế hoạch thật", "Số: /KH-UBND", "KẾ HOẠCH",
                           "Duy trì chỉ số năm 2026", "Kế hoạch khác"]) == "Kế hoạch duy trì chỉ số năm 2026"
    assert document_title(["# Kế hoạch CCHC năm 2026 của UBND xã Tây Đô"]) == "Kế hoạch CCHC năm 2026 của UBND xã Tây Đô"
    assert document_title(["(Kèm theo Kế hoạch số 5/KH-UBND)"]) == "(Kèm theo Kế hoạch số 5/KH-UBND)"
    assert document_title(["Phụ lục 1", ""]) == ""


@pytest.mark.parametrize("form", ["docx", "xlsx"])
def test_word_and_excel_forms_give_the_same_task_map(db_copy, tmp_path, commune, form):
    md = load_plan(FIXTURE)
    expected, _, problems = resolve_plan(md, commune, PLAN_ID)
    assert problems == []
    path = tmp_path / f"ke-hoach-tay-do.{form}"
    if form == "docx":
        import docx

        write_appendix_docx(md.criteria, path)
        document = docx.Document(str(path))
        # as official documents print it: the issuer, «KẾ HOẠCH», then the subject on its own line
        word = document.paragraphs[0].insert_paragraph_before("KẾ HOẠCH")
        word.insert_paragraph_before("ỦY BAN NHÂN DÂN XÃ TÂY ĐÔ")
        subject = md.title.removeprefix("Kế hoạch ")
        document.paragraphs[2].insert_paragraph_before(subject[:1].upper() + subject[1:])
        document.save(str(path))
    else:
        import openpyxl

        write_appendix_xlsx(md.criteria, path)
        wb = openpyxl.load_workbook(str(path))
        cover = wb.create_sheet("Trang đầu", 0)
        cover["A1"], cover["A2"] = "ỦY BAN NHÂN DÂN XÃ TÂY ĐÔ", md.title
        wb.save(str(path))
    other = load_plan(path)
    assert other.title == md.title
    task_map, _, problems = resolve_plan(other, commune, PLAN_ID)
    assert problems == []
    keys = ["index_code", "criterion_code", "role", "position", "unit_code"]
    assert (task_map[keys].sort_values(keys).reset_index(drop=True)
            .equals(expected[keys].sort_values(keys).reset_index(drop=True)))

    import_plan(path, PLAN_ID, db_copy, entity_code=TAY_DO)
    plan = _rows(db_copy, "SELECT issuer, year_from, year_to FROM plans WHERE plan_id = ?", PLAN_ID).iloc[0]
    assert (plan.issuer, plan.year_from, plan.year_to) == ("UBND xã Tây Đô", 2026, 2026)


def test_the_database_keeps_each_units_level(con):
    levels = dict(con.execute("SELECT unit_code, level FROM units").fetchall())
    assert levels["phong_noi_vu"] == "district" and levels["vp_hdnd_ubnd_xa"] == "commune"
    assert levels["grp_don_vi_lien_quan"] is None  # every level
    assert UnitRegistry.from_db(con, level="commune").lookup("Văn phòng HĐND và UBND") == "vp_hdnd_ubnd_xa"
    assert UnitRegistry.from_db(con, level="district").lookup("Văn phòng HĐND và UBND") == "vp_hdnd_ubnd"
    assert len(UnitRegistry.from_db(con).units()) == len(levels)
