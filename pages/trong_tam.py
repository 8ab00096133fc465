"""Trọng tâm năm tới — for Phòng Nội vụ: pick next year's weak criteria, adjust the
responsible units, and download the draft task table in the layout of the plan's appendices."""
import pandas as pd
import streamlit as st

from domain.vocabulary import next_plan_year
from exports.briefing import task_layout, task_rows_of
from exports.task_table import task_table_docx, task_table_xlsx
from metrics.plan_draft import draft_rows
from ui import fmt, notices, queries, selection

queries.require_database()
entity = selection.pick_entity()
year = selection.pick_year(entity, label="Năm có kết quả mới nhất")
st.title("Trọng tâm năm tới")
if year is None:
    st.info("Đơn vị này chưa có số liệu.")
    st.stop()
selection.reform_notice(entity)
plan_year = next_plan_year(year)
st.caption(f"{queries.entity_label(entity)} — các tiêu chí đang giảm hoặc xếp hạng thấp năm {year}, "
           f"để đưa vào kế hoạch năm {plan_year} của {queries.authority_of(entity)}")

focus = queries.focus(entity, year)
notices.illustrative_banner(focus.is_illustrative)
if focus.empty:
    st.success("Không có tiêu chí nào đang giảm hoặc xếp hạng thấp.")
    st.stop()

PRIORITY = {1: "Cao", 2: "Trung bình"}
DEFAULT_CHOSEN = 10  # the most urgent ones ticked to start with
table = pd.DataFrame({
    # the most urgent ones ticked to start with, even in a year where none is both falling and low
    "chosen": focus.index < DEFAULT_CHOSEN,
    "index": focus.index_code.map(fmt.INDEX_LABEL),
    "code": focus.criterion_code,
    "name": focus.criterion_name,
    # the units next to the criterion, before the long reasons: the page's core answer in view
    "lead": focus.lead_units.map(lambda v: fmt.units_text(v, "")),
    "support": focus.support_units.map(lambda v: fmt.units_text(v, "")),
    "priority": focus.priority.map(PRIORITY),
    "reasons": focus.reasons.map("; ".join),
    # display-only columns: shown with the decimal comma (the editor has no locale of its own)
    "recoverable": focus.points_recoverable.map(fmt.num),
    "to_next": focus.points_to_next_rank.map(fmt.num),
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
notices.source_line([notices.SCORES_SOURCE, queries.plan_source(entity)], focus.is_illustrative.any())
if queries.plans_of(entity).empty:
    st.info(f"Cơ quan chủ trì, phối hợp: {queries.unassigned(entity)} — {queries.authority_of(entity)} chưa có kế hoạch nào trong hệ thống. "
            "Có thể ghi trực tiếp vào hai cột cơ quan trước khi tải bảng.")

chosen = focus[edited.chosen.values].copy()
chosen["lead_units"] = [[u.strip() for u in t.split(";") if u.strip()] for t in edited.lead[edited.chosen.values]]
chosen["support_units"] = [[u.strip() for u in t.split(";") if u.strip()] for t in edited.support[edited.chosen.values]]
st.markdown(f"Đã chọn **{len(chosen)}** tiêu chí.")
if len(chosen):
    task_rows = task_rows_of(draft_rows(queries.cursor(), chosen, entity))
    layout = task_layout(queries.authority_of(entity), year)
    left, right = st.columns(2)
    # built when clicked, not on every rerun of the page (e.g. at each tick in the editor)
    left.download_button("Tải bảng phân công nhiệm vụ (Excel)", lambda: task_table_xlsx(task_rows, **layout),
                         f"du_thao_phan_cong_{plan_year}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")
    right.download_button("Tải bảng phân công nhiệm vụ (Word)", lambda: task_table_docx(task_rows, **layout),
                          f"du_thao_phan_cong_{plan_year}.docx",
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    if focus.is_illustrative.any():
        st.caption("Lưu ý: danh sách được chọn dựa trên số liệu minh họa.")
