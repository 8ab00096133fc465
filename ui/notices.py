"""What a page must say about its figures: the illustrative banner and the source lines."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.fmt import plain


ILLUSTRATIVE_NOTICE = ("**Có SỐ LIỆU MINH HỌA trên trang này** — không phải số liệu công bố. Kết quả chính thức "
                       "cấp huyện và cấp xã chưa có trong hệ thống; các dòng, cột đánh dấu «minh họa» là số giả định "
                       "để trình bày cách dùng. Nhập bảng kết quả chính thức ở trang «Dữ liệu».")


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
