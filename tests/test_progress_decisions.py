"""The decisions «Tiến độ» used to take in the page, now in the core where they are tested by hand:
which views an account opens and when it may undo (access.auth.Scope), the order of the units a
coordinator picks from, the four figures of the overview, which effort rows are shown and why a
row has no score change (metrics.progress), and a template upload (access.upload.receive_report)."""
from __future__ import annotations

from collections import namedtuple
from datetime import date

import openpyxl
import pandas as pd
import pytest

from access.auth import Scope
from domain.problems import ValidationFailed
from metrics import progress
from tests.conftest import file_digest

DISTRICT, TAY_DO = "VN-38-393", "VN-38-15361"
Last = namedtuple("Last", "action user_name")


def test_views_and_undo_by_scope():
    coordinator = Scope("NV", "phong_noi_vu", DISTRICT)
    unit = Scope("TP", "phong_tu_phap", DISTRICT)
    assert coordinator.progress_views(DISTRICT, "phong_noi_vu") == ("overview", "entry", "documents")
    assert unit.progress_views(DISTRICT, "phong_noi_vu") == ("entry",)
    assert Scope("A", None).progress_views(TAY_DO, "phong_van_hoa_xa_hoi") == ("overview", "entry", "documents")
    assert coordinator.progress_views(TAY_DO, "phong_van_hoa_xa_hoi") == ()  # another entity: nothing
    assert unit.may_undo(Last("report", "web: TP")) and unit.may_undo(Last("import-report", "web: TP"))
    assert not unit.may_undo(Last("report", "web: NV"))  # another account's save
    assert not unit.may_undo(Last("import", "web: TP"))  # a score import is not undone from «Tiến độ»
    assert not unit.may_undo(None)


def test_the_units_a_coordinator_picks_from_are_ordered():
    duties = pd.DataFrame({"unit_code": ["b", "nv", "a", "c", "a"], "unit_name": ["B", "Nội vụ", "A", "C", "A"],
                           "role": ["lead", "support", "support", "lead", "lead"]})
    got = progress.reporting_units(duties, "nv")
    assert got.unit_code.tolist() == ["nv", "a", "b", "c"]  # the coordinator, then those that lead (by name)
    assert progress.reporting_units(duties.iloc[:1], None).unit_code.tolist() == ["b"]


def test_the_overview_figures():
    who = pd.DataFrame({"state": [progress.REPORTED_NONE, progress.REPORTED_PART, progress.REPORTED_FULL,
                                  progress.REPORTED_NONE]})
    counts = pd.DataFrame({"total": [10, 10], "done": [3, 2]})
    o = progress.overview(who, pd.DataFrame({"x": [1, 2, 3]}), counts)
    assert (o.units_full, o.units_expected, o.units_none, o.overdue, o.share_done) == (1, 4, 2, 3, 0.25)
    assert progress.overview(who.iloc[:0], pd.DataFrame(), counts.iloc[:0]).share_done is None


def test_effort_rows_say_why_a_change_is_missing():
    ctx = progress.PlanContext("P", "", "", DISTRICT, "Huyện Vĩnh Lộc", "district", 2023, 2025, date(2025, 6, 30),
                               "phong_noi_vu", "Phòng Nội vụ", True)
    effort = pd.DataFrame({"done_units": [["A"], [], ["B"], ["C"]], "change_pct_points": [None, 1.0, 2.5, None],
                           "year": [2023, 2023, 2023, 2024]})
    shown = progress.effort_done(effort, ctx)
    assert shown.change_pct_points.tolist()[0] == 2.5  # the rows with a result first
    assert shown.no_change_reason.tolist() == [None, "chưa có kết quả năm 2024",
                                               "không có: huyện vĩnh lộc không còn được đánh giá"]
    assert progress.effort_done(effort.iloc[:0], ctx).empty


def test_a_template_upload_is_read_checked_and_saved_in_one_call(db_copy, con, tmp_path):
    from access.upload import receive_report
    from loaders.progress import template_xlsx

    rows = progress.period_rows(con, "VL-2023-2025", 2024, "Q4", "phong_tu_phap")
    wb = openpyxl.load_workbook(__import__("io").BytesIO(template_xlsx(rows, year=2024, period="Q4", title="T")))
    ws = wb.active
    header = [c.value for c in ws[4]]
    ws.cell(5, header.index("Tình trạng") + 1, "Đang thực hiện")
    path = tmp_path / "mau.xlsx"
    wb.save(path)
    tu_phap = Scope("TP", "phong_tu_phap", DISTRICT)
    result = receive_report("mẫu.xlsx", path.read_bytes(), db_copy, user="web: TP", scope=tu_phap)
    assert (result.status, result.rows) == ("saved", 1)
    before = file_digest(db_copy)
    with pytest.raises(ValidationFailed):  # the same file by another entity's office: refused, nothing written
        receive_report("mẫu.xlsx", path.read_bytes(), db_copy, user="web: X", scope=Scope("X", "phong_tu_phap", TAY_DO))
    with pytest.raises(ValidationFailed) as e:
        receive_report("trống.xlsx", template_xlsx(rows, year=2024, period="Q4", title="T"), db_copy, user="web: TP",
                       scope=tu_phap)
    assert "không có dòng nào ghi «Tình trạng»" in e.value.problems[0].message
    assert file_digest(db_copy) == before
