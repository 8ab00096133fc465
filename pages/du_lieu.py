"""Dữ liệu — what is loaded, the import log, templates, and (after signing in) uploading a
file through the same validation as the command line."""

import streamlit as st

from store.audit import ACTION_VI
from loaders.guard import load_limits
from domain.problems import ValidationFailed
from access.upload import import_summary, receive, shown_conflicts
from loaders.tidy import template_bytes, template_frame
from metrics.inventory import import_log, loaded_summary, source_conflicts
from domain import vocabulary
from ui import account, fmt, notices, queries, theme

queries.require_database()
st.title("Dữ liệu")
limits = load_limits()

inventory = queries.cached(loaded_summary)  # aggregates every score row: once per database version
notices.illustrative_banner(inventory.any_illustrative)
st.subheader("Số liệu đã nạp")
view = inventory.assign(
    entity_level=inventory.entity_level.map(fmt.LEVEL_VI), year=inventory.year.astype(str),
    kind=["minh họa" if a else "công bố + minh họa" if s else "công bố" for a, s in
          zip(inventory.all_illustrative, inventory.any_illustrative)])
st.dataframe(fmt.vn_table(view[["index_code", "year", "entity_level", "n_rows", "n_entities", "kind", "sources"]],
                          {"n_rows": 0, "n_entities": 0}), hide_index=True,
             column_config={"index_code": "Chỉ số", "year": "Năm", "entity_level": "Cấp", "n_rows": "Số dòng",
                            "n_entities": "Số đơn vị", "kind": "Loại số liệu", "sources": "Nguồn"})

conflicts = queries.cached(source_conflicts)
if len(conflicts):
    st.subheader("Nguồn số liệu mâu thuẫn")
    st.caption("Hai nguồn ghi khác nhau cho cùng một số liệu. Giữa các nguồn đi kèm, số của nguồn đứng trước trong "
               "data/manifest.csv được dùng; với tệp nạp sau, số của tệp nạp được dùng.")
    st.dataframe(conflicts.fillna(""), hide_index=True, column_config={
        "file": "Tệp", "sheet": "Trang tính", "row": "Dòng", "message": "Nội dung"})

st.subheader("Mẫu nhập điểm")
st.caption("Mỗi dòng một (năm, chỉ số, mã tiêu chí, đơn vị, điểm); để trống mã tiêu chí cho điểm tổng. "
           "Tệp theo mẫu của cơ quan công bố (mỗi đơn vị một dòng, mỗi tiêu chí một cột) cũng nạp được: chọn chỉ số khi tải lên.")
left, right = st.columns(2)
left.download_button("Tải mẫu Excel (.xlsx)", lambda: template_bytes("xlsx"), "mau_nhap_diem.xlsx",  # built on click
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
right.download_button("Tải mẫu CSV (.csv)", lambda: template_bytes("csv"), "mau_nhap_diem.csv", "text/csv")
communes, provinces = (template_frame(k) for k in ("communes", "provinces"))
st.markdown(f"**Mẫu điền sẵn cho kết quả năm {int(communes.year.iloc[0])}** — đơn vị hành chính sau sắp xếp ngày 01/7/2025: "
            "ghi điểm (và hạng, nếu có) vào cột points, rank; chọn chỉ số khi tải lên. Dòng không ghi điểm được nạp "
            "là «chưa có điểm» của đơn vị đó: xóa những dòng chưa có kết quả trước khi tải lên.")
left, right = st.columns(2)
left.download_button(f"Mẫu {len(communes)} xã, phường của {fmt.plain(queries.styled(queries.PROVINCE))} (.xlsx)",
                     lambda: template_bytes("xlsx", "communes"), "mau_ket_qua_xa_phuong.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
right.download_button(f"Mẫu {len(provinces)} tỉnh, thành phố (.xlsx)", lambda: template_bytes("xlsx", "provinces"),
                      "mau_ket_qua_tinh_thanh.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption("Tên xã, phường theo danh mục của Cục Thống kê (Công văn 1027/CTK-CSCL ngày 25/6/2025) theo Nghị quyết "
           "1686/NQ-UBTVQH15; tên tỉnh theo Nghị quyết 202/2025/QH15 (nguồn: data/reference/reform_2025/SOURCES.md).")

st.subheader("Nạp tệp kết quả, hoàn tác")
auth = account.auth_settings()
# None also for a session id replayed from another browser, or idle too long
signed_in = account.sign_in_form(auth)
scope = account.scope() if signed_in else None
if not auth.get("users") and not auth.get("password_hash"):
    st.caption("Có thể nạp bằng dòng lệnh: `python -m loaders import TỆP`.")
elif scope is not None and not scope.manages_data():
    st.info("Tài khoản này gắn với một cơ quan: chỉ nhập báo cáo tiến độ (trang «Tiến độ»). Nạp số liệu và hoàn tác "
            "dành cho tài khoản quản trị: điểm của mọi xã, phường được xếp hạng cùng nhau, một lần nạp hay hoàn tác "
            "đổi số liệu của tất cả.")
    account.sign_out_button("data_sign_out")
elif scope is not None:
    user = f"web: {signed_in}"
    rows = f"{limits.max_rows:,}".replace(",", ".")
    st.caption(f"Đã đăng nhập: {fmt.plain(signed_in)}. Giới hạn mỗi tệp: "
               f"{fmt.num(limits.max_upload_mb, 0)} MB, {rows} dòng, {limits.max_columns} cột.")
    account.vietnamese_uploader()
    with st.form("upload", clear_on_submit=True):
        upload = st.file_uploader("Tệp điểm (.csv, .xlsx, .xls, .parquet) — kéo thả vào ô dưới hoặc bấm «Chọn tệp»",
                                  type=["csv", "xlsx", "xls", "parquet"])
        index = st.selectbox("Chỉ số (bắt buộc với tệp theo mẫu của cơ quan công bố)", [None, *vocabulary.INDEX_CODES],
                             placeholder=theme.PLACEHOLDER,
                             format_func=lambda c: "— theo cột «index» trong tệp —" if c is None else fmt.INDEX_LABEL[c])
        replace_breakdown = st.checkbox(
            "Thay toàn bộ số liệu chi tiết của đơn vị trong các năm có trong tệp", value=False,
            help="Không chọn (mặc định): mỗi dòng của tệp chỉ thay đúng số liệu nó nêu (năm, chỉ số, tiêu chí, đơn vị); "
                 "các tiêu chí tệp không nêu được giữ nguyên, ô để trống giữ số đã có. Chọn: mọi số liệu đã có của "
                 "đơn vị trong chỉ số và năm đó bị bỏ, chỉ còn các dòng của tệp.")
        submitted = st.form_submit_button("Kiểm tra và nạp")
    if submitted and upload is not None:
        name = fmt.plain(upload.name)
        try:
            with st.spinner("Đang kiểm tra và nạp…"):
                result = receive(upload.name, upload.getvalue(), queries.database().path, index_code=index, user=user,
                                 replace_breakdown=replace_breakdown)
        except ValidationFailed as exc:
            account.problems_table(exc, f"Tệp «{name}» không hợp lệ")
        except Exception as exc:  # noqa: BLE001 - a disk full or a locked file: say so, never a traceback
            account.internal_error("nạp tệp", exc)
        else:
            st.cache_data.clear()
            queries.repin()  # the rest of this page (the log) shows the new version
            summary = fmt.plain(import_summary(result, upload.name))  # plain text: the file's name shown as it is
            if result.status == "unchanged":
                st.info(summary)
            else:
                st.success(summary + " Mọi trang đã dùng số liệu mới.")
            if result.conflicts:
                st.warning("\n".join(f"- {fmt.plain(m)}" for m in shown_conflicts(result)))

    last = account.last_write() if account.undo_available() else None
    what = None if last is None else "dựng lại từ data/" if last.action == "build" else f"«{fmt.plain(last.file)}»"
    account.undo_panel(None if last is None else f"Hoàn tác lần ghi gần nhất: {what} ({fmt.plain(last.user_name)}, "
                                                 f"{last.imported_at:%d/%m/%Y %H:%M})", key="undo", user=user,
                       confirm=True, note="Cơ sở dữ liệu trở về đúng trạng thái trước lần ghi đó; việc hoàn tác được ghi "
                                          "vào nhật ký, trạng thái bị bỏ vẫn được giữ trong thư mục snapshots bên cạnh "
                                          "tệp cơ sở dữ liệu.")
    account.sign_out_button("data_sign_out")

st.subheader("Nhật ký nạp dữ liệu")
log = import_log(queries.cursor(), **account.log_viewer(scope))
if scope is None:
    st.caption("Chỉ hiện các lần nạp số liệu, không hiện tên tài khoản; việc báo cáo tiến độ chỉ người đăng nhập có "
               "quyền xem báo cáo đó mới thấy.")
log["action"] = log.action.map(ACTION_VI).fillna(log.action)
st.dataframe(fmt.vn_table(log, {"rows_read": 0, "rows_loaded": 0, "rows_replaced": 0}), hide_index=True, column_config={
    "import_id": "Lần", "imported_at": st.column_config.DatetimeColumn("Thời điểm", format="DD/MM/YYYY HH:mm"),
    "user_name": "Người nạp", "action": "Thao tác", "file": "Tệp", "sha256": "SHA-256", "index_code": "Chỉ số",
    "rows_read": "Dòng đọc", "rows_loaded": "Dòng nạp", "rows_replaced": "Dòng thay thế", "note": "Ghi chú"})
