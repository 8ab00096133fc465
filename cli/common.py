"""What a person at a terminal sees when a command fails: one Vietnamese line and an exit
code (2 for input they can fix, 1 for an internal error), never a traceback. Shared by
python -m loaders, python -m metrics and python -m briefing (cli/data.py, cli/metrics.py,
cli/briefing.py).

With ``--format json`` a command prints exactly one JSON object on stdout at the end (its
result, or ``{"error": "<the Vietnamese message>", "exit": code}`` when it fails); progress
and the Vietnamese messages still go to stderr, and the exit codes are the same.

Everything a command prints goes through ``say`` (or ``emit_json``): a file name, a sheet or a
person's name can hold escape sequences or a carriage return, and printed raw they would
rewrite the terminal. ``say`` drops those characters (domain.text.printable); JSON keeps them
exact but escaped.

Exit codes: 0 success; 2 input the person can fix (a bad file, a name that names nothing, a
full disk: the message says what to do; the database is unchanged); 1 internal error; 130
interrupted (Ctrl-C, or SIGTERM/SIGHUP: the write in progress is abandoned and cleaned up).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import errno
import json
import sys
import time
from pathlib import Path

from domain.problems import InputError, OutOfSpace, ValidationFailed
from domain.text import escape_unprintable, printable

FORMATS = ("text", "json")


def run(main) -> None:
    """The ``if __name__ == "__main__"`` of every command."""
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `… | head` ends quietly, as Unix tools do
    # Stopped by the system or a closed terminal: unwind like Ctrl-C, so that a write in
    # progress removes its temporary copy (store/db.py) instead of leaving it on the disk.
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:  # nohup's SIG_IGN stays
            signal.signal(sig, _interrupt)
    try:
        code = main()
    except KeyboardInterrupt:
        say("Đã dừng theo yêu cầu. Lần ghi đang dở (nếu có) bị bỏ; cơ sở dữ liệu không thay đổi.", err=True)
        code = 130
    sys.exit(code)


def _interrupt(signum, frame) -> None:  # noqa: ARG001 - a signal handler's signature
    raise KeyboardInterrupt


def say(text: object, *, err: bool = False) -> None:
    """One line (or several) for the person at the terminal, control characters removed:
    stdout, or stderr with ``err`` (progress and messages beside a JSON result)."""
    print(printable(text), file=sys.stderr if err else sys.stdout, flush=True)


def progress(msg: str) -> None:
    """A progress line: stderr, so that stdout keeps only the result."""
    say(msg, err=True)


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
        message = printable(message)  # argparse quotes what was typed
        if Parser.json_errors:
            self.print_usage(sys.stderr)
            say(f"{self.prog}: lỗi: {message}", err=True)
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


def json_text(obj, indent: int | None = None) -> str:
    """JSON as UTF-8 text (not \\u escapes), except for the characters a terminal would act
    on: json escapes U+0000–U+001F itself, and DEL, C1 controls and bidirectional overrides
    are escaped here, so that the values stay exact and the terminal stays safe."""
    return escape_unprintable(json.dumps(obj, ensure_ascii=False, default=_default, indent=indent))


def emit_json(obj) -> None:
    """One JSON value on one line of stdout."""
    print(json_text(obj), flush=True)


class Clock:
    """Seconds since the command started, for the ``seconds`` field."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def seconds(self) -> float:
        return round(time.perf_counter() - self.t0, 3)


def refuse(message: str, json_output: bool = False, code: int = 2) -> int:
    """A refusal decided by the command itself (not an exception): the Vietnamese line on
    stderr, and with JSON the error object on stdout; returns the exit code."""
    say(message, err=True)
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
    elif isinstance(exc, OutOfSpace):
        message, code = str(exc), 2
    elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        message, code = OutOfSpace.message_for(exc.filename), 2
    elif isinstance(exc, FileNotFoundError):
        missing = str(exc.filename or (exc.args[0] if exc.args else exc))
        if missing.endswith(".duckdb"):
            message = f"Chưa có cơ sở dữ liệu {missing}: chạy «python -m loaders build» trước."
        else:
            message = f"Không tìm thấy: {missing}"
        code = 2
    elif isinstance(exc, IsADirectoryError):
        message, code = f"«{exc.filename}» là một thư mục, không phải tệp: ghi đường dẫn tới một tệp.", 2
    elif isinstance(exc, NotADirectoryError):
        message, code = f"Đường dẫn «{exc.filename}» đi qua một tệp như thể đó là thư mục: kiểm tra lại đường dẫn.", 2
    elif isinstance(exc, PermissionError):
        message, code = (f"Không có quyền truy cập «{exc.filename}»: chạy lệnh bằng tài khoản có quyền, hoặc "
                         "nhờ người quản trị cấp quyền. Cơ sở dữ liệu không thay đổi."), 2
    else:
        message, code = f"Lỗi nội bộ ({exc.__class__.__name__}): {exc}", 1
    say(message, err=True)
    if json_output:
        emit_json({"error": message, "exit": code, **extra})
    return code
