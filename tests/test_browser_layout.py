"""Layout as an official sees it on a 1366×768 office screen, measured in a real browser:
the responsible units are in view without scrolling, a card says a rank fell even when the
points rose, a shared link reopens its selection, a search without diacritics finds a
commune. Screenshots of every page at that size go to tests/artifacts/ for people to look at."""
from __future__ import annotations

import re
import shutil

import pytest

from tests.test_browser import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PAGES, assert_no_error_on_screen, go,
                                running_app, settle)

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def app(built_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("layout") / "chiso.duckdb"
    shutil.copyfile(built_db, db)
    with running_app(db) as url:
        yield url


@pytest.fixture()
def tab(app):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pg = browser.new_page(viewport=VIEWPORT, locale="vi-VN")

        def open_(query: str = "") -> None:
            pg.goto(app + query)
            settle(pg)

        pg.open = open_
        yield pg
        browser.close()


def chosen(pg, label: str) -> str:
    return pg.get_by_label(label).first.input_value()


def test_a_shared_link_reopens_the_same_selection(tab):
    # the server's very first request: a link to a page must open the app (app.py's menu), not
    # Streamlit's bare page of the pages/ folder (cli/serve.py)
    tab.open("/chi_so_thanh_phan?entity=VN-38-399&index=SIPAS&year=2022")
    nav = [a.inner_text().split("\n")[-1] for a in tab.locator('[data-testid="stSidebarNav"] a').all()]
    assert nav == PAGES
    assert chosen(tab, "Đơn vị được đánh giá") == "Huyện Hoằng Hóa (cấp huyện, đến 2025)"
    assert chosen(tab, "Chỉ số") == "SIPAS" and chosen(tab, "Năm đánh giá") == "2022"
    assert "năm 2022" in tab.inner_text("body")
    tab.reload()
    settle(tab)
    assert chosen(tab, "Đơn vị được đánh giá") == "Huyện Hoằng Hóa (cấp huyện, đến 2025)"
    assert "entity=VN-38-399" in tab.url and "year=2022" in tab.url


def test_units_are_in_view_next_to_the_criterion_without_scrolling(tab):
    tab.open("/?entity=VN-38-393&year=2024")
    go(tab, "Trọng tâm năm tới")
    grid = tab.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    headers = [h.inner_text() for h in grid.locator('[role="columnheader"]').all()]
    assert headers[:6] == ["Chọn", "Chỉ số", "Mã", "Tiêu chí", "Cơ quan chủ trì", "Cơ quan phối hợp"]
    box = grid.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"]
    scroller = grid.locator(".dvn-scroller").first
    content, visible = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert content <= visible + 1, f"the table scrolls sideways: {content} px of content in {visible} px"
    tab.screenshot(path=str(ARTIFACTS / "layout-trong-tam-1366.png"))


def test_a_card_says_the_rank_fell_although_the_points_rose(tab):
    tab.open("/?entity=VN-38-393&year=2024")
    card = tab.locator('[data-testid="stMetric"]').filter(has_text="DDCI 2024")
    delta = card.locator('[data-testid="stMetricDelta"]')
    assert delta.inner_text().strip().endswith("-1 hạng (từ 16 xuống 17)")
    r, g, _ = map(int, re.findall(r"\d+", delta.evaluate("e => getComputedStyle(e).color"))[:3])
    assert r > g, "a fall in rank is shown in red"
    assert "Điểm 67,80 (+8,43 so với 2023)" in card.locator("xpath=../..").inner_text()
    tab.screenshot(path=str(ARTIFACTS / "layout-tong-quan-the.png"))


def test_a_search_without_diacritics_finds_tay_do(tab):
    tab.open()
    tab.get_by_label("Tìm đơn vị").fill("tay do")
    tab.keyboard.press("Enter")
    settle(tab)
    assert chosen(tab, "Đơn vị được đánh giá") == "Xã Tây Đô (cấp xã, từ 2025)"
    assert_no_error_on_screen(tab)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_at_1366(tab, name):
    tab.open()
    go(tab, name)
    assert_no_error_on_screen(tab)
    body = tab.inner_text("body")
    for english in ("Choose an option", "No results", "Download as CSV"):
        assert english not in body
    tab.screenshot(path=str(ARTIFACTS / f"1366-{PAGES.index(name) + 1}-{name.replace(' ', '-')}.png"))


def test_the_criteria_table_shows_both_unit_columns_in_view(tab):
    tab.open("/chi_so_thanh_phan?entity=VN-38-393&index=SIPAS&year=2024")
    tab.locator('[data-testid="stDataFrame"]').first.wait_for()
    grids = tab.locator('[data-testid="stDataFrame"]').all()
    tables = {g.locator('[role="columnheader"]').first.inner_text(): g for g in grids}
    grid = tables["Mã"]  # «Các tiêu chí năm …»
    headers = [h.inner_text() for h in grid.locator('[role="columnheader"]').all()]
    assert headers[:5] == ["Mã", "Tiêu chí", "Điểm", "Cơ quan chủ trì", "Cơ quan phối hợp"]
    # the pixel widths of those five columns (Streamlit's column_config) against the grid's visible width
    visible = grid.locator(".dvn-scroller").first.evaluate("e => e.clientWidth")
    assert 52 + 220 + 64 + 190 + 190 <= visible
