"""Every page runs without an exception (AppTest), generated from the list of page files."""
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]


@pytest.fixture(autouse=True)
def fresh_caches(built_db, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(built_db))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_runs_without_exception(page):
    at = AppTest.from_file(str(page), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]


def test_home_shows_what_is_loaded_and_the_illustrative_warning(con):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    inventory = at.dataframe[0].value
    expected = con.execute("SELECT count(DISTINCT (index_code, year, entity_level)) FROM scores").fetchone()[0]
    assert len(inventory) == expected
    assert set(inventory["Chỉ số"]) == {"PAR", "SIPAS", "PAPI", "DDCI", "PCI"}
    assert any("MINH HỌA" in w.value for w in at.warning)
    district = inventory[(inventory["Chỉ số"] == "PAR") & (inventory["Cấp"] == "Huyện")]
    assert set(district["Minh họa"]) == {"toàn bộ", "một phần"}
    assert [b.label for b in at.get("download_button")] == ["Tải mẫu Excel (.xlsx)", "Tải mẫu CSV (.csv)"]


def test_home_without_a_database_explains_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "Chưa có cơ sở dữ liệu" in at.error[0].value
