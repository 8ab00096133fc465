"""Decoding CSV text whatever the encoding, and reading worksheets into rows of cells.

Offices send CSV from Excel (UTF-8 with or without BOM, UTF-16, Windows-1258). Worksheets
come back as lists of raw cell values with the 1-based row number the user would see, so
that problems can point at the right line. An .xlsx is a ``Workbook``, loaded once however
many times it is looked at (its first rows to tell what it is, then every sheet), and handed
to the reader that interprets it (``tidy``, ``publisher``).
"""
from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from domain.problems import Problem, ValidationFailed
from loaders.guard import Limits, check_rows, check_shape, load_limits, not_xlsx, sheet_titles


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


def csv_problem(name: str, reason: str) -> Problem:
    """pandas' parser message about a CSV file, said in Vietnamese with the row it points at."""
    if m := re.search(r"EOF inside string starting at row (\d+)", reason):
        row = int(m.group(1)) + 1
        return Problem(name, "dấu ngoặc kép mở ở dòng này không được đóng đến hết tệp: tệp bị cắt cụt hoặc "
                             "một ô chứa dấu \" lẻ", None, row)
    if m := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", reason):
        return Problem(name, f"dòng có {m.group(3)} ô, nhiều hơn các dòng trước ({m.group(1)} ô): thừa dấu phân cách "
                             "hoặc một ô có dấu phẩy mà không đặt trong ngoặc kép", None, int(m.group(2)))
    return Problem(name, "không đọc được tệp CSV (tệp hỏng hoặc bị cắt cụt)")


# ---------------------------------------------------------------- workbooks

@dataclass
class Sheet:
    """One worksheet as read. ``rows``: (row number, values), trailing empty cells dropped.
    ``merged``: its merged ranges as (first row, end row, first column, end column), 0-based and
    the ends exclusive (read only when asked). ``size``: (last row, last column) of every cell
    the sheet stores (an empty formatted one too) and of its merged ranges, as openpyxl's full
    mode reports max_row and max_column (1 and 1 for an empty sheet)."""
    title: str
    rows: list[tuple[int, list]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    size: tuple[int, int] = (1, 1)


class Workbook:
    """One .xlsx, loaded at most once (read-only openpyxl, which parses through defusedxml) and
    read in the order an import needs it: ``head_rows`` (what kind of file it is), then
    ``sheets`` (its formulas stored without a value, then every sheet within the limits).
    Problems are ValidationFailed naming ``name``."""

    def __init__(self, path: Path, name: str, limits: Limits):
        self.path, self.name, self.limits = path, name, limits
        self._book = None

    def _loaded(self):
        import openpyxl  # defusedxml installed: openpyxl then parses XML safely

        if self._book is None:
            self._book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        return self._book

    def close(self) -> None:
        if self._book is not None:
            self._book.close()

    def head_rows(self, n_rows: int = 5) -> list[list]:
        """The first rows of every worksheet, without reading the rest: enough to tell a tidy
        template from a publisher's table or a plan appendix."""
        with warnings.catch_warnings():  # unknown Excel extensions carry no data; read-only parses lazily
            warnings.simplefilter("ignore", UserWarning)
            try:
                return [list(r) for ws in self._loaded().worksheets
                        for r in ws.iter_rows(max_row=n_rows, values_only=True)]
            except Exception as exc:  # a broken zip or XML: tell the user, keep the reason
                raise unreadable(self.name, exc) from None

    def sheets(self, *, layout: bool = False) -> list[Sheet]:
        """Every worksheet: refused first for formulas stored without a value, then read within
        the limits: by the rows the sheets declare, then while reading, once the rows of the
        sheets so far are more than max_rows or a row has more filled cells than max_columns.
        ``layout`` (a publisher's table, laid out with merged cells): with the merged ranges,
        found in the same pass over the sheets' XML as the formulas, and no limit applied while
        reading: the reader applies them to each sheet's ``size``, as it did to openpyxl's
        full-mode sheets."""
        try:
            uncached, merges = _scan(self.path, self.name, layout)
        except Exception as exc:  # noqa: BLE001 - a broken zip or XML: tell the user, keep the reason
            raise unreadable(self.name, exc) from None
        if uncached:
            raise ValidationFailed(uncached)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                book = self._loaded()
                if not layout:
                    _check_declared(book.worksheets, self.name, self.limits)
                out, so_far = [], 0
                for ws in book.worksheets:
                    # read-only openpyxl stops at the declared last row: a sheet that understates its
                    # size would lose its other rows without a word. Read what is there, counted.
                    ws.reset_dimensions()
                    sheet = _read_sheet(ws, self.name, None if layout else self.limits, so_far,
                                        merges.get(ws.title, []))
                    so_far += len(sheet.rows)
                    out.append(sheet)
                self.close()
            except ValidationFailed:
                raise
            except Exception as exc:  # a broken zip or XML: tell the user, keep the reason
                raise unreadable(self.name, exc) from None
        return out


def read_xlsx_sheets(path: Path, name: str, limits: Limits | None = None) -> list[tuple[str, list[tuple[int, list]]]]:
    """Every worksheet as (sheet name, [(row number, values)]), trailing empty cells dropped."""
    if not zipfile.is_zipfile(path):
        raise not_xlsx(name)
    return [(s.title, s.rows) for s in Workbook(path, name, limits or load_limits()).sheets()]


def _check_declared(worksheets, name: str, lim: Limits) -> None:
    """Refuse a workbook whose sheets declare more rows than max_rows between them, before a
    row is read (read-only openpyxl takes ``max_row`` from the sheet's <dimension> tag)."""
    declared = 0
    for ws in worksheets:
        rows = ws.max_row if isinstance(ws.max_row, int) else 0
        declared += rows
        if declared > lim.max_rows:
            check_rows(name, ws.title, rows, declared, lim)


def _read_sheet(ws, name: str, lim: Limits | None, before: int, merged: list[tuple[int, int, int, int]]) -> Sheet:
    """A sheet's rows, refusing it (unless ``lim`` is None) once it has more filled columns than
    the limits allow, or once its rows and the ``before`` rows of the sheets read already are
    more than max_rows (a workbook's declared dimensions can lie, so this counts what is really
    there). The guard is called only when a count is over its limit: it says why, in its words."""
    rows = []
    last_row = last_column = 0
    for i, r in enumerate(ws.iter_rows(values_only=True), 1):
        values = list(r)
        if values:  # a row with cells (a formatted empty one counts), as openpyxl's full mode sizes a sheet
            last_row, last_column = i, max(last_column, len(values))
        while values and values[-1] is None:
            values.pop()
        if lim is not None and len(values) > lim.max_columns:
            check_shape(name, ws.title, None, len(values), lim)
        rows.append((i, values))
        if lim is not None and before + i > lim.max_rows:
            check_rows(name, ws.title, i, before + i, lim)
    for r0, r1, c0, c1 in merged:
        last_row, last_column = max(last_row, r1), max(last_column, c1)
    return Sheet(ws.title, rows, merged, (last_row or 1, last_column or 1))


_FORMULA_TAGS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ")
_MERGE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,30}:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
SCAN_CHUNK = 1 << 20  # bytes of a sheet's XML inflated at a time while it is scanned


def _scan(path: Path, name: str, merged: bool, limit: int = 20) -> tuple[list[Problem], dict[str, list]]:
    """(cells holding a formula but no computed value, one Problem each, at most ``limit``;
    sheet name -> merged ranges, when ``merged``), from one pass over each sheet's XML.

    A workbook written by a program (not saved by Excel or LibreOffice) stores formulas
    without their results; a reader then sees an empty cell where a score should be. Only
    sheets whose XML contains a formula tag are parsed, with defusedxml."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    problems: list[Problem] = []
    merges: dict[str, list] = {}
    with zipfile.ZipFile(path) as zf:
        members = [i.filename for i in zf.infolist()
                   if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        scanned = {m: _scan_sheet(zf, m, merged) for m in members}
        with_formulas = [m for m in members if scanned[m][0]]
        if not with_formulas and not any(refs for _, refs in scanned.values()):
            return problems, merges
        titles = sheet_titles(zf)
        for member, (_, refs) in scanned.items():
            if refs and member in titles:
                merges[titles[member]] = [(r0 - 1, r1, c0 - 1, c1) for c0, r0, c1, r1 in map(range_boundaries, refs)]
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
                            return problems, merges
                    el.clear()
    return problems, merges


def _scan_sheet(zf: zipfile.ZipFile, member: str, merged: bool) -> tuple[bool, list[str]]:
    """(whether a sheet's XML holds a formula tag, the refs of its merged ranges if ``merged``),
    scanned ``SCAN_CHUNK`` bytes at a time (a sheet can inflate to hundreds of MB); without
    ``merged`` the scan stops at the first formula tag."""
    formula, refs = False, []
    with zf.open(member) as fh:
        tail = b""
        for chunk in iter(lambda: fh.read(SCAN_CHUNK), b""):
            buf = tail + chunk
            formula = formula or any(t in buf for t in _FORMULA_TAGS)
            if not merged:
                if formula:
                    break
                tail = buf[-3:]  # a tag cut between two pieces
                continue
            end = 0
            for m in _MERGE_CELL.finditer(buf):
                refs.append(m.group(1).decode("ascii", "replace"))
                end = m.end()
            tail = buf[max(end, len(buf) - 512):]  # a tag cut between two pieces, not one found already
    return formula, refs
