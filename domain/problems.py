"""Validation problems: where a file is wrong and what was expected, in Vietnamese.

Loaders never stop at the first problem (pandera's ``lazy=True`` habit): they collect
every ``Problem`` and raise one ``ValidationFailed`` carrying them all, before anything
is written to the database.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    sheet: str | None = None
    row: int | None = None  # 1-based, as a spreadsheet shows it
    column: str | None = None

    def where(self) -> str:
        parts = [f"tệp {self.file}"]
        if self.sheet:
            parts.append(f"trang tính «{self.sheet}»")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột «{self.column}»")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


class ValidationFailed(Exception):
    """Raised with every problem found in one input; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} lỗi dữ liệu")

    def report(self) -> str:
        lines = [f"Tệp không hợp lệ: {len(self.problems)} lỗi. Cơ sở dữ liệu không thay đổi."]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


class InputError(Exception):
    """Something a person typed or chose names nothing (an entity, a unit, a criterion):
    the message says what; a command line exits 2."""


class OutOfSpace(Exception):
    """Not enough free disk space for a write (a copy of the database, a backup); nothing was
    changed and nothing was left behind. The message says how much is free, how much is
    needed and what to do. Not a ValidationFailed: the file being imported is not at fault."""

    def __init__(self, folder: object, free: int | None = None, need: int | None = None):
        self.folder, self.free, self.need = folder, free, need
        super().__init__(self.message_for(folder, free, need))

    @staticmethod
    def message_for(folder: object, free: int | None = None, need: int | None = None) -> str:
        mb = lambda n: f"{n / (1 << 20):,.0f}".replace(",", ".") + " MB"  # noqa: E731
        said = (f"Ổ đĩa chứa {folder} còn {mb(free)}, cần khoảng {mb(need)}" if free is not None and need is not None
                else f"Ổ đĩa chứa {folder} đã đầy" if folder else "Ổ đĩa đã đầy")
        return (f"{said}: giải phóng chỗ trống (ví dụ xóa bớt các bản lưu cũ trong thư mục snapshots bên cạnh "
                "cơ sở dữ liệu) hoặc chuyển thư mục dữ liệu sang ổ khác (--db hoặc biến CHISO_DB), rồi chạy lại. "
                "Cơ sở dữ liệu không thay đổi.")
