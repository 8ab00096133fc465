"""The row limits of config/limits.toml hold while a file is read, for every workbook the product
accepts (progress template, tidy score file, publisher's workbook, plan appendix, CSV): a file over
max_rows is refused before a row is parsed (by the sizes the sheets declare, or by counting <row>
elements in the inflated XML, abandoned once over the limit), every sheet counting towards the
file's total, with the message of loaders/guard.check_shape (file, sheet, limit, how to raise it),
and before any database work.

Limits come from guard.load_limits(), which reads CHISO_* on every call: monkeypatch.setenv suffices."""
from __future__ import annotations

import io
import re
import zipfile

import duckdb
import openpyxl
import pandas as pd
import pytest

from domain.problems import ValidationFailed
from loaders import cells, guard
from tests.conftest import ROOT, file_digest

PLAN = "VL-2023-2025"
HOW_TO_RAISE = ("max_rows", "config/limits.toml", "CHISO_MAX_ROWS")


@pytest.fixture()
def rows_parsed(monkeypatch):
    """How many rows openpyxl built, and how many workbooks it loaded (a full load parses every cell)."""
    from openpyxl.worksheet import _read_only

    seen = {"rows": 0, "loads": 0}
    real_rows, real_load = _read_only.ReadOnlyWorksheet._cells_by_row, openpyxl.load_workbook

    def counting_rows(self, *a, **k):
        for r in real_rows(self, *a, **k):
            seen["rows"] += 1
            yield r

    def counting_load(*a, **k):
        seen["loads"] += 1
        return real_load(*a, **k)

    monkeypatch.setattr(_read_only.ReadOnlyWorksheet, "_cells_by_row", counting_rows)
    monkeypatch.setattr(openpyxl, "load_workbook", counting_load)
    return seen


def refused(exc: pytest.ExceptionInfo, sheet: str | None, *words: str) -> str:
    (p,) = exc.value.problems
    assert p.sheet == sheet, p
    for w in (*HOW_TO_RAISE, *words):
        assert w in p.message, (w, p.message)
    return p.message


def workbook(sheets: dict[str, int], *, lie: bool = False, write_only: bool = False) -> bytes:
    """A workbook with ``n`` rows of three cells in each sheet. ``lie``: every sheet declares one
    row (<dimension ref="A1:C1">); ``write_only``: no <dimension> at all (openpyxl's streaming writer)."""
    wb = openpyxl.Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    for title, n in sheets.items():
        ws = wb.create_sheet(title)
        for i in range(n):
            ws.append([2024, "PAR", f"dòng {i}"])
    buf = io.BytesIO()
    wb.save(buf)
    if not lie:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C1"', data)
            dst.writestr(info, data)
    return out.getvalue()


def test_a_progress_template_over_the_limit_is_refused_before_a_row_is_parsed(con, tmp_path, monkeypatch,
                                                                              rows_parsed):
    from loaders.progress import read_progress, template_xlsx
    from metrics.progress import period_rows

    mine = period_rows(con, PLAN, 2024, "Q4", "phong_noi_vu")
    many = pd.concat([mine] * 3, ignore_index=True)  # 3 × 57 duties: more lines than the lowered limit
    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_xlsx(many, year=2024, period="Q4", title="BÁO CÁO TIẾN ĐỘ"))
    monkeypatch.setenv("CHISO_MAX_ROWS", "100")
    with pytest.raises(ValidationFailed) as e:
        read_progress(path, "mau.xlsx")
    refused(e, "Báo cáo tiến độ", "bảng có hơn 100 dòng")
    assert rows_parsed == {"rows": 0, "loads": 0}  # the declared size was enough: openpyxl never opened it
    monkeypatch.setenv("CHISO_MAX_ROWS", str(len(many) + 4))  # title lines, header and every duty: read
    assert read_progress(path, "mau.xlsx").empty  # nothing reported yet in a fresh template


def test_a_progress_file_has_its_own_lower_row_limit(con, tmp_path, monkeypatch, rows_parsed):
    """A unit's template holds a few hundred duties; 300 000 rows (73 s of one core to read) is no
    report: max_report_rows refuses it before a row is parsed, however high max_rows is."""
    from loaders.progress import read_progress, template_xlsx
    from metrics.progress import period_rows

    mine = period_rows(con, PLAN, 2024, "Q4", "phong_noi_vu")
    many = pd.concat([mine] * 3, ignore_index=True)
    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_xlsx(many, year=2024, period="Q4", title="BÁO CÁO TIẾN ĐỘ"))
    monkeypatch.setenv("CHISO_MAX_REPORT_ROWS", "100")  # max_rows stays at its 2 000 000
    with pytest.raises(ValidationFailed) as e:
        read_progress(path, "mau.xlsx")
    (p,) = e.value.problems
    assert "hơn 100 dòng (giới hạn max_report_rows)" in p.message and "CHISO_MAX_REPORT_ROWS" in p.message
    assert rows_parsed == {"rows": 0, "loads": 0}
    csv = tmp_path / "mau.csv"
    csv.write_text("Mã kế hoạch,Tình trạng\n" + "VL,\n" * 150, encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        read_progress(csv, "mau.csv")
    assert "max_report_rows" in e.value.problems[0].message
    # a score file of the same size is not a report: max_rows holds for it
    assert guard.load_limits().max_rows == 2_000_000 and guard.load_limits().for_reports().max_rows == 100


def test_a_workbook_that_declares_no_size_is_counted_without_parsing_and_abandoned_early(tmp_path, monkeypatch,
                                                                                          rows_parsed):
    """openpyxl, given a sheet without <dimension>, parses all of it just to learn its size: the
    guard counts <row> elements instead, a few KB at a time, and stops once over the limit."""
    path = tmp_path / "khong-kich-thuoc.xlsx"
    path.write_bytes(workbook({"Điểm": 5000}, write_only=True))
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    assert b"<dimension" not in xml and xml.count(b"<row") == 5000
    inflated = []
    real_read = zipfile.ZipExtFile.read
    monkeypatch.setattr(zipfile.ZipExtFile, "read", lambda self, n=-1: inflated.append(len(d := real_read(self, n))) or d)
    monkeypatch.setattr(guard, "ROW_SCAN_CHUNK", 4096)
    monkeypatch.setenv("CHISO_MAX_ROWS", "100")
    with pytest.raises(ValidationFailed) as e:
        guard.check_file(path, "khong-kich-thuoc.xlsx")
    refused(e, "Điểm", "bảng có hơn 100 dòng")
    assert sum(inflated) < len(xml) / 10  # stopped near row 101 of 5000
    assert rows_parsed == {"rows": 0, "loads": 0}


def test_rows_are_counted_across_sheets_even_when_each_sheet_is_under_the_limit(tmp_path, monkeypatch, rows_parsed):
    path = tmp_path / "hai-trang.xlsx"
    path.write_bytes(workbook({"Năm 2023": 15, "Năm 2024": 15}))
    monkeypatch.setenv("CHISO_MAX_ROWS", "20")
    with pytest.raises(ValidationFailed) as e:  # the guard: by the sizes the sheets declare
        guard.check_file(path, "hai-trang.xlsx")
    refused(e, "Năm 2024", "các trang tính của tệp cộng lại có hơn 20 dòng")
    assert rows_parsed == {"rows": 0, "loads": 0}
    monkeypatch.setenv("CHISO_MAX_ROWS", "30")
    guard.check_file(path, "hai-trang.xlsx")  # at the limit: accepted


def test_the_reader_counts_every_sheet_when_the_declared_sizes_lie(tmp_path, monkeypatch, rows_parsed):
    """Called without the guard in front (as the rebuild reads data/), the streaming reader still
    stops at the file's limit: the second sheet is abandoned at its 6th row; and it reads the rows a
    sheet has, not the ones it declares."""
    path = tmp_path / "noi-doi.xlsx"
    path.write_bytes(workbook({"Năm 2023": 15, "Năm 2024": 15}, lie=True))
    monkeypatch.setenv("CHISO_MAX_ROWS", "20")
    with pytest.raises(ValidationFailed) as e:
        cells.read_xlsx_sheets(path, "noi-doi.xlsx")
    refused(e, "Năm 2024", "các trang tính của tệp cộng lại có hơn 20 dòng")
    assert rows_parsed["rows"] == 21
    with pytest.raises(ValidationFailed) as e:  # the guard counts the <row> elements: the lie does not help
        guard.check_file(path, "noi-doi.xlsx")
    refused(e, "Năm 2024", "các trang tính của tệp cộng lại")
    # under the limit, every row is read: read-only openpyxl alone would stop at the declared row 1
    monkeypatch.delenv("CHISO_MAX_ROWS")
    assert [(sheet, len(lines)) for sheet, lines in cells.read_xlsx_sheets(path, "noi-doi.xlsx")] == [
        ("Năm 2023", 15), ("Năm 2024", 15)]


def test_publishers_and_plan_workbooks_are_held_to_the_file_limit(tmp_path, monkeypatch):
    from domain.entities import EntityRegistry
    from domain.frameworks import Frameworks
    from loaders.plan import parse_appendix_xlsx
    from loaders.publisher import read_publisher_workbook

    path = tmp_path / "cong-bo.xlsx"
    path.write_bytes(workbook({"PAR 2023": 15, "PAR 2024": 15}))
    monkeypatch.setenv("CHISO_MAX_ROWS", "20")
    fw, reg = Frameworks.load(ROOT / "data/frameworks"), EntityRegistry.load(ROOT / "data/registry")
    with pytest.raises(ValidationFailed) as e:
        read_publisher_workbook(path, "PAR", fw, reg)
    refused(e, "PAR 2024", "các trang tính của tệp cộng lại có hơn 20 dòng")
    with pytest.raises(ValidationFailed) as e:
        parse_appendix_xlsx(path)
    refused(e, "PAR 2024", "các trang tính của tệp cộng lại có hơn 20 dòng")


def test_a_csv_is_refused_before_pandas_parses_it_even_without_the_guard(tmp_path, monkeypatch):
    from loaders.tidy import read_tables

    path = tmp_path / "dai.csv"
    path.write_text("year,index,criterion,entity,points\n" + "2024,PAR,1.1,Huyện Vĩnh Lộc,1\n" * 60, encoding="utf-8")

    def boom(*a, **k):
        raise AssertionError("pandas parsed a file over the limit")

    monkeypatch.setattr(pd, "read_csv", boom)
    monkeypatch.setenv("CHISO_MAX_ROWS", "20")
    with pytest.raises(ValidationFailed) as e:
        read_tables(path, "dai.csv")
    refused(e, None, "bảng có hơn 20 dòng")


def test_an_import_over_the_limit_changes_nothing(db_copy, tmp_path, monkeypatch):
    from store.importing import import_file

    tidy = openpyxl.Workbook()
    tidy.remove(tidy.active)
    for year in (2022, 2023):
        ws = tidy.create_sheet(f"Năm {year}")
        ws.append(["year", "index", "criterion", "entity", "points"])
        for code in range(1, 15):
            ws.append([year, "PAR", f"1.{code}", "Huyện Vĩnh Lộc", 1])
    path = tmp_path / "diem.xlsx"
    tidy.save(path)
    before = file_digest(db_copy)
    with duckdb.connect(str(db_copy), read_only=True) as c:
        logged = c.execute("SELECT count(*) FROM import_log").fetchone()[0]
    monkeypatch.setenv("CHISO_MAX_ROWS", "20")
    with pytest.raises(ValidationFailed) as e:
        import_file(path, db_copy, user="web: A")
    refused(e, "Năm 2023", "các trang tính của tệp cộng lại")
    assert file_digest(db_copy) == before
    with duckdb.connect(str(db_copy), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM import_log").fetchone()[0] == logged
