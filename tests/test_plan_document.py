"""Next year's plan drafted in full (.docx, Nghị định 30/2020/NĐ-CP): the generated file is
read back with python-docx and checked against the decree's layout and against the rows it
was given, which are the task table's."""
from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import date

import docx
import pandas as pd
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from domain.vocabulary import INDEX_NAME, next_plan_year
from exports.briefing import ILLUSTRATIVE_MARK, IndexTrend, task_rows
from exports.plan_document import (PlanDocument, gather_plan_document, place_name, plan_document_docx,
                                   write_plan_document)
from exports.task_table import TaskRow, neutralise, task_table_docx
from tests.test_task_table import docx_body, expected_body

LDTBXH = "Phòng Lao động - Thương binh và Xã hội"
EVIL_LEAD = '=HYPERLINK("http://x")'


def rows() -> list[TaskRow]:
    cchc, tthc = "Công tác chỉ đạo điều hành CCHC", "Cải cách thủ tục hành chính"
    return [
        TaskRow("PAR", "1", cchc, "1.3", "Công tác Kiểm tra CCHC", ["Phòng Nội vụ"],
                ["Văn phòng HĐND và UBND", "UBND cấp xã"], "Quý IV hàng năm"),
        TaskRow("PAR", "3", tthc, "3.4", "Kết quả giải quyết hồ sơ TTHC", [LDTBXH, "UBND cấp xã"], []),
        TaskRow("SIPAS", "2", "Mức độ hài lòng đối với việc cung ứng dịch vụ hành chính công", "2.1",
                "Tiếp cận dịch vụ", ["Văn phòng HĐND và UBND"], ["Các đơn vị liên quan"]),
    ]


def trend(code: str, points: float, rank: int, n: int, illustrative: bool = True) -> IndexTrend:
    t = pd.DataFrame({"year": [2025], "points": [points], "rank": [rank], "n_ranked": [n], "computed": [False],
                      "is_illustrative": [illustrative]})
    return IndexTrend(code, INDEX_NAME[code], t, 2025, points, rank, n, False, None, illustrative)


def plan(**kw) -> PlanDocument:
    base = dict(issuer="UBND xã Tây Đô", parent=None, place="Tây Đô", entity_name="xã Tây Đô", results_year=2025,
                plan_year=2027, issue_year=2026, rows=rows(), results=[trend("PAR", 85.74, 100, 166)],
                reasons={("PAR", "1.3"): ["xếp thứ 166/166", "thấp hơn mức trung bình của các xã, phường"]},
                illustrative=True, plan_number="125", coordinator="Phòng Văn hóa - Xã hội")
    return PlanDocument(**{**base, **kw})


def load(p: PlanDocument) -> docx.Document:
    return docx.Document(io.BytesIO(plan_document_docx(p)))


def blocks(d) -> list:
    """The body in order: Paragraph and Table objects."""
    out = []
    for el in d.element.body.iterchildren():
        if el.tag == qn("w:p"):
            out.append(Paragraph(el, d))
        elif el.tag == qn("w:tbl"):
            out.append(Table(el, d))
    return out


def body_texts(d) -> list[str]:
    return [b.text for b in blocks(d) if isinstance(b, Paragraph) and b.text]


def cell_lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text]


def runs_with_text(p):
    return [r for r in p.runs if r.text]


def section_between(texts: list[str], start: str, end: str) -> list[str]:
    return texts[texts.index(start) + 1:texts.index(end)]


# --- the header, title and closing (the thể thức) -------------------------------------------

def test_header_block_issuer_motto_number_and_date():
    d = load(plan())
    header = d.tables[0]
    left, right = header.cell(0, 0), header.cell(0, 1)
    assert cell_lines(left) == ["ỦY BAN NHÂN DÂN", "XÃ TÂY ĐÔ"]  # a commune's UBND: no parent line
    assert all(r.bold for p in left.paragraphs for r in runs_with_text(p))
    assert cell_lines(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert all(r.bold for p in right.paragraphs for r in runs_with_text(p))
    assert all(r.underline for r in runs_with_text(right.paragraphs[1]))  # the rule as long as the motto
    # a short rule under the issuing body: a paragraph whose bottom border is cut by indents
    rule = left.paragraphs[-1]
    assert rule.text == "" and rule._p.pPr.find(qn("w:pBdr")) is not None and rule.paragraph_format.left_indent > 0
    assert cell_lines(header.cell(1, 0)) == ["Số: 125/KH-UBND"]
    assert cell_lines(header.cell(1, 1)) == ["Tây Đô, ngày … tháng … năm 2026"]
    assert all(r.italic for r in runs_with_text(header.cell(1, 1).paragraphs[0]))
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_number_placeholder_and_parent_line():
    d = load(plan(plan_number="…", parent="UBND huyện Vĩnh Lộc"))
    left = d.tables[0].cell(0, 0)
    assert cell_lines(left) == ["UBND HUYỆN VĨNH LỘC", "ỦY BAN NHÂN DÂN", "XÃ TÂY ĐÔ"]
    assert not any(r.bold for r in runs_with_text(left.paragraphs[0]))  # cơ quan chủ quản: not bold
    assert cell_lines(d.tables[0].cell(1, 0)) == ["Số: …/KH-UBND"]
    assert "(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm 2026 của UBND xã Tây Đô)" in body_texts(d)


def test_document_type_and_trich_yeu_name_the_plan_year():
    texts = body_texts(load(plan()))
    i = texts.index("KẾ HOẠCH")
    assert texts[i + 1] == ("Duy trì, cải thiện và nâng cao Chỉ số cải cách hành chính (PAR INDEX) và Chỉ số hài "
                            "lòng về sự phục vụ hành chính (SIPAS) xã Tây Đô năm 2027")
    paras = [p for p in load(plan()).paragraphs if p.text in ("KẾ HOẠCH", texts[i + 1])]
    assert all(r.bold for p in paras for r in runs_with_text(p))
    assert {p.alignment for p in paras} == {docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER}


def test_lead_paragraph_and_sections_in_order():
    texts = body_texts(load(plan()))
    lead = texts[texts.index("KẾ HOẠCH") + 2:texts.index("I. MỤC ĐÍCH, YÊU CẦU")]
    assert lead[0].startswith("Căn cứ kết quả Chỉ số cải cách hành chính (PAR INDEX)") and "năm 2025" in lead[0]
    assert lead[1].startswith("UBND xã Tây Đô ban hành Kế hoạch") and "năm 2027" in lead[1]
    order = [texts.index(h) for h in ("I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN")]
    assert order == sorted(order)
    purpose = section_between(texts, "I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ, GIẢI PHÁP")
    assert any("3 tiêu chí" in t and "(PAR INDEX: 2 tiêu chí; SIPAS: 1 tiêu chí)" in t for t in purpose)


def parse_tasks(texts: list[str]) -> dict[str, list[dict]]:
    """Section II read back: subsection heading -> [{head, Cơ quan chủ trì, …}]."""
    out: dict[str, list[dict]] = {}
    current = None
    for t in section_between(texts, "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN"):
        if t[:2] in {f"{n}." for n in range(1, 10)}:
            current = out.setdefault(t, [])
        elif t.startswith("(") and t[1].isdigit() and current is not None:
            current.append({"head": t})
        elif t.startswith("- ") and current:
            label, _, value = t[2:].partition(": ")
            current[-1][label] = value.removesuffix(".") if not value.endswith("…") else value
    return out


def test_one_subsection_per_index_with_each_task_and_its_units():
    tasks = parse_tasks(body_texts(load(plan())))
    assert list(tasks) == ["1. Chỉ số cải cách hành chính (PAR INDEX)",
                           "2. Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)"]
    got = [task for group in tasks.values() for task in group]
    assert len(got) == len(rows())
    for k, (task, r) in enumerate(zip(got, rows())):
        n = 1 + sum(1 for x in rows()[:k] if x.index_code == r.index_code)
        assert task["head"].startswith(f"({n}) {r.code} {r.name}: ")
        assert task["Cơ quan chủ trì"] == "; ".join(r.lead_units)
        assert task["Cơ quan phối hợp"] == ("; ".join(r.support_units) or "…")  # none named yet: for the office
        assert task["Thời gian thực hiện"] == r.timing
    # why the criterion was chosen, where the focus list says
    assert got[0]["head"].startswith("(1) 1.3 Công tác Kiểm tra CCHC: năm 2025 xếp thứ 166/166, thấp hơn mức "
                                     "trung bình của các xã, phường. Xây dựng và thực hiện kế hoạch kiểm tra")


def test_each_index_says_its_latest_score_and_rank():
    texts = body_texts(load(plan(results=[trend("PAR", 85.74, 100, 166)])))
    par = texts.index("1. Chỉ số cải cách hành chính (PAR INDEX)")
    assert texts[par + 1].startswith("Năm 2025, PAR INDEX của xã Tây Đô đạt 85,74 điểm, xếp thứ 100/166 xã, phường "
                                     "(kết quả minh họa).")
    sipas = texts.index("2. Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)")
    assert texts[sipas + 1].startswith("(1) 2.1 Tiếp cận dịch vụ")  # no result given: no sentence


def test_organisation_names_the_coordinator_and_the_reporting_dates():
    texts = body_texts(load(plan(coordinator="Phòng Nội vụ")))
    part = " ".join(section_between(texts, "III. TỔ CHỨC THỰC HIỆN", "Phụ lục 1"))  # the closing table between
    assert "Phòng Nội vụ" in part and "định kỳ hằng quý, 06 tháng, năm" in part
    assert "trước ngày 10 của tháng cuối quý" in part and "trước ngày 20/12" in part
    assert "phối hợp" in part and part.rstrip().endswith("./.")


def test_recipients_and_signature_block():
    d = load(plan())
    closing = next(t for t in d.tables if t.cell(0, 0).paragraphs[0].text == "Nơi nhận:")
    left, right = closing.cell(0, 0), closing.cell(0, 1)
    first = left.paragraphs[0].runs[0]
    assert first.bold and first.italic and first.font.size.pt == 12
    lines = left.paragraphs[1:]
    assert all(p.text.startswith("- ") for p in lines)
    assert all(p.text.endswith(";") for p in lines[:-1]) and lines[-1].text == "- Lưu: VT."
    assert {r.font.size.pt for p in lines for r in p.runs} == {11}
    assert "- Thường trực cấp ủy, HĐND xã Tây Đô (để b/c);" in [p.text for p in lines]
    sign = cell_lines(right)
    assert sign == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Chữ ký, dấu)", "(Họ và tên)"]
    by_text = {p.text: p for p in right.paragraphs}
    assert all(r.bold for t in sign[:2] for r in by_text[t].runs)
    assert all(r.italic for t in sign[2:] for r in by_text[t].runs)
    blank = [p for p in right.paragraphs if not p.text]
    assert len(blank) >= 3  # room for the signature and the seal


# --- appendices: the task table --------------------------------------------------------------

def test_one_appendix_per_index_with_the_task_tables_rows():
    p = plan()
    d = load(p)
    items = blocks(d)
    texts = [b.text if isinstance(b, Paragraph) else None for b in items]
    tables = [b for b in items if isinstance(b, Table)]
    appendix_tables = tables[2:]  # after the header and the closing tables
    assert len(appendix_tables) == 2
    for n, (code, table) in enumerate(zip(("PAR", "SIPAS"), appendix_tables), start=1):
        i = texts.index(f"Phụ lục {n}")
        assert texts[i + 1] == f"NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO {INDEX_NAME[code].upper()} NĂM 2027"
        assert texts[i + 2] == "(Kèm theo Kế hoạch số 125/KH-UBND ngày … tháng … năm 2026 của UBND xã Tây Đô)"
        mine = [r for r in rows() if r.index_code == code]
        reference = docx.Document(io.BytesIO(task_table_docx(mine, title="t", subtitle="s", index_names=INDEX_NAME)))
        assert docx_body(table) == docx_body(reference.tables[0]) == expected_body(mine, INDEX_NAME)
        header = [[c.text for c in row.cells] for row in table.rows[:2]]
        assert header == [[c.text for c in row.cells] for row in reference.tables[0].rows[:2]]
    # each appendix on its own landscape pages, numbered from 1
    appendix_sections = d.sections[1:]
    assert len(appendix_sections) == 2
    for s in appendix_sections:
        assert s.orientation == WD_ORIENT.LANDSCAPE and s.page_width > s.page_height
        (restart,) = s._sectPr.findall(qn("w:pgNumType"))
        assert restart.get(qn("w:start")) == "1"


# --- page, font, page header -------------------------------------------------------------------

def test_page_is_a4_with_the_decrees_margins_and_times_new_roman():
    d = load(plan())
    for s in d.sections:
        assert {round(s.page_width.mm), round(s.page_height.mm)} == {210, 297}
        assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
        assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    assert d.sections[0].orientation == WD_ORIENT.PORTRAIT
    normal = d.styles["Normal"]
    assert normal.font.name == "Times New Roman" and 13 <= normal.font.size.pt <= 14
    rfonts = normal.element.rPr.rFonts
    assert rfonts.get(qn("w:eastAsia")) == rfonts.get(qn("w:cs")) == "Times New Roman"
    # no run overrides the typeface
    assert {r.font.name for p in d.paragraphs for r in p.runs} <= {None}
    # page numbers at the top centre, none on the first page
    s = d.sections[0]
    assert s.different_first_page_header_footer
    assert any(i.text == "PAGE" for i in s.header._element.iter(qn("w:instrText")))
    assert not any(True for _ in s.first_page_header._element.iter(qn("w:instrText")))


def header_texts(d) -> list[str]:
    return [p.text for s in d.sections for h in (s.header, s.first_page_header) for p in h.paragraphs if p.text]


def test_illustrative_header_on_every_page_iff_illustrative():
    d = load(plan(illustrative=True))
    for s in d.sections:  # the default header and the first page's, in every section
        for h in (s.header, s.first_page_header):
            assert ILLUSTRATIVE_MARK in [p.text for p in h.paragraphs]
    red = [r for p in d.sections[0].header.paragraphs for r in p.runs if r.text == ILLUSTRATIVE_MARK]
    assert red and red[0].bold and red[0].font.color.rgb == docx.shared.RGBColor(0xC0, 0, 0)

    clean = plan_document_docx(plan(illustrative=False, results=[trend("PAR", 85.74, 100, 166, illustrative=False)]))
    assert header_texts(docx.Document(io.BytesIO(clean))) == []
    with zipfile.ZipFile(io.BytesIO(clean)) as z:
        assert not any("MINH HỌA" in z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


# --- text from data ----------------------------------------------------------------------------

def test_text_from_data_is_neutralised_and_composed():
    nfd = unicodedata.normalize("NFD", LDTBXH)
    evil = [TaskRow("PAR", "1", "Công tác chỉ đạo điều hành CCHC", "=1+1", "@SUM(A1)<b>x</b>\x07",
                    [EVIL_LEAD], [nfd, "+1"], "-")]
    d = load(plan(rows=evil, reasons={}, entity_name="xã <i>Tây</i> Đô\x0b"))
    texts = body_texts(d)
    task = next(t for t in texts if t.startswith("(1) "))
    assert task.startswith("(1) '=1+1 '@SUM(A1)<b>x</b>: ")  # the markup stays literal text
    assert f"- Cơ quan chủ trì: {neutralise(EVIL_LEAD)}." in texts
    assert f"- Cơ quan phối hợp: {LDTBXH}; +1." in texts  # NFC; only a cell's first character can start a formula
    assert "- Thời gian thực hiện: '-." in texts
    assert any("xã <i>Tây</i> Đô" in t for t in texts)
    with zipfile.ZipFile(io.BytesIO(plan_document_docx(plan(rows=evil, reasons={})))) as z:
        xml = z.read("word/document.xml").decode()
    assert "<b>" not in xml and "\x07" not in xml and "&lt;b&gt;" in xml
    # the appendix has the same cells as the task table
    table = load(plan(rows=evil, reasons={})).tables[2]
    reference = docx.Document(io.BytesIO(task_table_docx(evil, title="t", subtitle="s", index_names=INDEX_NAME)))
    assert docx_body(table) == docx_body(reference.tables[0])
    assert docx_body(table)[1][2] == "'@SUM(A1)<b>x</b>"


# --- from the database -------------------------------------------------------------------------

def test_gather_builds_the_district_plan_from_the_task_table_rows(con):
    today = date(2026, 12, 1)
    p = gather_plan_document(con, "VN-38-393", 2024, ["PAR:3.4", "SC62"], today=today)
    assert p.rows == task_rows(con, "VN-38-393", 2024, ["PAR:3.4", "SC62"])
    assert (p.issuer, p.parent, p.place, p.entity_name) == ("UBND huyện Vĩnh Lộc", None, "Vĩnh Lộc", "huyện Vĩnh Lộc")
    assert p.plan_year == next_plan_year(2024, today)
    assert (p.results_year, p.plan_year, p.issue_year) == (2024, 2027, 2026)
    assert p.coordinator == "Phòng Nội vụ" and p.plan_number == "…"
    assert [it.index_code for it in p.results] == ["PAR", "PAPI"] and all(it.latest_year == 2024 for it in p.results)
    assert p.illustrative  # the district's results are illustrative


def test_gather_the_commune_plan_from_edited_rows(con):
    edited = rows()[:1]
    p = gather_plan_document(con, "VN-38-15349", 2025, edited_rows=edited, today=date(2026, 12, 1), plan_number="7")
    # the commune's CCHC coordinator: Phòng Văn hóa - Xã hội (TT 10/2025/TT-BNV; data/progress/coordinators.csv)
    assert p.rows == edited and p.coordinator == "Phòng Văn hóa - Xã hội"
    assert (p.issuer, p.place, p.entity_name, p.number) == ("UBND xã Vĩnh Lộc", "Vĩnh Lộc", "xã Vĩnh Lộc", "7/KH-UBND")
    d = load(p)
    assert cell_lines(d.tables[0].cell(0, 0)) == ["ỦY BAN NHÂN DÂN", "XÃ VĨNH LỘC"]
    assert cell_lines(d.tables[0].cell(1, 1)) == ["Vĩnh Lộc, ngày … tháng … năm 2026"]


@pytest.mark.parametrize("name,level,place", [
    ("Xã Vĩnh Lộc", "commune", "Vĩnh Lộc"), ("Vĩnh Lộc", "district", "Vĩnh Lộc"),
    ("Thanh Hóa", "province", "Thanh Hóa"),
    ("TP. Thanh Hóa", "district", "Thanh Hóa"), ("Thị xã Nghi Sơn", "district", "Nghi Sơn"),
    ("Thị trấn Vĩnh Lộc", "commune", "Vĩnh Lộc"),
])
def test_place_name_drops_the_administrative_word(name, level, place):
    assert place_name(name, level) == place


def test_write_plan_document_refuses_other_formats(tmp_path):
    with pytest.raises(ValueError, match=r"\.docx"):
        write_plan_document(plan(), tmp_path / "ke-hoach.pdf")
    assert not (tmp_path / "ke-hoach.pdf").exists()


# --- the command line ----------------------------------------------------------------------------

def test_cli_plan_writes_the_docx(tmp_path, built_db, capsys):
    from cli.briefing import main

    out = tmp_path / "ke-hoach.docx"
    # the former district issues nothing since 1/7/2025 (cli.briefing refuses it): a successor commune
    argv = ["plan", "--entity", "Xã Tây Đô", "--year", "2025", "--criteria", "PAR:3.4,SIPAS:2.3", "--plan-number",
            "125", "--out", str(out), "--db", str(built_db)]
    assert main(argv) == 0
    assert "dự thảo kế hoạch năm" in capsys.readouterr().out
    d = docx.Document(out)
    assert cell_lines(d.tables[0].cell(1, 0)) == ["Số: 125/KH-UBND"]
    heads = [t for group in parse_tasks(body_texts(d)).values() for t in group]
    assert [h["head"].split(" ")[1] for h in heads] == ["3.4", "2.3"]
    # proposed from the former district's plan: one lead, the commune's office
    assert heads[0]["Cơ quan chủ trì"] == "Các phòng chuyên môn, đơn vị thuộc UBND xã"


def test_cli_plan_refuses_a_pdf(tmp_path, built_db, capsys):
    from cli.briefing import main

    out = tmp_path / "ke-hoach.pdf"
    assert main(["plan", "--entity", "Vĩnh Lộc", "--year", "2024", "--out", str(out), "--db", str(built_db)]) == 2
    assert "xuất được .docx" in capsys.readouterr().err
    assert not out.exists()
