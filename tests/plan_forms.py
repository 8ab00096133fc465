"""Test fixtures: the plan's appendix tables written as Word and Excel files.

The cell texts come from the markdown as parsed (``PlanCriterion``), so a test can check that
the three formats give the same task map. The files imitate what an office produces: a
"Phụ lục N" title, a two-row header with "Phân công nhiệm vụ" merged over the two unit
columns, tables split where page breaks fall (Word) or repeated headers after a blank row
(Excel), and area rows whose name is merged across the unit and timing columns.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from openpyxl import Workbook

TITLES = {
    1: "NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN 2023 - 2025",
    2: "NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CHỈ SỐ HÀI LÒNG GIAI ĐOẠN 2023 - 2025",
    3: "NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CHỈ SỐ HIỆU QUẢ QUẢN TRỊ VÀ HÀNH CHÍNH CÔNG",
}
ATTACHED = "(Kèm theo Kế hoạch số: /KH-UBND ngày /11/2023 của UBND huyện Vĩnh Lộc)"
HEADER_1 = ["STT", "Lĩnh vực/Tiêu chí", "Phân công nhiệm vụ", "", "Thời gian thực hiện"]
HEADER_2 = ["", "", "Cơ quan chủ trì", "Cơ quan phối hợp", ""]


def appendix_rows(criteria) -> dict[int, list[list[str]]]:
    """appendix → rows of [STT, name, lead, support, timing], in document order."""
    out: dict[int, list[list[str]]] = {}
    for c in criteria:
        out.setdefault(c.appendix, []).append([c.code, c.name, c.lead_text, c.support_text, c.timing])
    return out


def _chunks(rows: list, size: int) -> list[list]:
    return [rows[k:k + size] for k in range(0, len(rows), size)]


def write_appendix_docx(criteria, path: Path, rows_per_table: int = 7,
                        titles: bool = True, merge_area_rows: bool = True) -> Path:
    """A Word file with each appendix split into tables of ``rows_per_table`` rows.

    ``titles=False`` leaves out the "Phụ lục N" paragraphs (the reader then numbers the
    appendices in document order).
    """
    doc = Document()
    doc.add_paragraph("(Có các Phụ lục số 1, 2, 3 kèm theo).")
    # A table that is not an appendix (the signature block) must be ignored.
    sig = doc.add_table(rows=1, cols=2)
    sig.cell(0, 0).text = "Nơi nhận:"
    sig.cell(0, 1).text = "CHỦ TỊCH"
    for appendix, rows in appendix_rows(criteria).items():
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if titles:
            doc.add_paragraph(f"Phụ lục {appendix}")
            doc.add_paragraph(TITLES.get(appendix, ""))
            doc.add_paragraph(ATTACHED)
        for k, chunk in enumerate(_chunks(rows, rows_per_table)):
            if k:  # a page break splits the table; the header is repeated
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            table = doc.add_table(rows=2 + len(chunk), cols=5)
            table.style = "Table Grid"
            for j in (0, 1, 4):  # STT, name and timing span both header rows
                table.cell(0, j).merge(table.cell(1, j)).text = HEADER_1[j]
            table.cell(0, 2).merge(table.cell(0, 3)).text = HEADER_1[2]
            table.cell(1, 2).text = HEADER_2[2]
            table.cell(1, 3).text = HEADER_2[3]
            for i, row in enumerate(chunk, start=2):
                is_area = "." not in row[0]
                if is_area and merge_area_rows and not any(row[2:]):
                    table.cell(i, 0).text = row[0]
                    table.cell(i, 1).merge(table.cell(i, 4)).text = row[1]
                    continue
                for j, text in enumerate(row):
                    table.cell(i, j).text = text
    doc.save(str(path))
    return Path(path)


def write_appendix_xlsx(criteria, path: Path, rows_per_page: int = 12,
                        sheet_names: dict[int, str] | None = None,
                        merge_area_rows: bool = True) -> Path:
    """An Excel file with one sheet per appendix: a title block, a merged two-row header,
    then the rows, with a blank row and a repeated header every ``rows_per_page`` rows."""
    wb = Workbook()
    wb.remove(wb.active)
    for appendix, rows in appendix_rows(criteria).items():
        name = (sheet_names or {}).get(appendix, f"Bảng {appendix}")
        ws = wb.create_sheet(name)
        ws.append([f"Phụ lục {appendix}"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
        ws.append([TITLES.get(appendix, "")])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=5)
        ws.append([ATTACHED])
        ws.append([])

        def header() -> None:
            ws.append(HEADER_1)
            top = ws.max_row  # after the append: an empty ws.append([]) does not move max_row
            ws.append(HEADER_2)
            for col in (1, 2, 5):
                ws.cell(top + 1, col).value = None
                ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
            ws.merge_cells(start_row=top, start_column=3, end_row=top, end_column=4)

        for k, chunk in enumerate(_chunks(rows, rows_per_page)):
            if k:
                ws.append([])
            header()
            for row in chunk:
                is_area = "." not in row[0]
                code: object = int(row[0]) if is_area else row[0]  # as Excel would store it
                if is_area and merge_area_rows and not any(row[2:]):
                    ws.append([code, row[1]])
                    r = ws.max_row
                    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
                else:
                    ws.append([code, *row[1:]])
    wb.save(str(path))
    return Path(path)
