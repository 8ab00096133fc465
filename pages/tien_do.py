"""Tiến độ — the plan's reporting loop. After signing in, a unit reports on its duties for a
period (on the page or with the Excel template); the plan's coordinating unit sees who has
reported, what is overdue, progress by index and unit, weak criteria with no progress, and
drafts the report section. What an account sees is access.auth.Scope's to say."""
from datetime import date

import streamlit as st

from metrics import progress
from ui import account, fmt, progress_entry, progress_overview, queries, selection
from ui import progress as uip

queries.require_database()
entity = selection.pick_entity()
st.title("Tiến độ thực hiện kế hoạch")
plan = uip.pick_plan(entity)
if plan is None:
    st.info(f"{fmt.plain(queries.authority_of(entity))} chưa có kế hoạch giao việc nào trong hệ thống, nên chưa có gì để "
            "báo cáo. Cơ quan đầu mối ban hành kế hoạch ở trang «Trọng tâm năm tới» (mục «Ban hành kế hoạch năm … "
            "trong ứng dụng»), hoặc người quản trị nạp bằng `python -m loaders import-plan TỆP --plan-id MÃ --entity "
            "\"TÊN ĐƠN VỊ\"` (xem README, mục «Năm của xã»).")
    if account.signed_in_user():  # «Đăng xuất» on every screen a signed-in account reaches
        account.sign_out_button("progress_sign_out")
    st.stop()
ctx = queries.cached(progress.plan_context, plan)
today = date.today()
if ctx.end < today:
    st.caption(f"Kế hoạch này kết thúc ngày {ctx.end:%d/%m/%Y}"
               + (" (đơn vị ban hành không còn từ 01/7/2025): xem như lịch sử." if ctx.end.month != 12 else ".")
               + " Báo cáo cho các kỳ trong thời gian thực hiện vẫn nhập được.")

auth = account.auth_settings()
account_name = account.sign_in_form(auth, key="sign_in_progress")
scope = account.scope() if account_name else None  # None too when this browser is not the one that signed in
if scope is None:
    st.caption("Báo cáo tiến độ chỉ xem được sau khi đăng nhập: tài khoản của một cơ quan thấy và nhập báo cáo của "
               "cơ quan đó; tài khoản của cơ quan đầu mối thấy mọi cơ quan của đơn vị mình; tài khoản quản trị thấy tất cả.")
    st.stop()
views = scope.progress_views(ctx.entity_code, ctx.coordinator)
if not views:  # one commune's office never sees another's reports
    st.info(uip.other_entity_text(scope, ctx))
elif (chosen := uip.pick_period(ctx, today)) is not None:  # None: no whole period in the term, and it said so
    year, period = chosen
    view = views[0] if len(views) == 1 else (
        st.segmented_control("Xem", views, default=views[0], format_func=uip.VIEW_LABEL.get,
                             key=f"progress_view_{account_name}") or views[0])
    saved = st.empty()  # always there, so that the elements after it keep their place from run to run
    if done := st.session_state.pop("progress_saved", None):
        saved.success(done)
    if view == "overview":
        progress_overview.show(ctx, year, period, today)
    elif view == "documents":
        uip.documents(ctx, year, period, today)
    else:
        progress_entry.show(ctx, year, period, scope, f"web: {account_name}")
account.sign_out_button("progress_sign_out")
