"""«Tiến độ» → «Tổng hợp»: what the coordinating unit reads for a period — who has (not)
reported, what is overdue by the plan's own «Thời gian thực hiện», progress by index and by unit,
weak criteria with no progress, and what was reported done next to the score the year after.
Every figure comes from metrics/progress.py."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from domain import progress as vocab
from metrics import progress
from ui import fmt, notices, queries, selection
from ui import progress as uip
from ui.charts import PLOTLY_CONFIG


def show(ctx: progress.PlanContext, year: int, period: str, today: date) -> None:
    plan, when = ctx.plan_id, vocab.period_text(period, year)
    who = queries.cached(progress.who_reported, ctx, year, period, today)
    as_of = ctx.as_of(today)
    late = queries.cached(progress.overdue, ctx, as_of, year)
    counts = queries.cached(progress.progress_counts, plan, year, period)
    state = queries.cached(progress.duty_state, plan, year, period)
    uip.illustrative_reports_banner(state.is_illustrative)
    figures = progress.overview(who, late, counts)
    due = vocab.period(period).due(year)
    a, b, c, d = st.columns(4)
    a.metric("Cơ quan đã báo cáo đủ", f"{figures.units_full}/{figures.units_expected}")
    b.metric("Cơ quan chưa báo cáo", figures.units_none)
    c.metric(f"Quá hạn năm {year}", figures.overdue)
    d.metric("Nhiệm vụ chủ trì đã hoàn thành",
             "—" if figures.share_done is None else fmt.num(100 * figures.share_done, 0) + " %")
    st.caption(f"{when}: hạn nộp báo cáo {due:%d/%m/%Y} (data/progress/periods.csv). Chỉ tính các nhiệm vụ, tiêu chí "
               "cơ quan **chủ trì**; nhóm như «UBND cấp xã» tính cho từng xã thành viên.")

    st.subheader(f"Cơ quan chưa báo cáo đủ — {when}")
    missing = who[who.state != progress.REPORTED_FULL]
    if missing.empty:
        st.success("Mọi cơ quan chủ trì đã báo cáo đủ cho kỳ này.")
    else:
        for kind in (progress.REPORTED_NONE, progress.REPORTED_PART):
            names = missing[missing.state == kind].unit_name
            if len(names):
                st.markdown(f"**{progress.REPORTED_LABEL[kind]} ({len(names)}):** " + ", ".join(fmt.plain(n) for n in names))
        st.dataframe(uip.who_table(missing), hide_index=True, column_config=uip.WHO_COLUMNS)

    st.subheader(f"Nhiệm vụ quá hạn năm {year} theo «Thời gian thực hiện» (tính đến {as_of:%d/%m/%Y})")
    if late.empty:
        st.success("Không có nhiệm vụ nào quá hạn: các tiêu chí có hạn đều đã báo cáo «Hoàn thành».")
    else:
        st.dataframe(pd.DataFrame({
            "index": late.index_code.map(fmt.INDEX_LABEL), "code": late.item_code, "name": late.item_name.map(fmt.plain),
            "unit": late.unit_name, "deadline": late.deadline.map(lambda x: f"{x:%d/%m/%Y}"),
            "state": late.state.map(progress.STATE_LABEL)}), hide_index=True, column_config={
            "index": "Chỉ số", "code": "Mã", "name": st.column_config.TextColumn("Tiêu chí, nhiệm vụ", width=300),
            "unit": "Cơ quan chủ trì", "deadline": "Hạn", "state": "Tình trạng mới nhất"})
    with st.expander("Cách đọc «Thời gian thực hiện» của kế hoạch"):
        kinds = queries.cached(progress.timing_kinds, plan)
        st.dataframe(kinds.assign(text=kinds.text.map(fmt.plain)), hide_index=True, column_config={
            "text": st.column_config.TextColumn("Kế hoạch ghi", width=360), "n_duties": "Số nhiệm vụ chủ trì",
            "kind": "Đọc là", "deadlines": "Hạn hằng năm"})
        st.caption("«Thường xuyên» và «theo văn bản khác» không có hạn riêng: không bao giờ bị tính quá hạn; việc báo "
                   "cáo của chúng được theo dõi ở bảng «chưa báo cáo».")

    st.subheader("Tiến độ theo chỉ số")
    if len(counts):
        st.plotly_chart(uip.progress_chart(counts, "index_code", f"Tình trạng mới nhất đến hết kỳ {when}"),
                        config=PLOTLY_CONFIG)
        notices.source_line([uip.REPORTS_SOURCE, ctx.title], bool(state.is_illustrative.any()))  # plain() inside
    with st.expander("Tiến độ theo cơ quan"):
        by_unit = queries.cached(progress.progress_counts, plan, year, period, "unit_name")
        st.dataframe(by_unit.assign(share_done=by_unit.share_done.map(lambda v: fmt.num(100 * v, 0) + " %")),
                     hide_index=True, column_config={"unit_name": "Cơ quan", "total": "Tổng", "share_done": "Hoàn thành",
                                                     **{k: v for k, v in progress.STATE_LABEL.items()}})

    results = [y for y in selection.years_of(ctx.entity_code) if y <= year] or selection.years_of(ctx.entity_code)
    if results:
        results_year = max(results)
        st.subheader(f"Tiêu chí yếu năm {results_year} chưa có tiến triển")
        weak = queries.cached(progress.weak_without_progress, ctx, results_year, year, period)
        if weak.empty:
            st.success(f"Mọi tiêu chí đang giảm hoặc xếp hạng thấp năm {results_year} đều đã có cơ quan báo cáo «Đang "
                       "thực hiện» hoặc «Hoàn thành».")
        else:
            st.dataframe(pd.DataFrame({
                "index": weak.index_code.map(fmt.INDEX_LABEL), "code": weak.plan_code, "name": weak.criterion_name,
                "reasons": weak.reasons.map("; ".join), "lead": weak.lead_units.map(fmt.units_text),
                "unreported": [f"{u}/{n}" for u, n in zip(weak.n_unreported, weak.n_duties)]}), hide_index=True,
                column_config={"index": "Chỉ số", "code": "Mã", "name": st.column_config.TextColumn("Tiêu chí", width=240),
                               "reasons": st.column_config.TextColumn("Lý do", width=220), "lead": "Cơ quan chủ trì",
                               "unreported": st.column_config.TextColumn("Chưa báo cáo", help="số cơ quan chưa báo cáo / được giao")})

    st.subheader("Việc đã làm và điểm năm sau")
    shown = progress.effort_done(queries.cached(progress.effort_outcome, ctx), ctx)
    st.caption(progress.COINCIDENCE_NOTE)
    if shown.empty:
        st.info("Chưa có tiêu chí nào được báo cáo «Hoàn thành».")
    else:
        st.dataframe(pd.DataFrame({
            "index": shown.index_code.map(fmt.INDEX_LABEL), "code": shown.item_code, "name": shown.item_name,
            "year": shown.year.astype(str), "units": shown.done_units.map(fmt.units_text),
            "change": [fmt.signed(v) + " %-điểm" if pd.notna(v) else why
                       for v, why in zip(shown.change_pct_points, shown.no_change_reason)]}),
            hide_index=True, column_config={
            "index": "Chỉ số", "code": "Mã", "name": st.column_config.TextColumn("Tiêu chí", width=240), "year": "Năm N",
            "units": st.column_config.TextColumn("Báo cáo hoàn thành trong năm N", width=240),
            "change": "Điểm tiêu chí N → N+1"})
        notices.source_line([uip.REPORTS_SOURCE, notices.SCORES_SOURCE],
                            bool(shown.is_illustrative.any() or shown.reports_illustrative.any()))

