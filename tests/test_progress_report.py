"""The «mục riêng» of the periodic CCHC report (exports/progress_report.py), reopened with
python-docx: on the built database's illustrative reports for plan VL-2023-2025, 6 tháng đầu
năm 2025, and on small ReportSections made by hand for the cases the data does not show
(no results, hostile unit names, no illustrative data, late reports, an evidence file). The
rendered pages (how many, landscape, what they never print) are tests/test_progress_section_pages.py's."""
from __future__ import annotations

import io
import unicodedata
from datetime import date

import pandas as pd
import pytest
from docx import Document

from exports.progress_report import (ALL_REPORTED, APPENDIX_HEADER, NO_OBSTACLES, NO_PROPOSALS, NO_RESULTS,
                                     PROPOSAL_NOT_POSSIBLE, PROPOSAL_REPORTS, counts_text, day_text,
                                     progress_section_docx, result_cell, states_cell, units_cell,
                                     write_progress_section)
from metrics.progress import (ITEM_COLUMNS, PlanContext, ReportSection, SectionIndex, cited_evidence, evidence_name,
                              plan_context, report_section, who_reported)

PLAN = "VL-2023-2025"
TODAY = date(2026, 12, 1)
NOTICE = "SỐ LIỆU MINH HỌA — các báo cáo trong mục này là minh họa, không phải báo cáo thật của các cơ quan."
PART_COLUMNS = ["item_kind", "item_code", "item_name", "units", "done_text", "evidence", "obstacles"]


# --- the real plan -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(built_db):
    from store.db import ReadOnlyDatabase

    con = ReadOnlyDatabase(built_db).cursor()
    ctx = plan_context(con, PLAN)
    section = report_section(con, ctx, 2025, "H1", TODAY)
    who = who_reported(con, ctx, 2025, "H1", TODAY)
    con.close()
    return section, who


@pytest.fixture(scope="module")
def real_doc(real):
    section, who = real
    return _open(progress_section_docx(section, expected_units=len(who)))


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


def _rows(doc) -> list[list[str]]:
    (table,) = doc.tables
    return [[c.text for c in r.cells] for r in table.rows]


def test_heading_names_the_plan_the_period_and_the_issuer(real_doc):
    texts = _texts(real_doc)
    assert texts[0] == "KẾT QUẢ THỰC HIỆN KẾ HOẠCH NÂNG CAO CÁC CHỈ SỐ PAR INDEX, SIPAS, PAPI, DDCI GIAI ĐOẠN 2023–2025"
    head = " ".join(texts[:4])
    assert "6 tháng đầu năm 2025" in head
    # the district ended on 30/6/2025: a report on its plan says so where it names it
    assert "của UBND huyện Vĩnh Lộc (trước 01/7/2025)" in head
    assert any("(trước 01/7/2025), Phòng Nội vụ tổng hợp" in t and "địa bàn huyện Vĩnh Lộc 6 tháng đầu năm 2025" in t
               for t in texts[:8])


def test_summary_counts_units_expected_reported_and_not(real, real_doc):
    section, who = real
    missing, partly = len(section.not_reported), len(section.partly_reported)
    assert missing and partly  # the illustrative data has both: the sentence below is not trivially true
    line = f"Có {len(who)} cơ quan, đơn vị được giao chủ trì phải báo cáo: {len(who) - missing} cơ quan đã báo cáo " \
           f"(trong đó {partly} cơ quan báo cáo chưa đủ), {missing} cơ quan chưa báo cáo."
    assert line in _texts(real_doc)


def test_units_not_reported_and_reported_in_part_are_named_once_each_in_one_sentence(real, real_doc):
    section, who = real
    texts = _texts(real_doc)
    groups = _block(texts, "I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", ("II. ",))
    missing = "- Các cơ quan chưa báo cáo (6 cơ quan): " + "; ".join(section.not_reported) + "."
    assert missing in groups and len(section.not_reported) == 6
    partly = next(t for t in groups if t.startswith("- Các cơ quan báo cáo chưa đủ"))
    share = who.set_index("unit_name")
    assert partly.endswith(": " + "; ".join(f"{u} ({share.n_reported[u]}/{share.n_duties[u]})"
                                              for u in section.partly_reported) + ".")
    assert "Xã Vĩnh Long (19/48)" in partly
    body = "\n".join(texts)
    for name in [*section.not_reported, *section.partly_reported]:
        assert body.count(name) == 1, name
    assert not any(t.startswith("- Các cơ quan gửi báo cáo sau hạn") for t in groups)  # all came by 10/6/2025


def test_each_index_opens_with_its_led_duties_counted_and_its_main_results_grouped(real, real_doc):
    from domain.vocabulary import INDEX_NAME

    section = real[0]
    texts = _texts(real_doc)
    par = section.indices[0]
    assert par.index_code == "PAR" and par.n_items == 47
    assert sum(par.counts.values()) == 412 and par.counts["done"] == 252
    block = _block(texts, f"1. {INDEX_NAME['PAR']}", ("2. ",))
    assert block[0] == ("Kế hoạch có 47 tiêu chí, nhiệm vụ thuộc chỉ số này, giao chủ trì 412 lượt cơ quan, đơn vị. "
                        "Theo báo cáo gần nhất của các cơ quan đến hết kỳ: hoàn thành 252 (61,2%), đang thực hiện 135, "
                        "chưa triển khai 0, không thực hiện được 21, chưa có báo cáo 4.")
    assert block[1] == "Kết quả chủ yếu trong kỳ:"
    lines = block[2:]
    # one line per distinct result, most units first, the «[Minh họa]» mark gone (every page says it)
    assert lines == [f"- {t.removeprefix('[Minh họa] ')} ({n} cơ quan)." for t, n in zip(par.results.text,
                                                                                         par.results.n_units)]
    assert 3 <= len(lines) <= 5
    assert lines[0] == "- Đã thực hiện đúng kế hoạch, số liệu tổng hợp kèm báo cáo (20 cơ quan)."


def test_obstacles_are_grouped_with_counts_and_proposals_follow_from_them(real, real_doc):
    section = real[0]
    texts = _texts(real_doc)
    obstacles = _block(texts, "III. KHÓ KHĂN, VƯỚNG MẮC", ("IV. ",))
    assert obstacles[0] == "- Chưa có hướng dẫn của cấp trên (16 cơ quan nêu, ở 19 tiêu chí, nhiệm vụ)."
    assert len(obstacles) == len(section.obstacles) == 4
    proposals = _block(texts, "IV. ĐỀ XUẤT, KIẾN NGHỊ", ("Phụ lục",))
    assert any("ban hành văn bản hướng dẫn" in t for t in proposals)
    assert any("kinh phí" in t for t in proposals) and any("hạ tầng công nghệ thông tin" in t for t in proposals)
    assert PROPOSAL_NOT_POSSIBLE in proposals
    assert PROPOSAL_REPORTS not in proposals  # the district's plan has ended: nobody is left to remind


def test_the_appendix_has_one_row_per_plan_item_under_a_band_per_index(real, real_doc):
    section = real[0]
    rows = _rows(real_doc)
    assert rows[0] == list(APPENDIX_HEADER)
    bands = [r[0] for r in rows[1:] if len(set(r)) == 1]
    assert bands == ["I. CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR INDEX)",
                     "II. CHỈ SỐ HÀI LÒNG VỀ SỰ PHỤC VỤ HÀNH CHÍNH (SIPAS)",
                     "III. CHỈ SỐ HIỆU QUẢ QUẢN TRỊ VÀ HÀNH CHÍNH CÔNG (PAPI)",
                     "IV. CHỈ SỐ NĂNG LỰC CẠNH TRANH CẤP SỞ, BAN, NGÀNH VÀ ĐỊA PHƯƠNG (DDCI)"]
    items = [r for r in rows[1:] if len(set(r)) > 1]
    assert [r[0] for r in items] == [str(n) for n in range(1, len(section.items) + 1)] and len(items) == 99
    assert items[0] == ["1", "Tiêu chí 1.1", "Thực hiện Kế hoạch CCHC", "Phòng Nội vụ", "Hoàn thành",
                        "Đã kiểm tra, đôn đốc; các nội dung đạt yêu cầu. "
                        "Minh chứng: Báo cáo số 192/BC ngày 03/06/2025."]
    # tasks of section II.1 and criteria labelled apart
    assert any(r[1] == "Nhiệm vụ 1.3.1" and r[2].startswith("Hỗ trợ doanh nghiệp thực hiện đăng ký") for r in items)
    assert not any(r[1] == "Tiêu chí 1.3.1" for r in items)
    # an item led by every commune: counted, its states counted, one result and one evidence cited
    many = next(r for r in items if r[1] == "Tiêu chí 1.4")
    assert many[3] == "13 cơ quan, đơn vị cấp huyện; 13 đơn vị cấp xã"
    assert many[4] == "Hoàn thành 18, đang thực hiện 6, không thực hiện được 2"
    assert many[5].startswith("Đã kiểm tra, đôn đốc; các nội dung đạt yêu cầu (7 cơ quan). 18 văn bản minh chứng.")
    assert many[5].endswith("Khó khăn: Thiếu cán bộ chuyên trách (2 cơ quan).")
    assert all(len(r[2]) <= 100 for r in items)  # names cut at a word, with «…»
    assert any(r[2].endswith("…") for r in items)


def test_page_is_a4_with_the_decree_margins_and_font_and_the_appendix_landscape(real_doc):
    body, appendix = real_doc.sections
    assert (round(body.page_width.mm), round(body.page_height.mm)) == (210, 297)
    assert (round(appendix.page_width.mm), round(appendix.page_height.mm)) == (297, 210)
    for s in real_doc.sections:
        assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
        assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    normal = real_doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    sizes = {r.font.size.pt for row in real_doc.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs}
    assert sizes == {10.0}


def _headers(doc) -> list[str]:
    return [p.text for s in doc.sections for h in (s.header, s.first_page_header) for p in h.paragraphs]


def test_a_unit_whose_first_report_came_after_the_due_day_reported_late(db_copy):
    from store.db import ReadOnlyDatabase
    from store.progress import save_reports

    # Phòng Tư pháp had not reported for 6 tháng đầu năm 2025 (due 10/6/2025); it reports one duty now
    save_reports(db_copy, pd.DataFrame([{"plan_id": PLAN, "item_kind": "criterion", "index_code": "PAR",
                                         "item_code": "2.1", "unit_code": "phong_tu_phap", "year": 2025,
                                         "period": "H1", "status": "done", "done_text": "Đã theo dõi thi hành"}]),
                 user="kiểm thử")
    db = ReadOnlyDatabase(db_copy)
    try:
        con = db.cursor()
        section = report_section(con, plan_context(con, PLAN), 2025, "H1", TODAY)
    finally:
        db.close()
    assert section.late == ["Phòng Tư pháp"] and section.due == date(2025, 6, 10)
    assert "Phòng Tư pháp" in section.partly_reported and "Phòng Tư pháp" not in section.not_reported
    texts = _texts(_open(progress_section_docx(section)))
    assert "- Các cơ quan gửi báo cáo sau hạn 10/6/2025 (1 cơ quan): Phòng Tư pháp." in texts
    assert len(section.partly_reported) == 14 and len(section.not_reported) == 5  # 13 and 6 before


def test_illustrative_reports_are_marked_in_the_body_and_on_every_page(real, real_doc):
    assert real[0].is_illustrative
    assert NOTICE in _texts(real_doc)[:6]
    body = next(p for p in real_doc.paragraphs if p.text == NOTICE)
    assert all(r.bold and str(r.font.color.rgb) == "C00000" for r in body.runs)
    for s in real_doc.sections:  # the header and the first page's own header: every page
        assert NOTICE in [p.text for p in s.header.paragraphs]
        assert NOTICE in [p.text for p in s.first_page_header.paragraphs]
    everything = "\n".join([*_texts(real_doc), *(c for r in _rows(real_doc) for c in r)])
    assert "[Minh họa]" not in everything


# --- small sections made by hand ---------------------------------------------------------------

def _ctx(**kw) -> PlanContext:
    base = dict(plan_id="KH-TEST", title="Kế hoạch nâng cao Chỉ số PAR INDEX năm 2026", issuer="UBND xã Tây Đô",
                entity_code="X1", entity_name="Xã Tây Đô", level="commune", year_from=2026, year_to=2026,
                end=date(2026, 12, 31), coordinator="phong_van_hoa_xa_hoi", coordinator_name="Phòng Văn hóa - Xã hội")
    return PlanContext(**{**base, **kw})


def _part(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{c: r.get(c) for c in PART_COLUMNS} for r in rows], columns=PART_COLUMNS)


def _grouped(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["text", "n_units", "n_items"])


def _plan_items(*rows: dict) -> pd.DataFrame:
    base = {"index_code": "PAR", "item_kind": "criterion", "unit_kinds": None, "results": [], "evidence": []}
    return pd.DataFrame([{**base, **r} for r in rows], columns=ITEM_COLUMNS)


ITEMS = _plan_items(
    {"item_kind": "task", "item_code": "1.1.3", "item_name": "Rà soát thủ tục hành chính.", "units": ["Công an xã"],
     "unit_kinds": ["department"], "states": {"in_progress": 1}},
    {"item_code": "3.4", "item_name": "Kết quả giải quyết hồ sơ TTHC", "units": ["Công chức Tư pháp - Hộ tịch"],
     "unit_kinds": ["department"], "states": {"done": 1}, "results": [("Đã số hóa 120 hồ sơ", 1)],
     "evidence": ["Quyết định số 12/QĐ-UBND ngày 02/3/2026"]})


def _section(*, results=None, not_reported=(), partly=(), illustrative=False, late=(), obstacles=None,
             items=ITEMS, ctx=None, share=None) -> ReportSection:
    in_progress = _part({"item_kind": "task", "item_code": "1.1.3", "item_name": "Rà soát thủ tục hành chính.",
                         "units": ["Công an xã"], "done_text": "Đã rà soát 12 thủ tục"})
    not_done = _part({"item_kind": "criterion", "item_code": "3.4", "item_name": "Kết quả giải quyết hồ sơ TTHC",
                      "units": ["Công chức Tư pháp - Hộ tịch"], "obstacles": "Thiếu máy scan"})
    index = SectionIndex("PAR", _part(), in_progress, not_done,
                         {"done": 3, "in_progress": 1, "not_started": 0, "not_possible": 0, "no_report": 0}, 2,
                         results if results is not None else _grouped(("Đã số hóa 120 hồ sơ", 2, 1)))
    return ReportSection(ctx or _ctx(), 2026, "Q4", [index], list(not_reported), list(partly), illustrative,
                         reported_share=share or {}, late=list(late), due=date(2026, 12, 20),
                         obstacles=obstacles if obstacles is not None else _grouped(), items=items)


def test_an_index_says_its_counts_and_results_or_that_it_has_none():
    texts = _texts(_open(progress_section_docx(_section())))
    block = _block(texts, "1. Chỉ số cải cách hành chính (PAR INDEX)", ("III. ",))
    assert block[0] == ("Kế hoạch có 2 tiêu chí, nhiệm vụ thuộc chỉ số này, giao chủ trì 4 lượt cơ quan, đơn vị. "
                        "Theo báo cáo gần nhất của các cơ quan đến hết kỳ: hoàn thành 3 (75,0%), đang thực hiện 1, "
                        "chưa triển khai 0, không thực hiện được 0.")  # no «chưa có báo cáo 0»
    assert block[1:] == ["Kết quả chủ yếu trong kỳ:", "- Đã số hóa 120 hồ sơ (2 cơ quan)."]
    none = _texts(_open(progress_section_docx(_section(results=_grouped()))))
    assert _block(none, "1. Chỉ số cải cách hành chính (PAR INDEX)", ("III. ",))[1:] == [NO_RESULTS]


def test_many_results_show_the_first_few_and_count_the_rest():
    many = _grouped(*((f"Kết quả {k}", 10 - k, 1) for k in range(8)))
    block = _block(_texts(_open(progress_section_docx(_section(results=many)))),
                   "1. Chỉ số cải cách hành chính (PAR INDEX)", ("III. ",))
    assert block[2:] == ["- Kết quả 0 (10 cơ quan).", "- Kết quả 1 (9 cơ quan).", "- Kết quả 2 (8 cơ quan).",
                         "- Kết quả 3 (7 cơ quan).", "- Các kết quả khác: 4 nội dung (chi tiết tại Phụ lục)."]
    five = _grouped(*((f"Kết quả {k}", 10 - k, 1) for k in range(5)))  # one more than shown: shown, never «1 other»
    block = _block(_texts(_open(progress_section_docx(_section(results=five)))),
                   "1. Chỉ số cải cách hành chính (PAR INDEX)", ("III. ",))
    assert len(block[2:]) == 5 and not any("khác" in t for t in block)


def test_counts_text_says_the_duties_not_reported_only_when_there_are_some():
    index = SectionIndex("PAR", _part(), _part(), _part(), {"done": 1, "in_progress": 0, "not_started": 2,
                                                            "not_possible": 0, "no_report": 1}, 3)
    assert counts_text(index).endswith("hoàn thành 1 (25,0%), đang thực hiện 0, chưa triển khai 2, "
                                       "không thực hiện được 0, chưa có báo cáo 1.")
    empty = SectionIndex("PAR", _part(), _part(), _part(), {}, 3)
    assert counts_text(empty) == "Kế hoạch có 3 tiêu chí, nhiệm vụ thuộc chỉ số này, chưa giao cơ quan chủ trì."


def test_period_and_summary_of_a_hand_made_section():
    section = _section(not_reported=["Xã A", "Xã B"], partly=["Xã C"])
    texts = _texts(_open(progress_section_docx(section, expected_units=5)))
    assert texts[0] == "KẾT QUẢ THỰC HIỆN KẾ HOẠCH NÂNG CAO CHỈ SỐ PAR INDEX NĂM 2026"
    assert "Kỳ báo cáo: Quý IV/2026" in texts
    assert "Mục riêng của báo cáo cải cách hành chính quý IV/2026 của UBND xã Tây Đô" in texts  # no «trước»
    assert any("địa bàn xã Tây Đô quý IV/2026 như sau:" in t for t in texts)
    assert ("Có 5 cơ quan, đơn vị được giao chủ trì phải báo cáo: 3 cơ quan đã báo cáo (trong đó 1 cơ quan báo cáo "
            "chưa đủ), 2 cơ quan chưa báo cáo.") in texts
    without = _texts(_open(progress_section_docx(section)))
    # without the expected count: the units named in the items (Công an xã, Công chức Tư pháp - Hộ tịch)
    assert "Có 2 cơ quan, đơn vị gửi báo cáo trong kỳ; 2 cơ quan được giao chủ trì chưa báo cáo, 1 cơ quan " \
           "báo cáo chưa đủ." in without
    # the plan still runs: the units missing are reminded, once, without being named again
    assert PROPOSAL_REPORTS in _block(without, "IV. ĐỀ XUẤT, KIẾN NGHỊ", ("Phụ lục",))


def test_a_plan_of_a_body_that_ended_says_until_when():
    ended = _ctx(issuer="UBND huyện Vĩnh Lộc", entity_name="Huyện Vĩnh Lộc", level="district",
                 end=date(2025, 6, 30), ended=True)
    texts = _texts(_open(progress_section_docx(_section(ctx=ended))))
    assert "Mục riêng của báo cáo cải cách hành chính quý IV/2026 của UBND huyện Vĩnh Lộc (trước 01/7/2025)" in texts
    assert (day_text(date(2025, 7, 1)), day_text(date(2026, 2, 5)), day_text(date(2026, 12, 20))) == \
        ("01/7/2025", "05/02/2026", "20/12/2026")  # NĐ 30: a zero before days under 10 and months 1 and 2


def test_units_reporting_late_are_a_group_of_their_own():
    section = _section(partly=["Xã C"], share={"Xã C": (2, 5)}, late=["Xã C", "Xã D"])
    groups = _block(_texts(_open(progress_section_docx(section))), "I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ",
                    ("II. ",))
    assert groups[1:] == [
        "- Các cơ quan báo cáo chưa đủ các tiêu chí, nhiệm vụ được giao chủ trì (1 cơ quan; số trong ngoặc là số đã báo "
        "cáo/số được giao): Xã C (2/5).",
        "- Các cơ quan gửi báo cáo sau hạn 20/12/2026 (2 cơ quan): Xã C; Xã D."]


def test_everyone_reported_is_said_and_no_notice_without_illustrative_reports():
    doc = _open(progress_section_docx(_section()))
    texts = _texts(doc)
    assert _block(texts, "I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", ("II. ",))[1:] == [f"- {ALL_REPORTED}"]
    assert _block(texts, "III. KHÓ KHĂN, VƯỚNG MẮC", ("IV. ",)) == [NO_OBSTACLES]
    assert [t for t in _block(texts, "IV. ĐỀ XUẤT, KIẾN NGHỊ", ("Phụ lục",)) if t] == [NO_PROPOSALS]
    assert not any("MINH HỌA" in t for t in texts)
    assert not any("MINH HỌA" in t for t in _headers(doc))
    marked = _open(progress_section_docx(_section(illustrative=True)))
    assert NOTICE in _texts(marked)
    assert NOTICE in [p.text for p in marked.sections[0].header.paragraphs]


def test_the_hand_made_appendix_rows():
    doc = _open(progress_section_docx(_section()))
    assert _rows(doc)[1:] == [
        ["I. CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR INDEX)"] * 6,
        ["1", "Nhiệm vụ 1.1.3", "Rà soát thủ tục hành chính", "Công an xã", "Đang thực hiện", ""],
        ["2", "Tiêu chí 3.4", "Kết quả giải quyết hồ sơ TTHC", "Công chức Tư pháp - Hộ tịch", "Hoàn thành",
         "Đã số hóa 120 hồ sơ. Minh chứng: Quyết định số 12/QĐ-UBND ngày 02/3/2026."]]
    assert (doc.sections[-1].page_width > doc.sections[-1].page_height)


def test_no_items_no_appendix():
    doc = _open(progress_section_docx(_section(items=_plan_items())))
    assert doc.tables == [] and len(doc.sections) == 1
    assert not any(t.startswith("Phụ lục") for t in _texts(doc))


def test_hostile_names_are_neutralised_and_normalised():
    formula = '=HYPERLINK("http://x.invalid","Bấm")'
    decomposed = unicodedata.normalize("NFD", "Xã Vĩnh Hòa")
    items = _plan_items({"item_code": "1.1", "item_name": "Tiêu\x0b chí\x00 một", "units": [formula, "Xã\x07 Chuông"],
                         "unit_kinds": ["department", "commune"], "states": {"done": 2},
                         "results": [("@SUM(A1)", 2)], "evidence": ["-2+3"]})
    section = _section(not_reported=[formula, decomposed], items=items,
                       obstacles=_grouped(("+Thiếu\x0c máy", 1, 1)))
    doc = _open(progress_section_docx(section))  # python-docx refuses XML-illegal text
    texts = _texts(doc)
    assert "- Các cơ quan chưa báo cáo (2 cơ quan): '" + formula + "; Xã Vĩnh Hòa." in texts
    assert unicodedata.is_normalized("NFC", "\n".join(texts))
    assert "- '+Thiếu máy (1 cơ quan nêu, ở 1 tiêu chí, nhiệm vụ)." in texts
    row = _rows(doc)[2]
    # a cell pasted into a spreadsheet does not run
    assert row[2:] == ["Tiêu chí một", "'" + formula + "; Xã Chuông", "Hoàn thành (cả 2 cơ quan)",
                       "'@SUM(A1) (2 cơ quan). Minh chứng: '-2+3."]


def test_appendix_cells_are_short():
    assert units_cell(["A", "B", "C", "D"], ["department"] * 4) == "A; B; C; D"
    assert units_cell(list("ABCDE"), ["department"] * 5, "commune") == "5 cơ quan, đơn vị"
    assert units_cell(["Phòng Nội vụ", *"ABCD"], ["department", *["commune"] * 4], "district") == \
        "Phòng Nội vụ; 4 đơn vị cấp xã"
    assert units_cell(list("XYZ") + list("ABCD"), ["department"] * 3 + ["commune"] * 4, "district") == \
        "3 cơ quan, đơn vị cấp huyện; 4 đơn vị cấp xã"
    assert states_cell({"done": 1}) == "Hoàn thành"
    assert states_cell({"no_report": 2, "done": 3, "not_possible": 0}) == "Hoàn thành 3, chưa báo cáo 2"
    assert result_cell([], [], False) == ""
    assert result_cell([("Đã làm " + "rất " * 40 + "nhiều", 3), ("Khác", 1)], ["Số 1", "Số 2", "Số 3"], False,
                       [("Thiếu kinh phí.", 2)]) == \
        "Đã làm " + "rất " * 17 + "rất… (3 cơ quan). 3 văn bản minh chứng. Khó khăn: Thiếu kinh phí (2 cơ quan)."
    assert result_cell([("[Minh họa] Đã làm", 1)], ["[Minh họa] Số 1", "tệp a.pdf"], True) == \
        "Đã làm. Minh chứng: Số 1; tệp a.pdf."
    assert result_cell([], [], False, [("Thiếu máy scan", 1)]) == "Khó khăn: Thiếu máy scan."


def test_evidence_is_cited_by_the_name_the_unit_gave_its_file():
    assert evidence_name("evidence/05ad3c9e1f2b4a67/Biên bản rà soát.pdf") == "Biên bản rà soát.pdf"
    assert evidence_name("evidence\\05ad3c9e1f2b4a67\\scan.png") == "scan.png"
    assert evidence_name(None) == "" and evidence_name(float("nan")) == ""
    rows = pd.DataFrame({"evidence": ["Quyết định 12/QĐ", None, "Quyết định 12/QĐ"],
                         "evidence_file": [None, "evidence/05ad3c9e1f2b4a67/minh_chung.pdf",
                                           "evidence/05ad3c9e1f2b4a67/minh_chung.pdf"]})
    assert cited_evidence(rows) == ["Quyết định 12/QĐ", "tệp minh_chung.pdf"]


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
    assert "Kỳ báo cáo: 6 tháng đầu năm 2025" in text and "UBND huyện Vĩnh Lộc (trước 01/7/2025)" in text
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
