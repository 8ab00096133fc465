"""Streamlit's own English words that cannot be configured, said in Vietnamese or hidden; and
the top padding of every page, trimmed so that a page's answer starts higher.

The pickers' «Choose an option» is set per widget (placeholder=); what remains is written by
the front end: a selectbox's «No results» and the table tool bar («Download as CSV»,
«Search», «Fullscreen»). CSS is the only handle on them; the strings are fixed here."""
from __future__ import annotations

import streamlit as st

PLACEHOLDER = "Chọn…"


def vietnamese_widgets() -> None:
    """Called once per run by app.py, before any page draws."""
    st.markdown("""<style>
    /* a selectbox that matches nothing: «No results» is the only option drawn as display: contents */
    div[role="option"][style*="display: contents"] > span { font-size: 0; }
    div[role="option"][style*="display: contents"] > span::after {
        content: "Không tìm thấy — thử ô «Tìm đơn vị» (gõ không dấu được)"; font-size: 0.875rem; }
    /* the table tool bar: English tooltips, and a CSV download that bypasses the product's exports */
    [data-testid="stElementToolbar"] { display: none; }
    /* Streamlit's 6rem above the title: a first screen of 768 px needs that room for the answer.
       With the title's own padding its text still starts below the header (60 px, transparent),
       where the running indicator shows. */
    [data-testid="stMainBlockContainer"] { padding-top: 3rem; }
    </style>""", unsafe_allow_html=True)
