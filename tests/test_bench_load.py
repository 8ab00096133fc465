"""Smoke runs of `python -m bench.load`: 3 sessions on the shipped data, with the browser
client and with the protocol client.

The load test itself (50 sessions on the national dataset, `make bench-load`) is not part of
`make test`; these only check that the command runs end to end, counts no error, and prints
every figure and its machine-readable line. Figures are printed, not asserted.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PAGES = {"Tổng quan", "Chỉ số thành phần", "Trọng tâm năm tới", "Đơn vị", "So sánh"}

pytestmark = pytest.mark.bench  # `make test-fast` leaves it out

LABELS = ["concurrent sessions", "pages loaded", "page time p50", "page time p95", "page time max",
          "script finished (websocket) p50 / p95", "page time Tổng quan (p50 / p95)", "errors",
          "server RSS at start", "server RSS peak (sampled every 0.5 s)", "server RSS with 3 sessions open",
          "server RSS 5 s after closing them", "server peak RSS (VmHWM)", "server CPU time during the load",
          "load generator CPU time"]


def run_load(db: Path, tmp_path: Path, *extra: str) -> tuple[str, dict]:
    copy = tmp_path / "chiso.duckdb"
    shutil.copyfile(db, copy)
    proc = subprocess.run([sys.executable, "-m", "bench.load", "--db", str(copy), "--sessions", "3", "--ramp", "1",
                           "--timeout", "90", *extra], cwd=ROOT, capture_output=True, text=True, timeout=240)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-3000:]
    for label in LABELS:
        assert label in out, f"{label!r} missing from:\n{out}"
    assert "python -m bench.load --db" in out  # each figure carries its command
    result = json.loads(next(line for line in out.splitlines() if line.startswith("BENCH-RESULT "))[13:])
    assert result["errors"] == 0 and result["sessions"] == 3
    assert 0 < result["p50_s"] <= result["p95_s"] <= result["max_s"]
    assert result["rss_peak_kib"] >= result["rss_start_kib"] > 0
    assert result["selections"][0]["entity"] == "VN-38-393"  # the home entity first, then others
    return out, result


@pytest.mark.browser
def test_bench_load_browser_smoke(built_db, tmp_path):
    assert Path(CHROMIUM).exists(), "cần Debian chromium: `make test` tự cài (apt-get install -y chromium)"
    out, result = run_load(built_db, tmp_path, "--pages", "3")
    assert result["client"] == "browser"
    assert result["pages_loaded"] == result["pages_planned"] == 9
    assert set(result["per_page"]) == PAGES  # each session starts the round at another page


def test_bench_load_protocol_smoke(built_db, tmp_path):
    out, result = run_load(built_db, tmp_path, "--pages", "5", "--client", "protocol")
    assert result["client"] == "protocol"
    assert result["pages_loaded"] == result["pages_planned"] == 15
    assert set(result["per_page"]) == PAGES
