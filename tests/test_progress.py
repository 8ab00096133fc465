"""The plan's reporting loop: the reporting vocabulary (periods, statuses, «Thời gian thực hiện»),
who owes a report on what (groups expanded), saving reports on the import write path (every
problem at once, unchanged detection, undo), evidence files, the Excel template round trip,
reports across a rebuild, the metrics Phòng Nội vụ reads, and accounts tied to a unit.

Expected values are written out by hand from the plan (data/plan/ke-hoach-chi-so-vinh-loc-2023-2025.md),
data/progress/*.csv and, for the metrics, a set of reports this file saves itself."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from access.auth import Scope
from domain import progress as vocab
from domain.problems import ValidationFailed
from store import db, history
from store.progress import duties, evidence_path, keep_evidence, save_reports
from tests.conftest import ROOT, file_digest

PLAN = "VL-2023-2025"
DISTRICT, VINH_LOC, TAY_DO = "VN-38-393", "VN-38-15349", "VN-38-15361"  # data/home.csv
N_DISTRICT = 7685  # data rows of data/illustrative/vinhloc_progress_2023_2025_illustrative.csv
N_COMMUNE = 62     # and of data/illustrative/xa_vinh_loc_progress_2026_illustrative.csv (the commune's 2026 plan)
N_ILLUSTRATIVE = N_DISTRICT + N_COMMUNE
COMMUNES = {"xa_vinh_hung", "xa_vinh_an", "xa_ninh_khang", "xa_vinh_long", "xa_minh_tan", "tt_vinh_loc",
            "xa_vinh_hoa", "xa_vinh_hung_2", "xa_vinh_phuc", "xa_vinh_quang", "xa_vinh_thinh", "xa_vinh_tien",
            "xa_vinh_yen"}  # the 13 members of «UBND cấp xã» (data/registry/unit_members.csv)


def report(unit: str, index: str, code: str, status: str, *, kind: str = "criterion", year: int = 2024,
           period: str = "Q1", plan: str = PLAN, **texts) -> dict:
    return {"plan_id": plan, "item_kind": kind, "index_code": index, "item_code": code, "unit_code": unit,
            "year": year, "period": period, "status": status, **texts}


def rows(*reports: dict) -> pd.DataFrame:
    return pd.DataFrame(list(reports))


def query(path: Path, sql: str, *params):
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute(sql, list(params)).fetchall()


def log_of(path: Path) -> list[tuple]:
    return query(path, "SELECT import_id, action, file, user_name, rows_loaded, rows_replaced FROM import_log "
                       "ORDER BY import_id")


def reports_of(path: Path, where: str = "TRUE") -> list[tuple]:
    return query(path, f"SELECT item_kind, index_code, item_code, unit_code, year, period, status, done_text, "
                       f"obstacles, is_illustrative FROM progress_reports WHERE {where} ORDER BY ALL")


def without_reports(src: Path, dst: Path) -> Path:
    """A copy of ``src`` with every progress report deleted (through the one write path)."""
    shutil.copyfile(src, dst)
    with db.writable_copy(dst, action="test") as c:
        c.execute("DELETE FROM progress_reports")
    return dst


# ================================================================ the vocabulary


@pytest.mark.parametrize("text, kind, yearly, fixed", [
    ("Thường xuyên", "continuous", (), ()),
    ("Quý IV hàng năm", "deadline", ((31, 12),), ()),
    ("trước ngày 20/12 hàng năm", "deadline", ((20, 12),), ()),
    ("Báo cáo quý 1, 2, 3: trước ngày 10 của tháng cuối quý; Báo cáo năm: trước ngày 20/12 hàng năm", "deadline",
     ((10, 3), (10, 6), (10, 9), (20, 12)), ()),
    ("Theo Kế hoạch cải cách hành chính hàng năm của huyện", "other", (), ()),
    ("Tháng 6/2026", "deadline", (), (date(2026, 6, 30),)),
    ("Quý II năm 2026", "deadline", (), (date(2026, 6, 30),)),
    ("6 tháng đầu năm", "deadline", ((30, 6),), ()),
    ("Năm 2026", "deadline", (), (date(2026, 12, 31),)),
    ("quý I, II", "deadline", ((31, 3), (30, 6)), ()),
    ("", "none", (), ()),
    (None, "none", (), ()),
    ("   ", "none", (), ()),
    ("31/02", "other", (), ()),  # no such day: no deadline is made up
])
def test_timing_cells_of_the_plan_read_as_dates(text, kind, yearly, fixed):
    t = vocab.parse_timing(text)
    assert (t.kind, t.yearly, t.fixed) == (kind, yearly, fixed)


def test_timing_deadlines_of_a_year():
    quarterly = vocab.parse_timing("Báo cáo quý 1, 2, 3: trước ngày 10 của tháng cuối quý; "
                                   "Báo cáo năm: trước ngày 20/12 hàng năm")
    assert quarterly.deadlines(2024) == [date(2024, 3, 10), date(2024, 6, 10), date(2024, 9, 10), date(2024, 12, 20)]
    once = vocab.parse_timing("Tháng 6/2026")
    assert once.deadlines(2026) == [date(2026, 6, 30)] and once.deadlines(2025) == []
    assert vocab.parse_timing("Thường xuyên").deadlines(2024) == []
    assert [vocab.parse_timing(t).label for t in ("Thường xuyên", "Quý IV hàng năm", "Theo Kế hoạch CCHC", "")] == \
        ["thường xuyên", "có hạn", "theo văn bản khác", "không ghi"]


@pytest.mark.parametrize("on, expected", [
    (date(2026, 12, 1), ("Y", 2026)),
    (date(2026, 10, 5), ("Y", 2026)),   # quý IV is not collected on its own: the annual report is
    (date(2026, 4, 3), ("H1", 2026)),
    (date(2026, 6, 30), ("H1", 2026)),
    (date(2026, 1, 15), ("Q1", 2026)),
    (date(2026, 3, 31), ("Q1", 2026)),
    (date(2026, 7, 1), ("Q3", 2026)),
])
def test_current_period_is_the_narrowest_tracked_one(on, expected):
    assert vocab.current_period(on) == expected


@pytest.mark.parametrize("text, code", [
    ("Quý IV", "Q4"), ("quy 4", "Q4"), ("Q4", "Q4"), ("q.4", "Q4"), ("QUÝ  iii", "Q3"), ("Quý I", "Q1"),
    ("Quý II", "Q2"), ("6 tháng", "H1"), ("6 tháng đầu năm", "H1"), ("nửa năm", "H1"), ("H1", "H1"),
    ("Năm", "Y"), ("cả năm", "Y"), ("Y", "Y"),
    ("quý 5", None), ("abc", None), ("", None), (None, None), ("2024", None),
])
def test_parse_period(text, code):
    assert vocab.parse_period(text) == code


@pytest.mark.parametrize("text, code", [
    ("Hoàn thành", "done"), ("HOÀN THÀNH", "done"), ("  đã hoàn   thành ", "done"), ("xong", "done"), ("done", "done"),
    ("Đang thực hiện", "in_progress"), ("đang triển khai", "in_progress"),
    ("Chưa triển khai", "not_started"), ("chưa thực hiện", "not_started"),
    ("Không thực hiện được", "not_possible"), ("not_possible", "not_possible"),
    ("abc", None), ("", None), (None, None), ("Hoàn", None),
])
def test_parse_status(text, code):
    assert vocab.parse_status(text) == code


def test_period_texts_due_dates_and_coordinators():
    assert [vocab.period_text(p, 2026) for p in ("Q1", "Q4", "H1", "Y")] == \
        ["Quý I/2026", "Quý IV/2026", "6 tháng đầu năm 2026", "Năm 2026"]
    assert [vocab.period(p).due(2024) for p in ("Q1", "H1", "Q3", "Y")] == \
        [date(2024, 3, 10), date(2024, 6, 10), date(2024, 9, 10), date(2024, 12, 20)]
    assert vocab.PERIOD_CODES == ("Q1", "Q2", "H1", "Q3", "Q4", "Y")
    assert vocab.PROGRESS_STATUSES == {"in_progress", "done"}
    assert (vocab.coordinator_for("district"), vocab.coordinator_for("commune")) == ("phong_noi_vu", "phong_van_hoa_xa_hoi")
    assert vocab.coordinator_for(None) is None and vocab.coordinator_for("province") is None


# ================================================================ who owes what


@pytest.fixture(scope="module")
def plan_duties(con) -> pd.DataFrame:
    return duties(con, PLAN)


def test_a_group_lead_reports_through_each_of_its_13_communes(plan_duties):
    # PAR 1.4 «chủ trì: các phòng, ban, ngành; UBND cấp xã; phối hợp: các đơn vị liên quan»
    d = plan_duties[(plan_duties.index_code == "PAR") & (plan_duties.item_code == "1.4")]
    via_xa = d[d.via_group == "grp_ubnd_cap_xa"]
    assert set(via_xa.unit_code) == COMMUNES
    assert set(via_xa.role) == {"lead"} and set(via_xa.unit_kind) == {"commune"}
    assert set(via_xa.via_group_name) == {"UBND cấp xã"}
    assert "grp_ubnd_cap_xa" not in set(d.unit_code)  # the group itself reports through its members
    # a group with no members listed reports as itself
    assert d[d.unit_code == "grp_don_vi_lien_quan"][["role", "via_group"]].values.tolist() == [["support", None]]
    assert len(d) == 13 + 13 + 1  # 13 departments of «các phòng, ban, ngành», 13 communes, «các đơn vị liên quan»


def test_the_strongest_role_wins_and_a_direct_assignment_is_named(plan_duties):
    # PAR 1.1: Phòng Nội vụ leads directly and supports again as a member of «các phòng, ban, ngành»
    d = plan_duties[(plan_duties.index_code == "PAR") & (plan_duties.item_code == "1.1")].set_index("unit_code")
    assert (d.loc["phong_noi_vu", "role"], d.loc["phong_noi_vu", "via_group"]) == ("lead", None)
    assert (d.loc["vp_hdnd_ubnd", "role"], d.loc["vp_hdnd_ubnd", "via_group"]) == ("support", None)
    assert (d.loc["phong_tu_phap", "role"], d.loc["phong_tu_phap", "via_group"]) == ("support", "grp_phong_ban_nganh")
    assert len(d) == 27 and d.index.is_unique


def test_duties_of_the_district_plan(plan_duties, con):
    d = plan_duties
    assert not d.duplicated(["plan_id", "item_kind", "index_code", "item_code", "unit_code"]).any()
    assert len(d) == 1872
    assert d.groupby(["item_kind", "role"]).size().to_dict() == {
        ("criterion", "lead"): 757, ("criterion", "support"): 680, ("task", "lead"): 266, ("task", "support"): 169}
    # criteria of the appendices and tasks of section II.1, per index
    assert d[d.item_kind == "criterion"].groupby("index_code").item_code.nunique().to_dict() == \
        {"PAPI": 27, "PAR": 37, "SIPAS": 9}
    assert d[d.item_kind == "task"].groupby("index_code").item_code.nunique().to_dict() == \
        {"DDCI": 8, "PAPI": 8, "PAR": 10}
    # only groups with no members listed report as themselves
    assert not set(d[d.unit_kind == "group"].unit_code) & {"grp_ubnd_cap_xa", "grp_phong_ban_nganh"}
    assert len(duties(con, None)) >= len(d) and duties(con, "KHONG-CO").empty


# ================================================================ saving reports


def test_valid_reports_are_saved_logged_and_undone(db_copy):
    before_log, before = log_of(db_copy), reports_of(db_copy)
    snaps = len(db.snapshots(db_copy))
    new = rows(report("grp_don_vi_lien_quan", "SIPAS", "2.1", "done", period="Q4", done_text="Đã khảo sát 2 lần"),
               report("phong_noi_vu", "PAR", "1.2", "in_progress", period="Q4"))
    r = save_reports(db_copy, new, user="Nguyễn Văn A", file="tiến độ.xlsx")
    assert (r.status, r.rows, r.replaced) == ("saved", 2, 0)
    log = log_of(db_copy)
    assert log[:-1] == before_log
    assert log[-1][1:] == ("report", "tiến độ.xlsx", "Nguyễn Văn A", 2, 0)
    assert len(db.snapshots(db_copy)) == snaps + 1
    assert reports_of(db_copy, "period = 'Q4'") == [
        ("criterion", "PAR", "1.2", "phong_noi_vu", 2024, "Q4", "in_progress", None, None, False),
        ("criterion", "SIPAS", "2.1", "grp_don_vi_lien_quan", 2024, "Q4", "done", "Đã khảo sát 2 lần", None, False)]
    by, import_id = query(db_copy, "SELECT DISTINCT reported_by, import_id FROM progress_reports WHERE period = 'Q4'")[0]
    assert (by, import_id) == ("Nguyễn Văn A", log[-1][0])

    u = history.undo(db_copy)
    assert u.undone["action"] == "report"
    assert reports_of(db_copy) == before
    assert [row[1] for row in log_of(db_copy)] == [row[1] for row in before_log] + ["undo"]


def test_the_same_reports_again_change_nothing_and_a_correction_replaces(db_copy):
    new = rows(report("grp_don_vi_lien_quan", "SIPAS", "2.1", "done", period="Q4", done_text="Đã khảo sát"),
               report("grp_don_vi_lien_quan", "SIPAS", "2.2", "not_started", period="Q4"))
    assert save_reports(db_copy, new, user="A").status == "saved"
    digest, log = file_digest(db_copy), log_of(db_copy)
    # the same, with NFD text, spaces around it and the empty texts as "" instead of missing
    again = new.assign(done_text=[unicodedata.normalize("NFD", " Đã khảo sát "), ""])
    r = save_reports(db_copy, again, user="B")
    assert (r.status, r.rows, r.replaced) == ("unchanged", 2, 0)
    assert file_digest(db_copy) == digest and log_of(db_copy) == log

    fixed = new.assign(status=["done", "in_progress"])
    r = save_reports(db_copy, fixed, user="B")
    assert (r.status, r.rows, r.replaced) == ("saved", 2, 2)
    assert [row[6] for row in reports_of(db_copy, "period = 'Q4'")] == ["done", "in_progress"]
    assert log_of(db_copy)[-1][1:] == ("report", "(nhập trên trang)", "B", 2, 2)


def test_every_problem_is_named_with_its_row_and_column_and_nothing_is_written(db_copy):
    good = dict(unit="grp_don_vi_lien_quan", index="SIPAS")
    bad = rows(
        report(good["unit"], "SIPAS", "2.1", "done", plan="KHONG-CO", done_text="x"),         # 2 unknown plan
        report("phong_tu_phap", "SIPAS", "2.1", "in_progress"),                                # 3 not its duty
        report(good["unit"], "SIPAS", "2.1", "in_progress", year=2022),                        # 4 outside 2023–2025
        report(good["unit"], "SIPAS", "2.2", "in_progress", period="Q5"),                      # 5 no such period
        report(good["unit"], "SIPAS", "2.3", "finished"),                                      # 6 no such status
        report(good["unit"], "SIPAS", "2.4", "done", done_text="  "),                          # 7 done, nothing said
        report(good["unit"], "SIPAS", "2.5", "not_possible"),                                  # 8 no obstacles
        report(good["unit"], "SIPAS", "2.5", "in_progress", year=2025),                        # 9
        report(good["unit"], "SIPAS", "2.5", "done", year=2025, done_text="y"),                # 10 same key as 9
        report("bhxh_huyen", "PAPI", "3.2", "in_progress"),                                    # 11 not this account's
        report("khong_co_co_quan", "SIPAS", "2.1", "in_progress"),                             # 12 unknown unit
        report(good["unit"], "SIPAS", "2.1", "in_progress", year=2025, obstacles="x" * 4001),  # 13 too long
    )
    digest, log = file_digest(db_copy), log_of(db_copy)
    with pytest.raises(ValidationFailed) as e:
        save_reports(db_copy, bad, user="A", file="bc.xlsx", scope=Scope("A", "grp_don_vi_lien_quan", DISTRICT))
    found = [(p.row, p.column) for p in e.value.problems]
    # columns named as the template and the page name them
    assert found == [(2, "Mã kế hoạch"), (3, "Mã tiêu chí/nhiệm vụ"), (4, "Năm"), (5, "Kỳ báo cáo"), (6, "Tình trạng"),
                     (7, "Kết quả đã thực hiện"), (8, "Khó khăn, vướng mắc"), (10, "Mã tiêu chí/nhiệm vụ"),
                     (11, "Mã cơ quan"), (12, "Mã cơ quan"), (13, "Khó khăn, vướng mắc")]
    said = {(p.row, p.column): p.message for p in e.value.problems}
    assert "KHONG-CO" in said[2, "Mã kế hoạch"]
    assert "Phòng Tư pháp không được giao tiêu chí SIPAS 2.1" in said[3, "Mã tiêu chí/nhiệm vụ"]
    assert "2023–2025" in said[4, "Năm"]
    assert "trùng với dòng 9" in said[10, "Mã tiêu chí/nhiệm vụ"]
    assert "Các đơn vị liên quan" in said[11, "Mã cơ quan"] and "Bảo hiểm xã hội huyện" in said[11, "Mã cơ quan"]
    assert "tối đa 4000" in said[13, "Khó khăn, vướng mắc"]
    assert {p.file for p in e.value.problems} == {"bc.xlsx"}
    assert file_digest(db_copy) == digest and log_of(db_copy) == log
    assert not db.temp_copies(db_copy)


def test_rows_keep_their_spreadsheet_row_numbers_and_nothing_is_an_empty_save(db_copy):
    # done_text given, and empty (a column the rows do not carry would keep the stored text)
    bad = rows(report("grp_don_vi_lien_quan", "SIPAS", "2.1", "done", done_text=None) | {"source_row": 17})
    with pytest.raises(ValidationFailed) as e:
        save_reports(db_copy, bad, user="A", sheet="Báo cáo tiến độ")
    assert [(p.sheet, p.row, p.column) for p in e.value.problems] == [("Báo cáo tiến độ", 17, "Kết quả đã thực hiện")]
    with pytest.raises(ValidationFailed) as e:
        save_reports(db_copy, rows(), user="A")
    assert "không có dòng báo cáo nào" in e.value.problems[0].message


# ================================================================ evidence files


def test_evidence_is_stored_by_its_content_under_its_own_name(db_copy):
    pdf = b"%PDF-1.4 quyet dinh"
    rel, sha = keep_evidence(pdf, "Quyết định số 12.pdf", db_copy)
    assert rel == f"evidence/{sha[:16]}/Quyết định số 12.pdf"
    assert (db_copy.parent / rel).read_bytes() == pdf
    assert keep_evidence(pdf, "Quyết định số 12.pdf", db_copy) == (rel, sha)  # the same file again: nothing new
    # same content, another name: the same folder, under that name (tests/test_evidence_files.py)
    assert keep_evidence(pdf, "ban-sao.PDF", db_copy) == (f"evidence/{sha[:16]}/ban-sao.PDF", sha)
    assert evidence_path(rel, db_copy) == (db_copy.parent / rel).resolve()
    # a name from another system: its last component only, NFC
    png = b"\x89PNG\r\n\x1a\n anh"
    rel2, _ = keep_evidence(png, unicodedata.normalize("NFD", "..\\..\\ảnh chụp.png"), db_copy)
    assert rel2.endswith("/ảnh chụp.png") and rel2.startswith("evidence/")


def test_evidence_of_a_wrong_type_or_size_is_refused(db_copy):
    with pytest.raises(ValidationFailed) as e:
        keep_evidence(b"MZ", "setup.exe", db_copy)
    assert ".pdf" in e.value.problems[0].message
    with pytest.raises(ValidationFailed) as e:
        keep_evidence(b"x" * 11, "bao-cao.pdf", db_copy, max_bytes=10)
    assert "vượt giới hạn" in e.value.problems[0].message
    assert keep_evidence(b"%PDF-1.4 x", "bao-cao.pdf", db_copy, max_bytes=10)[0].startswith("evidence/")
    assert len([p for p in (db_copy.parent / "evidence").rglob("*") if p.is_file()]) == 1


def test_a_write_cut_short_is_not_taken_for_the_stored_file(db_copy):
    import hashlib

    pdf = b"%PDF-1.4 toan van"
    sha = hashlib.sha256(pdf).hexdigest()
    folder = db_copy.parent / "evidence" / sha[:16]
    folder.mkdir(parents=True)
    (folder / ".a.pdf.tmp").write_bytes(pdf[:9])  # the process was killed between write_bytes and replace
    rel, digest = keep_evidence(pdf, "a.pdf", db_copy)
    assert digest == sha and (db_copy.parent / rel).read_bytes() == pdf


def test_evidence_path_stays_inside_the_evidence_folder(db_copy):
    rel, _ = keep_evidence(b"%PDF-1.4", "a.pdf", db_copy)
    assert evidence_path(rel, db_copy) is not None
    for escape in ("../chiso.duckdb", "evidence/../chiso.duckdb", "chiso.duckdb", "evidence/khong-co.pdf",
                   f"{rel}/../../../chiso.duckdb", "/etc/passwd", "evidence"):
        assert evidence_path(escape, db_copy) is None, escape


# ================================================================ the Excel template


def _template(con, unit: str, tmp_path: Path, *, reports: pd.DataFrame | None = None) -> tuple[Path, pd.DataFrame]:
    from loaders.progress import template_xlsx
    from metrics.progress import period_rows

    mine = period_rows(con, PLAN, 2024, "Q4", unit)
    out = tmp_path / "mau.xlsx"
    out.write_bytes(template_xlsx(mine, year=2024, period="Q4", title="Báo cáo tiến độ", reports=reports))
    return out, mine


def test_template_round_trip(con, tmp_path):
    from loaders.progress import read_progress

    path, mine = _template(con, "grp_thon_to_dan_pho", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Báo cáo tiến độ"]
    assert [c.value for c in ws[4]][:11] == ["Mã kế hoạch", "Loại", "Chỉ số", "Mã tiêu chí/nhiệm vụ", "Nội dung",
                                             "Mã cơ quan", "Cơ quan", "Vai trò", "Năm", "Kỳ báo cáo", "Tình trạng"]
    # «Thôn, tổ dân phố» supports 7 criteria, listed in the product's index order
    assert [(ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 8).value) for r in range(5, ws.max_row + 1)] == [
        ("SIPAS", "1.1", "Phối hợp"), ("SIPAS", "1.2", "Phối hợp"), ("PAPI", "1.1", "Phối hợp"),
        ("PAPI", "1.2", "Phối hợp"), ("PAPI", "1.3", "Phối hợp"), ("PAPI", "1.4", "Phối hợp"),
        ("PAPI", "2.3", "Phối hợp")]
    assert (ws["I5"].value, ws["J5"].value, ws["K5"].value, ws["F5"].value) == (2024, "Quý IV", None,
                                                                                 "grp_thon_to_dan_pho")
    ws["K5"], ws["L5"], ws["M5"] = "Hoàn thành", "Đã khảo sát 300 phiếu", "Báo cáo 12/BC-UBND"
    ws["K6"] = "Đang thực hiện"
    wb.save(path)
    got = read_progress(path, "mau.xlsx")
    assert got.drop(columns=["sheet"]).to_dict("records") == [
        {"plan_id": PLAN, "item_kind": "criterion", "index_code": "SIPAS", "item_code": "1.1",
         "unit_code": "grp_thon_to_dan_pho", "year": 2024, "period": "Q4", "status": "done",
         "done_text": "Đã khảo sát 300 phiếu", "evidence": "Báo cáo 12/BC-UBND", "obstacles": None, "source_row": 5},
        {"plan_id": PLAN, "item_kind": "criterion", "index_code": "SIPAS", "item_code": "1.2",
         "unit_code": "grp_thon_to_dan_pho", "year": 2024, "period": "Q4", "status": "in_progress",
         "done_text": None, "evidence": None, "obstacles": None, "source_row": 6}]
    assert set(got.sheet) == {"Báo cáo tiến độ"}


def test_a_filled_template_saves_and_comes_back_pre_filled(db_copy, tmp_path):
    from loaders.progress import read_progress
    from metrics.progress import reports as stored_reports

    with duckdb.connect(str(db_copy), read_only=True) as c:
        path, _ = _template(c, "grp_thon_to_dan_pho", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["K5"], ws["L5"] = "xong", "Đã làm"
    ws["J5"] = "quý 4"
    wb.save(path)
    got = read_progress(path, "mau.xlsx")
    assert save_reports(db_copy, got, user="A", file="mau.xlsx", sheet="Báo cáo tiến độ",
                        scope=Scope("A", "grp_thon_to_dan_pho", DISTRICT)).status == "saved"
    with duckdb.connect(str(db_copy), read_only=True) as c:
        r = stored_reports(c, PLAN, 2024)
        (tmp_path / "again").mkdir()
        path2, _ = _template(c, "grp_thon_to_dan_pho", tmp_path / "again", reports=r[r.period == "Q4"])
    ws2 = openpyxl.load_workbook(path2).active
    assert (ws2["K5"].value, ws2["L5"].value, ws2["K6"].value) == ("Hoàn thành", "Đã làm", None)


def test_vietnamese_labels_are_read(con, tmp_path):
    from loaders.progress import read_progress

    path, _ = _template(con, "grp_thon_to_dan_pho", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["J5"], ws["K5"], ws["L5"] = "6 tháng", "Đã hoàn thành", "Xong"
    ws["J6"], ws["K6"], ws["N6"] = "Quý I", "Không thực hiện được", "Thiếu kinh phí"
    ws["J7"], ws["K7"], ws["B7"] = "Năm", "chưa triển khai", "tiêu chí"
    wb.save(path)
    got = read_progress(path, "mau.xlsx")
    assert got[["period", "status", "obstacles"]].values.tolist() == [
        ["H1", "done", None], ["Q1", "not_possible", "Thiếu kinh phí"], ["Y", "not_started", None]]
    assert got.item_kind.iloc[2] == "criterion"


def test_template_problems_name_sheet_row_and_column(con, tmp_path):
    from loaders.progress import read_progress

    path, _ = _template(con, "grp_thon_to_dan_pho", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["K5"] = "Hoàn thành"
    ws["L6"] = "Đã làm nhưng quên chọn tình trạng"
    ws["K7"] = "Gần xong"
    ws["K8"], ws["I8"] = "Đang thực hiện", "năm ngoái"
    wb.save(path)
    with pytest.raises(ValidationFailed) as e:
        read_progress(path, "mau.xlsx")
    assert [(p.sheet, p.row, p.column) for p in e.value.problems] == [
        ("Báo cáo tiến độ", 6, "Tình trạng"), ("Báo cáo tiến độ", 7, "Tình trạng"), ("Báo cáo tiến độ", 8, "Năm")]
    assert "chưa chọn «Tình trạng»" in e.value.problems[0].message


def test_a_csv_naming_its_units_is_read_with_the_unit_names(tmp_path):
    from loaders.progress import read_progress

    path = tmp_path / "bc.csv"
    path.write_text("\ufeffMã kế hoạch;Loại;Chỉ số;Mã tiêu chí/nhiệm vụ;Cơ quan;Năm;Kỳ báo cáo;Tình trạng;"
                    "Kết quả đã thực hiện\n"
                    "VL-2023-2025;Tiêu chí;par;1.2;Phòng Nội vụ;2024;6 tháng;Hoàn thành;Đã gửi báo cáo\n"
                    "VL-2023-2025;Nhiệm vụ;PAR;1.1.1;Phòng Nội vụ;2024;Quý I;;\n", encoding="utf-8")
    got = read_progress(path, "bc.csv", units={"phong noi vu": "phong_noi_vu"})
    # no «Văn bản, đường dẫn minh chứng» or «Khó khăn» column: not returned, so a save keeps what is stored there
    assert got.to_dict("records") == [
        {"plan_id": PLAN, "item_kind": "criterion", "index_code": "PAR", "item_code": "1.2", "unit_code": "phong_noi_vu",
         "year": 2024, "period": "H1", "status": "done", "done_text": "Đã gửi báo cáo", "source_row": 2, "sheet": None}]
    with pytest.raises(ValidationFailed) as e:
        read_progress(path, "bc.csv")  # no unit names given: the unit cannot be told
    assert [(p.row, p.column) for p in e.value.problems] == [(2, "Cơ quan")]


def test_blank_statuses_are_not_reported(con, tmp_path):
    from loaders.progress import read_progress

    path, _ = _template(con, "grp_thon_to_dan_pho", tmp_path)
    assert read_progress(path, "mau.xlsx").empty


def test_a_file_that_is_not_the_template_is_refused(tmp_path):
    from loaders.progress import read_progress

    wb = openpyxl.Workbook()
    wb.active.append(["Năm", "Chỉ số", "Đơn vị", "Điểm"])
    wb.active.append([2024, "PAR", "Huyện Vĩnh Lộc", 80])
    path = tmp_path / "diem.xlsx"
    wb.save(path)
    with pytest.raises(ValidationFailed) as e:
        read_progress(path, "diem.xlsx")
    assert "không phải mẫu báo cáo tiến độ" in e.value.problems[0].message
    txt = tmp_path / "bao-cao.docx"
    txt.write_bytes(b"PK")
    with pytest.raises(ValidationFailed) as e:
        read_progress(txt, "bao-cao.docx")
    assert ".xlsx" in e.value.problems[0].message
    # the header is there but a key column was deleted
    wb = openpyxl.Workbook()
    wb.active.append(["Mã tiêu chí/nhiệm vụ", "Tình trạng", "Năm"])
    wb.save(path)
    with pytest.raises(ValidationFailed) as e:
        read_progress(path, "diem.xlsx")
    (p,) = e.value.problems
    assert p.row == 1 and "«Mã kế hoạch»" in p.message and "«Kỳ báo cáo»" in p.message


# ================================================================ the build keeps reports


def test_the_build_loads_the_illustrative_reports(con):
    n, n_ill, users = con.execute("SELECT count(*), count(*) FILTER (WHERE is_illustrative), list(DISTINCT reported_by) "
                                  "FROM progress_reports").fetchone()
    assert (n, n_ill, users) == (N_ILLUSTRATIVE, N_ILLUSTRATIVE, ["minh họa"])
    # dated on the period's due date, so that «who reported when» reads naturally
    assert con.execute("SELECT DISTINCT reported_at FROM progress_reports WHERE year = 2024 AND period = 'Q1'").fetchall() \
        == [(datetime(2024, 3, 10, 9, 0),)]
    assert con.execute("SELECT DISTINCT reported_at FROM progress_reports WHERE year = 2023 AND period = 'Y'").fetchall() \
        == [(datetime(2023, 12, 20, 9, 0),)]
    assert con.execute("SELECT action, rows_loaded FROM import_log WHERE file = "
                       "'illustrative/vinhloc_progress_2023_2025_illustrative.csv'").fetchall() == \
        [("build", N_DISTRICT)]
    assert con.execute("SELECT action, rows_loaded FROM import_log WHERE file = "
                       "'illustrative/xa_vinh_loc_progress_2026_illustrative.csv'").fetchall() == \
        [("build", N_COMMUNE)]


ILL_KEY = "item_kind = 'task' AND index_code = 'DDCI' AND item_code = '1.3.1' AND unit_code = 'grp_don_vi_lien_quan' " \
          "AND year = 2024 AND period = 'Q1'"  # an illustrative report («Hoàn thành») in the shipped file


def test_carry_reports_keeps_real_reports_over_illustrative_ones(db_copy, built_db, tmp_path):
    from store.build import carry_reports

    assert reports_of(built_db, ILL_KEY)[0][6:] == ("done", reports_of(built_db, ILL_KEY)[0][7], None, True)
    save_reports(db_copy, rows(report("grp_don_vi_lien_quan", "DDCI", "1.3.1", "in_progress", kind="task"),
                               report("phong_noi_vu", "PAR", "1.2", "in_progress", period="Q4")), user="A")
    new = tmp_path / "moi.duckdb"
    shutil.copyfile(built_db, new)
    with duckdb.connect(str(new)) as c:
        assert carry_reports(c, db_copy) == 2
        assert carry_reports(c, tmp_path / "khong-co.duckdb") == 0
        junk = tmp_path / "hong.duckdb"
        junk.write_bytes(b"not a database" * 100)
        assert carry_reports(c, junk) == 0
    assert reports_of(new, ILL_KEY) == [("task", "DDCI", "1.3.1", "grp_don_vi_lien_quan", 2024, "Q1", "in_progress",
                                         None, None, False)]
    assert query(new, "SELECT count(*), count(*) FILTER (WHERE is_illustrative) FROM progress_reports")[0] == \
        (N_ILLUSTRATIVE + 1, N_ILLUSTRATIVE - 1)


@pytest.mark.slow
def test_a_rebuild_keeps_the_reports_people_typed(db_copy):
    from store.build import build

    save_reports(db_copy, rows(report("grp_don_vi_lien_quan", "DDCI", "1.3.1", "not_started", kind="task"),
                               report("phong_noi_vu", "PAR", "1.2", "done", period="Q4", done_text="Đã báo cáo")),
                 user="Trần Thị B")
    build(db_file=db_copy)
    assert reports_of(db_copy, "NOT is_illustrative") == [
        ("criterion", "PAR", "1.2", "phong_noi_vu", 2024, "Q4", "done", "Đã báo cáo", None, False),
        ("task", "DDCI", "1.3.1", "grp_don_vi_lien_quan", 2024, "Q1", "not_started", None, None, False)]
    assert query(db_copy, "SELECT DISTINCT reported_by FROM progress_reports WHERE NOT is_illustrative") == \
        [("Trần Thị B",)]
    assert query(db_copy, "SELECT count(*) FILTER (WHERE is_illustrative) FROM progress_reports")[0] == \
        (N_ILLUSTRATIVE - 1,)
    # and again: nothing doubles
    build(db_file=db_copy)
    assert query(db_copy, "SELECT count(*) FROM progress_reports")[0] == (N_ILLUSTRATIVE + 1,)


# ================================================================ the metrics


# The reports this section reads (nothing else: the illustrative ones are deleted first).
KNOWN = [
    report("grp_don_vi_lien_quan", "SIPAS", "2.1", "done", done_text="Đã khảo sát", evidence="Báo cáo 12/BC"),
    report("grp_don_vi_lien_quan", "SIPAS", "2.2", "in_progress"),
    report("grp_don_vi_lien_quan", "SIPAS", "2.3", "not_started"),
    report("grp_don_vi_lien_quan", "SIPAS", "2.4", "not_possible", obstacles="Thiếu kinh phí"),
    report("grp_don_vi_lien_quan", "SIPAS", "2.5", "in_progress"),
    report("bhxh_huyen", "PAPI", "3.2", "in_progress"),                  # 1 of its 26 led duties
    report("vp_hdnd_ubnd", "PAR", "1.3", "in_progress"),                 # a supporting unit
    report("phong_noi_vu", "PAR", "1.1", "done", year=2023, period="Y", done_text="Đã ban hành kế hoạch"),
    report("vp_hdnd_ubnd", "PAR", "1.1", "done", year=2023, period="Y", done_text="Đã phối hợp"),
]


@pytest.fixture(scope="module")
def known_db(built_db, tmp_path_factory) -> Path:
    path = without_reports(built_db, tmp_path_factory.mktemp("known") / "chiso.duckdb")
    save_reports(path, rows(*KNOWN), user="kiểm thử")
    return path


@pytest.fixture()
def known_copy(known_db, tmp_path) -> Path:
    path = tmp_path / "chiso.duckdb"
    shutil.copyfile(known_db, path)
    return path


@pytest.fixture(scope="module")
def kcon(known_db):
    c = duckdb.connect(str(known_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def ctx(kcon):
    from metrics.progress import plan_context

    return plan_context(kcon, PLAN)


def test_plan_context_and_default_period(ctx, kcon):
    from metrics.progress import default_period, plan_context

    assert (ctx.entity_code, ctx.level, ctx.years, ctx.coordinator, ctx.coordinator_name) == \
        ("VN-38-393", "district", [2023, 2024, 2025], "phong_noi_vu", "Phòng Nội vụ")
    assert ctx.end == date(2025, 6, 30)  # the district ended with the reform of 01/7/2025
    assert default_period(ctx, date(2024, 4, 3)) == ("H1", 2024)
    assert default_period(ctx, date(2024, 12, 1)) == ("Y", 2024)
    assert default_period(ctx, date(2026, 12, 1)) == ("H1", 2025)  # the plan ended mid-2025
    with pytest.raises(KeyError):
        plan_context(kcon, "KHONG-CO")


def test_period_rows_and_duty_state(kcon):
    from metrics.progress import duty_state, period_rows

    mine = period_rows(kcon, PLAN, 2024, "Q1", "grp_don_vi_lien_quan")
    assert len(mine) == 69  # 5 criteria led, 47 criteria and 17 tasks supported
    told = mine[mine.status.notna()]
    assert told[["index_code", "item_code", "role", "status"]].values.tolist() == [
        ["SIPAS", "2.1", "lead", "done"], ["SIPAS", "2.2", "lead", "in_progress"],
        ["SIPAS", "2.3", "lead", "not_started"], ["SIPAS", "2.4", "lead", "not_possible"],
        ["SIPAS", "2.5", "lead", "in_progress"]]
    assert set(period_rows(kcon, PLAN, 2024, "Q1").unit_code) >= {"grp_don_vi_lien_quan", "phong_noi_vu"}
    assert period_rows(kcon, PLAN, 2024, "H1", "grp_don_vi_lien_quan").status.isna().all()
    # a quý I report is the latest state at the half year, but not a report for the half year
    s = duty_state(kcon, PLAN, 2024, "H1").set_index(["index_code", "item_code", "unit_code"])
    assert (s.loc[("SIPAS", "2.1", "grp_don_vi_lien_quan"), "state"],
            s.loc[("SIPAS", "2.1", "grp_don_vi_lien_quan"), "reported_now"]) == ("done", False)
    assert s.loc[("PAR", "1.1", "phong_noi_vu"), "state"] == "no_report"  # 2023's report is not 2024's
    q1 = duty_state(kcon, PLAN, 2024, "Q1").set_index(["index_code", "item_code", "unit_code"])
    assert bool(q1.loc[("SIPAS", "2.1", "grp_don_vi_lien_quan"), "reported_now"])


def test_who_reported(kcon, ctx):
    from metrics.progress import who_reported

    w = who_reported(kcon, ctx, 2024, "Q1", date(2024, 4, 1))
    assert len(w) == 27  # 13 departments, 13 communes, «các đơn vị liên quan»: Sở Nội vụ and Bưu điện are external
    got = w.set_index("unit_code")[["n_duties", "n_reported", "state", "late"]]
    assert got.loc["grp_don_vi_lien_quan"].tolist() == [5, 5, "full", False]
    assert got.loc["bhxh_huyen"].tolist() == [26, 1, "partial", True]
    assert got.loc["phong_noi_vu"].tolist() == [39, 0, "none", True]
    # its report as a supporting unit is not one of the duties it leads
    assert got.loc["vp_hdnd_ubnd"].tolist() == [38, 0, "none", True]
    assert w.state.tolist() == ["none"] * 25 + ["partial", "full"]
    assert w.set_index("unit_code").loc["grp_don_vi_lien_quan", "last_at"].date() == date.today()
    # before the due date (10/03) nobody is late yet
    assert not who_reported(kcon, ctx, 2024, "Q1", date(2024, 3, 10)).late.any()
    assert who_reported(kcon, ctx, 2024, "Q1", date(2024, 3, 11)).late.sum() == 26
    # a quý I report is not the half-year's
    h1 = who_reported(kcon, ctx, 2024, "H1", date(2024, 6, 1)).set_index("unit_code")
    assert h1.loc["grp_don_vi_lien_quan", "state"] == "none" and not h1.late.any()


def test_overdue_by_the_plans_own_deadlines(kcon, ctx, known_copy):
    from metrics.progress import overdue

    o = overdue(kcon, ctx, date(2024, 6, 30))
    # PAR 1.2 «Báo cáo quý 1, 2, 3: trước ngày 10 của tháng cuối quý; …» is the only led duty with a passed deadline
    assert o[["index_code", "item_code", "unit_name", "deadline", "state"]].values.tolist() == [
        ["PAR", "1.2", "Phòng Nội vụ", date(2024, 3, 10), "no_report"]]
    assert not overdue(kcon, ctx, date(2024, 3, 11)).empty  # late the day after its deadline, as a report is
    assert overdue(kcon, ctx, date(2024, 3, 10)).empty
    assert overdue(kcon, ctx, date(2022, 12, 31)).empty  # not a year of the plan

    save_reports(known_copy, rows(report("phong_noi_vu", "PAR", "1.2", "done", done_text="Đã báo cáo quý I")), user="A")
    with duckdb.connect(str(known_copy), read_only=True) as c:
        o = overdue(c, ctx, date(2024, 6, 30))
        # quý I is met; the 10/06 report is the one missing
        assert o[["item_code", "deadline", "state"]].values.tolist() == [["1.2", date(2024, 6, 10), "done"]]
        end = overdue(c, ctx, date(2025, 1, 1), 2024)
    assert overdue(kcon, ctx, date(2024, 12, 31)).timing.eq("Quý IV hàng năm").sum() == 0  # not yet
    # once the year is over: «Quý IV hàng năm» (14 led duties) and PAR 1.2's 10/06, never «Thường xuyên»
    assert sorted(set(end.timing)) == ["Báo cáo quý 1, 2, 3: trước ngày 10 của tháng cuối quý; Báo cáo năm: trước "
                                       "ngày 20/12 hàng năm", "Quý IV hàng năm"]
    assert len(end) == 14 + 1
    assert set(end[end.timing == "Quý IV hàng năm"].deadline) == {date(2024, 12, 31)}


def test_a_single_deadline_is_met_by_done_in_any_period(known_copy, ctx, kcon):
    from metrics.progress import overdue

    end = overdue(kcon, ctx, date(2025, 1, 1), 2024)
    yearly = end[end.timing == "Quý IV hàng năm"].iloc[0]
    duty = kcon.execute("SELECT unit_code FROM units WHERE name = ?", [yearly.unit_name]).fetchone()[0]
    save_reports(known_copy, rows(report(duty, yearly.index_code, yearly.item_code, "done", period="Q3",
                                         kind=yearly.item_kind, done_text="Xong sớm")), user="A")
    with duckdb.connect(str(known_copy), read_only=True) as c:
        after = overdue(c, ctx, date(2025, 1, 1), 2024)
    assert len(after) == len(end) - 1
    assert not ((after.item_code == yearly.item_code) & (after.unit_name == yearly.unit_name)
                & (after.index_code == yearly.index_code)).any()


def test_timing_kinds_of_the_plan(kcon):
    from metrics.progress import timing_kinds

    t = timing_kinds(kcon, PLAN)
    assert t.values.tolist() == [
        ["Thường xuyên", 741, "thường xuyên", ""],
        ["", 266, "không ghi", ""],  # the tasks of section II.1 carry no timing
        ["Quý IV hàng năm", 14, "có hạn", "31/12"],
        ["Báo cáo quý 1, 2, 3: trước ngày 10 của tháng cuối quý; Báo cáo năm: trước ngày 20/12 hàng năm", 1, "có hạn",
         "10/03, 10/06, 10/09, 20/12"],
        ["Theo Kế hoạch cải cách hành chính hàng năm của huyện", 1, "theo văn bản khác", ""]]


def test_progress_counts_by_index_and_unit(kcon):
    from metrics.progress import progress_counts

    c = progress_counts(kcon, PLAN, 2024, "Q1")
    cols = ["index_code", "not_started", "in_progress", "done", "not_possible", "no_report", "total"]
    assert c[cols].values.tolist() == [
        ["PAR", 0, 0, 0, 0, 412, 412],      # PAR 1.3's report is a supporting unit's
        ["SIPAS", 1, 2, 1, 1, 174, 179],
        ["PAPI", 0, 1, 0, 0, 385, 386],
        ["DDCI", 0, 0, 0, 0, 46, 46]]
    assert c.share_done.tolist() == [0, pytest.approx(1 / 179), 0, 0]
    u = progress_counts(kcon, PLAN, 2024, "Q1", by="unit_name").set_index("unit_name")
    assert u.loc["Các đơn vị liên quan", cols[1:]].tolist() == [1, 2, 1, 1, 0, 5]
    assert u.loc["Các đơn vị liên quan", "share_done"] == pytest.approx(0.2)
    assert u.loc["Bảo hiểm xã hội huyện", cols[1:]].tolist() == [0, 1, 0, 0, 25, 26]
    # 2023's annual report: PAR 1.1 done by its lead
    y = progress_counts(kcon, PLAN, 2023, "Y").set_index("index_code")
    assert (y.loc["PAR", "done"], y.loc["PAR", "no_report"]) == (1, 411)


def test_weak_criteria_without_progress(ctx, kcon):
    from metrics.progress import weak_without_progress

    w = weak_without_progress(kcon, ctx, 2023, 2024, "Q1").set_index(["index_code", "criterion_code"])
    # PAR 1.1 fell two years running (data/illustrative scores); nobody reported on it in 2024
    assert w.loc[("PAR", "1.1"), ["plan_code", "lead_units", "n_duties", "n_unreported"]].tolist() == \
        ["1.1", ["Phòng Nội vụ"], 27, 27]
    assert bool(w.loc[("PAR", "1.1"), "is_illustrative"])
    # SIPAS 2.2 is weak too, but «Các đơn vị liên quan» reported it «Đang thực hiện»
    assert ("SIPAS", "2.2") not in w.index
    assert w.index.is_unique and set(w.index.get_level_values(0)) <= {"PAR", "SIPAS", "PAPI"}  # DDCI has only tasks


def test_a_report_of_progress_drops_a_weak_criterion(known_copy, ctx):
    from metrics.progress import weak_without_progress

    def weak(path: Path) -> pd.DataFrame:
        with duckdb.connect(str(path), read_only=True) as c:
            return weak_without_progress(c, ctx, 2023, 2024, "Q1").set_index(["index_code", "criterion_code"])

    # «Chưa triển khai» is a report, not progress
    save_reports(known_copy, rows(report("phong_noi_vu", "PAR", "1.1", "not_started")), user="A")
    w = weak(known_copy)
    assert w.loc[("PAR", "1.1"), ["n_duties", "n_unreported"]].tolist() == [27, 26]
    # one commune (a supporting unit) at work on it is progress
    save_reports(known_copy, rows(report("xa_vinh_an", "PAR", "1.1", "in_progress")), user="A")
    after = weak(known_copy)
    assert ("PAR", "1.1") not in after.index and len(after) == len(w) - 1


def test_effort_next_to_outcome(kcon, ctx):
    from metrics.progress import effort_outcome

    e = effort_outcome(kcon, ctx).set_index(["index_code", "item_code", "year"])
    assert e.loc[("PAR", "1.1", 2023), "done_units"] == ["Phòng Nội vụ", "Văn phòng HĐND và UBND huyện"]
    # PAR 1.1 of Vĩnh Lộc: 1,25 in 2023, 2,0 in 2024 (data/illustrative, PAR-TH-HUYEN-2023)
    assert e.loc[("PAR", "1.1", 2023), "change_points"] == pytest.approx(0.75)
    assert e.loc[("PAR", "1.1", 2023), ["criterion_code", "is_illustrative", "reports_illustrative"]].tolist() == \
        ["1.1", True, False]
    assert e.loc[("PAR", "1.1", 2024), "done_units"] == []
    # no results for 2025 (the district ended mid-2025)
    # (None in the rows; the float column of the DataFrame holds it as NaN)
    for year in (2024, 2025):
        assert e.loc[("PAR", "1.1", year), ["change_points", "change_pct_points"]].isna().all()
        assert not e.loc[("PAR", "1.1", year), "is_illustrative"]
    assert e.loc[("PAR", "1.2", 2023), ["done_units", "change_points"]].tolist() == [[], 0.0]
    assert len(e) == (27 + 37 + 9) * 3


def test_report_section_of_a_period(kcon, ctx, con):
    from metrics.progress import report_section

    r = report_section(kcon, ctx, 2024, "Q1", date(2024, 4, 1))
    assert (r.year, r.period, r.is_illustrative) == (2024, "Q1", False)
    by = {i.index_code: i for i in r.indices}
    assert list(by) == ["PAR", "SIPAS", "PAPI", "DDCI"]
    sipas = by["SIPAS"]
    assert sipas.done[["item_code", "units", "done_text", "evidence"]].values.tolist() == [
        ["2.1", ["Các đơn vị liên quan"], "Đã khảo sát", "Báo cáo 12/BC"]]
    assert sipas.in_progress.item_code.tolist() == ["2.2", "2.5"]
    assert sipas.not_done[["item_code", "obstacles"]].values.tolist() == [["2.3", ""], ["2.4", "Thiếu kinh phí"]]
    assert by["PAR"].in_progress[["item_code", "units"]].values.tolist() == [["1.3", ["Văn phòng HĐND và UBND huyện"]]]
    assert by["PAR"].done.empty and by["PAR"].not_done.empty  # 2023's report is not this period's
    assert by["PAPI"].in_progress[["item_code", "units"]].values.tolist() == [["3.2", ["Bảo hiểm xã hội huyện"]]]
    assert by["DDCI"].done.empty and by["DDCI"].in_progress.empty and by["DDCI"].not_done.empty
    assert r.partly_reported == ["Bảo hiểm xã hội huyện"]
    assert len(r.not_reported) == 25
    assert {"Phòng Nội vụ", "Văn phòng HĐND và UBND huyện", "Xã Vĩnh An"} <= set(r.not_reported)
    assert "Các đơn vị liên quan" not in r.not_reported and "Bảo hiểm xã hội huyện" not in r.not_reported
    # on the shipped (illustrative) reports the section says so
    assert report_section(con, ctx, 2024, "Q1", date(2024, 4, 1)).is_illustrative


# ================================================================ accounts tied to a unit


def test_scope_rules():
    from access.auth import Scope, scope_of

    district, coord = DISTRICT, "phong_noi_vu"
    admin = Scope("Quản trị", None)
    assert admin.sees_all(district, coord) and admin.report_units(district, coord) is None and admin.manages_data()
    assert admin.sees_all(TAY_DO, "phong_van_hoa_xa_hoi")  # every entity
    nv = Scope("Cán bộ Nội vụ", "phong_noi_vu", district)  # the coordinator of the district's plans
    assert nv.sees_all(district, coord) and nv.report_units(district, coord) is None
    assert not nv.manages_data()  # scores are the whole province's: administrators only
    tp = Scope("Cán bộ Tư pháp", "phong_tu_phap", district)
    assert not tp.sees_all(district, coord) and tp.report_units(district, coord) == {"phong_tu_phap"}
    assert not tp.manages_data()
    vhxh = "phong_van_hoa_xa_hoi"  # the coordinator of a commune's plans (TT 10/2025/TT-BNV)
    xa = Scope("Phòng VH-XH xã", vhxh, TAY_DO)  # the coordinator of xã Tây Đô's plans
    assert xa.sees_all(TAY_DO, vhxh) and xa.report_units(TAY_DO, vhxh) is None
    office = Scope("Văn phòng xã", "vp_hdnd_ubnd_xa", TAY_DO)  # an office of Tây Đô, not its coordinator
    assert not office.sees_all(TAY_DO, vhxh) and office.report_units(TAY_DO, vhxh) == {"vp_hdnd_ubnd_xa"}
    # the same office of another commune: nothing of Tây Đô's, although the unit code is the same
    other = Scope("Phòng VH-XH xã khác", vhxh, VINH_LOC)
    assert not other.of_entity(TAY_DO) and not other.sees_all(TAY_DO, vhxh)
    assert other.report_units(TAY_DO, vhxh) == set()
    assert not tp.sees_all(district, None)  # a plan with no coordinator: still only its own unit
    unbound = Scope("Cũ", vhxh, None)  # an old line that fits no one entity: nothing
    assert not unbound.of_entity(TAY_DO) and unbound.report_units(TAY_DO, vhxh) == set()
    auth = {"users": {"A": "h", "B": "h"}, "units": {"A": "phong_tu_phap", "C": "", "D": f"{TAY_DO}/vp_hdnd_ubnd_xa",
                                                      "E": "vp_hdnd_ubnd_xa"}}
    # an old line «A = phong_tu_phap»: the one district the product serves (data/home.csv)
    assert scope_of("A", auth) == Scope("A", "phong_tu_phap", DISTRICT)
    assert scope_of("B", auth) == Scope("B", None)
    assert scope_of("C", auth) == Scope("C", None)
    assert scope_of("D", auth) == Scope("D", "vp_hdnd_ubnd_xa", TAY_DO)
    assert scope_of("E", auth) == Scope("E", "vp_hdnd_ubnd_xa", None)  # three communes: not guessed
    assert scope_of("Ai đó", {"password_hash": "h"}) == Scope("Ai đó", None)  # the shared password is an admin's


def test_secrets_keep_units_through_updates(tmp_path):
    from access.auth import read_auth, secrets_toml, update_secrets

    path = tmp_path / "secrets.toml"
    path.write_text(secrets_toml("chung", {"Nguyễn Văn A": "h1", "Trần Thị B": "h2"},
                                 {"Nguyễn Văn A": "phong_tu_phap", "Không Có": "phong_noi_vu"}), encoding="utf-8")
    auth = read_auth(path)
    assert auth["units"] == {"Nguyễn Văn A": "phong_tu_phap"}  # a unit of no account is dropped
    assert auth["password_hash"] == "chung"

    def step(**kw) -> dict:
        path.write_text(update_secrets(path, **kw), encoding="utf-8")
        return read_auth(path)

    auth = step(user="Trần Thị B", stored_hash="h3", unit="phong_noi_vu")
    assert auth["users"] == {"Nguyễn Văn A": "h1", "Trần Thị B": "h3"}
    assert auth["units"] == {"Nguyễn Văn A": "phong_tu_phap", "Trần Thị B": "phong_noi_vu"}
    auth = step(user="Nguyễn Văn A", stored_hash="h4")  # a new password keeps the unit
    assert auth["units"]["Nguyễn Văn A"] == "phong_tu_phap" and auth["users"]["Nguyễn Văn A"] == "h4"
    auth = step(user=unicodedata.normalize("NFD", "Trần Thị B"), stored_hash="h5", unit=None)  # an admin again
    assert auth["units"] == {"Nguyễn Văn A": "phong_tu_phap"} and auth["users"]["Trần Thị B"] == "h5"
    auth = step(user="Nguyễn Văn A", stored_hash=None)  # removing the account removes its unit
    assert auth["users"] == {"Trần Thị B": "h5"} and "units" not in auth
    auth = step(user=None, stored_hash="chung-moi")
    assert auth == {"password_hash": "chung-moi", "users": {"Trần Thị B": "h5"}}


def _set_password(monkeypatch, capsys, secrets: Path, *args: str, pw: str = "mat-khau-123\n") -> tuple[int, str, str]:
    """The command line in this process, the password piped in (stdin is not a terminal)."""
    from cli.data import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(pw))
    code = main(["set-password", "--secrets", str(secrets), *args])
    said = capsys.readouterr()
    return code, said.out, said.err


def test_set_password_ties_an_account_to_a_unit(tmp_path, monkeypatch, capsys):
    from access.auth import account_for, read_auth

    secrets = tmp_path / ".streamlit" / "secrets.toml"
    code, out, _ = _set_password(monkeypatch, capsys, secrets, "--user", "Lê Văn C", "--unit", "phong_tu_phap")
    # a district office: the one district data/home.csv serves
    assert code == 0 and "gắn với cơ quan mã «phong_tu_phap» của huyện Vĩnh Lộc: chỉ báo cáo tiến độ cho cơ quan đó" in out
    auth = read_auth(secrets)
    assert auth["units"] == {"Lê Văn C": f"{DISTRICT}/phong_tu_phap"}
    assert account_for("lê văn c", "mat-khau-123", auth) == "Lê Văn C"
    # by the unit's name as the plan writes it
    code, out, _ = _set_password(monkeypatch, capsys, secrets, "--user", "Phạm D", "--unit", "Phòng Nội vụ")
    assert code == 0 and "cơ quan đầu mối «phong_noi_vu» của huyện Vĩnh Lộc" in out
    assert read_auth(secrets)["units"] == {"Lê Văn C": f"{DISTRICT}/phong_tu_phap", "Phạm D": f"{DISTRICT}/phong_noi_vu"}
    # no --unit keeps the unit; «-» makes an administrator
    assert _set_password(monkeypatch, capsys, secrets, "--user", "Lê Văn C", pw="mat-khau-moi-1\n")[0] == 0
    assert read_auth(secrets)["units"]["Lê Văn C"] == f"{DISTRICT}/phong_tu_phap"
    code, out, _ = _set_password(monkeypatch, capsys, secrets, "--user", "Lê Văn C", "--unit", "-")
    assert code == 0 and "Tài khoản quản trị" in out
    assert read_auth(secrets)["units"] == {"Phạm D": f"{DISTRICT}/phong_noi_vu"}
    assert _set_password(monkeypatch, capsys, secrets, "--user", "Phạm D", "--remove")[0] == 0
    assert "units" not in read_auth(secrets)


def test_set_password_refuses_an_unknown_unit_or_a_unit_without_a_user(tmp_path, monkeypatch, capsys):
    secrets = tmp_path / "secrets.toml"
    assert _set_password(monkeypatch, capsys, secrets, "--user", "Lê Văn C", "--unit", "phong_tu_phap")[0] == 0
    before = secrets.read_bytes()
    code, _, err = _set_password(monkeypatch, capsys, secrets, "--user", "Lê Văn C", "--unit", "Phòng Không Có")
    assert code == 2 and "Không có cơ quan «Phòng Không Có»" in err and "Traceback" not in err
    code, _, err = _set_password(monkeypatch, capsys, secrets, "--unit", "phong_tu_phap")
    assert code == 2 and "--unit cần --user" in err
    assert secrets.read_bytes() == before


def test_a_commune_office_account_is_tied_to_its_commune(tmp_path, monkeypatch, capsys):
    """Every commune has a «Phòng Văn hóa - Xã hội», its CCHC coordinator, under one unit code: the account
    names its commune."""
    from access.auth import read_auth, scope_of

    secrets = tmp_path / "secrets.toml"
    code, _, err = _set_password(monkeypatch, capsys, secrets, "--user", "VP Tây Đô", "--unit", "phong_van_hoa_xa_hoi")
    assert code == 2 and "ghi --entity" in err and not secrets.exists()  # three communes share that office
    code, out, _ = _set_password(monkeypatch, capsys, secrets, "--user", "VP Tây Đô", "--unit", "phong_van_hoa_xa_hoi",
                                 "--entity", "Tây Đô")
    assert code == 0 and "cơ quan đầu mối «phong_van_hoa_xa_hoi» của xã Tây Đô" in out
    code, out, _ = _set_password(monkeypatch, capsys, secrets, "--user", "Văn phòng Tây Đô", "--unit",
                                 "vp_hdnd_ubnd_xa", "--entity", "Tây Đô")
    assert code == 0 and "chỉ báo cáo tiến độ cho cơ quan đó" in out  # an office of the commune, not its coordinator
    code, _, _ = _set_password(monkeypatch, capsys, secrets, "--user", "Văn phòng Tây Đô", "--remove")
    assert code == 0
    auth = read_auth(secrets)
    assert auth["units"] == {"VP Tây Đô": f"{TAY_DO}/phong_van_hoa_xa_hoi"}
    assert scope_of("VP Tây Đô", auth).entity == TAY_DO
    # a commune office is not an office of a district, nor the other way round
    code, _, err = _set_password(monkeypatch, capsys, secrets, "--user", "X", "--unit", "vp_hdnd_ubnd_xa",
                                 "--entity", "Huyện Vĩnh Lộc")
    assert code == 2 and "Traceback" not in err
    code, _, err = _set_password(monkeypatch, capsys, secrets, "--user", "X", "--unit", "phong_tu_phap",
                                 "--entity", "Tây Đô")
    assert code == 2 and "không thuộc" in err
    code, _, err = _set_password(monkeypatch, capsys, secrets, "--user", "X", "--entity", "Tây Đô")
    assert code == 2 and "--entity đi cùng --unit" in err
    assert read_auth(secrets)["units"] == {"VP Tây Đô": f"{TAY_DO}/phong_van_hoa_xa_hoi"}


def test_set_password_with_a_unit_through_a_real_pipe(tmp_path):
    from access.auth import read_auth

    secrets = tmp_path / "secrets.toml"
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "loaders", "set-password", "--secrets", str(secrets), *a], cwd=ROOT,
        input="mat-khau-cua-E\n", capture_output=True, text=True)
    r = run("--user", "Đỗ Thị E", "--unit", "bhxh_huyen")
    assert r.returncode == 0, r.stderr
    assert "chỉ báo cáo tiến độ cho cơ quan đó" in r.stdout
    assert read_auth(secrets)["units"] == {"Đỗ Thị E": f"{DISTRICT}/bhxh_huyen"}
