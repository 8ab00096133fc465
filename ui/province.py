"""Widgets of the «Toàn tỉnh» page (Sở Nội vụ): the period, the province's figures, the table of
communes with its filter and order, the communes whose rank fell, and the one-page summary to
download. Every figure comes from metrics/province.py (one query per table over all communes);
the document is exports/province_summary.py's."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from domain import progress as vocab
from metrics import province
from ui import fmt, notices, queries

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SIGN_IN_NOTE = ("Trang «Toàn tỉnh» cho thấy mọi xã, phường của tỉnh: kế hoạch năm, tình hình báo cáo, nhiệm vụ quá "
                "hạn, xã, phường tụt hạng. Trang chỉ mở sau khi đăng nhập bằng tài khoản của Sở Nội vụ (gắn với tỉnh) "
                "hoặc tài khoản quản trị.")
REPORTS_SOURCE = "kế hoạch và báo cáo tiến độ của các xã, phường (trang «Trọng tâm năm tới», «Tiến độ»)"
COLUMNS = {
    "name": st.column_config.TextColumn("Xã, phường", width=170),
    "plan": st.column_config.TextColumn("Kế hoạch năm", width=190, help="số, ngày ban hành kế hoạch của năm"),
    "state": st.column_config.TextColumn("Tình hình báo cáo", width=140),
    "none": st.column_config.NumberColumn("Cơ quan chưa báo cáo", help="cơ quan chủ trì chưa báo cáo nhiệm vụ nào của kỳ"),
    "partial": st.column_config.NumberColumn("Báo cáo một phần", help="cơ quan chủ trì đã báo cáo một phần nhiệm vụ"),
    "full": st.column_config.NumberColumn("Đã báo cáo đủ", help="cơ quan chủ trì đã báo cáo mọi nhiệm vụ được giao"),
    "overdue": st.column_config.NumberColumn("Nhiệm vụ quá hạn",
                                             help="nhiệm vụ chủ trì đã qua hạn trong «Thời gian thực hiện» mà chưa "
                                                  "báo cáo «Hoàn thành»"),
    "last": st.column_config.TextColumn("Báo cáo gần nhất"),
    "fell": st.column_config.TextColumn("Tụt hạng", width=200, help="hạng năm trước → hạng năm đánh giá gần nhất"),
}


def refuse(scope) -> None:
    """Say why an account that is neither Sở Nội vụ's of this province nor an administrator's
    sees nothing here (a commune's office never sees the next commune's data)."""
    if scope is None:
        st.info(SIGN_IN_NOTE)
        return
    whose = f"thuộc {fmt.plain(queries.styled(scope.entity))}" if scope.entity else "chưa gắn với đơn vị nào"
    st.info(f"Tài khoản «{fmt.plain(scope.account)}» {whose}: trang «Toàn tỉnh» (mọi xã, phường của "
            f"{fmt.plain(queries.styled(queries.PROVINCE))}) chỉ dành cho tài khoản của Sở Nội vụ và tài khoản quản "
            "trị. Báo cáo của đơn vị mình xem ở trang «Tiến độ».")


def pick_period(today: date) -> tuple[int, str]:
    """The year of ``today`` and a period of it, by default the one being collected now (in
    December the annual report)."""
    code, year = province.current_period(today)
    codes = list(vocab.PERIOD_CODES)
    chosen = st.session_state.get("province_period", code)
    period = st.selectbox(f"Kỳ báo cáo năm {year}", codes, index=codes.index(chosen if chosen in codes else code),
                          format_func=vocab.PERIOD_LABEL.get, key="_w_province_period")
    st.session_state["province_period"] = period
    return year, period


def show(province_code: str, today: date) -> None:
    year, period = pick_period(today)
    view = queries.cached(province.province_view, province_code, year, period, today)
    when = vocab.period_text(period, year)
    if view.illustrative:
        notices.illustrative_banner([True])
    figures(view)
    st.caption(f"{fmt.plain(when)}: hạn gửi báo cáo {view.due:%d/%m/%Y} (data/progress/periods.csv). Chỉ tính các "
               "nhiệm vụ, tiêu chí cơ quan **chủ trì**; quá hạn tính đến hôm nay theo «Thời gian thực hiện» của từng "
               "kế hoạch.")
    communes_table(view)
    notices.source_line([REPORTS_SOURCE], view.plans_illustrative)
    ranks(view)
    download(view)


def figures(view: province.ProvinceView) -> None:
    c = view.counts
    a, b, d, e, f = st.columns(5)
    a.metric(f"Có kế hoạch năm {int(view.year)}", f"{int(c.with_plan)}/{int(c.communes)}")
    b.metric("Đã báo cáo đủ", int(c.full))
    d.metric("Báo cáo một phần", int(c.partial))
    e.metric("Chưa báo cáo", int(c.none))
    f.metric("Nhiệm vụ quá hạn", int(c.overdue), help=f"ở {int(c.communes_overdue)} xã, phường")


def communes_table(view: province.ProvinceView) -> None:
    st.subheader(f"Các xã, phường — {fmt.plain(vocab.period_text(view.period, view.year))}")
    left, right = st.columns(2)
    show_codes, sort_codes = list(province.FILTER_LABEL), list(province.SORT_LABEL)
    shown = left.selectbox("Hiện", show_codes, format_func=province.FILTER_LABEL.get, key="province_show")
    order = right.selectbox("Sắp xếp", sort_codes, format_func=province.SORT_LABEL.get, key="province_sort")
    rows = province.sort(province.shown(view.communes, shown), order)
    if rows.empty:
        st.success("Không có xã, phường nào trong danh sách này.")
        return
    st.dataframe(commune_frame(rows, view), hide_index=True, column_config=COLUMNS,
                 height=min(560, 38 + 35 * len(rows)))
    st.caption(f"{int(len(rows))}/{int(view.counts.communes)} xã, phường.")


def commune_frame(rows: pd.DataFrame, view: province.ProvinceView) -> pd.DataFrame:
    """The table as shown: one row per commune, counts blank where the commune has no plan."""
    fell = fallen_text(view)
    has_plan = rows.plan_id.notna()

    def count(col: str) -> pd.Series:
        return rows[col].where(has_plan).astype("Int64")

    return pd.DataFrame({
        "name": rows.entity_name, "plan": [plan_text(r) for r in rows.itertuples()],
        "state": rows.state.map(province.STATE_LABEL),
        "none": count("units_none"), "partial": count("units_partial"), "full": count("units_full"),
        "overdue": count("overdue"),
        "last": rows.last_report_at.map(lambda t: "" if pd.isna(t) else f"{t:%d/%m/%Y}"),
        "fell": rows.entity_code.map(fell).fillna("")})


def plan_text(r) -> str:
    """«01/KH-UBND, 26/12/2025 (minh họa)», «có, chưa ghi số và ngày ban hành», «chưa có»."""
    if not isinstance(r.plan_id, str):
        return "chưa có"
    mark = " (minh họa)" if fmt.flag(r.plan_illustrative) else ""
    if not fmt.flag(r.adopted):
        return "có, chưa ghi số và ngày ban hành" + mark
    signed = "" if pd.isna(r.plan_signed_on) else f", {pd.Timestamp(r.plan_signed_on):%d/%m/%Y}"
    return f"{r.plan_number}{signed}{mark}"


def fallen_text(view: province.ProvinceView) -> dict[str, str]:
    """commune -> «PAR INDEX 12 → 17/166 (minh họa)» for each index its rank fell in."""
    out: dict[str, list[str]] = {}
    for r in view.fallen().itertuples():
        n = "" if pd.isna(r.n_ranked) else f"/{int(r.n_ranked)}"
        out.setdefault(r.entity_code, []).append(
            f"{fmt.INDEX_LABEL.get(r.index_code, r.index_code)} {int(r.prev_rank)} → {int(r.rank)}{n}"
            + (" (minh họa)" if fmt.flag(r.is_illustrative) else ""))
    return {k: "; ".join(v) for k, v in out.items()}


def ranks(view: province.ProvinceView) -> None:
    years = view.rank_years
    if not years:
        return
    latest = max(years.values())
    st.subheader(f"Xã, phường tụt hạng năm {int(latest)}")
    if not view.compared():
        st.info(fmt.plain(view.rank_note()))
        return
    fell = view.fallen()
    if fell.empty:
        st.success("Không có xã, phường nào tụt hạng so với năm đánh giá trước.")
        return
    st.dataframe(pd.DataFrame({
        "name": fell.entity_name, "index": fell.index_code.map(fmt.INDEX_LABEL),
        "year": fell.year.astype(str), "before": fell.prev_rank.astype("Int64"), "now": fell["rank"].astype("Int64"),
        "n": fell.n_ranked.astype("Int64"), "change": fell.rank_change.astype("Int64"),
        "note": fell.is_illustrative.map(lambda v: "minh họa" if fmt.flag(v) else "")}),
        hide_index=True, column_config={
            "name": st.column_config.TextColumn("Xã, phường", width=180), "index": "Chỉ số", "year": "Năm",
            "before": "Hạng năm trước", "now": "Hạng", "n": "Số đơn vị xếp hạng", "change": "Thay đổi hạng",
            "note": "Số liệu"})
    notices.source_line([notices.SCORES_SOURCE], view.ranks_illustrative)


def download(view: province.ProvinceView) -> None:
    from exports.province_summary import download_name, summary_docx

    st.subheader("Bản tổng hợp một trang")
    st.caption("Báo cáo tóm tắt của Sở Nội vụ (Word, một trang A4, thể thức Nghị định 30/2020/NĐ-CP): số xã, phường có "
               "kế hoạch, đã báo cáo đủ, một phần, chưa báo cáo; các xã, phường chưa báo cáo; 10 xã, phường nhiều "
               "nhiệm vụ quá hạn nhất; các xã, phường tụt hạng.")
    st.download_button("Tải bản tổng hợp toàn tỉnh (Word)", lambda: summary_docx(view),
                       download_name(view.period, view.year), DOCX, type="primary", on_click="ignore")
