"""The progress-report template (Excel) a unit fills, and reading it back.

The template lists a unit's duties for one period, one row each, with the keys the database
needs on the left (kế hoạch, loại, chỉ số, mã, mã cơ quan) and the four things a unit reports
on the right: tình trạng (a drop-down of data/reporting/statuses.csv), kết quả đã thực hiện,
văn bản/đường dẫn minh chứng, khó khăn, vướng mắc. A row whose «Tình trạng» is left empty is
not reported (and skipped); every other problem is collected with its sheet, row and column.
Whether the duty exists and the account may report it is checked at the write
(store/reporting.py), against the database.
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from domain import reporting as vocab
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
}
REQUIRED = ["plan_id", "item_kind", "index_code", "item_code", "year", "period", "status"]
_HEADER_KEYS = {fold_loose(h): f for f, names in COLUMNS.items() for h in names}
KIND_LABEL = {"criterion": "Tiêu chí", "task": "Nhiệm vụ"}
ROLE_LABEL = {"lead": "Chủ trì", "support": "Phối hợp"}
_KINDS = {fold_loose(v): k for k, v in KIND_LABEL.items()} | {"criterion": "criterion", "task": "task"}
TEMPLATE_TYPES = (".xlsx", ".csv")


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return nfc(str(v)).strip()


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
    ValidationFailed with every problem (sheet, row, column)."""
    name = name or path.name
    if path.suffix.lower() not in TEMPLATE_TYPES:
        raise ValidationFailed([Problem(name, "mẫu báo cáo tiến độ phải là tệp .xlsx (hoặc .csv) tải từ trang «Tiến độ»")])
    guard.check_file(path, name)
    problems: list[Problem] = []
    rows: list[dict] = []
    found_header = False
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
        for _, line in grid.iloc[head + 1:].iterrows():
            rows.append(_row(line, header, name, sheet, units or {}, problems))
    if not found_header:
        problems.append(Problem(name, "không thấy dòng tiêu đề có cột «Tình trạng» và «Mã tiêu chí/nhiệm vụ»: đây "
                                      "không phải mẫu báo cáo tiến độ"))
    if problems:
        raise ValidationFailed(problems)
    reported = [r for r in rows if r is not None]
    return pd.DataFrame(reported, columns=["plan_id", "item_kind", "index_code", "item_code", "unit_code", "year",
                                           "period", "status", "done_text", "evidence", "obstacles", "source_row",
                                           "sheet"])


def _row(line: pd.Series, header: dict, name: str, sheet: str | None, units: dict[str, str],
         problems: list[Problem]) -> dict | None:
    get = {f: _cell(line[c]) for f, c in header.items()}
    where = int(line["_row"])
    texts = [get.get(f, "") for f in ("done_text", "evidence", "obstacles")]
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
    """A unit's template: its duties (store.reporting.duties rows) for one period, pre-filled with
    what it already reported for that period (``reports``: progress_reports rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation


    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = cell_text(title)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (f"Kỳ báo cáo: {vocab.period_text(period, year)}. Chọn «Tình trạng» ở mỗi dòng đã có kết quả "
                "(để trống = chưa báo cáo); không sửa các cột khóa màu xám. Nạp lại tệp ở trang «Tiến độ».")
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
                  "evidence": had.get("evidence"), "obstacles": had.get("obstacles")}
        for j, f in enumerate(fields, 1):
            c = ws.cell(i, j, cell_text(values[f]) if isinstance(values[f], str) else values[f])
            c.alignment = Alignment(wrap_text=True, vertical="top")
            if j <= 10:
                c.fill = key_fill
    last = head + max(len(duties), 1)
    status_col = fields.index("status") + 1
    letter = ws.cell(head, status_col).column_letter
    dv = DataValidation(type="list", formula1='"' + ",".join(vocab.STATUS_LABEL.values()) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Tình trạng",
                        error="Chọn một tình trạng trong danh sách")
    ws.add_data_validation(dv)
    dv.add(f"{letter}{head + 1}:{letter}{last}")
    widths = [14, 10, 8, 10, 48, 16, 28, 10, 7, 12, 18, 48, 30, 30]
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(head, j).column_letter].width = w
    ws.freeze_panes = ws.cell(head + 1, 6)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
