"""The selections that carry across pages (entity, index, year), kept in st.session_state."""
from __future__ import annotations

from datetime import date

import streamlit as st

from domain import vocabulary
from domain.text import fold
from ui.fmt import INDEX_LABEL, plain
from metrics.lineage import end_text, origin_text
from ui.theme import PLACEHOLDER
from metrics import catalog, overview
from ui.queries import HOME_ENTITY, _entity_labels, cached, entities, lineage_of, require_database, version


def _keep(key: str, default):
    """The session's choice for ``key``; on a session's first run, the address bar's
    (?entity=…&index=…&year=…) so that a shared link opens the same selection."""
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(key, default)
    return st.session_state[key]


def _show(key: str, value) -> None:
    """Keep the choice in the session and in the address bar (a reload keeps it)."""
    st.session_state[key] = value
    if st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)


def go_to_entity(code: str) -> None:
    """A button's callback: open ``code`` (runs before the widgets are drawn again)."""
    st.session_state["entity"] = code
    st.session_state["_w_entity"] = code
    st.session_state.pop("_w_province", None)


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


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _folded_labels(v: tuple | None) -> dict[str, str]:
    """entity -> its picker label without diacritics or case, in picker order."""
    return {c: fold(label) for c, label in _entity_labels(v).items()}


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
    # a search box: the pickers' own filter needs the diacritics («tay do» finds nothing there)
    wanted = fold(where.text_input("Tìm đơn vị", key="_w_find", placeholder="gõ tên, có dấu hay không: tay do"))
    found = [c for c, key in _folded_labels(version()).items() if wanted in key] if wanted else []
    if wanted and not found:
        where.caption("Không có đơn vị nào có tên như vậy.")
    if found:
        codes = found
        current = current if current in found else found[0]
    elif len(codes) > MAX_ENTITY_OPTIONS:
        province_of = _provinces(version())
        provinces = list(e[e.level == "province"].entity_code)
        home = province_of.get(current, current)
        province = where.selectbox("Tỉnh, thành phố", provinces, placeholder=PLACEHOLDER, index=provinces.index(home) if home in provinces else 0,
                                   format_func=lambda c: labels.get(c, c), key="_w_province")
        codes = [c for c in codes if province_of.get(c) == province]
        if current not in codes:
            current = codes[0]
    if "_w_entity" in st.session_state and st.session_state["_w_entity"] not in codes:
        # the list changed under the widget (a search, another province): only a value set through
        # its state reaches the browser, which would otherwise keep showing the old name
        st.session_state["_w_entity"] = current
    # index=: the default of the widget a new page creates (its own id, a fresh state)
    choice = where.selectbox("Đơn vị được đánh giá", codes, index=codes.index(current), placeholder=PLACEHOLDER,
                             format_func=lambda c: labels.get(c, c), key="_w_entity")
    _show("entity", choice)
    lin = lineage_of(choice)
    if lin is not None and lin.predecessors:
        where.caption(plain(origin_text(lin)))  # names from the registry: plain text
    return choice


def reform_notice(entity: str) -> None:
    """On a unit that no longer exists (the district after 1/7/2025, a merged province): say
    so at the top of the page, with a button to each successor."""
    lin = lineage_of(entity)
    if lin is None or not lin.ended:
        return
    st.warning(plain(end_text(lin)), icon=":material/history:")
    have = set(entities().entity_code)
    links = [link for link in lin.successors if link.code in have]
    for col, link in zip(st.columns(max(len(links), 1)), links):
        col.button(f"Xem {plain(link.name)} →", key=f"_go_{link.code}", on_click=go_to_entity, args=(link.code,),
                   type="tertiary")


def indices_of(entity: str) -> list[str]:
    have = set(cached(catalog.scored, entity).index_code)
    return [i for i in vocabulary.INDEX_CODES if i in have]


def pick_index(entity: str, where=st.sidebar, allowed: list[str] | None = None) -> str | None:
    options = allowed if allowed is not None else indices_of(entity)
    if not options:
        return None
    current = _keep("index", options[0])
    if current not in options:
        current = options[0]
    choice = where.selectbox("Chỉ số", options, index=options.index(current), format_func=INDEX_LABEL.get,
                             placeholder=PLACEHOLDER,
                             key="_w_index")
    _show("index", choice)
    return choice


def page_selection(title: str) -> tuple[str, str, int]:
    """The preamble of a page about one index: entity, index and year in the sidebar, the
    title; stops with a message when the entity has no data."""
    require_database()
    entity = pick_entity()
    index = pick_index(entity)
    st.title(title)
    reform_notice(entity)
    if index is None:
        st.info("Đơn vị này chưa có số liệu chỉ số nào.")
        st.stop()
    return entity, index, pick_year(entity, index)


def years_of(entity: str, index: str | None = None) -> list[int]:
    return sorted(set(cached(catalog.scored, entity, index).year.astype(int)))


def pick_year(entity: str, index: str | None = None, where=st.sidebar, label: str = "Năm đánh giá",
              due: bool = False) -> int | None:
    """The assessment year, kept across pages. ``due``: offer as well the year whose results are
    expected by now (metrics.overview.years_offered), so that a page can say none is published
    yet; without it a year the entity has no result for falls back to its latest."""
    years = cached(overview.years_offered, entity, date.today()) if due else years_of(entity, index)
    if not years:
        return None
    current = _keep("year", years[-1])
    current = int(current) if str(current).isdigit() else years[-1]
    if current not in years:
        current = years[-1]
    choice = where.selectbox(label, years, index=years.index(current), key="_w_year", placeholder=PLACEHOLDER)
    _show("year", int(choice))
    return int(choice)
