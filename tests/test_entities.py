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
    assert reg.resolve("Vĩnh Lộc", 2025) == "VN-38-26922"
    assert reg.resolve("Xã Vĩnh Lộc", 2025) == "VN-38-26922"
    assert sorted(reg.name(c) for c in reg.successors_of("VN-38-393")) == ["Xã Biện Thượng", "Xã Tây Đô", "Xã Vĩnh Lộc"]
    # a province that merged: the old Tuyên Quang until 2024, the merged one from 2025
    assert reg.resolve("Tuyên Quang", 2024) == "VN-08"
    assert reg.resolve("Tuyên Quang", 2025) == "VN25-tuyen-quang"
    assert reg.resolve("Thanh Hóa", 2025) == "VN-38"  # unchanged by the merger


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
