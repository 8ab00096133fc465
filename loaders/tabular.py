"""Decoding CSV text whatever the encoding, and reading worksheets into rows of cells.

Offices send CSV from Excel (UTF-8 with or without BOM, UTF-16, Windows-1258). Worksheets
come back as lists of raw cell values with the 1-based row number the user would see, so
that problems can point at the right line.
"""
from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

from loaders.problems import Problem, ValidationFailed


def decode_bytes(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1258", errors="strict")


def read_xlsx_sheets(path: Path, name: str) -> list[tuple[str, list[tuple[int, list]]]]:
    """Every worksheet as (sheet name, [(row number, values)])."""
    import openpyxl  # defusedxml installed: openpyxl then parses XML safely

    if not zipfile.is_zipfile(path):
        raise ValidationFailed([Problem(name, "tệp không phải bảng tính Excel .xlsx hợp lệ (mở bằng Excel rồi lưu lại dạng .xlsx)")])
    with warnings.catch_warnings():  # unknown Excel extensions carry no data; read-only parses lazily
        warnings.simplefilter("ignore", UserWarning)
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            out = [(ws.title, [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), 1)])
                   for ws in wb.worksheets]
            wb.close()
        except Exception as exc:  # a broken zip or XML: tell the user, keep the reason
            raise ValidationFailed([Problem(name, f"không mở được bảng tính: {exc.__class__.__name__}")]) from None
    return out


def peek_xlsx(path: Path, name: str, n_rows: int = 5) -> list[list]:
    """The first rows of every worksheet, without reading the rest: enough to tell a tidy
    template from a publisher's table or a plan appendix."""
    import openpyxl

    if not zipfile.is_zipfile(path):
        raise ValidationFailed([Problem(name, "tệp không phải bảng tính Excel .xlsx hợp lệ (mở bằng Excel rồi lưu lại dạng .xlsx)")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            rows = [list(r) for ws in wb.worksheets for r in ws.iter_rows(max_row=n_rows, values_only=True)]
            wb.close()
        except Exception as exc:  # a broken zip or XML: tell the user, keep the reason
            raise ValidationFailed([Problem(name, f"không mở được bảng tính: {exc.__class__.__name__}")]) from None
    return rows
