"""`make serve` in a real browser: `python -m cli.serve_many` with 2 processes behind nginx, on a
copy of the database. Two browsers land on different processes (the node cookie nginx sets,
fixed beforehand so that they surely differ); one signs in on «Dữ liệu» and imports a file — the
upload, an HTTP request beside the websocket, must reach the process that holds its session — and
the other, served by the other process, shows the new figure on its next page. Then SIGTERM stops
nginx and both processes, and nginx's log shows where each request went."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest

from access.auth import hash_password, secrets_toml
from cli.serve_many import COOKIE, find_nginx
from tests.conftest import ROOT
from tests.test_browser import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PASSWORD, assert_no_error_on_screen, attach,
                                free_port, go, settle)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(find_nginx() is None,
                                 reason="nginx chưa được cài: `make nginx` (apt-get install -y nginx-light); "
                                        "`make test` tự cài")]
HOME_COMMUNE = "VN-38-15349"  # Xã Vĩnh Lộc, data/home.csv


@contextmanager
def serve_many(db, work, processes: int = 2):
    """``python -m cli.serve_many`` on ``db`` at a free loopback port, with a password for «Dữ liệu»:
    yields (url, the serve folder, the process); stopped by SIGTERM afterwards if still running."""
    secrets = work / "secrets.toml"
    secrets.write_text(secrets_toml(hash_password(PASSWORD)), encoding="utf-8")
    port, folder = free_port(), work / "serve"
    out = work / "serve_many.out"
    with out.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "cli.serve_many", "--processes", str(processes),
                                 "--port", str(port), "--address", "127.0.0.1", "--dir", str(folder),
                                 "--secrets.files", str(secrets)],
                                cwd=ROOT, env={**os.environ, "CHISO_DB": str(db)}, stdout=sink,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 150
        while "sẵn sàng" not in out.read_text():
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail("cli.serve_many did not start: " + out.read_text()[-3000:])
            time.sleep(0.3)
        assert urllib.request.urlopen(url + "/_stcore/health", timeout=10).read() == b"ok"
        yield url, folder, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)


def drawn(pg) -> None:
    """Tổng quan has drawn its index cards (a loaded machine shows the title well before them)."""
    pg.get_by_text("PAR INDEX").first.wait_for(timeout=90000)
    settle(pg)
    assert_no_error_on_screen(pg)


def test_two_processes_share_one_database(built_db, tmp_path):
    from playwright.sync_api import sync_playwright

    db = tmp_path / "chiso.duckdb"
    db.write_bytes(built_db.read_bytes())
    good = tmp_path / "dung.csv"
    good.write_text("year,index,criterion,entity,points\n2025,PAR,,Xã Vĩnh Lộc,88.88\n", encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serve_many(db, tmp_path) as (url, folder, proc):
        out = (tmp_path / "serve_many.out").read_text()
        assert f"Mở {url}" in out and "2 tiến trình" in out
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            pages = {}
            for node in ("1", "2"):  # the draw is random: fixed here so that the two surely differ
                ctx = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="vi-VN")
                ctx.add_cookies([{"name": COOKIE, "value": node, "url": url}])
                pages[node] = ctx.new_page()
            writer, reader = pages["1"], pages["2"]

            reader.goto(f"{url}/?entity={HOME_COMMUNE}")
            settle(reader)
            drawn(reader)
            assert "88,88" not in reader.inner_text("body")  # the commune's PAR INDEX 2025 before the import

            writer.goto(url)
            settle(writer)
            go(writer, "Dữ liệu")
            writer.get_by_label("Họ tên người nạp").fill("Nguyễn Văn Kiểm Thử")
            writer.get_by_label("Mật khẩu").fill(PASSWORD)
            writer.get_by_role("button", name="Đăng nhập").click()
            settle(writer)
            assert "Đã đăng nhập: Nguyễn Văn Kiểm Thử" in writer.inner_text("body")
            attach(writer, good)  # PUT /_stcore/upload_file/<session>/…: kept only by the session's own process
            writer.get_by_role("button", name="Kiểm tra và nạp").click()
            settle(writer)
            assert "Đã nạp 1 dòng từ «dung.csv»" in writer.inner_text("body")
            assert_no_error_on_screen(writer)

            go(reader, "Chỉ số thành phần")  # the reader's next pages, on the other process
            go(reader, "Tổng quan")
            drawn(reader)
            reader.screenshot(path=str(ARTIFACTS / "serve-many-tien-trinh-2.png"), full_page=True)
            assert "88,88" in reader.inner_text("body"), reader.inner_text("body")[:1500]
            for node, page in pages.items():  # nginx kept each browser's cookie as it was
                assert {c["name"]: c["value"] for c in page.context.cookies()}[COOKIE] == node
            browser.close()  # closes the websockets: nginx logs them now

        proc.send_signal(signal.SIGTERM)  # as systemd or Ctrl-C would: forwarded to nginx and both processes
        assert proc.wait(timeout=60) == 0
        assert "Đã dừng." in (tmp_path / "serve_many.out").read_text()
        ports = re.search(r"cổng (\d+), (\d+) trên", out).groups()
        for port in ports:  # nothing left listening
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)

    log = (folder / "logs" / "access.log").read_text()
    stream = dict(re.findall(r'"GET /_stcore/stream HTTP/1.1" 101 .* node=(\d) upstream=127.0.0.1:(\d+)', log))
    assert stream == {"1": ports[0], "2": ports[1]}, log[-3000:]  # one websocket on each process
    uploads = re.findall(r'"(?:PUT|POST) /_stcore/upload_file/\S+ HTTP/1.1" 20\d .* node=(\d) upstream=127.0.0.1:(\d+)',
                         log)
    assert uploads and set(uploads) == {("1", ports[0])}, log[-3000:]  # the upload reached the writer's process
