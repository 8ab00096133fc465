"""Tổng quan — for the chairman: each index's score and rank over the years, and where it slipped.
The cards (ui/cards.py) are the first screen at 1366×768: rank and what it means, the criteria
furthest below the peers with their units, the predecessor's last rank as context."""
import streamlit as st

from metrics import overview, proposals
from ui import cards as ui_cards
from ui import charts, downloads, fmt, notices, queries, selection

queries.require_database()
entity = selection.pick_entity()
st.title("Tổng quan")
selection.reform_notice(entity)

mine = queries.metrics(entity)  # cached: one query for the cards and the trend
year = selection.pick_year(entity, due=True)  # with the year whose results are due: «chưa có kết quả»
st.caption(fmt.plain(queries.entity_label(entity)) + (f" · năm đánh giá {year}" if year else ""))
cards = overview.index_cards(None, entity, mine, year)
trend = overview.total_trend(None, entity, mine)
history = queries.history_trend(entity)  # with the predecessors' lines: the cards' context line, the chart
proposal = queries.proposal(entity)  # a commune without a plan: units proposed from its predecessor's, said so
urgent = proposals.with_units(queries.focus(entity, int(cards.year.max())).head(5), proposal) if len(cards) else cards
province = queries.metrics(queries.PROVINCE)
province = province[province.criterion_code.isna() & province.index_code.isin(["PAPI", "PCI"])]
notices.illustrative_banner(list(cards.is_illustrative) + list(trend.is_illustrative) + list(history.is_illustrative)
                           + list(urgent.get("is_illustrative", [])))

if cards.empty:
    st.info("Đơn vị này chưa có điểm tổng của chỉ số nào.")
else:
    missing = overview.without_result(cards, year)
    if missing:  # said, never a silent switch to an older year (a published result may simply not be loaded)
        said = (f"Chưa có kết quả năm {year} được công bố" if year >= overview.results_year_due()
                else f"Chưa nạp kết quả năm {year}")
        st.info(f"{said}: {', '.join(fmt.INDEX_LABEL[c] for c in missing)}. "
                "Thẻ của các chỉ số đó là kết quả gần nhất, ghi năm trên thẻ.")
    ui_cards.show(entity, cards, mine, history)

    st.subheader("Thứ hạng qua các năm")
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
        lead_units=[fmt.units_text(v, queries.unassigned(entity)) + (" (đề xuất)" if p else "")
                    for v, p in zip(urgent.lead_units, urgent.units_proposed)],
        points_recoverable=urgent.points_recoverable.map(fmt.num),
    )[["index_code", "criterion_code", "criterion_name", "lead_units", "reasons", "points_recoverable"]],
        hide_index=True, column_config={  # pixel widths: all six columns in view on a 1366 px screen
            "index_code": st.column_config.TextColumn("Chỉ số", width=84),
            "criterion_code": st.column_config.TextColumn("Mã", width=52),
            "criterion_name": st.column_config.TextColumn("Tiêu chí", width=230),
            "lead_units": st.column_config.TextColumn("Cơ quan chủ trì", width=200),
            "reasons": st.column_config.TextColumn("Lý do", width=230),
            "points_recoverable": st.column_config.TextColumn("Điểm lấy lại được", width=100)})
    st.caption("Xếp theo mức ưu tiên (vừa giảm vừa hạng thấp trước), rồi theo số điểm có thể lấy lại. "
               "Danh sách đầy đủ ở trang «Trọng tâm năm tới».")
    notices.source_line([notices.SCORES_SOURCE, *queries.units_sources(entity, urgent, proposal)],
                        urgent.is_illustrative.any())
else:
    st.success("Không có tiêu chí nào đang giảm hoặc xếp hạng thấp trong năm gần nhất.")

if len(province) and entity != queries.PROVINCE:
    st.subheader(f"Bối cảnh {fmt.plain(queries.styled(queries.PROVINCE))} (số liệu công bố)")
    context = province.assign(series=queries.styled(queries.PROVINCE), history=False)
    st.plotly_chart(charts.trend_figure(context, queries.breaks(queries.PROVINCE), labels=fmt.INDEX_LABEL, height=300),
                    config=charts.PLOTLY_CONFIG)
    st.caption("Nguồn: PAPI (CECODES, VFF-CRT, UNDP) — PAPI chỉ công bố nhóm: hạng do sản phẩm tự tính từ điểm, "
               "trừ những năm báo chí đã đăng hạng; PCI (VCCI, pcivietnam.vn) — hạng công bố.")

if len(cards):
    downloads.briefing_downloads(entity, int(cards.year.max()))
