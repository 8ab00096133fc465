"""Chỉ số thành phần — one index: criteria × years heatmap, a table with flags and units,
and a criterion's detail (trend against the peers, points to climb, units, plan tasks)."""
import plotly.graph_objects as go
import streamlit as st

from ui import charts, fmt, notices, queries, selection

entity, index, year = selection.page_selection("Chỉ số thành phần")

m = queries.metrics(entity, index)
crit = m[m.criterion_code.notna()]
now = crit[(crit.year == year) & crit.is_leaf]
st.caption(f"{queries.entity_label(entity)} — {fmt.INDEX_LABEL[index]}, năm {year}")
notices.illustrative_banner(list(crit.is_illustrative))

# Heatmap of % of maximum, criteria × years. Within one framework version only: a criterion
# whose code changed meaning is a different row, labelled with its version.
heat = crit[crit.is_leaf & crit.pct.notna()].copy()  # no maximum published (a province's PAR areas): no %
if len(heat):
    heat["row"] = heat.criterion_code + " · " + heat.criterion_name.str.slice(0, 48)
    many_versions = heat.framework.nunique() > 1
    if many_versions:
        heat["row"] = heat.row + " (" + heat.framework + ")"
    grid = heat.pivot_table(index="row", columns="year", values="pct", aggfunc="first")
    grid = grid.reindex(sorted(grid.index, key=lambda r: [int(x) if x.isdigit() else x for x in r.split(" · ")[0].replace("SC", "").split(".")]))
    fig = go.Figure(go.Heatmap(z=grid.values, x=[str(c) for c in grid.columns], y=list(grid.index),
                               colorscale="RdYlGn", zmin=0, zmax=100, colorbar=dict(title="% tối đa"),
                               hovertemplate="%{y}<br>Năm %{x}: %{z:.1f}%<extra></extra>"))
    st.subheader("Điểm theo tiêu chí (% điểm tối đa)")
    fig = charts.style_figure(fig, height=max(320, 22 * len(grid) + 80), legend=False)
    fig.update_yaxes(autorange="reversed", type="category")  # the first criterion at the top
    st.plotly_chart(fig, config=charts.PLOTLY_CONFIG)
    notices.source_line(heat.source, heat.is_illustrative.any())
    if many_versions:
        st.caption("Bộ tiêu chí đã thay đổi qua các năm: mỗi phiên bản là một dòng riêng, không so sánh lẫn nhau.")

resp = queries.responsibility(entity)
resp = resp[resp.index_code == index][["framework", "criterion_code", "lead_units", "support_units", "plan_code"]]
table = now.merge(resp, on=["framework", "criterion_code"], how="left")
table["flags"] = [", ".join(f for f, on in (("đang giảm", d), ("hạng thấp", lr), ("không có số liệu", nd)) if on)
                  for d, lr, nd in zip(table.declining, table.low_ranked, table.no_data)]
unassigned = queries.unassigned(entity)  # once, not once per row
view = table.assign(
    points=table.points, rank=[fmt.rank_text(r, n, c) for r, n, c in zip(table["rank"], table.n_ranked, table.rank_computed)],
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
    "criterion_code": "Mã", "criterion_name": st.column_config.TextColumn("Tiêu chí", width="large"),
    "points": "Điểm", "max_points": "Tối đa", "pct": "% tối đa", "change_pct_points": "Thay đổi (điểm %)",
    "rank": "Hạng", "gap_to_median": "So với trung vị", "gap_to_best": "So với cao nhất",
    "flags": "Cờ", "lead_units": "Cơ quan chủ trì", "support_units": "Cơ quan phối hợp"})
notices.source_line(now.source, now.is_illustrative.any())
_plan = queries.plan_source(entity)
st.caption(fmt.plain(_plan[0].upper() + _plan[1:]))

st.subheader("Chi tiết một tiêu chí")
codes = list(now.criterion_code)
names = dict(zip(now.criterion_code, now.criterion_name))
if not codes:
    st.stop()
default = st.session_state.get("criterion") if st.session_state.get("criterion") in codes else codes[0]
code = st.selectbox("Tiêu chí", codes, index=codes.index(default), format_func=lambda c: f"{c} · {names[c]}")
st.session_state["criterion"] = code
row = table[table.criterion_code == code].iloc[0]
series = crit[(crit.criterion_code == code) & (crit.series == row.series)].sort_values("year")
left, right = st.columns([3, 2])
with left:
    fig = go.Figure()
    fig.add_scatter(x=series.year.astype(str), y=series.points, name=queries.entity_label(entity).split(" (")[0], mode="lines+markers")
    fig.add_scatter(x=series.year.astype(str), y=series.peer_median, name="Trung vị nhóm", mode="lines", line=dict(dash="dash"))
    fig.add_scatter(x=series.year.astype(str), y=series.peer_best, name="Cao nhất nhóm", mode="lines", line=dict(dash="dot"))
    fig.update_layout(yaxis_title="Điểm", xaxis_title="Năm")
    st.plotly_chart(charts.style_figure(fig, height=320), config=charts.PLOTLY_CONFIG)
    notices.source_line(series.source, series.is_illustrative.any())
with right:
    climb = queries.climb(entity, year, index)
    c = climb[climb.criterion_code == code]
    st.markdown(f"**Điểm {fmt.num(row.points)} / {fmt.num(row.max_points)}**, hạng {fmt.rank_text(row['rank'], row.n_ranked, row.rank_computed)}")
    if len(c) and c.total_per_point.notna().iloc[0]:
        c = c.iloc[0]
        if c.already_first:
            st.markdown("Đang đứng đầu nhóm.")
        else:
            st.markdown(f"Để lên một hạng cần thêm **{fmt.num(c.points_to_next_rank)}** điểm ở tiêu chí này"
                        + ("" if c.next_rank_possible else f" — **không thể** (chỉ còn {fmt.num(c.headroom)} điểm đến tối đa)"))
        st.markdown(f"Để vào nhóm 1/3 đầu cần thêm **{fmt.num(c.points_to_top)}** điểm"
                    + ("" if c.top_possible else " — **không thể** với riêng tiêu chí này"))
    st.markdown("**Cơ quan chủ trì:** " + fmt.plain(fmt.units_text(row.lead_units, unassigned)))
    st.markdown("**Cơ quan phối hợp:** " + fmt.plain(fmt.units_text(row.support_units)))

tasks = queries.q("SELECT DISTINCT task_no, text FROM plan_tasks WHERE index_code = ? ORDER BY task_no", "PAR" if index == "SIPAS" else index)
if len(tasks):
    with st.expander(f"Nhiệm vụ liên quan trong mục II.1 của kế hoạch ({len(tasks)})"):
        for t in tasks.itertuples():
            st.markdown(f"**{fmt.plain(t.task_no)}** — {fmt.plain(t.text)}")
