"""Importing score files: the tidy template, re-imports, corrections, and bad input that
must exit 2 with a precise Vietnamese message and leave the database unchanged."""
import subprocess
import unicodedata
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from cli.data import main
from store.importing import import_file
from tests.conftest import ROOT, db_content, file_digest

HEADER = "year,index,criterion,entity,points,max_points,rank\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def scores_of(db: Path, sql: str, *params):
    with duckdb.connect(str(db), read_only=True) as c:
        return c.execute(sql, list(params)).fetchall()


def test_vietnamese_headers_semicolons_decimal_comma_and_bom(db_copy, tmp_path, capsys):
    f = write(tmp_path, "vinhloc_par_2024.csv",
              "\ufeffNăm;Chỉ số;Mã tiêu chí;Đơn vị;Điểm;Điểm tối đa;Xếp hạng\n"
              "2024;PAR;;Huyện Vĩnh Lộc;87,65;100;9\n\n")
    assert main(["import", str(f), "--db", str(db_copy)]) == 0
    assert "Đã nạp 1 dòng" in capsys.readouterr().out
    rows = scores_of(db_copy, """SELECT points, rank, rank_published, is_illustrative, source FROM scores
                                 WHERE entity_code = 'VN-38-393' AND index_code = 'PAR' AND year = 2024""")
    # the file replaced every PAR 2024 figure of Vĩnh Lộc: only the official total remains
    assert rows == [(87.65, 9, True, False, "vinhloc_par_2024.csv › dòng 2")]


def test_xlsx_template_with_nfd_text(db_copy, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["year", "index", "criterion", "entity", "points"])
    ws.append([2024, "SIPAS", "2.1", "Huye\u0323\u0302n Vi\u0303nh Lo\u0323\u0302c", 91.5])  # decomposed
    wb.save(tmp_path / "sipas.xlsx")
    r = import_file(tmp_path / "sipas.xlsx", db_copy)
    assert (r.status, r.rows) == ("loaded", 1)
    assert scores_of(db_copy, """SELECT points FROM score WHERE entity_code = 'VN-38-393' AND index_code = 'SIPAS'
                                 AND year = 2024 AND criterion_code = '2.1'""") == [(91.5,)]


def test_reimport_changes_nothing_and_correction_replaces(db_copy, tmp_path, capsys):
    body = HEADER + "".join(f"2024,PAR,{c},Huyện Vĩnh Lộc,{p},,\n" for c, p in [("1.1", "\"1,5\""), ("1.2", "1")])
    f = write(tmp_path, "par.csv", body)
    assert main(["import", str(f), "--db", str(db_copy)]) == 0
    log_before = scores_of(db_copy, "SELECT count(*) FROM import_log")
    digest = file_digest(db_copy)
    assert main(["import", str(f), "--db", str(db_copy)]) == 0
    assert "Không có gì thay đổi" in capsys.readouterr().out
    assert file_digest(db_copy) == digest and scores_of(db_copy, "SELECT count(*) FROM import_log") == log_before
    # corrected figure for the same index and year: replaces, and the import is logged
    write(tmp_path, "par.csv", body.replace(",1,,", ",0.75,,"))
    assert main(["import", str(f), "--db", str(db_copy)]) == 0
    assert scores_of(db_copy, """SELECT criterion_code, points FROM score WHERE entity_code = 'VN-38-393'
                                 AND index_code = 'PAR' AND year = 2024 AND NOT derived ORDER BY 1""") == [("1.1", 1.5), ("1.2", 0.75)]
    last = scores_of(db_copy, "SELECT action, file, rows_loaded, rows_replaced FROM import_log ORDER BY import_id DESC LIMIT 1")
    assert last == [("import", "par.csv", 2, 2)]
    # the sum over an incomplete set of criteria is missing, not a made-up total
    assert scores_of(db_copy, """SELECT points FROM scores WHERE entity_code = 'VN-38-393' AND index_code = 'PAR'
                                 AND year = 2024 AND criterion_code IS NULL""") == [(None,)]


@pytest.mark.parametrize("name", ["mau.csv", "mau.xlsx"])
def test_template_command_writes_a_loadable_template(tmp_path, name):
    out = tmp_path / name
    assert main(["template", str(out)]) == 0
    if name.endswith(".csv"):
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    assert main(["check", str(out)]) == 0


def test_every_problem_is_reported_at_once(db_copy, tmp_path, capsys):
    f = write(tmp_path, "many.csv", HEADER + "2024,PAR,,Huyện Không Có,80,,\n2024,PAR,1.1,Huyện Vĩnh Lộc,9,,\n"
                                             "2024,XYZ,,Huyện Vĩnh Lộc,80,,\n")
    assert main(["import", str(f), "--db", str(db_copy)]) == 2
    err = capsys.readouterr().err
    assert "3 lỗi" in err and "dòng 2" in err and "dòng 3" in err and "dòng 4" in err


def test_index_option_must_agree_with_the_file(db_copy, tmp_path, capsys):
    f = write(tmp_path, "mismatch.csv", HEADER + "2024,PAR,,Huyện Vĩnh Lộc,80,,\n")
    assert main(["import", str(f), "--db", str(db_copy), "--index", "DDCI"]) == 2
    assert "lệnh nhập chỉ định DDCI" in capsys.readouterr().err


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: the tone mark as a separate combining byte."""
    letters = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        letters.append(base + "".join(c for c in d if c in TONES))
    return "".join(letters).encode("cp1258")


def test_csv_in_utf16_and_windows_1258_are_read(tmp_path):
    body = HEADER + "2024,PAR,,Huyện Vĩnh Lộc,80,,\n"
    (tmp_path / "f16.csv").write_text(body, encoding="utf-16")
    (tmp_path / "f1258.csv").write_bytes(cp1258_bytes(body))
    for name in ("f16.csv", "f1258.csv"):
        assert main(["check", str(tmp_path / name)]) == 0, name


def test_real_command_line_exit_codes(db_copy, tmp_path):
    bad = write(tmp_path, "bad.csv", HEADER + "2024,PAR,,Huyện Không Có,80,,\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "loaders", *a], cwd=ROOT, capture_output=True, text=True)  # noqa: E731
    r = run("import", str(bad), "--db", str(db_copy))
    assert r.returncode == 2 and "Huyện Không Có" in r.stderr
    r = run("import", str(tmp_path / "khong_co.csv"), "--db", str(db_copy))
    assert r.returncode == 2 and "không tìm thấy tệp" in r.stderr
    r = run("import", str(bad), "--db", str(tmp_path / "no" / "db.duckdb"))
    assert r.returncode == 2 and "chưa có cơ sở dữ liệu" in r.stderr


def test_publisher_workbook_through_the_command_line(db_copy, capsys):
    wb = ROOT / "data/publisher/PCI/PCI_2012.xlsx"
    assert main(["import", str(wb), "--db", str(db_copy)]) == 2
    assert "--index" in capsys.readouterr().err  # a publisher's layout needs the index named
    assert main(["import", str(wb), "--db", str(db_copy), "--index", "PCI"]) == 0
    assert "Đã nạp 630 dòng (PCI; năm 2012)" in capsys.readouterr().out
    digest = file_digest(db_copy)
    assert main(["import", str(wb), "--db", str(db_copy), "--index", "PCI"]) == 0
    assert "Không có gì thay đổi" in capsys.readouterr().out and file_digest(db_copy) == digest
    # the workbook adds VCCI's published ranks and tiers to what the research CSV had
    rank = scores_of(db_copy, """SELECT rank, rank_published, label FROM scores WHERE entity_code = 'VN-38'
                                 AND index_code = 'PCI' AND year = 2012 AND criterion_code IS NULL""")
    assert rank[0][:2] == (44, True) and rank[0][2]


def test_parquet_imports_like_csv(db_copy, tmp_path):
    import pandas as pd

    f = tmp_path / "diem.parquet"
    pd.DataFrame({"year": [2024, 2024], "index": ["DDCI", "DDCI"], "criterion": ["", "2"],
                  "entity": ["Huyện Vĩnh Lộc", "Huyện Vĩnh Lộc"], "points": [71.5, 6.25]}).to_parquet(f)
    r = import_file(f, db_copy)
    assert (r.status, r.rows, r.indices) == ("loaded", 2, ["DDCI"])
    assert scores_of(db_copy, """SELECT criterion_code, points FROM score WHERE entity_code = 'VN-38-393'
                                 AND index_code = 'DDCI' AND year = 2024 ORDER BY 1 NULLS FIRST""") == [(None, 71.5), ("2", 6.25)]
    bad = tmp_path / "sai.parquet"
    pd.DataFrame({"year": [2024], "index": ["DDCI"], "criterion": [""], "entity": ["Không Có"], "points": [1.0]}).to_parquet(bad)
    assert main(["check", str(bad)]) == 2


@pytest.mark.parametrize("edit,changed,replace_breakdown", [
    (lambda rows: rows, False, False),
    (lambda rows: [r.replace(",1.5,2,3,", ",1.5000000001,2,3,") for r in rows], False, False),  # below 6 decimals
    (lambda rows: [r.replace(",1.5,2,3,", ",1.25,2,3,") for r in rows], True, False),  # a score
    (lambda rows: [r.replace(",1.5,2,3,", ",1.5,2,4,") for r in rows], True, False),  # a rank
    (lambda rows: [r.replace(",A", ",B") for r in rows], True, False),  # a label
    # a row dropped: a row replaces only what it states, so the held one is kept as it was
    (lambda rows: rows[:-1], False, False),
    (lambda rows: rows[:-1], True, True),  # ... unless the file is to replace every figure of the unit
    (lambda rows: [r.replace(",1.5,2,3,", ",,2,3,") for r in rows], False, False),  # an empty cell keeps the score
], ids=["same", "rounding", "score", "rank", "label", "fewer_rows", "fewer_rows_replacing_breakdown", "now_missing"])
def test_an_unchanged_file_is_recognised_exactly(db_copy, tmp_path, edit, changed, replace_breakdown):
    head = "year,index,criterion,entity,points,max_points,rank,n_ranked,label\n"
    rows = ["2024,PAR,1.1,Huyện Vĩnh Lộc,1.5,2,3,27,A\n", "2024,PAR,1.2,Huyện Vĩnh Lộc,0.5,,,,A\n",
            "2024,PAR,1.3,Huyện Vĩnh Lộc,,,,,\n"]
    assert import_file(write(tmp_path, "a.csv", head + "".join(rows)), db_copy).status == "loaded"
    digest = file_digest(db_copy)
    r = import_file(write(tmp_path, "b.csv", head + "".join(edit(rows))), db_copy, replace_breakdown=replace_breakdown)
    assert r.status == ("loaded" if changed else "unchanged")
    assert (file_digest(db_copy) != digest) == changed
