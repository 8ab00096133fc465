"""The plan's reporting loop in a real browser at 1366×768: Phòng Tư pháp signs in, downloads its
Excel template for quý IV/2024, sends a wrong one (refused, row and column named, nothing
written), then a filled one; Phòng Nội vụ signs in and sees who has not reported, then
downloads the report section, which says what the page says."""
from __future__ import annotations

import io
import shutil
from contextlib import contextmanager

import pytest

from access.auth import hash_password, secrets_toml
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, assert_no_error_on_screen, choose, running_app, settle

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1366, "height": 768}
PASSWORD = "mat-khau-kiem-thu"
UNIT_USER, COORDINATOR = "Trần Tư Pháp", "Lê Nội Vụ"


@contextmanager
def app_with_accounts(built_db, work, units: dict[str, str]):
    """The app on a private copy of the built database, with one account (password PASSWORD)
    per entry of ``units`` (account → «entity/unit» or unit): yields (url, work, db)."""
    db = work / "chiso.duckdb"
    shutil.copyfile(built_db, db)
    secrets = work / "secrets.toml"
    secrets.write_text(secrets_toml(None, {u: hash_password(PASSWORD) for u in units}, units), encoding="utf-8")
    with running_app(db, secrets) as url:
        yield url, work, db


@contextmanager
def browser_page():
    """A Chromium page at 1366×768 that accepts downloads."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser.new_page(viewport=VIEWPORT, locale="vi-VN", accept_downloads=True)
        browser.close()


@pytest.fixture(scope="module")
def app(built_db, tmp_path_factory):
    with app_with_accounts(built_db, tmp_path_factory.mktemp("progress"),
                           {UNIT_USER: "phong_tu_phap", COORDINATOR: "phong_noi_vu"}) as running:
        yield running


@pytest.fixture(scope="module")
def page(app):
    with browser_page() as pg:
        pg.goto(app[0] + "/tien_do?entity=VN-38-393")  # the district's 2023–2025 plan, kept as history
        settle(pg)
        pg.get_by_label("Mật khẩu").wait_for(timeout=60000)  # the sign-in form: the run has reached it
        yield pg


def sign_in(pg, who: str) -> None:
    pg.get_by_label("Tài khoản (họ tên)").fill(who)
    pg.get_by_label("Mật khẩu").fill(PASSWORD)
    pg.get_by_role("button", name="Đăng nhập").click()
    settle(pg)


def upload(pg, path) -> None:
    """Send a filled template through the uploader of «Báo cáo bằng tệp Excel» (the evidence
    uploader sits in the expander before it)."""
    box = pg.locator('[data-testid="stExpander"]', has_text="Báo cáo bằng tệp Excel")
    box.locator('input[type="file"]').set_input_files(str(path))
    box.locator('[data-testid="stFileUploader"]').get_by_text(path.name).first.wait_for(timeout=60000)
    box.get_by_role("button", name="Kiểm tra và nạp").click()
    settle(pg)


def type_into_cell(pg, x: float, y: float, text: str) -> None:
    """Open a text cell of the table's grid (a double click shows its editor, a textarea) and type,
    as a person does; Enter commits. A double click that lands while the grid is still closing
    another editor only selects the cell: then it is repeated."""
    from playwright.sync_api import TimeoutError as Timeout

    editor = pg.locator("textarea.gdg-input")
    for _ in range(3):
        pg.mouse.dblclick(x, y)
        try:
            editor.wait_for(state="visible", timeout=3000)
            break
        except Timeout:
            continue
    editor.fill(text)
    pg.keyboard.press("Enter")
    editor.wait_for(state="detached")


def fill(template: bytes, rows: dict[int, tuple[str, str, str]]) -> bytes:
    """The template with (status, done, evidence) written into the given rows among those the unit
    leads («Chủ trì»; 0 = the first of them)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.active
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if any(c.value == "Tình trạng" for c in r))
    col = {c.value: c.column for c in header}
    led = [r for r in range(header[0].row + 1, ws.max_row + 1) if ws.cell(r, col["Vai trò"]).value == "Chủ trì"]
    for i, (status, done, evidence) in rows.items():
        r = led[i]
        ws.cell(r, col["Tình trạng"], status)
        ws.cell(r, col["Kết quả đã thực hiện"], done)
        ws.cell(r, col["Văn bản, đường dẫn minh chứng"], evidence)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_unit_reports_and_phong_noi_vu_sees_who_has_not(page, app):
    import duckdb
    from docx import Document

    url, work, db = app
    assert "Báo cáo tiến độ chỉ xem được sau khi đăng nhập" in page.inner_text("body")
    sign_in(page, UNIT_USER)
    choose(page, "Năm", "2024")
    choose(page, "Kỳ báo cáo", "Quý IV")
    body = page.inner_text("body")
    assert "Phòng Tư pháp" in body and "Quý IV/2024" in body
    assert page.get_by_role("radio", name="Tổng hợp").count() == 0  # a unit sees its own rows only

    # on the page: «Hoàn thành» and what was done, typed into the table (PAR 1.4, the 4th row, which it leads)
    grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    row_y = grid["y"] + 35 * 4 + 17            # the header, three rows, then the middle of the fourth
    status_x = grid["x"] + 110 + 190 + 86 + 60  # the column widths of ui/progress.entry_editor
    page.mouse.dblclick(status_x, row_y)
    page.get_by_role("option", name="Hoàn thành", exact=True).click()
    page.wait_for_timeout(500)
    type_into_cell(page, status_x + 150, row_y, "Đã tuyên truyền trên đài truyền thanh")
    page.get_by_text("Phòng Tư pháp —").click()  # leave the table, as a person reaching for the button does
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "tien-do-bang-nhap.png"))
    page.get_by_role("button", name="Lưu báo cáo").click()
    settle(page)
    body = page.inner_text("body")
    assert "Đã lưu 1 dòng báo cáo Quý IV/2024 của Phòng Tư pháp" in body, body[body.find("Lưu báo cáo"):][:800]
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT item_code, status, done_text, reported_by FROM progress_reports WHERE year = 2024 "
                         "AND period = 'Q4'").fetchall() == [
            ("1.4", "done", "Đã tuyên truyền trên đài truyền thanh", f"web: {UNIT_USER}")]

    page.get_by_text("Báo cáo bằng tệp Excel").click()
    with page.expect_download() as got:
        page.get_by_role("button", name="Tải mẫu báo cáo (Excel) của cơ quan này").click()
    template = (work / "mau.xlsx")
    got.value.save_as(template)
    before = duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM import_log").fetchone()[0]

    assert not page.locator('[data-testid="stFileUploaderDropzone"] button p').last.is_visible()  # no English «Upload»
    wrong = work / "bao-cao-sai.xlsx"
    wrong.write_bytes(fill(template.read_bytes(), {0: ("Xong rồi", "Đã rà soát", "")}))
    upload(page, wrong)
    body = page.inner_text("body")
    assert "không hợp lệ: 1 lỗi" in body and "Tình trạng" in body and "Xong rồi" in body, body[-1500:]
    assert "Cơ sở dữ liệu không thay đổi" in body  # ui/account.problems_table, as on «Dữ liệu»
    assert duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM import_log").fetchone()[0] == before
    page.screenshot(path=str(ARTIFACTS / "tien-do-mau-sai.png"), full_page=True)

    filled = work / "bao-cao-tu-phap.xlsx"
    filled.write_bytes(fill(template.read_bytes(), {0: ("Hoàn thành", "Đã rà soát 12 văn bản quy phạm", "Báo cáo 45/BC-TP"),
                                                     1: ("Đang thực hiện", "Đang tổng hợp", "")}))
    upload(page, filled)
    assert "Đã nạp 2 dòng báo cáo từ «bao-cao-tu-phap.xlsx»" in page.inner_text("body")
    assert_no_error_on_screen(page)
    page.screenshot(path=str(ARTIFACTS / "tien-do-don-vi.png"), full_page=True)

    page.get_by_role("button", name="Đăng xuất").click()
    settle(page)
    sign_in(page, COORDINATOR)
    body = page.inner_text("body")
    assert "Cơ quan chưa báo cáo đủ — Quý IV/2024" in body
    missing = body.split("Chưa báo cáo (")[1].split("\n")[0]
    partly = body.split("Báo cáo một phần (")[1].split("\n")[0]
    assert "Phòng Tài chính - Kế hoạch" in missing and "Phòng Tư pháp" not in missing  # nothing from it this period
    assert "Phòng Tư pháp" in partly                                                 # 2 of its duties
    assert_no_error_on_screen(page)
    page.screenshot(path=str(ARTIFACTS / "tien-do-tong-hop.png"))  # what Phòng Nội vụ sees first, at 1366×768

    page.get_by_role("radio", name="Văn bản").click()
    settle(page)
    page.get_by_role("button", name="Tải mục báo cáo (Word)").wait_for(timeout=60000)  # the view has switched
    settle(page)
    caption = page.inner_text("body")
    with page.expect_download() as got:
        page.get_by_role("button", name="Tải mục báo cáo (Word)").click()
    path = work / "muc.docx"
    got.value.save_as(path)
    doc = Document(str(path))  # the body, and the appendix table where each task's evidence is
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    # a section, not a listing: the unit's work is counted among the index's results (its own words go
    # to the appendix only where it is the item's one lead), and it is not among those that did not report
    assert "Phòng Tư pháp" in text
    assert "Quý IV/2024" in text
    n_missing = int(body.split("Chưa báo cáo (")[1].split(")")[0])  # what «Tổng hợp» showed
    assert f"{n_missing} cơ quan chưa báo cáo" in text and f"{n_missing} cơ quan chưa báo cáo" in caption
    tail = text.split("Các cơ quan chưa báo cáo")[1].split("Các cơ quan báo cáo chưa đủ")[0]
    assert "Phòng Tài chính - Kế hoạch" in tail and "Phòng Tư pháp" not in tail
    page.screenshot(path=str(ARTIFACTS / "tien-do-van-ban.png"))
