"""Slides and the printable report, made on request from the page."""
from __future__ import annotations

import streamlit as st

from domain.text import slug
from ui.queries import cursor, entity_label, version

FILE_WORDS = {"deck": "trình chiếu", "report": "báo cáo"}  # the first words of each download's name


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _briefing_file(kind: str, entity: str, year: int, v: tuple | None) -> bytes:
    from exports.briefing import gather

    b = gather(cursor(), entity, year)
    if kind == "deck":
        from exports.deck import build_deck

        return build_deck(b)
    from exports.report import build_report

    return build_report(b).encode("utf-8")


def briefing_downloads(entity: str, year: int) -> None:
    """Slides and the printable report for briefings, made on request: gathering the
    briefing's figures and writing either file takes well under a second on the shipped data
    (``make bench``: «export deck», «export report»), the report's charts being SVG written in
    Python, with no browser."""
    st.subheader("Tài liệu cho giao ban, hội nghị")
    st.caption(f"Cùng số liệu như trên trang, năm đánh giá {year}.")
    name = entity_label(entity).split(" (")[0]
    key = (entity, year)
    left, right = st.columns(2)
    for col, kind, label, ext, mime in (
            (left, "deck", "bản trình chiếu (PowerPoint)", "pptx",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            (right, "report", "báo cáo in khổ A4 (HTML)", "html", "text/html")):
        file_name = f"{slug(FILE_WORDS[kind], name, year)}.{ext}"  # «trinh-chieu-xa-vinh-loc-2025.pptx»
        ready = st.session_state.setdefault("briefing_ready", {})
        if ready.get(kind) != key:
            if col.button(f"Chuẩn bị {label}", key=f"prepare_{kind}"):
                with st.spinner(f"Đang tạo {label}…"):
                    _briefing_file(kind, entity, year, version())
                ready[kind] = key
                st.rerun()
        else:
            col.download_button(f"Tải {label}", _briefing_file(kind, entity, year, version()),
                                file_name, mime, key=f"download_{kind}", type="primary")
