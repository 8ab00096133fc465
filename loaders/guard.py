"""Limits on files fed to the importer, checked before any parser sees the content.

A spreadsheet is a zip archive, and a zip archive can claim a few hundred kilobytes and
inflate to gigabytes; a CSV can have a million columns on one line. So before parsing,
``check_file`` reads only what is cheap and cannot be abused (the file size, the zip's
central directory, Parquet metadata, a line count, the header line) and refuses the file
with a Vietnamese message if it is over a limit. The readers also stop at the row limit
while reading, in case a workbook's declared dimensions lie.

Limits live in config/limits.toml; each can be overridden by an environment variable
CHISO_<NAME>, e.g. CHISO_MAX_ROWS=5000000 for a national import at a terminal.
"""
from __future__ import annotations

import csv
import io
import os
import stat
import tomllib
import zipfile
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


def current(config: Path | None = None) -> Limits:
    """Defaults, then config/limits.toml, then CHISO_* environment variables."""
    limits = Limits()
    path = config or CONFIG
    if path.exists():
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("limits", {})
        known = {f.name: f.type for f in fields(Limits)}
        limits = replace(limits, **{k: v for k, v in table.items() if k in known})
    for f in fields(Limits):
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
    limits = limits or current()
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


def check_file(path: Path, name: str, limits: Limits | None = None) -> None:
    """Refuse ``path`` if it is over a limit, reading as little of it as possible."""
    limits = limits or current()
    size = require_file(path, name).st_size
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK") or suffix == ".xlsx":
        _check_zip(path, name, limits)
    elif suffix == ".parquet":
        _check_parquet(path, name, limits)
    else:
        if size > limits.uncompressed_bytes:
            raise _refuse(name, f"tệp {_mb(size)}, vượt giới hạn {_mb(limits.uncompressed_bytes)} (max_uncompressed_mb)")
        if suffix in (".csv", ".txt", ".md"):
            _check_text(path, name, limits)


def _check_zip(path: Path, name: str, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx(name) from None
    # zipfile never inflates a member past the size declared here (it stops and fails the
    # checksum), so the declared total bounds what any reader will decompress.
    total = sum(i.file_size for i in infos)
    if total > limits.uncompressed_bytes:
        raise _refuse(name, f"tệp nén {_mb(path.stat().st_size)} nhưng giải nén ra {_mb(total)}, vượt giới hạn "
                            f"{_mb(limits.uncompressed_bytes)} (max_uncompressed_mb): có thể là tệp độc hại, không đọc")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and path.suffix.lower() in (".xlsx", ".xls"):
        what = ("một tài liệu Word" if "word/document.xml" in names else
                "một bản trình chiếu PowerPoint" if "ppt/presentation.xml" in names else
                "một bảng tính OpenDocument (.ods)" if "content.xml" in names else "một tệp nén")
        raise _refuse(name, f"tệp mang đuôi {path.suffix} nhưng là {what}, không phải bảng tính Excel; "
                            "hãy mở bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx")


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


def check_shape(name: str, sheet: str | None, rows: int | None, columns: int | None, limits: Limits | None = None) -> None:
    """Refuse a table whose (declared or counted) size is over the limits."""
    limits = limits or current()
    if rows is not None and rows > limits.max_rows:
        raise _refuse(name, f"bảng có hơn {limits.max_rows:,} dòng (giới hạn max_rows)".replace(",", "."), sheet)
    if columns is not None and columns > limits.max_columns:
        raise _refuse(name, f"bảng có {columns} cột, vượt giới hạn {limits.max_columns} cột (max_columns)", sheet)


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
