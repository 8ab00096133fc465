"""The «mục riêng» of the CCHC report (exports/progress_report.py) as an official prints it:
rendered to PDF with LibreOffice (tests/pdf.py), pages counted and read.

Two periods of the shipped data, each rendered once: the former district's plan VL-2023-2025 for
6 tháng đầu năm 2025 (99 plan items, 27 units, six of which did not report) and xã Vĩnh Lộc's
illustrative 2026 plan for quý III/2026. In each, one unit's report carries an evidence file
attached through the write path (store.progress.keep_evidence, save_reports), so that the
document has a stored path it must not print.

A section is a few pages of body (at most 4 A4 pages) and one landscape appendix table; the
whole document at most 12 pages."""
from __future__ import annotations

import re
import shutil
from datetime import date

import duckdb
import pytest

from tests import pdf

TODAY = date(2026, 12, 1)
DISTRICT = ("VL-2023-2025", 2025, "H1", "phong_noi_vu", "PAR", "1.1")          # Phòng Nội vụ reported in full
COMMUNE = ("KH-2026-VN-38-15349", 2026, "Q3", "phong_van_hoa_xa_hoi", "PAR", "7.1")
FILE_NAME = "minh_chung_ra_soat.pdf"   # the name the unit gave its file
PDF_BYTES = b"%PDF-1.4\n% bien ban ra soat thu tuc hanh chinh\n"
NOTICE = "SỐ LIỆU MINH HỌA"
HASH = re.compile(r"[0-9a-f]{64}|[0-9a-f]{16}/")
MAX_BODY, MAX_TOTAL = 4, 12


def _attach(db_file, plan: str, year: int, period: str, unit: str, index: str, code: str) -> str:
    """Attach FILE_NAME to the unit's stored report of the period (and drop its typed evidence,
    so the file is all the report cites); the stored path, which no page may show."""
    from store.progress import keep_evidence, save_reports

    with duckdb.connect(str(db_file), read_only=True) as c:
        row = c.execute("""SELECT plan_id, item_kind, index_code, item_code, unit_code, year, period, status, done_text,
                                  obstacles FROM progress_reports WHERE plan_id = ? AND year = ? AND period = ?
                                  AND unit_code = ? AND index_code = ? AND item_code = ?""",
                        [plan, year, period, unit, index, code]).df()
    assert len(row) == 1 and row.status.iloc[0] == "done", row
    rel, sha = keep_evidence(PDF_BYTES, FILE_NAME, db_file)
    save_reports(db_file, row.assign(evidence=None, evidence_file=rel, evidence_sha256=sha), user="kiểm thử")
    return rel


@pytest.fixture(scope="module")
def database(built_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("section") / "chiso.duckdb"
    shutil.copyfile(built_db, path)
    stored = [_attach(path, *DISTRICT), _attach(path, *COMMUNE)]
    assert all(s.startswith("evidence/") and s.endswith(FILE_NAME) for s in stored)
    return path


def _render(database, plan: str, year: int, period: str, out_dir):
    from exports.progress_report import progress_section_docx
    from metrics.progress import plan_context, report_section
    from store.db import ReadOnlyDatabase

    db = ReadOnlyDatabase(database)
    try:
        con = db.cursor()
        section = report_section(con, plan_context(con, plan), year, period, TODAY)
    finally:
        db.close()
    path = pdf.render(progress_section_docx(section), out_dir=out_dir)
    return section, path, pdf.page_texts(path), pdf.page_sizes(path)


@pytest.fixture(scope="module")
def district(database, tmp_path_factory):
    return _render(database, *DISTRICT[:3], tmp_path_factory.mktemp("district-pdf"))


@pytest.fixture(scope="module")
def commune(database, tmp_path_factory):
    return _render(database, *COMMUNE[:3], tmp_path_factory.mktemp("commune-pdf"))


def _body_pages(sizes) -> int:
    """The pages before the first landscape one: the body."""
    return next((i for i, (w, h) in enumerate(sizes) if w > h), len(sizes))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(params=["district", "commune"])
def rendered(request):
    return request.getfixturevalue(request.param)


def test_the_body_is_a_few_portrait_pages_and_the_appendix_is_landscape(rendered):
    _, path, texts, sizes = rendered
    body = _body_pages(sizes)
    assert 1 <= body <= MAX_BODY, f"{body} trang thân"
    assert len(sizes) == pdf.pages(path) <= MAX_TOTAL, f"{len(sizes)} trang"
    assert body < len(sizes)  # there is an appendix
    assert all(h > w for w, h in sizes[:body])
    assert all(w > h for w, h in sizes[body:])
    assert "Phụ lục" in texts[body] and "KẾT QUẢ THỰC HIỆN TỪNG TIÊU CHÍ, NHIỆM VỤ" in texts[body]


def test_the_district_appendix_has_a_row_for_every_plan_item(district):
    section, _, texts, sizes = district
    appendix = _flat(" ".join(texts[_body_pages(sizes):]))
    assert len(section.items) == 99
    # STT runs 1…99 in order: every row is there, on some page
    assert [int(n) for n in re.findall(r"(?:^| )(\d{1,2}) (?:Tiêu chí|Nhiệm vụ)\b", appendix)] == list(range(1, 100))


def test_evidence_is_cited_by_its_own_name_never_by_where_it_is_stored(rendered):
    _, _, texts, _ = rendered
    everything = "\n".join(texts)
    assert "evidence/" not in everything and not HASH.search(everything)
    assert f"tệp {FILE_NAME}" in _flat(everything)


def test_units_not_reported_are_named_once_in_the_body(rendered):
    section, _, texts, sizes = rendered
    body = _flat(" ".join(texts[:_body_pages(sizes)]))
    assert section.not_reported and section.partly_reported  # both periods have both groups
    # pdftotext may split a justified line's letters («Kinh t ế và H ạ t ầng»): names are counted
    # with the spaces taken out of both sides
    packed = "".join(body.split())
    for name in [*section.not_reported, *section.partly_reported]:
        assert packed.count("".join(name.split())) == 1, (name, [body[max(0, m.start() - 80):m.start() + 80]
                                                                 for m in re.finditer(re.escape(name.split()[1]), body)])
    assert f"Các cơ quan chưa báo cáo ({len(section.not_reported)} cơ quan): " in body


def test_the_former_districts_section_says_until_when(district, commune):
    first = _flat(district[2][0])
    heading = first[:first.index("I. TÌNH HÌNH BÁO CÁO")]
    assert "UBND huyện Vĩnh Lộc (trước 01/7/2025)" in heading
    assert "6 tháng đầu năm 2025" in heading
    assert "trước 01/7/2025" not in _flat(commune[2][0])  # xã Vĩnh Lộc exists: no such words


def test_no_product_jargon_and_every_page_marked_illustrative(rendered):
    section, _, texts, _ = rendered
    assert section.is_illustrative
    for n, text in enumerate(texts, start=1):
        low = text.lower()
        assert "tự tính" not in low and "trung vị" not in low, n
        assert "[minh họa]" not in low, n  # the mark of each text gives way to the notice of every page
        assert NOTICE in text, n


def test_the_page_names_the_download_in_vietnamese(fresh_caches, download_names):
    from streamlit.testing.v1 import AppTest

    from access.auth import hash_password
    from tests.conftest import ROOT, sign_in

    at = AppTest.from_file(str(ROOT / "pages" / "tien_do.py"), default_timeout=120)
    at.secrets["auth"] = {"users": {"Quản trị": hash_password("mat-khau-kiem-thu")}}
    at.session_state["entity"] = "VN-38-15349"           # xã Vĩnh Lộc, on its former district's plan
    at.session_state["progress_plan"] = "VL-2023-2025"
    sign_in(at, "Quản trị")
    at.session_state["progress_view_Quản trị"] = "documents"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert download_names == ["bao-cao-tien-do-6-thang-2025-xa-vinh-loc.docx"]


@pytest.mark.parametrize("period, year, place, name", [
    ("H1", 2025, "xã Vĩnh Lộc", "bao-cao-tien-do-6-thang-2025-xa-vinh-loc.docx"),
    ("Q3", 2026, "xã Vĩnh Lộc", "bao-cao-tien-do-quy-iii-2026-xa-vinh-loc.docx"),
    ("Y", 2024, "huyện Vĩnh Lộc", "bao-cao-tien-do-nam-2024-huyen-vinh-loc.docx"),
    ("Q1", 2026, "phường Đông Sơn", "bao-cao-tien-do-quy-i-2026-phuong-dong-son.docx"),
])
def test_download_names_are_lower_case_without_diacritics(period, year, place, name):
    from exports.progress_report import download_name

    assert download_name(period, year, place) == name
