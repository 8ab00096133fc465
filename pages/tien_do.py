"""Tiến độ — the plan's reporting loop. After signing in, a unit reports on its duties for a
period (on the page or with the Excel template); Phòng Nội vụ (the plan's coordinating unit)
sees who has reported, what is overdue, progress by index and unit, weak criteria with no
progress, and drafts the report section."""
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from domain import reporting as vocab
from domain.problems import Problem, ValidationFailed
from loaders.progress import read_progress, template_xlsx
from metrics import progress
from store import reporting as store_reports
from store.audit import sha256
from store.history import undo
from ui import admin, fmt, notices, queries, selection, theme
from ui.charts import PLOTLY_CONFIG
from ui import progress as uip

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REPORT_ACTIONS = ("report", "import-report")  # the writes a unit may undo, its own only
REPORTS_SOURCE = "báo cáo tiến độ của các cơ quan (nhập ở trang «Tiến độ»)"

queries.require_database()
entity = selection.pick_entity()
st.title("Tiến độ thực hiện kế hoạch")
plan = uip.pick_plan(entity)
if plan is None:
    st.info(f"{fmt.plain(queries.authority_of(entity))} chưa có kế hoạch giao việc nào trong hệ thống, nên chưa có gì để "
            "báo cáo. Nạp kế hoạch bằng `python -m loaders import-plan TỆP --plan-id MÃ --entity \"TÊN ĐƠN VỊ\"` "
            "(xem README, mục «Bảng phân công của kế hoạch»).")
    st.stop()
ctx = queries.cached(progress.plan_context, plan)
today = date.today()
if ctx.end < today:
    st.caption(f"Kế hoạch này kết thúc ngày {ctx.end:%d/%m/%Y}"
               + (" (đơn vị ban hành không còn từ 01/7/2025): xem như lịch sử." if ctx.end.month != 12 else ".")
               + " Báo cáo cho các kỳ trong thời gian thực hiện vẫn nhập được.")

auth = admin.auth_settings()
account = admin.sign_in_form(auth, key="sign_in_progress")
if not account:
    st.caption("Báo cáo tiến độ chỉ xem được sau khi đăng nhập: tài khoản của một cơ quan thấy và nhập báo cáo của "
               "cơ quan đó; tài khoản của cơ quan đầu mối (Phòng Nội vụ) và tài khoản quản trị thấy tất cả.")
    st.stop()
scope = admin.scope()
user = f"web: {account}"
if not scope.of_entity(ctx.entity_code):  # one commune's office never sees another's reports
    st.info(uip.other_entity_text(scope, ctx))
    admin.sign_out_button("progress_sign_out")
    st.stop()
year, period = uip.pick_period(ctx, today)
when = vocab.period_text(period, year)
sees_all = scope.sees_all(ctx.entity_code, ctx.coordinator)
views = ["Tổng hợp", "Nhập báo cáo", "Văn bản"] if sees_all else ["Nhập báo cáo"]
view = views[0] if len(views) == 1 else (
    st.segmented_control("Xem", views, default=views[0], key=f"progress_view_{account}") or views[0])
saved = st.empty()  # always there, so that the elements after it keep their place from run to run
if done := st.session_state.pop("progress_saved", None):
    saved.success(done)

if view == "Tổng hợp":
    who = queries.cached(progress.who_reported, ctx, year, period, today)
    as_of = ctx.as_of(today)
    late = queries.cached(progress.overdue, ctx, as_of, year)
    counts = queries.cached(progress.progress_counts, plan, year, period)
    state = queries.cached(progress.duty_state, plan, year, period)
    uip.illustrative_reports_banner(state.is_illustrative)
    full, none = int((who.state == "Đã báo cáo").sum()), int((who.state == "Chưa báo cáo").sum())
    total = int(counts.total.sum()) if len(counts) else 0
    due = vocab.period(period).due(year)
    a, b, c, d = st.columns(4)
    a.metric("Cơ quan đã báo cáo đủ", f"{full}/{len(who)}")
    b.metric("Cơ quan chưa báo cáo", none)
    c.metric(f"Quá hạn năm {year}", len(late))
    d.metric("Nhiệm vụ chủ trì đã hoàn thành", fmt.num(100 * counts.done.sum() / total, 0) + " %" if total else "—")
    st.caption(f"{when}: hạn nộp báo cáo {due:%d/%m/%Y} (data/reporting/periods.csv). Chỉ tính các nhiệm vụ, tiêu chí "
               "cơ quan **chủ trì**; nhóm như «UBND cấp xã» tính cho từng xã thành viên.")

    st.subheader(f"Cơ quan chưa báo cáo đủ — {when}")
    missing = who[who.state != "Đã báo cáo"]
    if missing.empty:
        st.success("Mọi cơ quan chủ trì đã báo cáo đủ cho kỳ này.")
    else:
        for label in ("Chưa báo cáo", "Báo cáo một phần"):
            names = missing[missing.state == label].unit_name
            if len(names):
                st.markdown(f"**{label} ({len(names)}):** " + ", ".join(fmt.plain(n) for n in names))
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
        notices.source_line([REPORTS_SOURCE, ctx.title], bool(state.is_illustrative.any()))  # plain() inside
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
    effort = queries.cached(progress.effort_outcome, ctx)
    shown = effort[effort.done_units.map(len) > 0] if len(effort) else effort
    shown = shown.sort_values("change_pct_points", na_position="last", key=lambda c: c.isna(), kind="stable") \
        if len(shown) else shown  # the years whose next result exists first
    st.caption(progress.COINCIDENCE_NOTE)
    if shown.empty:
        st.info("Chưa có tiêu chí nào được báo cáo «Hoàn thành».")
    else:
        st.dataframe(pd.DataFrame({
            "index": shown.index_code.map(fmt.INDEX_LABEL), "code": shown.item_code, "name": shown.item_name,
            "year": shown.year.astype(str), "units": shown.done_units.map(fmt.units_text),
            "change": [fmt.signed(v) + " %-điểm" if pd.notna(v)
                       else f"không có: {ctx.entity_name.lower()} không còn được đánh giá" if ctx.ended and y + 1 >= ctx.end.year
                       else f"chưa có kết quả năm {y + 1}" for v, y in zip(shown.change_pct_points, shown.year)]}),
            hide_index=True, column_config={
            "index": "Chỉ số", "code": "Mã", "name": st.column_config.TextColumn("Tiêu chí", width=240), "year": "Năm N",
            "units": st.column_config.TextColumn("Báo cáo hoàn thành trong năm N", width=240),
            "change": "Điểm tiêu chí N → N+1"})
        notices.source_line([REPORTS_SOURCE, notices.SCORES_SOURCE],
                            bool(shown.is_illustrative.any() or shown.reports_illustrative.any()))

elif view == "Văn bản":
    from exports.progress_report import progress_section_docx

    section = queries.cached(progress.report_section, ctx, year, period, today)
    uip.illustrative_reports_banner([section.is_illustrative])
    st.markdown(f"**Mục riêng của báo cáo cải cách hành chính {when}**: theo từng chỉ số, nhiệm vụ đã hoàn thành, đang "
                "thực hiện, chưa thực hiện (kèm cơ quan và minh chứng), và các cơ quan chưa báo cáo.")
    effort = queries.cached(progress.effort_outcome, ctx)
    st.download_button("Tải mục báo cáo (Word)", lambda: progress_section_docx(section, effort=effort),
                       f"muc_bao_cao_tien_do_{period}_{year}.docx", DOCX, type="primary", on_click="ignore")
    st.caption(f"{len(section.not_reported)} cơ quan chưa báo cáo, {len(section.partly_reported)} cơ quan báo cáo chưa đủ. "
               "Dự thảo kế hoạch năm tới (đủ thể thức theo Nghị định 30/2020/NĐ-CP) tải ở trang «Trọng tâm năm tới».")

else:  # Nhập báo cáo
    duties = queries.cached(store_reports.duties, plan)
    if sees_all:
        # units that lead something first (the coordinator's own first of all), then the others
        units = duties.assign(_lead=duties.role != "lead").sort_values(["_lead", "unit_name"]).drop_duplicates("unit_code")
        units = units.assign(_own=units.unit_code != ctx.coordinator).sort_values(["_own", "_lead", "unit_name"])
        names = dict(zip(units.unit_code, units.unit_name))
        unit = st.selectbox("Cơ quan báo cáo", list(units.unit_code), format_func=names.get, key=f"progress_unit_{plan}",
                            placeholder=theme.PLACEHOLDER)
    else:
        unit = scope.unit
    rows = queries.cached(progress.period_rows, plan, year, period, unit)
    if rows.empty:
        st.info("Cơ quan của tài khoản này không được giao nhiệm vụ nào trong kế hoạch này (kể cả qua nhóm).")
        admin.sign_out_button("progress_sign_out")
        st.stop()
    unit_name = rows.unit_name.iloc[0]
    uip.illustrative_reports_banner(rows.is_illustrative)
    st.markdown(f"**{fmt.plain(unit_name)}** — {len(rows)} tiêu chí, nhiệm vụ được giao; báo cáo **{when}** "
                f"(hạn {vocab.period(period).due(year):%d/%m/%Y}). Chọn «Tình trạng» ở những dòng đã có kết quả rồi bấm «Lưu báo cáo».")
    with st.form(f"report_{plan}_{unit}_{year}_{period}"):
        edited = uip.entry_editor(rows, key=f"editor_{plan}_{unit}_{year}_{period}")
        save = st.form_submit_button("Lưu báo cáo", type="primary")
    if save:
        changes = uip.changed_reports(rows, edited, year, period)
        if changes.empty:
            st.info("Không có thay đổi nào để lưu.")
        else:
            uip.save(changes, user=user, scope=scope, failed="Báo cáo chưa lưu", file="(nhập trên trang)",
                     done=lambda r: f"Đã lưu {r.rows} dòng báo cáo {when} của {fmt.plain(unit_name)}.")

    admin.vietnamese_uploader()
    with st.expander("Đính kèm tệp minh chứng", key="progress_evidence_open"):
        reported = rows[rows.status.notna()]
        if reported.empty:
            st.caption("Lưu tình trạng của một dòng trước, rồi đính kèm tệp cho dòng đó.")
        else:
            with st.form(f"evidence_{plan}_{unit}_{year}_{period}", clear_on_submit=True):
                labels = {i: f"{r.index_code} {r.item_code} — {fmt.plain(r.item_name)[:70]}" for i, r in reported.iterrows()}
                which = st.selectbox("Tiêu chí, nhiệm vụ", list(labels), format_func=labels.get)
                upload = st.file_uploader("Tệp minh chứng (.pdf, .docx, .xlsx, .jpg, .png…)",
                                          type=[t.lstrip(".") for t in store_reports.EVIDENCE_TYPES])
                attach = st.form_submit_button("Đính kèm")
            if attach and upload is not None:
                r = reported.loc[which]
                try:
                    rel, digest = store_reports.keep_evidence(upload.getvalue(), upload.name, queries.database().path)
                except ValidationFailed as exc:
                    uip.show_problems(exc, f"Tệp «{fmt.plain(upload.name)}» chưa được đính kèm")
                else:
                    row = {k: r[k] for k in ("plan_id", "item_kind", "index_code", "item_code", "unit_code", "status",
                                             "done_text", "evidence", "obstacles")}
                    uip.save(pd.DataFrame([{**row, "year": year, "period": period, "evidence_file": rel,
                                            "evidence_sha256": digest}]),
                             user=user, scope=scope, failed=f"Tệp «{fmt.plain(upload.name)}» chưa được đính kèm",
                             file=upload.name, digest=digest,
                             done=lambda _: f"Đã đính kèm «{fmt.plain(upload.name)}» (SHA-256 {digest[:12]}…).")
        from access.evidence import downloadable

        # only the files of rows this account may see (its own unit's; every unit's for the coordinator)
        attached = downloadable(rows, plan_id=plan, unit=scope.unit, sees_all=sees_all)
        for r in attached.itertuples():
            path = store_reports.evidence_path(r.evidence_file, queries.database().path)
            if path is not None:
                st.download_button(fmt.plain(f"{r.index_code} {r.item_code}: {path.name}"), lambda p=path: p.read_bytes(),
                                   path.name, on_click="ignore",  # read when clicked, not on every rerun
                                   key=f"ev_{r.Index}")
        if len(attached):  # taking a file off a report is asked for here, never through the template
            with st.form(f"detach_{plan}_{unit}_{year}_{period}", clear_on_submit=True):
                files = {i: f"{r.index_code} {r.item_code}: {Path(r.evidence_file).name}" for i, r in attached.iterrows()}
                gone = st.selectbox("Gỡ tệp đã đính kèm khỏi báo cáo", list(files), format_func=files.get,
                                    help="Báo cáo không còn tệp này; tệp vẫn nằm trong kho minh chứng, hoàn tác được.")
                detach = st.form_submit_button("Gỡ tệp")
            if detach and gone is not None:
                r = attached.loc[gone]
                gone_name = Path(r.evidence_file).name
                key = {k: r[k] for k in ("plan_id", "item_kind", "index_code", "item_code", "unit_code")}
                uip.save(pd.DataFrame([{**key, "year": year, "period": period, store_reports.REMOVE_EVIDENCE: True}]),
                         user=user, scope=scope, failed=f"Tệp «{fmt.plain(gone_name)}» chưa được gỡ",
                         file="(gỡ tệp minh chứng)",
                         done=lambda _: f"Đã gỡ tệp «{fmt.plain(gone_name)}» khỏi báo cáo {when}.")

    with st.expander("Báo cáo bằng tệp Excel", key="progress_excel_open"):
        title = f"BÁO CÁO TIẾN ĐỘ — {unit_name} — {ctx.title}"
        st.download_button("Tải mẫu báo cáo (Excel) của cơ quan này", lambda: template_xlsx(
            rows, year=year, period=period, title=title, reports=rows[rows.status.notna()],
            illustrative=bool(rows.is_illustrative.astype("boolean").fillna(False).any())),
            f"mau_bao_cao_{unit}_{period}_{year}.xlsx", XLSX, on_click="ignore")  # no rerun: the expander stays open
        st.caption("Cột «Tệp minh chứng đã đính kèm» của mẫu chỉ để xem: nạp lại mẫu không gỡ, không thay tệp nào; "
                   "nạp lại đúng mẫu đã tải về thì không có gì thay đổi.")
        with st.form(f"import_{plan}_{unit}", clear_on_submit=True):
            upload = st.file_uploader("Mẫu đã điền (.xlsx)", type=["xlsx", "csv"])
            go = st.form_submit_button("Kiểm tra và nạp")
        if go and upload is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / ("upload" + Path(upload.name).suffix.lower())
                path.write_bytes(upload.getvalue())
                try:
                    got = read_progress(path, upload.name)
                    if got.empty:
                        raise ValidationFailed([Problem(upload.name, "không có dòng nào ghi «Tình trạng»")])
                except ValidationFailed as exc:
                    uip.show_problems(exc, f"Tệp «{fmt.plain(upload.name)}» không hợp lệ")
                else:
                    uip.save(got, user=user, scope=scope, failed=f"Tệp «{fmt.plain(upload.name)}» không hợp lệ",
                             file=upload.name, digest=sha256(path), action="import-report", sheet=got.sheet.iloc[0],
                             done=lambda r: f"Đã nạp {r.rows} dòng báo cáo từ «{fmt.plain(upload.name)}».")

    last = admin.last_write()
    if last is not None and last.action in REPORT_ACTIONS and scope.owns_write(last.user_name) and admin.can_undo():
        with st.expander(f"Hoàn tác lần lưu gần nhất của bạn ({last.imported_at:%d/%m/%Y %H:%M})"):
            if st.button("Hoàn tác", key="progress_undo"):
                try:  # the write path checks again, under its lock, that the last write is still this account's
                    undo(queries.database().path, user=user, owner=user, actions=REPORT_ACTIONS)
                except ValidationFailed as exc:
                    st.error(fmt.plain(exc.report()))
                except Exception as exc:  # noqa: BLE001
                    admin.internal_error("hoàn tác", exc)
                else:
                    st.cache_data.clear()
                    st.session_state["progress_saved"] = "Đã hoàn tác lần lưu báo cáo gần nhất."
                    st.rerun()

admin.sign_out_button("progress_sign_out")
