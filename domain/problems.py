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
