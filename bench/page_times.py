"""Script time of every page on the shipped data: python -m bench.page_times [--runs N] [--db PATH].

Each page runs once cold (empty caches), then N times warm through AppTest; the median
warm time and the cold time are printed with the command that measured them. It prints
figures; it is not a test.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.page_times")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--db", default=None)
    p.add_argument("--limit", type=float, default=1.0, help="seconds a warm page may take (exit 1 if over)")
    args = p.parse_args(argv)
    if args.db:
        os.environ["CHISO_DB"] = args.db
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime" notices are expected here
    print(f"command: python -m bench.page_times --runs {args.runs}" + (f" --db {args.db}" if args.db else ""))
    print(f"{'page':32} {'cold s':>8} {'warm median s':>14}")
    over = []
    for page in page_files():
        cold, warm = time_page(page, args.runs)
        print(f"{page.name:32} {cold:8.3f} {warm:14.3f}")
        if warm > args.limit:
            over.append(page.name)
    if over:
        print(f"over {args.limit} s warm: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
