"""A real browser against `streamlit run`: Debian's chromium driven by Playwright.

Visits every page, changes entity and year, signs in, uploads an invalid and a valid
file, and fails on any exception box or traceback. Screenshots go to tests/artifacts/
(gitignored) for people to look at.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from access.auth import hash_password, secrets_toml

pytestmark = pytest.mark.browser  # the whole module; `make test-fast` leaves it out

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "mat-khau-kiem-thu"
PAGES = ["Tổng quan", "Chỉ số thành phần", "Trọng tâm năm tới", "Đơn vị", "So sánh", "Tiến độ", "Toàn tỉnh", "Dữ liệu"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], port: int, **popen):
    """A Streamlit server started by ``command`` on ``port``: yields its URL once it answers its
    health check (the test fails with the server's output if it never does); stopped after."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextlib.contextmanager
def running_app(db: Path, secrets: Path | None = None):
    """`streamlit run app.py` on ``db`` at a free loopback port: yields its URL."""
    port = free_port()
    extra = ["--secrets.files", str(secrets)] if secrets else []
    with serving([sys.executable, "-m", "cli.serve", "--server.port", str(port), "--server.address", "127.0.0.1",
                  "--server.headless", "true", *extra], port, cwd=ROOT,
                 env={**os.environ, "CHISO_DB": str(db)}) as url:
        yield url


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    work = tmp_path_factory.mktemp("browser")
    db = work / "chiso.duckdb"
    shutil.copyfile(built_db, db)  # uploads write to it
    secrets = work / "secrets.toml"
    secrets.write_text(secrets_toml(hash_password(PASSWORD)), encoding="utf-8")
    with running_app(db, secrets) as url:
        yield url, work


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "cần Debian chromium: `make test` tự cài (apt-get install -y chromium)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pg = browser.new_page(viewport={"width": 1400, "height": 2200}, locale="vi-VN")
        pg.goto(server[0])
        settle(pg)
        yield pg
        browser.close()


def settle(pg, timeout: float = 90) -> None:
    """Wait until Streamlit has finished running the script: no running indicator, spinner or
    placeholder for about a second in a row (a loaded machine starts a run late, so one look
    right after an action can see the page before the run began)."""
    deadline = time.time() + timeout
    quiet = 0
    while quiet < 4:
        if time.time() > deadline:
            raise AssertionError("the page did not finish running in time")
        busy = (pg.locator('[data-testid="stStatusWidget"]').is_visible()
                or pg.locator('[data-testid="stSpinner"]').count() > 0
                or pg.locator('[data-testid="stSkeleton"]').count() > 0)
        quiet = 0 if busy else quiet + 1
        time.sleep(0.25)
    pg.wait_for_selector('[data-testid="stMain"]', timeout=60000)


def assert_no_error_on_screen(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0, pg.inner_text("body")[:2000]
    assert "Traceback" not in pg.inner_text("body")


def go(pg, name: str) -> None:
    pg.get_by_role("link", name=name).click()
    settle(pg)
    pg.get_by_role("heading", level=1).first.wait_for(timeout=30000)


def attach(pg, path) -> None:
    """Put a file in the uploader and wait until the browser has sent it (its name is listed)."""
    pg.locator('input[type="file"]').set_input_files(str(path))
    pg.locator('[data-testid="stFileUploader"]').get_by_text(Path(path).name).first.wait_for(timeout=60000)


def choose(pg, label: str, option: str) -> None:
    pg.get_by_label(label).first.click()
    pg.keyboard.type(option)  # long lists are virtualised: filter first, as a user would
    pg.get_by_role("option", name=option, exact=True).click()
    settle(pg)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders(page, name):
    go(page, name)
    assert_no_error_on_screen(page)
    body = page.inner_text("body")
    if name == "Đơn vị":  # the home commune's (illustrative) 2026 plan gives its offices duties
        assert "Cơ quan, đơn vị" in body and "Chủ trì (trực tiếp)" in body
    elif name == "Tiến độ":  # progress reports are not public: nothing before signing in
        assert "Báo cáo tiến độ chỉ xem được sau khi đăng nhập" in body
    elif name == "Toàn tỉnh":  # the province's view of every commune: Sở Nội vụ's account only
        assert "Trang chỉ mở sau khi đăng nhập bằng tài khoản của Sở Nội vụ" in body
        assert "Xã Vĩnh Lộc" not in body
    elif name != "Dữ liệu":
        assert "SỐ LIỆU MINH HỌA" in body
    page.screenshot(path=str(ARTIFACTS / f"{PAGES.index(name) + 1}-{name.replace(' ', '-')}.png"), full_page=True)


def test_change_entity_and_year(page):
    go(page, "Chỉ số thành phần")
    choose(page, "Đơn vị được đánh giá", "Huyện Vĩnh Lộc (cấp huyện, đến 2025)")  # the history kept
    choose(page, "Năm đánh giá", "2022")
    assert_no_error_on_screen(page)
    assert "năm 2022" in page.inner_text("body")
    choose(page, "Đơn vị được đánh giá", "Thanh Hóa (cấp tỉnh)")
    go(page, "Tổng quan")  # the choice carries across pages
    assert_no_error_on_screen(page)
    body = page.inner_text("body")
    assert page.get_by_label("Đơn vị được đánh giá").first.input_value() == "Thanh Hóa (cấp tỉnh)"
    assert "Thanh Hóa (cấp tỉnh) · năm đánh giá 20" in body and "PCI 20" in body
    page.screenshot(path=str(ARTIFACTS / "tong-quan-thanh-hoa.png"), full_page=True)
    choose(page, "Đơn vị được đánh giá", "Huyện Vĩnh Lộc (cấp huyện, đến 2025)")


def test_draft_task_table_downloads(page, tmp_path):
    import openpyxl

    go(page, "Trọng tâm năm tới")
    if "đơn vị kế thừa" in page.inner_text("body"):  # the former district, chosen on an earlier page: no document
        assert page.get_by_role("button", name="Tải bảng phân công nhiệm vụ (Excel)").count() == 0
        choose(page, "Đơn vị được đánh giá", "Xã Vĩnh Lộc (cấp xã, từ 2025)")
        settle(page)
    with page.expect_download(timeout=60000) as dl:  # the file is built when the button is clicked
        page.get_by_role("button", name="Tải bảng phân công nhiệm vụ (Excel)").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    # the year follows the selection carried from earlier pages; file name and title agree
    found = re.fullmatch(r"phan-cong-nhiem-vu-(\d{4})-[a-z0-9-]+\.xlsx", path.name)  # Vietnamese, no diacritics
    assert found, path.name
    plan_year = found.group(1)
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == f"NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CÁC CHỈ SỐ NĂM {plan_year}"
    assert ws.max_row > 6  # criteria under the two-row header
    assert_no_error_on_screen(page)


def test_sign_in_and_upload(page, server):
    work = server[1]
    bad = work / "sai.csv"
    bad.write_text("year,index,criterion,entity,points\n2024,PAR,,Huyện Không Có,80\n", encoding="utf-8")
    good = work / "dung.csv"
    good.write_text("year,index,criterion,entity,points\n2025,PAR,,Xã Vĩnh Lộc,88.88\n", encoding="utf-8")  # the home commune
    go(page, "Dữ liệu")
    page.get_by_label("Họ tên người nạp").fill("Nguyễn Văn Kiểm Thử")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    settle(page)
    assert "Đã đăng nhập: Nguyễn Văn Kiểm Thử" in page.inner_text("body")

    attach(page, bad)
    page.get_by_role("button", name="Kiểm tra và nạp").click()
    settle(page)
    body = page.inner_text("body")
    assert "không hợp lệ: 1 lỗi" in body and "Cơ sở dữ liệu không thay đổi" in body
    assert_no_error_on_screen(page)
    page.screenshot(path=str(ARTIFACTS / "du-lieu-tep-sai.png"), full_page=True)

    attach(page, good)
    page.get_by_role("button", name="Kiểm tra và nạp").click()
    settle(page)
    assert "Đã nạp 1 dòng từ «dung.csv»" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "du-lieu-tep-dung.png"), full_page=True)

    go(page, "Tổng quan")  # the new figure shows without restarting the server
    choose(page, "Đơn vị được đánh giá", "Xã Vĩnh Lộc (cấp xã, từ 2025)")
    assert "88,88" in page.inner_text("body")
    assert_no_error_on_screen(page)


def test_refuse_a_zip_bomb_then_undo_the_last_import(page, server):
    """Runs after test_sign_in_and_upload (same session): the upload of 88,88 is undone."""
    from tests.corpus import zip_bomb

    work = server[1]
    bomb = work / "bom.xlsx"
    bomb.write_bytes(zip_bomb(300)(work))
    go(page, "Dữ liệu")
    attach(page, bomb)
    page.get_by_text("bom.xlsx").first.wait_for()  # uploaded to the server before the form is sent
    page.get_by_role("button", name="Kiểm tra và nạp").click()
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "du-lieu-bom.png"), full_page=True)
    assert "Tệp «bom.xlsx» không hợp lệ: 1 lỗi. Cơ sở dữ liệu không thay đổi." in page.inner_text("body")
    assert_no_error_on_screen(page)

    page.get_by_text("Hoàn tác lần ghi gần nhất").click()
    page.get_by_text("Tôi chắc chắn muốn hoàn tác").click()
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "du-lieu-hoan-tac-xac-nhan.png"), full_page=True)
    page.get_by_role("button", name="Hoàn tác", exact=True).click()
    settle(page)
    assert "Đã hoàn tác lần nạp tệp #" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "du-lieu-hoan-tac.png"), full_page=True)
    go(page, "Tổng quan")
    assert "88,88" not in page.inner_text("body")
    assert_no_error_on_screen(page)
