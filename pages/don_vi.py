"""Đơn vị — any office, group or commune named in the selected entity's plans: what it leads
and supports, directly or through a group, how those criteria are going, and its focus tasks
in section II.1 of those plans. The units with duties come first and the page opens on one; a
unit without duties, or an entity without a plan, gets one line saying so (and what to do). A
commune without a plan of its own sees its offices' duties proposed from the former district's
plan, in the same tables, under one line saying they are proposals, not an assignment."""
import math

import streamlit as st

from metrics import proposals, units_view
from ui import fmt, notices, queries, selection, theme

NAME_CHARS = 58  # characters of a criterion's name that fit on one line of its 350 px column
queries.require_database()
entity = selection.pick_entity()
st.title("Đơn vị chịu trách nhiệm")
selection.reform_notice(entity)
plans = queries.cached(units_view.entity_plans, entity)
units = queries.cached(units_view.units_by_duties, entity)  # those with duties first
if not units.has_duties.any():  # no plan yet (a new commune): one line with what to do, not an empty page
    st.info(fmt.plain(queries.cached(units_view.no_duties_note, entity)))
    offices = units[units.kind.isin(["department", "government"])].name
    if len(offices):
        st.caption("Cơ quan kế hoạch có thể giao việc (danh mục đơn vị): " + "; ".join(fmt.plain(n) for n in offices) + ".")
    st.stop()
codes = list(units.unit_code)
names = dict(zip(units.unit_code, units.name))
labels = {c: units_view.unit_label(n, a, t, p)
          for c, n, a, t, p in zip(codes, units.name, units.n_criteria, units.n_tasks, units.proposed)}
current = st.session_state.get("unit") if st.session_state.get("unit") in codes else codes[0]
unit = st.selectbox("Cơ quan, đơn vị", codes, index=codes.index(current), format_func=labels.get,
                    placeholder=theme.PLACEHOLDER)
st.session_state["unit"] = unit
if not units.has_duties[codes.index(unit)]:  # one line, not an empty page
    st.info(fmt.plain(queries.cached(units_view.unit_without_duties_note, entity, names[unit])))
    st.stop()
proposed = bool(units.proposed.any())  # no plan of its own: the duties are proposals (metrics/proposals.py)
if proposed:
    st.info(fmt.plain(queries.cached(units_view.proposal_note, entity, unit)))
st.caption(f"Cờ và xu hướng tính cho {fmt.plain(queries.entity_label(entity))}, năm đánh giá gần nhất của từng chỉ số.")

duties = queries.cached(units_view.unit_status, unit, entity)
notices.illustrative_banner(duties.is_illustrative)
if duties.empty:
    st.info("Kế hoạch không giao tiêu chí nào cho đơn vị này (kể cả qua nhóm), chỉ các nhiệm vụ dưới đây.")
else:
    # each criterion once, in the strongest way it is given (metrics/units_view.py)
    d = units_view.duty_table(duties, queries.metrics(entity))
    via = d[d.section == units_view.GROUP]
    if "via_group" in via:  # the groups' names (from the registry or a plan) go into a subheader: plain text
        via = via.assign(via_group=via.via_group.map(lambda v: fmt.plain(v) if isinstance(v, str) else v))
    titles = {units_view.LEAD: units_view.SECTION_TITLE[units_view.LEAD],
              units_view.SUPPORT: units_view.SECTION_TITLE[units_view.SUPPORT],
              units_view.GROUP: units_view.group_title(via)}
    counts = {s: int((d.section == s).sum()) for s in titles}
    cards = st.columns(4)
    cards[0].metric("Chủ trì (trực tiếp)", counts[units_view.LEAD])
    cards[1].metric("Phối hợp (trực tiếp)", counts[units_view.SUPPORT])
    cards[2].metric("Qua nhóm chung", counts[units_view.GROUP])
    cards[3].metric("Đang giảm hoặc hạng thấp", int(d.flagged.sum()))
    # widths in pixels that add up to the page's width at 1366 px (about 900 px): no sideways scrolling
    columns = {"index_label": st.column_config.TextColumn("Chỉ số", width=80),
               "code": st.column_config.TextColumn("Mã", width=80),
               "criterion_name": st.column_config.TextColumn("Tiêu chí", width=350),
               "role_vi": st.column_config.TextColumn("Vai trò", width=75),
               "status": st.column_config.TextColumn("Tình hình", width=140),
               "trend": st.column_config.LineChartColumn("Xu hướng", help="% điểm tối đa qua các năm", y_min=0,
                                                         y_max=100, width=85),
               "note": st.column_config.TextColumn("Ghi chú", width=150)}
    for section, title in titles.items():
        part = d[d.section == section]
        st.subheader(f"{title} — {len(part)}")
        if part.empty:
            st.caption("Không có tiêu chí nào.")
            continue
        shown = ["index_label", "code", "criterion_name"] + (["role_vi"] if section == units_view.GROUP else [])
        shown += ["status", "trend"] + (["note"] if part.note.astype(bool).any() else [])
        # a long name wraps (st.dataframe wraps only rows taller than 64 px); every row shown, up to 12
        lines = max(1, math.ceil(part.criterion_name.str.len().max() / NAME_CHARS))
        row_h = 35 if lines == 1 else max(66, 21 * lines + 14)
        st.dataframe(part[shown], hide_index=True, column_config={c: columns[c] for c in shown},
                     row_height=row_h, height=36 + row_h * min(len(part), 12) + 2)
    st.caption("Mỗi tiêu chí ghi một lần, ở cách giao mạnh nhất: chủ trì trực tiếp, rồi phối hợp trực tiếp, rồi qua "
               "nhóm chung; việc khác của đơn vị ở cùng tiêu chí ghi ở cột «Ghi chú».")
    units_source = proposals.source_text(queries.proposal(entity)) if proposed else queries.plan_source(entity)
    notices.source_line([notices.SCORES_SOURCE, units_source], duties.is_illustrative.any())

if not plans.empty:
    tasks = units_view.task_groups(queries.cached(units_view.unit_tasks, unit, entity))
    subheader, source = units_view.task_heading(plans, len(tasks))
    st.subheader(fmt.plain(subheader))  # the plans' section numbers, titles and issuers: from files
    st.caption(fmt.plain(source))
    for role, label in (("lead", "Chủ trì"), ("support", "Phối hợp")):
        part = tasks[tasks.role == role]
        if part.empty:
            continue
        st.markdown(f"**{label} — {len(part)} nhiệm vụ**")
        shown = ["task_no", "index_code", "summary", "via"] + (["note"] if part.note.astype(bool).any() else [])
        st.dataframe(part.assign(index_code=part.index_code.map(fmt.INDEX_LABEL))[shown], hide_index=True,
                     height=36 + 35 * min(len(part), 15) + 2,  # every task in view, up to 15
                     column_config={"task_no": st.column_config.TextColumn("Số", width=55),
                                    "index_code": st.column_config.TextColumn("Chỉ số", width=80),
                                    "summary": st.column_config.TextColumn("Nội dung (dòng đầu; toàn văn ở dưới)",
                                                                           width=480),
                                    "via": st.column_config.TextColumn("Giao", width=110),
                                    "note": st.column_config.TextColumn("Ghi chú", width=170)})
        with st.expander(f"Toàn văn {len(part)} nhiệm vụ {label.lower()}"):
            for t in part.itertuples():
                via = f"qua nhóm «{t.via_group}»" if isinstance(t.via_group, str) else t.via
                st.markdown(f"**{fmt.plain(t.task_no)}** ({fmt.INDEX_LABEL[t.index_code]}; {fmt.plain(via)}"
                            + (f"; {fmt.plain(t.note)}" if t.note else "") + f"): {fmt.plain(t.text)}")
