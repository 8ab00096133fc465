"""Shared fixtures: one database built from the shipped data/ per test session, and
private copies of it for tests that write."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    from store.build import build

    path = tmp_path_factory.mktemp("db") / "chiso.duckdb"
    build(path)
    return path


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


def db_content(path: Path) -> list:
    """Everything a user could see change: the score rows, the task map and the import log."""
    with duckdb.connect(str(path), read_only=True) as c:
        return [c.execute("SELECT * FROM score ORDER BY ALL").fetchall(),
                c.execute("SELECT * FROM plan_assignments ORDER BY ALL").fetchall(),
                c.execute("SELECT count(*) FROM import_log").fetchall()]


@pytest.fixture()
def data_page(db_copy, monkeypatch):
    """The Dữ liệu page on a private database copy, with an upload password set, not signed in."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from access.auth import hash_password

    monkeypatch.setenv("CHISO_DB", str(db_copy))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "pages/du_lieu.py"), default_timeout=120)
    at.secrets["auth"] = {"password_hash": hash_password("dung-mat-khau")}
    yield at.run()
    st.cache_resource.clear()
    st.cache_data.clear()


def sign_in(at, user: str) -> None:
    """Mark an AppTest session as signed in just now (as the sign-in form would)."""
    import time

    at.session_state["signed_in"] = True
    at.session_state["user"] = user
    at.session_state["active_at"] = time.time()
