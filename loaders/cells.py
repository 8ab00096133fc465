"""Decoding CSV text whatever the encoding, and reading worksheets into rows of cells.

Offices send CSV from Excel (UTF-8 with or without BOM, UTF-16, Windows-1258). Worksheets
come back as lists of raw cell values with the 1-based row number the user would see, so
that problems can point at the right line.
"""
from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

from domain.problems import Problem, ValidationFailed
from loaders.guard import check_shape, current, not_xlsx


def decode_bytes(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1258", errors="strict")


def unreadable(name: str, exc: Exception) -> ValidationFailed:
    """A workbook that could not be parsed, said in Vietnamese (defusedxml's refusals of
    entity expansion and external references included: openpyxl parses through it)."""
    causes, e = [], exc
    while e is not None and len(causes) < 5:  # openpyxl wraps the parser's error in a ValueError
        causes.append(e.__class__.__name__)
        e = e.__cause__ or e.__context__
    kind = causes[0]
    if {"DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden"} & set(causes):
        return ValidationFailed([Problem(name, "bảng tính chứa khai báo XML bị cấm (DTD, thực thể hoặc tham chiếu "
                                               "ra ngoài), có thể là tệp độc hại: không đọc")])
    return ValidationFailed([Problem(name, f"không mở được bảng tính: tệp bị hỏng ({kind}); mở bằng Excel rồi lưu lại dạng .xlsx")])


def read_xlsx_sheets(path: Path, name: str) -> list[tuple[str, list[tuple[int, list]]]]:
    """Every worksheet as (sheet name, [(row number, values)]), trailing empty cells dropped."""
    import openpyxl  # defusedxml installed: openpyxl then parses XML safely


    lim = current()
    if not zipfile.is_zipfile(path):
        raise not_xlsx(name)
    try:
        uncached = uncached_formulas(path, name)
    except Exception as exc:  # noqa: BLE001 - a broken zip or XML: tell the user, keep the reason
        raise unreadable(name, exc) from None
    if uncached:
        raise ValidationFailed(uncached)
    with warnings.catch_warnings():  # unknown Excel extensions carry no data; read-only parses lazily
        warnings.simplefilter("ignore", UserWarning)
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            out = [(ws.title, _bounded_rows(ws, name, lim)) for ws in wb.worksheets]
            wb.close()
        except ValidationFailed:
            raise
        except Exception as exc:  # a broken zip or XML: tell the user, keep the reason
            raise unreadable(name, exc) from None
    return out


def _bounded_rows(ws, name: str, lim) -> list[tuple[int, list]]:
    """A sheet's rows, refusing it once it has more rows or filled columns than the limits
    allow (a workbook's declared dimensions can lie, so this counts what is really there)."""

    rows = []
    for i, r in enumerate(ws.iter_rows(values_only=True), 1):
        values = list(r)
        while values and values[-1] is None:
            values.pop()
        if len(values) > lim.max_columns:
            check_shape(name, ws.title, None, len(values), lim)
        rows.append((i, values))
        if i > lim.max_rows:
            check_shape(name, ws.title, i, None, lim)
    return rows


def peek_xlsx(path: Path, name: str, n_rows: int = 5) -> list[list]:
    """The first rows of every worksheet, without reading the rest: enough to tell a tidy
    template from a publisher's table or a plan appendix."""
    import openpyxl

    if not zipfile.is_zipfile(path):
        raise not_xlsx(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            rows = [list(r) for ws in wb.worksheets for r in ws.iter_rows(max_row=n_rows, values_only=True)]
            wb.close()
        except Exception as exc:  # a broken zip or XML: tell the user, keep the reason
            raise unreadable(name, exc) from None
    return rows


_FORMULA_TAGS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ")


def uncached_formulas(path: Path, name: str, limit: int = 20) -> list[Problem]:
    """Cells holding a formula but no computed value, one Problem each (at most ``limit``).

    A workbook written by a program (not saved by Excel or LibreOffice) stores formulas
    without their results; a reader then sees an empty cell where a score should be. Only
    sheets whose XML contains a formula tag are parsed, with defusedxml."""
    from defusedxml.ElementTree import fromstring, iterparse

    problems: list[Problem] = []
    with zipfile.ZipFile(path) as zf:
        members = [i.filename for i in zf.infolist()
                   if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        with_formulas = [m for m in members if _has_formula_tag(zf, m)]
        if not with_formulas:
            return problems
        titles = _sheet_titles(zf, fromstring)
        for member in with_formulas:
            with zf.open(member) as fh:
                for _, el in iterparse(fh, events=("end",)):
                    if el.tag.rsplit("}", 1)[-1] != "c":
                        continue
                    kids = {child.tag.rsplit("}", 1)[-1]: child for child in el}
                    if "f" in kids and not (kids["v"].text if "v" in kids else None):  # <v/> is no value either
                        ref = el.get("r", "")
                        col = ref.rstrip("0123456789")
                        row = ref[len(col):]
                        problems.append(Problem(name, f"ô {ref} có công thức nhưng không có giá trị đã tính "
                                                      "(tệp chưa từng được mở bằng Excel): mở tệp bằng Excel hoặc "
                                                      "LibreOffice, lưu lại rồi nạp lại", titles.get(member),
                                                int(row) if row.isdigit() else None, col or None))
                        if len(problems) >= limit:
                            return problems
                    el.clear()
    return problems


def _has_formula_tag(zf: zipfile.ZipFile, member: str) -> bool:
    """Scan one sheet's XML in 1 MB pieces (a sheet can inflate to hundreds of MB)."""
    with zf.open(member) as fh:
        tail = b""
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            buf = tail + chunk
            if any(t in buf for t in _FORMULA_TAGS):
                return True
            tail = buf[-3:]  # a tag cut between two pieces
    return False


def _sheet_titles(zf: zipfile.ZipFile, fromstring) -> dict[str, str]:
    """Worksheet member path -> the sheet's name as Excel shows it."""
    try:
        book = fromstring(zf.read("xl/workbook.xml"))
        rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 - names are a nicety; the cell reference still holds
        return {}
    target = {r.get("Id"): r.get("Target", "").lstrip("/") for r in rels}
    out = {}
    for el in book.iter():
        if el.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            t = target.get(rid, "")
            out[t if t.startswith("xl/") else f"xl/{t}"] = el.get("name")
    return out
