"""Nothing lost: the Excel progress template goes out and comes back without a change, and no save
empties what its rows do not carry (store/progress.save_reports, loaders/progress.py).

A unit saves a report, attaches an evidence file, downloads «Tải mẫu báo cáo (Excel)» and uploads
it unchanged: nothing is written, and the file stays attached. The same for a CSV without some
text columns, for the page's table (ui/progress.changed_reports) read before the file was
attached, and for every save that names no file; a file comes off a report only when a row asks
for it (``remove_evidence``)."""
from __future__ import annotations

import duckdb
import openpyxl
import pandas as pd
import pytest

from domain.problems import ValidationFailed
from loaders.progress import read_progress, template_xlsx
from metrics.progress import period_rows
from store import history
from store.progress import REMOVE_EVIDENCE, keep_evidence, save_reports
from tests.conftest import file_digest

PLAN = "VL-2023-2025"
UNIT = "grp_thon_to_dan_pho"  # «Thôn, tổ dân phố»: supports 7 criteria, no report for Q4/2024 in the shipped data
PDF = b"%PDF-1.4\n% bien ban khao sat\n"
FILE_COLUMN = "Tệp minh chứng đã đính kèm"


def report(code: str, status: str, *, index: str = "SIPAS", **fields) -> dict:
    return {"plan_id": PLAN, "item_kind": "criterion", "index_code": index, "item_code": code, "unit_code": UNIT,
            "year": 2024, "period": "Q4", "status": status, **fields}


def stored(db_file, code: str) -> tuple:
    with duckdb.connect(str(db_file), read_only=True) as c:
        return c.execute("SELECT status, done_text, evidence, obstacles, evidence_file, evidence_sha256 "
                         "FROM progress_reports WHERE plan_id = ? AND unit_code = ? AND item_code = ? AND index_code = "
                         "'SIPAS' AND year = 2024 AND period = 'Q4'", [PLAN, UNIT, code]).fetchone()


def log_count(db_file) -> int:
    with duckdb.connect(str(db_file), read_only=True) as c:
        return c.execute("SELECT count(*) FROM import_log").fetchone()[0]


def unit_rows(db_file) -> pd.DataFrame:
    """What the page lists for the unit (and the template is made from)."""
    with duckdb.connect(str(db_file), read_only=True) as c:
        return period_rows(c, PLAN, 2024, "Q4", UNIT)


def sipas_1_1(ws, header: dict) -> int:
    """The template's line of SIPAS 1.1."""
    return next(r for r in range(5, ws.max_row + 1) if (ws.cell(r, header["Chỉ số"]).value,
                                                         ws.cell(r, header["Mã tiêu chí/nhiệm vụ"]).value) == ("SIPAS", "1.1"))


def template(db_file, tmp_path, name: str = "mau.xlsx"):
    """«Tải mẫu báo cáo (Excel)» as pages/tien_do.py makes it."""
    mine = unit_rows(db_file)
    path = tmp_path / name
    path.write_bytes(template_xlsx(mine, year=2024, period="Q4", title="BÁO CÁO TIẾN ĐỘ",
                                   reports=mine[mine.status.notna()]))
    return path


@pytest.fixture()
def attached(db_copy):
    """SIPAS 1.1 reported «Hoàn thành» (its result starts with «-», as Vietnamese reports do) with a
    file attached as the page attaches one; SIPAS 1.2 «Đang thực hiện» with its obstacles."""
    save_reports(db_copy, pd.DataFrame([
        report("1.1", "done", done_text="- Đã khảo sát 300 phiếu", evidence="Báo cáo 12/BC-UBND"),
        report("1.2", "in_progress", obstacles="Thiếu kinh phí")]), user="web: A")
    rel, sha = keep_evidence(PDF, "Biên bản khảo sát.pdf", db_copy)
    mine = unit_rows(db_copy)
    r = mine[(mine.index_code == "SIPAS") & (mine.item_code == "1.1")].iloc[0]
    save_reports(db_copy, pd.DataFrame([{**report("1.1", r.status, done_text=r.done_text, evidence=r.evidence,
                                                  obstacles=r.obstacles), "evidence_file": rel,
                                         "evidence_sha256": sha}]), user="web: A", file="Biên bản khảo sát.pdf")
    assert stored(db_copy, "1.1")[4:] == (rel, sha)
    return db_copy, rel, sha


def test_an_unchanged_template_keeps_the_attached_file_and_writes_nothing(attached, tmp_path):
    db_file, rel, sha = attached
    path = template(db_file, tmp_path)
    ws = openpyxl.load_workbook(path)["Báo cáo tiến độ"]
    header = {c.value: c.column for c in ws[4]}
    col = header[FILE_COLUMN]  # the attached file is shown, grey like the keys, with a note saying it is read only
    row = sipas_1_1(ws, header)
    assert ws.cell(row, col).value == "Biên bản khảo sát.pdf"
    assert ws.cell(row, col).fill.fgColor.rgb == ws.cell(row, header["Mã kế hoạch"]).fill.fgColor.rgb == "00E7E6E6"
    assert "Chỉ để xem" in ws.cell(4, col).comment.text and "«Đính kèm tệp minh chứng»" in ws.cell(4, col).comment.text
    assert "chỉ để xem" in ws["A2"].value
    before, logged = file_digest(db_file), log_count(db_file)

    got = read_progress(path, "mau.xlsx")
    assert got[got.item_code == "1.1"].done_text.tolist() == ["- Đã khảo sát 300 phiếu"]  # as stored, no quote
    r = save_reports(db_file, got, user="web: A", file="mau.xlsx", action="import-report", sheet="Báo cáo tiến độ")
    assert (r.status, r.rows) == ("unchanged", 2)
    assert file_digest(db_file) == before and log_count(db_file) == logged  # no write, no import_log row
    assert stored(db_file, "1.1") == ("done", "- Đã khảo sát 300 phiếu", "Báo cáo 12/BC-UBND", None, rel, sha)


def test_a_template_with_a_change_keeps_the_file_and_the_other_rows(attached, tmp_path):
    db_file, rel, sha = attached
    path = template(db_file, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header = {c.value: c.column for c in ws[4]}
    row = sipas_1_1(ws, header)
    ws.cell(row, header["Kết quả đã thực hiện"], "Đã khảo sát 320 phiếu")
    ws.cell(row, header[FILE_COLUMN], None)  # emptying the read-only column removes nothing
    wb.save(path)
    r = save_reports(db_file, read_progress(path, "mau.xlsx"), user="web: A", file="mau.xlsx")
    assert (r.status, r.rows, r.replaced) == ("saved", 2, 2)
    assert stored(db_file, "1.1") == ("done", "Đã khảo sát 320 phiếu", "Báo cáo 12/BC-UBND", None, rel, sha)
    assert stored(db_file, "1.2") == ("in_progress", None, None, "Thiếu kinh phí", None, None)


def test_a_column_the_rows_do_not_carry_keeps_the_stored_value(attached):
    db_file, rel, sha = attached
    # key and status only: the texts and the file stay
    r = save_reports(db_file, pd.DataFrame([report("1.2", "done", done_text="Đã xong")]), user="web: A")
    assert r.status == "saved"
    assert stored(db_file, "1.2") == ("done", "Đã xong", None, "Thiếu kinh phí", None, None)
    r = save_reports(db_file, pd.DataFrame([report("1.1", "in_progress")]), user="web: A")
    assert stored(db_file, "1.1") == ("in_progress", "- Đã khảo sát 300 phiếu", "Báo cáo 12/BC-UBND", None, rel, sha)
    # a column given empty is an answer: it empties the field
    save_reports(db_file, pd.DataFrame([report("1.2", "done", done_text="Đã xong", obstacles="")]), user="web: A")
    assert stored(db_file, "1.2") == ("done", "Đã xong", None, None, None, None)


def test_a_csv_without_some_text_columns_keeps_what_is_stored_there(attached, tmp_path):
    db_file, rel, sha = attached
    path = tmp_path / "bc.csv"
    path.write_text("\ufeffMã kế hoạch;Loại;Chỉ số;Mã tiêu chí/nhiệm vụ;Mã cơ quan;Năm;Kỳ báo cáo;Tình trạng;"
                    "Kết quả đã thực hiện\n"
                    f"{PLAN};Tiêu chí;SIPAS;1.2;{UNIT};2024;Quý IV;Hoàn thành;Đã xong\n", encoding="utf-8")
    got = read_progress(path, "bc.csv")
    assert "obstacles" not in got and "evidence" not in got  # not in the file: not returned
    assert save_reports(db_file, got, user="web: A", file="bc.csv").status == "saved"
    assert stored(db_file, "1.2") == ("done", "Đã xong", None, "Thiếu kinh phí", None, None)


def test_sheets_with_different_text_columns_are_refused(db_copy, tmp_path):
    path = template(db_copy, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["K5"], ws["L5"] = "Đang thực hiện", "Đã làm"
    copy = wb.copy_worksheet(ws)
    copy.title = "Bản sao"
    copy.delete_cols(14)  # «Khó khăn, vướng mắc» deleted in the copy only
    copy["K6"] = "Hoàn thành"
    copy["L6"] = "Xong"
    wb.save(path)
    with pytest.raises(ValidationFailed) as e:
        read_progress(path, "mau.xlsx")
    (p,) = e.value.problems
    assert (p.sheet, p.row) == ("Bản sao", 4)
    assert "thiếu cột «Khó khăn, vướng mắc» mà trang tính «Báo cáo tiến độ» có" in p.message


def test_a_save_that_names_no_file_keeps_it_and_removing_is_asked_for(attached):
    db_file, rel, sha = attached
    row = report("1.1", "done", done_text="- Đã khảo sát 300 phiếu", evidence="Báo cáo 12/BC-UBND")
    r = save_reports(db_file, pd.DataFrame([{**row, "evidence_file": None, "evidence_sha256": None}]), user="web: A")
    assert r.status == "unchanged" and stored(db_file, "1.1")[4:] == (rel, sha)
    logged = log_count(db_file)
    r = save_reports(db_file, pd.DataFrame([{**report("1.1", "done"), REMOVE_EVIDENCE: True}]), user="web: A",
                     file="(gỡ tệp minh chứng)")
    assert r.status == "saved" and log_count(db_file) == logged + 1
    assert stored(db_file, "1.1") == ("done", "- Đã khảo sát 300 phiếu", "Báo cáo 12/BC-UBND", None, None, None)
    assert (db_file.parent / rel).read_bytes() == PDF  # the file itself stays: an undo brings the reference back
    history.undo(db_file)
    assert stored(db_file, "1.1")[4:] == (rel, sha)


def test_the_pages_table_keeps_the_file_even_when_read_before_it_was_attached(db_copy):
    from ui.progress import changed_reports, entry_frame

    save_reports(db_copy, pd.DataFrame([report("1.1", "in_progress")]), user="web: A")
    stale = unit_rows(db_copy)  # the page on someone's screen, before the file is attached elsewhere
    rel, sha = keep_evidence(PDF, "Biên bản.pdf", db_copy)
    save_reports(db_copy, pd.DataFrame([{**report("1.1", "in_progress"), "evidence_file": rel, "evidence_sha256": sha}]),
                 user="web: B")
    for rows in (unit_rows(db_copy), stale):
        edited = entry_frame(rows)
        at = [k for k, (i, c) in enumerate(zip(rows.index_code, rows.item_code)) if (i, c) == ("SIPAS", "1.1")][0]
        edited.loc[edited.index[at], "done_text"] = "Đã làm (bảng cũ)" if rows is stale else "Đã làm"
        changes = changed_reports(rows, edited, 2024, "Q4")
        assert list(zip(changes.index_code, changes.item_code)) == [("SIPAS", "1.1")]
        assert save_reports(db_copy, changes, user="web: A").status == "saved"
        assert stored(db_copy, "1.1")[4:] == (rel, sha)
