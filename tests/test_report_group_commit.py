"""Report saves that arrive together are written together (store/progress.py, ``Saves``):

- saves waiting for the write lock are written in one copy of the database, each with its own
  audit line and result; two saves of the same report go to two copies, in order;
- undo still reverts one save: the last save of a copy is undone by its rows, the other saves of
  that copy stay, and undoing them all gives back the state before the copy (also from the
  command line);
- a writer killed with SIGKILL while writing a group leaves the previous version of the file,
  and the saves it had taken are written by the next writer — once, never twice."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cli.data import main as data_main
from store import db, history, progress
from store.audit import REPORT_ACTIONS
from store.progress import Saves, save_reports
from tests.conftest import ROOT, file_digest

PLAN = "VL-2023-2025"  # the district's plan, shipped


def duties_of(path: Path, n: int) -> list[tuple[str, str, str]]:
    """(unit, index, criterion) of ``n`` different units of the district's plan."""
    with duckdb.connect(str(path), read_only=True) as c:
        sql = db.sql("plan_duties.sql").replace("$plan_id", f"'{PLAN}'")
        found = c.execute(f"SELECT unit_code, min(index_code || '|' || item_code) FROM ({sql}) WHERE item_kind = "
                          "'criterion' AND unit_kind = 'department' GROUP BY unit_code ORDER BY unit_code "
                          "LIMIT ?", [n]).fetchall()
    assert len(found) == n
    return [(unit, *first.split("|")) for unit, first in found]


def report(duty: tuple[str, str, str], text: str) -> pd.DataFrame:
    unit, index, code = duty
    return pd.DataFrame([{"plan_id": PLAN, "item_kind": "criterion", "index_code": index, "item_code": code,
                          "unit_code": unit, "year": 2024, "period": "Q4", "status": "in_progress", "done_text": text}])


def state(path: Path) -> tuple[list, list]:
    """The Q4 2024 reports people typed, and the audit lines of report saves."""
    with duckdb.connect(str(path), read_only=True) as c:
        rows = c.execute("SELECT unit_code, item_code, done_text, import_id FROM progress_reports "
                         "WHERE period = 'Q4' AND year = 2024 AND NOT is_illustrative ORDER BY ALL").fetchall()
        log = c.execute("SELECT import_id, imported_at, user_name, action, file FROM import_log "
                        "ORDER BY import_id").fetchall()
    return rows, log


def waiting(path: Path) -> list[Path]:
    folder = path.parent / f".{path.name}.saves"
    return sorted(folder.glob("*.req")) if folder.exists() else []


def save_together(path: Path, saves: list[tuple[str, pd.DataFrame]]) -> dict:
    """Each save from its own thread (as browser sessions), all queued while the write lock is held
    elsewhere, in the order given; then the lock is let go. Their results by user."""
    results: dict = {}

    def one(user: str, rows: pd.DataFrame) -> None:
        try:
            results[user] = save_reports(path, rows, user=user)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[user] = exc

    threads = []
    with db.write_lock(path):
        for k, (user, rows) in enumerate(saves):
            threads.append(threading.Thread(target=one, args=(user, rows)))
            threads[-1].start()
            deadline = time.monotonic() + 30
            while len(waiting(path)) < k + 1:  # queued in this order
                assert time.monotonic() < deadline, "the save never queued"
                time.sleep(0.01)
    for t in threads:
        t.join(60)
    return results


def test_saves_waiting_together_are_written_in_one_copy(db_copy, monkeypatch):
    copies = []
    copy = db._copy_file
    monkeypatch.setattr(db, "_copy_file", lambda src, dst: (copies.append(dst), copy(src, dst)))
    duties = duties_of(db_copy, 5)
    before_rows, before_log = state(db_copy)
    snaps = len(db.snapshots(db_copy))
    results = save_together(db_copy, [(f"web: {u}", report(d, f"{u} xong")) for d in duties for u in [d[0]]])

    assert {u: (r.status, r.rows) for u, r in results.items()} == {f"web: {d[0]}": ("saved", 1) for d in duties}
    assert len(copies) == 1 and len(db.snapshots(db_copy)) == snaps + 1  # one copy, one snapshot for five saves
    rows, log = state(db_copy)
    lines = log[len(before_log):]
    assert [(who, action) for _, _, who, action, _ in lines] == [(f"web: {d[0]}", "report") for d in duties]
    assert len({at for _, at, *_ in lines}) == 1  # written together: one time, the copy's
    assert sorted(rows) == sorted(before_rows + [(d[0], d[2], f"{d[0]} xong", line[0]) for d, line in zip(duties, lines)])
    assert waiting(db_copy) == [] and not db.temp_copies(db_copy)


def test_two_saves_of_one_report_go_to_two_copies_in_order(db_copy):
    duty = duties_of(db_copy, 1)[0]
    before_rows, before_log = state(db_copy)
    results = save_together(db_copy, [("web: A", report(duty, "lần 1")), ("web: B", report(duty, "lần 2"))])
    assert {u: r.status for u, r in results.items()} == {"web: A": "saved", "web: B": "saved"}
    rows, log = state(db_copy)
    assert [r[2] for r in rows if r[0] == duty[0]] == ["lần 2"]
    first, second = log[len(before_log):]
    assert (first[2], second[2]) == ("web: A", "web: B") and first[1] != second[1]  # two copies, in order
    history.undo(db_copy, user="web: B", owner="web: B", actions=REPORT_ACTIONS)
    assert [r[2] for r in state(db_copy)[0] if r[0] == duty[0]] == ["lần 1"]
    history.undo(db_copy, user="web: A", owner="web: A", actions=REPORT_ACTIONS)
    assert state(db_copy)[0] == before_rows


def test_undo_reverts_one_save_of_a_copy_and_the_others_stay(db_copy, capsys):
    duties = duties_of(db_copy, 4)
    before_rows, before_log = state(db_copy)
    save_together(db_copy, [(f"web: {d[0]}", report(d, f"{d[0]} xong")) for d in duties])
    rows, log = state(db_copy)
    mine = {d[0]: [r for r in rows if r[0] == d[0]] for d in duties}
    snaps = db.snapshots(db_copy)

    # the last save of the copy, by its own account: only its rows go back
    last = duties[-1][0]
    with pytest.raises(history.NotYours):  # not the last write: refused, as before
        history.undo(db_copy, user=f"web: {duties[0][0]}", owner=f"web: {duties[0][0]}", actions=REPORT_ACTIONS)
    u = history.undo(db_copy, user=f"web: {last}", owner=f"web: {last}", actions=REPORT_ACTIONS)
    assert u.undone["user_name"] == f"web: {last}" and u.kept.suffix == ".csv" and f"{last} xong" in u.kept.read_text(
        encoding="utf-8-sig")
    now, log2 = state(db_copy)
    assert [r for r in now if r[0] == last] == [r for r in before_rows if r[0] == last]
    assert all([r for r in now if r[0] == d[0]] == mine[d[0]] for d in duties[:-1])
    assert [line[4] for line in log2 if line[3] == "undo"][-1] == log[-1][4]  # the undo line names that save
    assert log[-1] not in log2 and log[:-1] == log2[:len(log) - 1]  # its audit line gave way, the others stay
    assert db.snapshots(db_copy) == snaps  # the snapshot before the copy is still the one undo needs next

    # the command line undoes the next one, as the page would
    assert data_main(["undo", "--db", str(db_copy)]) == 0
    assert duties[-2][0] in capsys.readouterr().out
    assert [r for r in state(db_copy)[0] if r[0] == duties[-2][0]] == [r for r in before_rows if r[0] == duties[-2][0]]
    # the rest, the first of the copy last (by the snapshot): the state before the copy
    for d in reversed(duties[:-2]):
        history.undo(db_copy, user=f"web: {d[0]}", owner=f"web: {d[0]}", actions=REPORT_ACTIONS)
    assert state(db_copy)[0] == before_rows
    assert [line for line in state(db_copy)[1] if line[3] != "undo"] == [line for line in before_log if line[3] != "undo"]


KILLER = """
import os, signal, sys
from pathlib import Path
from store import db, progress

target, when = Path(sys.argv[1]), sys.argv[2]
die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
if when == "before the swap":  # every outcome left beside its request, the copy written, not yet live
    leave = progress.Saves._leave
    progress.Saves._leave = lambda self, *a: (leave(self, *a), die())
else:  # the copy is live; the requests are still there
    db.prune_snapshots = die
with db.write_lock(target):
    progress.Saves(target).write_waiting()
"""


@pytest.mark.parametrize("when", ["before the swap", "after the swap"])
def test_a_writer_killed_during_a_group_commit_leaves_one_version_and_no_save_twice(db_copy, when):
    duties = duties_of(db_copy, 3)
    queue = Saves(db_copy)
    tickets = [queue.put(dict(rows=report(d, f"{d[0]} xong"), user=f"web: {d[0]}", file="(nhập trên trang)",
                              digest=None, action="report", sheet=None, scope=None)) for d in duties]
    digest, (before_rows, before_log) = file_digest(db_copy), state(db_copy)
    r = subprocess.run([sys.executable, "-c", KILLER, str(db_copy), when], cwd=ROOT, capture_output=True, timeout=120)
    assert r.returncode == -signal.SIGKILL, r.stderr.decode()
    if when == "before the swap":
        assert file_digest(db_copy) == digest and state(db_copy) == (before_rows, before_log)  # the previous version
    else:
        assert file_digest(db_copy) != digest
    after_kill = file_digest(db_copy)

    outcomes = [queue.wait(t) for t in tickets]  # each saver, still waiting, takes its outcome
    assert [o["status"] for o in outcomes] == ["saved"] * 3
    rows, log = state(db_copy)
    lines = log[len(before_log):]
    assert [who for _, _, who, _, _ in lines] == [f"web: {d[0]}" for d in duties]  # once each, never twice
    assert sorted(rows) == sorted(before_rows + [(d[0], d[2], f"{d[0]} xong", line[0]) for d, line in zip(duties, lines)])
    if when == "after the swap":
        assert file_digest(db_copy) == after_kill  # done already: nothing written again
    assert waiting(db_copy) == [] and not db.temp_copies(db_copy)


def test_a_save_that_cannot_be_written_fails_only_its_own_saver(db_copy, monkeypatch):
    duties = duties_of(db_copy, 3)
    write = progress._write_saves

    def fails_with_the_poison(con, written, requests):
        if any(requests[i]["user"] == "web: hỏng" for i, _, _ in written):
            raise duckdb.ConversionException("một lỗi không ai lường trước")
        return write(con, written, requests)

    monkeypatch.setattr(progress, "_write_saves", fails_with_the_poison)
    results = save_together(db_copy, [("web: hỏng", report(duties[0], "x"))] +
                            [(f"web: {d[0]}", report(d, f"{d[0]} xong")) for d in duties[1:]])
    assert isinstance(results["web: hỏng"], duckdb.ConversionException)
    assert [results[f"web: {d[0]}"].status for d in duties[1:]] == ["saved", "saved"]
    assert waiting(db_copy) == []
