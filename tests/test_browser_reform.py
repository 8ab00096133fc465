"""The product in December 2026, in a real browser at 1366×768: the district is history,
its three successor communes and the province are home (data/home.csv), and 2025 results
come on the 34 provinces and the 166 communes.

Each test opens the app fresh, as a new visitor would. The database is the shipped one plus
a PCI 2025 file made from the product's own pre-filled template of the 34 provinces
(scores invented here and marked illustrative), imported with the command line."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.test_browser import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, assert_no_error_on_screen, choose,
                                go, running_app, settle)

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def app_2025(built_db, tmp_path_factory):
    import openpyxl

    from domain import vocabulary
    from loaders.tidy import template_bytes

    work = tmp_path_factory.mktemp("reform")
    db = work / "chiso.duckdb"
    shutil.copyfile(built_db, db)
    template = work / "pci_2025.xlsx"
    template.write_bytes(template_bytes("xlsx", "provinces"))
    wb = openpyxl.load_workbook(template)
    ws = wb.active
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) for name in ("points", "illustrative", "source")}
    for i, row in enumerate(ws.iter_rows(min_row=2)):
        row[col["points"]].value = round(72 - 0.37 * i, 2)
        row[col["illustrative"]].value = 1
        row[col["source"]].value = "kiểm thử: điểm giả định"
    wb.save(template)
    done = subprocess.run([sys.executable, "-m", "loaders", "import", str(template), "--index", "PCI", "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    with running_app(db) as url:
        yield url, vocabulary.home_entities()


@pytest.fixture()
def fresh(app_2025):
    """A new visitor's browser tab on the app's front page."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pg = browser.new_page(viewport=VIEWPORT, locale="vi-VN")
        pg.goto(app_2025[0])
        settle(pg)
        yield pg
        browser.close()


def sidebar_text(pg) -> str:
    return pg.locator('[data-testid="stSidebar"]').inner_text()


def chosen(pg, label: str) -> str:
    """What a selectbox shows as chosen."""
    return pg.get_by_label(label).first.input_value()


def test_opens_on_a_successor_commune_with_its_lineage(fresh):
    assert chosen(fresh, "Đơn vị được đánh giá") == "Xã Vĩnh Lộc (cấp xã, từ 2025)"  # data/home.csv: the first
    sidebar = sidebar_text(fresh)
    assert "Kế thừa một phần huyện Vĩnh Lộc" in sidebar and "01/7/2025" in sidebar
    assert_no_error_on_screen(fresh)
    fresh.screenshot(path=str(ARTIFACTS / "reform-1-mo-dau.png"))
    # the other successor is found by typing its name, and carries the same lineage
    choose(fresh, "Đơn vị được đánh giá", "Xã Tây Đô (cấp xã, từ 2025)")
    sidebar = sidebar_text(fresh)
    assert "Kế thừa một phần huyện Vĩnh Lộc" in sidebar and "xã Vĩnh Quang" in sidebar
    assert "SỐ LIỆU MINH HỌA" in fresh.inner_text("body")  # its 2025 results are illustrative
    assert_no_error_on_screen(fresh)


def test_the_district_is_history_with_links_to_its_successors(fresh):
    choose(fresh, "Đơn vị được đánh giá", "Huyện Vĩnh Lộc (cấp huyện, đến 2025)")
    body = fresh.inner_text("body")
    assert "Huyện Vĩnh Lộc không còn là đơn vị hành chính từ 01/7/2025" in body
    fresh.screenshot(path=str(ARTIFACTS / "reform-2-huyen.png"))
    fresh.get_by_role("button", name="Xem xã Biện Thượng →").click()
    settle(fresh)
    assert chosen(fresh, "Đơn vị được đánh giá") == "Xã Biện Thượng (cấp xã, từ 2025)"
    assert "không còn là đơn vị hành chính" not in fresh.inner_text("body")
    assert_no_error_on_screen(fresh)


def test_task_table_is_addressed_to_the_commune(fresh, tmp_path):
    import openpyxl

    choose(fresh, "Đơn vị được đánh giá", "Xã Tây Đô (cấp xã, từ 2025)")
    go(fresh, "Trọng tâm năm tới")
    assert "UBND xã Tây Đô" in fresh.inner_text("body")
    fresh.screenshot(path=str(ARTIFACTS / "reform-3-trong-tam-xa.png"))
    with fresh.expect_download(timeout=60000) as dl:
        fresh.get_by_role("button", name="Tải bảng phân công nhiệm vụ (Excel)").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].value.endswith("của UBND xã Tây Đô)"), ws["A2"].value
    assert "huyện" not in ws["A2"].value.lower()


def test_2025_provinces_are_compared_among_34(fresh):
    choose(fresh, "Đơn vị được đánh giá", "Thanh Hóa (cấp tỉnh)")
    go(fresh, "So sánh")
    choose(fresh, "Chỉ số", "PCI")
    choose(fresh, "Năm đánh giá", "2025")
    body = fresh.inner_text("body")
    assert "34 đơn vị cấp tỉnh có điểm" in body
    assert_no_error_on_screen(fresh)
    fresh.screenshot(path=str(ARTIFACTS / "reform-4-so-sanh-34-tinh.png"), full_page=True)
    go(fresh, "Tổng quan")  # the province's trend is cut at the reform, not drawn through it
    assert "sau sắp xếp đơn vị hành chính 2025" in fresh.inner_text("body")
    fresh.screenshot(path=str(ARTIFACTS / "reform-5-tong-quan-tinh.png"), full_page=True)
    assert_no_error_on_screen(fresh)
