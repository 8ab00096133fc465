"""The drafted plan and its task table as an official signs and files them (issue «Documents an
official would sign and file»): plain administrative Vietnamese — «xếp thứ 94/166», «thấp hơn
mức trung bình của các xã, phường», «kết quả minh họa», never the dashboard's «(tự tính)»,
«trung vị» or «đã được công bố» for figures nobody published; a task of its own for every
criterion; a lead unit for every task; one date on the plan, its appendices and the task table.
Read back from the documents themselves (python-docx, openpyxl) and from a PDF rendering."""
from __future__ import annotations

import difflib
import io
import itertools
import re
from datetime import date

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from domain.frameworks import criterion_name_for
from exports.briefing import task_layout
from exports.plan_document import PlanDocument, gather_plan_document, plan_document_docx
from exports.task_table import TaskRow, task_table_docx, task_table_xlsx
from tests.conftest import ROOT
from tests.test_plan_document import body_texts, parse_tasks, section_between

TAY_DO = "VN-38-15361"      # no plan of its own: units proposed from the former district's plan
VINH_LOC = "VN-38-15349"    # its own (illustrative) 2026 plan, proposals for the rest
PROVINCE = "VN-38"          # PCI and PAPI: published results
TODAY = date(2026, 12, 7)   # drafting the 2027 plan from the 2025 results
SHIPPED = ROOT / "data" / "illustrative" / "ke-hoach-xa-vinh-loc-2026-minh-hoa.docx"
PRODUCT_WORDS = ("tự tính", "trung vị", "đã được công bố")
RANK = re.compile(r"(\S+) (\d+)/(\d+)\b")
ALIKE = 0.75                # two task texts more alike than this read as the same task


def load(plan: PlanDocument) -> docx.Document:
    return docx.Document(io.BytesIO(plan_document_docx(plan)))


def all_text(d: docx.Document) -> str:
    """Every word a reader sees: body paragraphs, table cells, page headers."""
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    parts += [p.text for s in d.sections for h in (s.header, s.first_page_header) for p in h.paragraphs]
    return "\n".join(parts)


def tasks_of(d: docx.Document) -> list[dict]:
    """Section II's tasks (the shipped plan's marked «[Minh họa] (n) …»: read without the mark)."""
    texts = [t.removeprefix("[Minh họa] ") for t in body_texts(d)]
    return [t for group in parse_tasks(texts).values() for t in group]


def action(head: str) -> str:
    """What a task asks, without its number, criterion and the findings that chose it."""
    rest = head.split(": ", 1)[1]
    return rest.split(". ", 1)[1] if re.match(r"năm \d{4} ", rest) else rest


def assert_none_alike(actions: list[str]) -> None:
    assert len(set(actions)) == len(actions), [a for a in actions if actions.count(a) > 1][:2]
    for a, b in itertools.combinations(actions, 2):
        assert difflib.SequenceMatcher(None, a, b).ratio() < ALIKE, (a, b)


@pytest.fixture(scope="module")
def tay_do(con) -> docx.Document:
    """The draft the command line gives xã Tây Đô from its 2025 results: the whole focus list."""
    return load(gather_plan_document(con, TAY_DO, 2025, today=TODAY))


# --- words ---------------------------------------------------------------------------------------

def test_an_illustrative_draft_has_none_of_the_products_words(tay_do):
    text = all_text(tay_do)
    for word in PRODUCT_WORDS:
        assert word not in text, word
    assert not re.search(r"\bhạng \d+/\d+", text)  # a rank reads «xếp thứ 94/166»
    texts = body_texts(tay_do)
    lead = texts[texts.index("KẾ HOẠCH") + 2]
    assert lead.startswith("Căn cứ kết quả Chỉ số cải cách hành chính (PAR INDEX)")
    assert lead.endswith("năm 2025 của xã Tây Đô (kết quả minh họa, chưa phải kết quả chính thức);")
    results = [t for t in texts if t.startswith("Năm 2025, ")]
    assert len(results) == 2 and all("(kết quả minh họa)" in t for t in results)


def test_ranks_read_thu_n_of_m_among_the_communes(tay_do):
    part = section_between(body_texts(tay_do), "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN")
    ranks = [m for t in part for m in RANK.finditer(t)]
    assert len(ranks) > 10 and {m.group(1) for m in ranks} == {"thứ"}
    assert {m.group(3) for m in ranks} == {"166"}
    joined = "\n".join(part)
    assert "PAR INDEX của xã Tây Đô đạt 86,70 điểm, xếp thứ 81/166 xã, phường (kết quả minh họa)" in joined
    assert "thấp hơn mức trung bình của các xã, phường" in joined
    # no criterion's rank is published: the plan says they are the scores' order, once per index
    assert joined.count("(thứ hạng của từng tiêu chí xếp theo điểm số của các xã, phường)") == 2


def test_published_results_name_who_published_them(con):
    d = load(gather_plan_document(con, PROVINCE, 2024, today=TODAY))
    texts = body_texts(d)
    assert "Căn cứ kết quả Chỉ số năng lực cạnh tranh cấp tỉnh (PCI) năm 2024 của tỉnh Thanh Hóa do VCCI công bố;" \
        in texts
    assert any(t.startswith("Căn cứ kết quả Chỉ số Hiệu quả Quản trị và Hành chính công (PAPI) năm 2024")
               and t.endswith("do CECODES, VFF-CRT, UNDP công bố;") for t in texts)
    text = all_text(d)
    assert "minh họa" not in text.lower() and not any(w in text for w in PRODUCT_WORDS)
    # PAPI 2024 rank 13 and PCI 2024 rank 21 were printed by the press: stated as they are
    assert any("PAPI của tỉnh Thanh Hóa" in t and "xếp thứ 13/63 tỉnh, thành phố." in t for t in texts)
    assert any("PCI của tỉnh Thanh Hóa" in t and "xếp thứ 21/63 tỉnh, thành phố." in t for t in texts)
    # PAPI publishes groups, not ranks: a rank ranked here (2020) says it is the scores' order
    texts = body_texts(load(gather_plan_document(con, PROVINCE, 2020, today=TODAY)))
    assert any("PAPI của tỉnh Thanh Hóa" in t and "xếp thứ 24/63 tỉnh, thành phố theo điểm số." in t for t in texts)


# --- one task for each criterion -----------------------------------------------------------------

def test_no_two_tasks_of_a_draft_read_alike(con, tay_do):
    for d in (tay_do, load(gather_plan_document(con, VINH_LOC, 2025, today=TODAY))):
        tasks = tasks_of(d)
        assert len(tasks) >= 15
        assert_none_alike([action(t["head"]) for t in tasks])


def test_the_task_says_what_the_criterion_measures(tay_do):
    heads = {t["head"].split(" ")[1]: t["head"] for t in tasks_of(tay_do)}
    # PAR 1.5: the former district's task 1.1.2 («mỗi cơ quan, đơn vị … ít nhất 01 sáng kiến»)
    assert "ít nhất 01 sáng kiến hoặc giải pháp mới" in heads["1.5"]
    assert "Hệ thống thông tin giải quyết thủ tục hành chính" in heads["3.2"]
    assert "đăng ký doanh nghiệp qua mạng" in heads["8.3"]


def test_every_criterion_a_commune_is_scored_on_has_a_task_of_its_own(con):
    frameworks = ("PAR-TH-HUYEN-2023", "SIPAS-TH-2023", "DDCI-TH-2022", "PAPI-2021")
    leaves = con.execute(f"""SELECT c.index_code, c.code, c.name_vi FROM criteria c
                             WHERE c.framework IN ({", ".join("?" * len(frameworks))})
                               AND NOT EXISTS (SELECT 1 FROM criteria k WHERE k.framework = c.framework
                                               AND k.parent_code = c.code)
                             ORDER BY 1, 2""", list(frameworks)).fetchall()
    assert len(leaves) == 37 + 9 + 8 + 28
    rows = [TaskRow(i, None, None, code, criterion_name_for(name, "commune"), ["Phòng Văn hóa - Xã hội"])
            for i, code, name in leaves]
    plan = PlanDocument(issuer="UBND xã Tây Đô", parent=None, place="Tây Đô", entity_name="xã Tây Đô",
                        results_year=2025, plan_year=2027, issue_year=2026, rows=rows)
    tasks = tasks_of(load(plan))
    assert len(tasks) == len(leaves)
    actions = [action(t["head"]) for t in tasks]
    assert not [a for a in actions if a.startswith("rà soát từng nội dung")]  # none left to the stock text
    assert_none_alike(actions)


def test_a_criterion_without_a_text_of_its_own_is_still_named_in_its_task():
    rows = [TaskRow("PAR", None, None, "9.1", "Tiêu chí mới A", ["Phòng Kinh tế"]),
            TaskRow("PAR", None, None, "9.2", "Tiêu chí mới B", ["Phòng Kinh tế"])]
    plan = PlanDocument(issuer="UBND xã Tây Đô", parent=None, place="Tây Đô", entity_name="xã Tây Đô",
                        results_year=2025, plan_year=2027, issue_year=2026, rows=rows)
    a, b = (action(t["head"]) for t in tasks_of(load(plan)))
    assert "“Tiêu chí mới A”" in a and "“Tiêu chí mới B”" in b and a != b


# --- units and dates -----------------------------------------------------------------------------

def test_the_command_line_plan_leads_every_task_and_its_task_table_has_the_plans_date(built_db, tmp_path, capsys):
    """``python -m briefing plan`` and ``tasks`` for xã Tây Đô: each task names its lead unit (proposed
    from the former district's plan), the same as the appendix; the task table is dated as the plan."""
    from cli.briefing import main

    plan_file, table_file = tmp_path / "ke-hoach.docx", tmp_path / "phan-cong.xlsx"
    common = ["--entity", "Xã Tây Đô", "--year", "2025", "--db", str(built_db)]
    assert main(["plan", *common, "--out", str(plan_file)]) == 0
    assert main(["tasks", *common, "--out", str(table_file)]) == 0
    capsys.readouterr()
    d = docx.Document(plan_file)
    tasks = tasks_of(d)
    assert len(tasks) == 17 and all(t["Cơ quan chủ trì"] not in ("", "…") for t in tasks)
    appendix_leads = [row.cells[2].text for t in d.tables[2:] for row in t.rows[2:] if row.cells[0].text.count(".")]
    assert [t["Cơ quan chủ trì"] for t in tasks] == appendix_leads
    assert_none_alike([action(t["head"]) for t in tasks])
    year = re.search(r"năm (\d{4})$", d.tables[0].cell(1, 1).text).group(1)
    subtitle = openpyxl.load_workbook(table_file).active["A2"].value
    assert subtitle == f"(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm {year} của UBND xã Tây Đô)"


def date_lines(d: docx.Document) -> list[str]:
    """The plan's date line and every appendix's «Kèm theo» line."""
    return [d.tables[0].cell(1, 1).text] + [t for t in body_texts(d) if t.startswith("(Kèm theo Kế hoạch")]


def table_subtitles(rows, layout) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(task_table_xlsx(rows, **layout))).active
    table = docx.Document(io.BytesIO(task_table_docx(rows, **layout)))
    return [ws["A2"].value, table.paragraphs[1].text]


def test_one_date_on_the_plan_its_appendices_and_the_task_table(con):
    plan = gather_plan_document(con, TAY_DO, 2025, today=TODAY)
    lines = date_lines(load(plan))
    assert lines[0] == "Tây Đô, ngày … tháng … năm 2026" and len(lines) == 3  # the date line, two appendices
    layout = task_layout("UBND xã Tây Đô", 2025, illustrative=True, today=TODAY)
    assert layout["title"].endswith("NĂM 2027")  # the plan's year; dated the year before
    kem_theo = "(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm 2026 của UBND xã Tây Đô)"
    assert lines[1:] == [kem_theo, kem_theo] and table_subtitles(plan.rows, layout) == [kem_theo, kem_theo]


def test_a_plan_signed_once_its_year_has_begun_is_dated_that_day_everywhere(con):
    signed = date(2027, 1, 5)
    plan = gather_plan_document(con, TAY_DO, 2025, today=signed, signed_on=signed, plan_number="3")
    assert plan.plan_year == 2027
    lines = date_lines(load(plan))
    assert lines[0] == "Tây Đô, ngày 05 tháng 01 năm 2027"
    kem_theo = "(Kèm theo Kế hoạch số 3/KH-UBND ngày 05 tháng 01 năm 2027 của UBND xã Tây Đô)"
    layout = task_layout("UBND xã Tây Đô", 2025, "3", illustrative=True, today=signed, signed_on=signed)
    assert lines[1:] == [kem_theo, kem_theo] and table_subtitles(plan.rows, layout) == [kem_theo, kem_theo]


# --- the shipped plan and the printed pages ------------------------------------------------------

def test_the_shipped_illustrative_plan_reads_as_an_official_would_write_it():
    d = docx.Document(str(SHIPPED))
    text = all_text(d)
    assert not any(w in text for w in PRODUCT_WORDS) and not re.search(r"\bhạng \d+/\d+", text)
    assert "(kết quả minh họa, chưa phải kết quả chính thức);" in text
    tasks = tasks_of(d)
    assert len(tasks) == 10 and all(t["Cơ quan chủ trì"] not in ("", "…") for t in tasks)
    assert_none_alike([action(t["head"]) for t in tasks])
    # signed on 26/12/2025 for 2026 (data/plans.csv): that date on the plan and on both appendices
    lines = date_lines(d)
    assert lines[0] == "Vĩnh Lộc, ngày 26 tháng 12 năm 2025"
    assert set(lines[1:]) == {"(Kèm theo Kế hoạch số 01/KH-UBND ngày 26 tháng 12 năm 2025 của UBND xã Vĩnh Lộc)"}


def test_a_criterions_row_never_breaks_across_pages_nor_leaves_its_area_behind(tay_do):
    for table in tay_do.tables[2:]:  # the appendices, after the header and the closing tables
        body = table.rows[2:]
        assert body and all(row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
                            for row in body)
        areas = [row for row in body if "." not in row.cells[0].text]  # «7», not «7.1»
        assert areas and all(p.paragraph_format.keep_with_next for row in areas for c in row.cells
                             for p in c.paragraphs)


@pytest.mark.slow
def test_the_printed_draft(con, tmp_path):
    """Rendered as the office prints it: the red notice on every page, none of the product's
    words on any page, the appendices (landscape) dated as the first page."""
    from tests import pdf

    out = pdf.render(plan_document_docx(gather_plan_document(con, TAY_DO, 2025, today=TODAY)), out_dir=tmp_path)
    pages, sizes = pdf.page_texts(out), pdf.page_sizes(out)
    assert len(pages) >= 5
    for n, page in enumerate(pages, start=1):
        assert "SỐ LIỆU MINH HỌA" in page, n
        flat = " ".join(page.split())
        assert not any(w in flat for w in PRODUCT_WORDS) and not re.search(r"\bhạng \d+/\d+", flat), n
    assert "Tây Đô, ngày … tháng … năm 2026" in " ".join(pages[0].split())
    landscape = [" ".join(p.split()) for p, (w, h) in zip(pages, sizes) if w > h]
    firsts = [p for p in landscape if "Phụ lục" in p]
    assert len(firsts) == 2 and all("ngày … tháng … năm 2026 của UBND xã Tây Đô" in p for p in firsts)
    # each criterion's row is printed on one page, under its area's row
    for code, area in (("1.5", "Công tác chỉ đạo điều hành CCHC"), ("7.1", "điện tử, chính quyền số"),
                       ("8.3", "hội của xã")):
        pages_of = [p for p in landscape if re.search(rf"(^|\s){re.escape(code)}\s", p)]
        assert len(pages_of) == 1 and area in pages_of[0], code
