"""What a page must say about its figures: the illustrative banner, the source lines, and the one
sentence a visitor sees when a page fails (run_page)."""
from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from ui.fmt import plain

try:  # st.stop(), st.rerun(), st.switch_page(): BaseException, which «except Exception» never catches
    from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
except ImportError:  # another Streamlit layout: the same classes, still BaseException
    ScriptControlException = ()
try:  # a fragment that has shown its own error already: Streamlit's control flow too
    from streamlit.errors import FragmentHandledException
except ImportError:
    FragmentHandledException = ()


# two lines at 1366 px: the banner sits above the first screen's answer
ILLUSTRATIVE_NOTICE = ("**Có SỐ LIỆU MINH HỌA trên trang này** — không phải số liệu công bố: kết quả chính thức cấp "
                       "huyện, cấp xã chưa có. Chỗ ghi «minh họa» là số giả định; nhập kết quả chính thức ở trang «Dữ liệu».")


def illustrative_banner(flags) -> None:
    """Shown whenever any figure on screen is illustrative."""
    if any(bool(f) for f in flags if f is not None and f is not pd.NA and f == f):
        st.warning(ILLUSTRATIVE_NOTICE, icon="⚠️")


SCORES_SOURCE = "điểm: số liệu đã nạp (nguồn của từng dòng ở trang «Dữ liệu»)"


def source_line(sources, illustrative: bool = False) -> None:
    names = sorted({name for s in pd.Series(sources).dropna().astype(str) if s
                    for name in s.split(" › ")[0].split("; ")})
    text = "Nguồn: " + ("; ".join(plain(n) for n in names) if names else "cơ sở dữ liệu của sản phẩm")
    if illustrative:
        text += " — có số liệu MINH HỌA"
    st.caption(text)


PAGE_FAILED = "Trang gặp lỗi khi hiển thị số liệu này; lỗi đã được ghi lại cho người quản trị."


def run_page(page) -> None:
    """Run the page st.navigation chose (app.py). An unexpected exception is written with its
    traceback to the server log (logger «chiso») and the visitor sees PAGE_FAILED: never a
    traceback, a server path or an exception's text. Streamlit's control flow (st.stop,
    st.rerun, st.switch_page, a fragment's own error) passes through untouched. Not a way to
    hide a bug: tests run every page on hostile data without this guard
    (tests/test_hostile_data.py)."""
    try:
        page.run()
    except (ScriptControlException, FragmentHandledException):  # type: ignore[misc]
        raise
    except Exception:  # noqa: BLE001 - the last line of defence for a visitor; logged in full
        logging.getLogger("chiso").exception("page %r failed", getattr(page, "title", page))
        st.error(PAGE_FAILED, icon=":material/error:")
