"""An entity's name follows the registry's dates (data/registry/entity_names.csv): Huế has been a
centrally-run city since 01/01/2025 (Nghị quyết 1314/NQ-UBTVQH15), the province Thừa Thiên-Huế
before, under one code (VN-46). A result of 2024 or earlier reads «Thừa Thiên-Huế», one of 2025
or later «Huế», and the pickers show today's name with the former one beside it."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain.entities import EntityRegistry, authority, check_names
from domain.problems import ValidationFailed
from store.importing import import_file
from tests.small_db import make_db
from ui.fmt import plain

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "data" / "registry"
HUE = "VN-46"
OLD, NEW = "Thừa Thiên-Huế", "Huế"


@pytest.fixture(scope="module")
def reg() -> EntityRegistry:
    return EntityRegistry.load(REGISTRY)


# ---------------------------------------------------------------- the registry

@pytest.mark.parametrize("year,name", [(2005, OLD), (2020, OLD), (2024, OLD), (2025, NEW), (2026, NEW), (None, NEW)])
def test_the_name_of_a_year_is_the_one_borne_on_31_december(reg, year, name):
    assert reg.name(HUE, year) == name


def test_entities_csv_holds_the_current_name_and_entity_names_csv_the_dates(reg):
    assert reg.name(HUE) == NEW == reg.row(HUE)["name"]
    rows = reg.names[reg.names.entity_code == HUE]
    assert list(zip(rows.name, rows.valid_from, rows.valid_to)) == [(OLD, "", "2024-12-31"), (NEW, "2025-01-01", "")]
    assert rows.source.str.contains("1314/NQ-UBTVQH15").all()
    assert reg.former_names(HUE) == [(OLD, 2024)] and reg.former_names("VN-38") == []
    # every other entity kept one name: its name in any year is entities.csv's
    assert reg.name("VN-38", 2010) == reg.name("VN-38", 2025) == "Thanh Hóa"
    # the old alias note said 01/7/2025 (the merger of provinces), which is not when Huế got its name
    note = reg.aliases.loc[reg.aliases.alias == NEW, "source"].item()
    assert "01/01/2025" in note and "01/7/2025" not in note


def test_documents_name_the_authority_of_each_period(reg):
    assert authority(reg.name(HUE, 2024), "province") == "UBND tỉnh Thừa Thiên-Huế"
    assert authority(reg.name(HUE, 2025), "province") == "UBND thành phố Huế"


SPELLINGS = ["Thành phố Huế", "TP Huế", "TP. Huế", "Thừa Thiên-Huế", "Thừa Thiên Huế", "Thừa Thiên - Huế",
             "Tỉnh Thừa Thiên Huế", "TT-Huế", "TT.Huế", "TT Huế", "Thua Thien Hue", "Huế", "Hue", "thành phố huế"]


@pytest.mark.parametrize("year", [2020, 2025])
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_resolves_in_every_year(reg, spelling, year):
    assert reg.resolve(spelling, year) == HUE
    assert reg.resolve(spelling, year, level="province") == HUE


def test_a_former_name_resolves_through_a_database_registry_too(con):
    # the registry the command lines rebuild from the database (cli/metrics.py, cli/briefing.py)
    reg = EntityRegistry.from_db(con)
    assert reg.resolve(OLD, 2025) == reg.resolve(NEW, 2020) == HUE
    assert (reg.name(HUE, 2024), reg.name(HUE, 2025), reg.name(HUE)) == (OLD, NEW, NEW)


def test_the_2025_provinces_are_named_as_the_2025_map_names_them(reg):
    e = reg.entities
    names = {reg.name(c, 2025) for c in e[e.level == "province"].entity_code if reg.valid_in(c, 2025)}
    geo = json.loads((ROOT / "data/geo/vn_provinces_2025.geojson").read_text(encoding="utf-8"))
    assert names == {f["properties"]["name_vi"] for f in geo["features"]} and len(names) == 34


def test_every_problem_of_entity_names_is_reported_at_once(reg):
    bad = pd.DataFrame([
        ["VN-99", "Không Có", "", "", ""],                       # a code the registry does not have
        [HUE, "Thừa Thiên-Huế", "", "31/12/2024", ""],            # not an ISO date
        ["VN-38", "Thanh Hoá", "", "2010-12-31", ""],
        ["VN-38", "Thanh Hóa", "2010-06-01", "", ""],             # overlaps the row before
        ["VN-01", "Hà Nội cũ", "", "2008-07-31", ""],
        ["VN-01", "Hà Nội mới", "2008-08-01", "", ""],             # latest name is not entities.csv's
        ["VN-04", "Cao Bằng", "2020-01-01", "2019-01-01", ""],    # ends before it begins
    ], columns=["entity_code", "name", "valid_from", "valid_to", "source"])
    problems = check_names(bad, reg.entities)
    assert [(p.row, p.column) for p in problems] == [(2, "entity_code"), (3, "valid_to"), (8, "valid_to"),
                                                     (5, "valid_from"), (7, "name")]
    assert all(p.file == "registry/entity_names.csv" for p in problems)
    assert "không đúng dạng" in problems[1].message and "«Hà Nội»" in problems[4].message
    assert check_names(reg.names, reg.entities) == []


def test_a_broken_entity_names_file_stops_the_load(tmp_path):
    for f in ("entities.csv", "entity_aliases.csv", "entity_successors.csv"):
        (tmp_path / f).write_bytes((REGISTRY / f).read_bytes())
    # without the file every entity keeps its one name
    plain = EntityRegistry.load(tmp_path)
    assert plain.name(HUE, 2020) == NEW and plain.resolve("Huế", 2020) == HUE
    (tmp_path / "entity_names.csv").write_text("entity_code,name,valid_from,valid_to,source\n"
                                               "VN-46,Thừa Thiên-Huế,,2024-12-31,\nVN-46,Huế,2024-01-01,,\n",
                                               encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        EntityRegistry.load(tmp_path)
    assert [(p.row, p.column) for p in exc.value.problems] == [(3, "valid_from")]


# ---------------------------------------------------------------- the database

def test_the_shipped_results_of_2024_and_before_read_the_old_name(con):
    rows = con.execute("""SELECT index_code, year, entity_name, count(*) FROM scores
                          WHERE entity_code = ? GROUP BY ALL ORDER BY ALL""", [HUE]).fetchall()
    assert {(i, n) for i, y, n, _ in rows if y == 2024} == {("PCI", OLD), ("PAPI", OLD)}
    assert {n for _, y, n, _ in rows} == {OLD} and max(y for _, y, _, _ in rows) <= 2024
    assert con.execute("SELECT name FROM entities WHERE entity_code = ?", [HUE]).fetchone() == (NEW,)
    assert con.execute("SELECT name, valid_from, valid_to FROM entity_names WHERE entity_code = ? ORDER BY valid_to",
                       [HUE]).fetchall() == [(OLD, None, date(2024, 12, 31)), (NEW, date(2025, 1, 1), None)]


def test_an_imported_2025_score_reads_the_new_name(db_copy, tmp_path):
    f = tmp_path / "pci_2025.csv"
    # written with the old name, as a press table might: still Huế's score, under its 2025 name
    f.write_text("year,index,criterion,entity,points,max_points,rank\n"
                 "2025,PCI,,Thừa Thiên-Huế,71.5,100,\n2025,PCI,,Thanh Hóa,70.2,100,\n", encoding="utf-8")
    assert import_file(f, db_copy).status == "loaded"
    with duckdb.connect(str(db_copy), read_only=True) as c:
        got = dict(c.execute("""SELECT year, entity_name FROM scores WHERE entity_code = ? AND index_code = 'PCI'
                                AND criterion_code IS NULL AND year IN (2024, 2025)""", [HUE]).fetchall())
    assert got == {2024: OLD, 2025: NEW}


def test_the_view_names_each_year_and_falls_back_to_the_one_name(tmp_path):
    rows = [(y, "PCI", None, c, p) for y in (2024, 2025) for c, p in ((HUE, 70.0), ("VN-38", 65.0))]
    con = make_db(tmp_path / "n.duckdb", rows)
    q = "SELECT year, entity_code, entity_name FROM scores WHERE criterion_code IS NULL ORDER BY ALL"
    assert con.execute(q).fetchall() == [(2024, "VN-38", "Thanh Hóa"), (2024, HUE, OLD),
                                         (2025, "VN-38", "Thanh Hóa"), (2025, HUE, NEW)]
    con.execute("DELETE FROM entity_names")  # no dated names: entities.name (today's) in every year
    assert {n for _, c, n in con.execute(q).fetchall() if c == HUE} == {NEW}
    con.close()


# ---------------------------------------------------------------- what the product shows

@pytest.fixture()
def page_db(tmp_path, app_database):
    def make(rows):
        path = tmp_path / "page.duckdb"
        make_db(path, rows).close()
        return app_database(path)
    return make


def run_page(page: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=90)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_2025_map_of_34_provinces_colours_hue(reg, page_db):
    # the 2025 boundaries are keyed by name: a province shown under its old name is left blank on the map
    e = reg.entities
    provinces = [c for c in e[e.level == "province"].entity_code if reg.valid_in(c, 2025)]
    page_db([(2025, "PCI", None, c, 60.0 + i / 4) for i, c in enumerate(provinces)])
    at = run_page("so_sanh.py", entity=HUE, index="PCI", year=2025)
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = [t for f in figs for t in f["data"] if t["type"] == "choroplethmap"]
    assert len(maps) == 1
    geo = json.loads((ROOT / "data/geo/vn_provinces_2025.geojson").read_text(encoding="utf-8"))
    assert set(maps[0]["locations"]) == {f["properties"]["name_vi"] for f in geo["features"]}
    assert NEW in maps[0]["locations"] and OLD not in maps[0]["locations"]
    bars = [t for f in figs for t in f["data"] if t["type"] == "bar"]
    assert NEW in {y for t in bars for y in t["y"]} and OLD not in {y for t in bars for y in t["y"]}


def test_the_2024_comparison_names_the_province_as_it_was(page_db):
    page_db([(2024, "PCI", None, c, p) for c, p in ((HUE, 71.1), ("VN-38", 68.0), ("VN-01", 66.0), ("VN-48", 70.0))])
    at = run_page("so_sanh.py", entity=HUE, index="PCI", year=2024)
    bars = [t for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"] if t["type"] == "bar"]
    names = {y for t in bars for y in t["y"]}
    assert OLD in names and NEW not in names


def test_the_picker_and_the_header_show_todays_name_with_the_former_one(page_db):
    page_db([(y, "PCI", None, c, p + y - 2023) for y in (2023, 2024)
             for c, p in ((HUE, 71.1), ("VN-38", 68.0), ("VN-01", 66.0))])
    at = run_page("tong_quan.py", entity=HUE)
    label = "Huế (cấp tỉnh; đến 2024: Thừa Thiên-Huế)"
    assert at.selectbox(key="_w_entity").value == HUE
    assert label in at.selectbox(key="_w_entity").options
    assert "Thanh Hóa (cấp tỉnh)" in at.selectbox(key="_w_entity").options  # no former name: as before
    assert any(str(c.value).startswith(plain(label)) for c in at.caption)  # the page's header line
    # the search box finds it by either name
    at.text_input(key="_w_find").input("thua thien").run()
    assert at.selectbox(key="_w_entity").options == [label]


def test_the_2025_template_of_the_provinces_lists_hue_by_its_new_name(reg):
    from loaders.tidy import template_frame

    frame = template_frame("provinces", today=date(2026, 12, 1))
    assert (frame.year == 2025).all() and len(frame) == 34
    assert NEW in set(frame.entity) and OLD not in set(frame.entity)
    assert all(reg.resolve(n, 2025, level="province") for n in frame.entity)


def test_a_template_of_an_earlier_year_lists_the_name_of_that_year(reg):
    from loaders.tidy import template_frame

    frame = template_frame("provinces", today=date(2025, 3, 1))  # the results of 2024
    assert (frame.year == 2024).all() and len(frame) == 63
    assert OLD in set(frame.entity) and NEW not in set(frame.entity)
