"""The visitor's address behind a reverse proxy (access/client.py, issue 21 point 8): the
X-Forwarded-For header is believed only from a trusted proxy, read from the right; so a guesser
behind the proxy slows down only himself, and nobody can claim another's address."""
from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from access import auth, client
from access.client import browser_token, client_address, identity, parse_trusted

LOOPBACK = parse_trusted(["127.0.0.1", "::1"])


def test_a_trusted_proxy_passes_on_the_visitors_address():
    assert client_address("127.0.0.1", "203.0.113.7", LOOPBACK) == "203.0.113.7"
    # two proxies (nginx on this machine behind a load balancer at 10.0.0.2): the right-most address
    # that is not a proxy is the visitor; what he wrote himself, further left, is not believed
    trusted = parse_trusted(["127.0.0.1", "10.0.0.0/8"])
    assert client_address("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.2", trusted) == "203.0.113.7"
    # several X-Forwarded-For headers count as one list, in order
    assert identity("127.0.0.1", [("X-Forwarded-For", "198.51.100.1"), ("x-forwarded-for", "203.0.113.7, 10.0.0.2")],
                    {}, trusted)[0] == "203.0.113.7"


def test_a_visitor_who_is_not_a_trusted_proxy_cannot_claim_an_address():
    assert client_address("203.0.113.7", "10.1.2.3", LOOPBACK) == "203.0.113.7"
    assert client_address("203.0.113.7", "127.0.0.1", LOOPBACK) == "203.0.113.7"
    # behind the proxy, a visitor who writes a trusted address into the header is still himself
    assert client_address("127.0.0.1", "127.0.0.1, 203.0.113.7", LOOPBACK) == "203.0.113.7"
    assert client_address("10.0.0.9", "203.0.113.7", parse_trusted([])) == "10.0.0.9"  # trust nobody


def test_ipv6_addresses_and_networks():
    assert client_address("::1", "2001:db8::7", LOOPBACK) == "2001:db8::7"
    trusted = parse_trusted(["fd00::/8"])
    assert client_address("fd00::5", "2001:db8::1, fd12::9", trusted) == "2001:db8::1"
    assert client_address("2001:db8::5", "2001:db8::1", trusted) == "2001:db8::5"
    # an IPv4 peer seen through a dual-stack socket is the IPv4 address it maps
    assert client_address("::ffff:127.0.0.1", "203.0.113.7", LOOPBACK) == "203.0.113.7"
    assert client_address("2001:DB8:0:0::7", None, LOOPBACK) == "2001:db8::7"  # one spelling per address


def test_trusted_networks_are_cidr_ranges():
    trusted = parse_trusted(["10.0.0.0/24"])
    assert client_address("10.0.0.77", "203.0.113.7", trusted) == "203.0.113.7"
    assert client_address("10.0.1.1", "203.0.113.7", trusted) == "10.0.1.1"
    # every hop a proxy: the request started at the left-most one
    assert client_address("10.0.0.1", "10.0.0.3, 10.0.0.2", trusted) == "10.0.0.3"


def test_an_unreadable_entry_from_a_trusted_proxy_means_the_peer():
    assert client_address("127.0.0.1", "203.0.113.7, not-an-ip", LOOPBACK) == "127.0.0.1"
    assert client_address("127.0.0.1", "203.0.113.7:51234", LOOPBACK) == "127.0.0.1"  # a port is not an address
    assert client_address("127.0.0.1", " , ", LOOPBACK) == "127.0.0.1"
    assert client_address("127.0.0.1", "", LOOPBACK) == "127.0.0.1"
    # what the visitor himself wrote, left of his real address, is never read: he cannot push us
    # back to the proxy's address (and so into everyone else's throttle)
    assert client_address("127.0.0.1", "<script>, 203.0.113.7", LOOPBACK) == "203.0.113.7"
    assert client_address(None, "203.0.113.7", LOOPBACK) is None  # no peer known: no header believed


def test_trusted_proxies_come_from_the_config_file_and_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(client.ENV, raising=False)
    assert client.trusted_proxies() == LOOPBACK  # the shipped config/network.toml: loopback only
    assert client.trusted_proxies(tmp_path / "none.toml") == LOOPBACK  # no file: the same default
    cfg = tmp_path / "network.toml"
    cfg.write_text('[network]\ntrusted_proxies = ["10.0.0.5", "fd00::/8"]\n', encoding="utf-8")
    assert [str(n) for n in client.trusted_proxies(cfg)] == ["10.0.0.5/32", "fd00::/8"]
    monkeypatch.setenv(client.ENV, "192.0.2.1, 10.0.0.0/16")
    assert [str(n) for n in client.trusted_proxies(cfg)] == ["192.0.2.1/32", "10.0.0.0/16"]
    monkeypatch.setenv(client.ENV, "192.0.2.1, may-chu-nginx, 10.0.0.0/33")
    with pytest.raises(ValueError) as refused:
        client.trusted_proxies(cfg)
    assert "may-chu-nginx" in str(refused.value) and "10.0.0.0/33" in str(refused.value)  # every bad entry named


def test_the_server_does_not_start_with_a_wrong_trusted_proxy(monkeypatch, capsys):
    import cli.serve as serve

    monkeypatch.setattr(serve.cli, "main", lambda: 0)  # never start a real server here
    monkeypatch.setenv(client.ENV, "127.0.0.1, localhost")
    assert serve.main([]) == 2
    assert "localhost" in capsys.readouterr().err


def test_the_server_hands_the_same_list_to_uvicorn(monkeypatch):
    """Uvicorn, under Streamlit, rewrites a connection's address for the proxies named in
    FORWARDED_ALLOW_IPS (loopback unless set): cli.serve makes that list the configured one."""
    import sys

    from streamlit.runtime.pages_manager import PagesManager

    import cli.serve as serve

    for name in ("install_upload_gate", "install_reconnect_gate"):
        monkeypatch.setattr(serve, name, lambda: None)
    monkeypatch.setattr(serve.cli, "main", lambda: 0)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", PagesManager.uses_pages_directory)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # set in the operator's environment: not what counts
    monkeypatch.setenv(client.ENV, "10.0.0.5, fd00::/8")
    assert serve.main([]) == 0
    assert os.environ["FORWARDED_ALLOW_IPS"] == "10.0.0.5/32,fd00::/8"


def test_the_browser_token_survives_the_cookies_new_mask():
    token = bytes(range(16))

    def cookie(mask: bytes, secret: bytes = token) -> str:
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(secret))
        return f"2|{mask.hex()}|{masked.hex()}|1765000000"

    assert browser_token(cookie(b"\x01\x02\x03\x04")) == browser_token(cookie(b"\xaa\xbb\xcc\xdd")) == token.hex()
    assert browser_token(cookie(b"\x01\x02\x03\x04", bytes(16))) != token.hex()  # another browser
    assert browser_token(None) is None and browser_token("2|zz|zz|1") == "2|zz|zz|1"


def _connection(forwarded_for: str, peer: str = "127.0.0.1"):
    context = SimpleNamespace(remote_ip=peer, headers=[("X-Forwarded-For", forwarded_for), ("User-Agent", "Chromium")],
                              cookies={})
    return SimpleNamespace(client_context=context)


def test_two_visitors_behind_one_proxy_have_their_own_throttle(monkeypatch):
    """Through ui/account.sign_in, as the page calls it: a guesser behind nginx is refused after his
    wrong passwords; a colleague behind the same nginx still has his password checked."""
    import streamlit.runtime
    import streamlit.runtime.scriptrunner

    from ui import account

    monkeypatch.delenv(client.ENV, raising=False)
    monkeypatch.setattr("time.sleep", lambda s: None)  # each wrong guess waits a second: not here
    connection = {"now": _connection("203.0.113.7")}
    runtime = SimpleNamespace(get_client=lambda session_id: connection["now"])
    monkeypatch.setattr(streamlit.runtime, "get_instance", lambda: runtime)
    monkeypatch.setattr(streamlit.runtime.scriptrunner, "get_script_run_ctx", lambda *a, **k: SimpleNamespace(session_id="s"))
    accounts = {"password_hash": auth.hash_password("dung-mat-khau")}

    assert account._client()[0] == "203.0.113.7"
    said = [account.sign_in("Nguyễn Văn A", "sai", accounts)[1] for _ in range(4)]
    assert "nhiều lần" not in said[0] and "Đã nhập sai mật khẩu nhiều lần" in said[-1]
    connection["now"] = _connection("198.51.100.9")  # another person, the same proxy
    ok, message = account.sign_in("Nguyễn Văn A", "sai", accounts)
    assert message == "Sai mật khẩu hoặc chưa nhập họ tên."  # checked, not refused unchecked
    assert auth.THROTTLE.keys("Nguyễn Văn A", "198.51.100.9") != auth.THROTTLE.keys("Nguyễn Văn A", "203.0.113.7")


@pytest.mark.browser
def test_behind_a_proxy_on_loopback_a_guesser_slows_only_himself(built_db, tmp_path, monkeypatch):
    """The real server on 127.0.0.1, a trusted proxy by default: two browsers whose requests say
    X-Forwarded-For, as nginx would write it. The guesser, after five wrong passwords, must wait
    8 seconds; meanwhile a colleague at another address behind the same proxy signs in at once.
    Uvicorn's own list of proxies (FORWARDED_ALLOW_IPS) names another host here, as an operator's
    environment might: config/network.toml's list is the one that counts."""
    import re
    import shutil
    import time

    from playwright.sync_api import sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_app, settle

    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "192.0.2.1")  # the server process inherits these
    monkeypatch.delenv(client.ENV, raising=False)
    db, secrets = tmp_path / "chiso.duckdb", tmp_path / "secrets.toml"
    shutil.copyfile(built_db, db)
    secrets.write_text(auth.secrets_toml(auth.hash_password("mat-khau-kiem-thu")), encoding="utf-8")

    def runs_finished(pg) -> list:
        done = []
        pg.on("websocket", lambda ws: ws.on("framereceived", lambda payload: isinstance(payload, bytes)
                                            and ForwardMsg.FromString(payload).HasField("script_finished")
                                            and done.append(1)))
        return done

    def attempt(pg, done: list, password: str) -> str:
        """Submit the form and wait for the run it starts to finish; the page's words then."""
        pg.get_by_label("Họ tên người nạp").fill("Nguyễn Văn A")
        pg.get_by_label("Mật khẩu").fill(password)
        before = len(done)
        pg.get_by_role("button", name="Đăng nhập").click()
        deadline = time.time() + 60
        while len(done) == before and time.time() < deadline:
            pg.wait_for_timeout(100)
        return pg.inner_text("body")

    with running_app(db, secrets) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pages = {}
        for who, address in (("guesser", "203.0.113.7"), ("colleague", "198.51.100.9")):
            pg = browser.new_context(locale="vi-VN", extra_http_headers={"X-Forwarded-For": address}).new_page()
            done = runs_finished(pg)
            pg.goto(url + "/du_lieu")
            settle(pg)
            pg.get_by_label("Mật khẩu").wait_for(timeout=60000)
            pages[who] = pg, done
        wrong = 0
        while wrong < 5:  # free, free, free, then after 2 s, after 4 s: now 8 s to wait
            said = attempt(*pages["guesser"], "sai")
            if wait := re.search(r"Hãy chờ (\d+) giây", said):
                time.sleep(int(wait.group(1)) + 0.3)
            else:
                assert "Sai mật khẩu hoặc chưa nhập họ tên." in said
                wrong += 1
        assert "Đã nhập sai mật khẩu nhiều lần" in attempt(*pages["guesser"], "sai")  # he waits
        colleague, done = pages["colleague"]
        attempt(colleague, done, "mat-khau-kiem-thu")  # at once, at another address
        colleague.get_by_text("Đã đăng nhập: Nguyễn Văn A").wait_for(timeout=30000)
        browser.close()
