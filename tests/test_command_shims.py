"""The documented commands ``python -m loaders|metrics|briefing`` still work now that the command
lines live in cli/: each package's __main__.py runs its cli module by name (runpy) and imports
nothing of ours, so loaders/ and metrics/ need no layer exemption (tests/test_layers.py)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SHIMS = {"loaders": "cli.data", "metrics": "cli.metrics", "briefing": "cli.briefing"}


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("package", SHIMS)
def test_the_documented_command_runs_its_cli_module(package):
    shim = _run(package, "--help")
    assert shim.returncode == 0, shim.stderr
    assert shim.stdout.startswith(f"usage: python -m {package} [-h]")
    # the shim has no parser of its own: the same help, byte for byte, is the cli module's
    assert shim.stdout == _run(SHIMS[package], "--help").stdout


@pytest.mark.parametrize("package", SHIMS)
def test_exit_codes_and_json_errors_pass_through_the_shim(package):
    r = _run(package, "khong-co-lenh-nay", "--format", "json")
    assert r.returncode == 2
    assert json.loads(r.stdout)["exit"] == 2 and "khong-co-lenh-nay" in json.loads(r.stdout)["error"]
    assert r.stderr.startswith(f"usage: python -m {package}") and "Traceback" not in r.stderr


@pytest.mark.parametrize("package", SHIMS)
def test_a_shim_only_runs_its_module_by_name(package):
    tree = ast.parse((ROOT / package / "__main__.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == {"runpy"}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "run_module"]
    assert [ast.literal_eval(c.args[0]) for c in calls] == [SHIMS[package]]
    assert {k.arg: ast.literal_eval(k.value) for k in calls[0].keywords} == {"run_name": "__main__", "alter_sys": True}
