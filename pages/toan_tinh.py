"""Toàn tỉnh — the province's own view (Sở Nội vụ): every commune of the province at once, for
the reporting period under way — its plan for the year, how its units reported, overdue duties,
communes whose rank fell — and the one-page summary to download. Who sees it is
access.auth.Scope.sees_province's to say; the figures are metrics/province.py's."""
from datetime import date

import streamlit as st

from ui import account, queries
from ui import province as uiprov

queries.require_database()
st.title("Toàn tỉnh")
auth = account.auth_settings()
if not account.sign_in_form(auth, key="sign_in_province"):
    st.caption(uiprov.SIGN_IN_NOTE)
    st.stop()
scope = account.scope()
if scope is not None and scope.sees_province(queries.PROVINCE):
    uiprov.show(queries.PROVINCE, date.today())
else:  # a commune's office never sees the next commune's data
    uiprov.refuse(scope)
account.sign_out_button("province_sign_out")
