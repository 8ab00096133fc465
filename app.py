"""Entry point: Vietnamese navigation over the pages in pages/ (each page stays thin)."""
from __future__ import annotations

import streamlit as st

from ui import notices, queries, theme

st.set_page_config(page_title=queries.product_title(), page_icon=":material/leaderboard:", layout="wide")
queries.pin()  # one database version for the whole run, whatever an import does meanwhile
theme.vietnamese_widgets()

PAGES = [
    st.Page("pages/tong_quan.py", title="Tổng quan", icon=":material/home:", default=True),
    st.Page("pages/chi_so_thanh_phan.py", title="Chỉ số thành phần", icon=":material/view_list:"),
    st.Page("pages/trong_tam.py", title="Trọng tâm năm tới", icon=":material/flag:"),
    st.Page("pages/don_vi.py", title="Đơn vị", icon=":material/apartment:"),
    st.Page("pages/so_sanh.py", title="So sánh", icon=":material/leaderboard:"),
    st.Page("pages/tien_do.py", title="Tiến độ", icon=":material/task_alt:"),
    st.Page("pages/toan_tinh.py", title="Toàn tỉnh", icon=":material/map:"),
    st.Page("pages/du_lieu.py", title="Dữ liệu", icon=":material/database:"),
]

# an unexpected error on a page: one Vietnamese sentence for the visitor, the traceback in the
# server log (ui/notices.py); .streamlit/config.toml hides Streamlit's own details as well
notices.run_page(st.navigation(PAGES))
