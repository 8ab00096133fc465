"""The responsible-unit registry (data/registry/unit*.csv) and the reading of unit cells."""
from __future__ import annotations

import csv
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.problems import ValidationFailed
from domain.units import CellResolution, UnitRegistry
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "data" / "registry"


@pytest.fixture(scope="module")
def reg() -> UnitRegistry:
    """The units a district plan can name (the district's plan 2023–2025 is the one shipped)."""
    return UnitRegistry.load(REGISTRY, level="district")


@pytest.fixture(scope="module")
def commune() -> UnitRegistry:
    """The units a commune plan can name (since 1/7/2025)."""
    return UnitRegistry.load(REGISTRY, level="commune")


# --- the data files ------------------------------------------------------------------------------

# domain.md section 3: one name per unit, exactly as written there.
DOMAIN_NAMES = [
    "Phòng Nội vụ", "Văn phòng HĐND và UBND huyện", "Phòng Tư pháp", "Phòng Tài chính - Kế hoạch",
    "Phòng Văn hóa và Thông tin", "Phòng Kinh tế và Hạ tầng", "Phòng Tài nguyên và Môi trường",
    "Phòng Lao động - Thương binh và Xã hội", "Phòng Giáo dục và Đào tạo", "Công an huyện",
    "Bảo hiểm xã hội huyện", "Bộ phận tiếp nhận và trả kết quả huyện",
    "Trung tâm Văn hóa, Thông tin, Thể thao và Du lịch", "Bưu điện huyện", "Sở Nội vụ",
    "UBND cấp huyện", "Các phòng, ban, ngành, đơn vị cấp huyện", "UBND cấp xã",
    "Các đơn vị liên quan", "Các đơn vị sự nghiệp công lập", "Các cơ sở giáo dục công lập",
    "Các tổ chức chính trị - xã hội", "Thôn, tổ dân phố",
    "HĐND, MTTQ Việt Nam và các đoàn thể chính trị - xã hội cấp xã",
    "Công an xã, phường, thị trấn", "Doanh nghiệp cung cấp nước sạch", "Doanh nghiệp viễn thông",
]
COMMUNES = [
    "Xã Vĩnh Hưng", "Xã Vĩnh An", "Xã Ninh Khang", "Xã Vĩnh Long", "Xã Minh Tân",
    "Thị trấn Vĩnh Lộc", "Xã Vĩnh Hòa", "Xã Vĩnh Hùng", "Xã Vĩnh Phúc", "Xã Vĩnh Quang",
    "Xã Vĩnh Thịnh", "Xã Vĩnh Tiến", "Xã Vĩnh Yên",
]


def test_every_unit_of_the_plan_has_one_canonical_name(reg):
    names = [u.name for u in reg.units()]
    assert len(names) == len(set(names))
    for name in DOMAIN_NAMES + COMMUNES:
        assert name in names, name
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert len(reg.units()) == len(DOMAIN_NAMES) + len(COMMUNES)


def test_kinds(reg):
    kinds = {u.name: u.kind for u in reg.units()}
    assert kinds["Phòng Nội vụ"] == "department"
    assert kinds["Sở Nội vụ"] == "external"
    assert kinds["UBND cấp huyện"] == "government"
    assert kinds["UBND cấp xã"] == "group"
    assert kinds["Doanh nghiệp viễn thông"] == "group"
    assert [n for n, k in kinds.items() if k == "commune"] == COMMUNES


def test_group_members(reg):
    assert reg.members("grp_ubnd_cap_xa") == [reg.lookup(n) for n in COMMUNES]
    district = {reg.name(c) for c in reg.members("grp_phong_ban_nganh")}
    assert district == {
        "Phòng Nội vụ", "Văn phòng HĐND và UBND huyện", "Phòng Tư pháp", "Phòng Tài chính - Kế hoạch",
        "Phòng Văn hóa và Thông tin", "Phòng Kinh tế và Hạ tầng", "Phòng Tài nguyên và Môi trường",
        "Phòng Lao động - Thương binh và Xã hội", "Phòng Giáo dục và Đào tạo", "Công an huyện",
        "Bảo hiểm xã hội huyện", "Bộ phận tiếp nhận và trả kết quả huyện",
        "Trung tâm Văn hóa, Thông tin, Thể thao và Du lịch",
    }
    assert reg.members("grp_don_vi_lien_quan") == []
    assert reg.members("phong_noi_vu") == []
    assert reg.groups_of("phong_noi_vu") == ["grp_phong_ban_nganh"]
    assert reg.groups_of("xa_vinh_yen") == ["grp_ubnd_cap_xa"]
    assert reg.groups_of("buu_dien_huyen") == []


def test_membership_is_marked_as_an_assumption():
    with open(REGISTRY / "unit_members.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert all("giả định" in r["note"].lower() for r in rows if r["group_code"] == "grp_phong_ban_nganh")


def test_every_alias_in_the_file_resolves_to_its_unit_at_its_level(reg, commune):
    by_level = {"district": reg, "commune": commune}
    with open(REGISTRY / "unit_aliases.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            level = _REG.unit_level(row["unit_code"])
            for r in ([by_level[level]] if level else by_level.values()):
                assert r.resolve_cell(row["alias"]).unit_codes == [row["unit_code"]], (row, r.level)


# --- reading cells -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Văn phòng HĐND và UBND, các phòng, ban, ngành; UBND cấp xã; các đơn vị liên quan.",
     ["vp_hdnd_ubnd", "grp_phong_ban_nganh", "grp_ubnd_cap_xa", "grp_don_vi_lien_quan"]),
    ("Văn phòng HĐND và UBND, các phòng, ban, ngành; UBND các xã, thị trấn",
     ["vp_hdnd_ubnd", "grp_phong_ban_nganh", "grp_ubnd_cap_xa"]),
    ("Phòng Văn hóa và Thông tin, Trung tâm VH,TT,TT và DL",
     ["phong_van_hoa_thong_tin", "trung_tam_vhttttdl"]),
    ("Các phòng, ban, ngành, đơn vị (cấp huyện); UBND cấp xã", ["grp_phong_ban_nganh", "grp_ubnd_cap_xa"]),
    ("HĐND, MTTQ Việt Nam và các đoàn thể chính trị - xã hội cấp xã", ["grp_hdnd_mttq_cap_xa"]),
    ("UBND cấp xã, các doanh nghiệp cung cấp nước sạch trên địa bàn huyện, các đơn vị liên quan",
     ["grp_ubnd_cap_xa", "grp_dn_nuoc_sach", "grp_don_vi_lien_quan"]),
    ("Phòng Kinh tế và Hạ tầng, phòng Tài chính - Kế hoạch; UBND cấp xã",
     ["phong_kinh_te_ha_tang", "phong_tai_chinh_ke_hoach", "grp_ubnd_cap_xa"]),
    # case, diacritics, dash spacing and trailing full stops do not matter
    ("PHÒNG TÀI CHÍNH-KẾ HOẠCH.", ["phong_tai_chinh_ke_hoach"]),
    ("phong van hoa va thong tin", ["phong_van_hoa_thong_tin"]),
    ("Phòng Tài chính – Kế hoạch;;", ["phong_tai_chinh_ke_hoach"]),
    # decomposed Unicode (as pasted from some PDFs)
    (unicodedata.normalize("NFD", "Phòng Giáo dục và Đào tạo"), ["phong_giao_duc_dao_tao"]),
    # a docx cell with one unit per paragraph
    ("Phòng Nội vụ\nPhòng Tư pháp", ["phong_noi_vu", "phong_tu_phap"]),
    # repeated units keep their first position
    ("UBND cấp xã; Phòng Nội vụ; UBND các xã, thị trấn", ["grp_ubnd_cap_xa", "phong_noi_vu"]),
    ("", []),
])
def test_resolve_cell(reg, text, expected):
    res = reg.resolve_cell(text)
    assert res.unit_codes == expected
    assert res.unresolved == [] and res.remarks == []


def test_remark_in_parentheses_is_not_a_unit(reg):
    res = reg.resolve_cell(
        "Văn phòng HĐND và UBND huyện; UBND các xã, thị trấn. (Phòng Nội vụ tổng hợp, đánh giá các "
        "mô hình, sáng kiến cải cách hành chính; trên cơ sở đó đề xuất thí điểm, nhân rộng thực hiện "
        "trên địa bàn huyện)."
    )
    assert res.unit_codes == ["vp_hdnd_ubnd", "grp_ubnd_cap_xa"]
    assert res.unresolved == []
    assert res.remarks == [
        "Phòng Nội vụ tổng hợp, đánh giá các mô hình, sáng kiến cải cách hành chính; trên cơ sở đó "
        "đề xuất thí điểm, nhân rộng thực hiện trên địa bàn huyện"
    ]


def test_unknown_text_is_reported_not_guessed(reg):
    res = reg.resolve_cell("Phòng Nội vụ; Phòng Không Tồn Tại (ghi chú), Sở Kế hoạch và Đầu tư, UBND cấp xã.")
    assert res.unit_codes == ["phong_noi_vu", "grp_ubnd_cap_xa"]
    assert res.unresolved == ["Phòng Không Tồn Tại", "Sở Kế hoạch và Đầu tư"]
    assert res.remarks == ["ghi chú"]


def test_a_name_followed_by_more_words_is_not_cut_short(reg):
    # "Phòng Nội vụ" must end at a separator: "Phòng Nội vụ tổng hợp" is not Phòng Nội vụ.
    res = reg.resolve_cell("Phòng Nội vụ tổng hợp; Phòng Tư pháp")
    assert res.unit_codes == ["phong_tu_phap"]
    assert res.unresolved == ["Phòng Nội vụ tổng hợp"]


def test_names_that_fold_alike_are_told_apart_by_diacritics(reg):
    res = reg.resolve_cell("Xã Vĩnh Hùng; xã vĩnh hưng; Xã Vinh Hung")
    assert res.unit_codes == ["xa_vinh_hung_2", "xa_vinh_hung"]
    assert res.unresolved == ["Xã Vinh Hung"]
    assert res.candidates["Xã Vinh Hung"] == ["xa_vinh_hung", "xa_vinh_hung_2"]
    assert reg.lookup("UBND xã Vĩnh Hùng") == "xa_vinh_hung_2"
    assert reg.lookup("Xa Vinh Hung") is None


def test_lookup(reg):
    assert reg.lookup("Phòng LĐ - Thương binh và Xã hội") == "phong_lao_dong_tbxh"
    assert reg.lookup("Thị Trấn Vĩnh Lộc") == "tt_vinh_loc"
    assert reg.lookup("Phòng Nội vụ, Phòng Tư pháp") is None
    assert reg.name("grp_ubnd_cap_xa") == "UBND cấp xã"
    assert reg.kind("so_noi_vu") == "external"


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(
    st.text(),
    st.text(alphabet="(),;.-–\n \tPhòngNộivụUBNDcấpxãCácphòng,ban,ngànhđơnvị()"),
))
def test_resolve_cell_never_raises(text):
    res = _REG.resolve_cell(text)
    assert isinstance(res, CellResolution)
    assert all(isinstance(c, str) for c in res.unit_codes)


_REG = UnitRegistry.load(REGISTRY)
_UNAMBIGUOUS = [u.code for u in _REG.units() if u.code not in ("xa_vinh_hung", "xa_vinh_hung_2")]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from(_UNAMBIGUOUS), min_size=1, max_size=6),
       st.sampled_from(["; ", ";", "\n", " ; "]))
def test_any_list_of_unit_names_reads_back(codes, sep):
    text = sep.join(_REG.name(c) for c in codes) + "."
    assert _REG.resolve_cell(text).unit_codes == list(dict.fromkeys(codes))


# --- validation of the registry files ------------------------------------------------------------


def _copy_registry(tmp_path: Path) -> Path:
    for name in ("units.csv", "unit_aliases.csv", "unit_members.csv"):
        shutil.copy(REGISTRY / name, tmp_path / name)
    return tmp_path


def test_registry_errors_are_reported_together(tmp_path):
    d = _copy_registry(tmp_path)
    first_new_row = len((d / "units.csv").read_text(encoding="utf-8").splitlines()) + 1
    with open(d / "units.csv", "a", encoding="utf-8") as fh:
        fh.write("phong_moi,Phòng Mới,phong_ban,\n")  # bad kind
        fh.write("phong_noi_vu,Phòng Nội vụ 2,department,\n")  # duplicate code
    with open(d / "unit_aliases.csv", "a", encoding="utf-8") as fh:
        fh.write("Phòng Ma,phong_ma\n")  # unknown unit
    with open(d / "unit_members.csv", "a", encoding="utf-8") as fh:
        fh.write("phong_noi_vu,phong_tu_phap,\n")  # not a group
    with pytest.raises(ValidationFailed) as e:
        UnitRegistry.load(d)
    messages = [(Path(p.file).name, p.row, p.message) for p in e.value.problems]
    assert ("units.csv", first_new_row, "loại đơn vị «phong_ban» không hợp lệ; dùng một trong: department, commune, group, external, government") in messages
    assert any(f == "units.csv" and r == first_new_row + 1 and "bị trùng" in m for f, r, m in messages)
    assert any(f == "unit_aliases.csv" and "phong_ma" in m for f, r, m in messages)
    assert any(f == "unit_members.csv" and "không phải là một nhóm" in m for f, r, m in messages)


def test_a_spelling_may_not_name_two_units(tmp_path):
    d = _copy_registry(tmp_path)
    with open(d / "unit_aliases.csv", "a", encoding="utf-8") as fh:
        fh.write("Phòng Nội vụ,phong_tu_phap\n")
    with pytest.raises(ValidationFailed) as e:
        UnitRegistry.load(d)
    assert "Phòng Nội vụ" in e.value.problems[0].message


def test_a_file_saved_by_excel_with_a_bom_still_loads(tmp_path):
    d = _copy_registry(tmp_path)
    text = (d / "unit_aliases.csv").read_text(encoding="utf-8")
    (d / "unit_aliases.csv").write_text("\ufeff" + text + "P. Nội vụ,phong_noi_vu\n", encoding="utf-8")
    reg = UnitRegistry.load(d)
    assert reg.resolve_cell("P. Nội vụ; Sở Nội vụ").unit_codes == ["phong_noi_vu", "so_noi_vu"]


# --- levels: the district's offices, the commune's offices, and units of every level ---------

COMMUNE_AGENCIES = ROOT / "data" / "reference" / "reform_2025" / "commune_agencies.csv"


def test_every_unit_has_a_level(reg, commune):
    levels = {u.code: u.level for u in _REG.units()}
    assert set(levels.values()) == {"", "district", "commune"}
    assert levels["phong_noi_vu"] == levels["vp_hdnd_ubnd"] == levels["grp_ubnd_cap_xa"] == "district"
    assert levels["xa_vinh_yen"] == "district"  # a commune before 1/7/2025, named by the district's plan
    assert levels["vp_hdnd_ubnd_xa"] == levels["trung_tam_pvhcc_xa"] == levels["ubnd_xa"] == "commune"
    for generic in ("grp_don_vi_lien_quan", "grp_thon_to_dan_pho", "so_noi_vu"):
        assert levels[generic] == "", generic
    # a registry of one level: its own units and those of every level, nothing else
    assert {u.code for u in reg.units()} == {c for c, lv in levels.items() if lv in ("", "district")}
    assert {u.code for u in commune.units()} == {c for c, lv in levels.items() if lv in ("", "commune")}
    assert {u.code for u in UnitRegistry.load(REGISTRY, level="province").units()} == {
        c for c, lv in levels.items() if lv == ""}
    assert [u.code for u in _REG.for_level("commune").units()] == [u.code for u in commune.units()]
    assert reg.level == "district" and _REG.level is None


def test_the_agencies_of_a_commune_ubnd_are_commune_units_with_their_legal_basis(commune):
    with open(COMMUNE_AGENCIES, encoding="utf-8") as fh:
        agencies = [r["name"] for r in csv.DictReader(fh)]
    assert len(agencies) == 5
    codes = [commune.lookup(name) for name in agencies]
    assert codes == ["vp_hdnd_ubnd_xa", "phong_kinh_te_xa", "phong_kinh_te_ha_tang_do_thi",
                     "phong_van_hoa_xa_hoi", "trung_tam_pvhcc_xa"]
    for code in codes:
        assert commune.unit_level(code) == "commune"
    for code in codes[:4]:
        assert "150/2025/NĐ-CP" in _REG.find(code).note, code
    centre = _REG.find("trung_tam_pvhcc_xa").note
    assert "118/2025/NĐ-CP" in centre and "không phải cơ quan chuyên môn" in centre.lower()
    assert commune.kind("ubnd_xa") == "government" and commune.kind("grp_phong_chuyen_mon_xa") == "group"
    assert set(commune.members("grp_phong_chuyen_mon_xa")) == {
        "vp_hdnd_ubnd_xa", "phong_kinh_te_xa", "phong_van_hoa_xa_hoi", "trung_tam_pvhcc_xa"}
    assert commune.groups_of("phong_kinh_te_xa") == ["grp_phong_chuyen_mon_xa"]
    assert commune.groups_of("phong_noi_vu") == []  # memberships stay within a level


@pytest.mark.parametrize("text, expected", [
    ("Văn phòng HĐND và UBND; Các phòng chuyên môn, đơn vị thuộc UBND xã; thôn, tổ dân phố.",
     ["vp_hdnd_ubnd_xa", "grp_phong_chuyen_mon_xa", "grp_thon_to_dan_pho"]),
    ("Phòng Kinh tế, Hạ tầng và Đô thị, Phòng Văn hóa - Xã hội", ["phong_kinh_te_ha_tang_do_thi", "phong_van_hoa_xa_hoi"]),
    ("Phòng Kinh tế, Phòng VH-XH; Trung tâm PVHCC", ["phong_kinh_te_xa", "phong_van_hoa_xa_hoi", "trung_tam_pvhcc_xa"]),
    ("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân, Công an xã", ["vp_hdnd_ubnd_xa", "cong_an_xa"]),
    ("Văn phòng HĐND và UBND xã; Ủy ban MTTQ Việt Nam xã; các đơn vị liên quan",
     ["vp_hdnd_ubnd_xa", "mttq_xa", "grp_don_vi_lien_quan"]),
    ("UBND xã; Ủy ban MTTQ Việt Nam và các đoàn thể chính trị - xã hội xã",
     ["ubnd_xa", "grp_mttq_doan_the_xa"]),
])
def test_commune_offices_resolve_in_a_commune_cell(commune, text, expected):
    res = commune.resolve_cell(text)
    assert res.unit_codes == expected
    assert res.unresolved == [] and res.remarks == []


def test_one_spelling_names_the_office_of_the_plans_level(reg, commune):
    assert reg.resolve_cell("Văn phòng HĐND và UBND").unit_codes == ["vp_hdnd_ubnd"]
    assert commune.resolve_cell("Văn phòng HĐND và UBND").unit_codes == ["vp_hdnd_ubnd_xa"]
    # every level at once: the shared spelling is ambiguous, reported and never guessed
    res = _REG.resolve_cell("Văn phòng HĐND và UBND")
    assert res.unit_codes == [] and res.unresolved == ["Văn phòng HĐND và UBND"]
    assert res.candidates["Văn phòng HĐND và UBND"] == ["vp_hdnd_ubnd", "vp_hdnd_ubnd_xa"]
    assert _REG.lookup("Văn phòng HĐND và UBND huyện") == "vp_hdnd_ubnd"
    assert _REG.lookup("Văn phòng HĐND và UBND xã") == "vp_hdnd_ubnd_xa"


def test_a_district_office_is_refused_at_commune_level(commune):
    res = commune.resolve_cell("Phòng Nội vụ; Văn phòng HĐND và UBND, UBND các xã, thị trấn; Văn phòng HĐND và UBND huyện")
    assert res.unit_codes == ["vp_hdnd_ubnd_xa"]
    # a name with commas inside stays one fragment
    assert res.unresolved == ["Phòng Nội vụ", "UBND các xã, thị trấn", "Văn phòng HĐND và UBND huyện"]
    assert res.elsewhere == {"Phòng Nội vụ": ["phong_noi_vu"], "UBND các xã, thị trấn": ["grp_ubnd_cap_xa"],
                             "Văn phòng HĐND và UBND huyện": ["vp_hdnd_ubnd"]}
    assert commune.find("phong_noi_vu").level == "district" and "phong_noi_vu" not in commune.codes()
    # unknown text is still unknown, not "of another level"
    res = commune.resolve_cell("Phòng Không Tồn Tại")
    assert res.unresolved == ["Phòng Không Tồn Tại"] and res.elsewhere == {}


def test_a_commune_office_is_refused_at_district_level(reg):
    res = reg.resolve_cell("Phòng Nội vụ; Trung tâm Phục vụ hành chính công")
    assert res.unit_codes == ["phong_noi_vu"]
    assert res.elsewhere == {"Trung tâm Phục vụ hành chính công": ["trung_tam_pvhcc_xa"]}


def test_a_spelling_must_be_unique_per_level_only(tmp_path):
    d = _copy_registry(tmp_path)
    with open(d / "unit_aliases.csv", "a", encoding="utf-8") as fh:
        fh.write("Phòng Tư pháp,vp_hdnd_ubnd_xa\n")  # a district name reused at commune level: allowed
    reg = UnitRegistry.load(d)
    assert UnitRegistry.load(d, level="commune").lookup("Phòng Tư pháp") == "vp_hdnd_ubnd_xa"
    assert UnitRegistry.load(d, level="district").lookup("Phòng Tư pháp") == "phong_tu_phap"
    assert reg.lookup("Phòng Tư pháp") is None  # both levels at once: ambiguous

    for alias, code, clash in [("Phòng Kinh tế", "phong_van_hoa_xa_hoi", "phong_kinh_te_xa"),  # same level
                               ("Các đơn vị liên quan", "phong_kinh_te_xa", "grp_don_vi_lien_quan")]:  # every level
        (tmp_path / code).mkdir()
        d = _copy_registry(tmp_path / code)
        with open(d / "unit_aliases.csv", "a", encoding="utf-8") as fh:
            fh.write(f"{alias},{code}\n")
        with pytest.raises(ValidationFailed) as e:
            UnitRegistry.load(d)
        [p] = e.value.problems
        assert f"«{alias}»" in p.message and clash in p.message and code in p.message and "cấp xã" in p.message


def test_level_values_and_memberships_are_checked(tmp_path):
    d = _copy_registry(tmp_path)
    rows = len((d / "units.csv").read_text(encoding="utf-8").splitlines())
    with open(d / "units.csv", "a", encoding="utf-8") as fh:
        fh.write("phong_moi,Phòng Mới,department,huyen,\n")
    with open(d / "unit_members.csv", "a", encoding="utf-8") as fh:
        fh.write("grp_phong_chuyen_mon_xa,phong_noi_vu,\n")  # a commune group of a district office
    with pytest.raises(ValidationFailed) as e:
        UnitRegistry.load(d)
    found = {(Path(p.file).name, p.row, p.column): p.message for p in e.value.problems}
    assert "cấp «huyen» không hợp lệ" in found[("units.csv", rows + 1, "level")]
    assert "grp_phong_chuyen_mon_xa" in next(m for (f, _, c), m in found.items() if f == "unit_members.csv")


def test_a_registry_without_a_level_column_serves_every_level(tmp_path):
    d = _copy_registry(tmp_path)
    with open(REGISTRY / "units.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(d / "units.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["unit_code", "name", "kind", "note"], extrasaction="ignore")
        w.writeheader()
        w.writerows(r for r in rows if r["level"] != "commune")
    text = (d / "unit_aliases.csv").read_text(encoding="utf-8").splitlines()
    kept = {r["unit_code"] for r in rows if r["level"] != "commune"}
    (d / "unit_aliases.csv").write_text("\n".join(t for t in text if t.rsplit(",", 1)[-1] in kept | {"unit_code"}) + "\n",
                                        encoding="utf-8")
    members = (d / "unit_members.csv").read_text(encoding="utf-8").splitlines()
    (d / "unit_members.csv").write_text("\n".join(m for m in members if "_xa," not in m or m.startswith("grp_ubnd"))
                                        + "\n", encoding="utf-8")
    reg = UnitRegistry.load(d, level="commune")
    assert reg.lookup("Phòng Nội vụ") == "phong_noi_vu"
