"""The page-timing command runs end to end (figures are printed, not asserted)."""
import pytest

from bench import page_times

pytestmark = pytest.mark.bench  # a benchmark command: `make test-fast` leaves it out


def test_page_times_command_runs(built_db, capsys, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(built_db))
    assert page_times.main(["--runs", "1", "--limit", "30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("command: python -m bench.page_times")
    assert all(p.name in out for p in page_times.page_files())
