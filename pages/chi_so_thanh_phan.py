"""Chỉ số thành phần — one index: criteria × years heatmap, a table with flags and units,
and a criterion's detail (trend against the peers, points to climb, units, plan tasks)."""
import plotly.graph_objects as go
import streamlit as st

from metrics import catalog, heatmap
from ui import charts, fmt, notices, queries, selection, theme
from ui import heatmap as ui_heatmap

entity, index, year = selection.page_selection("Chỉ số thành phần")

m = queries.metrics(entity, index)
crit = m[m.criterion_code.notna()]
now = crit[(crit.year == year) & crit.is_leaf]
st.caption(f"{fmt.plain(queries.entity_label(entity))} — {fmt.INDEX_LABEL[index]}, năm {year}")
notices.illustrative_banner(list(crit.is_illustrative))

# Criteria × years, coloured by the position among peers (metrics/heatmap.py): the framework
# version in force in the selected year; the other versions (their codes mean other things) on demand.
current, older = heatmap.grids(m, year)
if current is not None or older:
    st.subheader("Vị trí theo tiêu chí qua các năm")
    if current is not None:
        st.caption(f"Bộ tiêu chí {fmt.plain(current.framework)} ({current.period}), đang áp dụng năm {year}.")
        ui_heatmap.draw(current)
    elif len(now):
        st.info(f"Các tiêu chí năm {year} không có hạng so với đơn vị khác và không có điểm tối đa công bố: "
                "không tô màu được; điểm ở bảng dưới.")
    else:
        st.info(f"Năm {year} chưa có điểm từng tiêu chí trong bộ tiêu chí đang áp dụng.")
    notices.source_line(crit.source, crit.is_illustrative.any())
    newer = current is not None and any(g.years[0] > current.years[-1] for g in older)
    if older and st.toggle(f"Xem cả các phiên bản bộ tiêu chí {'khác' if newer else 'cũ'} ({len(older)})",
                           key="_w_old_frameworks"):
        st.caption("Mỗi phiên bản bộ tiêu chí là một bảng riêng: mã tiêu chí ở phiên bản khác có thể mang nội dung "
                   "khác, không so sánh lẫn nhau.")
        for g in older:
            st.markdown(f"**Bộ tiêu chí {fmt.plain(g.framework)} ({g.period})**")
            ui_heatmap.draw(g)

resp = queries.responsibility(entity)
resp = resp[resp.index_code == index][["framework", "criterion_code", "lead_units", "support_units", "plan_code"]]
table = now.merge(resp, on=["framework", "criterion_code"], how="left")
table["flags"] = [", ".join(f for f, on in (("đang giảm", d), ("hạng thấp", lr), ("không có số liệu", nd)) if on)
                  for d, lr, nd in zip(table.declining, table.low_ranked, table.no_data)]
unassigned = queries.unassigned(entity)  # once, not once per row
view = table.assign(
    points=table.points, rank=[fmt.rank_text(r, n, c, w) for r, n, c, w in
                               zip(table["rank"], table.n_ranked, table.rank_computed, table.rank_note)],
    lead_units=table.lead_units.map(lambda v: fmt.units_text(v, unassigned)),
    support_units=table.support_units.map(lambda v: fmt.units_text(v, "")),
)[["criterion_code", "criterion_name", "points", "lead_units", "support_units", "flags", "rank", "max_points",
   "pct", "change_pct_points", "gap_to_median", "gap_to_best"]]  # units next to the criterion, in view
st.subheader(f"Các tiêu chí năm {year}")
if now.empty:
    st.info(f"Năm {year} chỉ có điểm tổng của chỉ số, chưa có điểm từng tiêu chí.")
    st.stop()
st.dataframe(fmt.vn_table(view, {"points": 2, "max_points": 2, "pct": 1, "change_pct_points": 1, "gap_to_median": 2,
                                 "gap_to_best": 2}, signed_cols=("change_pct_points", "gap_to_median", "gap_to_best")),
             hide_index=True, column_config={
    # pixel widths: code, criterion, points and both unit columns in view on a 1366 px screen; the
    # detail columns after them are there for whoever scrolls
    "criterion_code": st.column_config.TextColumn("Mã", width=52),
    "criterion_name": st.column_config.TextColumn("Tiêu chí", width=220),
    "points": st.column_config.Column("Điểm", width=64),
    "lead_units": st.column_config.TextColumn("Cơ quan chủ trì", width=190),
    "support_units": st.column_config.TextColumn("Cơ quan phối hợp", width=190),
    "flags": st.column_config.TextColumn("Cờ", width=100), "rank": st.column_config.TextColumn("Hạng", width=90),
    "max_points": "Tối đa", "pct": "% tối đa", "change_pct_points": "Thay đổi (điểm phần trăm)",
    "gap_to_median": "So với trung vị", "gap_to_best": "So với cao nhất"})
notices.source_line(now.source, now.is_illustrative.any())
_plan = queries.plan_source(entity)
st.caption(fmt.plain(_plan[0].upper() + _plan[1:]))

st.subheader("Chi tiết một tiêu chí")
codes = list(now.criterion_code)
names = dict(zip(now.criterion_code, now.criterion_name))
if not codes:
    st.stop()
default = st.session_state.get("criterion") if st.session_state.get("criterion") in codes else codes[0]
code = st.selectbox("Tiêu chí", codes, index=codes.index(default), format_func=lambda c: f"{c} · {names[c]}",
                    placeholder=theme.PLACEHOLDER)
st.session_state["criterion"] = code
row = table[table.criterion_code == code].iloc[0]
series = crit[(crit.criterion_code == code) & (crit.series == row.series)].sort_values("year")
left, right = st.columns([3, 2])
with left:
    fig = go.Figure()
    fig.add_scatter(x=series.year.astype(str), y=series.points, name=fmt.plot_text(queries.entity_label(entity).split(" (")[0]),
                    mode="lines+markers")
    fig.add_scatter(x=series.year.astype(str), y=series.peer_median, name="Trung vị nhóm", mode="lines", line=dict(dash="dash"))
    fig.add_scatter(x=series.year.astype(str), y=series.peer_best, name="Cao nhất nhóm", mode="lines", line=dict(dash="dot"))
    fig.update_layout(yaxis_title="Điểm", xaxis_title="Năm")
    st.plotly_chart(charts.style_figure(fig, height=320), config=charts.PLOTLY_CONFIG)
    notices.source_line(series.source, series.is_illustrative.any())
with right:
    climb = queries.climb(entity, year, index)
    c = climb[climb.criterion_code == code]
    total = m[m.criterion_code.isna() & (m.year == year)]
    for line in heatmap.panel_lines(row, total.iloc[0] if len(total) else None, c.iloc[0] if len(c) else None):
        st.markdown(line)
    st.markdown("**Cơ quan chủ trì:** " + fmt.plain(fmt.units_text(row.lead_units, unassigned)))
    st.markdown("**Cơ quan phối hợp:** " + fmt.plain(fmt.units_text(row.support_units)))

tasks = queries.cached(catalog.plan_tasks, "PAR" if index == "SIPAS" else index)
if len(tasks):
    with st.expander(f"Nhiệm vụ liên quan trong mục II.1 của kế hoạch ({len(tasks)})"):
        for t in tasks.itertuples():
            st.markdown(f"**{fmt.plain(t.task_no)}** — {fmt.plain(t.text)}")
