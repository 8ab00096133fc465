"""Start the dashboard: ``python -m cli.serve [streamlit options]`` = ``streamlit run app.py``,
except that a link to a page opens the app even when it is the server's first request, and
that uploads from sessions that have not signed in are dropped (install_upload_gate).

app.py lays out the navigation itself (st.navigation over pages/). Streamlit 1.67 also
knows an older convention in which a folder named ``pages`` beside the main script is the
navigation; until some session has run app.py, it follows that one, so a shared link such
as ``/so_sanh?entity=…`` sent to a freshly started server would open the bare page, without
app.py's Vietnamese menu, wide layout or database pin. The flag below is the one st.navigation
itself clears on its first call (streamlit/commands/navigation.py); setting it before the
server starts makes the first request behave like every later one."""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from access.auth import session_may_write

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


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    install_upload_gate()
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
