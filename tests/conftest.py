"""Shared fixtures: one database built from the shipped data/ per test session, and
private copies of it for tests that write."""
from __future__ import annotations

import hashlib
import os
import shutil
from collections import OrderedDict
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# Hypothesis profiles, chosen by CHISO_HYPOTHESIS_PROFILE: "full" (the default, what `make test`
# runs: every test's own number of examples) or "fast" (`make test-fast`: a tenth of them, at
# least 5, so that a test that builds a database per example stays in the inner loop).
HYPOTHESIS_PROFILE = os.environ.get("CHISO_HYPOTHESIS_PROFILE", "full")
settings.register_profile("full", settings.get_profile("default"))
settings.register_profile("fast", settings.get_profile("default"), max_examples=10)
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(n: int) -> int:
    """The max_examples of a test that asks for ``n`` under the current profile."""
    return max(5, n // 10) if HYPOTHESIS_PROFILE == "fast" else n


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    from store.build import build

    path = tmp_path_factory.mktemp("db") / "chiso.duckdb"
    build(path)
    return path


def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture()
def app_database(monkeypatch):
    """``app_database(path)``: the pages (AppTest) read the database at ``path`` from now on, with
    no connection or query cached from another test; the caches are cleared again afterwards.
    The one way a test points the app at a database."""
    def point_at(path: Path) -> Path:
        monkeypatch.setenv("CHISO_DB", str(path))
        _clear_streamlit_caches()
        return path

    yield point_at
    _clear_streamlit_caches()


@pytest.fixture()
def fresh_caches(built_db, app_database):
    """An AppTest page reads the built database with no query cached from another test."""
    app_database(built_db)


@pytest.fixture()
def db_copy(built_db, tmp_path) -> Path:
    path = tmp_path / "chiso.duckdb"
    shutil.copyfile(built_db, path)
    return path


@pytest.fixture(scope="session")
def con(built_db):
    c = duckdb.connect(str(built_db), read_only=True)
    yield c
    c.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_CONTENT: OrderedDict[str, list] = OrderedDict()  # the last few states seen, by their bytes


def db_content(path: Path) -> list:
    """Everything a user could see change: the score rows, the task map and the import log.

    The tables come as Arrow tables (compared exactly with ==, as lists of rows would be, and
    three times faster to fetch), and are remembered by the bytes of the database file (and of
    its write-ahead log, if any): identical bytes hold identical content, and the many refusal
    tests ask twice each about copies of the same database."""
    wal = path.with_name(path.name + ".wal")
    key = file_digest(path) + (file_digest(wal) if wal.exists() else "")
    if key not in _CONTENT:
        with duckdb.connect(str(path), read_only=True) as c:
            _CONTENT[key] = [c.execute("SELECT * FROM score ORDER BY ALL").to_arrow_table(),
                             c.execute("SELECT * FROM plan_assignments ORDER BY ALL").to_arrow_table(),
                             c.execute("SELECT count(*) FROM import_log").fetchall()]
        while len(_CONTENT) > 8:
            _CONTENT.popitem(last=False)
    _CONTENT.move_to_end(key)
    return _CONTENT[key]


@pytest.fixture()
def data_page(db_copy, app_database):
    """The Dữ liệu page on a private database copy, with an upload password set, not signed in."""
    from streamlit.testing.v1 import AppTest

    from access.auth import hash_password

    app_database(db_copy)
    at = AppTest.from_file(str(ROOT / "pages/du_lieu.py"), default_timeout=120)
    at.secrets["auth"] = {"password_hash": hash_password("dung-mat-khau")}
    return at.run()


def sign_in(at, user: str) -> None:
    """Mark an AppTest session as signed in just now (as the sign-in form would)."""
    import time

    from access.auth import fingerprint

    at.session_state["signed_in"] = True
    at.session_state["user"] = user
    at.session_state["active_at"] = time.time()
    at.session_state["bound_to"] = fingerprint(None, None, None)  # AppTest has no request to bind to


@pytest.fixture(autouse=True)
def fresh_sign_in_throttle(monkeypatch):
    """Each test starts with no wrong passwords on record: the throttle is one per process
    (access.auth.THROTTLE), and AppTest sessions all come from the same (no) address."""
    from access import auth

    monkeypatch.setattr(auth, "THROTTLE", auth.SignInThrottle())


@pytest.fixture(autouse=True)
def full_error_details():
    """The shipped config hides exception details from visitors (even from AppTest): a failing
    test shows them. tests/test_hostile_data.py checks the shipped value itself."""
    import streamlit.config as config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    yield
    config.set_option("client.showErrorDetails", before)


@pytest.fixture()
def download_names(monkeypatch):
    """The file names given to every download button drawn while the fixture is on (in a column
    or on the page: st.download_button was bound to the main container when streamlit was imported)."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    seen: list[str] = []
    real = DeltaGenerator.download_button

    def record(self, label, data, file_name=None, *args, **kwargs):
        seen.append(file_name)
        return real(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    monkeypatch.setattr(st, "download_button", lambda *a, **kw: record(st._main, *a, **kw))
    return seen
