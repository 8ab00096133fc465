"""The account widgets both write pages share («Dữ liệu», «Tiến độ»): signing in and out (bound
to the browser), what the account may see, the list of problems of a refused file, «Hoàn tác»,
and a system failure said in Vietnamese."""
from __future__ import annotations

import streamlit as st

from metrics import catalog
from access.auth import IDLE_MINUTES
from ui.fmt import plain
from ui.queries import cursor, database


def vietnamese_uploader() -> None:
    """st.file_uploader's own words are English and not configurable: replace them with CSS."""
    st.markdown("""<style>
    [data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] { display: none; }
    [data-testid="stFileUploaderDropzone"] button::after { content: "Chọn tệp"; font-size: 0.9rem; margin-left: 0.4rem; }
    </style>""", unsafe_allow_html=True)


def auth_settings() -> dict:
    """The [auth] table of .streamlit/secrets.toml: accounts (users) and/or a shared
    password_hash; {} when neither is set."""
    try:
        auth = st.secrets.get("auth", {})
        return {k: (dict(v) if hasattr(v, "items") else v) for k, v in auth.items()}
    except Exception:  # noqa: BLE001 - no secrets file at all
        return {}


def _client() -> tuple[str | None, str | None, str | None]:
    """(address, user agent, browser token) of the connection running this script: the
    visitor's own address behind a trusted proxy (access.client.identity, which the server's
    reconnect gate in cli/serve.py computes the same way). st.context.ip_address is not used:
    it reports a loopback peer, the proxy in front of us, as None."""
    from access.client import identity, trusted_proxies

    try:
        from streamlit.runtime import get_instance
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        context = get_instance().get_client(get_script_run_ctx().session_id).client_context
    except Exception:  # noqa: BLE001 - no request behind this run (AppTest): nothing to bind to
        context = None
    if context is None or not isinstance(getattr(context, "remote_ip", None), str | None):  # AppTest's mock runtime
        return None, None, None
    return identity(context.remote_ip, context.headers, context.cookies, trusted_proxies())


def sign_in(who: str, password: str, auth: dict) -> tuple[bool, str]:
    """Check a sign-in through the process-wide throttle; (ok, message). On success the session
    is signed in and bound to this browser (fingerprint of its cookie, address and agent)."""
    import math
    import time

    from access.auth import THROTTLE, account_for, fingerprint

    address = _client()[0]
    keys = THROTTLE.keys(who, address)
    if not THROTTLE.attempt(keys):  # too soon after wrong passwords from here: not even checked
        return False, (f"Đã nhập sai mật khẩu nhiều lần. Hãy chờ {math.ceil(THROTTLE.wait_seconds(keys))} giây "
                       "rồi thử lại.")
    account = account_for(who, password, auth)
    if not account:
        time.sleep(1)  # each wrong guess costs time; repeated ones cost more (the throttle)
        return False, ("Sai tài khoản hoặc mật khẩu." if auth.get("users") else "Sai mật khẩu hoặc chưa nhập họ tên.")
    THROTTLE.succeeded(keys)
    st.session_state.update(signed_in=True, user=account, bound_to=fingerprint(*_client()), active_at=time.time())
    return True, ""


def signed_in_user() -> str | None:
    """The account of this session, or None. A run from another browser than the one that
    signed in (its session id replayed) is not signed in, and changes nothing: the owner's own
    runs stay signed in (cli/serve.py's reconnect gate normally gives such a browser a session
    of its own). A session idle for longer than IDLE_MINUTES is signed out here."""
    import time

    from access.auth import fingerprint, session_may_write

    if not st.session_state.get("signed_in"):
        return None
    if st.session_state.get("bound_to") != fingerprint(*_client()):
        return None  # not sign_out(): that would sign the owner out, which is what a replay wants
    if not session_may_write(st.session_state, time.time()):
        sign_out()
        st.info(f"Phiên đăng nhập đã hết hạn sau {IDLE_MINUTES} phút không dùng; hãy đăng nhập lại.")
        return None
    st.session_state["active_at"] = time.time()
    return st.session_state.get("user")


def sign_out() -> None:
    for key in ("signed_in", "user", "bound_to"):
        st.session_state.pop(key, None)


NO_ACCOUNTS = ("Chưa đặt mật khẩu cho tài khoản nào, nên chưa đăng nhập được (không nạp, không báo cáo trên web). Người quản trị chạy lệnh "
               "`.venv/bin/python -m loaders set-password --user \"Họ tên\"` trong thư mục dự án (thêm "
               "`--unit vp_hdnd_ubnd_xa --entity \"Xã Vĩnh Lộc\"` để gắn tài khoản với một cơ quan của một xã; mật khẩu chỉ được lưu dạng băm vào "
               "`.streamlit/secrets.toml`), rồi khởi động lại ứng dụng.")


def sign_in_form(auth: dict, key: str = "sign_in") -> str | None:
    """The signed-in account, or None after drawing the sign-in form (or, when no password is
    set, a note saying how to set one). Both pages that write share one signed-in state."""
    account = signed_in_user()
    if account:
        return account
    if not auth.get("users") and not auth.get("password_hash"):
        st.info(NO_ACCOUNTS)
        return None
    with st.form(key):
        who = st.text_input("Tài khoản (họ tên)" if auth.get("users") else "Họ tên người nạp")
        password = st.text_input("Mật khẩu", type="password")
        ok = st.form_submit_button("Đăng nhập")
    if ok:
        signed, message = sign_in(who, password, auth)
        if signed:
            st.rerun()
        st.error(message)
    return None


def scope():
    """What the signed-in account may see and change (access.auth.Scope), or None: through
    ``signed_in_user``, so a run from another browser than the one that signed in gets None."""
    from access.auth import scope_of

    account = signed_in_user()
    return scope_of(account, auth_settings()) if account else None


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


def undo_available() -> bool:
    """Whether a snapshot is there to go back to (store/db.py keeps one per recent write)."""
    from store.db import snapshots

    return bool(snapshots(database().path))


def sign_out_button(key: str) -> None:
    """«Đăng xuất», on every screen a signed-in account can reach (also those that stop early)."""
    if st.button("Đăng xuất", key=key):
        sign_out()
        st.rerun()


def log_viewer(scope) -> dict:
    """What of the write log a viewer sees (metrics.inventory.import_log's keywords): an
    anonymous visitor the score activity without names; an administrator everything; an
    account its own writes, and a coordinating unit every report write on its entity's plans."""
    from domain.progress import coordinator_for
    from ui.queries import entity_row

    if scope is None:
        return {}
    if scope.admin:
        return {"everything": True, "names": True}
    row = entity_row(scope.entity) if scope.entity else None
    coordinates = row is not None and scope.sees_all(scope.entity, coordinator_for(row.level))
    return {"user": f"web: {scope.account}", "entity": scope.entity if coordinates else None, "names": True}


def problems_table(exc, what: str) -> None:
    """Every problem of a refused file or save, with its file, sheet, row and column: «{what}: N
    lỗi. Cơ sở dữ liệu không thay đổi.», then a short list as plain text (every word readable,
    copied, found with Ctrl+F), a long one as a table."""
    import pandas as pd

    st.error(f"{what}: {len(exc.problems)} lỗi. Cơ sở dữ liệu không thay đổi.")
    problems = pd.DataFrame([p.as_dict() for p in exc.problems])[["file", "sheet", "row", "column", "message"]]
    problems = problems.astype(object).where(problems.notna(), "")
    problems["row"] = problems.row.map(lambda v: str(int(v)) if v != "" else "")
    headers = {"file": "Tệp", "sheet": "Trang tính", "row": "Dòng", "column": "Cột", "message": "Lỗi"}
    if len(problems) <= 20:
        st.table(problems.rename(columns=headers).set_index("Tệp"))
    else:
        st.dataframe(problems, hide_index=True, column_config={
            **headers, "message": st.column_config.TextColumn("Lỗi", width="large")})


def undo_panel(label: str | None, *, key: str, user: str, owner: str | None = None, actions: tuple[str, ...] | None = None,
               confirm: bool = False, note: str | None = None) -> None:
    """«Hoàn tác» in an expander titled ``label``: the write path undoes the last write (only
    ``owner``'s, of ``actions``, when given: checked under its lock), then the page reruns and
    says what was undone (also when nothing is left to undo: ``label`` None draws no expander).
    ``confirm``: a «Tôi chắc chắn» tick first."""
    from store.audit import ACTION_VI
    from store.history import undo

    from domain.problems import ValidationFailed

    if done := st.session_state.pop(f"{key}_done", None):
        st.success(done)
    if label is None:
        return
    with st.expander(label, expanded=bool(st.session_state.get(f"{key}_sure"))):
        if note:
            st.caption(note)
        sure = st.checkbox("Tôi chắc chắn muốn hoàn tác", key=f"{key}_sure") if confirm else True
        if st.button("Hoàn tác", disabled=not sure, type="primary", key=f"{key}_button"):
            try:
                with st.spinner("Đang hoàn tác…"):
                    result = undo(database().path, user=user, owner=owner, actions=actions)
            except ValidationFailed as exc:
                st.error(plain(exc.report()).replace("\n", "  \n"))  # file names inside: plain text, a line each
            except Exception as exc:  # noqa: BLE001
                internal_error("hoàn tác", exc)
            else:
                st.cache_data.clear()
                st.session_state.pop(f"{key}_sure", None)
                st.session_state[f"{key}_done"] = (
                    f"Đã hoàn tác lần {ACTION_VI.get(result.undone['action'], '')} #{result.undone['import_id']} "
                    f"(tệp «{plain(result.undone['file'])}»). Mọi trang đã dùng số liệu trước đó.")
                st.rerun()
