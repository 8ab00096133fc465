"""Snapshots on a small disk: the snapshots take at most a multiple of the
database's size (snapshot_budget_factor), and a write short of room drops the oldest snapshots
first, saying so in the log, instead of being refused until someone deletes them by hand."""
from __future__ import annotations

import logging
import os
import shutil
from collections import namedtuple
from pathlib import Path

import pytest

from domain.problems import OutOfSpace
from loaders import guard
from store import db, history
from tests.small_db import last_file, tiny_db, write_one
from tests.conftest import file_digest

Usage = namedtuple("Usage", "total used free")


@pytest.fixture()
def tiny(tmp_path, monkeypatch) -> Path:
    """A small database with the product's schema (about 1 MB), limits set here, not read
    from config/limits.toml."""
    monkeypatch.setenv("CHISO_SNAPSHOTS_KEPT", "10")
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_MB", "1000")
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "3")
    return tiny_db(tmp_path / "nho" / "chiso.duckdb")


_write, _last_file = write_one, last_file


def _on_disk(path: Path) -> int:
    """The bytes the snapshots of ``path`` really take: each file once, whatever its names,
    and nothing for one that is the live file itself."""
    live = path.stat()
    seen, total = {(live.st_dev, live.st_ino)}, 0
    for p in db.snapshots(path, undone=True):
        st = p.stat()
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_size
    return total


def _leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.endswith((".tmp", ".wal")))


class Disk:
    """A nearly full disk: ``base`` bytes free, plus the room of each file of ``names`` once
    every one of its names (in the snapshots or elsewhere) is gone; deleting one name of a
    file that has another frees nothing."""

    def __init__(self, base: int, names: list[Path]):
        self.base, self.files = base, {}
        for p in names:
            st = p.stat()
            self.files.setdefault((st.st_dev, st.st_ino), [st.st_size, []])[1].append(p)
        self.calls = 0

    def freed(self) -> int:
        return sum(size for size, names in self.files.values() if not any(p.exists() for p in names))

    def usage(self, folder) -> Usage:
        self.calls += 1
        free = self.base + self.freed()
        return Usage(10 << 30, (10 << 30) - free, free)


def _dropped(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "chiso" and "đã xóa" in r.getMessage()]


# ---------------------------------------------------------------- the budget relative to the database

def test_limits_take_the_factor_from_the_config_and_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("CHISO_SNAPSHOT_BUDGET_FACTOR", raising=False)
    assert guard.load_limits().snapshot_budget_factor == 3  # config/limits.toml
    config = tmp_path / "limits.toml"
    config.write_text("[limits]\nsnapshot_budget_factor = 2\nsnapshot_budget_mb = 1\n", encoding="utf-8")
    limits = guard.load_limits(config)
    assert limits.snapshot_budget_factor == 2
    assert limits.snapshot_budget_for(100_000) == 200_000  # twice the database ...
    assert limits.snapshot_budget_for(10 << 20) == 1 << 20  # ... or the absolute budget: the tighter
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "1.5")
    assert guard.load_limits(config).snapshot_budget_factor == 1.5


def test_ten_writes_keep_snapshots_within_three_times_the_database(tiny):
    for i in range(1, 11):
        _write(tiny, i)
    size = tiny.stat().st_size
    kept = db.snapshots(tiny)
    assert 1 <= len(kept) < 10 and _on_disk(tiny) <= 3 * size, (len(kept), _on_disk(tiny), size)
    history.undo(tiny)  # the newest is always kept: one undo works
    assert _last_file(tiny) == "dot9.csv"
    assert _on_disk(tiny) <= 3 * tiny.stat().st_size


def test_a_factor_below_one_still_keeps_the_newest(tiny, monkeypatch):
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "0.1")
    for i in range(1, 4):
        _write(tiny, i)
    assert len(db.snapshots(tiny)) == 1
    history.undo(tiny)
    assert _last_file(tiny) == "dot2.csv"


def test_a_snapshot_that_is_the_live_file_or_another_snapshot_counts_once(tmp_path):
    path = tmp_path / "chiso.duckdb"
    path.write_bytes(b"x" * 10)
    folder = db.snapshot_dir(path)
    folder.mkdir()
    f0, f1, f2, f3 = (folder / f"chiso.2026010{i}T000000000000.import.duckdb" for i in range(4))
    f0.write_bytes(b"y" * 10)
    os.link(path, f1)  # the live file under another name: no room of its own
    f2.write_bytes(b"z" * 10)
    os.link(f2, f3)  # two names of one file
    # newest first: f3 (10 bytes), f2 (the same file: 0), f1 (the live file: 0), f0 (10): over 15
    assert db.prune_snapshots(path, keep=10, budget=15) == [f0]
    assert db.snapshots(path) == [f3, f2, f1]


# ---------------------------------------------------------------- a nearly full disk

def test_a_write_short_of_room_drops_the_oldest_snapshots_first(tiny, monkeypatch, caplog):
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "100")
    for i in range(1, 6):
        _write(tiny, i)
    snaps = db.snapshots(tiny, undone=True)[::-1]  # oldest first
    assert len(snaps) == 5
    need = db.space_needed(tiny.stat().st_size)
    # room once the two oldest are gone, not before
    disk = Disk(need - snaps[0].stat().st_size - snaps[1].stat().st_size + 1, snaps)
    monkeypatch.setattr(shutil, "disk_usage", disk.usage)
    with pytest.raises(OutOfSpace):
        db.ensure_space(tiny.parent, need)  # what refused every later write until now
    caplog.set_level(logging.WARNING, logger="chiso")
    _write(tiny, 6)
    dropped = _dropped(caplog)
    assert len(dropped) == 2, dropped
    for name, said in zip((snaps[0].name, snaps[1].name), dropped):
        assert name in said and "thiếu chỗ trên đĩa" in said and "bản lưu cũ nhất" in said
    assert "còn 4 bản" in dropped[0] and "còn 3 bản" in dropped[1]
    assert not snaps[0].exists() and not snaps[1].exists() and all(p.exists() for p in snaps[2:])
    assert disk.calls >= 3  # measured again after each deletion
    assert _last_file(tiny) == "dot6.csv" and _leftovers(tiny) == []
    history.undo(tiny)  # the newest state is still undoable
    assert _last_file(tiny) == "dot5.csv"


def test_an_undo_short_of_room_never_drops_the_snapshot_it_restores(tiny, monkeypatch, caplog):
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "100")
    for i in range(1, 4):
        _write(tiny, i)
    snaps = db.snapshots(tiny, undone=True)[::-1]  # oldest first; the last one is what undo restores
    need = db.space_needed(snaps[-1].stat().st_size)
    disk = Disk(need - snaps[0].stat().st_size + 1, snaps)
    monkeypatch.setattr(shutil, "disk_usage", disk.usage)
    caplog.set_level(logging.WARNING, logger="chiso")
    history.undo(tiny)
    assert _last_file(tiny) == "dot2.csv"
    dropped = _dropped(caplog)
    assert len(dropped) == 1 and snaps[0].name in dropped[0]
    assert not snaps[0].exists() and snaps[1].exists()


def test_the_newest_snapshot_goes_last_and_the_write_can_still_be_undone(tiny, monkeypatch, caplog):
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "100")
    for i in range(1, 4):
        _write(tiny, i)
    history.undo(tiny)  # an undone state, newer than every snapshot undo would bring back
    snaps = db.snapshots(tiny, undone=True)[::-1]
    newest = db.snapshots(tiny)[0]
    assert snaps[-1].name.endswith(".undone.duckdb") and newest != snaps[-1]
    need = db.space_needed(tiny.stat().st_size)
    disk = Disk(need - sum(p.stat().st_size for p in snaps) + 1, snaps)  # every one must go
    monkeypatch.setattr(shutil, "disk_usage", disk.usage)
    caplog.set_level(logging.WARNING, logger="chiso")
    _write(tiny, 9)
    dropped = _dropped(caplog)
    assert len(dropped) == len(snaps) and newest.name in dropped[-1]  # the one undo would use: last
    assert "mới nhất" in dropped[-1] and "không hoàn tác được" in dropped[-1]
    assert len(db.snapshots(tiny)) == 1  # the state this write replaced
    history.undo(tiny)
    assert _last_file(tiny) == "dot2.csv"


def test_a_snapshot_with_another_name_elsewhere_is_not_dropped_for_nothing(tiny, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "100")
    for i in range(1, 5):
        _write(tiny, i)
    snaps = db.snapshots(tiny, undone=True)[::-1]
    outside = tmp_path / "ban-giu-rieng.duckdb"
    os.link(snaps[0], outside)  # a person's hard link: deleting the snapshot would free nothing
    need = db.space_needed(tiny.stat().st_size)
    disk = Disk(need - snaps[1].stat().st_size - snaps[2].stat().st_size + 1, snaps + [outside])
    monkeypatch.setattr(shutil, "disk_usage", disk.usage)
    caplog.set_level(logging.WARNING, logger="chiso")
    _write(tiny, 5)
    dropped = _dropped(caplog)
    assert [snaps[1].name in dropped[0], snaps[2].name in dropped[1], len(dropped)] == [True, True, 2]
    assert snaps[0].exists() and snaps[3].exists()


def test_not_enough_room_even_without_snapshots_drops_none_and_changes_nothing(tiny, monkeypatch, caplog):
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "100")
    for i in range(1, 4):
        _write(tiny, i)
    snaps, digest = db.snapshots(tiny, undone=True), file_digest(tiny)
    need = min(db.space_needed(tiny.stat().st_size), db.space_needed(snaps[0].stat().st_size))  # a write, an undo
    disk = Disk(need - sum(p.stat().st_size for p in snaps) - 1, snaps)
    monkeypatch.setattr(shutil, "disk_usage", disk.usage)
    caplog.set_level(logging.WARNING, logger="chiso")
    with pytest.raises(OutOfSpace, match="giải phóng chỗ trống"):
        _write(tiny, 4)
    with pytest.raises(OutOfSpace):
        history.undo(tiny)
    assert file_digest(tiny) == digest and db.snapshots(tiny, undone=True) == snaps and _leftovers(tiny) == []
    said = [r.getMessage() for r in caplog.records if r.name == "chiso"]
    assert said and all("không xóa bản nào" in s for s in said), said


def test_when_deleting_frees_nothing_the_write_is_refused_and_the_undo_source_kept(tiny, monkeypatch, caplog):
    """Files still open in a reader free their room only when it lets go: free space is
    measured again after each deletion, and the refusal comes when nothing is left to drop."""
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "100")
    for i in range(1, 4):
        _write(tiny, i)
    snaps, digest = db.snapshots(tiny, undone=True)[::-1], file_digest(tiny)
    need = db.space_needed(snaps[-1].stat().st_size)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(10 << 30, (10 << 30) - need + 1, need - 1))
    caplog.set_level(logging.WARNING, logger="chiso")
    with pytest.raises(OutOfSpace):
        history.undo(tiny)
    assert len(_dropped(caplog)) == 2 and not snaps[0].exists() and not snaps[1].exists()
    assert snaps[-1].exists() and file_digest(tiny) == digest and _leftovers(tiny) == []
    monkeypatch.undo()  # room again: the undo goes through, from the snapshot it was refused with
    history.undo(tiny)
    assert _last_file(tiny) == "dot2.csv"
