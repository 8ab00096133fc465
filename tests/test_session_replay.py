"""A session id replayed from another browser neither takes the session over
nor signs its owner out: the server gives the replaying browser a session of its own
(cli/serve.install_reconnect_gate), and a run from a foreign browser that still reaches a
signed-in session is simply not signed in (ui/account.signed_in_user), changing nothing."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from access.auth import fingerprint
from access.client import identity, trusted_proxies


def _says_signed_in(at) -> bool:
    return "Đã đăng nhập: Nguyễn Văn A" in "".join(c.value for c in at.caption)


def test_a_foreign_run_is_not_signed_in_and_the_owner_stays_signed_in(data_page, monkeypatch):
    from ui import account

    at = data_page
    at.text_input[0].input("Nguyễn Văn A")
    at.text_input[1].input("dung-mat-khau")
    at.button[0].click().run()
    assert _says_signed_in(at)
    own = account._client

    monkeypatch.setattr(account, "_client", lambda: ("203.0.113.7", "trình duyệt khác", "token-khac"))
    at.run()  # the replaying browser's run
    assert not at.exception
    assert not _says_signed_in(at) and len(at.text_input) == 2 and not at.get("file_uploader")  # the sign-in form
    assert at.session_state["user"] == "Nguyễn Văn A"  # the owner's state is left alone

    monkeypatch.setattr(account, "_client", own)
    at.run()  # the owner's next run, from his own browser
    assert _says_signed_in(at) and at.get("file_uploader")


# ------------------------------------------------------------------ the server's reconnect gate

def _cookie(token: bytes, mask: bytes) -> str:
    """Streamlit's XSRF cookie: the token masked anew each time the server sends it."""
    return "2|{}|{}|1765000000".format(mask.hex(), bytes(b ^ mask[i % 4] for i, b in enumerate(token)).hex())


class Page:
    """One browser tab's websocket, as Streamlit's session manager sees it."""

    def __init__(self, token: bytes, mask: bytes = b"\x01\x02\x03\x04", address: str = "127.0.0.1"):
        self.client_context = SimpleNamespace(remote_ip=address, headers=[("User-Agent", "Chromium")],
                                              cookies={"_streamlit_xsrf": _cookie(token, mask)})

    def write_forward_msg(self, msg) -> None:
        pass

    def fingerprint(self) -> str:
        ctx = self.client_context
        return fingerprint(*identity(ctx.remote_ip, ctx.headers, ctx.cookies, trusted_proxies()))


@pytest.fixture()
def sessions(monkeypatch, tmp_path):
    """A Streamlit session manager with the gate installed (restored afterwards); sessions are
    made on an event loop, for a script that is never run."""
    from streamlit import config
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.script_data import ScriptData
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    import cli.serve as serve

    monkeypatch.setattr(WebsocketSessionManager, "connect_session", WebsocketSessionManager.connect_session)
    monkeypatch.setattr(config, "get_option", lambda key, _get=config.get_option:
                        "none" if key == "server.fileWatcherType" else _get(key))
    serve.install_reconnect_gate()
    loop = asyncio.new_event_loop()
    mgr = WebsocketSessionManager(MemorySessionStorage(), MemoryUploadedFileManager("/u"), ScriptCache(), None)
    script = ScriptData(str(tmp_path / "app.py"), False)

    def connect(page: Page, existing: str | None = None) -> str:
        async def go():
            return mgr.connect_session(client=page, script_data=script, user_info={}, existing_session_id=existing)
        return loop.run_until_complete(go())

    yield SimpleNamespace(mgr=mgr, connect=connect)
    for info in mgr.list_sessions():
        mgr.close_session(info.session.id)
    loop.close()


OWNER, OTHER = bytes(range(16)), bytes(16)


def test_a_replayed_id_gets_a_new_session_and_the_owner_keeps_his(sessions):
    owner = Page(OWNER)
    sid = sessions.connect(owner)
    state = sessions.mgr.get_session_info(sid).session.session_state
    state["signed_in"], state["user"], state["bound_to"] = True, "Nguyễn Văn A", owner.fingerprint()

    other = sessions.connect(Page(OTHER), existing=sid)
    assert other != sid  # a session of its own
    held = sessions.mgr.get_active_session_info(sid)
    assert held is not None and held.client is owner  # the owner's page still holds his session
    assert state["signed_in"] and state["user"] == "Nguyễn Văn A"
    assert "signed_in" not in sessions.mgr.get_session_info(other).session.session_state  # nothing of the owner's

    # the owner's page reconnects (the cookie comes with a new mask): it finds its session again
    again = Page(OWNER, mask=b"\xaa\xbb\xcc\xdd")
    assert sessions.connect(again, existing=sid) == sid
    assert sessions.mgr.get_active_session_info(sid).client is again


def test_a_session_waiting_for_its_page_is_not_handed_to_another_browser(sessions):
    owner = Page(OWNER)
    sid = sessions.connect(owner)
    state = sessions.mgr.get_session_info(sid).session.session_state
    state["signed_in"], state["bound_to"] = True, owner.fingerprint()
    sessions.mgr.disconnect_session(sid)  # the owner's connection dropped: kept for his reconnect

    assert sessions.connect(Page(OTHER), existing=sid) != sid
    assert sessions.connect(Page(OWNER, mask=b"\x09\x08\x07\x06"), existing=sid) == sid


def test_a_page_not_signed_in_is_not_knocked_offline_either(sessions):
    owner = Page(OWNER)
    sid = sessions.connect(owner)
    assert sessions.connect(Page(OTHER), existing=sid) != sid
    assert sessions.mgr.get_active_session_info(sid).client is owner


# ------------------------------------------------------------------ in a real browser

# Streamlit's page opens its websocket with the protocols [streamlit, XSRF token, the id of the
# session it wants back]. This wrapper keeps each socket (so a test can drop one) and, in the
# replaying browser, names the session id it was given instead of its own.
SOCKETS = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__protocols = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      if (window.__replay && protocols && protocols.length >= 2) protocols = [protocols[0], protocols[1], window.__replay];
      super(url, protocols);
      window.__sockets.push(this);
      window.__protocols.push(protocols);
    }
  };
})();"""


def _session_ids(pg) -> list[str]:
    """Every session id the server announces to this page (NewSession messages), in order."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    seen: list[str] = []

    def frame(payload):
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            if msg.HasField("new_session") and msg.new_session.initialize.session_id:
                seen.append(msg.new_session.initialize.session_id)

    pg.on("websocket", lambda ws: ws.on("framereceived", frame))
    return seen


@pytest.fixture(scope="module")
def browser_and_app(built_db, tmp_path_factory):
    """The app (shared password) under `python -m cli.serve`, and one chromium."""
    import shutil

    from playwright.sync_api import sync_playwright

    from access.auth import hash_password, secrets_toml
    from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, running_app

    work = tmp_path_factory.mktemp("replay")
    db, secrets = work / "chiso.duckdb", work / "secrets.toml"
    shutil.copyfile(built_db, db)
    secrets.write_text(secrets_toml(hash_password("mat-khau-kiem-thu")), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app(db, secrets) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser, url
        browser.close()


def _signed_in_page(browser, url):
    """A new browser (its own cookies) on «Dữ liệu», signed in; (page, the session ids it is told)."""
    from tests.test_browser import settle

    pg = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN").new_page()
    pg.add_init_script(SOCKETS)
    ids = _session_ids(pg)
    pg.goto(url + "/du_lieu")
    settle(pg)
    pg.get_by_label("Họ tên người nạp").fill("Nguyễn Văn A")
    pg.get_by_label("Mật khẩu").fill("mat-khau-kiem-thu")
    pg.get_by_role("button", name="Đăng nhập").click()
    settle(pg)
    pg.get_by_text("Đã đăng nhập: Nguyễn Văn A").wait_for(timeout=30000)
    return pg, ids


def _still_signed_in(pg) -> None:
    """The page answers (its menu opens another page, then «Dữ liệu» again) and is signed in."""
    from tests.test_browser import go

    go(pg, "Tổng quan")
    pg.get_by_role("heading", name="Tổng quan").first.wait_for(timeout=30000)
    go(pg, "Dữ liệu")
    pg.get_by_text("Đã đăng nhập: Nguyễn Văn A").wait_for(timeout=30000)


@pytest.mark.browser
def test_a_dropped_connection_comes_back_signed_in(browser_and_app):
    """The page reconnects by itself to its own session. The XSRF cookie it presents then has a
    new mask (the health check it makes first sends the cookie again), the token inside is the
    same: the page is the same browser, still signed in."""
    from tests.test_browser import settle

    a, ids = _signed_in_page(*browser_and_app)
    a.evaluate("window.__sockets.at(-1).close()")
    a.wait_for_function("window.__sockets.length === 2 && window.__sockets[1].readyState === 1", timeout=30000)
    settle(a)
    assert a.evaluate("window.__protocols[1][2]") == ids[0]  # it did ask for its session back
    _still_signed_in(a)
    assert set(ids) == {ids[0]}
    a.context.close()


@pytest.mark.browser
def test_a_browser_replaying_a_session_id_leaves_the_owner_signed_in(browser_and_app):
    """Browser A signs in; browser B connects naming A's session id: B gets a session of its own,
    not signed in, and A's page still works, signed in."""
    from tests.test_browser import ARTIFACTS, settle

    browser, url = browser_and_app
    a, a_ids = _signed_in_page(browser, url)
    sid = a_ids[0]

    b = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN").new_page()
    b.add_init_script(f"window.__replay = {sid!r};" + SOCKETS)
    b_ids = _session_ids(b)
    b.goto(url + "/du_lieu")
    settle(b)
    b.get_by_label("Mật khẩu").wait_for(timeout=30000)  # the sign-in form
    assert b.evaluate("window.__protocols[0][2]") == sid  # the replay was sent
    assert b_ids and sid not in b_ids  # a session of its own
    assert "Đã đăng nhập" not in b.inner_text("body")
    b.screenshot(path=str(ARTIFACTS / "session_replay_b.png"), full_page=True)

    _still_signed_in(a)  # A's page still answers, in its own session, signed in
    assert set(a_ids) == {sid}
    a.screenshot(path=str(ARTIFACTS / "session_replay_a.png"), full_page=True)
    a.context.close()
    b.context.close()
