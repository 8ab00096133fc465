"""The commune's year in a real browser at 1366×768, as xã Vĩnh Lộc's offices on today's date:
the first screen (a rank and a responsible unit above the fold), «Trọng tâm năm tới» with units
proposed from the former district's plan, the coordinator adopting next year's plan there, an
office reporting for the current period of the 2026 plan (with the Excel template), and the
coordinator seeing it and downloading the report section."""
from __future__ import annotations

import io
import re

import pytest

from tests.test_browser import ARTIFACTS, assert_no_error_on_screen, settle
from tests.test_browser_progress import PASSWORD, VIEWPORT, app_with_accounts, browser_page, fill, upload

pytestmark = pytest.mark.browser
VINH_LOC = "VN-38-15349"
COORDINATOR, OFFICE = "Lê Văn Hóa", "Trần Văn Phòng"


@pytest.fixture(scope="module")
def app(built_db, tmp_path_factory):
    with app_with_accounts(built_db, tmp_path_factory.mktemp("commune_year"),
                           {COORDINATOR: f"{VINH_LOC}/phong_van_hoa_xa_hoi", OFFICE: f"{VINH_LOC}/vp_hdnd_ubnd_xa"}) as running:
        yield running


@pytest.fixture(scope="module")
def page(app):
    with browser_page() as pg:
        yield pg


def open_page(pg, url: str) -> None:
    pg.goto(url)
    settle(pg)
    pg.get_by_role("heading", level=1).first.wait_for(timeout=60000)


def sign_in(pg, who: str, where=None) -> None:
    where = where or pg
    where.get_by_label("Tài khoản (họ tên)").fill(who)
    where.get_by_label("Mật khẩu").fill(PASSWORD)
    where.get_by_role("button", name="Đăng nhập").click()
    settle(pg)


def above_the_fold(pg, text: str) -> bool:
    box = pg.get_by_text(text).first.bounding_box()
    return box is not None and box["y"] + box["height"] <= VIEWPORT["height"]


def test_the_communes_year_end_to_end(page, app):
    import duckdb
    from docx import Document

    url, work, db = app
    # 1. the chairman's first screen: a rank among the communes and a responsible unit, no scrolling
    open_page(page, f"{url}/?entity={VINH_LOC}")
    assert above_the_fold(page, re.compile(r"Hạng \d+/166"))
    assert above_the_fold(page, re.compile(r"chủ trì: "))
    assert_no_error_on_screen(page)
    page.screenshot(path=str(ARTIFACTS / "nam-cua-xa-tong-quan.png"))

    # 2. Trọng tâm năm tới: units from the commune's own 2026 plan, the others proposed, said so
    open_page(page, f"{url}/trong_tam?entity={VINH_LOC}")
    body = page.inner_text("body")
    assert "Cơ quan chủ trì, phối hợp là đề xuất, chưa phải phân công" in body
    assert "office_crosswalk.csv" in body

    # 3. the coordinator adopts the draft as next year's plan
    panel = page.locator('[data-testid="stExpander"]', has_text="Ban hành kế hoạch năm")
    panel.get_by_text(re.compile(r"Ban hành kế hoạch năm \d{4} trong ứng dụng")).click()
    sign_in(page, COORDINATOR, panel)
    panel.get_by_label("Số kế hoạch").fill("150/KH-UBND")
    panel.get_by_label("Người ký (họ và tên)").fill("Nguyễn Văn An")
    panel.get_by_role("button", name=re.compile(r"^Ban hành kế hoạch năm \d{4}$")).click()
    settle(page)
    body = page.inner_text("body")
    assert "Đã ban hành Kế hoạch số 150/KH-UBND" in body, body[-1500:]
    page.screenshot(path=str(ARTIFACTS / "nam-cua-xa-ban-hanh.png"))
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM plan_adoptions a JOIN plans p USING (plan_id) WHERE p.entity_code = ? "
                         "AND a.number = '150/KH-UBND'", [VINH_LOC]).fetchone() == (1,)

    # 4. an office reports for the current period (the annual report of 2026, due 20/12)
    open_page(page, f"{url}/tien_do?entity={VINH_LOC}")
    sign_in(page, OFFICE)
    body = page.inner_text("body")
    assert "Năm 2026" in body and "Văn phòng HĐND và UBND xã" in body, body[:1500]
    page.get_by_text("Báo cáo bằng tệp Excel").click()
    with page.expect_download() as got:
        page.get_by_role("button", name="Tải mẫu báo cáo (Excel) của cơ quan này").click()
    template = work / "mau.xlsx"
    got.value.save_as(template)
    filled = work / "bc-vp.xlsx"  # short: the uploader shortens a long name
    filled.write_bytes(fill(template.read_bytes(), {0: ("Hoàn thành", "Đã niêm yết đủ thủ tục tại bộ phận một cửa",
                                                        "Báo cáo 88/BC-VP")}))
    upload(page, filled)
    assert "Đã nạp 1 dòng báo cáo" in page.inner_text("body")
    page.get_by_role("button", name="Đăng xuất").click()
    settle(page)

    # 5. the coordinator sees it and downloads the report section
    sign_in(page, COORDINATOR)
    body = page.inner_text("body")
    assert "Năm 2026" in body
    partly = body.split("Báo cáo một phần (")[1].split("\n")[0]
    missing = body.split("Chưa báo cáo (")[1].split("\n")[0]
    assert "Văn phòng HĐND và UBND xã" in partly and "Phòng Kinh tế" in missing
    assert_no_error_on_screen(page)
    page.screenshot(path=str(ARTIFACTS / "nam-cua-xa-tien-do.png"))
    page.get_by_role("radio", name="Văn bản").click()
    settle(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="Tải mục báo cáo (Word)").click()
    text = "\n".join(p.text for p in Document(io.BytesIO(open(got.value.path(), "rb").read())).paragraphs)
    assert "Đã niêm yết đủ thủ tục tại bộ phận một cửa" in text and "Năm 2026" in text
