"""Trang chủ: what the database holds. The real pages come with the dashboard issue."""
from __future__ import annotations

import streamlit as st

from loaders.db import ReadOnlyDatabase
from loaders.tidy import template_bytes
from metrics.inventory import import_log, loaded_summary, source_conflicts

st.set_page_config(page_title="Chỉ số quản trị – Vĩnh Lộc", page_icon="📊", layout="wide")


@st.cache_resource(max_entries=1)
def database() -> ReadOnlyDatabase:
    return ReadOnlyDatabase()


@st.cache_data(max_entries=16, ttl=600)
def summary(version: tuple | None):
    con = database().cursor()
    return loaded_summary(con), import_log(con), source_conflicts(con)


st.title("Chỉ số quản trị và hành chính công")
st.caption("PAR INDEX · SIPAS · PAPI · DDCI · PCI — UBND huyện Vĩnh Lộc, tỉnh Thanh Hóa")

try:
    db = database()
    inventory, log, conflicts = summary(db.version)
except FileNotFoundError:
    st.error("Chưa có cơ sở dữ liệu. Hãy chạy lệnh `make run` (hoặc `python -m loaders build`) để dựng từ thư mục data/.")
    st.stop()

if inventory.any_illustrative.any():
    st.warning("Một phần số liệu cấp huyện là **SỐ LIỆU MINH HỌA**, không phải số liệu công bố: "
               "kết quả chính thức của huyện Vĩnh Lộc chưa được nhập. Cột «Minh họa» cho biết phần nào.")

st.subheader("Số liệu đã nạp")
view = inventory.rename(columns={
    "index_code": "Chỉ số", "year": "Năm", "entity_level": "Cấp", "n_rows": "Số dòng",
    "n_entities": "Số đơn vị", "sources": "Nguồn"})
view["Cấp"] = view["Cấp"].map({"province": "Tỉnh", "district": "Huyện", "commune": "Xã"})
view["Minh họa"] = [("toàn bộ" if a else "một phần" if s else "không") for a, s in
                    zip(inventory.all_illustrative, inventory.any_illustrative)]
view["Năm"] = view["Năm"].astype(str)
st.dataframe(view[["Chỉ số", "Năm", "Cấp", "Số dòng", "Số đơn vị", "Minh họa", "Nguồn"]],
             hide_index=True)

if len(conflicts):
    st.subheader("Nguồn số liệu mâu thuẫn")
    st.caption("Hai nguồn đi kèm ghi khác nhau cho cùng một số liệu; số của nguồn đứng trước trong data/manifest.csv được dùng.")
    st.dataframe(conflicts.fillna("").rename(columns={"file": "Tệp", "sheet": "Trang tính", "row": "Dòng", "message": "Nội dung"}),
                 hide_index=True)

st.subheader("Mẫu nhập điểm")
st.caption("Mỗi dòng một (năm, chỉ số, mã tiêu chí, đơn vị, điểm); để trống mã tiêu chí cho điểm tổng. "
           "Hướng dẫn chi tiết trong README, mục «Mẫu nhập điểm».")
left, right = st.columns(2)
left.download_button("Tải mẫu Excel (.xlsx)", template_bytes("xlsx"), "mau_nhap_diem.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
right.download_button("Tải mẫu CSV (.csv)", template_bytes("csv"), "mau_nhap_diem.csv", "text/csv")

st.subheader("Nhật ký nạp dữ liệu")
st.dataframe(log.rename(columns={
    "import_id": "Lần", "imported_at": "Thời điểm", "user_name": "Người nạp", "action": "Thao tác",
    "file": "Tệp", "sha256": "SHA-256", "index_code": "Chỉ số", "rows_read": "Dòng đọc",
    "rows_loaded": "Dòng nạp", "rows_replaced": "Dòng thay thế", "note": "Ghi chú"}),
    hide_index=True)
