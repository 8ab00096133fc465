"""--format json of the command lines: exactly one JSON object on stdout at the end, progress
on stderr, the same exit codes, and {"error": <Vietnamese message>, "exit": code} on failure."""
from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from cli.briefing import main as briefing
from domain.vocabulary import INDEX_CODES
from cli.data import main as loaders
from cli.metrics import main as metrics
from tests.conftest import ROOT, file_digest

HEADER = "year,index,criterion,entity,points,max_points,rank\n"
PLAN = ROOT / "data" / "plan" / "ke-hoach-chi-so-vinh-loc-2023-2025.md"


def one_object(text: str) -> dict:
    """stdout must be one JSON object and nothing else."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    obj = json.loads(lines[0])
    assert isinstance(obj, dict), obj
    return obj


def run(main, capsys, *argv, code: int = 0) -> dict:
    assert main([*argv, "--format", "json"]) == code, capsys.readouterr()
    return one_object(capsys.readouterr().out)


def _cli(*argv, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", *argv, "--format", "json"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def seconds_ok(obj: dict) -> None:
    assert isinstance(obj["seconds"], float) and obj["seconds"] >= 0


def tidy(tmp_path, name: str, body: str):
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def counts(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as c:
        return dict(c.execute("SELECT index_code, count(*) FROM score GROUP BY ALL").fetchall())


# ---------------------------------------------------------------- python -m loaders

def test_build(tmp_path, capsys, built_db):
    db = tmp_path / "moi.duckdb"
    assert loaders(["build", "--db", str(db), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "[1/" in captured.err  # the progress lines stay on stderr
    out = one_object(captured.out)
    assert set(out) >= {"db", "rows", "total", "conflicts", "seconds"}
    assert out["db"] == str(db)
    assert out["rows"] == counts(db) == counts(built_db) and set(out["rows"]) == set(INDEX_CODES)
    assert out["total"] == sum(out["rows"].values())
    with duckdb.connect(str(db), read_only=True) as c:
        assert out["conflicts"] == c.execute("SELECT count(*) FROM source_conflicts").fetchone()[0]
    seconds_ok(out)


def test_a_real_terminal_gets_one_object_on_stdout_and_progress_on_stderr(db_copy, tmp_path):
    f = tidy(tmp_path, "par.csv", "2024,PAR,1.1,Huyện Vĩnh Lộc,1.5,,\n")
    r = _cli("loaders", "import", str(f), "--db", str(db_copy))
    assert r.returncode == 0, r.stderr
    assert one_object(r.stdout)["status"] == "loaded"
    assert "[1/3]" in r.stderr and "{" not in r.stderr


def test_import_loaded_then_unchanged_then_undo(db_copy, tmp_path, capsys):
    f = tidy(tmp_path, "par.csv", "2024,PAR,1.1,Huyện Vĩnh Lộc,1.5,,\n2024,PAR,1.2,Huyện Vĩnh Lộc,1,,\n")
    out = run(loaders, capsys, "import", str(f), "--db", str(db_copy))
    assert {k: out[k] for k in ("status", "rows", "years", "indices")} == {
        "status": "loaded", "rows": 2, "years": [2024], "indices": ["PAR"]}
    assert isinstance(out["replaced"], int) and out["replaced"] > 0  # the illustrative PAR 2024 rows of Vĩnh Lộc
    seconds_ok(out)
    digest = file_digest(db_copy)
    again = run(loaders, capsys, "import", str(f), "--db", str(db_copy))
    assert (again["status"], again["rows"], again["replaced"]) == ("unchanged", 2, 0)
    assert file_digest(db_copy) == digest
    undone = run(loaders, capsys, "undo", "--db", str(db_copy))
    assert (undone["action"], undone["file"]) == ("import", "par.csv")
    assert isinstance(undone["import_id"], int) and undone["kept"].endswith(".undone.duckdb")


def test_import_plan_then_undo(db_copy, capsys):
    out = run(loaders, capsys, "import-plan", str(PLAN), "--plan-id", "VL-2023-2025", "--db", str(db_copy))
    with duckdb.connect(str(db_copy), read_only=True) as c:
        n = c.execute("SELECT count(*) FROM plan_assignments WHERE plan_id = 'VL-2023-2025'").fetchone()[0]
    assert out["plan_id"] == "VL-2023-2025" and out["rows"] == n > 0
    undone = run(loaders, capsys, "undo", "--db", str(db_copy))
    assert (undone["action"], undone["file"]) == ("import-plan", PLAN.name)


def test_check(tmp_path, capsys):
    f = tidy(tmp_path, "ok.csv", "2023,SIPAS,,Huyện Vĩnh Lộc,80,,\n2024,PAR,1.1,Huyện Vĩnh Lộc,1,,\n")
    out = run(loaders, capsys, "check", str(f))
    assert out["valid"] is True and out["rows"] == 2
    assert out["indices"] == ["PAR", "SIPAS"] and out["years"] == [2023, 2024]


def test_template_backup_and_restore(db_copy, tmp_path, capsys):
    tpl = tmp_path / "mau.xlsx"
    assert run(loaders, capsys, "template", str(tpl))["out"] == str(tpl) and tpl.exists()
    saved = tmp_path / "saoluu.duckdb"
    assert run(loaders, capsys, "backup", str(saved), "--db", str(db_copy))["out"] == str(saved)
    out = run(loaders, capsys, "restore", str(saved), "--db", str(db_copy))
    assert out["backup"] == str(saved) and out["rows"] == sum(counts(db_copy).values())


def test_text_stays_the_default(tmp_path, capsys):
    f = tidy(tmp_path, "ok.csv", "2024,PAR,1.1,Huyện Vĩnh Lộc,1,,\n")
    assert loaders(["check", str(f)]) == 0
    assert capsys.readouterr().out == "Tệp hợp lệ: 1 dòng; chỉ số PAR; năm 2024.\n"


def test_input_errors_exit_2_with_the_vietnamese_message(db_copy, tmp_path, capsys):
    bad = tidy(tmp_path, "bad.csv", "2024,PAR,,Huyện Không Có,80,,\n")
    digest = file_digest(db_copy)
    out = run(loaders, capsys, "import", str(bad), "--db", str(db_copy), code=2)
    assert out["exit"] == 2 and out["error"].startswith("Tệp không hợp lệ: 1 lỗi")
    assert out["problems"][0]["file"] == "bad.csv" and "Huyện Không Có" in out["problems"][0]["message"]
    assert file_digest(db_copy) == digest
    out = run(loaders, capsys, "check", str(bad), code=2)
    assert out["exit"] == 2 and "Huyện Không Có" in out["error"]


def test_nothing_to_undo(db_copy, capsys):
    digest = file_digest(db_copy)  # a copy: no snapshot of an earlier state beside it
    out = run(loaders, capsys, "undo", "--db", str(db_copy), code=2)
    assert file_digest(db_copy) == digest
    assert out["exit"] == 2 and out["error"].startswith("Không hoàn tác được")


def test_usage_errors_are_json_too(capsys):
    with pytest.raises(SystemExit) as exc:
        loaders(["build", "--no-such-option", "--format", "json"])
    assert exc.value.code == 2
    out = one_object(capsys.readouterr().out)
    assert out["exit"] == 2 and "--no-such-option" in out["error"]


# ---------------------------------------------------------------- failures seen from outside

@pytest.mark.parametrize("main,argv", [
    (loaders, ["import-plan", str(PLAN), "--plan-id", "VL-2023-2025"]),
    (metrics, ["coverage"]),
    (briefing, ["tasks", "--entity", "Xã Tây Đô", "--year", "2025", "--out", "x.csv"]),
], ids=["loaders", "metrics", "briefing"])
def test_internal_and_missing_database_errors(tmp_path, capsys, monkeypatch, main, argv):
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "hong.duckdb"
    broken.write_bytes(b"not a database")
    out = run(main, capsys, *argv, "--db", str(broken), code=1)
    assert out["exit"] == 1 and out["error"].startswith("Lỗi nội bộ")
    out = run(main, capsys, *argv, "--db", str(tmp_path / "chua_co.duckdb"), code=2)
    assert out["exit"] == 2 and "Chưa có cơ sở dữ liệu" in out["error"]


def test_the_message_is_on_stderr_too(tmp_path, capsys):
    assert metrics(["coverage", "--db", str(tmp_path / "chua_co.duckdb"), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert one_object(captured.out)["error"] in captured.err  # the person at the terminal still reads it


# ---------------------------------------------------------------- python -m briefing

@pytest.fixture()
def vinh_loc(built_db):
    return ["--entity", "Vĩnh Lộc", "--year", "2024", "--db", str(built_db)]


def test_briefing_tasks(tmp_path, capsys, built_db, con):
    from metrics import criteria

    path = tmp_path / "phan_cong.csv"
    out = run(briefing, capsys, "tasks", "--out", str(path), "--entity", "Xã Tây Đô", "--year", "2025",
              "--db", str(built_db))
    assert (out["out"], out["kind"]) == (str(path), "tasks")
    assert out["rows"] == len(criteria.focus_list(con, "VN-38-15361", 2025)) and out["bytes"] == path.stat().st_size
    seconds_ok(out)


def test_briefing_deck(tmp_path, capsys, vinh_loc):
    from pptx import Presentation

    path = tmp_path / "trinh_chieu.pptx"
    out = run(briefing, capsys, "deck", "--out", str(path), *vinh_loc)
    assert (out["out"], out["kind"]) == (str(path), "deck")
    assert out["slides"] == len(Presentation(str(path)).slides) > 1
    seconds_ok(out)


def test_briefing_report(tmp_path, capsys, vinh_loc, monkeypatch):
    import functools

    from exports import report

    # the charts take 4 s to draw and are tests/test_report.py's business: here only the JSON
    monkeypatch.setattr(report, "write_report", functools.partial(report.write_report, images=False))
    path = tmp_path / "bao_cao.html"
    out = run(briefing, capsys, "report", "--out", str(path), *vinh_loc)
    assert (out["out"], out["kind"]) == (str(path), "report") and out["bytes"] == path.stat().st_size > 0
    seconds_ok(out)


@pytest.mark.parametrize("args,message", [
    (["--out", "x.pdf"], "xuất được .xlsx, .docx, .csv"),
    (["--entity", "Không Có"], "không nhận ra"),
    (["--criteria", "9.9"], "không có tiêu chí này"),
    (["--entity", "Huyện Vĩnh Lộc"], "không còn từ 01/7/2025"),
])
def test_briefing_refusals(tmp_path, capsys, built_db, args, message):
    argv = {"--entity": "Xã Tây Đô", "--out": str(tmp_path / "x.xlsx"), **dict(zip(args[::2], args[1::2]))}
    out = run(briefing, capsys, "tasks", "--year", "2025", "--db", str(built_db),
              *[x for kv in argv.items() for x in kv], code=2)
    assert out["exit"] == 2 and message in out["error"]


# ---------------------------------------------------------------- python -m metrics (a list on success)

def test_metrics_errors_are_the_same_object(capsys, built_db):
    out = run(metrics, capsys, "ranks", "--entity", "Tỉnh Không Có", "--index", "PAR", "--db", str(built_db), code=2)
    assert out["exit"] == 2 and "không nhận ra" in out["error"]
