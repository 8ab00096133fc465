"""What every page shares: the one database handle, cached queries, the selections that
carry across pages, the illustrative-data banner, source lines and Vietnamese formatting."""
from __future__ import annotations

import math
import re

import pandas as pd
import streamlit as st

from store.db import CATALOG, ReadOnlyDatabase
from domain.entities import LEVEL_LABEL, authority
from metrics import core

INDEX_LABEL = {"PAR": "PAR INDEX", "SIPAS": "SIPAS", "PAPI": "PAPI", "DDCI": "DDCI", "PCI": "PCI"}
INDEX_ORDER = ["PAR", "SIPAS", "PAPI", "DDCI", "PCI"]
LEVEL_VI = LEVEL_LABEL  # «cấp huyện»: Thành phố Thanh Hóa is a city at district level
HOME_ENTITY = "VN-38-393"  # Huyện Vĩnh Lộc
PROVINCE = "VN-38"  # Thanh Hóa
ILLUSTRATIVE_NOTICE = ("**Có SỐ LIỆU MINH HỌA trên trang này** — không phải số liệu công bố. Kết quả chính thức "
                       "PAR, SIPAS, PAPI, DDCI của huyện chưa được nhập; các dòng, cột đánh dấu «minh họa» là số giả định "
                       "để trình bày cách dùng. Nhập bảng kết quả chính thức ở trang «Dữ liệu».")
PLOTLY_CONFIG = {"displaylogo": False, "locale": "vi", "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@st.cache_resource(max_entries=1)
def database() -> ReadOnlyDatabase:
    return ReadOnlyDatabase()


PIN = "_db_pin"  # session_state key: (cursor, version) fixed for one script run


def pin() -> None:
    """Fix the database version for the rest of this script run (app.py calls it first on
    every run), so that every table and chart on a page comes from one version even if an
    import lands halfway through; the next run sees the new one."""
    try:
        st.session_state[PIN] = database().cursor_and_version()
    except FileNotFoundError:
        st.session_state.pop(PIN, None)  # the page says what to do (require_database)


def repin() -> None:
    """After this run's own write: the rest of the run shows the new version (if pinned)."""
    if PIN in st.session_state:
        pin()


def version() -> tuple | None:
    """Changes whenever a rebuild or an import replaced the file: part of every cache key."""
    pinned = st.session_state.get(PIN)
    return pinned[1] if pinned else database().version


def cursor():
    pinned = st.session_state.get(PIN)
    if pinned:
        cur = pinned[0].cursor()  # a fresh connection to the pinned version's instance
        cur.execute(f"USE {CATALOG}")
        return cur
    return database().cursor()


def require_database() -> None:
    try:
        cursor()
    except FileNotFoundError:
        st.error("Chưa có cơ sở dữ liệu. Chạy `make run` (hoặc `python -m loaders build`) để dựng từ thư mục data/.")
        st.stop()


# Streamlit leaves arguments named with a leading underscore out of the cache key, so the
# database version is always a plain argument: a rebuilt or re-imported file must miss.
@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def query(sql: str, params: tuple, v: tuple | None) -> pd.DataFrame:
    return cursor().execute(sql, list(params)).df()


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _cached(fn_name: str, args: tuple, v: tuple | None):
    import importlib

    module, name = fn_name.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(cursor(), *args)


def cached(fn, *args):
    """fn(cursor, *args) from metrics/, cached per database version."""
    return _cached(f"{fn.__module__}.{fn.__name__}", args, version())


def q(sql: str, *params) -> pd.DataFrame:
    return query(sql, tuple(params), version()).copy()


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _metrics(entity: str | None, index: str | None, year: int | None, v: tuple | None) -> pd.DataFrame:
    return core.criterion_metrics(cursor(), entity, index, year)


def metrics(entity: str | None = None, index: str | None = None, year: int | None = None) -> pd.DataFrame:
    return _metrics(entity, index, year, version()).copy()


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _focus(entity: str, year: int, index: str | None, v: tuple | None) -> pd.DataFrame:
    return core.focus_list(cursor(), entity, year, index)


def focus(entity: str, year: int, index: str | None = None) -> pd.DataFrame:
    return _focus(entity, year, index, version()).copy()


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _climb(entity: str, year: int, index: str | None, v: tuple | None) -> pd.DataFrame:
    return core.points_to_climb(cursor(), entity, year, index)


def climb(entity: str, year: int, index: str | None = None) -> pd.DataFrame:
    return _climb(entity, year, index, version()).copy()


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _responsibility(entity: str, v: tuple | None) -> pd.DataFrame:
    return core.responsibility(cursor(), entity_code=entity)


def responsibility(entity: str) -> pd.DataFrame:
    """Units answering for this entity's criteria: from its own plans only."""
    return _responsibility(entity, version()).copy()


def plans_of(entity: str) -> pd.DataFrame:
    return q("SELECT plan_id, title, issuer, source_file FROM plans WHERE entity_code = ? ORDER BY plan_id", entity)


def unassigned(entity: str) -> str:
    """What an empty unit cell says: the plan gave no unit, or no plan covers the entity."""
    return "— chưa giao —" if len(plans_of(entity)) else core.NO_PLAN


def plan_source(entity: str) -> str:
    plans = plans_of(entity)
    if plans.empty:
        return "cơ quan chủ trì, phối hợp: " + core.NO_PLAN + " của " + authority_of(entity)
    return "cơ quan chủ trì, phối hợp: " + "; ".join(f"{t} của {i}" if i else t for t, i in zip(plans.title, plans.issuer))


def authority_of(entity: str) -> str:
    """«UBND tỉnh Thanh Hóa», «UBND huyện Vĩnh Lộc»: titles and addressees."""
    row = q("SELECT name, level FROM entities WHERE entity_code = ?", entity)
    return authority(row.name.iloc[0], row.level.iloc[0]) if len(row) else entity


def entities() -> pd.DataFrame:
    """Entities that have scores, the home entity first, then by level and name."""
    df = q("""SELECT DISTINCT e.entity_code, e.name, e.level, COALESCE(e.parent_code, '') AS parent_code,
                     year(e.valid_to) AS until
              FROM entities e JOIN score s USING (entity_code)""")
    order = {"district": 0, "province": 1, "commune": 2}
    df["k"] = [(c != HOME_ENTITY, order.get(lv, 3), n) for c, lv, n in zip(df.entity_code, df.level, df.name)]
    return df.sort_values("k").drop(columns="k").reset_index(drop=True)


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _entity_labels(v: tuple | None) -> dict[str, str]:
    e = entities()
    # a unit that no longer exists says until when: «Hà Tây (cấp tỉnh, đến 2008)»
    return {c: f"{n} ({LEVEL_VI.get(lv, '')}" + (f", đến {int(u)})" if pd.notna(u) else ")")
            for c, n, lv, u in zip(e.entity_code, e.name, e.level, e.until)}


def entity_label(code: str) -> str:
    """«Huyện Vĩnh Lộc (Huyện)». One dictionary per database version: a selectbox calls this
    for each of its options, thousands of them at national scale."""
    return _entity_labels(version()).get(code, code)


# ---------------------------------------------------------------- selections across pages

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
    return [i for i in INDEX_ORDER if i in have]


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


# ---------------------------------------------------------------- display

def illustrative_banner(flags) -> None:
    """Shown whenever any figure on screen is illustrative."""
    if any(bool(f) for f in flags if f is not None and f is not pd.NA and f == f):
        st.warning(ILLUSTRATIVE_NOTICE, icon="⚠️")


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """Text from a file or a person, made inert inside Streamlit markdown: no links, images,
    emphasis, LaTeX ($) or HTML tags; it reads exactly as written."""
    return _MARKDOWN.sub(r"\\\1", str(text))


SCORES_SOURCE = "điểm: số liệu đã nạp (nguồn của từng dòng ở trang «Dữ liệu»)"
PLAN_SOURCE = "Kế hoạch UBND huyện Vĩnh Lộc 11/2023 (Phụ lục 1–3)"


def source_line(sources, illustrative: bool = False) -> None:
    names = sorted({name for s in pd.Series(sources).dropna().astype(str) if s
                    for name in s.split(" › ")[0].split("; ")})
    text = "Nguồn: " + ("; ".join(plain(n) for n in names) if names else "cơ sở dữ liệu của sản phẩm")
    if illustrative:
        text += " — có số liệu MINH HỌA"
    st.caption(text)


def num(value, digits: int = 2) -> str:
    """Decimal comma; a dash for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def signed(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return ("+" if value > 0 else "") + num(value, digits)


def rank_text(rank, n, computed) -> str:
    if rank is None or (isinstance(rank, float) and math.isnan(rank)) or rank is pd.NA:
        return "—"
    return f"{int(rank)}/{int(n)}" + (" (tự tính)" if computed else "")


def style_figure(fig, *, height: int = 360, rank_axis: bool = False, legend: bool = True):
    """Shared look: Vietnamese separators, years as categories, best rank at the top."""
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), separators=", ",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0) if legend else None,
                      showlegend=legend, font=dict(family="Source Sans Pro, Arial, sans-serif"))
    # years as categories, in order (not in order of first appearance across traces)
    fig.update_xaxes(type="category", categoryorder="category ascending")
    if rank_axis:
        fig.update_yaxes(autorange="reversed", title="Hạng (1 = cao nhất)")
    return fig


def units_text(value, empty: str = "—") -> str:
    """A list of unit names as one line (for tables; wrap in ``plain`` for markdown); an
    empty or missing list as ``empty``."""
    if isinstance(value, str):
        return value or empty
    try:
        items = [str(v) for v in value]
    except TypeError:
        return empty
    return "; ".join(items) if items else empty


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _unit_status(unit: str, entity: str, year: int | None, v: tuple | None) -> pd.DataFrame:
    return core.unit_status(cursor(), unit, entity, year)


def unit_status(unit: str, entity: str, year: int | None = None) -> pd.DataFrame:
    return _unit_status(unit, entity, year, version()).copy()


GEO_ATTRIBUTION = ("Ranh giới: Open Development Vietnam (Open Development Mekong), «Địa phận tỉnh», CC BY-SA 4.0; "
                   "nguồn Cục Đo đạc và Bản đồ. Đã đơn giản hóa; các tỉnh năm 2025 được gộp theo Nghị quyết 202/2025/QH15.")


@st.cache_resource(max_entries=2)
def province_geojson(after_2025: bool) -> dict:
    import json

    from store.db import ROOT

    name = "vn_provinces_2025.geojson" if after_2025 else "vn_provinces_2024.geojson"
    return json.loads((ROOT / "data" / "geo" / name).read_text(encoding="utf-8"))


def vn_table(df: pd.DataFrame, digits: dict[str, int], signed_cols: tuple = ()):
    """A Styler that shows numbers with the decimal comma while the column stays numeric,
    so sorting in st.dataframe still sorts by value."""
    def fmt(col: str):
        d = digits[col]
        return (lambda v: signed(v, d)) if col in signed_cols else (lambda v: num(v, d))
    return df.style.format({c: fmt(c) for c in digits if c in df.columns})


def vietnamese_uploader() -> None:
    """st.file_uploader's own words are English and not configurable: replace them with CSS."""
    st.markdown("""<style>
    [data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
    [data-testid="stFileUploaderDropzone"] button { font-size: 0; }
    [data-testid="stFileUploaderDropzone"] button::after { content: "Chọn tệp"; font-size: 0.9rem; }
    </style>""", unsafe_allow_html=True)


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
    """Slides and the printable report for briefings, made on request (the report draws its
    charts with a headless browser, which takes a few seconds)."""
    st.subheader("Tài liệu cho giao ban, hội nghị")
    st.caption(f"Cùng số liệu như trên trang, năm đánh giá {year}.")
    name = entity_label(entity).split(" (")[0]
    slug = "".join(ch for ch in name if ch.isalnum() or ch == " ").strip().replace(" ", "-")
    key = (entity, year)
    left, right = st.columns(2)
    for col, kind, label, ext, mime in (
            (left, "deck", "bản trình chiếu (PowerPoint)", "pptx",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            (right, "report", "báo cáo in khổ A4 (HTML)", "html", "text/html")):
        ready = st.session_state.setdefault("briefing_ready", {})
        if ready.get(kind) != key:
            if col.button(f"Chuẩn bị {label}", key=f"prepare_{kind}"):
                with st.spinner(f"Đang tạo {label}…"):
                    _briefing_file(kind, entity, year, version())
                ready[kind] = key
                st.rerun()
        else:
            col.download_button(f"Tải {label}", _briefing_file(kind, entity, year, version()),
                                f"{kind}-{slug}-{year}.{ext}", mime, key=f"download_{kind}", type="primary")


# ---------------------------------------------------------------- signing in and undo

def auth_settings() -> dict:
    """The [auth] table of .streamlit/secrets.toml: accounts (users) and/or a shared
    password_hash; {} when neither is set."""
    try:
        auth = st.secrets.get("auth", {})
        return {k: (dict(v) if hasattr(v, "items") else v) for k, v in auth.items()}
    except Exception:  # noqa: BLE001 - no secrets file at all
        return {}


@st.cache_resource
def sign_in_throttle():
    """One for the whole app process: wrong passwords slow down every session, not just one."""
    from access.auth import SignInThrottle

    return SignInThrottle()


def last_write():
    """The newest row of the import log (what «Hoàn tác» would undo), or None."""
    log = cursor().execute("""SELECT import_id, imported_at, user_name, action, file FROM import_log
                              WHERE action <> 'undo' ORDER BY import_id DESC LIMIT 1""").df()
    return None if log.empty else next(log.itertuples())


def internal_error(action: str, exc: Exception) -> None:
    """A failure that is not the user's input (disk full, permissions): a Vietnamese message on
    screen, the traceback in the server log. The write path leaves the database unchanged."""
    import logging

    logging.getLogger("chiso").exception("%s failed", action)
    st.error(f"Không {action} được do lỗi hệ thống ({exc.__class__.__name__}: {plain(exc)}). Cơ sở dữ liệu "
             "không thay đổi. Hãy báo người quản trị; chi tiết nằm trong nhật ký của máy chủ.")


def can_undo() -> bool:
    from store.db import snapshots

    return bool(snapshots(database().path))
