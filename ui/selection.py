"""The selections that carry across pages (entity, index, year), kept in st.session_state."""
from __future__ import annotations

import streamlit as st

from domain import vocabulary
from ui.fmt import INDEX_LABEL
from ui.queries import HOME_ENTITY, _entity_labels, entities, q, require_database, version


def _keep(key: str, default):
    if key not in st.session_state:
        st.session_state[key] = default
    return st.session_state[key]


MAX_ENTITY_OPTIONS = 200  # beyond this, choose the province first (a national registry has 4,000+)


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _provinces(v: tuple | None) -> dict[str, str]:
    """entity -> the province at the top of its parent chain, once per database version."""
    e = entities()
    parents = dict(zip(e.entity_code, e.parent_code))
    top = {}
    for code in parents:
        p = code
        while parents.get(p):
            p = parents[p]
        top[code] = p
    return top


def pick_entity(where=st.sidebar) -> str:
    """The assessed entity; kept in st.session_state['entity'] so it survives page changes.
    With a national registry the list is narrowed to one province first: a selectbox of
    thousands of names is slow to send and hard to use."""
    e = entities()
    codes = list(e.entity_code)
    current = _keep("entity", HOME_ENTITY if HOME_ENTITY in codes else codes[0])
    if current not in codes:
        current = codes[0]
    labels = _entity_labels(version())  # once: st.cache_data hands back a fresh copy on every call
    if len(codes) > MAX_ENTITY_OPTIONS:
        province_of = _provinces(version())
        provinces = list(e[e.level == "province"].entity_code)
        home = province_of.get(current, current)
        province = where.selectbox("Tỉnh, thành phố", provinces, index=provinces.index(home) if home in provinces else 0,
                                   format_func=lambda c: labels.get(c, c), key="_w_province")
        codes = [c for c in codes if province_of.get(c) == province]
        if current not in codes:
            current = codes[0]
    choice = where.selectbox("Đơn vị được đánh giá", codes, index=codes.index(current),
                             format_func=lambda c: labels.get(c, c), key="_w_entity")
    st.session_state["entity"] = choice
    return choice


def indices_of(entity: str) -> list[str]:
    have = set(q("SELECT DISTINCT index_code FROM score WHERE entity_code = ?", entity).index_code)
    return [i for i in vocabulary.INDEX_CODES if i in have]


def pick_index(entity: str, where=st.sidebar, allowed: list[str] | None = None) -> str | None:
    options = allowed if allowed is not None else indices_of(entity)
    if not options:
        return None
    current = _keep("index", options[0])
    if current not in options:
        current = options[0]
    choice = where.selectbox("Chỉ số", options, index=options.index(current), format_func=INDEX_LABEL.get,
                             key="_w_index")
    st.session_state["index"] = choice
    return choice


def page_selection(title: str) -> tuple[str, str, int]:
    """The preamble of a page about one index: entity, index and year in the sidebar, the
    title; stops with a message when the entity has no data."""
    require_database()
    entity = pick_entity()
    index = pick_index(entity)
    st.title(title)
    if index is None:
        st.info("Đơn vị này chưa có số liệu chỉ số nào.")
        st.stop()
    return entity, index, pick_year(entity, index)


def years_of(entity: str, index: str | None = None) -> list[int]:
    sql = "SELECT DISTINCT year FROM score WHERE entity_code = ?" + (" AND index_code = ?" if index else "")
    args = (entity, index) if index else (entity,)
    return sorted(q(sql, *args).year.astype(int).tolist())


def pick_year(entity: str, index: str | None = None, where=st.sidebar, label: str = "Năm đánh giá") -> int | None:
    years = years_of(entity, index)
    if not years:
        return None
    current = _keep("year", years[-1])
    if current not in years:
        current = years[-1]
    choice = where.selectbox(label, years, index=years.index(current), key="_w_year")
    st.session_state["year"] = int(choice)
    return int(choice)
