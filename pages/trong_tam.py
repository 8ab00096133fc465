"""Trọng tâm năm tới — for the coordinating office (a commune's Phòng Văn hóa - Xã hội): pick
next year's weak criteria, adjust the responsible units, and download the draft task table in
the layout of the plan's appendices, or the whole draft plan (Nghị định 30/2020/NĐ-CP) built
from the same rows — or, signed in, adopt it as the entity's plan (ui/plan_adoption.py). A
dissolved entity (the former district) is offered no document: the page names its successors."""
from datetime import date

import pandas as pd
import streamlit as st

from domain.text import slug
from domain.vocabulary import next_plan_year
from exports.briefing import task_layout, task_rows_of
from exports.plan_document import gather_plan_document, plan_document_docx
from exports.task_table import task_table_docx, task_table_xlsx
from metrics import proposals
from metrics.plan_draft import draft_rows
from ui import fmt, notices, plan_adoption, queries, selection

queries.require_database()
entity = selection.pick_entity()
year = selection.pick_year(entity, label="Năm có kết quả mới nhất")
st.title("Trọng tâm năm tới")
if year is None:
    st.info("Đơn vị này chưa có số liệu.")
    st.stop()
selection.reform_notice(entity)
today = date.today()
plan_year = next_plan_year(year, today)
st.caption(f"{fmt.plain(queries.entity_label(entity))} — các tiêu chí đang giảm hoặc xếp hạng thấp năm {year}, "
           f"để đưa vào kế hoạch năm {plan_year} của {fmt.plain(queries.authority_of(entity))}")

# a commune without a plan of its own: units proposed from its former district's plan
proposal = queries.proposal(entity)
focus = proposals.with_units(queries.focus(entity, year), proposal)
notices.illustrative_banner(focus.is_illustrative)
if focus.empty:
    st.success("Không có tiêu chí nào đang giảm hoặc xếp hạng thấp.")
    st.stop()
# a commune picks its own offices from a list (Nghị định 150/2025/NĐ-CP): one lead, several
# supporting units; other entities type the units, as their plans name them
pick = getattr(queries.entity_row(entity), "level", None) == "commune"

PRIORITY = {1: "Cao", 2: "Trung bình"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_CHOSEN = 10  # the most urgent ones ticked to start with
table = pd.DataFrame({
    # the most urgent ones ticked to start with, even in a year where none is both falling and low
    "chosen": focus.index < DEFAULT_CHOSEN,
    "index": focus.index_code.map(fmt.INDEX_LABEL),
    "code": focus.criterion_code,
    "name": focus.criterion_name,
    # the page's core answer: the units next to the criterion, all in view at 1366 px without scrolling
    "lead": focus.lead_units, "support": focus.support_units,
    "priority": focus.priority.map(PRIORITY),
})
if pick:  # one lead each, as a commune plan's annex has it; the other leads become supporting units
    split = [proposals.one_lead(lead, support) for lead, support in zip(focus.lead_units, focus.support_units)]
    table["lead"] = [lead[0] if lead else None for lead, _ in split]
    table["support"] = [support for _, support in split]
    options = queries.unit_choices(entity)
    planned = not queries.plans_of(entity).empty
    origin = ("Theo kế hoạch của xã; tiêu chí kế hoạch chưa giao: đề xuất từ kế hoạch của đơn vị trước sắp xếp; "
              if planned and focus.units_proposed.any() else
              "Đề xuất từ kế hoạch của đơn vị trước sắp xếp; " if focus.units_proposed.any() else "Theo kế hoạch của xã; ")
    lead_column = st.column_config.SelectboxColumn("Cơ quan chủ trì", width=180, options=options,
                                                   help=origin + "chọn một cơ quan của xã")
    support_column = st.column_config.MultiselectColumn("Cơ quan phối hợp", width=180, options=options,
                                                        help=origin + "chọn một hay nhiều cơ quan của xã")
    st.markdown("Đánh dấu cột **Chọn** cho tiêu chí đưa vào kế hoạch; chọn **một** cơ quan chủ trì và các cơ quan "
                "phối hợp trong danh sách cơ quan của xã.")
else:
    table["lead"] = table.lead.map(lambda v: fmt.units_text(v, ""))
    table["support"] = table.support.map(lambda v: fmt.units_text(v, ""))
    lead_column = st.column_config.TextColumn("Cơ quan chủ trì", width=180, help="Theo kế hoạch của đơn vị; sửa được")
    support_column = st.column_config.TextColumn("Cơ quan phối hợp", width=180, help="Theo kế hoạch của đơn vị; sửa được")
    st.markdown("Đánh dấu cột **Chọn** cho tiêu chí đưa vào kế hoạch; sửa trực tiếp cơ quan chủ trì, phối hợp "
                "(nhiều cơ quan cách nhau bằng dấu chấm phẩy «;»).")
if proposal_note := proposals.note(proposal, focus):  # only for the rows whose units are proposed
    st.info(fmt.plain(proposal_note), icon=":material/swap_horiz:")
st.caption("Ưu tiên «Cao»: vừa đang giảm vừa xếp hạng thấp; «Trung bình»: một trong hai. "
           "Lý do và số điểm có thể lấy lại: mở «Vì sao từng tiêu chí được chọn» dưới bảng.")
edited = st.data_editor(
    table, hide_index=True, height=460, key=f"draft_{entity}_{year}", disabled=["index", "code", "name", "priority"],
    column_config={  # pixel widths: the seven columns fit the main area of a 1366 px screen
        "chosen": st.column_config.CheckboxColumn("Chọn", width=56),
        "index": st.column_config.TextColumn("Chỉ số", width=84),
        "code": st.column_config.TextColumn("Mã", width=52),
        "name": st.column_config.TextColumn("Tiêu chí", width=240),
        "lead": lead_column,
        "support": support_column,
        "priority": st.column_config.TextColumn("Ưu tiên", width=84)})
with st.expander("Vì sao từng tiêu chí được chọn (lý do, điểm có thể lấy lại, điểm để lên một hạng)"):
    st.dataframe(pd.DataFrame({
        "code": focus.criterion_code, "name": focus.criterion_name, "reasons": focus.reasons.map("; ".join),
        "recoverable": focus.points_recoverable.map(fmt.num), "to_next": focus.points_to_next_rank.map(fmt.num),
    }), hide_index=True, column_config={
        "code": st.column_config.TextColumn("Mã", width=52), "name": st.column_config.TextColumn("Tiêu chí", width=240),
        "reasons": st.column_config.TextColumn("Lý do", width=330),
        "recoverable": st.column_config.TextColumn("Điểm có thể lấy lại", width=110),
        "to_next": st.column_config.TextColumn("Điểm tổng để lên 1 hạng", width=120)})
notices.source_line([notices.SCORES_SOURCE, *queries.units_sources(entity, focus, proposal)],
                    focus.is_illustrative.any())
if queries.plans_of(entity).empty and proposal.empty:
    st.info(f"Cơ quan chủ trì, phối hợp: {fmt.plain(queries.unassigned(entity))} — {fmt.plain(queries.authority_of(entity))} chưa có kế hoạch nào trong hệ thống. "
            + ("Chọn cơ quan trong hai cột trước khi tải bảng." if pick
               else "Có thể ghi trực tiếp vào hai cột cơ quan trước khi tải bảng."))

chosen = focus[edited.chosen.values].copy()
chosen["lead_units"] = [fmt.unit_list(v) for v in edited.lead[edited.chosen.values]]
chosen["support_units"] = [fmt.unit_list(v) for v in edited.support[edited.chosen.values]]
st.markdown(f"Đã chọn **{len(chosen)}** tiêu chí.")
gone = queries.dissolved(entity, today)
if gone:  # the former district: no document from an issuer that no longer exists
    st.info(fmt.plain(gone) + " Chọn một đơn vị kế thừa ở thanh bên để soạn và ban hành kế hoạch.")
elif len(chosen):
    place = queries.entity_label(entity).split(" (")[0]  # «Xã Vĩnh Lộc» in the file names
    con = queries.cursor()  # also the plan's, built on click: this run's database version
    task_rows = task_rows_of(draft_rows(con, chosen, entity))
    # the choice rests on the focus list: any illustrative row in it puts the notice on every page
    layout = task_layout(queries.authority_of(entity), year, illustrative=bool(focus.is_illustrative.any()))
    left, middle, right = st.columns(3)
    # built when clicked, not on every rerun of the page (e.g. at each tick in the editor)
    left.download_button("Tải bảng phân công nhiệm vụ (Excel)", lambda: task_table_xlsx(task_rows, **layout),
                         f"{slug('phân công nhiệm vụ', plan_year, place)}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")
    middle.download_button("Tải bảng phân công nhiệm vụ (Word)", lambda: task_table_docx(task_rows, **layout),
                           f"{slug('phân công nhiệm vụ', plan_year, place)}.docx", DOCX)
    right.download_button(f"Tải dự thảo kế hoạch năm {plan_year} (Word)",
                          lambda: plan_document_docx(gather_plan_document(con, entity, year, edited_rows=task_rows)),
                          f"{slug('dự thảo kế hoạch', plan_year, place)}.docx", DOCX)
    if focus.is_illustrative.any():
        st.caption("Lưu ý: danh sách được chọn dựa trên số liệu minh họa.")
    plan_adoption.show(entity, plan_year, lambda number, signed_on, signer: plan_document_docx(gather_plan_document(
        con, entity, year, edited_rows=task_rows, plan_number=number, signed_on=signed_on, signer_name=signer,
        today=today)), today)
