"""What a person at a terminal sees when a command fails: one Vietnamese line and an exit
code (2 for input they can fix, 1 for an internal error), never a traceback. Shared by
python -m loaders, python -m metrics and python -m briefing."""
from __future__ import annotations

import sys

from domain.problems import InputError, ValidationFailed


def run(main) -> None:
    """The ``if __name__ == "__main__"`` of every command."""
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `… | head` ends quietly, as Unix tools do
    sys.exit(main())


def fail(exc: BaseException) -> int:
    if isinstance(exc, InputError):
        print(exc, file=sys.stderr)
        return 2
    if isinstance(exc, ValidationFailed):
        print(exc.report(), file=sys.stderr)
        return 2
    if isinstance(exc, FileNotFoundError):
        missing = str(exc.args[0]) if exc.args else str(exc)
        if missing.endswith(".duckdb"):
            print(f"Chưa có cơ sở dữ liệu {missing}: chạy «python -m loaders build» trước.", file=sys.stderr)
        else:
            print(f"Không tìm thấy: {exc}", file=sys.stderr)
        return 2
    print(f"Lỗi nội bộ ({exc.__class__.__name__}): {exc}", file=sys.stderr)
    return 1
