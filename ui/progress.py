"""Widgets of the «Tiến độ» page: choosing the plan and the period, the unit's entry table, and
Phòng Nội vụ's overview. Every figure comes from metrics/progress.py; every write goes through
store/progress.py (the same lock, snapshot and log as an import)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from domain import progress as vocab
from domain.problems import ValidationFailed
from domain.vocabulary import INDEX_LABEL
from loaders.progress import ROLE_LABEL
from metrics import progress
from ui import charts, fmt, queries, theme

ILLUSTRATIVE_REPORTS = ("**Có BÁO CÁO TIẾN ĐỘ MINH HỌA trên trang này** — không phải báo cáo thật của các cơ quan. "
                        "Các báo cáo minh họa (chữ «[Minh họa]» ở đầu) cho thấy trang khi đã có báo cáo; báo cáo thật "
                        "nhập ở mục «Nhập báo cáo» thay thế chúng.")
VIEW_LABEL = {"overview": "Tổng hợp", "entry": "Nhập báo cáo", "documents": "Văn bản"}  # access.auth.Scope.progress_views
REPORTS_SOURCE = "báo cáo tiến độ của các cơ quan (nhập ở trang «Tiến độ»)"
STATE_COLOUR = {"done": "#2e7d32", "in_progress": "#1976d2", "not_started": "#f9a825", "not_possible": "#c62828",
                progress.NO_REPORT: "#9e9e9e"}
LABEL_STATUS = {v: k for k, v in vocab.STATUS_LABEL.items()}
UNREPORTED = "— chưa báo cáo —"
CHART_ORDER = ["done", "in_progress", "not_started", "not_possible", progress.NO_REPORT]  # the status cell of a duty with no report for the period


def illustrative_reports_banner(flags) -> None:
    if any(bool(f) for f in flags if f is not None and f is not pd.NA and f == f):
        st.warning(ILLUSTRATIVE_REPORTS, icon="⚠️")


def other_entity_text(scope, ctx: progress.PlanContext) -> str:
    """Why an account tied to one entity sees nothing of another entity's plan."""
    name = fmt.plain(queries.styled(ctx.entity_code))
    if scope.entity is None:  # an old account line that names only a unit shared by several communes
        return (f"Tài khoản «{fmt.plain(scope.account)}» gắn với cơ quan mã «{fmt.plain(scope.unit)}» nhưng chưa gắn với "
                "xã, phường nào, nên chưa xem, nhập được báo cáo. Người quản trị chạy `python -m loaders set-password "
                "--user \"Họ tên\" --unit MÃ --entity \"Xã …\"` rồi khởi động lại ứng dụng (README, mục vận hành).")
    return (f"Tài khoản «{fmt.plain(scope.account)}» thuộc {fmt.plain(queries.styled(scope.entity))}: báo cáo tiến độ "
            f"của kế hoạch do {name} ban hành chỉ các cơ quan của {name} và tài khoản quản trị xem được. "
            f"Chọn {fmt.plain(queries.styled(scope.entity))} ở thanh bên để xem kế hoạch của đơn vị mình.")


def pick_plan(entity: str) -> str | None:
    plans = queries.cached(progress.plans_for, entity)
    if plans.empty:
        return None
    labels = {r.plan_id: f"{r.title} ({r.entity_name}" + (", trước 01/7/2025)" if r.history else ")")
              for r in plans.itertuples()}
    codes = list(plans.plan_id)
    current = st.session_state.get("progress_plan")
    if current not in codes:  # the entity's own plan under way this year, else the newest one
        current = progress.plan_for_year(plans, date.today().year)
    return st.selectbox("Kế hoạch", codes, index=codes.index(current),
                        format_func=lambda c: labels[c], key="progress_plan", placeholder=theme.PLACEHOLDER)


def pick_period(ctx: progress.PlanContext, today: date) -> tuple[int, str] | None:
    """Year and period, defaulting to the one being collected now (or the plan's last, once it
    ended). Only periods inside the plan's term are offered (progress.periods_in_term: the
    district's plan, ended 30/6/2025, has no quý III, quý IV or «Năm» 2025), the periods of the
    chosen year; None, with a line saying so, when the term holds no whole period."""
    term = progress.periods_in_term(ctx)
    if not term:
        st.info(f"Thời gian thực hiện của kế hoạch này (đến ngày {ctx.end:%d/%m/%Y}) không trọn một kỳ báo cáo nào "
                "(quý, 6 tháng, năm), nên không có kỳ nào để báo cáo.")
        return None
    period, year = progress.default_period(ctx, today)
    years = sorted({y for y, _ in term})
    # the choice lives in plain keys and each widget starts from it: a widget that was not drawn
    # for a run (the sign-in form stopped the page) comes back showing what is chosen; a choice
    # outside the term (kept from before it was known, or from another year) falls back to the default
    key = f"progress_period_{ctx.plan_id}"
    chosen = st.session_state.get(f"{key}_year", year)
    left, right = st.columns(2)
    y = int(left.selectbox("Năm", years, index=years.index(chosen if chosen in years else year), key=f"_w_{key}_y"))
    codes = [c for yy, c in term if yy == y]
    fallback = period if period in codes else codes[0]
    chosen = st.session_state.get(f"{key}_code", period)
    p = right.selectbox("Kỳ báo cáo", codes, index=codes.index(chosen if chosen in codes else fallback),
                        format_func=vocab.PERIOD_LABEL.get, key=f"_w_{key}_p")
    st.session_state[f"{key}_year"], st.session_state[f"{key}_code"] = y, p
    return y, p


# ---------------------------------------------------------------- a unit's entry table


def entry_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The editable table: one row per duty, status as its Vietnamese label."""
    def text(col: str) -> pd.Series:  # empty cells are empty, never «None»
        return rows[col].map(lambda v: v if isinstance(v, str) else "")

    return pd.DataFrame({
        # «PAR INDEX 3.4» for a criterion, «PAR INDEX · NV 1.1.3» for a task of section II.1
        "item": [f"{INDEX_LABEL.get(i, i)} {c}" if k == "criterion" else f"{INDEX_LABEL.get(i, i)} · NV {c}"
                 for i, k, c in zip(rows.index_code, rows.item_kind, rows.item_code)],
        "name": rows.item_name.map(lambda t: fmt.plain(t)),
        "role": [ROLE_LABEL.get(r, r) + (" (nhóm)" if isinstance(g, str) else "")
                 for r, g in zip(rows.role, rows.via_group_name)],
        "status": rows.status.map(lambda s: vocab.STATUS_LABEL.get(s, UNREPORTED)),
        "done_text": text("done_text"), "evidence": text("evidence"), "obstacles": text("obstacles"),
    })


def entry_editor(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    return st.data_editor(
        entry_frame(rows), hide_index=True, key=key, height=min(460, 38 + 35 * len(rows)),
        disabled=["item", "name", "role"],
        column_config={  # pixel widths: the columns a unit fills are in view at 1366 px
            "item": st.column_config.TextColumn("Mục", width=110, help="Chỉ số và mã tiêu chí; «NV» = nhiệm vụ mục II.1"),
            "name": st.column_config.TextColumn("Tiêu chí, nhiệm vụ", width=190),
            "role": st.column_config.TextColumn("Vai trò", width=86, help="«(nhóm)»: giao qua một nhóm cơ quan"),
            "status": st.column_config.SelectboxColumn("Tình trạng", options=[UNREPORTED, *vocab.STATUS_LABEL.values()],
                                                       width=130, required=True),
            "done_text": st.column_config.TextColumn("Kết quả đã thực hiện", width=170, max_chars=4000),
            "evidence": st.column_config.TextColumn("Văn bản, đường dẫn minh chứng", width=120, max_chars=4000,
                                                    help="Số, ký hiệu văn bản hoặc đường dẫn; tệp: mục «Đính kèm tệp minh chứng»"),
            "obstacles": st.column_config.TextColumn("Khó khăn, vướng mắc", width=120, max_chars=4000)})


def changed_reports(rows: pd.DataFrame, edited: pd.DataFrame, year: int, period: str) -> pd.DataFrame:
    """The rows of the editor that carry a status and differ from what is stored, as report rows
    (source_row = the table's row number, so an error names it)."""
    out = []
    for i, (r, e) in enumerate(zip(rows.to_dict("records"), edited.to_dict("records")), 1):
        status = LABEL_STATUS.get(e["status"])  # None for «— chưa báo cáo —» (or an emptied cell)
        texts = {k: (e[k].strip() if isinstance(e[k], str) and e[k].strip() else None)
                 for k in ("done_text", "evidence", "obstacles")}
        before = {k: (r[k] if isinstance(r[k], str) else None) for k in ("done_text", "evidence", "obstacles")}
        if status is None and not any(texts.values()):
            continue
        if status == r.get("status") and texts == before:
            continue
        out.append({"plan_id": r["plan_id"], "item_kind": r["item_kind"], "index_code": r["index_code"],
                    "item_code": r["item_code"], "unit_code": r["unit_code"], "year": year, "period": period,
                    "status": status, **texts, "evidence_file": r.get("evidence_file") if isinstance(r.get("evidence_file"), str) else None,
                    "evidence_sha256": r.get("evidence_sha256") if isinstance(r.get("evidence_sha256"), str) else None,
                    "source_row": i})
    return pd.DataFrame(out)


def write(action, *, failed: str, done) -> None:
    """Run one write of the reporting loop (``action()`` returns a store.progress.SaveResult);
    on success keep ``done(result)`` to show after the rerun, else show every problem (nothing
    was written) or a system error in Vietnamese."""
    from ui import account

    try:
        with st.spinner("Đang lưu…"):
            result = action()
    except ValidationFailed as exc:
        account.problems_table(exc, failed)
    except Exception as exc:  # noqa: BLE001 - a full disk or a locked file: say so, never a traceback
        account.internal_error("lưu báo cáo", exc)
    else:
        st.cache_data.clear()
        st.session_state["progress_saved"] = done(result) if result.status == "saved" else "Không có gì thay đổi."
        st.rerun()


def save(rows: pd.DataFrame, *, user: str, scope, failed: str, done, **kw) -> None:
    """Save report rows through the write path (store.progress.save_reports), as ``write``."""
    from store.progress import save_reports

    write(lambda: save_reports(queries.database().path, rows, user=user, scope=scope, **kw), failed=failed, done=done)


# ---------------------------------------------------------------- Phòng Nội vụ's overview


def progress_chart(counts: pd.DataFrame, by: str, title: str):
    """Stacked horizontal bars: led duties by latest state, one bar per index (or unit)."""
    labels = counts[by].map(lambda c: INDEX_LABEL.get(c, c) if by == "index_code" else fmt.plot_text(c))
    fig = go.Figure()
    for state in CHART_ORDER:  # done first: progress reads from the left
        fig.add_bar(y=labels, x=counts[state], orientation="h", name=progress.STATE_LABEL[state],
                    marker_color=STATE_COLOUR[state], text=counts[state].where(counts[state] > 0, None),
                    textposition="inside", hovertemplate="%{y}: %{x} " + progress.STATE_LABEL[state] + "<extra></extra>")
    charts.style_figure(fig, height=120 + 44 * len(counts))
    fig.update_layout(barmode="stack", title=dict(text=title, y=0.98, yanchor="top"), margin=dict(t=70),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, traceorder="normal"))
    fig.update_xaxes(type="linear", categoryorder=None, title="Số tiêu chí, nhiệm vụ được giao chủ trì")
    fig.update_yaxes(autorange="reversed")
    return fig


def who_table(who: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "unit": who.unit_name, "state": who.state.map(progress.REPORTED_LABEL),
        "reported": [f"{int(r)}/{int(n)}" for r, n in zip(who.n_reported, who.n_duties)],
        "last": who.last_at.map(lambda t: "" if pd.isna(t) else f"{t:%d/%m/%Y}"),
        "late": who.late.map(lambda v: "quá hạn" if v else "")})


WHO_COLUMNS = {"unit": st.column_config.TextColumn("Cơ quan", width=260), "state": "Tình hình",
               "reported": st.column_config.TextColumn("Đã báo cáo", help="số nhiệm vụ, tiêu chí chủ trì đã báo cáo / được giao"),
               "last": "Lần báo cáo gần nhất", "late": "Hạn nộp"}


# ---------------------------------------------------------------- «Văn bản»

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def documents(ctx: progress.PlanContext, year: int, period: str, today: date) -> None:
    """The report section of the period, as a Word download (exports/progress_report.py), named for
    the period and the entity the page is on (a commune downloading its former district's plan
    files it under its own name): «bao-cao-tien-do-6-thang-2025-xa-vinh-loc.docx»."""
    from exports.progress_report import download_name, progress_section_docx

    when = vocab.period_text(period, year)
    section = queries.cached(progress.report_section, ctx, year, period, today)
    illustrative_reports_banner([section.is_illustrative])
    st.markdown(f"**Mục riêng của báo cáo cải cách hành chính {when}**: tình hình báo cáo của các cơ quan; theo từng "
                "chỉ số, số tiêu chí, nhiệm vụ đã hoàn thành, đang thực hiện, chưa thực hiện và kết quả chủ yếu; khó "
                "khăn, đề xuất; phụ lục khổ ngang mỗi tiêu chí, nhiệm vụ một dòng (cơ quan chủ trì, tình trạng, minh "
                "chứng).")
    place = queries.styled(st.session_state.get("entity") or ctx.entity_code)
    st.download_button("Tải mục báo cáo (Word)", lambda: progress_section_docx(section),
                       download_name(period, year, place), DOCX, type="primary", on_click="ignore")
    st.caption(f"{len(section.not_reported)} cơ quan chưa báo cáo, {len(section.partly_reported)} cơ quan báo cáo chưa đủ. "
               "Dự thảo kế hoạch năm tới (đủ thể thức theo Nghị định 30/2020/NĐ-CP) tải ở trang «Trọng tâm năm tới».")
