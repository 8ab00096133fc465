"""The second round of real data (data/reference/finds_2026/) and frameworks by level of unit."""
from pathlib import Path

import pytest

from loaders.read import Context, read_scores
from domain.problems import ValidationFailed
from loaders.reference import SKIP_DEPARTMENT, SKIP_GROUP, SKIP_NO_FACT

ROOT = Path(__file__).resolve().parents[1]
FINDS = ROOT / "data/reference/finds_2026"


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context(ROOT / "data")


def read(ctx, name: str):
    return read_scores(FINDS / name, ctx, reader="finds")


def test_every_file_is_shipped_in_the_repository():
    names = {p.name for p in FINDS.glob("*.csv")}
    assert names == {"pci_2016_2022_all_provinces_totals.csv", "pci_profiles_haiphong_ninhthuan_quangtri_2006_2022.csv",
                     "press_par_sipas_pci_papi_values.csv", "ddci_thanhhoa_published_framework.csv",
                     "press_ranks_2020_2024.csv"}
    manifest = (ROOT / "data/manifest.csv").read_text(encoding="utf-8")
    assert "../" not in manifest and "shared" not in manifest
    # the press comes after every other real source, the compilation after the VCCI workbook
    order = [line.split(",")[0] for line in manifest.splitlines()[1:]]
    press = order.index("reference/finds_2026/press_par_sipas_pci_papi_values.csv")
    ranks = order.index("reference/finds_2026/press_ranks_2020_2024.csv")
    assert ranks == press + 1 == max(i for i, p in enumerate(order) if p.startswith("reference/"))
    assert order.index("reference/finds_2026/pci_2016_2022_all_provinces_totals.csv") > order.index(
        "reference/pci_subindices_2005_2016_long.csv")


def test_rows_loaded_and_skipped_by_rule(ctx):
    totals = read(ctx, "pci_2016_2022_all_provinces_totals.csv")
    assert len(totals) == 441 and totals.attrs["skipped"] == {}
    assert totals["rank"].isna().all() and totals.criterion_code.isna().all()
    profiles = read(ctx, "pci_profiles_haiphong_ninhthuan_quangtri_2006_2022.csv")
    assert len(profiles) == 549 and profiles.attrs["skipped"] == {}
    press = read(ctx, "press_par_sipas_pci_papi_values.csv")
    assert press.attrs["skipped"] == {SKIP_GROUP: 10, SKIP_NO_FACT: 8}
    assert set(press.index_code) == {"PAR", "SIPAS", "PAPI", "PCI"}  # PAR_INDEX is PAR
    assert not press.is_illustrative.any()
    # the framework file is not score data: every row is skipped by a named rule
    ddci = read(ctx, "ddci_thanhhoa_published_framework.csv")
    assert ddci.empty and ddci.attrs["skipped"] == {SKIP_GROUP: 9, SKIP_DEPARTMENT: 1}


def test_the_same_fact_twice_is_kept_once_and_a_disagreement_is_passed_on(ctx):
    press = read(ctx, "press_par_sipas_pci_papi_values.csv")
    hp = press[(press.index_code == "PAR") & (press.year == 2023) & (press.entity_raw == "Hải Phòng")]
    assert list(hp.points) == [91.87, 91.81] and list(hp.source_row) == [21, 22]
    assert hp.index[1] >= len(press) - 2  # the disagreeing rows come after every kept row
    # PCI 2022 Hải Phòng: a rank-only row, then the score twice; one fact with score and rank
    pci = press[(press.index_code == "PCI") & (press.year == 2022) & (press.entity_raw == "Hải Phòng")]
    assert len(pci) == 1 and (pci.points.iloc[0], pci["rank"].iloc[0], pci.n_ranked.iloc[0]) == (70.76, 3, 63)
    # Thanh Hóa PAR INDEX 2021: 87,83, rank 14 of 63, its 8 areas on the province framework
    th = press[(press.index_code == "PAR") & (press.year == 2021) & (press.entity_code == "VN-38")]
    assert set(th.framework) == {"PAR-BNV-2021"}
    assert sorted(th.criterion_code.fillna("")) == ["", "1", "2", "3", "4", "5", "6", "7", "8"]
    total = th[th.criterion_code.isna()].iloc[0]
    assert (total.points, total["rank"], total.n_ranked) == (87.83, 14, 63)
    assert total.source_note.startswith("http://truyenhinhthanhhoa.vn/")


def test_sources_conflicts_and_first_source_stands(con):
    msgs = [r[0] for r in con.execute("SELECT message FROM source_conflicts").fetchall()]
    assert any("91,81 so với 91,87" in m and "Hải Phòng, 2023" in m for m in msgs)
    # 2016: the VCCI workbook stands over the later compilation
    src = con.execute("""SELECT source FROM scores WHERE entity_code = 'VN-38' AND index_code = 'PCI' AND year = 2016
                         AND criterion_code IS NULL""").fetchone()[0]
    assert src.startswith("reference/pci_subindices_2005_2016_long.csv")
    # Quảng Ninh PCI 2020 is 75,09 (the 73,02 once filed under 2020 is 2021's)
    qn = dict(con.execute("""SELECT year, points FROM scores WHERE entity_name = 'Quảng Ninh' AND index_code = 'PCI'
                             AND criterion_code IS NULL AND year IN (2020, 2021)""").fetchall())
    assert qn == {2020: 75.09, 2021: 73.02}
    # province PAR INDEX: a published rank, the province framework, the press source
    row = con.execute("""SELECT framework, points, rank, rank_published, n_ranked FROM scores WHERE entity_code = 'VN-38'
                         AND index_code = 'PAR' AND year = 2021 AND criterion_code IS NULL""").fetchone()
    assert row == ("PAR-BNV-2021", 87.83, 14, True, 63)


def test_unknown_level_and_unknown_criterion_are_named(ctx, tmp_path):
    f = tmp_path / "finds.csv"
    f.write_text("index,year,entity,level,criterion,points,max_points,rank,n_ranked,label,source_url\n"
                 "PCI,2020,Hải Phòng,tinh,,70,100,,,,u\n"
                 "PCI,2020,Hải Phòng,province,Không có,7,10,,,,u\n"
                 "PCI,2020,Hải Phòng,province,Entry Costs,7,10,,,,u\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        read_scores(f, ctx, reader="finds")
    where = [(p.row, p.column) for p in e.value.problems]
    assert where == [(2, "level"), (3, "criterion")]
    assert "header_aliases" in e.value.problems[1].message


@pytest.mark.parametrize("index,year,level,expected", [
    ("PAR", 2021, "province", "PAR-BNV-2021"), ("PAR", 2021, "district", "PAR-TH-HUYEN-2023"),
    ("PAR", 2021, None, "PAR-TH-HUYEN-2023"), ("PAR", 2013, "province", "PAR-BNV-2012"), ("PAR", 2013, "district", None),
    ("SIPAS", 2018, "province", "SIPAS-BNV-2017"), ("SIPAS", 2018, "district", None),
    ("SIPAS", 2023, "province", "SIPAS-TH-2023"), ("SIPAS", 2023, "district", "SIPAS-TH-2023"),
    ("DDCI", 2023, "district", "DDCI-TH-2022"), ("DDCI", 2023, "province", None), ("PCI", 2023, "province", "PCI-2013"),
])
def test_framework_for_a_level(ctx, index, year, level, expected):
    assert ctx.fw.framework_for(index, year, level) == expected


def test_the_tidy_template_takes_the_framework_of_the_units_level(ctx, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("year,index,criterion,entity,points\n2021,PAR,,Thanh Hóa,87.83\n2021,PAR,,Huyện Vĩnh Lộc,85\n"
                 "2021,PAR,1,Thanh Hóa,7.82\n", encoding="utf-8")
    df = read_scores(f, ctx)
    assert list(df.framework) == ["PAR-BNV-2021", "PAR-TH-HUYEN-2023", "PAR-BNV-2021"]
    f.write_text("year,index,criterion,entity,points\n2023,DDCI,,Thanh Hóa,70\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        read_scores(f, ctx)
    p = e.value.problems[0]
    assert (p.row, p.column) == (2, "entity") and "cấp tỉnh" in p.message and "chỉ có cho cấp huyện" in p.message


def test_a_publisher_table_takes_the_framework_of_its_units_level(ctx, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "PAR 2021"
    ws.append(["STT", "Tỉnh, thành phố", "Chỉ số CCHC"])
    for i, (name, pts) in enumerate([("Thanh Hóa", 87.83), ("Hòa Bình", 87.06), ("Hải Phòng", 90.5)], 1):
        ws.append([i, name, pts])
    ws2 = wb.create_sheet("Huyen 2021")
    ws2.append(["STT", "Đơn vị", "Chỉ số CCHC"])
    for i, (name, pts) in enumerate([("Huyện Vĩnh Lộc", 85.0), ("Huyện Đông Sơn", 90.0), ("Huyện Hoằng Hóa", 89.0)], 1):
        ws2.append([i, name, pts])
    f = tmp_path / "par.xlsx"
    wb.save(f)
    df = read_scores(f, ctx, reader="publisher", index_code="PAR")
    assert dict(zip(df.entity_raw, df.framework)) == {
        "Thanh Hóa": "PAR-BNV-2021", "Hòa Bình": "PAR-BNV-2021", "Hải Phòng": "PAR-BNV-2021",
        "Huyện Vĩnh Lộc": "PAR-TH-HUYEN-2023", "Huyện Đông Sơn": "PAR-TH-HUYEN-2023", "Huyện Hoằng Hóa": "PAR-TH-HUYEN-2023"}
