"""Tổng quan — for the chairman: each index's score and rank over the years, and where it slipped."""
import streamlit as st

from metrics import overview
from ui import charts, downloads, fmt, notices, queries, selection

queries.require_database()
entity = selection.pick_entity()
st.title("Tổng quan")
selection.reform_notice(entity)
st.caption(f"{fmt.plain(queries.entity_label(entity))} — điểm, thứ hạng và thay đổi của từng chỉ số")

mine = queries.metrics(entity)  # cached: one query for the cards and the trend
year = selection.pick_year(entity)
cards = overview.index_cards(None, entity, mine, year)
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
        with col.container(border=True):
            has_rank = not fmt.missing(c.rank)
            # the chairman's question first: the rank, and how it moved (green = better for the unit)
            move = fmt.rank_move(c.rank_change, c.prev_rank, c.rank) if has_rank else None
            st.metric(f"{fmt.INDEX_LABEL[c.index_code]} {c.year}",
                      f"Hạng {fmt.rank_text(c.rank, c.n_ranked, False)}" if has_rank else fmt.num(c.points),
                      delta=move, delta_color="normal" if move and c.rank_change else "off")
            st.caption(f"Điểm {fmt.num(c.points)}"
                       + (f" ({fmt.signed(c.change_points)} so với {c.year - 1})" if not fmt.missing(c.change_points)
                          else " (chuỗi mới)" if fmt.flag(c.break_before) else "")
                       + (" · hạng tự tính" if has_rank and fmt.flag(c.rank_computed) else "")
                       + (f" · {fmt.plain(c.label)}" if isinstance(c.label, str) and c.label else "")
                       + (" · minh họa" if fmt.flag(c.is_illustrative) else ""))
            down = overview.pulled_down(mine, c.index_code, int(c.year))
            if len(down):
                st.caption("Kéo xuống: " + "; ".join(f"{fmt.plain(r.criterion_code)} {fmt.plain(r.criterion_name)} "
                                                      f"({fmt.signed(r.change_points)})" for r in down.itertuples()))

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
    notices.source_line([notices.SCORES_SOURCE, queries.plan_source(entity)],
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
