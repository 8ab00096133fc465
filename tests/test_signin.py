"""Sign-in cannot be bypassed or turned against the real user, and the
server keeps no upload from a session that has not signed in (class 4)."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from access import auth
from access.auth import SignInThrottle, hash_password, session_may_write

ROOT = Path(__file__).resolve().parents[1]


def test_a_guesser_slows_only_himself_not_the_real_user_elsewhere():
    now = [0.0]
    t = SignInThrottle(free=3, base=2, ceiling=300, clock=lambda: now[0])
    guesser, user = t.keys("Nguyễn Văn A", "203.0.113.7"), t.keys("Nguyễn Văn A", "10.1.2.3")
    for _ in range(10):
        t.attempt(guesser)
    assert t.wait_seconds(guesser) > 0
    assert t.attempt(user)  # the real user, from the office, is not locked out
    # many accounts from one address are slowed together: the («*», address) key
    other = t.keys("Trần Thị B", "203.0.113.7")
    assert not t.attempt(other)


def test_the_throttle_cannot_be_raced_by_parallel_sessions():
    t = SignInThrottle(free=3, base=60, ceiling=300)
    keys = t.keys("Nguyễn Văn A", "203.0.113.7")
    start, granted = threading.Barrier(40), []

    def go():
        start.wait()
        granted.append(t.attempt(keys))

    threads = [threading.Thread(target=go) for _ in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert granted.count(True) == 3  # the free attempts, no more, however many arrive at once


def test_clearing_streamlit_caches_does_not_reset_the_throttle():
    keys = auth.THROTTLE.keys("người thử xóa bộ đệm", "198.51.100.1")
    for _ in range(5):
        auth.THROTTLE.attempt(keys)
    st.cache_resource.clear()
    st.cache_data.clear()
    assert auth.THROTTLE.wait_seconds(keys) > 0
    auth.THROTTLE.succeeded(keys)


@pytest.fixture()
def data_page(built_db, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(built_db))
    at = AppTest.from_file(str(ROOT / "pages/du_lieu.py"), default_timeout=90)
    at.secrets["auth"] = {"password_hash": hash_password("dung-mat-khau")}
    at.run()
    at.text_input[0].input("Nguyễn Văn A")
    at.text_input[1].input("dung-mat-khau")
    at.button[0].click().run()
    assert "Đã đăng nhập: Nguyễn Văn A" in "".join(c.value for c in at.caption)
    return at


def test_a_session_resumed_from_another_browser_is_not_signed_in(data_page):
    at = data_page
    at.session_state["bound_to"] = auth.fingerprint("203.0.113.7", "attacker", "stolen-session-only")
    at.run()
    assert not at.exception
    assert len(at.text_input) == 2  # the sign-in form again
    assert "Đã đăng nhập" not in "".join(c.value for c in at.caption)
    assert not at.get("file_uploader")
    # (the owner's state is left as it was: tests/test_session_replay.py)


def test_an_idle_session_must_sign_in_again(data_page):
    at = data_page
    at.session_state["active_at"] = 0.0
    at.run()
    assert "signed_in" not in at.session_state and "hết hạn" in "".join(i.value for i in at.info)


def test_the_upload_endpoint_keeps_files_only_for_signed_in_sessions(monkeypatch):
    import time

    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    import cli.serve as serve

    states = {"anonymous": {}, "signed": {"signed_in": True, "active_at": time.time()},
              "stale": {"signed_in": True, "active_at": 0.0}}
    monkeypatch.setattr(serve, "_session_state", lambda session_id: states.get(session_id))
    monkeypatch.setattr(MemoryUploadedFileManager, "add_file", MemoryUploadedFileManager.add_file)  # restored after
    serve.install_upload_gate()
    mgr = MemoryUploadedFileManager("/_stcore/upload_file")
    for sid in ("anonymous", "signed", "stale", "unknown-session"):
        mgr.add_file(sid, UploadedFileRec(file_id="f1", name="x.csv", type="text/csv", data=b"x" * 1000))
    assert set(mgr.file_storage) == {"signed"}  # nothing held in memory for the others
    assert mgr.get_files("signed", ["f1"])[0].data == b"x" * 1000


def test_session_may_write_needs_a_sign_in_and_recent_activity():
    assert not session_may_write({}, 100.0)
    assert not session_may_write({"signed_in": False, "active_at": 100.0}, 100.0)
    assert session_may_write({"signed_in": True, "active_at": 100.0}, 160.0)
    assert not session_may_write({"signed_in": True, "active_at": 100.0}, 100.0 + 31 * 60)
