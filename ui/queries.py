"""The one database handle of the app and its cached queries: every page reads through here.

A query is cached per database version, so a rebuilt or re-imported file is read anew."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from domain import vocabulary
from domain.entities import authority, former_names_text, styled_name
from metrics import catalog, criteria, lineage, proposals
from store.db import CATALOG, ReadOnlyDatabase
from ui.fmt import LEVEL_VI


HOME_ENTITY = vocabulary.home_entity()  # data/home.csv: the entity the dashboard opens on
HOME = vocabulary.home_entities() + vocabulary.home_history()  # listed first in the pickers
PROVINCE = vocabulary.home_province()


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
# No SQL here: every query is a function of metrics/ over an SQL file (tests/test_layers.py).
@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _cached(fn_name: str, args: tuple, v: tuple | None):
    import importlib

    module, name = fn_name.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(cursor(), *args)


def cached(fn, *args):
    """fn(cursor, *args) from metrics/, cached per database version (st.cache_data hands back
    a copy, so callers may change what they get)."""
    return _cached(f"{fn.__module__}.{fn.__name__}", args, version())


def metrics(entity: str | None = None, index: str | None = None, year: int | None = None) -> pd.DataFrame:
    return cached(criteria.criterion_metrics, entity, index, year)


def focus(entity: str, year: int, index: str | None = None) -> pd.DataFrame:
    return cached(criteria.focus_list, entity, year, index)


def climb(entity: str, year: int, index: str | None = None) -> pd.DataFrame:
    return cached(criteria.points_to_climb, entity, year, index)


def responsibility(entity: str) -> pd.DataFrame:
    """Units answering for this entity's criteria: from its own plans only."""
    return cached(criteria.responsibility, None, entity)


def unit_status(unit: str, entity: str, year: int | None = None) -> pd.DataFrame:
    return cached(criteria.unit_status, unit, entity, year)


def proposal(entity: str) -> proposals.Proposal:
    """Units proposed from the predecessor's plan for an entity without a plan of its own."""
    return cached(proposals.proposal, entity)


def unit_choices(entity: str) -> list[str]:
    """The unit names a choice list offers for the entity's plans (a commune: its offices)."""
    return cached(proposals.choices, entity)


def plans_of(entity: str) -> pd.DataFrame:
    return cached(catalog.plans, entity)


def entity_row(entity: str):
    """The entity's name and level (a row of metrics/sql/catalog_entity.sql), or None."""
    row = cached(catalog.entity, entity)
    return next(row.itertuples()) if len(row) else None


def dissolved(entity: str, today) -> str | None:
    """Why the entity cannot issue a document today (the former district), or None."""
    return cached(catalog.dissolved, entity, today)


def coordinator(level: str | None) -> str | None:
    """The name of the unit that coordinates an entity's plans at ``level``."""
    from metrics.progress import coordinator_name

    return cached(coordinator_name, level)


def unassigned(entity: str) -> str:
    """What an empty unit cell says: the plan gave no unit, or no plan covers the entity."""
    return "— chưa giao —" if len(plans_of(entity)) else criteria.NO_PLAN


def plan_source(entity: str) -> str:
    plans = plans_of(entity)
    if plans.empty:
        return "cơ quan chủ trì, phối hợp: " + criteria.NO_PLAN + " của " + authority_of(entity)
    return "cơ quan chủ trì, phối hợp: " + "; ".join(f"{t} của {i}" if i else t for t, i in zip(plans.title, plans.issuer))


def units_sources(entity: str, rows: pd.DataFrame, prop: proposals.Proposal) -> list[str]:
    """The source line's parts for the units of ``rows`` (proposals.with_units' rows): the
    entity's plans when it has one, the proposal's origin when some units are proposed."""
    proposed = proposals.source_text(prop, rows)
    if proposed and plans_of(entity).empty:
        return [proposed]
    return [plan_source(entity)] + ([proposed] if proposed else [])


def authority_of(entity: str) -> str:
    """«UBND tỉnh Thanh Hóa», «UBND huyện Vĩnh Lộc»: titles and addressees."""
    row = entity_row(entity)
    return authority(row.name, row.level) if row else entity


def entities() -> pd.DataFrame:
    """Entities that have scores: the home entities in data/home.csv's order (those served,
    then the history kept), then units that exist today by level, then those that ended."""
    df = cached(catalog.entities)
    order = {"province": 0, "commune": 1, "district": 2}
    home = {c: i for i, c in enumerate(HOME)}
    df["k"] = [(home.get(c, len(home)), pd.notna(u), order.get(lv, 3), n)
               for c, lv, n, u in zip(df.entity_code, df.level, df.name, df.until)]
    return df.sort_values("k").drop(columns="k").reset_index(drop=True)


def lineage_of(entity: str) -> lineage.Lineage | None:
    return cached(lineage.lineage, entity)


def breaks(entity: str) -> list[tuple[int, str]]:
    lin = lineage_of(entity)
    return lin.breaks() if lin else []


def history_trend(entity: str) -> pd.DataFrame:
    """The entity's index totals and its predecessors' (dashed, as history)."""
    return cached(lineage.history_trend, entity, metrics(entity))


def styled(entity: str) -> str:
    """«tỉnh Thanh Hóa», «xã Tây Đô»: the entity's name in running text."""
    row = entity_row(entity)
    return styled_name(row.name, row.level) if row else entity


def _label(name: str, level: str, until, since, former_names, former_until) -> str:
    """A picker's label for a catalog row: a unit that no longer exists says until when, «Hà Tây
    (cấp tỉnh, đến 2008)»; one renamed, what it was called before, to be recognised: «Huế (cấp
    tỉnh; đến 2024: Thừa Thiên-Huế)»."""
    when = f", đến {int(until)}" if pd.notna(until) else f", từ {int(since)}" if pd.notna(since) else ""
    former = former_names_text(list(zip(former_names, former_until))) if pd.api.types.is_list_like(former_names) else ""
    return f"{name} ({LEVEL_VI.get(level, '')}{when}" + (f"; {former}" if former else "") + ")"


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _entity_labels(v: tuple | None) -> dict[str, str]:
    e = entities()
    return {c: _label(*row) for c, *row in zip(e.entity_code, e.name, e.level, e.until, e.since, e.former_names,
                                                  e.former_until)}


def entity_label(code: str) -> str:
    """«Huyện Vĩnh Lộc (cấp huyện, đến 2025)», «Huế (cấp tỉnh; đến 2024: Thừa Thiên-Huế)»: the
    current name, for the pickers and the page headers. One dictionary per database version: a selectbox calls this
    for each of its options, thousands of them at national scale."""
    return _entity_labels(version()).get(code, code)


@st.cache_data(max_entries=1, show_spinner=False)
def product_title() -> str:
    """«Chỉ số quản trị – Vĩnh Lộc, Tây Đô, Biện Thượng (Thanh Hóa)»: whom this copy serves
    (data/home.csv), for the browser tab."""
    from domain.entities import EntityRegistry

    reg = EntityRegistry.load(vocabulary.DATA_DIR / "registry")
    codes = [c for c in vocabulary.home_entities() if c in reg.codes()]
    local = [reg.name(c) for c in codes if c != PROVINCE]
    bare = [n.split(" ", 1)[1] if n.split(" ", 1)[0] in ("Xã", "Phường", "Huyện") else n for n in local]
    province = reg.name(PROVINCE) if PROVINCE in reg.codes() else ""
    text = ", ".join(bare) + (f" ({province})" if bare and province else province)
    return "Chỉ số quản trị – " + text if text else "Chỉ số quản trị"
