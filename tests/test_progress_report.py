"""The «mục riêng» of the periodic CCHC report (exports/progress_report.py), reopened with
python-docx: on the built database's illustrative reports for plan VL-2023-2025, 6 tháng đầu
năm 2025, and on small ReportSections made by hand for the cases the data does not show
(an empty part, hostile unit names, no illustrative data, the effort table's number format)."""
from __future__ import annotations

import io
import unicodedata
from datetime import date

import pandas as pd
import pytest
from docx import Document

from exports.progress_report import progress_section_docx, write_progress_section
from metrics.progress import (COINCIDENCE_NOTE, PlanContext, ReportSection, SectionIndex, effort_outcome,
                              plan_context, report_section, who_reported)

PLAN = "VL-2023-2025"
TODAY = date(2026, 12, 1)
NOTICE = "SỐ LIỆU MINH HỌA — các báo cáo trong mục này là minh họa, không phải báo cáo thật của các cơ quan."
PARTS = ("a) Nhiệm vụ đã hoàn thành", "b) Nhiệm vụ đang thực hiện", "c) Nhiệm vụ chưa thực hiện / không thực hiện được")
ITEM_COLUMNS = ["item_kind", "item_code", "item_name", "units", "done_text", "evidence", "obstacles"]


# --- the real plan -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(built_db):
    from store.db import ReadOnlyDatabase

    con = ReadOnlyDatabase(built_db).cursor()
    ctx = plan_context(con, PLAN)
    section = report_section(con, ctx, 2025, "H1", TODAY)
    effort = effort_outcome(con, ctx)
    who = who_reported(con, ctx, 2025, "H1", TODAY)
    con.close()
    return section, effort, who


@pytest.fixture(scope="module")
def real_doc(real):
    section, effort, who = real
    return _open(progress_section_docx(section, effort=effort, expected_units=len(who)))


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _block(texts: list[str], start: str, stops: tuple[str, ...]) -> list[str]:
    """The paragraphs after the first one equal to ``start`` up to the next that starts with a stop."""
    i = texts.index(start) + 1
    out = []
    for t in texts[i:]:
        if t.startswith(stops):
            break
        out.append(t)
    return out


def _index_block(texts: list[str], n: int, name: str) -> list[str]:
    return _block(texts, f"{n}. {name}", (f"{n + 1}. ",))


def _part(index_block: list[str], part: int) -> list[str]:
    """The item lines («- …») of part a), b) or c) of one index's block."""
    i = index_block.index(PARTS[part]) + 1
    end = index_block.index(PARTS[part + 1]) if part < 2 else len(index_block)
    return [t for t in index_block[i:end] if t.startswith("- ")]


def test_heading_names_the_plan_the_period_and_the_issuer(real_doc):
    texts = _texts(real_doc)
    assert texts[0] == "KẾT QUẢ THỰC HIỆN KẾ HOẠCH NÂNG CAO CÁC CHỈ SỐ PAR INDEX, SIPAS, PAPI, DDCI GIAI ĐOẠN 2023–2025"
    head = " ".join(texts[:4])
    assert "6 tháng đầu năm 2025" in head
    assert "UBND huyện Vĩnh Lộc" in head
    assert any("địa bàn huyện Vĩnh Lộc 6 tháng đầu năm 2025" in t for t in texts[:8])


def test_summary_counts_units_expected_reported_and_not(real, real_doc):
    section, _, who = real
    missing, partly = len(section.not_reported), len(section.partly_reported)
    assert missing and partly  # the illustrative data has both: the sentence below is not trivially true
    line = f"Có {len(who)} cơ quan, đơn vị được giao chủ trì phải báo cáo: {len(who) - missing} cơ quan đã báo cáo " \
           f"(trong đó {partly} cơ quan báo cáo chưa đủ), {missing} cơ quan chưa báo cáo."
    assert line in _texts(real_doc)


def test_items_of_each_part_are_the_sections_items_with_their_units(real, real_doc):
    from domain.vocabulary import INDEX_NAME

    section = real[0]
    texts = _texts(real_doc)
    shown = 0
    for n, index in enumerate(section.indices, start=1):
        block = _index_block(texts, n, INDEX_NAME[index.index_code])
        for part, frame in enumerate((index.done, index.in_progress, index.not_done)):
            lines = _part(block, part)
            assert len(lines) == len(frame), (index.index_code, PARTS[part])
            for line, item in zip(lines, frame.itertuples(index=False)):
                label = "Tiêu chí" if item.item_kind == "criterion" else "Nhiệm vụ"
                assert line.startswith(f"- {label} {item.item_code} "), line
                assert line.endswith(f"({'; '.join(item.units)})."), line
            shown += len(lines)
    done = sum(len(i.done) for i in section.indices)
    assert done > 50 and shown > done  # ~80 done items a period, and the other parts have items too


def test_tasks_and_criteria_are_labelled_apart(real_doc):
    texts = _texts(real_doc)
    assert any(t.startswith("- Nhiệm vụ 1.3.1 Hỗ trợ doanh nghiệp thực hiện đăng ký") for t in texts)
    assert any(t.startswith("- Tiêu chí 1.1 Thực hiện Kế hoạch CCHC (") for t in texts)
    assert not any(t.startswith("- Tiêu chí 1.3.1 ") for t in texts)


def test_done_item_says_what_was_done_and_its_evidence(real, real_doc):
    texts = _texts(real_doc)
    item = real[0].indices[0].done.iloc[0]
    i = next(k for k, t in enumerate(texts) if t.startswith(f"- Tiêu chí {item.item_code} "))
    assert texts[i + 1] == f"Kết quả: {item.done_text}."
    assert texts[i + 2] == f"Minh chứng: {item.evidence}."


def test_units_not_reported_are_listed_exactly(real, real_doc):
    section = real[0]
    texts = _texts(real_doc)
    n = len(section.indices)
    missing = _block(texts, f"{n + 1}. Các cơ quan chưa báo cáo", (f"{n + 2}. ",))
    assert [t[2:].rstrip(";.") for t in missing] == section.not_reported
    assert missing[-1].endswith(".") and all(t.endswith(";") for t in missing[:-1])
    heading = next(t for t in texts if t.startswith(f"{n + 2}. Các cơ quan báo cáo chưa đủ"))
    partly = _block(texts, heading, ("Phụ lục",))
    assert [t[2:].rstrip(";.") for t in partly if t.startswith("- ")] == section.partly_reported


def test_page_is_a4_with_the_decree_margins_and_font(real_doc):
    for s in real_doc.sections:
        assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
        assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
        assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    normal = real_doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14


def _headers(doc) -> list[str]:
    return [p.text for s in doc.sections for h in (s.header, s.first_page_header) for p in h.paragraphs]


def test_illustrative_reports_are_marked_in_the_body_and_on_every_page(real, real_doc):
    assert real[0].is_illustrative
    assert NOTICE in _texts(real_doc)[:6]
    body = next(p for p in real_doc.paragraphs if p.text == NOTICE)
    assert all(r.bold and str(r.font.color.rgb) == "C00000" for r in body.runs)
    for s in real_doc.sections:  # the header and the first page's own header: every page
        assert NOTICE in [p.text for p in s.header.paragraphs]
        assert NOTICE in [p.text for p in s.first_page_header.paragraphs]


def test_effort_table_lists_the_rows_with_done_units(real, real_doc):
    effort = real[1]
    texts = _texts(real_doc)
    note = next(p for p in real_doc.paragraphs if p.text == COINCIDENCE_NOTE)
    assert all(r.italic for r in note.runs)
    assert "Phụ lục: Việc đã làm và thay đổi điểm năm sau" in texts
    (table,) = real_doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["Tiêu chí", "Năm N", "Cơ quan báo cáo hoàn thành", "Thay đổi điểm N→N+1"]
    done = effort[effort.done_units.map(len) > 0]
    assert 0 < len(done) < len(effort)  # some rows are left out: the filter is exercised
    assert [(r[1], r[2]) for r in rows[1:]] == [(str(y), "; ".join(u)) for y, u in zip(done.year, done.done_units)]
    assert any(r[3] == "chưa có kết quả năm sau" for r in rows[1:])
    assert any(r[3].startswith(("tăng ", "giảm ")) and "," in r[3] for r in rows[1:])


# --- small sections made by hand ---------------------------------------------------------------

def _ctx(**kw) -> PlanContext:
    base = dict(plan_id="KH-TEST", title="Kế hoạch nâng cao Chỉ số PAR INDEX năm 2026", issuer="UBND xã Tây Đô",
                entity_code="X1", entity_name="Xã Tây Đô", level="commune", year_from=2026, year_to=2026,
                end=date(2026, 12, 31), coordinator="phong_van_hoa_xa_hoi", coordinator_name="Phòng Văn hóa - Xã hội")
    return PlanContext(**{**base, **kw})


def _items(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{c: r.get(c) for c in ITEM_COLUMNS} for r in rows], columns=ITEM_COLUMNS)


def _section(*, done=None, not_reported=(), partly=(), illustrative=False) -> ReportSection:
    in_progress = _items({"item_kind": "task", "item_code": "1.1.3", "item_name": "Rà soát thủ tục hành chính.",
                          "units": ["Công an xã"], "done_text": "Đã rà soát 12 thủ tục"})
    not_done = _items({"item_kind": "criterion", "item_code": "3.4", "item_name": "Kết quả giải quyết hồ sơ TTHC",
                       "units": ["Công chức Tư pháp - Hộ tịch"], "obstacles": "Thiếu máy scan"})
    index = SectionIndex("PAR", done if done is not None else _items(), in_progress, not_done)
    return ReportSection(_ctx(), 2026, "Q4", [index], list(not_reported), list(partly), illustrative)


def test_an_empty_part_says_none_and_a_filled_one_does_not():
    texts = _texts(_open(progress_section_docx(_section())))
    block = _index_block(texts, 1, "Chỉ số cải cách hành chính (PAR INDEX)")
    assert block[block.index(PARTS[0]) + 1] == "Không có."
    assert block[block.index(PARTS[1]) + 1] == "- Nhiệm vụ 1.1.3 Rà soát thủ tục hành chính (Công an xã)."
    assert block[block.index(PARTS[1]) + 2] == "Kết quả: Đã rà soát 12 thủ tục."
    assert block[block.index(PARTS[2]) + 1] == \
        "- Tiêu chí 3.4 Kết quả giải quyết hồ sơ TTHC (Công chức Tư pháp - Hộ tịch)."
    assert block[block.index(PARTS[2]) + 2] == "Khó khăn, vướng mắc: Thiếu máy scan."
    assert "Không có." not in block[block.index(PARTS[1]):]


def test_period_and_summary_of_a_hand_made_section():
    section = _section(not_reported=["Xã A", "Xã B"], partly=["Xã C"])
    texts = _texts(_open(progress_section_docx(section, expected_units=5)))
    assert texts[0] == "KẾT QUẢ THỰC HIỆN KẾ HOẠCH NÂNG CAO CHỈ SỐ PAR INDEX NĂM 2026"
    assert "Kỳ báo cáo: Quý IV/2026" in texts
    assert any("địa bàn xã Tây Đô quý IV/2026 như sau:" in t for t in texts)
    assert ("Có 5 cơ quan, đơn vị được giao chủ trì phải báo cáo: 3 cơ quan đã báo cáo (trong đó 1 cơ quan báo cáo "
            "chưa đủ), 2 cơ quan chưa báo cáo.") in texts
    without = _texts(_open(progress_section_docx(section)))
    # without the expected count: the units named in the items (Công an xã, Công chức Tư pháp - Hộ tịch)
    assert "Có 2 cơ quan, đơn vị gửi báo cáo trong kỳ; 2 cơ quan được giao chủ trì chưa báo cáo, 1 cơ quan " \
           "báo cáo chưa đủ." in without


def test_everyone_reported_is_said_and_no_notice_without_illustrative_reports():
    doc = _open(progress_section_docx(_section()))
    texts = _texts(doc)
    assert _block(texts, "2. Các cơ quan chưa báo cáo", ("3. ",)) == ["Tất cả các cơ quan đã báo cáo."]
    partly = next(t for t in texts if t.startswith("3. Các cơ quan báo cáo chưa đủ"))
    assert texts[texts.index(partly) + 1] == "Không có."
    assert not any("MINH HỌA" in t for t in texts)
    assert not any("MINH HỌA" in t for t in _headers(doc))
    marked = _open(progress_section_docx(_section(illustrative=True)))
    assert NOTICE in _texts(marked)
    assert NOTICE in [p.text for p in marked.sections[0].header.paragraphs]


def test_hostile_names_are_neutralised_and_normalised():
    formula = '=HYPERLINK("http://x.invalid","Bấm")'
    decomposed = unicodedata.normalize("NFD", "Xã Vĩnh Hòa")
    done = _items({"item_kind": "criterion", "item_code": "1.1", "item_name": "Tiêu\x0b chí\x00 một",
                   "units": [formula, "Xã\x07 Chuông"], "done_text": "@SUM(A1)", "evidence": "-2+3"})
    section = _section(done=done, not_reported=[formula, decomposed])
    effort = pd.DataFrame([{"index_code": "PAR", "item_code": "1.1", "item_name": "Một", "year": 2026,
                            "done_units": [formula], "change_points": None, "is_illustrative": False,
                            "reports_illustrative": False}])
    doc = _open(progress_section_docx(section, effort=effort))  # python-docx refuses XML-illegal text
    texts = _texts(doc)
    assert "- Tiêu chí 1.1 Tiêu chí một ('" + formula + "; Xã Chuông)." in texts
    assert "Kết quả: '@SUM(A1)." in texts and "Minh chứng: '-2+3." in texts
    missing = _block(texts, "2. Các cơ quan chưa báo cáo", ("3. ",))
    assert missing == ["- '" + formula + ";", "- Xã Vĩnh Hòa."]
    assert unicodedata.is_normalized("NFC", missing[1])
    cells = [c.text for c in doc.tables[0].rows[1].cells]
    assert cells[2] == "'" + formula  # a cell pasted into a spreadsheet does not run


def test_effort_table_formats_changes_with_decimal_comma_and_skips_rows_without_units():
    effort = pd.DataFrame([
        {"index_code": "PAR", "item_code": "3.4", "item_name": "Kết quả giải quyết hồ sơ TTHC.", "year": 2024,
         "done_units": ["Xã A", "Xã B"], "change_points": 1.5, "is_illustrative": False, "reports_illustrative": False},
        {"index_code": "PAR", "item_code": "3.4", "item_name": "Kết quả giải quyết hồ sơ TTHC.", "year": 2025,
         "done_units": [], "change_points": -0.25, "is_illustrative": False, "reports_illustrative": False},
        {"index_code": "SIPAS", "item_code": "1.1", "item_name": "Tiếp cận dịch vụ", "year": 2025,
         "done_units": ["Xã C"], "change_points": -0.25, "is_illustrative": True, "reports_illustrative": False},
        {"index_code": "PAR", "item_code": "1.1", "item_name": "Kế hoạch", "year": 2026,
         "done_units": ["Xã A"], "change_points": float("nan"), "is_illustrative": False,
         "reports_illustrative": False},
    ])
    doc = _open(progress_section_docx(_section(), effort=effort))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[1:] == [
        ["PAR INDEX 3.4 Kết quả giải quyết hồ sơ TTHC", "2024", "Xã A; Xã B", "tăng 1,50 điểm"],
        ["SIPAS 1.1 Tiếp cận dịch vụ", "2025", "Xã C", "giảm 0,25 điểm (điểm minh họa)"],
        ["PAR INDEX 1.1 Kế hoạch", "2026", "Xã A", "chưa có kết quả năm sau"],
    ]
    assert COINCIDENCE_NOTE in _texts(doc)


def test_no_effort_no_appendix():
    doc = _open(progress_section_docx(_section()))
    assert doc.tables == [] and COINCIDENCE_NOTE not in _texts(doc)
    assert not any(t.startswith("Phụ lục") for t in _texts(doc))


def test_reports_marked_illustrative_in_the_effort_table_mark_the_document():
    effort = pd.DataFrame([{"index_code": "PAR", "item_code": "1.1", "item_name": "Kế hoạch", "year": 2026,
                            "done_units": ["Xã A"], "change_points": None, "is_illustrative": False,
                            "reports_illustrative": True}])
    doc = _open(progress_section_docx(_section(), effort=effort))
    assert NOTICE in _texts(doc) and NOTICE in _headers(doc)


def test_write_refuses_other_formats(tmp_path):
    with pytest.raises(ValueError, match=r"\.docx"):
        write_progress_section(_section(), tmp_path / "muc.xlsx")
    path = write_progress_section(_section(), tmp_path / "muc.docx")
    assert _texts(Document(str(path)))[0].startswith("KẾT QUẢ THỰC HIỆN")


def test_briefing_progress_writes_the_section_of_a_commune_from_its_former_districts_plan(built_db, tmp_path, capsys):
    from cli.briefing import main

    out = tmp_path / "muc.docx"
    # 2025: not in xã Vĩnh Lộc's own 2026 plan, so the district's 2023–2025 plan, which its offices reported on
    assert main(["progress", "--entity", "Xã Vĩnh Lộc", "--year", "2025", "--period", "6 tháng", "--out", str(out),
                 "--db", str(built_db)]) == 0
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Kỳ báo cáo: 6 tháng đầu năm 2025" in text and "UBND huyện Vĩnh Lộc" in text
    assert "mục báo cáo tiến độ" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--entity", "Vĩnh Lộc", "--year", "2025", "--period", "quý 9"], "Không hiểu kỳ báo cáo «quý 9»"),
    (["--entity", "Thanh Hóa", "--year", "2025", "--period", "Năm"], "không có kế hoạch giao việc"),
    (["--entity", "Vĩnh Lộc", "--year", "2022", "--period", "Năm"], "nằm ngoài giai đoạn 2023–2025"),
])
def test_briefing_progress_refuses_what_names_nothing(built_db, tmp_path, capsys, args, message):
    from cli.briefing import main

    assert main(["progress", *args, "--out", str(tmp_path / "m.docx"), "--db", str(built_db)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.docx").exists()
