"""The progress-report template (Excel) a unit fills, and reading it back.

The template lists a unit's duties for one period, one row each, with the keys the database
needs on the left (kế hoạch, loại, chỉ số, mã, mã cơ quan) and the four things a unit reports
on the right: tình trạng (a drop-down of data/progress/statuses.csv), kết quả đã thực hiện,
văn bản/đường dẫn minh chứng, khó khăn, vướng mắc; last, grey like the keys and for reading
only, the evidence file already attached to the row («Tệp minh chứng đã đính kèm»: files are
attached, replaced and removed on the page, never through the template). A row whose «Tình
trạng» is left empty is not reported (and skipped); every other problem is collected with its
sheet, row and column. Whether the duty exists and the account may report it is checked at the
write (store/progress.py), against the database.

A template goes out and comes back without a change to what it shows: the texts come back as
they were stored (the quote that keeps «- Đã ban hành…» from being read as a formula is taken off
again), the attached file is not a column the reader returns, so the write keeps it, and a text
column missing from the file (a CSV with only some columns) is not returned either: the write
keeps what is stored there rather than emptying it.
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from domain import progress as vocab
from domain.problems import Problem, ValidationFailed
from domain.text import cell_text, fold_loose, nfc
from loaders import guard
from loaders.tidy import read_tables

SHEET = "Báo cáo tiến độ"
# field -> accepted headers (the first is the template's)
COLUMNS = {
    "plan_id": ("Mã kế hoạch", "plan_id", "ke hoach"),
    "item_kind": ("Loại", "item_kind", "loai viec"),
    "index_code": ("Chỉ số", "index_code", "index"),
    "item_code": ("Mã tiêu chí/nhiệm vụ", "item_code", "ma", "ma tieu chi", "ma nhiem vu"),
    "item_name": ("Nội dung", "item_name", "tieu chi", "nhiem vu"),
    "unit_code": ("Mã cơ quan", "unit_code"),
    "unit_name": ("Cơ quan", "unit", "unit_name", "co quan bao cao"),
    "role": ("Vai trò", "role"),
    "year": ("Năm", "year"),
    "period": ("Kỳ báo cáo", "period", "ky"),
    "status": ("Tình trạng", "status", "tinh trang thuc hien"),
    "done_text": ("Kết quả đã thực hiện", "done_text", "ket qua", "noi dung da thuc hien"),
    "evidence": ("Văn bản, đường dẫn minh chứng", "evidence", "minh chung", "van ban minh chung"),
    "obstacles": ("Khó khăn, vướng mắc", "obstacles", "kho khan", "vuong mac"),
    # shown for reading only: the reader never returns it (store/progress.save_reports keeps the file)
    "evidence_file": ("Tệp minh chứng đã đính kèm", "evidence_file"),
}
REQUIRED = ["plan_id", "item_kind", "index_code", "item_code", "year", "period", "status"]
_HEADER_KEYS = {fold_loose(h): f for f, names in COLUMNS.items() for h in names}
KIND_LABEL = {"criterion": "Tiêu chí", "task": "Nhiệm vụ"}
ROLE_LABEL = {"lead": "Chủ trì", "support": "Phối hợp"}
_KINDS = {fold_loose(v): k for k, v in KIND_LABEL.items()} | {"criterion": "criterion", "task": "task"}
TEMPLATE_TYPES = (".xlsx", ".csv")
TEXTS = ["done_text", "evidence", "obstacles"]  # what a unit writes; each returned only if the file has its column
READ_ONLY = {"plan_id", "item_kind", "index_code", "item_code", "item_name", "unit_code", "unit_name", "role",
             "year", "period", "evidence_file"}  # grey in the template
EVIDENCE_FILE_NOTE = ("Chỉ để xem: tệp minh chứng đã đính kèm cho dòng này. Đính kèm, thay hay gỡ tệp ở trang "
                      "«Tiến độ», mục «Đính kèm tệp minh chứng»; sửa hay xóa ô này trong mẫu không thay đổi gì.")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what domain.text.cell_text guards with a leading quote


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return nfc(str(v)).strip()


def _unquoted(text: str) -> str:
    """A text as it was before the template wrote it: cell_text puts a quote before a text that
    starts like a formula («- Đã ban hành…» → «'- Đã ban hành…»); take it off again, or every
    round trip would change the report."""
    if text.startswith("'") and text[1:].lstrip(" ").startswith(_FORMULA_START):
        return text[1:]
    return text


def _header_row(grid: pd.DataFrame) -> int | None:
    """Position of the first row that names the «Tình trạng» column (title lines may precede it)."""
    for pos in range(min(len(grid), 15)):
        keys = {_HEADER_KEYS.get(fold_loose(_cell(v))) for v in grid.iloc[pos].drop(labels="_row")}
        if "status" in keys and "item_code" in keys:
            return pos
    return None


def read_progress(path: Path, name: str | None = None, *, units: dict[str, str] | None = None) -> pd.DataFrame:
    """The reported rows of a filled template (.xlsx or .csv), one per row whose «Tình trạng» is
    filled, with the codes the database keys on and ``source_row``/``sheet``. ``units``: unit
    name (folded) -> code, to read a row that names its unit but not the code.
    ValidationFailed with every problem (sheet, row, column).

    Only the texts whose columns the file has are returned (``TEXTS``): a save then keeps what is
    stored for the others instead of emptying them. Every sheet with reports must have the same
    text columns. «Tệp minh chứng đã đính kèm» is never returned: files are attached and removed
    on the page."""
    name = name or path.name
    if path.suffix.lower() not in TEMPLATE_TYPES:
        raise ValidationFailed([Problem(name, "mẫu báo cáo tiến độ phải là tệp .xlsx (hoặc .csv) tải từ trang «Tiến độ»")])
    guard.check_file(path, name, guard.load_limits().for_reports())  # before any parser: max_report_rows
    problems: list[Problem] = []
    rows: list[dict] = []
    found_header = False
    carried: dict[str | None, tuple[set[str], int]] = {}  # sheet -> (its text columns, its header row)
    for sheet, grid in read_tables(path, name):
        if grid.empty:
            continue
        head = _header_row(grid)
        if head is None:
            continue
        found_header = True
        header = {}
        for col, v in grid.iloc[head].drop(labels="_row").items():
            field = _HEADER_KEYS.get(fold_loose(_cell(v)))
            if field and field not in header:
                header[field] = col
        missing = [COLUMNS[f][0] for f in REQUIRED if f not in header]
        if "unit_code" not in header and "unit_name" not in header:
            missing.append(COLUMNS["unit_code"][0])
        if missing:
            problems.append(Problem(name, f"thiếu cột {', '.join('«' + m + '»' for m in missing)} (hãy dùng mẫu tải từ "
                                          "trang «Tiến độ»)", sheet, int(grid.iloc[head]["_row"])))
            continue
        before = len(rows)
        for _, line in grid.iloc[head + 1:].iterrows():
            rows.append(_row(line, header, name, sheet, units or {}, problems))
        if any(r is not None for r in rows[before:]):
            carried[sheet] = ({f for f in TEXTS if f in header}, int(grid.iloc[head]["_row"]))
    texts = set().union(*(c for c, _ in carried.values())) if carried else set()
    for sheet, (has, at) in carried.items():
        if has != texts:
            other = next(s for s, (c, _) in carried.items() if c - has)
            lacking = ", ".join(f"«{COLUMNS[f][0]}»" for f in TEXTS if f in texts - has)
            problems.append(Problem(name, f"trang tính này thiếu cột {lacking} mà trang tính «{other}» có: mọi trang "
                                          "tính có báo cáo phải có cùng các cột (thiếu cột thì không biết nên giữ hay "
                                          "xóa nội dung đã báo cáo)", sheet, at))
    if not found_header:
        problems.append(Problem(name, "không thấy dòng tiêu đề có cột «Tình trạng» và «Mã tiêu chí/nhiệm vụ»: đây "
                                      "không phải mẫu báo cáo tiến độ"))
    if problems:
        raise ValidationFailed(problems)
    reported = [r for r in rows if r is not None]
    return pd.DataFrame(reported, columns=["plan_id", "item_kind", "index_code", "item_code", "unit_code", "year",
                                           "period", "status", *(f for f in TEXTS if f in texts), "source_row",
                                           "sheet"])


def _row(line: pd.Series, header: dict, name: str, sheet: str | None, units: dict[str, str],
         problems: list[Problem]) -> dict | None:
    get = {f: _cell(line[c]) for f, c in header.items()}
    where = int(line["_row"])
    texts = [_unquoted(get.get(f, "")) for f in TEXTS]
    if not get.get("status"):
        if any(texts):
            problems.append(Problem(name, "đã ghi kết quả hoặc khó khăn nhưng chưa chọn «Tình trạng»", sheet, where,
                                    COLUMNS["status"][0]))
        return None  # not reported this period

    def bad(field: str, message: str) -> None:
        problems.append(Problem(name, message, sheet, where, COLUMNS[field][0]))

    status = vocab.parse_status(get["status"])
    if status is None:
        bad("status", f"«{get['status']}» không phải tình trạng; chọn một trong: {', '.join(vocab.STATUS_LABEL.values())}")
    period = vocab.parse_period(get.get("period"))
    if period is None:
        bad("period", f"«{get.get('period', '')}» không phải kỳ báo cáo; ghi một trong: "
                      f"{', '.join(vocab.PERIOD_LABEL.values())}")
    kind = _KINDS.get(fold_loose(get.get("item_kind", "")))
    if kind is None:
        bad("item_kind", f"«{get.get('item_kind', '')}» phải là «Tiêu chí» hoặc «Nhiệm vụ»")
    year = None
    try:
        year = int(get.get("year", ""))
    except ValueError:
        bad("year", f"«{get.get('year', '')}» không phải năm (ví dụ 2026)")
    unit = get.get("unit_code") or units.get(fold_loose(get.get("unit_name", "")))
    if not unit:
        bad("unit_code" if "unit_code" in header else "unit_name",
            f"không nhận ra cơ quan «{get.get('unit_name', '')}»; ghi mã cơ quan như trong mẫu")
    for field in ("plan_id", "index_code", "item_code"):
        if not get.get(field):
            bad(field, "ô này không được để trống (khóa của dòng trong mẫu)")
    return {"plan_id": get.get("plan_id"), "item_kind": kind, "index_code": get.get("index_code", "").upper(),
            "item_code": get.get("item_code"), "unit_code": unit, "year": year, "period": period, "status": status,
            "done_text": texts[0] or None, "evidence": texts[1] or None, "obstacles": texts[2] or None,
            "source_row": where, "sheet": sheet}


# ---------------------------------------------------------------- the template


def template_xlsx(duties: pd.DataFrame, *, year: int, period: str, title: str, reports: pd.DataFrame | None = None,
                  illustrative: bool = False) -> bytes:
    """A unit's template: its duties (store.progress.duties rows) for one period, pre-filled with
    what it already reported for that period (``reports``: progress_reports rows), the name of
    each row's attached evidence file included (grey, for reading only: EVIDENCE_FILE_NOTE)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation


    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = cell_text(title)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (f"Kỳ báo cáo: {vocab.period_text(period, year)}. Chọn «Tình trạng» ở mỗi dòng đã có kết quả "
                "(để trống = chưa báo cáo); không sửa các cột màu xám (cột «Tệp minh chứng đã đính kèm» chỉ để xem: "
                "đính kèm, gỡ tệp ở trang «Tiến độ»). Nạp lại tệp ở trang «Tiến độ».")
    ws["A2"].font = Font(italic=True)
    if illustrative:
        ws["A3"] = "SỐ LIỆU MINH HỌA: các báo cáo có sẵn trong mẫu là minh họa, không phải báo cáo thật."
        ws["A3"].font = Font(bold=True, color="C00000")
    head = 4
    fields = list(COLUMNS)
    for j, f in enumerate(fields, 1):
        c = ws.cell(head, j, COLUMNS[f][0])
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center")
        if f == "evidence_file":
            c.comment = Comment(EVIDENCE_FILE_NOTE, "Chỉ số")
    key_fill = PatternFill("solid", fgColor="E7E6E6")
    previous = {}
    if reports is not None and len(reports):
        for r in reports.to_dict("records"):
            previous[(r["plan_id"], r["item_kind"], r["index_code"], r["item_code"], r["unit_code"])] = r
    for i, d in enumerate(duties.to_dict("records"), head + 1):
        had = previous.get((d["plan_id"], d["item_kind"], d["index_code"], d["item_code"], d["unit_code"]), {})
        values = {"plan_id": d["plan_id"], "item_kind": KIND_LABEL[d["item_kind"]], "index_code": d["index_code"],
                  "item_code": d["item_code"], "item_name": d["item_name"], "unit_code": d["unit_code"],
                  "unit_name": d["unit_name"], "role": ROLE_LABEL.get(d["role"], d["role"]), "year": year,
                  "period": vocab.PERIOD_LABEL[period],
                  "status": vocab.STATUS_LABEL.get(had.get("status"), ""), "done_text": had.get("done_text"),
                  "evidence": had.get("evidence"), "obstacles": had.get("obstacles"),
                  "evidence_file": Path(had["evidence_file"]).name if isinstance(had.get("evidence_file"), str) else None}
        for j, f in enumerate(fields, 1):
            c = ws.cell(i, j, cell_text(values[f]) if isinstance(values[f], str) else values[f])
            c.alignment = Alignment(wrap_text=True, vertical="top")
            if f in READ_ONLY:
                c.fill = key_fill
    last = head + max(len(duties), 1)
    status_col = fields.index("status") + 1
    letter = ws.cell(head, status_col).column_letter
    dv = DataValidation(type="list", formula1='"' + ",".join(vocab.STATUS_LABEL.values()) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Tình trạng",
                        error="Chọn một tình trạng trong danh sách")
    ws.add_data_validation(dv)
    dv.add(f"{letter}{head + 1}:{letter}{last}")
    files = ws.cell(head, fields.index("evidence_file") + 1).column_letter
    note = DataValidation(allow_blank=True, showInputMessage=True, promptTitle="Chỉ để xem", prompt=EVIDENCE_FILE_NOTE)
    ws.add_data_validation(note)  # Excel shows the note when a cell of the column is selected
    note.add(f"{files}{head + 1}:{files}{last}")
    widths = [14, 10, 8, 10, 48, 16, 28, 10, 7, 12, 18, 48, 30, 30, 30]
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(head, j).column_letter].width = w
    ws.freeze_panes = ws.cell(head + 1, 6)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
