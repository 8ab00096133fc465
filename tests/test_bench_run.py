"""Smoke run of `python -m bench.run` at a tiny national scale, without the server step.

Figures are printed, not asserted: this only checks that every measurement runs and is
labelled, and that the TARGETS block comes out.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.bench  # `make test-fast` leaves it out

LABELS = [
    "build time", "build peak memory (max RSS)", "database rows (score)",
    "dataset generation",
    "import throughput csv", "import throughput parquet", "import throughput xlsx",
    "import throughput csv (write path)", "import throughput parquet (write path)",
    "page warm tong_quan.py", "page cold tong_quan.py", "page warm du_lieu.py", "page cold so_sanh.py",
    "metric criterion_metrics (one entity)", "metric criterion_metrics (all rows)", "metric focus_list",
    "metric points_to_climb", "metric coverage", "pandas reference_metrics (all rows)",
    "SQL vs pandas (time pandas / time SQL)",
    "export report", "export deck", "export report first run", "export deck build only",
    "export gather (metrics for a briefing)", "export report (command line)", "export deck (command line)",
]


def test_bench_run_smoke(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--scale", "0.01", "--runs", "1", "--skip-server",
                           "--work", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-3000:]
    assert "ERROR" not in out, out[-3000:]
    for label in LABELS:
        assert label in out, f"{label!r} missing from:\n{out}"
    for dataset in ("shipped", "national"):
        assert any(line.startswith("build time") and f" {dataset} " in line for line in out.splitlines())
    assert "python -m loaders build --db" in out  # each figure carries its command
    assert "python -m bench.run pages --db" in out
    assert "python -m bench.run exports --db" in out and "python -m briefing report --entity" in out
    for dataset in ("shipped", "national"):
        assert any(line.startswith("export report ") and f" {dataset} " in line for line in out.splitlines())
    targets = out[out.index("TARGETS"):]
    assert "national build ≤ 60 s" in targets and "SQL metrics ≥ 5× faster than pandas" in targets
    assert "export report on shipped ≤ 2 s" in targets and "export deck on shipped ≤ 1 s" in targets
    assert "skipped (--skip-server)" in targets
    assert all(line.split()[0] in ("OK", "MISSED", "n/a") for line in targets.splitlines()[1:]
               if line.strip() and not line[0].isdigit() and not line.startswith("total"))
