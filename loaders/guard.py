"""Limits on files fed to the importer, checked before any parser sees the content.

A spreadsheet is a zip archive, and a zip archive can claim a few hundred kilobytes and
inflate to gigabytes; a CSV can have a million columns on one line. So before parsing,
``admit`` (a score file's one admission) and ``check_file`` (a plan, a progress report) read
only what is cheap and cannot be abused (the file size, the zip's central directory, Parquet
metadata, a line count, the header line, a workbook's declared sheet sizes and its <row>
elements counted in the inflated XML, never parsed) and refuse the file with a Vietnamese
message if it is over a limit. The readers also stop at the row limit while reading (every
sheet counted together), in case a workbook's declared dimensions lie: they call
``check_rows``/``check_shape`` only once a count is over, for the message.

Limits live in config/limits.toml; each can be overridden by an environment variable
CHISO_<NAME>, e.g. CHISO_MAX_ROWS=5000000 for a national import at a terminal. ``load_limits``
reads them; an import loads them once and carries them in its ``loaders.read.Context``.
"""
from __future__ import annotations

import csv
import io
import os
import re
import stat
import tomllib
import zipfile
import zlib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from domain.problems import Problem, ValidationFailed

CONFIG = Path(__file__).resolve().parents[1] / "config" / "limits.toml"
MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_upload_mb: float = 64
    max_uncompressed_mb: float = 256
    max_rows: int = 2_000_000
    max_columns: int = 200
    snapshots_kept: int = 10
    snapshot_budget_mb: float = 256
    snapshot_budget_factor: float = 3  # the snapshots take at most this many times the database's size
    max_report_rows: int = 50_000  # rows of one progress-report file (a unit's template holds its duties)
    rows_setting: str = "max_rows"  # the setting a refusal for too many rows names (not read from the file)

    def for_reports(self) -> "Limits":
        """The limits of a progress-report file: max_report_rows rows (or max_rows, if lower). A
        plan's duties × six periods × its years is a few tens of thousands at most; a file of
        300 000 rows is refused before any of it is parsed, not after a minute of reading."""
        if self.max_report_rows >= self.max_rows:
            return self
        return replace(self, max_rows=self.max_report_rows, rows_setting="max_report_rows")

    @property
    def snapshot_budget_bytes(self) -> int:
        return int(self.snapshot_budget_mb * MB)

    def snapshot_budget_for(self, db_bytes: int) -> int:
        """The bytes the snapshots of a database of ``db_bytes`` may take together: the tighter
        of snapshot_budget_mb and snapshot_budget_factor times its size (the newest snapshot is
        kept whatever its size, so that one undo always works)."""
        return max(0, int(min(self.snapshot_budget_bytes, self.snapshot_budget_factor * db_bytes)))

    @property
    def upload_bytes(self) -> int:
        return int(self.max_upload_mb * MB)

    @property
    def uncompressed_bytes(self) -> int:
        return int(self.max_uncompressed_mb * MB)


def load_limits(config: Path | None = None) -> Limits:
    """The limits in force: defaults, then config/limits.toml (read here, once per call), then
    CHISO_* environment variables. An import loads them once and carries them in its
    ``loaders.read.Context``; a function given no limits loads them itself."""
    limits = Limits()
    path = config or CONFIG
    if path.exists():
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("limits", {})
        known = {f.name: f.type for f in fields(Limits) if f.name != "rows_setting"}
        limits = replace(limits, **{k: v for k, v in table.items() if k in known})
    for f in fields(Limits):
        if f.name == "rows_setting":
            continue
        raw = os.environ.get(f"CHISO_{f.name.upper()}")
        if raw:
            cast = float if f.type in (float, "float") else int
            limits = replace(limits, **{f.name: cast(raw)})
    return limits


def _mb(n: float) -> str:
    return f"{n / MB:.1f}".replace(".", ",") + " MB"


def _refuse(name: str, message: str, sheet: str | None = None) -> ValidationFailed:
    return ValidationFailed([Problem(name, message, sheet)])


def check_upload(name: str, size: int, limits: Limits | None = None) -> None:
    limits = limits or load_limits()
    if size > limits.upload_bytes:
        raise _refuse(name, f"tệp {_mb(size)}, vượt giới hạn tải lên {_mb(limits.upload_bytes)} "
                            "(config/limits.toml, max_upload_mb); hãy chia nhỏ tệp hoặc nạp bằng dòng lệnh")


def require_file(path: Path, name: str) -> os.stat_result:
    """Refuse ``path`` unless it is a regular file this process may read (a folder, a named
    pipe, a device or a socket given as the file is the person's slip, never an internal
    error), looking at it without opening it: opening a pipe would wait forever and a device
    such as /dev/zero never ends. Symbolic links are followed."""
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise _refuse(name, "không tìm thấy tệp") from None
    except PermissionError:
        raise _refuse(name, "không có quyền đọc tệp (hoặc thư mục chứa nó)") from None
    except OSError as exc:
        raise _refuse(name, f"không đọc được tệp ({exc.strerror or exc.__class__.__name__})") from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise _refuse(name, "đây là một thư mục, không phải tệp: ghi đường dẫn tới chính tệp cần nạp")
    if not stat.S_ISREG(mode):
        what = ("một ống dẫn (FIFO)" if stat.S_ISFIFO(mode) else "một thiết bị" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "một socket" if stat.S_ISSOCK(mode) else "một đối tượng đặc biệt")
        raise _refuse(name, f"đây là {what}, không phải một tệp thông thường: không đọc")
    if not os.access(path, os.R_OK):
        raise _refuse(name, "không có quyền đọc tệp")
    return st


def admit(path: Path, name: str, limits: Limits) -> None:
    """The one admission of a score file, before any parser sees it: a regular file this process
    may read, not empty, not a web page under a spreadsheet name, and within ``limits``. The
    file is opened once (its first bytes, then a workbook's zip directory and rows on the same
    handle); ValidationFailed says what is wrong."""
    st = require_file(path, name)  # a folder, a pipe or a device is refused unopened
    if st.st_size == 0:
        raise _refuse(name, "tệp rỗng (0 byte)")
    with open(path, "rb") as fh:
        head = fh.read(512)
        if path.suffix.lower() in (".xls", ".xlsx") and looks_like_html(head):
            raise ValidationFailed([html_problem(name)])
        _check_content(path, name, st.st_size, head, fh, limits)


def check_file(path: Path, name: str, limits: Limits | None = None) -> None:
    """Refuse ``path`` if it is over a limit, reading as little of it as possible."""
    limits = limits or load_limits()
    size = require_file(path, name).st_size
    with open(path, "rb") as fh:
        _check_content(path, name, size, fh.read(8), fh, limits)


def _check_content(path: Path, name: str, size: int, head: bytes, fh, limits: Limits) -> None:
    """The limits by what the file is: a zip (workbook) by its directory and rows, Parquet by its
    metadata, anything else by its size (and a text file by its lines and header cells)."""
    suffix = path.suffix.lower()
    if head.startswith(b"PK") or suffix == ".xlsx":
        _check_zip(fh, path, name, size, limits)
    elif suffix == ".parquet":
        _check_parquet(path, name, limits)
    else:
        if size > limits.uncompressed_bytes:
            raise _refuse(name, f"tệp {_mb(size)}, vượt giới hạn {_mb(limits.uncompressed_bytes)} (max_uncompressed_mb)")
        if suffix in (".csv", ".txt", ".md"):
            _check_text(path, name, limits)


def _check_zip(fh, path: Path, name: str, size: int, limits: Limits) -> None:
    """A zip's declared inflated size, that a spreadsheet name holds a workbook, and its rows
    (``fh``: the file, open; read from its start)."""
    fh.seek(0)
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx(name) from None
    with zf:
        infos = zf.infolist()
        # zipfile never inflates a member past the size declared here (it stops and fails the
        # checksum), so the declared total bounds what any reader will decompress.
        total = sum(i.file_size for i in infos)
        if total > limits.uncompressed_bytes:
            raise _refuse(name, f"tệp nén {_mb(size)} nhưng giải nén ra {_mb(total)}, vượt giới hạn "
                                f"{_mb(limits.uncompressed_bytes)} (max_uncompressed_mb): có thể là tệp độc hại, không đọc")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names and path.suffix.lower() in (".xlsx", ".xls"):
            what = ("một tài liệu Word" if "word/document.xml" in names else
                    "một bản trình chiếu PowerPoint" if "ppt/presentation.xml" in names else
                    "một bảng tính OpenDocument (.ods)" if "content.xml" in names else "một tệp nén")
            raise _refuse(name, f"tệp mang đuôi {path.suffix} nhưng là {what}, không phải bảng tính Excel; "
                                "hãy mở bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx")
        if "xl/workbook.xml" in names:
            check_workbook_rows(zf, name, limits)  # its rows, before any parser builds one


def _check_parquet(path: Path, name: str, limits: Limits) -> None:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        meta, schema = pf.metadata, pf.schema_arrow
    except Exception:  # noqa: BLE001 - a broken file can fail in any way
        raise _refuse(name, "không đọc được tệp Parquet (tệp hỏng hoặc không phải Parquet)") from None
    check_parquet_types(schema, name)
    inflated = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if inflated > limits.uncompressed_bytes:
        raise _refuse(name, f"dữ liệu giải nén {_mb(inflated)}, vượt giới hạn {_mb(limits.uncompressed_bytes)} (max_uncompressed_mb)")
    check_shape(name, None, meta.num_rows + 1, meta.num_columns, limits)


def _scalar_type(t) -> bool:
    """Whether an Arrow type holds one plain value per cell: text, a number, a truth value,
    a date or time (refused later with its row where a number is expected), or nothing."""
    import pyarrow.types as pt

    if pt.is_dictionary(t):
        return _scalar_type(t.value_type)
    return (pt.is_string(t) or pt.is_large_string(t) or pt.is_integer(t) or pt.is_floating(t) or pt.is_decimal(t)
            or pt.is_boolean(t) or pt.is_null(t) or pt.is_temporal(t))


def check_parquet_types(schema, name: str) -> None:
    """Refuse a Parquet file with a column of lists, structures, maps or raw bytes: a cell of
    a score table holds one value, and such a column is no table an office fills in."""
    import pyarrow.types as pt

    problems = []
    for field in schema:
        t = field.type
        if _scalar_type(t):
            continue
        what = ("danh sách" if pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t)
                else "cấu trúc lồng nhau" if pt.is_struct(t) else "bảng ánh xạ (map)" if pt.is_map(t)
                else "dữ liệu nhị phân" if pt.is_binary(t) or pt.is_large_binary(t) or pt.is_fixed_size_binary(t)
                else f"kiểu {t}")
        problems.append(Problem(name, f"cột chứa {what} thay vì một giá trị mỗi ô (chữ hoặc số): lưu lại bảng với "
                                      "mỗi ô một giá trị", None, None, str(field.name)))
    if problems:
        raise ValidationFailed(problems)


def _check_text(path: Path, name: str, limits: Limits) -> None:
    lines, first = 0, b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            if not first:
                first = chunk[: 1 << 20]
            lines += chunk.count(b"\n")
    utf16 = first.startswith((b"\xff\xfe", b"\xfe\xff"))
    check_shape(name, None, lines, None, limits)
    text = first.decode("utf-16" if utf16 else "utf-8", errors="ignore") if first else ""
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", ";", "\t"], key=header.count)
    try:
        cells = next(csv.reader(io.StringIO(header), delimiter=delimiter), [])
    except csv.Error:
        cells = header.split(delimiter)
    check_shape(name, None, None, len(cells), limits)


def _how_to_raise(key: str) -> str:
    return (f"; hãy chia nhỏ tệp, hoặc người quản trị nâng {key} trong config/limits.toml (hay đặt biến môi "
            f"trường CHISO_{key.upper()} khi nạp bằng dòng lệnh)")


def check_shape(name: str, sheet: str | None, rows: int | None, columns: int | None, limits: Limits | None = None,
                *, whole_file: bool = False) -> None:
    """Refuse a table whose (declared or counted) size is over the limits. ``whole_file``: ``rows``
    counts every sheet of the file so far (max_rows is per file), ``sheet`` the one that tipped it."""
    limits = limits or load_limits()
    if rows is not None and rows > limits.max_rows:
        most = f"{limits.max_rows:,}".replace(",", ".")
        what = "các trang tính của tệp cộng lại có" if whole_file else "bảng có"
        key = limits.rows_setting
        raise _refuse(name, f"{what} hơn {most} dòng (giới hạn {key})" + _how_to_raise(key), sheet)
    if columns is not None and columns > limits.max_columns:
        raise _refuse(name, f"bảng có {columns} cột, vượt giới hạn {limits.max_columns} cột (max_columns)"
                      + _how_to_raise("max_columns"), sheet)


def check_rows(name: str, sheet: str | None, in_sheet: int, in_file: int, limits: Limits) -> None:
    """max_rows is per file: a sheet over it alone is named as the table, else the whole file."""
    if in_sheet > limits.max_rows:
        check_shape(name, sheet, in_sheet, None, limits)
    elif in_file > limits.max_rows:
        check_shape(name, sheet, in_file, None, limits, whole_file=True)


# ---------------------------------------------------------------- a workbook's rows, counted without parsing

ROW_SCAN_CHUNK = 1 << 20  # bytes of a sheet's XML inflated at a time while its rows are counted
_TAG = rb"<(?:[A-Za-z_][\w.\-]{0,30}:)?"  # an element, with or without a namespace prefix
_PREFIXED_ROW = re.compile(rb"<[A-Za-z_][\w.\-]{0,30}:row[\s/>]")  # <x:row …>, which some writers use
_SHEET_DATA = re.compile(_TAG + rb"sheetData[\s/>]")
_DIMENSION = re.compile(_TAG + rb"dimension\s[^>]*?\bref\s*=\s*[\"']\$?[A-Za-z]*\$?(\d+)(?::\$?[A-Za-z]*\$?(\d+))?")


def check_workbook_rows(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse an .xlsx (``zf``: its open archive) with more rows than max_rows in all its sheets
    together, before any parser builds a row: first by the sizes the sheets declare
    (<dimension ref="A1:O300004">, which is what openpyxl reports as ``max_row``; without one,
    openpyxl parses the whole sheet just to find its size), then by counting the sheets' <row>
    elements in their XML, inflated ``ROW_SCAN_CHUNK`` bytes at a time and abandoned as soon as
    the count is over the limit. This costs decompression only, which max_uncompressed_mb
    bounds. A damaged zip is left to the readers, which say so in their own words."""
    try:
        sheets = _worksheets(zf)
        declared = 0
        for member, title in sheets:
            rows = _declared_rows(zf, member)
            declared += rows
            check_rows(name, title, rows, declared, limits)
        counted = 0
        for member, title in sheets:
            in_sheet, tail = 0, b""
            with zf.open(member) as fh:
                for chunk in iter(lambda: fh.read(ROW_SCAN_CHUNK), b""):
                    buf = tail + chunk
                    # what the tail holds was counted with the piece before; a tag cut between
                    # two pieces is counted with the piece where it ends
                    n = _row_tags(buf) - _row_tags(tail)
                    in_sheet, counted = in_sheet + n, counted + n
                    check_rows(name, title, in_sheet, counted, limits)
                    tail = buf[-40:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError):
        return


def _row_tags(buf: bytes) -> int:
    """The <row> elements in a piece of sheet XML (bytes.count: ten times faster than a regex)."""
    n = buf.count(b"<row") - buf.count(b"<rowBreaks")
    return n + len(_PREFIXED_ROW.findall(buf)) if b":row" in buf else n


def _worksheets(zf: zipfile.ZipFile) -> list[tuple[str, str | None]]:
    """(member, sheet name) of every worksheet, in the workbook's order when it can be read."""
    members = {i.filename for i in zf.infolist()
               if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")}
    titles = sheet_titles(zf)
    named = [(m, t) for m, t in titles.items() if m in members]
    return named + [(m, None) for m in sorted(members - set(titles))]


def _declared_rows(zf: zipfile.ZipFile, member: str) -> int:
    """The last row of a sheet's <dimension ref="…">, which comes before its <sheetData>; 0 if none."""
    head = b""
    with zf.open(member) as fh:
        while len(head) < (1 << 16) and not _SHEET_DATA.search(head):
            chunk = fh.read(1 << 12)
            if not chunk:
                break
            head += chunk
    data = _SHEET_DATA.search(head)
    m = _DIMENSION.search(head, 0, data.start() if data else len(head))
    return int(m.group(2) or m.group(1)) if m else 0


def sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet member path -> the sheet's name as Excel shows it, in the workbook's order
    ({} when the workbook's XML cannot be read: defusedxml refuses entities and DTDs)."""
    from defusedxml.ElementTree import fromstring

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


# ---------------------------------------------------------------- what a file really is

def looks_like_html(head: bytes) -> bool:
    """Whether a file's first bytes are a web page (portals export HTML tables as .xls)."""
    for encoding in ("utf-8", "utf-16"):
        text = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n").lower()
        if text.startswith(("<!doctype html", "<html", "<table", "<meta")) or "<table" in text:
            return True
    return False


def html_problem(name: str) -> Problem:
    return Problem(name, "tệp mang đuôi bảng tính nhưng thực chất là trang web (HTML), như một số cổng thông tin "
                         "vẫn xuất; hãy mở bằng Excel rồi «Lưu thành» .xlsx")


def not_xlsx(name: str) -> ValidationFailed:
    """A zip that is no workbook. (An HTML page under a spreadsheet name is caught earlier.)"""
    return ValidationFailed([Problem(name, "tệp không phải bảng tính Excel .xlsx hợp lệ (tệp hỏng, bị cắt cụt hoặc "
                                           "sai định dạng; mở bằng Excel rồi lưu lại dạng .xlsx)")])
