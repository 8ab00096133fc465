"""Decoding CSV text whatever the encoding, and reading worksheets into rows of cells.

Offices send CSV from Excel (UTF-8 with or without BOM, UTF-16, Windows-1258). Worksheets
come back as lists of raw cell values with the 1-based row number the user would see, so
that problems can point at the right line.
"""
from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

from domain.problems import Problem, ValidationFailed
from loaders.guard import check_rows, check_shape, current, not_xlsx, sheet_titles


def decode_bytes(raw: bytes, name: str | None = None) -> str:
    """The text of a CSV file: UTF-16 (by its byte-order mark), else UTF-8, else Windows-1258.

    A file that is not wholly UTF-8 is Windows-1258 only if no line of it holds UTF-8: a file
    whose lines were written in both (pasted together from two sources, or a UTF-8 name typed
    into a Windows-1258 file) would read as «Tá»\u2018t» instead of «Tốt», so it is refused
    (ValidationFailed naming the first line in the other encoding). Bytes that are no
    Windows-1258 either raise UnicodeDecodeError."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mixed = mixed_encoding(raw)
    if mixed is not None:
        raise ValidationFailed([Problem(name or "tệp", mixed[1], None, mixed[0])])
    return raw.decode("cp1258", errors="strict")


# UTF-8 sequences of Vietnamese letters: Latin-1 and Latin Extended-A/B (à, ă, đ, ơ, ư…, and the
# no-break space), combining tone marks (decomposed text), and the Latin Extended Additional
# block (ố, ệ…). Read as Windows-1258 they become «Ã», «Ä‘», «á»\u2018»; in real Windows-1258
# text such a pair (a capital or tone-mark byte followed by a symbol in 0x80–0xBF) hardly occurs.
_UTF8_LETTER = re.compile(rb"[\xc2-\xc6][\x80-\xbf]|\xcc[\x80-\xa3]|\xe1[\xb8-\xbb][\x80-\xbf]")
_FIX = "hãy mở tệp bằng Excel (hoặc Notepad) và lưu lại cả tệp một bảng mã, tốt nhất là «CSV UTF-8»"


def mixed_encoding(raw: bytes) -> tuple[int, str] | None:
    """(line number, Vietnamese message) of the first line whose encoding differs from the
    lines before it (UTF-8 against a single-byte encoding such as Windows-1258), or of a line
    that mixes both; None when the file is consistently one or the other."""
    main = None
    for number, line in enumerate(raw.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            kind = "utf-8"
        except UnicodeDecodeError:
            if _UTF8_LETTER.search(line):
                return number, ("dòng này lẫn chữ viết bằng UTF-8 với chữ viết bằng bảng mã khác (Windows-1258): "
                                f"đọc ra sẽ thành chữ lỗi như «Tá»\u2018t» thay vì «Tốt»; {_FIX}")
            kind = "single"
        if main is None:
            main = kind
        elif kind != main:
            if kind == "single":
                return number, ("dòng này không viết bằng UTF-8 như các dòng trước (có vẻ là Windows-1258): tệp lẫn "
                                f"hai bảng mã, đọc ra sẽ thành chữ lỗi; {_FIX}")
            return number, ("dòng này viết bằng UTF-8, còn các dòng trước bằng Windows-1258: tệp lẫn hai bảng mã, "
                            f"đọc ra sẽ thành chữ lỗi như «Tá»\u2018t» thay vì «Tốt»; {_FIX}")
    return None


def first_non_utf8_line(raw: bytes) -> int | None:
    """The number of the first line that is not UTF-8, for a file that must be UTF-8."""
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


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
            _check_declared(wb.worksheets, name, lim)
            out, so_far = [], 0
            for ws in wb.worksheets:
                # read-only openpyxl stops at the declared last row: a sheet that understates its
                # size would lose its other rows without a word. Read what is there, counted.
                ws.reset_dimensions()
                rows = _bounded_rows(ws, name, lim, so_far)
                so_far += len(rows)
                out.append((ws.title, rows))
            wb.close()
        except ValidationFailed:
            raise
        except Exception as exc:  # a broken zip or XML: tell the user, keep the reason
            raise unreadable(name, exc) from None
    return out


def _check_declared(worksheets, name: str, lim) -> None:
    """Refuse a workbook whose sheets declare more rows than max_rows between them, before a
    row is read (read-only openpyxl takes ``max_row`` from the sheet's <dimension> tag)."""
    declared = 0
    for ws in worksheets:
        rows = ws.max_row if isinstance(ws.max_row, int) else 0
        declared += rows
        check_rows(name, ws.title, rows, declared, lim)


def _bounded_rows(ws, name: str, lim, before: int = 0) -> list[tuple[int, list]]:
    """A sheet's rows, refusing it once it has more filled columns than the limits allow, or
    once its rows and the ``before`` rows of the sheets read already are more than max_rows
    (a workbook's declared dimensions can lie, so this counts what is really there)."""

    rows = []
    for i, r in enumerate(ws.iter_rows(values_only=True), 1):
        values = list(r)
        while values and values[-1] is None:
            values.pop()
        if len(values) > lim.max_columns:
            check_shape(name, ws.title, None, len(values), lim)
        rows.append((i, values))
        check_rows(name, ws.title, i, before + i, lim)
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
    from defusedxml.ElementTree import iterparse

    problems: list[Problem] = []
    with zipfile.ZipFile(path) as zf:
        members = [i.filename for i in zf.infolist()
                   if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        with_formulas = [m for m in members if _has_formula_tag(zf, m)]
        if not with_formulas:
            return problems
        titles = sheet_titles(zf)
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
