"""Entity names resolve to the right stable code: every spelling in the real PCI file,
the 2025 reform and the districts that are also commune names."""
from pathlib import Path

import pandas as pd
import pytest

from domain.entities import EntityRegistry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reg():
    return EntityRegistry.load(ROOT / "data" / "registry")


# Hand-checked: the awkward spellings of the real PCI file and the province they mean (GSO code).
@pytest.mark.parametrize("spelling,year,code", [
    ("Thanh Hoa", 2008, "VN-38"), ("Thanh Hóa", 2016, "VN-38"), ("Thanh Ho\u0301a", 2016, "VN-38"),
    ("TT-Huế", 2010, "VN-46"), ("TT.Huế", 2012, "VN-46"), ("TT- Huế", 2014, "VN-46"), ("Thua Thien Hue", 2006, "VN-46"),
    ("TP.HCM", 2011, "VN-79"), ("HCMC", 2006, "VN-79"), ("Tp.HCM", 2013, "VN-79"), ("TP.Hồ Chí Minh", 2015, "VN-79"),
    ("BRVT", 2007, "VN-77"), ("Bà Rịa - Vũng Tàu", 2016, "VN-77"),
    ("Bắc Cạn", 2009, "VN-06"), ("Bac Can", 2006, "VN-06"), ("Bắc Kạn", 2016, "VN-06"),
    ("Đắc Lắk", 2010, "VN-66"), ("Đak Lak", 2011, "VN-66"), ("Đăk Lăk", 2012, "VN-66"), ("Dak Lak", 2006, "VN-66"),
    ("Đak Nông", 2011, "VN-67"), ("Đăk Nông", 2012, "VN-67"),
    ("Ha Noi", 2006, "VN-01"), ("Hà Nội", 2016, "VN-01"), ("Ha Tay", 2006, "VN-HATAY"), ("Hà Tây", 2008, "VN-HATAY"),
    ("Can Tho", 2005, "VN-92"), ("Da Nang", 2006, "VN-48"), ("Vinh Long", 2008, "VN-86"), ("Vinh Phuc", 2008, "VN-26"),
])
def test_awkward_spellings(reg, spelling, year, code):
    assert reg.resolve(spelling, year, level="province") == code


def test_every_row_of_the_real_pci_file_resolves(reg):
    df = pd.read_csv(ROOT / "data/reference/pci_subindices_2005_2016_long.csv", dtype=str)
    pairs = df[["province", "year"]].drop_duplicates()
    resolved = {(p, y): reg.resolve(p, int(y), level="province") for p, y in pairs.itertuples(index=False)}
    assert all(resolved.values()), [k for k, v in resolved.items() if not v]
    per_year = pd.Series(resolved).reset_index().groupby("level_1")[0].nunique()
    # one code per province in each year: 64 with Hà Tây in 2006–2008, 63 later, 42 surveyed in 2005
    assert per_year.to_dict() == {"2005": 42, **{str(y): 64 for y in (2006, 2007, 2008)},
                                  **{str(y): 63 for y in range(2009, 2017)}}
    assert len(df["province"].unique()) == 183


def test_ha_tay_ends_with_its_merger(reg):
    assert reg.resolve("Ha Tay", 2009) is None
    assert reg.successors_of("VN-HATAY") == ["VN-01"]


@pytest.mark.parametrize("name", ["Vĩnh Lộc", "Huyện Vĩnh Lộc", "huyen vinh loc", "HUYỆN VĨNH LỘC"])
def test_vinh_loc_district_names(reg, name):
    assert reg.resolve(name, 2023) == "VN-38-393"


def test_2025_reform(reg):
    # the district is gone: "Huyện Vĩnh Lộc" names nothing in 2025, "Vĩnh Lộc" is the new commune
    assert reg.resolve("Huyện Vĩnh Lộc", 2025) is None
    assert reg.resolve("Vĩnh Lộc", 2025) == "VN-38-15349"
    assert reg.resolve("Xã Vĩnh Lộc", 2025) == "VN-38-15349"
    assert reg.resolve("Huyện Vĩnh Lộc", 2024) == "VN-38-393"
    assert sorted(reg.name(c) for c in reg.successors_of("VN-38-393")) == ["Xã Biện Thượng", "Xã Tây Đô", "Xã Vĩnh Lộc"]
    # a province that merged: the old Tuyên Quang until 2024, the merged one from 2025
    assert reg.resolve("Tuyên Quang", 2024) == "VN-08"
    assert reg.resolve("Tuyên Quang", 2025) == "VN25-tuyen-quang"
    assert reg.resolve("Thanh Hóa", 2025) == "VN-38"  # unchanged by the merger


COMMUNES_2025 = pd.read_csv(ROOT / "data/reference/reform_2025/thanhhoa_communes_2025.csv", dtype=str)


def test_thanh_hoa_has_166_commune_level_units_from_2025(reg):
    e = reg.entities
    new = e[(e.level == "commune") & (e.parent_code == "VN-38") & (e.valid_from == "2025-07-01") & (e.valid_to == "")]
    assert len(new) == 166
    # and they are all the communes of the province that exist in the second half of 2025
    alive = e[(e.level == "commune") & (e.valid_from <= "2025-12-31") & ((e.valid_to == "") | (e.valid_to >= "2025-07-01"))]
    assert set(alive[alive.parent_code.str.startswith("VN-38")].entity_code) == set(new.entity_code)
    # official 5-digit codes of the Cục Thống kê, with the names exactly as the reform file spells them
    assert dict(zip(new.entity_code, new.name)) == {f"VN-38-{c}": n for c, n in zip(COMMUNES_2025.code, COMMUNES_2025.name)}
    assert new.entity_code.str.fullmatch(r"VN-38-\d{5}").all()
    assert (new.name.str.startswith("Phường ").sum(), new.name.str.startswith("Xã ").sum()) == (19, 147)
    assert new.note.str.contains("NQ 1686/NQ-UBTVQH15").all() and new.note.str.contains("CV 1027/CTK-CSCL").all()
    # the ids of the unofficial source are gone everywhere
    for frame in (e.entity_code, reg.aliases.entity_code, reg.successors.entity_code, reg.successors.successor_code):
        assert not frame.isin(["VN-38-26922", "VN-38-27178", "VN-38-27434"]).any()


def test_vinh_loc_successors_have_official_codes(reg):
    assert sorted(reg.successors_of("VN-38-393")) == ["VN-38-15349", "VN-38-15361", "VN-38-15382"]
    mapping = pd.read_csv(ROOT / "data/reference/vinhloc_2025_commune_mapping.csv", dtype=str)
    for r in mapping.itertuples():
        assert [reg.name(c) for c in reg.successors_of(f"VN-38-393-{r.old_id_source}")] == [r.new_commune]
    # every successor names an entity that exists and was valid from the day of the reform
    assert set(reg.successors.successor_code) <= reg.codes()


@pytest.mark.parametrize("code,name", list(zip(COMMUNES_2025.code, COMMUNES_2025.name)))
def test_every_2025_commune_name_resolves(reg, code, name):
    assert reg.resolve(name, 2025) == f"VN-38-{code}"
    assert reg.resolve(name.upper(), 2025) == f"VN-38-{code}"
    # written without «xã»/«phường» the name still finds the unit among the communes
    bare = name.split(" ", 1)[1]
    assert reg.resolve(bare, 2025, level="commune") == f"VN-38-{code}"
    assert reg.resolve(name, 2024) != f"VN-38-{code}"  # it did not exist before the reform


@pytest.mark.parametrize("name,year,code", [
    ("Đông Tiến", 2025, "VN-38-15853"), ("Đồng Tiến", 2025, "VN-38-15724"),  # fold alike: the diacritics decide
    ("Tĩnh Gia", 2025, "VN-38-16561"),  # not «tỉnh Gia»
    ("Đông Sơn", 2024, "VN-38-405"), ("Đông Sơn", 2025, "VN-38-16378"),  # the district until 2024, the phường after
    ("Hà Trung", 2024, "VN-38-392"), ("Hà Trung", 2025, "VN-38-15271"),
    ("Nghi Sơn", 2024, "VN-38-407"), ("Nghi Sơn", 2025, "VN-38-16654"),
    ("Quảng Ninh", 2025, "VN-22"),  # a bare name that is a province's name means the province
    ("Xã Quảng Ninh", 2025, "VN-38-16540"),
])
def test_bare_names_that_collide(reg, name, year, code):
    assert reg.resolve(name, year) == code


def test_thanh_hoa_has_27_district_level_units(reg):
    e = reg.entities
    assert ((e.level == "district") & (e.parent_code == "VN-38")).sum() == 27
    assert ((e.level == "commune") & (e.parent_code == "VN-38-393")).sum() == 13


def test_unknown_and_ambiguous_are_explained(reg):
    assert reg.resolve("Tỉnh Không Có", 2020) is None
    assert "không nhận ra" in reg.explain_failure("Tỉnh Không Có", 2020)


def test_names_that_fold_alike_are_told_apart_by_their_diacritics(reg):
    hung, hung2 = reg.resolve("Xã Vĩnh Hưng", 2023), reg.resolve("Xã Vĩnh Hùng", 2023)
    assert hung and hung2 and hung != hung2
    assert reg.name(hung) == "Xã Vĩnh Hưng" and reg.name(hung2) == "Xã Vĩnh Hùng"
    assert reg.resolve("xa vinh hung", 2023) is None  # without diacritics it stays ambiguous
    assert "nhiều đơn vị" in reg.explain_failure("xa vinh hung", 2023)
