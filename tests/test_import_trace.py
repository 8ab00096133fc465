"""One import goes through loaders/ in one direction: one admission with the limits
loaded once, the workbook loaded once, then cells, rows and staging, each entered once.

bench/import_trace.py counts the trips of a real import (store.importing.import_file into a
copy of the database); before the change a small template .xlsx entered loaders/guard.py 10
times, opened the file 10 times, read config/limits.toml 3 times and loaded the workbook twice.
"""
from __future__ import annotations

import io

import openpyxl
import pytest

from bench.import_trace import Trace, template_file, trace

MAX_OPENS = 4  # the admission, openpyxl's load, the scan for formulas (and merges), the digest of the log


def assert_one_way(t: Trace) -> None:
    assert t.status == "loaded", t.problems
    assert t.limits_reads == 1
    assert t.workbook_loads == 1
    assert t.file_opens <= MAX_OPENS
    guard = t.entries["loaders.guard"]
    assert guard["admit"] == 1 and guard["load_limits"] == 1  # loaded by the Context, carried from there
    assert not {f for f in guard if f.startswith(("check_", "require_", "looks_like", "current"))}, guard
    assert t.entries["loaders.cells"]["Workbook.sheets"] == 1
    twice = {(m, f): n for m, calls in t.entries.items() for f, n in calls.items() if n > 1}
    assert twice == {}  # no stage of loaders/ is entered again from another module


def test_a_template_xlsx_is_admitted_once_and_loaded_once(built_db, tmp_path):
    t = trace(template_file(tmp_path), built_db)
    assert t.rows == 2
    assert_one_way(t)
    assert dict(t.entries["loaders.tidy"]) == {"read_tidy": 1}
    assert dict(t.entries["loaders.staging"]) == {"finish": 1}
    assert dict(t.callers["loaders.tidy"]) == {"loaders.read": 1}


def test_a_publishers_workbook_is_read_from_the_same_single_load(built_db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "PAR 2023"
    ws.append(["KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023"])
    ws.merge_cells("A1:D1")  # merged cells: read without openpyxl's full mode
    ws.append(["STT", "Đơn vị", "Tổng điểm", "Xếp hạng"])
    ws.append([1, "Huyện Vĩnh Lộc", 85.5, 2])
    ws.append([2, "Huyện Thạch Thành", 88.1, 1])
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "cong-bo.xlsx"
    path.write_bytes(buf.getvalue())
    t = trace(path, built_db, index_code="PAR")
    assert t.rows == 2
    assert_one_way(t)
    assert dict(t.entries["loaders.publisher"]) == {"read_publisher_workbook": 1}


@pytest.mark.parametrize("limit", ["CHISO_MAX_ROWS", "CHISO_MAX_COLUMNS"])
def test_a_refusal_is_still_made_with_the_limits_loaded_once(built_db, tmp_path, monkeypatch, limit):
    monkeypatch.setenv(limit, "1")
    t = trace(template_file(tmp_path), built_db)
    assert t.status == "refused" and t.limits_reads == 1
    assert ("max_rows" if limit == "CHISO_MAX_ROWS" else "max_columns") in t.problems[0]
