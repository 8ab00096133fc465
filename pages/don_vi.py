"""Đơn vị — any office, group or commune named in the selected entity's plans: what it leads
and supports, directly or through a group, how those criteria are going, and its focus tasks
in section II.1 of those plans. An entity without a plan lists the offices of its level."""
import streamlit as st

from metrics import catalog, units_view
from ui import fmt, notices, queries, selection

ROLE = {"lead": "Chủ trì", "support": "Phối hợp"}
queries.require_database()
entity = selection.pick_entity()
st.title("Đơn vị chịu trách nhiệm")
selection.reform_notice(entity)
plans = queries.cached(units_view.entity_plans, entity)
if plans.empty:
    st.info(queries.cached(units_view.no_plan_note, entity))
units = queries.cached(catalog.units, entity)
if units.empty:
    st.stop()
codes = list(units.unit_code)
names = dict(zip(units.unit_code, units.name))
current = st.session_state.get("unit") if st.session_state.get("unit") in codes else codes[0]
unit = st.selectbox("Cơ quan, đơn vị", codes, index=codes.index(current), format_func=names.get)
st.session_state["unit"] = unit
st.caption(f"Cờ và xu hướng tính cho {queries.entity_label(entity)}, năm đánh giá gần nhất của từng chỉ số.")

duties = queries.cached(units_view.unit_status, unit, entity)
notices.illustrative_banner(duties.is_illustrative)
if duties.empty:
    if not plans.empty:
        st.info("Kế hoạch không giao tiêu chí nào cho đơn vị này (kể cả qua nhóm).")
else:
    trend = units_view.pct_trends(queries.metrics(entity)).rename(columns={"criterion_code": "published_code"})
    d = duties.merge(trend, on=["index_code", "framework", "published_code"], how="left")
    lead, support = (d.role == "lead").sum(), (d.role == "support").sum()
    a, b, c = st.columns(3)
    a.metric("Chủ trì", int(lead))
    b.metric("Phối hợp", int(support))
    c.metric("Đang giảm hoặc hạng thấp", int((d.declining | d.low_ranked).sum()))
    st.dataframe(d.assign(
        index_code=d.index_code.map(fmt.INDEX_LABEL), role=d.role.map(ROLE),
        via_group=d.via_group.fillna("trực tiếp"),
        status=["không có số liệu" if nd else ", ".join(x for x, on in (("đang giảm", de), ("hạng thấp", lo)) if on) or "ổn"
                for nd, de, lo in zip(d.no_data, d.declining, d.low_ranked)],
        trend=d.trend.map(lambda v: [x for x in v if x == x] if isinstance(v, list) or hasattr(v, "tolist") else []),
    )[["index_code", "plan_code", "criterion_name", "role", "via_group", "published_code", "status", "trend"]],
        hide_index=True, column_config={
            "index_code": "Chỉ số", "plan_code": "Mã KH", "criterion_name": st.column_config.TextColumn("Tiêu chí", width="large"),
            "role": "Vai trò", "via_group": "Giao qua", "published_code": "Mã công bố", "status": "Tình hình",
            "trend": st.column_config.LineChartColumn("Xu hướng (% tối đa)", y_min=0, y_max=100)})
    notices.source_line([notices.SCORES_SOURCE, queries.plan_source(entity)], duties.is_illustrative.any())

if not plans.empty:
    tasks = queries.cached(units_view.unit_tasks, unit, entity)
    subheader, source = units_view.task_heading(plans, len(tasks))
    st.subheader(subheader)
    st.caption(source)
    for t in tasks.itertuples():
        via = f" — qua nhóm «{t.via_group}»" if isinstance(t.via_group, str) else ""
        st.markdown(f"**{fmt.plain(t.task_no)}** ({fmt.INDEX_LABEL[t.index_code]}, {ROLE[t.role].lower()}{fmt.plain(via)}): "
                    f"{fmt.plain(t.text)}")
