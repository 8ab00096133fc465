"""«Tiến độ» → «Nhập báo cáo»: a unit's duties for a period in an editable table, evidence files,
the Excel template and its upload, and the undo of the account's own last save. Every write goes
through store/progress.py (the import write path), the account's scope checked inside it."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from access.upload import receive_report
from domain import progress as vocab
from domain.problems import ValidationFailed
from domain.text import slug
from loaders.progress import template_xlsx
from metrics import progress
from store import progress as store_progress
from store.audit import REPORT_ACTIONS
from ui import account, fmt, queries, theme
from ui import progress as uip

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show(ctx: progress.PlanContext, year: int, period: str, scope, user: str) -> None:
    """The entry view for the account's own unit, or for a unit the coordinator picks."""
    plan, when = ctx.plan_id, vocab.period_text(period, year)
    sees_all = scope.sees_all(ctx.entity_code, ctx.coordinator)
    if sees_all:
        units = progress.reporting_units(queries.cached(store_progress.duties, plan), ctx.coordinator)
        names = dict(zip(units.unit_code, units.unit_name))
        unit = st.selectbox("Cơ quan báo cáo", list(units.unit_code), format_func=names.get, key=f"progress_unit_{plan}",
                            placeholder=theme.PLACEHOLDER)
    else:
        unit = scope.unit
    rows = queries.cached(progress.period_rows, plan, year, period, unit)
    if rows.empty:
        st.info("Cơ quan của tài khoản này không được giao nhiệm vụ nào trong kế hoạch này (kể cả qua nhóm).")
        return
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

    account.vietnamese_uploader()
    with st.expander("Đính kèm tệp minh chứng", key="progress_evidence_open"):
        reported = rows[rows.status.notna()]
        if reported.empty:
            st.caption("Lưu tình trạng của một dòng trước, rồi đính kèm tệp cho dòng đó.")
        else:
            with st.form(f"evidence_{plan}_{unit}_{year}_{period}", clear_on_submit=True):
                labels = {i: f"{r.index_code} {r.item_code} — {fmt.plain(r.item_name)[:70]}" for i, r in reported.iterrows()}
                which = st.selectbox("Tiêu chí, nhiệm vụ", list(labels), format_func=labels.get)
                upload = st.file_uploader("Tệp minh chứng (.pdf, .docx, .xlsx, .jpg, .png…)",
                                          type=[t.lstrip(".") for t in store_progress.EVIDENCE_TYPES])
                attach = st.form_submit_button("Đính kèm")
            if attach and upload is not None:
                r = reported.loc[which]
                try:
                    rel, digest = store_progress.keep_evidence(upload.getvalue(), upload.name, queries.database().path)
                except ValidationFailed as exc:
                    account.problems_table(exc, f"Tệp «{fmt.plain(upload.name)}» chưa được đính kèm")
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
            path = store_progress.evidence_path(r.evidence_file, queries.database().path)
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
                uip.save(pd.DataFrame([{**key, "year": year, "period": period, store_progress.REMOVE_EVIDENCE: True}]),
                         user=user, scope=scope, failed=f"Tệp «{fmt.plain(gone_name)}» chưa được gỡ",
                         file="(gỡ tệp minh chứng)",
                         done=lambda _: f"Đã gỡ tệp «{fmt.plain(gone_name)}» khỏi báo cáo {when}.")

    with st.expander("Báo cáo bằng tệp Excel", key="progress_excel_open"):
        title = f"BÁO CÁO TIẾN ĐỘ — {unit_name} — {ctx.title}"
        st.download_button("Tải mẫu báo cáo (Excel) của cơ quan này", lambda: template_xlsx(
            rows, year=year, period=period, title=title, reports=rows[rows.status.notna()],
            illustrative=bool(rows.is_illustrative.astype("boolean").fillna(False).any())),
            f"{slug('mẫu báo cáo', unit_name, vocab.period_text(period, year))}.xlsx", XLSX,
            on_click="ignore")  # no rerun: the expander stays open
        st.caption("Cột «Tệp minh chứng đã đính kèm» của mẫu chỉ để xem: nạp lại mẫu không gỡ, không thay tệp nào; "
                   "nạp lại đúng mẫu đã tải về thì không có gì thay đổi.")
        with st.form(f"import_{plan}_{unit}", clear_on_submit=True):
            upload = st.file_uploader("Mẫu đã điền (.xlsx)", type=["xlsx", "csv"])
            go = st.form_submit_button("Kiểm tra và nạp")
        if go and upload is not None:
            uip.write(lambda: receive_report(upload.name, upload.getvalue(), queries.database().path, user=user,
                                             scope=scope),
                      failed=f"Tệp «{fmt.plain(upload.name)}» không hợp lệ",
                      done=lambda r: f"Đã nạp {r.rows} dòng báo cáo từ «{fmt.plain(upload.name)}».")

    last = account.last_write()
    mine = scope.may_undo(last) and account.undo_available()
    account.undo_panel(f"Hoàn tác lần lưu gần nhất của bạn ({last.imported_at:%d/%m/%Y %H:%M})" if mine else None,
                       key="progress_undo", user=user, owner=user, actions=REPORT_ACTIONS)
