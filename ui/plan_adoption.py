"""«Ban hành kế hoạch»: on «Trọng tâm năm tới», the coordinating unit (signed in) makes the
draft on the page — or the signed document — the entity's plan of record for the year
(access.upload.receive_plan → store.adoption.adopt_plan: checked, locked, logged, undoable).
What it needs from the page: the entity, the plan's year and a function that builds the draft
as Word bytes with the number, date and signer filled in."""
from __future__ import annotations

from datetime import date
from typing import Callable

import streamlit as st

from access.upload import receive_plan
from domain.progress import coordinator_for
from domain.problems import ValidationFailed
from ui import account, fmt, queries

FROM_DRAFT, FROM_FILE = "Bản dự thảo trên trang này", "Tệp kế hoạch đã ký (.docx, .xlsx)"
UNDO_ACTIONS = ("adopt-plan",)


def adopted_text(a) -> str:
    """What the page says after a plan is adopted: which plan, how many duties, and what became
    of the reports of an earlier version."""
    text = (f"Đã ban hành Kế hoạch số {fmt.plain(a.number)} ngày {a.signed_on:%d/%m/%Y} "
            f"({a.duties} lượt giao việc cho các cơ quan). Kế hoạch có ở trang «Tiến độ», «Đơn vị» và trong các tệp tải về.")
    if a.replaced:
        text += (f" Bản này thay bản trước của năm {a.year_from}: giữ {a.reports_kept} báo cáo của các nhiệm vụ không đổi"
                 + (f", bỏ {a.reports_dropped} báo cáo của nhiệm vụ đã bỏ hoặc đã giao cho cơ quan khác." if a.reports_dropped
                    else "."))
    return text


def show(entity: str, plan_year: int, draft: Callable[[str, date, str], bytes], today: date) -> None:
    """The «Ban hành» panel under the draft's downloads."""
    row = queries.entity_row(entity)
    level = getattr(row, "level", None)
    key = f"adopt_{entity}_{plan_year}"
    if done := st.session_state.pop(f"{key}_done", None):
        st.success(done)
    gone = queries.dissolved(entity, today)
    with st.expander(f"Ban hành kế hoạch năm {plan_year} trong ứng dụng", expanded=bool(done)):
        if gone:
            st.info(fmt.plain(gone))
            return
        name = account.sign_in_form(account.auth_settings(), key=f"{key}_sign_in")
        coordinator = queries.coordinator(level)
        if not name:
            st.caption(f"Đăng nhập bằng tài khoản của {fmt.plain(coordinator or 'cơ quan đầu mối')} (hoặc quản trị viên) "
                       "để biến bản dự thảo đã sửa ở trên thành kế hoạch của đơn vị.")
            return
        scope = account.scope()
        if scope is None or not scope.sees_all(entity, coordinator_for(level)):
            st.info(f"Tài khoản này không ban hành được kế hoạch của {fmt.plain(queries.authority_of(entity))}: chỉ "
                    f"{fmt.plain(coordinator or 'cơ quan đầu mối')} của đơn vị hoặc quản trị viên.")
            account.sign_out_button(f"{key}_sign_out")
            return
        st.caption("Kế hoạch được ban hành thành kế hoạch của đơn vị cho năm ghi trong tiêu đề: các cơ quan báo cáo "
                   "tiến độ theo kế hoạch này. Ban hành lại bản đã sửa sẽ thay bản trước, giữ báo cáo của các nhiệm "
                   "vụ không đổi. Hoàn tác được.")
        with st.form(f"{key}_form"):
            left, middle, right = st.columns([1, 1, 2])
            number = left.text_input("Số kế hoạch", placeholder="125/KH-UBND")
            signed_on = middle.date_input("Ngày ký", value=today, max_value=today, format="DD/MM/YYYY")
            signer = right.text_input("Người ký (họ và tên)")
            source = st.radio("Ban hành từ", [FROM_DRAFT, FROM_FILE], horizontal=True)
            upload = st.file_uploader("Tệp kế hoạch đã ký (khi chọn «Tệp kế hoạch đã ký»)", type=["docx", "xlsx"])
            go = st.form_submit_button(f"Ban hành kế hoạch năm {plan_year}", type="primary")
        if go:
            _adopt(entity, plan_year, draft, number, signed_on, signer, source, upload, scope, name, key)
        account.undo_panel("Hoàn tác lần ban hành vừa rồi" if _own_adoption_last(scope) else None,
                           key=f"{key}_undo", user=f"web: {name}", owner=f"web: {name}", actions=UNDO_ACTIONS)
        account.sign_out_button(f"{key}_sign_out")


def _own_adoption_last(scope) -> bool:
    last = account.last_write()
    return last is not None and last.action in UNDO_ACTIONS and scope.owns_write(last.user_name)


def _adopt(entity, plan_year, draft, number, signed_on, signer, source, upload, scope, name, key) -> None:
    if source == FROM_FILE and upload is None:
        st.error("Chưa chọn tệp kế hoạch đã ký. Cơ sở dữ liệu không thay đổi.")
        return
    try:
        with st.spinner("Đang kiểm tra và ban hành kế hoạch…"):
            if source == FROM_FILE:
                file_name, data = upload.name, upload.getvalue()
            else:
                file_name = f"ke-hoach-{plan_year}.docx"
                data = draft(number.strip(), signed_on, signer.strip())
            result = receive_plan(file_name, data, queries.database().path, entity_code=entity, number=number,
                                  signed_on=signed_on, signer=signer, user=f"web: {name}", scope=scope)
    except ValidationFailed as exc:
        account.problems_table(exc, "Kế hoạch chưa được ban hành")
    except Exception as exc:  # noqa: BLE001 - a full disk or a locked file: said in Vietnamese
        account.internal_error("ban hành kế hoạch", exc)
    else:
        st.cache_data.clear()
        st.session_state[f"{key}_done"] = adopted_text(result)
        st.rerun()
