"""Tổng quan — for the chairman: each index's score and rank over the years, and where it slipped."""
import streamlit as st

from metrics import overview
from ui import charts, downloads, fmt, notices, queries, selection

queries.require_database()
entity = selection.pick_entity()
st.title("Tổng quan")
selection.reform_notice(entity)
st.caption(f"{queries.entity_label(entity)} — điểm, thứ hạng và thay đổi của từng chỉ số")

mine = queries.metrics(entity)  # cached: one query for the cards and the trend
cards = overview.index_cards(None, entity, mine)
trend = overview.total_trend(None, entity, mine)
urgent = queries.focus(entity, int(cards.year.max())).head(5) if len(cards) else cards
province = queries.metrics(queries.PROVINCE)
province = province[province.criterion_code.isna() & province.index_code.isin(["PAPI", "PCI"])]
notices.illustrative_banner(list(cards.is_illustrative) + list(trend.is_illustrative) + list(urgent.get("is_illustrative", [])))

if cards.empty:
    st.info("Đơn vị này chưa có điểm tổng của chỉ số nào.")
else:
    cols = st.columns(len(cards))
    for col, c in zip(cols, cards.itertuples()):
        delta = None if c.change_points != c.change_points or c.change_points is None else fmt.signed(c.change_points)
        col.metric(f"{fmt.INDEX_LABEL[c.index_code]} {c.year}", fmt.num(c.points),
                   delta=f"{delta} điểm so với năm trước" if delta else ("chuỗi mới" if c.break_before else None),
                   delta_color="normal" if delta else "off")
        col.caption(f"Hạng {fmt.rank_text(c.rank, c.n_ranked, c.rank_computed)}"
                    + (f" · {c.label}" if isinstance(c.label, str) and c.label else "")
                    + (" · minh họa" if c.is_illustrative else ""))

    st.subheader("Thứ hạng qua các năm")
    history = queries.history_trend(entity)
    st.plotly_chart(charts.trend_figure(history, queries.breaks(entity), labels=fmt.INDEX_LABEL),
                    config=charts.PLOTLY_CONFIG)
    if history.history.any():
        st.caption("Đường nét đứt: kết quả của đơn vị trước khi sắp xếp đơn vị hành chính, xếp hạng trong nhóm khác. "
                   "Mỗi giai đoạn một khung với trục hạng riêng: hai bên không so sánh trực tiếp được.")
    notices.source_line(history.source, history.is_illustrative.any())

st.subheader("Năm điểm yếu cần xử lý trước")
if len(urgent):
    st.dataframe(urgent.assign(
        index_code=urgent.index_code.map(fmt.INDEX_LABEL), reasons=urgent.reasons.map("; ".join),
        lead_units=urgent.lead_units.map(lambda v, empty=queries.unassigned(entity): fmt.units_text(v, empty)),
        points_recoverable=urgent.points_recoverable.map(fmt.num),
    )[["index_code", "criterion_code", "criterion_name", "lead_units", "reasons", "points_recoverable"]].rename(columns={
        "index_code": "Chỉ số", "criterion_code": "Mã", "criterion_name": "Tiêu chí", "reasons": "Lý do",
        "points_recoverable": "Điểm có thể lấy lại", "lead_units": "Cơ quan chủ trì"}), hide_index=True)
    st.caption("Xếp theo mức ưu tiên (vừa giảm vừa hạng thấp trước), rồi theo số điểm có thể lấy lại. "
               "Danh sách đầy đủ ở trang «Trọng tâm năm tới».")
    notices.source_line([notices.SCORES_SOURCE, queries.plan_source(entity)],
                   urgent.is_illustrative.any())
else:
    st.success("Không có tiêu chí nào đang giảm hoặc xếp hạng thấp trong năm gần nhất.")

if len(province) and entity != queries.PROVINCE:
    st.subheader(f"Bối cảnh {queries.styled(queries.PROVINCE)} (số liệu công bố)")
    context = province.assign(series=queries.styled(queries.PROVINCE), history=False)
    st.plotly_chart(charts.trend_figure(context, queries.breaks(queries.PROVINCE), labels=fmt.INDEX_LABEL, height=300),
                    config=charts.PLOTLY_CONFIG)
    st.caption("Nguồn: PAPI (CECODES, VFF-CRT, UNDP) — PAPI chỉ công bố nhóm: hạng do sản phẩm tự tính từ điểm, "
               "trừ những năm báo chí đã đăng hạng; PCI (VCCI, pcivietnam.vn) — hạng công bố.")

if len(cards):
    downloads.briefing_downloads(entity, int(cards.year.max()))
