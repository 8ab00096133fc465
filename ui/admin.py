"""Signing in, uploads and undo on the «Dữ liệu» page."""
from __future__ import annotations

import streamlit as st

from metrics import catalog
from ui.fmt import plain
from ui.queries import cursor, database


def vietnamese_uploader() -> None:
    """st.file_uploader's own words are English and not configurable: replace them with CSS."""
    st.markdown("""<style>
    [data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
    [data-testid="stFileUploaderDropzone"] button { font-size: 0; }
    [data-testid="stFileUploaderDropzone"] button::after { content: "Chọn tệp"; font-size: 0.9rem; }
    </style>""", unsafe_allow_html=True)


def auth_settings() -> dict:
    """The [auth] table of .streamlit/secrets.toml: accounts (users) and/or a shared
    password_hash; {} when neither is set."""
    try:
        auth = st.secrets.get("auth", {})
        return {k: (dict(v) if hasattr(v, "items") else v) for k, v in auth.items()}
    except Exception:  # noqa: BLE001 - no secrets file at all
        return {}


@st.cache_resource
def sign_in_throttle():
    """One for the whole app process: wrong passwords slow down every session, not just one."""
    from access.auth import SignInThrottle

    return SignInThrottle()


def last_write():
    """The newest row of the import log (what «Hoàn tác» would undo), or None."""
    log = catalog.last_write(cursor())  # not cached: it must see this session's own write
    return None if log.empty else next(log.itertuples())


def internal_error(action: str, exc: Exception) -> None:
    """A failure that is not the user's input (disk full, permissions): a Vietnamese message on
    screen, the traceback in the server log. The write path leaves the database unchanged."""
    import logging

    logging.getLogger("chiso").exception("%s failed", action)
    st.error(f"Không {action} được do lỗi hệ thống ({exc.__class__.__name__}: {plain(exc)}). Cơ sở dữ liệu "
             "không thay đổi. Hãy báo người quản trị; chi tiết nằm trong nhật ký của máy chủ.")


def can_undo() -> bool:
    from store.db import snapshots

    return bool(snapshots(database().path))
