"""The plan loader: appendix tables and section II.1 tasks, from markdown, Word and Excel.

The expected units below were written by hand from reading the plan
(data/plan/ke-hoach-chi-so-vinh-loc-2023-2025.md), not computed by the code under test.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from loaders.plan import (
    PLAN_TASK_COLUMNS, TASK_MAP_COLUMNS, PlanDocument, load_plan, parse_appendix_docx,
    parse_appendix_xlsx, parse_plan_markdown, resolve_plan,
)
from domain.problems import ValidationFailed
from domain.units import UnitRegistry

try:
    from plan_forms import write_appendix_docx, write_appendix_xlsx
except ImportError:  # tests/ collected as a package
    from tests.plan_forms import write_appendix_docx, write_appendix_xlsx

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "plan" / "ke-hoach-chi-so-vinh-loc-2023-2025.md"
REGISTRY = ROOT / "data" / "registry"

# Short names for the expected tables.
NV, VP, TP, TCKH = "phong_noi_vu", "vp_hdnd_ubnd", "phong_tu_phap", "phong_tai_chinh_ke_hoach"
VHTT, KTHT, TNMT = "phong_van_hoa_thong_tin", "phong_kinh_te_ha_tang", "phong_tai_nguyen_moi_truong"
LDTBXH, GDDT, CAH, BHXH = "phong_lao_dong_tbxh", "phong_giao_duc_dao_tao", "cong_an_huyen", "bhxh_huyen"
MOTCUA, TTVH, BD, SNV, UBH = "bo_phan_mot_cua", "trung_tam_vhttttdl", "buu_dien_huyen", "so_noi_vu", "ubnd_huyen"
PBN, XA, LQ = "grp_phong_ban_nganh", "grp_ubnd_cap_xa", "grp_don_vi_lien_quan"
SN, CSGD, CTXH, THON = "grp_don_vi_su_nghiep", "grp_co_so_giao_duc", "grp_to_chuc_ct_xh", "grp_thon_to_dan_pho"
MTTQ, CAX, NUOC, VT = "grp_hdnd_mttq_cap_xa", "grp_cong_an_cap_xa", "grp_dn_nuoc_sach", "grp_dn_vien_thong"

# "Văn phòng HĐND và UBND, các phòng, ban, ngành; UBND cấp xã; các đơn vị liên quan"
ALL4 = [VP, PBN, XA, LQ]

# (index, criterion): (lead units, supporting units), in the order the plan names them.
EXPECTED_CRITERIA = {
    # Phụ lục 1 — PAR INDEX
    ("PAR", "1.1"): ([NV], ALL4),
    ("PAR", "1.2"): ([NV], ALL4),
    ("PAR", "1.3"): ([NV], ALL4),
    ("PAR", "1.4"): ([PBN, XA], [LQ]),
    ("PAR", "1.5"): ([VP, XA], [LQ]),
    ("PAR", "1.6"): ([VP], [LQ]),
    ("PAR", "1.7"): ([PBN, XA], [LQ]),
    ("PAR", "2.1"): ([TP], ALL4),
    ("PAR", "2.2"): ([TP], ALL4),
    ("PAR", "2.3"): ([TP], ALL4),
    ("PAR", "2.4"): ([TP], ALL4),
    ("PAR", "3.1"): ([VP], [PBN, XA, LQ]),
    ("PAR", "3.2"): ([VP, XA], [LQ]),
    ("PAR", "3.3"): ([VP, XA], [LQ]),
    ("PAR", "3.4"): ([PBN, XA], [LQ]),
    ("PAR", "3.5"): ([PBN, XA], [LQ]),
    ("PAR", "4.1"): ([NV], ALL4),
    ("PAR", "4.2"): ([NV], ALL4),
    ("PAR", "4.3"): ([NV], ALL4),
    ("PAR", "5.1"): ([NV], [NV]),  # sic: Phòng Nội vụ both leads and supports
    ("PAR", "5.2"): ([NV], ALL4),
    ("PAR", "5.3"): ([NV], ALL4),
    ("PAR", "5.4"): ([PBN, XA], [NV]),
    ("PAR", "5.5"): ([NV], ALL4),
    ("PAR", "5.6"): ([NV], [NV]),  # sic
    ("PAR", "5.7"): ([NV], [SNV]),
    ("PAR", "6.1"): ([TCKH], ALL4),
    ("PAR", "6.2"): ([TCKH], ALL4),
    ("PAR", "6.3"): ([TCKH], [SN]),
    ("PAR", "7.1"): ([VHTT], ALL4),
    ("PAR", "7.2"): ([VHTT], ALL4),
    ("PAR", "7.3"): ([VHTT], ALL4),
    ("PAR", "8.1"): ([VP, XA], [BD, LQ]),
    ("PAR", "8.2"): ([KTHT], [LQ]),
    ("PAR", "8.3"): ([KTHT], [LQ]),
    ("PAR", "8.4"): ([TCKH], [LQ]),
    ("PAR", "8.5"): ([PBN, XA], [LQ]),
    # Phụ lục 2 — SIPAS
    ("SIPAS", "1.1"): ([PBN, XA], [CTXH, THON]),
    ("SIPAS", "1.2"): ([VP, XA], [CTXH, THON]),
    ("SIPAS", "1.3"): ([PBN, XA], [LQ]),
    ("SIPAS", "1.4"): ([PBN, XA], [LQ]),
    ("SIPAS", "2.1"): ([VP, XA, LQ], [LQ]),  # sic: "các đơn vị liên quan" in both columns
    ("SIPAS", "2.2"): ([VP, XA, LQ], [LQ]),
    ("SIPAS", "2.3"): ([VP, XA, LQ], [LQ]),
    ("SIPAS", "2.4"): ([VP, XA, LQ], [LQ]),
    ("SIPAS", "2.5"): (ALL4, [LQ]),
    # Phụ lục 3 — PAPI
    ("PAPI", "1.1"): ([XA], [PBN, CTXH, THON]),  # "thôn, khu phố"
    ("PAPI", "1.2"): ([XA], [PBN, CTXH, THON]),  # "khu phố"
    ("PAPI", "1.3"): ([XA], [CTXH, THON]),
    ("PAPI", "1.4"): ([XA], [CTXH, THON]),  # "thôn, Khu phố"
    ("PAPI", "2.1"): ([PBN, XA], [VHTT, TTVH]),
    ("PAPI", "2.2"): ([XA], [LDTBXH]),
    ("PAPI", "2.3"): ([XA], [TCKH, UBH, CTXH, THON]),
    ("PAPI", "2.4"): ([TNMT], [KTHT, TCKH, XA]),
    ("PAPI", "3.1"): ([PBN, XA], [MTTQ]),
    ("PAPI", "3.2"): ([PBN, XA], [MTTQ]),
    ("PAPI", "3.3"): ([TP, XA], [MTTQ]),
    ("PAPI", "4.1"): ([PBN, XA], [LQ]),
    ("PAPI", "4.2"): ([PBN, XA], [LQ]),
    ("PAPI", "4.3"): ([NV], [NV]),  # sic
    ("PAPI", "4.4"): ([PBN, XA], [LQ]),
    ("PAPI", "5.1"): ([VP, XA], [CAX]),
    ("PAPI", "5.2"): ([TNMT, KTHT], [XA, LQ]),
    ("PAPI", "5.3"): ([XA], [LQ]),
    ("PAPI", "6.1"): ([GDDT], [CSGD, LQ]),
    ("PAPI", "6.2"): ([KTHT], [XA, LQ]),
    ("PAPI", "6.3"): ([CAH], [XA, LQ]),
    ("PAPI", "7.1"): ([TNMT], [XA, LQ]),
    ("PAPI", "7.2"): ([TNMT], [XA, LQ]),
    ("PAPI", "7.3"): ([TNMT], [XA, NUOC, LQ]),
    ("PAPI", "8.1"): ([VHTT, XA], [PBN, XA, LQ]),  # sic: UBND cấp xã in both columns
    ("PAPI", "8.2"): ([VHTT, XA], [VT]),
    ("PAPI", "8.3"): ([PBN, XA], [LQ]),
}

# task_no: (index, lead units, supporting units)
EXPECTED_TASKS = {
    "1.1.1": ("PAR", [PBN, MOTCUA, XA], [NV]),
    "1.1.2": ("PAR", [VP, XA], [LQ]),
    "1.1.3": ("PAR", [TP, XA], [PBN, XA]),
    "1.1.4": ("PAR", [PBN, MOTCUA, XA], [LQ]),
    "1.1.5": ("PAR", [PBN], [NV]),
    "1.1.6": ("PAR", [PBN, XA], [NV]),
    "1.1.7": ("PAR", [VHTT], [PBN, LQ]),
    "1.1.8": ("PAR", [KTHT], [PBN, XA]),
    "1.1.9": ("PAR", [PBN, XA], [CTXH, LQ]),
    "1.1.10": ("PAR", [PBN, XA], [LQ]),
    "1.2.1": ("PAPI", [TNMT], [XA]),
    "1.2.2": ("PAPI", [LDTBXH, XA], [LQ]),
    "1.2.3": ("PAPI", [GDDT, TCKH], [XA, LQ]),
    "1.2.4": ("PAPI", [TNMT], [XA]),
    "1.2.5": ("PAPI", [NV], [LQ]),
    "1.2.6": ("PAPI", [CAH], [PBN, XA]),
    "1.2.7": ("PAPI", [BHXH], [LQ, XA]),
    "1.2.8": ("PAPI", [VP, PBN, XA], [LQ]),
    "1.3.1": ("DDCI", [KTHT], [LQ]),
    "1.3.2": ("DDCI", [TNMT], [PBN, XA]),
    "1.3.3": ("DDCI", [TCKH], [LQ]),
    "1.3.4": ("DDCI", [TNMT], [LQ]),
    "1.3.5": ("DDCI", [KTHT], [LQ]),
    "1.3.6": ("DDCI", [KTHT], [LQ]),
    "1.3.7": ("DDCI", [PBN, XA], [LQ]),
    "1.3.8": ("DDCI", [TNMT, XA], [LQ]),
}

EXPECTED_AREAS = {
    "PAR": [
        ("1", "Công tác chỉ đạo điều hành CCHC"),
        ("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật tại tỉnh"),
        ("3", "Cải cách thủ tục hành chính"),
        ("4", "Cải cách tổ chức bộ máy hành chính"),
        ("5", "Cải cách chế độ công vụ"),
        ("6", "Cải cách tài chính công"),
        ("7", "Xây dựng và phát triển chính quyền điện tử, chính quyền số"),
        ("8", "Tác động của CCHC đến người dân, tổ chức và chỉ tiêu phát triển kinh tế - xã hội của huyện"),
    ],
    "SIPAS": [
        ("1", "Mức độ hài lòng của người dân đối với việc xây dựng, tổ chức thực hiện chính sách của cơ quan nhà nước"),
        ("2", "Mức độ hài lòng của người dân đối với việc cung ứng dịch vụ hành chính công"),
    ],
    "PAPI": [
        ("1", "Tham gia của người dân ở cấp cơ sở"),
        ("2", "Công khai minh bạch"),
        ("3", "Trách nhiệm giải trình với người dân"),
        ("4", "Kiểm soát tham nhũng trong lĩnh vực công"),
        ("5", "Thủ tục hành chính"),
        ("6", "Cung ứng dịch vụ công"),
        ("7", "Quản trị môi trường"),
        ("8", "Quản trị điện tử"),
    ],
}


@pytest.fixture(scope="module")
def registry() -> UnitRegistry:
    # the district's plan is read against the district's units (its «Văn phòng HĐND và UBND»
    # is the district office; a commune plan's is the commune's: tests/test_commune_plan.py)
    return UnitRegistry.load(REGISTRY, level="district")


@pytest.fixture(scope="module")
def doc() -> PlanDocument:
    return parse_plan_markdown(PLAN)


@pytest.fixture(scope="module")
def resolved(doc, registry):
    return resolve_plan(doc, registry, "kh-vinh-loc-2023")


def _units_by_role(frame: pd.DataFrame, keys: list[str]) -> dict:
    """{(key..., role): [unit codes in position order]}"""
    out: dict = {}
    for row in frame.sort_values("position", kind="stable").itertuples(index=False):
        k = tuple(getattr(row, c) for c in keys) + (row.role,)
        out.setdefault(k, []).append(row.unit_code)
    return out


# --- appendices ----------------------------------------------------------------------------------


def test_structure_of_the_appendices(doc):
    crit = [c for c in doc.criteria if c.level == "criterion"]
    counts = {ix: sum(c.index_code == ix for c in crit) for ix in ("PAR", "SIPAS", "PAPI")}
    assert counts == {"PAR": 37, "SIPAS": 9, "PAPI": 27}
    for ix, areas in EXPECTED_AREAS.items():
        got = [(c.code, c.name) for c in doc.criteria if c.level == "area" and c.index_code == ix]
        assert got == areas
    assert {c.appendix: c.index_code for c in doc.criteria} == {1: "PAR", 2: "SIPAS", 3: "PAPI"}
    for c in doc.criteria:
        if c.level == "area":
            assert c.parent_code is None and c.lead_text == "" and c.support_text == ""
        else:
            assert c.parent_code == c.code.split(".")[0]


def test_criterion_names_and_places(doc):
    by_key = {(c.index_code, c.code): c for c in doc.criteria}
    assert by_key[("PAPI", "6.1")].name == "Giáo dục tiểu học công lập"
    assert by_key[("PAR", "3.2")].name == "Công bố, công khai TTHC và kết quả giải quyết hồ sơ"
    assert by_key[("SIPAS", "2.5")].name == "Tiếp nhận phản ánh kiến nghị"
    c = by_key[("PAR", "1.2")]
    assert c.timing == "Báo cáo quý 1, 2, 3: trước ngày 10 của tháng cuối quý; Báo cáo năm: trước ngày 20/12 hàng năm"
    assert by_key[("PAR", "8.1")].timing == "Quý IV hàng năm"
    # Phụ lục 1, third table fragment: header (2 rows), "3", "3.1", "3.2"
    assert by_key[("PAR", "3.2")].location == "Phụ lục 1, bảng 3, dòng 5 (dòng 279 trong tệp)"
    assert by_key[("PAR", "3.2")].row == 279
    assert by_key[("PAPI", "8.3")].location == "Phụ lục 3, bảng 5, dòng 7 (dòng 408 trong tệp)"


def test_every_criterion_resolves_to_the_expected_units(resolved):
    task_map, _, problems = resolved
    assert problems == []
    assert list(task_map.columns) == TASK_MAP_COLUMNS
    got = _units_by_role(task_map, ["index_code", "criterion_code"])
    expected = {}
    for (ix, code), (lead, support) in EXPECTED_CRITERIA.items():
        expected[(ix, code, "lead")] = lead
        expected[(ix, code, "support")] = support
    assert got == expected
    assert len(task_map) == sum(len(v) for v in expected.values())


def test_task_map_rows_carry_names_and_sources(resolved):
    task_map = resolved[0]
    row = task_map[(task_map.index_code == "PAPI") & (task_map.criterion_code == "2.1")
                   & (task_map.role == "support")].iloc[1]
    assert row.to_dict() == {
        "plan_id": "kh-vinh-loc-2023", "index_code": "PAPI", "criterion_code": "2.1",
        "criterion_name": "Tiếp cận thông tin", "area_code": "2", "area_name": "Công khai minh bạch",
        "role": "support", "unit_code": TTVH, "unit": "Trung tâm Văn hóa, Thông tin, Thể thao và Du lịch",
        "position": 2, "timing": "Thường xuyên",
        "raw_text": "Phòng Văn hóa và Thông tin, Trung tâm VH,TT,TT và DL",
        "location": "Phụ lục 3, bảng 2, dòng 4 (dòng 368 trong tệp)",
    }


def test_lead_and_support_by_the_same_unit_are_both_kept(resolved):
    task_map = resolved[0]
    for ix, code in (("PAR", "5.1"), ("PAR", "5.6"), ("PAPI", "4.3")):
        rows = task_map[(task_map.index_code == ix) & (task_map.criterion_code == code)]
        assert sorted(zip(rows.role, rows.unit_code)) == [("lead", NV), ("support", NV)]


# --- section II.1 tasks --------------------------------------------------------------------------


def test_tasks_structure(doc):
    assert [t.task_no for t in doc.tasks] == list(EXPECTED_TASKS)
    assert {t.task_no: t.index_code for t in doc.tasks} == {k: v[0] for k, v in EXPECTED_TASKS.items()}
    t = {t.task_no: t for t in doc.tasks}
    assert t["1.2.6"].location == "Mục II.1.2, nhiệm vụ (6), dòng 115"
    assert t["1.2.6"].section == "1.2" and t["1.2.6"].number == 6


def test_every_task_resolves_to_the_expected_units(resolved):
    _, plan_tasks, problems = resolved
    assert problems == []
    assert list(plan_tasks.columns) == PLAN_TASK_COLUMNS
    got = _units_by_role(plan_tasks, ["task_no"])
    expected = {}
    for task_no, (_, lead, support) in EXPECTED_TASKS.items():
        expected[(task_no, "lead")] = lead
        expected[(task_no, "support")] = support
    assert got == expected
    assert set(zip(plan_tasks.task_no, plan_tasks.index_code)) == {(k, v[0]) for k, v in EXPECTED_TASKS.items()}


def test_remark_of_task_1_1_2_is_not_a_unit(doc, resolved):
    task = next(t for t in doc.tasks if t.task_no == "1.1.2")
    assert task.remark == (
        "Phòng Nội vụ tổng hợp, đánh giá các mô hình, sáng kiến cải cách hành chính; trên cơ sở đó "
        "đề xuất thí điểm, nhân rộng thực hiện trên địa bàn huyện"
    )
    plan_tasks = resolved[1]
    lead = plan_tasks[(plan_tasks.task_no == "1.1.2") & (plan_tasks.role == "lead")]
    assert list(lead.unit_code) == [VP, XA]
    other = next(t for t in doc.tasks if t.task_no == "1.1.1")
    assert other.remark == ""


TEXT_1_1_8 = (
    "Tham mưu các nhiệm vụ, giải pháp phát triển kinh tế - xã hội trên địa bàn huyện, góp phần hoàn "
    "thành đạt và vượt 100% chỉ tiêu phát triển kinh tế xã hội do Hội đồng nhân dân huyện giao.\n"
    "Tiếp tục hỗ trợ, tư vấn, hướng dẫn cho các cá nhân, tổ chức, doanh nghiệp có nhu cầu trong lĩnh "
    "vực đầu tư trong nước và nước ngoài. Hỗ trợ nộp hồ sơ đăng ký doanh nghiệp qua mạng điện tử cho "
    "doanh nghiệp."
)
TEXT_1_1_10 = (
    "Tăng cường công tác tuyên truyền, cung cấp thông tin về chính sách pháp luật liên quan trực tiếp "
    "đến đời sống người dân như: Chính sách phát triển kinh tế; chính sách khám, chữa bệnh; chính sách "
    "giáo dục phổ thông; chính sách trật tự, an toàn xã hội; chính sách giao thông đường bộ; chính sách "
    "điện sinh hoạt; chính sách nước sinh hoạt và chính sách an sinh xã hội... để nhân dân được biết, "
    "được bàn, được làm, được kiểm tra."
)
TEXT_1_3_4 = (
    "Công bố và cập nhật đầy đủ các thông tin về Quy hoạch sử dụng đất thời kỳ 2021 - 2030; Kế hoạch "
    "sử dụng đất hàng năm cấp huyện (bao gồm bản đồ, danh mục...), cơ chế, chính sách hỗ trợ giải "
    "phóng mặt bằng, quỹ đất chưa sử dụng và các thông tin liên quan khác đến đất đai."
)


@pytest.mark.parametrize("task_no, text", [
    ("1.1.8", TEXT_1_1_8), ("1.1.10", TEXT_1_1_10), ("1.3.4", TEXT_1_3_4),
    ("1.2.4", "Nâng cao hiệu quả hệ thống thu gom, xử lý nước thải, thu gom và xử lý rác thải rắn "
              "sinh hoạt bảo đảm tiêu chuẩn, quy chuẩn. Thu gom, xử lý triệt để chất thải nguy hại, "
              "chất thải y tế."),
])
def test_full_task_text(doc, resolved, task_no, text):
    assert next(t for t in doc.tasks if t.task_no == task_no).text == text
    plan_tasks = resolved[1]
    assert set(plan_tasks[plan_tasks.task_no == task_no].text) == {text}


# --- Word and Excel give the same task map -------------------------------------------------------


def _same_map(a: pd.DataFrame, b: pd.DataFrame) -> None:
    # Only the location differs between formats.
    pd.testing.assert_frame_equal(a.drop(columns="location"), b.drop(columns="location"))


@pytest.mark.parametrize("options", [{}, {"titles": False}, {"rows_per_table": 100, "merge_area_rows": False}])
def test_docx_gives_the_same_task_map(tmp_path, doc, registry, resolved, options):
    path = write_appendix_docx(doc.criteria, tmp_path / "phu-luc.docx", **options)
    criteria = parse_appendix_docx(path)
    task_map, plan_tasks, problems = resolve_plan(PlanDocument(criteria, [], str(path)), registry, "kh-vinh-loc-2023")
    assert problems == [] and plan_tasks.empty
    _same_map(resolved[0], task_map)
    assert [(c.index_code, c.code, c.name, c.level, c.timing) for c in criteria] == \
           [(c.index_code, c.code, c.name, c.level, c.timing) for c in doc.criteria]


def test_docx_locations_name_the_table(tmp_path, doc):
    path = write_appendix_docx(doc.criteria, tmp_path / "phu-luc.docx", rows_per_table=7)
    by_key = {(c.index_code, c.code): c for c in parse_appendix_docx(path)}
    # PAR rows: 1, 1.1 … 1.6 fill table 1; 1.7 is the first data row (row 3) of table 2.
    assert by_key[("PAR", "1.7")].location == "Phụ lục 1, bảng 2, dòng 3"


@pytest.mark.parametrize("sheet_names", [None, {1: "PL1", 2: "PL2", 3: "PL3"}])
def test_xlsx_gives_the_same_task_map(tmp_path, doc, registry, resolved, sheet_names):
    path = write_appendix_xlsx(doc.criteria, tmp_path / "phu-luc.xlsx", sheet_names=sheet_names)
    criteria = parse_appendix_xlsx(path)
    task_map, _, problems = resolve_plan(PlanDocument(criteria, [], str(path)), registry, "kh-vinh-loc-2023")
    assert problems == []
    _same_map(resolved[0], task_map)
    first = next(c for c in criteria if c.code == "1.1" and c.index_code == "PAR")
    # title block (3 rows) + blank row + two header rows + area row 1 → 1.1 is sheet row 8
    assert first.row == 8 and first.sheet == (sheet_names or {}).get(1, "Bảng 1")


def test_load_plan_dispatches_on_extension(tmp_path, doc, resolved, registry):
    assert load_plan(PLAN).tasks == doc.tasks
    docx_doc = load_plan(write_appendix_docx(doc.criteria, tmp_path / "a.docx"))
    xlsx_doc = load_plan(write_appendix_xlsx(doc.criteria, tmp_path / "a.xlsx"))
    for other in (docx_doc, xlsx_doc):
        assert other.tasks == []
        _same_map(resolved[0], resolve_plan(other, registry, "kh-vinh-loc-2023")[0])
    with pytest.raises(ValidationFailed):
        load_plan(tmp_path / "a.pdf")


# --- problems ------------------------------------------------------------------------------------


def _plan_with(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = PLAN.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "plan.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_unit_is_reported_with_its_place(tmp_path, registry):
    path = _plan_with(
        tmp_path,
        ("| 3.2 | Công bố, công khai TTHC và kết quả giải quyết hồ sơ | Văn phòng HĐND và UBND huyện; UBND cấp xã. |",
         "| 3.2 | Công bố, công khai TTHC và kết quả giải quyết hồ sơ | Phòng Không Tồn Tại; UBND cấp xã. |"),
        ("- Đơn vị chủ trì: Bảo hiểm xã hội huyện.", "- Đơn vị chủ trì: Bảo hiểm xã hội tỉnh."),
    )
    task_map, plan_tasks, problems = resolve_plan(parse_plan_markdown(path), registry, "p")
    assert [(p.row, p.column) for p in problems] == [(279, "Cơ quan chủ trì"), (121, "Đơn vị chủ trì")]
    assert problems[0].message == (
        "Phụ lục 1, bảng 3, dòng 5 (dòng 279 trong tệp), tiêu chí 3.2: không nhận ra đơn vị "
        "«Phòng Không Tồn Tại»; thêm tên này vào data/registry/unit_aliases.csv"
    )
    assert problems[1].message == (
        "Mục II.1.2, nhiệm vụ (7), dòng 121: không nhận ra đơn vị «Bảo hiểm xã hội tỉnh»; "
        "thêm tên này vào data/registry/unit_aliases.csv"
    )
    # The rest of the cell is still read.
    rows = task_map[(task_map.index_code == "PAR") & (task_map.criterion_code == "3.2") & (task_map.role == "lead")]
    assert list(rows.unit_code) == [XA]
    assert plan_tasks[(plan_tasks.task_no == "1.2.7") & (plan_tasks.role == "lead")].empty


def test_unknown_unit_in_a_docx_is_reported_with_its_table(tmp_path, doc, registry):
    criteria = [dataclasses.replace(c, support_text="Phòng Không Tồn Tại") if (c.index_code, c.code) == ("SIPAS", "2.3") else c
                for c in doc.criteria]
    path = write_appendix_docx(criteria, tmp_path / "a.docx", rows_per_table=7)
    _, _, problems = resolve_plan(load_plan(path), registry, "p")
    assert len(problems) == 1
    p = problems[0]
    assert p.column == "Cơ quan phối hợp"
    # SIPAS rows: 1, 1.1 … 1.4, 2, 2.1 fill table 1; 2.3 is row 4 of table 2.
    assert p.message.startswith("Phụ lục 2, bảng 2, dòng 4, tiêu chí 2.3: không nhận ra đơn vị «Phòng Không Tồn Tại»")


def test_broken_tables_raise_with_every_problem(tmp_path):
    path = _plan_with(
        tmp_path,
        # a row with a missing cell
        ("| 1.6 | Đối thoại của huyện với người dân, doanh nghiệp | Văn phòng HĐND và UBND huyện | Các đơn vị liên quan | Thường xuyên |",
         "| 1.6 | Đối thoại của huyện với người dân, doanh nghiệp | Văn phòng HĐND và UBND huyện | Thường xuyên |"),
        # a criterion without a lead unit
        ("| 6.2 | Công tác quản lý, sử dụng tài sản công | Phòng Tài chính - Kế hoạch |",
         "| 6.2 | Công tác quản lý, sử dụng tài sản công | |"),
        # a code that does not fit under its area (area 3 is being read)
        ("| 3.3 | Thực hiện cơ chế một cửa", "| 4.3 | Thực hiện cơ chế một cửa"),
        # a task without its lead line
        ("- Đơn vị chủ trì: Phòng Giáo dục và Đào tạo; phòng Tài chính- Kế hoạch.", ""),  # line kept blank
    )
    with pytest.raises(ValidationFailed) as e:
        parse_plan_markdown(path)
    found = {(p.row, p.column): p.message for p in e.value.problems}
    assert "dòng có 4 ô trong khi bảng có 5 cột" in found[(266, None)]
    assert "tiêu chí «6.2» không có cơ quan chủ trì" in found[(309, "Cơ quan chủ trì")]
    assert "tiêu chí «4.3» không thuộc lĩnh vực đang đọc (lĩnh vực 3)" in found[(280, "STT")]
    assert "thiếu dòng «Đơn vị chủ trì»" in found[(100, "Đơn vị chủ trì")]
    assert "mã «4.3» xuất hiện hai lần trong Phụ lục 1" in found[(290, "STT")]
    assert len(e.value.problems) == 5


def test_broken_docx_and_xlsx_raise(tmp_path, doc):
    criteria = [dataclasses.replace(c, lead_text="") if (c.index_code, c.code) == ("PAPI", "7.2") else c
                for c in doc.criteria]
    for path in (write_appendix_docx(criteria, tmp_path / "a.docx"), write_appendix_xlsx(criteria, tmp_path / "a.xlsx")):
        with pytest.raises(ValidationFailed) as e:
            load_plan(path)
        [p] = e.value.problems
        assert "tiêu chí «7.2» không có cơ quan chủ trì" in p.message and p.message.startswith("Phụ lục 3")


def test_area_row_with_units_and_unknown_appendix(tmp_path):
    path = _plan_with(
        tmp_path,
        ("| 6 | Cải cách tài chính công | | | |", "| 6 | Cải cách tài chính công | Phòng Nội vụ | | |"),
        ("Phụ lục 3\n", "Phụ lục 4\n"),
    )
    with pytest.raises(ValidationFailed) as e:
        parse_plan_markdown(path)
    messages = [p.message for p in e.value.problems]
    assert any("dòng lĩnh vực «6» có đơn vị «Phòng Nội vụ»" in m for m in messages)
    assert any("không biết Phụ lục 4 thuộc chỉ số nào" in m for m in messages)


def test_a_file_without_tables_or_tasks_is_rejected(tmp_path):
    path = tmp_path / "empty.md"
    path.write_text("KẾ HOẠCH\n\nKhông có gì.\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        parse_plan_markdown(path)
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValidationFailed):
        load_plan(bad)


def _content(doc: PlanDocument) -> list[tuple]:
    return [(c.index_code, c.code, c.name, c.level, c.lead_text, c.support_text, c.timing) for c in doc.criteria]


def test_column_number_rows_and_headerless_fragments_are_read(tmp_path, doc):
    lines = PLAN.read_text(encoding="utf-8").splitlines(keepends=True)
    # Lines 263–265 are the repeated header of the second fragment of Phụ lục 1.
    assert lines[262].startswith("| STT |") and "Cơ quan chủ trì" in lines[264]
    del lines[262:265]
    text = "".join(lines).replace(
        "| 3 | Cải cách thủ tục hành chính |",
        "| (1) | (2) | (3) | (4) | (5) |\n| 3 | Cải cách thủ tục hành chính |",
    )
    path = tmp_path / "plan.md"
    path.write_text(text, encoding="utf-8")
    assert _content(parse_plan_markdown(path)) == _content(doc)
