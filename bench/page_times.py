"""Script time of every page: python -m bench.page_times [--runs N] [--db PATH] [--cold N] [--queries].

Each page runs once cold (empty caches), then N times warm through AppTest; the median
warm time and the cold time are printed with the command that measured it. Then, per page
with the entity picker, the script time of showing an entity never opened before (``--cold N``
of them, spread over the levels): the caches are cleared and the page is opened for the home
entity (as a running server has: connection, entity list and labels cached, none of the
other entities' figures), then each entity is picked in turn through the sidebar's search
box, as a user does; the run that shows it is timed. With ``--queries`` the queries of those
runs are listed with their time per entity, costliest first. It prints figures; it is not a
test. ``--db build/bench/national.duckdb`` for the national dataset (bench/national.py).
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARM_ENTITY = "VN-38-393"  # Huyện Vĩnh Lộc: in the shipped and in the national registry
COLD_ENTITIES = 5


def page_files() -> list[Path]:
    return sorted((ROOT / "pages").glob("*.py"))


def time_page(page: Path, runs: int) -> tuple[float, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(page), default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{page.name}: {at.exception[0].value}")
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    return cold, statistics.median(warm)


def cold_entities(n: int = COLD_ENTITIES, db: str | None = None) -> dict[str, str]:
    """``n`` entities with an index total, taken in turn from each level (province, district,
    commune, …), each level's in a fixed pseudo-random order (so that two runs open the same
    ones), never the entity that warms the caches: code -> the text to type in the search box
    (the start of its picker label, «Cao Bằng (cấp tỉnh», which no other label contains: the
    search then finds it alone)."""
    from domain.text import fold
    from store.db import db_path, open_read_only
    from ui.fmt import LEVEL_VI

    con = open_read_only(db_path(db))
    try:
        rows = con.execute(
            "SELECT e.level, e.entity_code, e.name FROM entities e "
            "WHERE e.entity_code IN (SELECT entity_code FROM score WHERE criterion_code IS NULL AND points IS NOT NULL) "
            "ORDER BY e.level, hash(e.entity_code)").fetchall()
    finally:
        con.close()
    texts = [f"{name} ({LEVEL_VI.get(level, '')}" for level, _, name in rows]
    names = [fold(text) for text in texts]
    by_level: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for i, (level, code, _) in enumerate(rows):
        if code != WARM_ENTITY:
            by_level[level].append((code, texts[i], names[i]))
    out: dict[str, str] = {}
    levels = sorted(by_level)
    while len(out) < n and any(by_level.values()):
        for level in levels:
            while by_level[level] and len(out) < n:
                code, name, key = by_level[level].pop(0)
                if sum(key in other for other in names) == 1:
                    out[code] = name
                    break
    return out


class QueryLog:
    """Counts and times the queries pages make (installed on ui.queries' cursors): which SQL
    file (metrics/sql, store/sql) or the first words of an inline query, how often, how long
    (execution and fetch)."""

    def __init__(self):
        self.names = {p.read_text(encoding="utf-8"): p.name
                      for d in ("metrics/sql", "store/sql") for p in (ROOT / d).glob("*.sql")}
        self.calls: list[tuple[str, float]] = []

    def name(self, query: str) -> str:
        return self.names.get(query) or " ".join(query.split())[:60]

    def install(self) -> None:
        from ui import account, downloads, queries

        plain = queries.cursor
        log = self

        class Result:
            def __init__(self, cur, key: str, took: float):
                self._cur, self._key, self._took = cur, key, took

            def _fetch(self, how: str, *args):
                t0 = time.perf_counter()
                out = getattr(self._cur, how)(*args)
                log.calls.append((self._key, self._took + time.perf_counter() - t0))
                return out

            def __getattr__(self, how: str):
                if how in ("df", "fetchall", "fetchone", "fetchdf", "to_arrow_table", "arrow", "fetchnumpy", "pl"):
                    return lambda *a: self._fetch(how, *a)
                return getattr(self._cur, how)

        class Cursor:
            def __init__(self, cur):
                self._cur = cur

            def execute(self, query: str, *args):
                t0 = time.perf_counter()
                self._cur.execute(query, *args)
                return Result(self._cur, log.name(query), time.perf_counter() - t0)

            def __getattr__(self, name: str):
                return getattr(self._cur, name)

        def cursor():
            return Cursor(plain())

        for module in (queries, account, downloads):
            module.cursor = cursor

    def top(self, k: int = 8) -> list[tuple[str, int, float]]:
        agg: dict[str, list] = defaultdict(lambda: [0, 0.0])
        for key, took in self.calls:
            agg[key][0] += 1
            agg[key][1] += took
        return sorted(((k_, n, t) for k_, (n, t) in agg.items()), key=lambda r: -r[2])[:k]


def time_cold_entity(page: Path, entities: dict[str, str], log: QueryLog | None = None) -> list[float] | None:
    """Script time of ``page`` showing each of ``entities`` (code -> search text) for the first
    time: caches cleared, the page opened for WARM_ENTITY (what a running server has cached
    for everyone), then each entity picked through the search box in that session. None for a
    page without the entity picker. The queries of those runs go to ``log``."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(page), default_timeout=120)
    at.session_state["entity"] = WARM_ENTITY
    at.run()
    if not any(w.key == "_w_find" for w in at.text_input):
        return None
    at.text_input(key="_w_find").input("zzzz").run()  # the search's folded names: made once per database version
    if log is not None:
        log.calls.clear()
    times = []
    for code, text in entities.items():
        at.text_input(key="_w_find").input(text)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(f"{page.name} ({code}): {at.exception[0].value}")
        if at.session_state["entity"] != code:
            raise RuntimeError(f"{page.name}: searching «{text}» showed {at.session_state['entity']}, not {code}")
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.page_times")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--db", default=None)
    p.add_argument("--limit", type=float, default=1.0, help="seconds a warm page may take (exit 1 if over)")
    p.add_argument("--cold", type=int, default=COLD_ENTITIES, help="entities never opened before, per page (0: none)")
    p.add_argument("--queries", action="store_true", help="list the queries of the cold-entity runs")
    args = p.parse_args(argv)
    if args.db:
        os.environ["CHISO_DB"] = args.db
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime" notices are expected here
    for name in ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).setLevel(logging.ERROR)
    print(f"command: python -m bench.page_times --runs {args.runs}" + (f" --db {args.db}" if args.db else "")
          + (f" --cold {args.cold}" if args.cold != COLD_ENTITIES else "") + (" --queries" if args.queries else ""))
    entities = cold_entities(args.cold, args.db) if args.cold else {}
    if entities:
        print(f"entities never opened (caches warmed with {WARM_ENTITY}): {', '.join(entities)}")
    log = QueryLog() if args.queries else None
    if log:
        log.install()
    print(f"{'page':32} {'cold s':>8} {'warm median s':>14}" + (f" {'new entity median / max s':>26}" if entities else ""))
    over = []
    for page in page_files():
        cold, warm = time_page(page, args.runs)
        line = f"{page.name:32} {cold:8.3f} {warm:14.3f}"
        times = time_cold_entity(page, entities, log) if entities else None
        if times:
            line += f" {statistics.median(times):15.3f} / {max(times):.3f}"
        elif entities:
            line += f" {'(no entity picker)':>26}"
        print(line, flush=True)
        if log and times:
            for key, n, took in log.top():
                print(f"    {took / len(entities):7.3f} s per entity  ×{n / len(entities):<4g} {key}")
        if warm > args.limit:
            over.append(page.name)
    if over:
        print(f"over {args.limit} s warm: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
