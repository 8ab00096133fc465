"""So sánh — the entity among its peers for any index or criterion: ranked bars, the
distribution, and for provinces a map drawn offline from the shipped boundary files."""
import plotly.express as px
import streamlit as st

from ui import common as ui

entity, index, year = ui.page_selection("So sánh với các đơn vị cùng cấp")
crit = ui.q("""SELECT DISTINCT criterion_code, criterion_name FROM scores WHERE entity_code = ? AND index_code = ?
               AND year = ? AND criterion_code IS NOT NULL ORDER BY criterion_code""", entity, index, year)
options = [None] + list(crit.criterion_code)
labels = {None: "Điểm tổng của chỉ số", **{c: f"{c} · {n}" for c, n in zip(crit.criterion_code, crit.criterion_name)}}
code = st.selectbox("Tiêu chí", options, format_func=labels.get)

me = ui.q("SELECT level AS entity_level, COALESCE(parent_code, '') AS parent FROM entities WHERE entity_code = ?", entity).iloc[0]
peers = ui.q(f"""SELECT s.entity_code, s.entity_name, s.points, s.pct, s.rank, s.n_ranked, s.rank_published,
                        s.is_illustrative, s.source, s.framework
                 FROM scores s JOIN entities e USING (entity_code)
                 WHERE s.index_code = ? AND s.year = ? AND s.criterion_code {'IS NULL' if code is None else '= ?'}
                   AND s.entity_level = ? AND COALESCE(e.parent_code, '') = ? AND s.points IS NOT NULL
                 ORDER BY s.points DESC""", *([index, year] + ([] if code is None else [code]) + [me.entity_level, me.parent]))
st.caption(f"{ui.INDEX_LABEL[index]} · {labels[code]} · năm {year} · {len(peers)} đơn vị "
           f"{ui.LEVEL_VI.get(me.entity_level, '').lower()} cùng cấp")
ui.illustrative_banner(peers.is_illustrative)
if peers.empty:
    st.info("Không có số liệu so sánh cho lựa chọn này.")
    st.stop()

peers["Đơn vị"] = peers.entity_name
peers["Nhóm"] = ["Đơn vị đang xem" if c == entity else "Đơn vị khác" for c in peers.entity_code]
fig = px.bar(peers.iloc[::-1], x="points", y="Đơn vị", color="Nhóm", orientation="h",
             color_discrete_map={"Đơn vị đang xem": "#d62728", "Đơn vị khác": "#9ecae1"},
             labels={"points": "Điểm"}, hover_data={"rank": True, "n_ranked": True, "Nhóm": False})
fig = ui.style_figure(fig, height=max(360, 18 * len(peers) + 80)).update_xaxes(type="linear")
# one trace per colour would otherwise order the bars by colour: keep the ranking order
fig.update_yaxes(categoryorder="array", categoryarray=list(peers["Đơn vị"].iloc[::-1]))
st.subheader("Xếp hạng")
st.plotly_chart(fig, config=ui.PLOTLY_CONFIG)
ui.source_line(peers.source, peers.is_illustrative.any())

st.subheader("Phân bố điểm")
mine = peers[peers.entity_code == entity]
fig = px.histogram(peers, x="points", nbins=min(20, max(5, len(peers) // 3)), labels={"points": "Điểm", "count": "Số đơn vị"})
fig.update_layout(yaxis_title="Số đơn vị", bargap=0.05)
if len(mine):
    fig.add_vline(x=float(mine.points.iloc[0]), line_color="#d62728", line_width=3,
                  annotation_text=mine.entity_name.iloc[0], annotation_position="top")
st.plotly_chart(ui.style_figure(fig, height=300, legend=False).update_xaxes(type="linear"), config=ui.PLOTLY_CONFIG)
ui.source_line(peers.source, peers.is_illustrative.any())

if me.entity_level == "province":
    after = year >= 2025
    geo = ui.province_geojson(after)
    peers["loc"] = peers.entity_name if after else peers.entity_code.str.replace("VN-", "", regex=False)
    fig = px.choropleth_map(peers, geojson=geo, locations="loc",
                            featureidkey="properties.name_vi" if after else "properties.gso_code",
                            color="points", color_continuous_scale="RdYlGn", map_style="white-bg",
                            center={"lat": 16.0, "lon": 106.3}, zoom=4.7, opacity=0.85,
                            hover_name="entity_name", hover_data={"loc": False, "points": ":.2f", "rank": True},
                            labels={"points": "Điểm", "rank": "Hạng"})
    st.subheader("Bản đồ")
    st.plotly_chart(ui.style_figure(fig, height=760, legend=False), config=ui.PLOTLY_CONFIG)
    st.caption(ui.GEO_ATTRIBUTION)
    ui.source_line(peers.source, peers.is_illustrative.any())
else:
    st.caption("Chưa có bản đồ ranh giới cấp huyện, xã với giấy phép phù hợp: chỉ cấp tỉnh có bản đồ.")
