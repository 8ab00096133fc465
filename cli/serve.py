"""Start the dashboard: ``python -m cli.serve [streamlit options]`` = ``streamlit run app.py``,
except that a link to a page opens the app even when it is the server's first request, and
that uploads from sessions that have not signed in are dropped (install_upload_gate), and
that a browser presenting another browser's session id gets a session of its own
(install_reconnect_gate), and that the reverse proxies believed are those of
config/network.toml (access/client.py).

app.py lays out the navigation itself (st.navigation over pages/). Streamlit 1.67 also
knows an older convention in which a folder named ``pages`` beside the main script is the
navigation; until some session has run app.py, it follows that one, so a shared link such
as ``/so_sanh?entity=…`` sent to a freshly started server would open the bare page, without
app.py's Vietnamese menu, wide layout or database pin. The flag below is the one st.navigation
itself clears on its first call (streamlit/commands/navigation.py); setting it before the
server starts makes the first request behave like every later one."""
from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from access.auth import fingerprint, session_may_write
from access.client import identity, trusted_proxies

APP = Path(__file__).resolve().parents[1] / "app.py"


def _session_state(session_id: str):
    """The session state of a live session, or None (unknown id, server not started)."""
    from streamlit.runtime import Runtime

    try:
        info = Runtime.instance()._session_mgr.get_active_session_info(session_id)
        return info.session.session_state if info is not None else None
    except Exception:  # noqa: BLE001 - no runtime, a closed session: nobody to keep a file for
        return None


def install_upload_gate() -> None:
    """Keep uploaded files only for sessions signed in to write (access.auth.session_may_write).

    Streamlit's upload endpoint (/_stcore/upload_file/<session>/<file>) accepts a file for any
    live session, and holds it in memory until that session ends: an anonymous visitor could
    fill the server's memory with files no form will ever read. The page shows the uploader
    only after sign-in; here the server drops what any other session sends."""
    keep = MemoryUploadedFileManager.add_file
    if getattr(keep, "gated", False):
        return

    def add_file(self, session_id, file):
        state = _session_state(session_id)
        if state is None or not session_may_write(state, time.time()):
            logging.getLogger("chiso").warning("tệp tải lên từ phiên chưa đăng nhập bị bỏ (%d byte)", len(file.data))
            return
        keep(self, session_id, file)

    add_file.gated = True
    MemoryUploadedFileManager.add_file = add_file


def _fingerprint_of(client) -> str:
    """The fingerprint (access.auth.fingerprint) of a connection, from its handshake."""
    context = getattr(client, "client_context", None)
    if context is None:
        return fingerprint(None, None, None)
    return fingerprint(*identity(context.remote_ip, context.headers, context.cookies, trusted_proxies()))


def may_resume(info, client) -> bool:
    """Whether ``client`` may take over the session of ``info`` (a Streamlit SessionInfo, live or
    kept for reconnection): only from the browser it belongs to, that is with the fingerprint it
    was signed in with (bound_to) and the one of the page connected to it now, when there is one."""
    try:
        bound = info.session.session_state["bound_to"]
    except Exception:  # noqa: BLE001 - not signed in, or no state yet: nothing bound
        bound = None
    holder = getattr(info, "client", None)
    known = [bound] + ([_fingerprint_of(holder)] if holder is not None else [])
    new = _fingerprint_of(client)
    return all(k == new for k in known if k)


def install_reconnect_gate() -> None:
    """Give a connection that asks for another browser's session a new session of its own.

    A page's websocket names the session it wants back (the third entry of its
    Sec-WebSocket-Protocol header), so that a page whose connection dropped finds its session
    again. Streamlit hands that session to whoever names it: it detaches the session from the
    page holding it (whose buttons then do nothing) and gives the newcomer its state, sign-in
    included. Here the id is honoured only when the newcomer's fingerprint matches (may_resume);
    otherwise Streamlit is told no id was given, so it creates a new session and leaves the
    owner's as it was. A real reconnect, from the same browser, is unaffected."""
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    connect = WebsocketSessionManager.connect_session
    if getattr(connect, "gated", False):
        return

    def connect_session(self, client, script_data, user_info, existing_session_id=None, session_id_override=None):
        if existing_session_id:
            info = self.get_session_info(existing_session_id)
            if info is not None and not may_resume(info, client):
                logging.getLogger("chiso").warning("kết nối xin vào phiên của trình duyệt khác: cấp phiên mới")
                existing_session_id = None
        return connect(self, client, script_data, user_info, existing_session_id=existing_session_id,
                       session_id_override=session_id_override)

    connect_session.gated = True
    WebsocketSessionManager.connect_session = connect_session


def main(argv: list[str]) -> int:
    try:
        trusted = trusted_proxies()  # a wrong entry stops the start, not the first sign-in
    except (ValueError, OSError) as exc:
        print(f"Không khởi động: cấu hình máy chủ trung gian sai ({exc}).", file=sys.stderr)
        return 2
    # Uvicorn, Streamlit's web server, already takes a connection's address from X-Forwarded-For
    # when it comes from the proxies in FORWARDED_ALLOW_IPS (loopback unless set): one list, ours
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(str(net) for net in trusted)
    PagesManager.uses_pages_directory = False
    install_upload_gate()
    install_reconnect_gate()
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
