"""Safe operation: limits checked before parsing, audit and undo, backup and restore, access
control on the Dữ liệu page, and no text from a file or a person rendered as markup."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from loaders import guard
from store import db
from cli.data import main
from access.auth import SignInThrottle, account_for, hash_password, read_auth, verify_password
from store.build import build
from store.importing import import_file
from store.audit import sha256
from store.history import undo
from domain.problems import ValidationFailed
from access.upload import receive, safe_name
from tests.conftest import ROOT, db_content, file_digest, sign_in

HEADER = "year,index,criterion,entity,points\n"


def write(folder: Path, name: str, body: str) -> Path:
    p = folder / name
    p.write_text(body, encoding="utf-8")
    return p


def log_rows(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute("""SELECT import_id, user_name, action, file, sha256, rows_read, rows_loaded, rows_replaced, note
                            FROM import_log ORDER BY import_id""").fetchall()


# ---------------------------------------------------------------- limits

def test_limits_come_from_the_config_file_and_the_environment(tmp_path, monkeypatch):
    cfg = tmp_path / "limits.toml"
    cfg.write_text("[limits]\nmax_rows = 10\nmax_columns = 7\n", encoding="utf-8")
    got = guard.load_limits(cfg)
    assert (got.max_rows, got.max_columns, got.max_upload_mb) == (10, 7, guard.Limits().max_upload_mb)
    monkeypatch.setenv("CHISO_MAX_COLUMNS", "9")
    assert guard.load_limits(cfg).max_columns == 9
    shipped = guard.load_limits()
    assert shipped == guard.load_limits(guard.CONFIG)  # the shipped file parses, every key known
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML  # openpyxl parses every workbook through defusedxml (see the xml_bomb case)
    streamlit_cfg = (ROOT / ".streamlit/config.toml").read_text(encoding="utf-8")
    assert f"maxUploadSize = {int(shipped.max_upload_mb)}" in streamlit_cfg  # the browser refuses the same size


def test_limits_are_enforced_before_any_parser_runs(tmp_path, monkeypatch):
    """Over a limit, neither pandas nor openpyxl nor pyarrow ever sees the content."""
    import openpyxl
    import pandas as pd
    import pyarrow.parquet as pq

    def boom(*a, **k):
        raise AssertionError("a parser ran before the limits were checked")

    csv_file = write(tmp_path, "rows.csv", HEADER + "2024,PAR,1.1,Huyện Vĩnh Lộc,1\n" * 50)
    wb = openpyxl.Workbook()
    for _ in range(60):
        wb.active.append([1, 2, 3])
    wb.save(tmp_path / "rows.xlsx")
    pd.DataFrame({"a": range(60)}).to_parquet(tmp_path / "rows.parquet")
    monkeypatch.setenv("CHISO_MAX_ROWS", "20")
    monkeypatch.setattr(pd, "read_csv", boom)
    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    monkeypatch.setattr(pd, "read_parquet", boom)
    for name in ("rows.csv", "rows.parquet"):
        with pytest.raises(ValidationFailed) as exc:
            guard.check_file(tmp_path / name, name)
        assert "max_rows" in str(exc.value.problems[0]), name
    monkeypatch.delenv("CHISO_MAX_ROWS")
    monkeypatch.setenv("CHISO_MAX_UNCOMPRESSED_MB", "0.0001")
    for name in ("rows.xlsx", "rows.parquet", "rows.csv"):
        with pytest.raises(ValidationFailed) as exc:
            guard.check_file(tmp_path / name, name)
        assert "max_uncompressed_mb" in str(exc.value.problems[0]), name
    assert pq  # imported so a lazy import inside the check cannot hide a parse


def test_rows_of_a_workbook_are_counted_while_reading_even_if_its_dimensions_lie(tmp_path, monkeypatch):
    import openpyxl

    from loaders.cells import read_xlsx_sheets

    wb = openpyxl.Workbook()
    for i in range(30):
        wb.active.append([i])
    wb.save(tmp_path / "long.xlsx")
    monkeypatch.setenv("CHISO_MAX_ROWS", "25")
    with pytest.raises(ValidationFailed, match="1 lỗi") as exc:
        read_xlsx_sheets(tmp_path / "long.xlsx", "long.xlsx")
    assert "hơn 25 dòng" in str(exc.value.problems[0])


def test_upload_limit_and_safe_temporary_names(db_copy, monkeypatch):
    digest = file_digest(db_copy)
    monkeypatch.setenv("CHISO_MAX_UPLOAD_MB", "0.0001")
    with pytest.raises(ValidationFailed) as exc:
        receive("lon.csv", b"x" * 1000, db_copy, user="web: A")
    assert "vượt giới hạn tải lên" in str(exc.value.problems[0]) and file_digest(db_copy) == digest
    assert safe_name("../../etc/passwd.csv") == "passwd.csv"
    assert safe_name("C:\\Users\\a\\điểm 2024 (bản cuối).XLSX") == "điểm 2024 _bản cuối.xlsx"
    assert safe_name("\x00\n.csv") == "tep.csv" and "/" not in safe_name("a/b/../c.xlsx")


# ---------------------------------------------------------------- audit, undo, backup, restore

def test_every_import_is_audited_and_undo_restores_the_state_before_it(db_copy, tmp_path, capsys):
    start = db_content(db_copy)
    first = write(tmp_path, "dot1.csv", HEADER + "2024,PAR,1.1,Huyện Vĩnh Lộc,1.25\n")
    second = write(tmp_path, "dot2.csv", HEADER + "2024,PAR,1.1,Huyện Vĩnh Lộc,0.5\n2024,PAR,1.2,Huyện Vĩnh Lộc,1\n")
    import_file(first, db_copy, user="web: Nguyễn Văn A")
    after_first = db_content(db_copy)
    assert main(["import", str(second), "--db", str(db_copy)]) == 0
    log = log_rows(db_copy)
    a, b = log[-2], log[-1]
    # 1.1 replaced; the other 36 illustrative PAR 2024 rows of Vĩnh Lộc removed beside a real figure (in the note)
    assert a[1:8] == ("web: Nguyễn Văn A", "import", "dot1.csv", sha256(first), 1, 1, 1)
    assert b[1] not in ("", None) and b[1] == subprocess.run(["whoami"], capture_output=True, text=True).stdout.strip()
    assert b[2:8] == ("import", "dot2.csv", sha256(second), 2, 2, 1)

    assert main(["undo", "--db", str(db_copy)]) == 0
    out = capsys.readouterr().out
    assert "Đã hoàn tác lần nạp tệp #" in out and "dot2.csv" in out
    now = db_content(db_copy)
    assert now[:2] == after_first[:2]  # scores and task map exactly as before the second import
    undo_row = log_rows(db_copy)[-1]
    assert undo_row[2:5] == ("undo", "dot2.csv", sha256(second)) and undo_row[0] == b[0] + 1  # numbers never reused
    assert "hoàn tác lần nạp tệp #" in undo_row[8]

    r = undo(db_copy, user="web: Trần Thị B")
    assert (r.undone["action"], r.undone["file"]) == ("import", "dot1.csv")  # not the undo row before it
    assert db_content(db_copy)[:2] == start[:2]  # one write further back: before the first import
    assert log_rows(db_copy)[-1][1:3] == ("web: Trần Thị B", "undo")
    kept = db.snapshots(db_copy, undone=True)
    assert len(kept) == 2 and all(p.name.endswith(".undone.duckdb") for p in kept)


@pytest.mark.slow  # builds a database (3 s); tests/test_cli_json.py refuses an undo with nothing to undo too
def test_nothing_to_undo_is_a_clear_refusal(tmp_path, capsys):
    path = tmp_path / "moi.duckdb"
    build(path)
    digest = file_digest(path)
    assert main(["undo", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Không hoàn tác được" in err and "Traceback" not in err and file_digest(path) == digest


def test_a_rebuild_can_be_undone(db_copy, tmp_path):
    import_file(write(tmp_path, "web.csv", HEADER + "2024,PAR,1.1,Huyện Vĩnh Lộc,1.25\n"), db_copy)
    with_import = db_content(db_copy)
    build(db_copy)  # e.g. `make run` after a pull: imports made since the last build are gone ...
    assert db_content(db_copy)[0] != with_import[0]
    undo(db_copy)  # ... and one undo brings them back
    assert db_content(db_copy)[:2] == with_import[:2]


def test_backup_and_restore(db_copy, tmp_path, capsys):
    copy = tmp_path / "saoluu" / "chiso-2026-11-24.duckdb"
    assert main(["backup", str(copy), "--db", str(db_copy)]) == 0
    saved = db_content(db_copy)
    import_file(write(tmp_path, "sau.csv", HEADER + "2024,PAR,1.1,Huyện Vĩnh Lộc,0.25\n"), db_copy)
    assert main(["restore", str(copy), "--db", str(db_copy)]) == 0
    assert db_content(db_copy)[:2] == saved[:2] and log_rows(db_copy)[-1][2] == "restore"
    junk = write(tmp_path, "khong_phai.duckdb", "không phải cơ sở dữ liệu")
    digest = file_digest(db_copy)
    assert main(["restore", str(junk), "--db", str(db_copy)]) == 2
    assert "không phải bản sao cơ sở dữ liệu" in capsys.readouterr().err and file_digest(db_copy) == digest


def test_snapshots_are_pruned_to_the_configured_number(db_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_SNAPSHOTS_KEPT", "2")
    for i in range(4):
        import_file(write(tmp_path, f"f{i}.csv", HEADER + f"2024,PAR,1.1,Huyện Vĩnh Lộc,{i / 4}\n"), db_copy)
    assert len(db.snapshots(db_copy)) == 2


# ---------------------------------------------------------------- access control

def test_passwords_are_salted_hashes_and_guessing_slows_down():
    a, b = hash_password("mat-khau-dai"), hash_password("mat-khau-dai")
    assert a != b and "mat-khau-dai" not in a and verify_password("mat-khau-dai", a) and not verify_password("sai", a)
    now = [1000.0]
    t = SignInThrottle(free=3, base=2, ceiling=60, clock=lambda: now[0])
    keys = t.keys("Nguyễn Văn A", "10.0.0.9")
    for _ in range(3):
        assert t.attempt(keys)  # each attempt counts as wrong until it succeeds
    assert not t.attempt(keys) and 1.9 < t.wait_seconds(keys) <= 2
    now[0] += 2
    assert t.attempt(keys)
    assert 3.9 < t.wait_seconds(keys) <= 4  # doubles
    for _ in range(10):
        now[0] += 100
        t.attempt(keys)
    assert t.wait_seconds(keys) <= 60  # capped
    now[0] += 60
    assert t.attempt(keys)
    t.succeeded(keys)
    assert t.wait_seconds(keys) == 0


def test_accounts_name_the_person_and_replace_the_shared_password(tmp_path):
    secrets = tmp_path / "secrets.toml"
    run = lambda *a, pw="mat-khau-cua-A\n": subprocess.run(  # noqa: E731
        [sys.executable, "-m", "loaders", "set-password", "--secrets", str(secrets), *a], cwd=ROOT, input=pw,
        capture_output=True, text=True)
    assert run(pw="dung-chung-123\n").returncode == 0
    assert run("--user", "Nguyễn Văn \"A\"").returncode == 0
    assert run("--user", "Trần Thị B", pw="mat-khau-cua-B\n").returncode == 0
    auth = read_auth(secrets)
    assert set(auth["users"]) == {'Nguyễn Văn "A"', "Trần Thị B"} and "mat-khau" not in secrets.read_text(encoding="utf-8")
    assert account_for("  nguyễn  văn \"a\" ", "mat-khau-cua-A", auth) == 'Nguyễn Văn "A"'
    assert account_for("Trần Thị B", "mat-khau-cua-A", auth) is None  # someone else's password
    assert account_for("Ai Đó", "dung-chung-123", auth) is None  # the shared one no longer opens
    assert account_for("Ai Đó", "dung-chung-123", {"password_hash": auth["password_hash"]}) == "Ai Đó"
    assert run("--user", "Trần Thị B", "--remove").returncode == 0
    assert set(read_auth(secrets)["users"]) == {'Nguyễn Văn "A"'}
    r = run("--user", "Không Có", "--remove")
    assert r.returncode == 2 and "Không có tài khoản" in r.stderr


def test_the_page_signs_in_an_account_and_logs_its_name(data_page, db_copy, tmp_path):
    at = data_page
    at.secrets["auth"] = {"users": {"Phạm Thị D": hash_password("mat-khau-cua-D")}}
    at.run()
    at.text_input[0].set_value("phạm thị d")
    at.text_input[1].set_value("mat-khau-cua-D")
    at.button[0].click()
    at.run()
    assert at.session_state["user"] == "Phạm Thị D"
    at.file_uploader[0].set_value(("d.csv", (HEADER + "2024,PAR,1.1,Huyện Vĩnh Lộc,1.25\n").encode(), "text/csv"))
    next(b for b in at.button if b.label == "Kiểm tra và nạp").click()
    at.run()
    assert log_rows(db_copy)[-1][1:4] == ("web: Phạm Thị D", "import", "d.csv")


def test_no_write_path_without_signing_in(data_page, monkeypatch):
    at = data_page
    labels = [b.label for b in at.button]
    assert not at.file_uploader and not any("Hoàn tác" in lbl for lbl in labels) and not at.checkbox
    for _ in range(3):
        at.text_input[0].set_value("Người lạ")
        at.text_input[1].set_value("doan-mo")
        at.button[0].click()
        at.run()
    at.text_input[1].set_value("dung-mat-khau")
    at.button[0].click()
    at.run()  # the right password, but too soon after three wrong ones: not even checked
    assert "signed_in" not in at.session_state and "Hãy chờ" in at.error[0].value
    assert not at.file_uploader


def test_signed_in_user_can_undo_from_the_page(data_page, db_copy, tmp_path):
    at = data_page
    before = db_content(db_copy)
    import_file(write(tmp_path, "web.csv", HEADER + "2024,PAR,1.1,Huyện Vĩnh Lộc,1.25\n"), db_copy, user="web: A")
    sign_in(at, "Lê Văn C")
    at.run()
    assert "web.csv" in re.sub(r"\\(.)", r"\1", at.expander[0].label)
    undo_button = next(b for b in at.button if b.label == "Hoàn tác")
    assert undo_button.disabled  # needs the confirmation box first
    next(c for c in at.checkbox if c.label.startswith("Tôi chắc chắn")).check().run()
    next(b for b in at.button if b.label == "Hoàn tác").click().run()
    assert not at.exception and "Đã hoàn tác" in at.success[0].value
    assert db_content(db_copy)[:2] == before[:2]
    assert log_rows(db_copy)[-1][1:3] == ("web: Lê Văn C", "undo")


def test_user_text_is_never_markup(data_page, db_copy):
    """A file name full of markup is shown as the characters it is made of."""
    at = data_page
    sign_in(at, "<b>Quản trị</b> $x$")
    at.run()
    name = "<img src=x onerror=alert(1)>![a](http://ngoai.vn/a.png)[b](javascript:alert(1)).csv"
    at.file_uploader[0].set_value((name, b"", "text/csv"))
    at.button[0].click()
    at.run()
    shown = at.error[0].value
    assert "\\<img src=x onerror=alert\\(1\\)\\>\\!\\[a\\]" in shown and "](http" not in shown
    assert any("\\<b\\>Quản trị\\</b\\> \\$x\\$" in c.value for c in at.caption)


def test_html_is_only_ever_enabled_for_fixed_text():
    """unsafe_allow_html / st.html only with a literal string: nothing from a file or a user."""
    offenders = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            html_kw = any(k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                          for k in node.keywords)
            is_html = isinstance(node.func, ast.Attribute) and node.func.attr == "html"
            if (html_kw or is_html) and not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_markdown_escaping_keeps_the_text():
    from ui.fmt import plain

    text = "Phòng Nội vụ; UBND các xã, thị trấn (1.2) *[x](y)* $5 <b> # _a_ | ~ !"
    escaped = plain(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    assert not re.search(r"(?<!\\)[\[\]()<>$*_#|~!]", escaped)


def test_secrets_file_is_private_and_holds_no_password(tmp_path):
    out = tmp_path / "secrets.toml"
    r = subprocess.run([sys.executable, "-m", "loaders", "set-password", "--secrets", str(out)], cwd=ROOT,
                       input="mot-mat-khau-dai\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    body = out.read_text(encoding="utf-8")
    assert "mot-mat-khau-dai" not in body and "pbkdf2_sha256$" in body
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"


def test_a_plan_file_is_held_to_the_limits_too(db_copy, tmp_path, monkeypatch, capsys):
    plan = ROOT / "data/plan/ke-hoach-chi-so-vinh-loc-2023-2025.md"
    digest = file_digest(db_copy)
    monkeypatch.setenv("CHISO_MAX_ROWS", "10")
    assert main(["import-plan", str(plan), "--plan-id", "VL-2023-2025", "--db", str(db_copy)]) == 2
    assert "max_rows" in capsys.readouterr().err and file_digest(db_copy) == digest


def test_an_idle_session_must_sign_in_again(data_page):
    import time

    at = data_page
    sign_in(at, "Lê Văn C")
    at.run()
    assert at.file_uploader  # active: may upload
    at.session_state["active_at"] = time.time() - 31 * 60
    at.run()
    assert not at.file_uploader and "signed_in" not in at.session_state
    assert any("hết hạn" in i.value for i in at.info)


def test_a_system_failure_during_upload_is_a_vietnamese_message_not_a_traceback(data_page, db_copy, monkeypatch):
    import access.upload

    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")

    at = data_page
    sign_in(at, "Lê Văn C")
    at.run()
    digest = file_digest(db_copy)
    monkeypatch.setattr(access.upload, "receive", disk_full)
    at.file_uploader[0].set_value(("d.csv", (HEADER + "2024,PAR,1.1,Huyện Vĩnh Lộc,1.25\n").encode(), "text/csv"))
    next(b for b in at.button if b.label == "Kiểm tra và nạp").click()
    at.run()
    assert not at.exception
    assert "Không nạp tệp được do lỗi hệ thống" in at.error[0].value and file_digest(db_copy) == digest
