"""Hardening of the input and write paths: every fault of the input
is exit 2 with a Vietnamese message; a full disk, Ctrl-C or a killed writer leaves no copy
behind; undo and restore need only a snapshot or a backup, and a backup must have exactly
the product's schema; nothing a command prints can drive the terminal; snapshots are kept
within a count and a size budget."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from collections import namedtuple
from pathlib import Path

import duckdb
import pytest

from domain.problems import OutOfSpace
from domain.text import printable
from cli.data import main
from store import db, history
from store.importing import import_file
from tests.small_db import last_file, tiny_db, write_one
from tests.conftest import ROOT, db_content, file_digest

HEADER = "year,index,criterion,entity,points,max_points,rank,n_ranked,source\n"
VL = "Huyện Vĩnh Lộc"


def write(folder: Path, name: str, body: str | bytes) -> Path:
    p = folder / name
    p.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return p


def copies(path: Path) -> list[Path]:
    """Temporary copies of the database (.chiso.duckdb.<pid>.<thread>.tmp), without their .wal."""
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def leftovers(path: Path) -> list[str]:
    """Temporary copies (and their write-ahead logs) beside the database."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.endswith((".tmp", ".wal")))


def refused(argv: list[str], capsys, *fragments: str) -> str:
    """Run the command line; it must exit 2 with a Vietnamese message holding ``fragments``."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "Lỗi nội bộ" not in err, err
    for f in fragments:
        assert f in err, (f, err)
    return err


def refused_everywhere(path: Path, db_file: Path, capsys, *fragments: str) -> None:
    """``check`` and ``import`` both refuse the file, and the database is byte-identical."""
    digest, before = file_digest(db_file), db_content(db_file)
    refused(["check", str(path)], capsys, *fragments)
    refused(["import", str(path), "--db", str(db_file)], capsys, "Cơ sở dữ liệu không thay đổi", *fragments)
    assert file_digest(db_file) == digest and db_content(db_file) == before
    assert leftovers(db_file) == [] and not db.snapshots(db_file, undone=True)


# ---------------------------------------------------------------- 5. the input's fault is exit 2

@pytest.mark.parametrize("column, value", [("rank", "123456789012"), ("n_ranked", "99999999999"),
                                           ("rank", "1e15")])
def test_a_number_too_large_for_the_database_is_refused_with_the_allowed_range(db_copy, tmp_path, capsys,
                                                                               column, value):
    cells = {"rank": "", "n_ranked": "", column: value}
    f = write(tmp_path, "hang.csv", HEADER + f"2024,PAR,,{VL},80,,{cells['rank']},{cells['n_ranked']},\n")
    refused_everywhere(f, db_copy, capsys, "dòng 2", f"cột «{column}»", "1 đến 2.147.483.647")


def _parquet(path: Path, points) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"year": [2024], "index": ["PAR"], "criterion": [None], "entity": [VL],
                             "points": points}), path)
    return path


@pytest.mark.parametrize("kind, points, said", [
    ("list", [[80.0, 1.0]], "danh sách"),
    ("struct", [{"a": 80.0}], "cấu trúc lồng nhau"),
    ("map", "map", "bảng ánh xạ"),
    ("binary", [b"80"], "dữ liệu nhị phân"),
])
def test_a_parquet_column_that_holds_no_plain_values_is_refused(db_copy, tmp_path, capsys, kind, points, said):
    import pyarrow as pa

    if points == "map":
        points = pa.array([[("a", 80.0)]], type=pa.map_(pa.string(), pa.float64()))
    f = _parquet(tmp_path / f"{kind}.parquet", points)
    refused_everywhere(f, db_copy, capsys, "cột «points»", said)


def test_a_date_where_a_number_is_expected_is_a_problem_with_its_row(db_copy, tmp_path, capsys):
    import datetime

    f = _parquet(tmp_path / "ngay.parquet", [datetime.date(2024, 1, 5)])
    refused_everywhere(f, db_copy, capsys, "dòng 2", "cột «points»", "cần một số")


def test_a_folder_a_pipe_a_device_or_nothing_given_as_the_file_is_refused(db_copy, tmp_path, capsys):
    folder = tmp_path / "diem.csv"
    folder.mkdir()
    refused_everywhere(folder, db_copy, capsys, "diem.csv", "là một thư mục")
    refused_everywhere(tmp_path / "khong_co.csv", db_copy, capsys, "không tìm thấy tệp")
    refused(["import-plan", str(folder), "--plan-id", "X", "--entity", VL, "--db", str(db_copy)], capsys,
            "là một thư mục")
    refused(["restore", str(folder), "--db", str(db_copy)], capsys, "là một thư mục")
    if os.path.exists("/dev/null"):
        refused(["check", "/dev/null"], capsys, "là một thiết bị")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(db_copy, tmp_path):
    pipe = tmp_path / "ong.csv"
    os.mkfifo(pipe)
    digest = file_digest(db_copy)
    for argv in (["check", str(pipe)], ["import", str(pipe), "--db", str(db_copy)]):
        # opening a pipe blocks until someone writes to it: the command must not even open it
        r = subprocess.run([sys.executable, "-m", "loaders", *argv], cwd=ROOT, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 2 and "ống dẫn (FIFO)" in r.stderr, r.stderr
    assert file_digest(db_copy) == digest


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(s: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: the tone mark as a separate byte."""
    out = []
    for ch in s:
        d = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
                   + "".join(c for c in d if c in TONES))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("case, body, line", [
    ("utf8_then_cp1258", HEADER.encode() + f"2024,PAR,,{VL},80,,,,Tốt\n".encode() + cp1258(f"2024,SIPAS,,{VL},80,,,,Khá\n"), 3),
    ("cp1258_then_utf8", cp1258(HEADER + f"2024,PAR,,{VL},80,,,,Khá\n") + f"2024,SIPAS,,{VL},80,,,,Tốt\n".encode(), 3),
    ("both_in_one_line", cp1258(HEADER + f"2024,PAR,,{VL},80,,,,") + "Tốt\n".encode(), 2),
])
def test_a_csv_mixing_utf8_and_windows_1258_is_refused_naming_the_line(db_copy, tmp_path, capsys, case, body, line):
    f = write(tmp_path, f"{case}.csv", body)
    refused_everywhere(f, db_copy, capsys, f"dòng {line}", "bảng mã", "UTF-8")
    # one encoding throughout is still read
    one = write(tmp_path, "cp1258.csv", cp1258(HEADER + f"2024,PAR,,{VL},80,,,,Khá tốt\n"))
    assert main(["check", str(one)]) == 0


def test_a_plan_that_is_not_utf8_names_its_line(db_copy, tmp_path, capsys):
    plan = write(tmp_path, "ke_hoach.md", "# Kế hoạch năm 2026\n\n".encode() + cp1258("Cơ quan chủ trì: Phòng Nội vụ\n"))
    refused(["import-plan", str(plan), "--plan-id", "KH-X", "--entity", VL, "--db", str(db_copy)], capsys,
            "dòng 3", "UTF-8")


# ---------------------------------------------------------------- 6. the write path cleans up

def _fail_midway(error: BaseException):
    def copy(src: Path, dst: Path) -> None:
        data = Path(src).read_bytes()
        Path(dst).write_bytes(data[: len(data) // 2])  # a partial, half-size copy on the disk ...
        raise error  # ... then the disk is full

    return copy


def test_a_full_disk_midway_leaves_no_copy_and_the_next_import_works(db_copy, tmp_path, capsys, monkeypatch):
    f = write(tmp_path, "dot.csv", HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n")
    digest = file_digest(db_copy)
    with monkeypatch.context() as m:
        m.setattr(shutil, "copyfile", _fail_midway(OSError(errno.ENOSPC, "No space left on device")))
        err = refused(["import", str(f), "--db", str(db_copy)], capsys, "Ổ đĩa", "đầy", "giải phóng chỗ trống",
                      "Cơ sở dữ liệu không thay đổi")
        assert "Errno" not in err
        assert leftovers(db_copy) == [] and file_digest(db_copy) == digest
        # undo of an earlier write fails the same way, and cleans up the same way
        with pytest.raises(OutOfSpace):
            with db.writable_copy(db_copy, action="import"):
                pass
        assert leftovers(db_copy) == [] and file_digest(db_copy) == digest
    assert main(["import", str(f), "--db", str(db_copy)]) == 0  # room again: the import goes through
    assert leftovers(db_copy) == []


def test_a_full_disk_inside_duckdb_is_said_the_same_way(db_copy):
    digest = file_digest(db_copy)
    with pytest.raises(OutOfSpace, match="giải phóng chỗ trống"):
        with db.writable_copy(db_copy) as con:
            con.execute("DELETE FROM score")
            raise duckdb.IOException('Could not write file "x": No space left on device')
    assert leftovers(db_copy) == [] and file_digest(db_copy) == digest


def test_ctrl_c_during_the_copy_leaves_no_copy(db_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "copyfile", _fail_midway(KeyboardInterrupt()))
    digest = file_digest(db_copy)
    with pytest.raises(KeyboardInterrupt):
        import_file(write(tmp_path, "dot.csv", HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n"), db_copy)
    assert leftovers(db_copy) == [] and file_digest(db_copy) == digest


def _dead_pid() -> int:
    r = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(r.stdout)


def test_copies_left_by_a_killed_import_are_removed_by_the_next_write(db_copy, tmp_path):
    # a writer killed with SIGKILL inside the block: no finally runs, its copy stays on the disk
    script = ("import os, signal; from pathlib import Path; from store import db\n"
              f"with db.writable_copy(Path({str(db_copy)!r})) as con:\n"
              "    con.execute('DELETE FROM score')\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n")
    for _ in range(3):
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=120)
    assert len(copies(db_copy)) == 1  # each killed writer removed the copy of the one before: they never pile up
    digest = file_digest(db_copy)
    import_file(write(tmp_path, "dot.csv", HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n"), db_copy)
    assert copies(db_copy) == [] and leftovers(db_copy) == [] and file_digest(db_copy) != digest


def test_a_backup_removes_copies_of_ended_processes_only(db_copy, tmp_path, capsys):
    dead = db_copy.with_name(f".{db_copy.name}.{_dead_pid()}.1.tmp")
    mine = db_copy.with_name(f".{db_copy.name}.{os.getpid()}.1.tmp")  # a live process: maybe at work
    for p in (dead, mine, dead.with_name(dead.name + ".wal")):
        p.write_bytes(b"x" * 1000)
    assert main(["backup", str(tmp_path / "sao_luu.duckdb"), "--db", str(db_copy)]) == 0
    assert copies(db_copy) == [mine] and leftovers(db_copy) == [mine.name]
    mine.unlink()


Usage = namedtuple("Usage", "total used free")


def test_free_space_is_checked_before_copying(db_copy, tmp_path, capsys, monkeypatch):
    f = write(tmp_path, "dot.csv", HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n")
    import_file(f, db_copy)  # something to undo
    digest, snaps = file_digest(db_copy), db.snapshots(db_copy, undone=True)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(10 << 30, (10 << 30) - (3 << 20), 3 << 20))
    need = f"{db.space_needed(db_copy.stat().st_size) / (1 << 20):.0f}"
    said = ["Ổ đĩa chứa", "còn 3 MB", "cần khoảng", "giải phóng chỗ trống", "CHISO_DB"]
    g = write(tmp_path, "dot2.csv", HEADER + f"2024,PAR,1.1,{VL},0.5,,,,\n")
    refused(["import", str(g), "--db", str(db_copy)], capsys, *said, f"cần khoảng {need} MB")
    refused(["undo", "--db", str(db_copy)], capsys, *said)
    refused(["restore", str(db_copy), "--db", str(db_copy)], capsys, *said)
    out = tmp_path / "sao_luu.duckdb"
    refused(["backup", str(out), "--db", str(db_copy)], capsys, "Ổ đĩa chứa", "còn 3 MB")
    assert file_digest(db_copy) == digest and db.snapshots(db_copy, undone=True) == snaps
    assert leftovers(db_copy) == [] and not out.exists() and list(tmp_path.glob(".sao_luu*")) == []


def test_json_output_of_a_full_disk_is_exit_2(db_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(1 << 30, 1 << 30, 0))
    f = write(tmp_path, "dot.csv", HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n")
    assert main(["import", str(f), "--db", str(db_copy), "--format", "json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["exit"] == 2 and "Ổ đĩa" in out["error"]


# ---------------------------------------------------------------- 7. recovery from snapshots and backups

def _corrupt(path: Path, how: str) -> bytes:
    data = path.read_bytes()
    bad = {"garbage": b"\x00 hong " * 5000, "truncated": data[: len(data) // 3],
           "zeroed": data[:4096] + b"\x00" * (len(data) - 4096)}[how]
    path.write_bytes(bad)
    return bad


@pytest.mark.parametrize("how", ["garbage", "truncated", "zeroed"])
def test_undo_works_from_the_snapshot_when_the_live_file_is_corrupt(db_copy, tmp_path, capsys, how):
    before = db_content(db_copy)
    import_file(write(tmp_path, "dot.csv", HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n"), db_copy)
    bad = _corrupt(db_copy, how)
    assert main(["undo", "--db", str(db_copy)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "không đọc được" in out and ".corrupt-" in out
    assert db_content(db_copy)[:2] == before[:2]  # the state before the import
    aside = list(tmp_path.glob("chiso.duckdb.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == bad  # kept for a person to look at
    with duckdb.connect(str(db_copy), read_only=True) as c:
        action, note = c.execute("SELECT action, note FROM import_log ORDER BY import_id DESC LIMIT 1").fetchone()
    assert action == "undo" and aside[0].name in note
    assert leftovers(db_copy) == []


def test_undo_works_when_the_live_file_is_gone(db_copy, tmp_path):
    before = db_content(db_copy)
    import_file(write(tmp_path, "dot.csv", HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n"), db_copy)
    db_copy.unlink()
    r = history.undo(db_copy)
    assert r.corrupt is None and db_content(db_copy)[:2] == before[:2]


def test_a_failed_undo_puts_the_corrupt_file_back(db_copy, tmp_path, monkeypatch):
    import_file(write(tmp_path, "dot.csv", HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n"), db_copy)
    bad = _corrupt(db_copy, "garbage")
    monkeypatch.setattr(shutil, "copyfile", _fail_midway(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(OutOfSpace):
        history.undo(db_copy)
    assert db_copy.read_bytes() == bad and not list(tmp_path.glob("*.corrupt-*")) and leftovers(db_copy) == []


def test_restore_works_when_the_live_file_is_corrupt(db_copy, tmp_path, capsys):
    saved = tmp_path / "sao_luu" / "chiso.duckdb"
    assert main(["backup", str(saved), "--db", str(db_copy)]) == 0
    before = db_content(db_copy)
    _corrupt(db_copy, "truncated")
    assert main(["restore", str(saved), "--db", str(db_copy)]) == 0, capsys.readouterr().err
    assert db_content(db_copy)[:2] == before[:2] and len(list(tmp_path.glob("chiso.duckdb.corrupt-*"))) == 1


def _tampered(src: Path, folder: Path, name: str, *sql: str) -> Path:
    out = folder / name
    shutil.copyfile(src, out)
    with duckdb.connect(str(out)) as c:
        for s in sql:
            c.execute(s)
    return out


@pytest.mark.parametrize("name, sql, said", [
    ("view_la.duckdb", ["CREATE VIEW doc_tep AS SELECT * FROM read_csv('/etc/passwd', header=false)"], "view lạ «doc_tep»"),
    ("view_thay.duckdb", ["CREATE OR REPLACE VIEW scores AS SELECT * FROM read_text('/etc/hostname')"],
     "view «scores» khác"),
    ("macro.duckdb", ["CREATE MACRO doc(f) AS TABLE SELECT * FROM read_text(f)"], "hàm/macro lạ «doc»"),
    ("bang_la.duckdb", ["CREATE TABLE them (x INTEGER)"], "bảng lạ «them»"),
    ("thieu_bang.duckdb", ["DROP VIEW plan_tasks", "DROP TABLE plan_task_units"], "thiếu bảng «plan_task_units»"),
    ("cot_mac_dinh.duckdb", ["ALTER TABLE score ADD COLUMN note VARCHAR DEFAULT 'x'"], "bảng «score» khác"),
    ("luoc_do.duckdb", ["CREATE SCHEMA khac", "CREATE VIEW khac.v AS SELECT 1"], "lược đồ lạ «khac»"),
])
def test_restore_refuses_a_backup_whose_schema_is_not_the_products(db_copy, tmp_path, capsys, name, sql, said):
    bad = _tampered(db_copy, tmp_path, name, *sql)
    digest = file_digest(db_copy)
    refused(["restore", str(bad), "--db", str(db_copy)], capsys, "không phải bản sao cơ sở dữ liệu", said,
            "Cơ sở dữ liệu không thay đổi")
    assert file_digest(db_copy) == digest and leftovers(db_copy) == [] and not db.snapshots(db_copy, undone=True)


def test_a_backup_is_looked_at_without_running_anything_in_it(db_copy, tmp_path):
    bad = _tampered(db_copy, tmp_path, "view_la.duckdb", "CREATE VIEW doc_tep AS SELECT * FROM read_text('/etc/hostname')")
    con = db.open_untrusted(bad)
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        con.execute("SELECT * FROM doc_tep").fetchall()
    con.close()
    con = db.open_untrusted(db_copy)
    assert db.schema_differences(con) == []  # the product's own file passes
    con.close()


# ---------------------------------------------------------------- 8. nothing printed drives the terminal

NASTY = "đỏ\x1b[31m\rxoá\x1b]0;pwned\x07\u202e.csv"


def test_control_characters_are_removed_from_what_commands_print(db_copy, tmp_path, capsys):
    f = write(tmp_path, NASTY, HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n")
    assert main(["import", str(f), "--db", str(db_copy)]) == 0
    assert main(["undo", "--db", str(db_copy)]) == 0
    bad = write(tmp_path, "x" + NASTY, HEADER + "2024,PAR,1.1,Huyện Không Có\x1b[2J,1,,,,\n")
    assert main(["import", str(bad), "--db", str(db_copy)]) == 2
    out, err = capsys.readouterr()
    for text in (out, err):
        assert not any(ch in text for ch in "\x1b\r\x07\u202e"), repr(text)
    assert "đỏ[31mxoá]0;pwned.csv" in out  # the name is still recognisable
    assert "Huyện Không Có[2J" in err
    # JSON keeps the exact name, escaped
    assert main(["import", str(f), "--db", str(db_copy), "--format", "json"]) == 0
    raw = capsys.readouterr().out
    assert "\x1b" not in raw and "\u202e" not in raw and json.loads(raw)["file"] == str(f)


def test_the_terminal_gets_no_escape_sequence_from_a_real_run(db_copy, tmp_path):
    f = write(tmp_path, NASTY, HEADER + f"2024,PAR,1.1,{VL},1.25,,,,\n")
    for argv in (["import", str(f)], ["undo"]):
        r = subprocess.run([sys.executable, "-m", "loaders", *argv, "--db", str(db_copy)], cwd=ROOT,
                           capture_output=True, timeout=300)
        assert r.returncode == 0, r.stderr.decode()
        assert b"\x1b" not in r.stdout + r.stderr and b"\r" not in r.stdout + r.stderr


def test_printable_keeps_vietnamese_newlines_and_tabs():
    assert printable("Huyện Vĩnh Lộc\n\tdòng 2") == "Huyện Vĩnh Lộc\n\tdòng 2"
    assert printable("a\x1b[2Jb\x9b31mc\x00\x7f\u202ed") == "a[2Jb31mcd"


# ---------------------------------------------------------------- 9. snapshots: a count and a size budget

@pytest.fixture()
def tiny(tmp_path, monkeypatch) -> Path:
    """A small database with the product's schema: snapshots of it cost little."""
    monkeypatch.setenv("CHISO_SNAPSHOTS_KEPT", "10")
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_MB", "1000")
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_FACTOR", "1000")  # the count and the MB budget decide here
    return tiny_db(tmp_path / "nho" / "chiso.duckdb")


_write, _last_file = write_one, last_file


def test_ten_snapshots_allow_ten_undos(tiny):
    for i in range(1, 13):
        _write(tiny, i)
    assert len(db.snapshots(tiny)) == 10
    for i in range(12, 2, -1):  # ten undos, each one write further back
        assert _last_file(tiny) == f"dot{i}.csv"
        history.undo(tiny)
    assert _last_file(tiny) == "dot2.csv"
    with pytest.raises(history.NothingToUndo):
        history.undo(tiny)
    assert len(db.snapshots(tiny, undone=True)) == 10  # the undone states, kept for a person


def test_snapshots_are_kept_within_the_size_budget(tiny, monkeypatch):
    size = tiny.stat().st_size
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_MB", str(3.5 * size / (1 << 20)))
    for i in range(6):
        _write(tiny, i)
    kept = db.snapshots(tiny, undone=True)
    assert 1 <= len(kept) < 6 and sum(p.stat().st_size for p in kept) <= 3.5 * size
    # a budget smaller than one database still keeps the newest, so one undo always works
    monkeypatch.setenv("CHISO_SNAPSHOT_BUDGET_MB", "0.001")
    _write(tiny, 99)
    assert len(db.snapshots(tiny)) == 1
    history.undo(tiny)
    assert _last_file(tiny) == "dot5.csv"


def test_pruning_keeps_the_newest_within_count_and_budget(tmp_path):
    path = tmp_path / "chiso.duckdb"
    folder = db.snapshot_dir(path)
    folder.mkdir()
    sizes = [5, 1, 1, 3, 1, 1]  # oldest first
    files = []
    for i, s in enumerate(sizes):
        f = folder / f"chiso.2026010{i}T000000000000.import.duckdb"
        f.write_bytes(b"x" * s)
        files.append(f)
    f0, f1, f2, f3, f4, f5 = files
    # newest first 1, 1, 3, 1 make 6 bytes, within the budget; the next would not fit: it and
    # every older one go (never one in the middle: undo steps back one state at a time)
    assert db.prune_snapshots(path, keep=10, budget=6) == [f1, f0]
    assert db.snapshots(path) == [f5, f4, f3, f2]
    assert db.prune_snapshots(path, keep=2, budget=100) == [f3, f2]
    assert db.prune_snapshots(path, keep=10, budget=0) == [f4]  # the newest stays, whatever its size
    assert db.snapshots(path) == [f5]
