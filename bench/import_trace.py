"""How one score file travels through loaders/: python -m bench.import_trace [FILE] [--index CODE] [--format json].

Imports FILE (default: the tidy template, ``loaders.tidy.template_bytes("xlsx")``, written to a
temporary folder) through the real entry point, ``store.importing.import_file``, into a copy of
build/chiso.duckdb (or --db) in a temporary folder, and counts on the way:

* calls into each loaders module from another of our modules, by qualified name (a function
  of loaders/guard.py called from loaders/read.py counts, and so does a method such as
  ``Limits.snapshot_budget_for`` called from store/db.py; one guard function calling another
  does not; lambdas and comprehensions are left out, as are calls from libraries such as pandas);
* how many times FILE is opened (``open``/``io.open`` on its path: a ``zipfile.ZipFile``,
  openpyxl or xlrd given the path opens it this way too), how many of those are zip archives,
  and how many times a worksheet's XML is inflated (``ZipFile.open`` of ``xl/worksheets/…``);
* how many times config/limits.toml is read, and how many times a workbook is loaded
  (``openpyxl.load_workbook``, ``xlrd.open_workbook``).

It prints figures; tests/test_import_trace.py holds the path to them.
"""
from __future__ import annotations

import argparse
import builtins
import io
import json
import shutil
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMITS_FILE = ROOT / "config" / "limits.toml"


@dataclass
class Trace:
    file: str
    status: str                                   # "loaded", "unchanged" or "refused"
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    entries: dict[str, Counter] = field(default_factory=dict)   # loaders module -> qualified name -> calls from outside
    callers: dict[str, Counter] = field(default_factory=dict)   # loaders module -> calling module -> calls
    file_opens: int = 0
    zip_opens: int = 0
    sheet_reads: int = 0
    limits_reads: int = 0
    workbook_loads: int = 0

    def entered(self, module: str) -> int:
        return sum(self.entries.get(module, Counter()).values())

    def as_dict(self) -> dict:
        return {"file": self.file, "status": self.status, "rows": self.rows, "problems": self.problems,
                "entries": {m: dict(c) for m, c in self.entries.items()},
                "callers": {m: dict(c) for m, c in self.callers.items()},
                "file_opens": self.file_opens, "zip_opens": self.zip_opens, "sheet_reads": self.sheet_reads,
                "limits_reads": self.limits_reads, "workbook_loads": self.workbook_loads}


def _our_modules() -> dict[str, str]:
    """File name -> module name of every module of this project (the .venv left out)."""
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0].startswith(".") or "__pycache__" in rel.parts:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[str(path)] = ".".join(parts)
    return out


def _same(a, b: Path) -> bool:
    try:
        return isinstance(a, (str, Path)) and Path(a).resolve() == b
    except (OSError, ValueError):
        return False


def trace(path: Path, db_file: Path | None = None, *, index_code: str | None = None,
          source_name: str | None = None) -> Trace:
    """Import ``path`` into a copy of ``db_file`` (default build/chiso.duckdb) and count the trips."""
    import openpyxl
    import xlrd

    from domain.problems import ValidationFailed
    from store.importing import import_file

    path = Path(path).resolve()
    limits_file = LIMITS_FILE.resolve()
    modules = _our_modules()
    loaders = {f: m for f, m in modules.items() if m.startswith("loaders.")}
    out = Trace(source_name or path.name, "refused")
    entries: dict[str, Counter] = {}
    callers: dict[str, Counter] = {}

    def profile(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        callee = loaders.get(code.co_filename)
        if callee is None or code.co_name.startswith("<"):
            return
        back = frame.f_back
        caller = modules.get(back.f_code.co_filename) if back is not None else None
        if caller is None or caller == callee:
            return
        entries.setdefault(callee, Counter())[code.co_qualname] += 1
        callers.setdefault(callee, Counter())[caller] += 1

    real_open, real_io_open = builtins.open, io.open
    real_zip_init, real_zip_open = zipfile.ZipFile.__init__, zipfile.ZipFile.open
    real_load, real_xlrd = openpyxl.load_workbook, xlrd.open_workbook
    ours: set[int] = set()  # ids of the file objects opened on ``path``

    def counting_open(file, *a, **k):
        fh = real_open(file, *a, **k)
        if _same(file, path):
            out.file_opens += 1
            ours.add(id(fh))
        elif _same(file, limits_file):
            out.limits_reads += 1
        return fh

    def counting_zip_init(self, file, *a, **k):
        if _same(file, path) or id(file) in ours:
            out.zip_opens += 1
        return real_zip_init(self, file, *a, **k)

    def counting_zip_open(self, name, *a, **k):
        member = getattr(name, "filename", name)
        if isinstance(member, str) and member.startswith("xl/worksheets/") and member.endswith(".xml"):
            out.sheet_reads += 1
        return real_zip_open(self, name, *a, **k)

    def counting_load(*a, **k):
        out.workbook_loads += 1
        return real_load(*a, **k)

    def counting_xlrd(*a, **k):
        out.workbook_loads += 1
        return real_xlrd(*a, **k)

    with tempfile.TemporaryDirectory(prefix="chiso-trace-") as tmp:
        db = Path(tmp) / "chiso.duckdb"
        shutil.copyfile(db_file or ROOT / "build" / "chiso.duckdb", db)
        builtins.open = io.open = counting_open
        zipfile.ZipFile.__init__, zipfile.ZipFile.open = counting_zip_init, counting_zip_open
        openpyxl.load_workbook, xlrd.open_workbook = counting_load, counting_xlrd
        before = sys.getprofile()
        sys.setprofile(profile)
        try:
            result = import_file(path, db, index_code=index_code, source_name=source_name)
            out.status, out.rows = result.status, result.rows
        except ValidationFailed as exc:
            out.problems = [str(p) for p in exc.problems]
        finally:
            sys.setprofile(before)
            builtins.open, io.open = real_open, real_io_open
            zipfile.ZipFile.__init__, zipfile.ZipFile.open = real_zip_init, real_zip_open
            openpyxl.load_workbook, xlrd.open_workbook = real_load, real_xlrd
    out.entries, out.callers = entries, callers
    return out


def template_file(folder: Path) -> Path:
    """The tidy import template as .xlsx (two example rows for the home entity, last year)."""
    from loaders.tidy import template_bytes

    path = folder / "mau-nhap-diem.xlsx"
    path.write_bytes(template_bytes("xlsx"))
    return path


def table(t: Trace) -> str:
    lines = [f"{t.file}: {t.status}" + (f", {t.rows} rows" if t.rows else "")]
    lines += [f"  refused: {p}" for p in t.problems[:5]]
    lines.append(f"{'loaders module':22} {'entered':>7}  functions (calls)  <- from")
    for module in sorted(t.entries):
        funcs = ", ".join(f"{f} {n}" for f, n in t.entries[module].most_common())
        by = ", ".join(f"{m} {n}" for m, n in t.callers[module].most_common())
        lines.append(f"{module:22} {t.entered(module):7}  {funcs}  <- {by}")
    lines += [f"{'file opened':22} {t.file_opens:7}  (of them zip archives: {t.zip_opens}; "
              f"worksheet XML inflated: {t.sheet_reads})",
              f"{'limits.toml read':22} {t.limits_reads:7}",
              f"{'workbook loaded':22} {t.workbook_loads:7}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.import_trace")
    p.add_argument("file", nargs="?", help="a score file (default: the tidy template as .xlsx)")
    p.add_argument("--index", default=None, help="the index of a publisher's workbook (PAR, SIPAS, PAPI, DDCI, PCI)")
    p.add_argument("--db", default=None, help="the database to copy (default build/chiso.duckdb)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chiso-trace-in-") as tmp:
        path = Path(args.file) if args.file else template_file(Path(tmp))
        t = trace(path, Path(args.db) if args.db else None, index_code=args.index)
    if args.format == "json":
        print(json.dumps(t.as_dict(), ensure_ascii=False, indent=1))
    else:
        print("command: python -m bench.import_trace" + "".join(f" {a}" for a in (argv or sys.argv[1:])))
        print(table(t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
