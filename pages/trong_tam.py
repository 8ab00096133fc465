"""Trọng tâm năm tới — for Phòng Nội vụ: pick next year's weak criteria, adjust the
responsible units, and download the draft task table in the layout of the plan's appendices."""
import pandas as pd
import streamlit as st

from exports.task_table import TaskRow, task_table_docx, task_table_xlsx
from metrics.plan_draft import draft_rows
from ui import common as ui

ui.require_database()
entity = ui.pick_entity()
year = ui.pick_year(entity, label="Năm có kết quả mới nhất")
st.title("Trọng tâm năm tới")
if year is None:
    st.info("Đơn vị này chưa có số liệu.")
    st.stop()
st.caption(f"{ui.entity_label(entity)} — các tiêu chí đang giảm hoặc xếp hạng thấp năm {year}, "
           f"để đưa vào kế hoạch năm {year + 1}")

focus = ui.focus(entity, year)
ui.illustrative_banner(focus.is_illustrative)
if focus.empty:
    st.success("Không có tiêu chí nào đang giảm hoặc xếp hạng thấp.")
    st.stop()

PRIORITY = {1: "Cao", 2: "Trung bình"}
DEFAULT_CHOSEN = 10  # the most urgent ones ticked to start with
table = pd.DataFrame({
    # the most urgent ones ticked to start with, even in a year where none is both falling and low
    "chosen": focus.index < DEFAULT_CHOSEN,
    "index": focus.index_code.map(ui.INDEX_LABEL),
    "code": focus.criterion_code,
    "name": focus.criterion_name,
    "priority": focus.priority.map(PRIORITY),
    "reasons": focus.reasons.map("; ".join),
    # display-only columns: shown with the decimal comma (the editor has no locale of its own)
    "recoverable": focus.points_recoverable.map(ui.num),
    "to_next": focus.points_to_next_rank.map(ui.num),
    "lead": focus.lead_units.map(lambda v: ui.units_text(v, "")),
    "support": focus.support_units.map(lambda v: ui.units_text(v, "")),
})
st.markdown("Đánh dấu cột **Chọn** cho tiêu chí đưa vào kế hoạch; sửa trực tiếp cơ quan chủ trì, phối hợp "
            "(nhiều cơ quan cách nhau bằng dấu chấm phẩy «;»).")
st.caption("Ưu tiên «Cao»: vừa đang giảm vừa xếp hạng thấp; «Trung bình»: một trong hai.")
edited = st.data_editor(
    table, hide_index=True, height=460, key=f"draft_{entity}_{year}", disabled=["index", "code", "name", "priority", "reasons", "recoverable", "to_next"],
    column_config={
        "chosen": st.column_config.CheckboxColumn("Chọn", width="small"),
        "index": "Chỉ số", "code": "Mã", "name": st.column_config.TextColumn("Tiêu chí", width="medium"),
        "priority": "Ưu tiên", "reasons": st.column_config.TextColumn("Lý do", width="large"),
        "recoverable": "Điểm có thể lấy lại", "to_next": "Điểm để lên 1 hạng",
        "lead": st.column_config.TextColumn("Cơ quan chủ trì", width="medium"),
        "support": st.column_config.TextColumn("Cơ quan phối hợp", width="medium")})
ui.source_line([ui.SCORES_SOURCE, ui.plan_source(entity)], focus.is_illustrative.any())
if ui.plans_of(entity).empty:
    st.info(f"Cơ quan chủ trì, phối hợp: {ui.unassigned(entity)} — {ui.authority_of(entity)} chưa có kế hoạch nào trong hệ thống. "
            "Có thể ghi trực tiếp vào hai cột cơ quan trước khi tải bảng.")

chosen = focus[edited.chosen.values].copy()
chosen["lead_units"] = [[u.strip() for u in t.split(";") if u.strip()] for t in edited.lead[edited.chosen.values]]
chosen["support_units"] = [[u.strip() for u in t.split(";") if u.strip()] for t in edited.support[edited.chosen.values]]
st.markdown(f"Đã chọn **{len(chosen)}** tiêu chí.")
if len(chosen):
    rows = draft_rows(ui.cursor(), chosen, entity)
    task_rows = [TaskRow(index_code=r.index_code, area_code=r.area_code if isinstance(r.area_code, str) else None,
                         area_name=r.area_name if isinstance(r.area_name, str) else None, code=r.code, name=r.criterion_name,
                         lead_units=list(r.lead_units), support_units=list(r.support_units),
                         timing=r.timing if isinstance(r.timing, str) else "Thường xuyên")
                 for r in rows.itertuples()]
    names = ui.q("SELECT index_code, name_vi FROM indices")
    layout = dict(title=f"NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CÁC CHỈ SỐ NĂM {year + 1}",
                  subtitle=f"(Kèm theo Kế hoạch số     /KH-UBND ngày    /    /{year + 1} của {ui.authority_of(entity)})",
                  index_names=dict(zip(names.index_code, names.name_vi)))
    left, right = st.columns(2)
    # built when clicked, not on every rerun of the page (e.g. at each tick in the editor)
    left.download_button("Tải bảng phân công nhiệm vụ (Excel)", lambda: task_table_xlsx(task_rows, **layout),
                         f"du_thao_phan_cong_{year + 1}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")
    right.download_button("Tải bảng phân công nhiệm vụ (Word)", lambda: task_table_docx(task_rows, **layout),
                          f"du_thao_phan_cong_{year + 1}.docx",
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    if focus.is_illustrative.any():
        st.caption("Lưu ý: danh sách được chọn dựa trên số liệu minh họa.")
