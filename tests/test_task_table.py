"""Next year's task table export: the generated .xlsx and .docx are read back with
openpyxl and python-docx and checked against the layout of the plan's appendices."""
from __future__ import annotations

import io
import unicodedata
import zipfile

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from exports.task_table import TaskRow, neutralise, task_table_docx, task_table_xlsx, write_task_table

TITLE = "NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2026"
SUBTITLE = "(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm 2025 của UBND huyện Vĩnh Lộc)"
INDEX_NAMES = {
    "PAR": "Chỉ số cải cách hành chính (PAR INDEX)",
    "SIPAS": "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
    "PCI": "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)",
}
LDTBXH = "Phòng Lao động - Thương binh và Xã hội"
XA = "UBND cấp xã"
EVIL = ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2"]
KW = dict(title=TITLE, subtitle=SUBTITLE, index_names=INDEX_NAMES)


def par_rows() -> list[TaskRow]:
    cchc = "Công tác chỉ đạo điều hành CCHC"
    tthc = "Cải cách thủ tục hành chính"
    return [
        TaskRow("PAR", "1", cchc, "1.1", "Thực hiện Kế hoạch CCHC", ["Phòng Nội vụ"],
                ["Văn phòng HĐND và UBND, các phòng, ban, ngành", XA, "các đơn vị liên quan."],
                "Theo Kế hoạch cải cách hành chính hàng năm của huyện"),
        TaskRow("PAR", "1", cchc, "1.3", "Công tác Kiểm tra CCHC", ["Phòng Nội vụ"], [XA]),
        TaskRow("PAR", "3", tthc, "3.4", "Kết quả giải quyết hồ sơ TTHC",
                ["Các phòng, ban, ngành, đơn vị", XA], ["Các đơn vị liên quan"]),
        TaskRow("PAR", "3", tthc, "3.5", "Tiếp nhận, xử lý phản ánh, kiến nghị", [LDTBXH], [XA], "Quý IV hàng năm"),
    ]


def mixed_rows() -> list[TaskRow]:
    return par_rows() + [
        TaskRow("SIPAS", "2", "Mức độ hài lòng đối với việc cung ứng dịch vụ hành chính công", "2.1",
                "Tiếp cận dịch vụ", ["Văn phòng HĐND và UBND", XA], ["Các đơn vị liên quan"]),
        TaskRow("PCI", None, None, "SC62", "Tính năng động của chính quyền", [EVIL[0]], [EVIL[1]]),
        TaskRow("PCI", None, None, "SC63", "Chi phí không chính thức", [EVIL[2]], [EVIL[3]], "-"),
    ]


def expected_body(rows: list[TaskRow], names: dict[str, str] | None = None) -> list[tuple]:
    """What the body must read, independent of the module: (kind, cells...)."""
    out, seen_index, seen_area = [], None, None
    several = len({r.index_code for r in rows}) > 1
    for r in rows:
        if r.index_code != seen_index:
            if several:
                out.append(("index", (names or INDEX_NAMES)[r.index_code]))
            seen_index, seen_area = r.index_code, None
        if r.area_code is not None and r.area_code != seen_area:
            out.append(("area", r.area_code, r.area_name, "", "", ""))
        seen_area = r.area_code
        out.append(("criterion", neutralise(r.code), neutralise(r.name),
                    neutralise("; ".join(r.lead_units)), neutralise("; ".join(r.support_units)),
                    neutralise(r.timing)))
    return out


# --- neutralise ------------------------------------------------------------------------

@pytest.mark.parametrize("text", EVIL + ["  =1+1", " -3", "\t=1"])
def test_neutralise_guards_formula_starts(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Phòng Nội vụ", "3.4", "", "Phòng Tài chính - Kế hoạch", "a=b", "'=x"])
def test_neutralise_leaves_plain_text(text):
    assert neutralise(text) == text


# --- xlsx ------------------------------------------------------------------------------

def load_xlsx(rows, **kw):
    data = task_table_xlsx(rows, **{**KW, **kw})
    return data, openpyxl.load_workbook(io.BytesIO(data))


def header_row(ws) -> int:
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == "STT":
            return cell.row
    raise AssertionError("no STT header")


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def xlsx_body(ws) -> list[tuple]:
    h = header_row(ws)
    ranges = merged(ws)
    out = []
    for row in ws.iter_rows(min_row=h + 2):
        a = row[0]
        if f"A{a.row}:E{a.row}" in ranges:
            assert a.font.b, f"index heading {a.value!r} not bold"
            out.append(("index", a.value))
            continue
        values = ["" if c.value is None else c.value for c in row[:5]]
        kind = "area" if values[2] == "" and values[4] == "" else "criterion"
        assert all(bool(c.font.b) == (kind == "area") for c in row[:2]), values
        out.append((kind, *values))
    return out


def test_xlsx_title_and_subtitle():
    _, wb = load_xlsx(par_rows())
    ws = wb.active
    assert ws.title == "Phân công nhiệm vụ"
    assert ws["A1"].value == TITLE and ws["A1"].font.b
    assert ws["A1"].alignment.horizontal == "center"
    assert ws["A2"].value == SUBTITLE and ws["A2"].font.i
    assert ws["A2"].alignment.horizontal == "center"
    assert {"A1:E1", "A2:E2"} <= merged(ws)
    assert header_row(ws) > 2


def test_xlsx_two_row_header_merges():
    _, wb = load_xlsx(par_rows())
    ws = wb.active
    h = header_row(ws)
    assert [ws.cell(h, c).value for c in range(1, 6)] == [
        "STT", "Lĩnh vực/Tiêu chí", "Phân công nhiệm vụ", None, "Thời gian thực hiện"]
    assert [ws.cell(h + 1, c).value for c in (3, 4)] == ["Cơ quan chủ trì", "Cơ quan phối hợp"]
    header_merges = {r for r in merged(ws) if str(h) in r}
    assert header_merges == {f"C{h}:D{h}", f"A{h}:A{h + 1}", f"B{h}:B{h + 1}", f"E{h}:E{h + 1}"}
    assert all(ws.cell(h, c).font.b for c in (1, 2, 3, 5))
    assert all(ws.cell(h + 1, c).font.b for c in (3, 4))
    assert ws.print_title_rows == f"${h}:${h + 1}"


def test_xlsx_body_single_index_has_no_group_heading():
    _, wb = load_xlsx(par_rows())
    assert xlsx_body(wb.active) == expected_body(par_rows())
    assert not any(r[0] == "index" for r in xlsx_body(wb.active))


def test_xlsx_body_several_indices_in_given_order():
    _, wb = load_xlsx(mixed_rows())
    body = xlsx_body(wb.active)
    assert body == expected_body(mixed_rows())
    assert [r[1] for r in body if r[0] == "index"] == [INDEX_NAMES[k] for k in ("PAR", "SIPAS", "PCI")]
    # Area rows sit directly above their first criterion.
    assert body[1] == ("area", "1", "Công tác chỉ đạo điều hành CCHC", "", "", "")
    assert body[2][1] == "1.1"


def test_xlsx_area_row_once_when_area_interleaved():
    rows = par_rows()
    rows = [rows[0], rows[2], rows[1], rows[3]]  # 1.1, 3.4, 1.3, 3.5
    _, wb = load_xlsx(rows)
    body = xlsx_body(wb.active)
    assert [r[1] for r in body] == ["1", "1.1", "1.3", "3", "3.4", "3.5"]
    assert [r[0] for r in body].count("area") == 2


def test_xlsx_vietnamese_text_survives():
    nfd = unicodedata.normalize("NFD", LDTBXH)
    rows = par_rows() + [TaskRow("PAR", "3", "Cải cách thủ tục hành chính", "3.6", "Thử", [nfd], [XA])]
    _, wb = load_xlsx(rows)
    values = [c.value for row in wb.active.iter_rows() for c in row if c.value]
    assert LDTBXH in values
    assert XA in values and "Cơ quan phối hợp" in values
    assert values.count(LDTBXH) == 2  # the NFD copy is written composed (NFC)


def test_xlsx_formula_injection_stays_text():
    data, wb = load_xlsx(mixed_rows())
    ws = wb.active
    cells = {c.value[1:]: c for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("'")}
    for evil in EVIL:
        cell = cells[evil]
        assert cell.data_type == "s"
        assert cell.value == "'" + evil
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_page_setup_widths_and_borders():
    _, wb = load_xlsx(par_rows())
    ws = wb.active
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    widths = [ws.column_dimensions[c].width for c in "ABCDE"]
    assert widths[0] < 12 and widths[1] >= 50 and widths[2] >= 35 and widths[3] >= 35 and widths[4] >= 20
    h = header_row(ws)
    for row in ws.iter_rows(min_row=h + 2, max_col=5):
        for c in row:
            assert c.border.left.style == "thin" and c.border.bottom.style == "thin"
            assert c.alignment.wrap_text


# --- docx ------------------------------------------------------------------------------

def load_docx(rows, **kw):
    return docx.Document(io.BytesIO(task_table_docx(rows, **{**KW, **kw})))


def tcs(row):
    return row._tr.tc_lst


def tc_text(tc):
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def run_bold(r) -> bool:
    rpr = r.find(qn("w:rPr"))
    b = None if rpr is None else rpr.find(qn("w:b"))
    return b is not None and b.get(qn("w:val"), "true") not in ("0", "false", "off")


def tc_bold(tc) -> bool:
    runs = [r for r in tc.iter(qn("w:r")) if r.find(qn("w:t")) is not None]
    return bool(runs) and all(run_bold(r) for r in runs)


def vmerge(tc):
    tc_pr = tc.tcPr
    el = None if tc_pr is None else tc_pr.find(qn("w:vMerge"))
    return None if el is None else (el.get(qn("w:val")) or "continue")


def docx_body(table) -> list[tuple]:
    out = []
    for row in table.rows[2:]:
        cells = tcs(row)
        if len(cells) == 1:
            assert cells[0].grid_span == 5
            assert tc_bold(cells[0])
            out.append(("index", tc_text(cells[0])))
            continue
        values = [tc_text(tc) for tc in cells]
        kind = "area" if values[2] == "" and values[4] == "" else "criterion"
        assert tc_bold(cells[0]) == (kind == "area") and tc_bold(cells[1]) == (kind == "area"), values
        out.append((kind, *values))
    return out


def test_docx_title_and_subtitle():
    d = load_docx(par_rows())
    paras = [p for p in d.paragraphs if p.text]
    assert paras[0].text == TITLE and all(r.bold for r in paras[0].runs)
    assert paras[1].text == SUBTITLE and all(r.italic for r in paras[1].runs)
    assert paras[0].alignment == paras[1].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    section = d.sections[0]
    assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    assert abs(section.page_width.mm - 297) < 1 and abs(section.page_height.mm - 210) < 1


def test_docx_two_row_header_merges_and_repeat():
    d = load_docx(par_rows())
    assert len(d.tables) == 1
    table = d.tables[0]
    top, sub = tcs(table.rows[0]), tcs(table.rows[1])
    assert [tc_text(tc) for tc in top] == ["STT", "Lĩnh vực/Tiêu chí", "Phân công nhiệm vụ", "Thời gian thực hiện"]
    assert [tc.grid_span for tc in top] == [1, 1, 2, 1]
    assert [vmerge(tc) for tc in top] == ["restart", "restart", None, "restart"]
    assert [tc_text(tc) for tc in sub] == ["", "", "Cơ quan chủ trì", "Cơ quan phối hợp", ""]
    assert [vmerge(tc) for tc in sub] == ["continue", "continue", None, None, "continue"]
    for i, row in enumerate(table.rows):
        tr_pr = row._tr.trPr
        flag = None if tr_pr is None else tr_pr.find(qn("w:tblHeader"))
        assert (flag is not None and flag.get(qn("w:val"), "true") in ("true", "1", "on")) == (i < 2), i


def test_docx_body_matches_xlsx_layout():
    d = load_docx(mixed_rows())
    assert docx_body(d.tables[0]) == expected_body(mixed_rows())
    single = load_docx(par_rows())
    assert docx_body(single.tables[0]) == expected_body(par_rows())


def test_docx_vietnamese_and_injection_text():
    d = load_docx(mixed_rows())
    texts = [tc_text(tc) for row in d.tables[0].rows for tc in tcs(row)]
    assert "Phân công nhiệm vụ" in texts
    assert any(LDTBXH == t for t in texts) and any(t.startswith("Văn phòng HĐND và UBND; UBND cấp xã") for t in texts)
    for evil in EVIL:
        assert "'" + evil in texts


# --- write_task_table ------------------------------------------------------------------

def test_write_task_table_dispatches_by_extension(tmp_path):
    write_task_table(par_rows(), tmp_path / "bang.xlsx", **KW)
    write_task_table(par_rows(), tmp_path / "bang.DOCX", **KW)
    assert openpyxl.load_workbook(tmp_path / "bang.xlsx").active["A1"].value == TITLE
    assert docx.Document(str(tmp_path / "bang.DOCX")).paragraphs[0].text == TITLE
    with zipfile.ZipFile(tmp_path / "bang.xlsx") as z:
        assert "xl/workbook.xml" in z.namelist()
    with zipfile.ZipFile(tmp_path / "bang.DOCX") as z:
        assert "word/document.xml" in z.namelist()


@pytest.mark.parametrize("name", ["bang.pdf", "bang", "bang.xls"])
def test_write_task_table_rejects_other_formats(tmp_path, name):
    with pytest.raises(ValueError, match=r"Không hỗ trợ định dạng.*\.xlsx.*\.docx"):
        write_task_table(par_rows(), tmp_path / name, **KW)
    assert not (tmp_path / name).exists()


# --- illustrative notice on every printed page ------------------------------------------

NOTICE = "SỐ LIỆU MINH HỌA — tài liệu này có dùng số liệu minh họa, không phải số liệu công bố"


def test_the_notice_is_the_briefing_mark():
    from exports.briefing import ILLUSTRATIVE_MARK, task_layout

    assert NOTICE == ILLUSTRATIVE_MARK
    assert task_layout("UBND xã Tây Đô", 2024, illustrative=True)["notice"] == ILLUSTRATIVE_MARK
    assert task_layout("UBND xã Tây Đô", 2024, illustrative=False)["notice"] is None


def test_xlsx_notice_under_the_title_and_in_the_page_header():
    _, wb = load_xlsx(par_rows(), notice=NOTICE)
    ws = wb.active
    # a visible line under the title block, in red
    assert ws["A3"].value == NOTICE and ws["A3"].font.b and ws["A3"].font.color.rgb.endswith("C00000")
    assert "A3:E3" in merged(ws)
    # the page header prints on every page (first, odd and even alike)
    for hf in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
        assert hf.center.text == NOTICE
        assert hf.center.color == "C00000"
    # the table itself is unchanged below it
    assert header_row(ws) == 4
    assert xlsx_body(ws) == expected_body(par_rows())


def test_xlsx_without_notice_has_none():
    data, wb = load_xlsx(par_rows())
    ws = wb.active
    assert ws["A3"].value is None
    assert not ws.oddHeader.center.text and not ws.oddFooter.center.text
    assert "MINH HỌA" not in data.decode("latin-1") and "minh" not in str([c.value for r in ws.iter_rows() for c in r])


def test_docx_notice_in_the_section_header_and_under_the_title():
    d = load_docx(par_rows(), notice=NOTICE)
    section = d.sections[0]
    assert not section.header.is_linked_to_previous
    header = [p for p in section.header.paragraphs if p.text]
    assert [p.text for p in header] == [NOTICE]
    assert all(r.bold and r.font.color.rgb == docx.shared.RGBColor(0xC0, 0, 0) for r in header[0].runs)
    # every page of the section prints that header: no different first page, no even pages
    assert not section.different_first_page_header_footer and not d.settings.odd_and_even_pages_header_footer
    paras = [p.text for p in d.paragraphs if p.text]
    assert paras[:3] == [TITLE, SUBTITLE, NOTICE]
    assert docx_body(d.tables[0]) == expected_body(par_rows())


def test_docx_without_notice_has_none():
    d = load_docx(par_rows())
    assert not any(p.text for p in d.sections[0].header.paragraphs)
    assert [p.text for p in d.paragraphs if p.text] == [TITLE, SUBTITLE]


def test_write_task_table_passes_the_notice(tmp_path):
    write_task_table(par_rows(), tmp_path / "bang.xlsx", **KW, notice=NOTICE)
    write_task_table(par_rows(), tmp_path / "bang.docx", **KW, notice=NOTICE)
    assert openpyxl.load_workbook(tmp_path / "bang.xlsx").active.oddHeader.center.text == NOTICE
    assert docx.Document(str(tmp_path / "bang.docx")).sections[0].header.paragraphs[0].text == NOTICE


def test_header_text_escapes_the_ampersand():
    _, wb = load_xlsx(par_rows(), notice="A & B")
    assert wb.active.oddHeader.center.text == "A && B"  # "&" alone would start a control code
