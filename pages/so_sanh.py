"""So sánh — the entity among its peers for any index or criterion: ranked bars, the
distribution, and for provinces a map drawn offline from the shipped boundary files."""
import plotly.express as px
import streamlit as st

from metrics import catalog
from metrics.lineage import level_breaks
from metrics.compare import compare
from ui import charts, fmt, notices, queries, selection, theme

entity, index, year = selection.page_selection("So sánh với các đơn vị cùng cấp")
crit = queries.cached(catalog.criteria, entity, index, year)
options = [None] + list(crit.criterion_code)
labels = {None: "Điểm tổng của chỉ số", **{c: f"{c} · {n}" for c, n in zip(crit.criterion_code, crit.criterion_name)}}
code = st.selectbox("Tiêu chí", options, format_func=labels.get, placeholder=theme.PLACEHOLDER)

cmp = queries.cached(compare, entity, index, year, code)
peers = cmp.peers
level = queries.entity_row(entity).level
st.caption(f"{fmt.INDEX_LABEL[index]} · {fmt.plain(labels[code])} · năm {year} · {cmp.n_scored} đơn vị "
           f"{fmt.LEVEL_VI.get(level, '')} có điểm")
notices.illustrative_banner(peers.is_illustrative)
me = cmp.me
if peers.empty or me is None:
    st.info("Không có số liệu so sánh cho lựa chọn này.")
    st.stop()
if not cmp.meaningful or cmp.partial:
    # one or two units, or a publisher's top list: bars, a histogram or a map of them mislead
    if cmp.partial:
        st.info(f"Nhà công bố xếp hạng {cmp.n_ranked} đơn vị nhưng chỉ công bố (hoặc cơ sở dữ liệu chỉ có) điểm của "
                f"{cmp.n_scored} đơn vị, nên không vẽ biểu đồ so sánh: chỉ hiện hạng đã công bố và các đơn vị có điểm.")
    else:
        st.info(f"Chỉ có {cmp.n_scored} đơn vị {fmt.LEVEL_VI.get(level, '')} có điểm {fmt.plain(labels[code].lower())} năm {year} "
                "trong cơ sở dữ liệu, nên không vẽ so sánh.")
    left, right = st.columns(2)
    left.metric(f"Hạng của {fmt.plain(me.entity_name)}",  # the name of that year (Thừa Thiên-Huế in 2023)
                fmt.rank_text(me["rank"], me.n_ranked, me.rank_computed, me.rank_note), border=True)
    right.metric("Điểm", fmt.num(me.points), border=True)
    if cmp.partial:
        st.dataframe(peers.assign(rank=[fmt.rank_text(r, n, c, w) for r, n, c, w in
                                        zip(peers["rank"], peers.n_ranked, peers.rank_computed, peers.rank_note)],
                                  points=peers.points.map(fmt.num))[["rank", "entity_name", "points"]],
                     hide_index=True, column_config={"rank": "Hạng", "entity_name": "Đơn vị", "points": "Điểm"})
    notices.source_line(peers.source, peers.is_illustrative.any())
    st.stop()
if cmp.missing:
    st.info(f"Nhà công bố xếp hạng {cmp.n_ranked} đơn vị nhưng chỉ có điểm của {cmp.n_scored} đơn vị trong cơ sở dữ liệu "
            f"(thiếu {cmp.missing}); biểu đồ chỉ gồm các đơn vị có điểm, hạng là hạng trong {cmp.n_ranked} đơn vị.")
if cmp.conflicts:
    st.warning("Không xếp hạng được: " + "; ".join(f"{fmt.plain(n)} ({fmt.RANK_NOTES.get(w, w)})" for n, w in cmp.conflicts))
if cmp.inverted:
    st.caption("Theo công bố, các cặp sau có hạng không theo thứ tự điểm (giữ nguyên hạng công bố): "
               + "; ".join(f"{fmt.plain(a)} xếp trên {fmt.plain(b)}" for a, b in cmp.inverted))

bars = peers[peers.points.notna()].copy()
bars["Đơn vị"] = bars.entity_name.map(fmt.plot_text)  # a tick label and the hover: plotly reads HTML in them
bars["Nhóm"] = ["Đơn vị đang xem" if m else "Đơn vị khác" for m in bars.is_me]
bars["Hạng"] = [fmt.rank_text(r, n, c, w) for r, n, c, w in
                zip(bars["rank"], bars.n_ranked, bars.rank_computed, bars.rank_note)]
bars["Điểm"] = bars.points.map(fmt.num)
fig = px.bar(bars.iloc[::-1], x="points", y="Đơn vị", color="Nhóm", orientation="h",
             color_discrete_map={"Đơn vị đang xem": "#d62728", "Đơn vị khác": "#9ecae1"},
             labels={"points": "Điểm"}, hover_name="Đơn vị",
             hover_data={"Hạng": True, "Điểm": True, "points": False, "Nhóm": False, "Đơn vị": False})
fig = charts.style_figure(fig, height=max(360, 18 * len(bars) + 80)).update_xaxes(type="linear")
# start the axis near the lowest score: from 0, 85 and 93 look the same
lo, hi = float(bars.points.min()), float(bars.points.max())
pad = max(0.5, (hi - lo) * 0.08)
fig.update_xaxes(range=[lo - pad, hi + pad])
# one trace per colour would otherwise order the bars by colour: keep the ranking order
fig.update_yaxes(categoryorder="array", categoryarray=list(bars["Đơn vị"].iloc[::-1]))
st.subheader("Xếp hạng")
st.plotly_chart(fig, config=charts.PLOTLY_CONFIG)
st.caption("Trục điểm không bắt đầu từ 0, để thấy rõ chênh lệch giữa các đơn vị.")
notices.source_line(peers.source, peers.is_illustrative.any())

st.subheader("Phân bố điểm")
fig = px.histogram(bars, x="points", nbins=min(20, max(5, len(bars) // 3)), labels={"points": "Điểm", "count": "Số đơn vị"})
fig.update_layout(yaxis_title="Số đơn vị", bargap=0.05)
fig.update_traces(hovertemplate="Điểm %{x}<br>%{y} đơn vị<extra></extra>")
if me.points == me.points:
    fig.add_vline(x=float(me.points), line_color="#d62728", line_width=3,
                  annotation_text=fmt.plot_text(me.entity_name), annotation_position="top")
st.plotly_chart(charts.style_figure(fig, height=300, legend=False).update_xaxes(type="linear"), config=charts.PLOTLY_CONFIG)
notices.source_line(peers.source, peers.is_illustrative.any())

peers = bars
if level == "province":
    after = any(year >= y for y in level_breaks("province"))  # the 34 provinces' boundaries
    geo = charts.province_geojson(after)
    peers["loc"] = peers.entity_name if after else peers.entity_code.str.replace("VN-", "", regex=False)
    fig = px.choropleth_map(peers, geojson=geo, locations="loc",
                            featureidkey="properties.name_vi" if after else "properties.gso_code",
                            color="points", color_continuous_scale="RdYlGn", map_style="white-bg",
                            center={"lat": 16.0, "lon": 106.3}, zoom=4.7, opacity=0.85,
                            hover_name="Đơn vị", hover_data={"loc": False, "points": False, "Điểm": True, "Hạng": True},
                            labels={"points": "Điểm"})
    st.subheader("Bản đồ")
    st.plotly_chart(charts.style_figure(fig, height=760, legend=False), config=charts.PLOTLY_CONFIG)
    st.caption(charts.GEO_ATTRIBUTION)
    notices.source_line(peers.source, peers.is_illustrative.any())
else:
    st.caption("Chưa có bản đồ ranh giới cấp huyện, xã với giấy phép phù hợp: chỉ cấp tỉnh có bản đồ.")
