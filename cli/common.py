"""What a person at a terminal sees when a command fails: one Vietnamese line and an exit
code (2 for input they can fix, 1 for an internal error), never a traceback. Shared by
python -m loaders, python -m metrics and python -m briefing.

With ``--format json`` a command prints exactly one JSON object on stdout at the end (its
result, or ``{"error": "<the Vietnamese message>", "exit": code}`` when it fails); progress
and the Vietnamese messages still go to stderr, and the exit codes are the same.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
import time
from pathlib import Path

from domain.problems import InputError, ValidationFailed

FORMATS = ("text", "json")


def run(main) -> None:
    """The ``if __name__ == "__main__"`` of every command."""
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `… | head` ends quietly, as Unix tools do
    sys.exit(main())


def format_parent() -> argparse.ArgumentParser:
    """The ``--format text|json`` option, as a parent parser for every subcommand that has it."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text: các dòng tiếng Việt (mặc định); json: một đối tượng JSON trên stdout")
    return p


def wants_json(argv: list[str] | None) -> bool:
    """Whether the command line asks for JSON (read before argparse has finished, so that a
    usage error can be reported in JSON too)."""
    args = sys.argv[1:] if argv is None else argv
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--format=json" or (a == "--format" and i + 1 < len(args) and args[i + 1] == "json"):
            return True
    return False


class Parser(argparse.ArgumentParser):
    """argparse that, when the command line asks for ``--format json``, reports a usage error
    as ``{"error": …, "exit": 2}`` on stdout as well (the usage itself stays on stderr).
    Subparsers inherit the class."""

    json_errors = False

    def error(self, message: str):  # noqa: D401 - argparse's signature
        if Parser.json_errors:
            self.print_usage(sys.stderr)
            print(f"{self.prog}: lỗi: {message}", file=sys.stderr)
            emit_json({"error": message, "exit": 2})
            sys.exit(2)
        super().error(message)


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    Parser.json_errors = wants_json(argv)
    try:
        return parser.parse_args(argv)
    finally:
        Parser.json_errors = False


def _default(v):
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    return str(v)


def emit_json(obj) -> None:
    """One JSON value on one line of stdout (UTF-8 text, not \\u escapes)."""
    print(json.dumps(obj, ensure_ascii=False, default=_default), flush=True)


class Clock:
    """Seconds since the command started, for the ``seconds`` field."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def seconds(self) -> float:
        return round(time.perf_counter() - self.t0, 3)


def refuse(message: str, json_output: bool = False, code: int = 2) -> int:
    """A refusal decided by the command itself (not an exception): the Vietnamese line on
    stderr, and with JSON the error object on stdout; returns the exit code."""
    print(message, file=sys.stderr)
    if json_output:
        emit_json({"error": message, "exit": code})
    return code


def fail(exc: BaseException, json_output: bool = False) -> int:
    """The exit code for an exception, after printing its Vietnamese message on stderr
    (and, with ``json_output``, ``{"error": message, "exit": code}`` on stdout)."""
    extra = {}
    if isinstance(exc, InputError):
        message, code = str(exc), 2
    elif isinstance(exc, ValidationFailed):
        message, code = exc.report(), 2
        extra = {"problems": [p.as_dict() for p in exc.problems]}
    elif isinstance(exc, FileNotFoundError):
        missing = str(exc.args[0]) if exc.args else str(exc)
        if missing.endswith(".duckdb"):
            message = f"Chưa có cơ sở dữ liệu {missing}: chạy «python -m loaders build» trước."
        else:
            message = f"Không tìm thấy: {exc}"
        code = 2
    else:
        message, code = f"Lỗi nội bộ ({exc.__class__.__name__}): {exc}", 1
    print(message, file=sys.stderr)
    if json_output:
        emit_json({"error": message, "exit": code, **extra})
    return code
