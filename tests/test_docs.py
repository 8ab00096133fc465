"""The docs cannot rot. For README.md and every file in docs/:

- every file or folder path named in a code span exists, and every relative link resolves, down to
  its #anchor;
- every `make` target and `python -m` command (with its sub-command) exists, and every --option it is
  written with is one that command accepts (its --help, asked in this process);
- every command is run: the `python -m loaders|metrics|briefing` lines of code blocks and tables are
  executed here as written, block by block, on a copy of the test database (a few seconds in all);
  every other command is in ELSEWHERE with the test that runs it, and that test still contains it
  (a line that reads what another command generated under build/ is checked for its options only);
- the README stays short, and every picture the docs show is remade by tools/readme_pictures.sh."""
from __future__ import annotations

import contextlib
import importlib
import io
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
README_MAX_BYTES = 15_000  # a newcomer reads it in five minutes; the rest is in docs/
# made by running the product, not shipped: named in the docs, absent from a fresh clone
GENERATED = ("build/", ".venv", ".streamlit/secrets.toml", "tests/artifacts", "/mnt/", "/tmp/", "/etc/", "/srv/")
# names of files a reader makes or passes in the examples (--out muc-bao-cao.docx), and things written
# like paths that are not ours: an account binding «VN-38-15361/vp_hdnd_ubnd_xa», a repository
EXAMPLES = {"PCI_2016.xlsx", "mau.xlsx", "ke-hoach-2026.docx", "muc-bao-cao.docx", "khong-nap.toml",
            "scores_national.csv", "hnks-gh/ml-mcdm", "mdtrinh/vietnamdata", "bang-diem.xlsx"}

# The commands of python -m loaders|metrics|briefing: their main() is called here, in this process.
SHIMS = {"loaders": "cli.data", "metrics": "cli.metrics", "briefing": "cli.briefing"}
# A file the examples name but the reader brings: the test uses this shipped file in its place.
SAMPLE_FILES = {"ke-hoach-2026.docx": "data/illustrative/ke-hoach-xa-vinh-loc-2026-minh-hoa.docx"}
# Sub-commands whose file argument is what they write (into the scratch folder, never into the checkout).
WRITES_FILE = {("loaders", "template"), ("loaders", "backup")}
PASSWORD = "mat-khau-tai-lieu"

# Commands the docs name that this file does not run, each with the test that runs it and a string
# that test must still contain (so an entry cannot outlive its test). Short on purpose: a command
# that is cheap to run belongs in a code block of the docs, where it is run here.
ELSEWHERE = {
    ("make test",): ("Makefile", "CHISO_DB=$(DB) $(PY) -m pytest -q",
                     "CI runs `make test`, and this file is part of it"),
    ("make test-fast",): ("Makefile", "FAST_MARKS := ",
                          "a subset of `make test` by markers; test_fast_test_marks_are_declared checks them"),
    ("make nginx",): ("Makefile", "test: $(DB) chromium office nginx", "a prerequisite of `make test`"),
    ("make run", "python -m cli.serve"): ("tests/test_browser.py", '"-m", "cli.serve"',
                                          "the browser tests start the server `make run` starts, on a copy of the database"),
    ("make serve", "python -m cli.serve_many"): ("tests/test_browser_serve_many.py", '"-m", "cli.serve_many"',
                                                 "two processes behind nginx, in a browser"),
    ("make bench", "python -m bench.run", "python -m bench.national"): (
        "tests/test_bench_run.py", '"-m", "bench.run"', "at scale 0.01 without the browser; it generates the dataset"),
    ("make bench-load",): ("tests/test_serve_many.py", '"--serve"', "`bench.load --serve production`, 4 sessions"),
    ("python -m bench.load",): ("tests/test_bench_load.py", '"-m", "bench.load"', "3 sessions on the shipped data"),
    ("make page-times", "python -m bench.page_times"): ("tests/test_bench_smoke.py", "page_times.main(", "one run"),
    ("python -m bench.import_trace",): ("tests/test_import_trace.py", "from bench.import_trace import", "its trace"),
    ("python -m bench.province",): ("tests/test_province_bench.py", "province.main(",
                                    "5 communes, 6 offices saving at once, 1 round; the whole province takes minutes"),
    ("python -m loaders build",): ("tests/test_cli_json.py", 'loaders(["build"', "a whole build takes tens of seconds"),
    ("python -m loaders illustrative",): ("tests/test_illustrative.py", "is_what_the_generator_makes",
                                          "it rewrites data/illustrative/: the shipped files are what it writes"),
}
RUN_ELSEWHERE = {key: entry for keys, entry in ELSEWHERE.items() for key in keys}


def run_elsewhere(key: str) -> str | None:
    """The ELSEWHERE key that covers a command: itself, or its module («python -m bench.run pages»)."""
    return next((k for k in RUN_ELSEWHERE if key == k or key.startswith(k + " ")), None)


# ------------------------------------------------------------------------------ reading the docs

@cache
def shipped() -> tuple[str, ...]:
    """Every file and folder of the checkout, as paths relative to its root."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True).stdout.split("\n")
    folders = {str(Path(f).parent) + "/" for f in files if f}
    return tuple(f for f in files if f) + tuple(folders)


def exists(path: str) -> bool:
    """A path of the checkout, from its root or as the tail of one (the docs name «registry/units.csv»
    under data/, «guard.py» in the row of loaders/)."""
    tail = path.removeprefix("./")
    return (ROOT / tail).exists() or any(p == tail or p.endswith("/" + tail) for p in shipped())
PATH = re.compile(r"^(?:\.?[\w.\-]+/)+[\w.\-]*$|^[\w.\-]+\.(?:py|csv|toml|md|sql|json|xlsx|docx|pptx|yml|txt)$")


@dataclass(frozen=True)
class Snippet:
    """Text where a command can be written: a fenced block (its lines), one code span of a table row,
    or one code span of prose. Only blocks and tables are run; prose names commands."""
    kind: str  # "block", "table" or "prose"
    lines: tuple[str, ...]


def snippets(text: str) -> list[Snippet]:
    out, block, paragraph = [], None, []

    def prose() -> None:
        out.extend(Snippet("prose", (s,)) for s in code_spans(" ".join(paragraph)))
        paragraph.clear()

    for line in text.split("\n"):
        if re.match(r"\s*```", line):
            if block is None:
                prose()
                block = []
            else:
                out.append(Snippet("block", tuple(re.sub(r"\\\n\s*", " ", "\n".join(block)).split("\n"))))
                block = None
        elif block is not None:
            block.append(line)
        elif line.lstrip().startswith("|"):
            prose()
            out.extend(Snippet("table", (s.replace("\\|", "|"),)) for s in code_spans(line))
        elif line.strip():
            paragraph.append(line.strip())
        else:
            prose()
    prose()
    return out


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


def headings(text: str) -> set[str]:
    """The #anchors GitHub gives the headings of a Markdown text (fenced blocks skipped)."""
    seen: dict[str, int] = {}
    fenced = False
    for line in text.split("\n"):
        if re.match(r"\s*```", line):
            fenced = not fenced
        heading = None if fenced else re.match(r"#{1,6}\s+(.+?)\s*$", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading[1].lower()).replace(" ", "-")
            seen[slug] = seen.get(slug, -1) + 1
    return {slug if n == 0 else f"{slug}-{n}" for slug, count in seen.items() for n in range(count + 1)}


# ------------------------------------------------------------------------------ the commands

@dataclass(frozen=True)
class Command:
    module: str  # "loaders", "bench.run"; "" for make
    sub: str | None  # the sub-command, or the make target
    rest: str  # what follows the module (or the target), comments stripped where they could be
    snippet: Snippet

    @property
    def key(self) -> str:
        if not self.module:
            return f"make {self.sub}"
        return f"python -m {self.module}" + (f" {self.sub}" if self.sub else "")

    @property
    def concrete(self) -> bool:
        """Runnable as written: no placeholder (TỆP, MÃ, PATH, [--db PATH], a|b, …, $(…))."""
        return not re.search(r"…|\[|\]|<|>|\||\$|%|(?<![\w-])(?:TỆP|MÃ|PATH|ĐƠN_VỊ|CƠ_QUAN|TÊN|FILE|COPY|DIR|CODE|N)(?![\w-])",
                             self.rest)

    def tokens(self) -> list[str]:
        return shlex.split(self.rest, comments=True)

    def options(self) -> set[str]:
        try:
            rest = " ".join(self.tokens())
        except ValueError:  # a quote split by the prose: the options are still there
            rest = self.rest
        return set(re.findall(r"(?<![\w-])(--[A-Za-z][\w.-]*)", rest))


def commands(snippet: Snippet) -> list[Command]:
    out = []
    for line in snippet.lines:
        for part in re.split(r"\s(?:&&|;)\s", line):
            for target, rest in re.findall(r"(?:^|[\s(])make ([a-z][\w-]*)(.*)", part):
                out.append(Command("", target, rest, snippet))
            for module, rest in re.findall(r"python3? -m ([\w.]+)(.*)", part):
                sub = re.match(r"\s+([a-z][\w-]*)", rest)
                subs = subcommands(module) if module_exists(module) else None
                if sub and subs and sub[1] in subs:
                    out.append(Command(module, sub[1], rest[sub.end():], snippet))
                else:
                    out.append(Command(module, None, rest, snippet))
    return out


def documented(doc: Path) -> list[Command]:
    return [c for s in snippets(doc.read_text(encoding="utf-8")) for c in commands(s)]


def module_exists(module: str) -> bool:
    path = ROOT / Path(*module.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def main_of(module: str):
    return importlib.import_module(SHIMS.get(module, module)).main


def call(module: str, argv: list[str], stdin: str = "") -> tuple[int, str]:
    """``python -m module *argv`` in this process: exit code, and what it printed."""
    out, old_stdin = io.StringIO(), sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main_of(module)(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 2
    finally:
        sys.stdin = old_stdin
    return code or 0, out.getvalue()


@cache
def usage(module: str, sub: str | None) -> str | None:
    """The --help of a command (None: it has none of its own, like cli.serve, which is Streamlit's)."""
    if module == "cli.serve":
        return None
    code, text = call(module, [*([sub] if sub else []), "--help"])
    assert code == 0, (module, sub, text[-500:])
    return text


@cache
def subcommands(module: str) -> frozenset[str]:
    found = re.search(r"\{([\w,\-]+)\}", usage(module, None) or "")
    return frozenset(found[1].split(",")) if found else frozenset()


@cache
def make_targets() -> set[str]:
    return set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def runs_here(c: Command) -> bool:
    """A command of loaders, metrics or briefing this file runs, unless ELSEWHERE holds it or it reads what
    another command generates under build/ (the benchmark's national dataset: tests/test_bench_run.py)."""
    generated = re.search(r"(?<![\w/])build/(?!chiso\.duckdb\b)", c.rest)
    return c.module in SHIMS and c.sub is not None and run_elsewhere(c.key) is None and not generated


# ------------------------------------------------------------------------------ paths and links

@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_named_path_exists(doc):
    spans = [s.lines[0] for s in snippets(doc.read_text(encoding="utf-8")) if s.kind != "block"]
    named = {w.strip("\"'(),;:«»") for span in spans for w in span.split()}
    missing = [p for p in sorted(named)
               if PATH.match(p) and not p.startswith(("http", "www.")) and "…" not in p
               and not p.startswith(GENERATED) and p not in EXAMPLES and not p.startswith("VN-") and not exists(p)
               and not any(ch in p for ch in "<>*{}$")]
    assert missing == [], f"{doc.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(doc):
    dead = []
    for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (doc.parent / path) if path else doc
        if not file.exists():
            dead.append(target)
        elif anchor and file.suffix == ".md" and anchor not in headings(file.read_text(encoding="utf-8")):
            dead.append(target)
    assert dead == [], f"{doc.name} has dead links: {dead}"


def test_readme_is_short_and_links_every_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= README_MAX_BYTES
    assert readme.split("\n## ")[0].count("make run") and readme.split("\n## ")[0].count("make test")
    for guide in ("user-guide.md", "operations.md", "data.md", "developer.md", "benchmarks.md"):
        assert f"](docs/{guide})" in readme, guide


def test_every_picture_is_remade_by_the_script():
    script = (ROOT / "tools" / "readme_pictures.sh").read_text(encoding="utf-8")
    shown = {Path(t).name for doc in DOCS
             for t in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8"))}
    assert shown, "the docs show no picture"
    assert [p for p in sorted(shown) if f"docs/img/{Path(p).stem}" not in script] == []


# ------------------------------------------------------------------------------ commands exist

@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_exists_with_the_options_it_is_written_with(doc):
    wrong = []
    for c in documented(doc):
        if not c.module:
            if c.sub not in make_targets():
                wrong.append(c.key)
            continue
        if not module_exists(c.module):
            wrong.append(c.key)
            continue
        if c.sub is None and subcommands(c.module) and re.match(r"\s+[a-z]", c.rest):
            wrong.append(f"{c.key} {c.rest.split()[0]}")  # not one of its sub-commands
            continue
        help_text = usage(c.module, c.sub)
        if help_text is None:
            continue
        unknown = [o for o in sorted(c.options()) if o not in re.findall(r"--[\w-]+", help_text)
                   and not (c.module == "cli.serve_many" and "." in o)]  # Streamlit's, passed on
        wrong += [f"{c.key} {o}" for o in unknown]
    assert wrong == [], f"{doc.name} names commands or options that do not exist: {sorted(set(wrong))}"


def test_fast_test_marks_are_declared():
    """`make test-fast` deselects by markers: each of them is one pytest.ini declares."""
    marks = re.search(r"^FAST_MARKS := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)[1]
    declared = re.findall(r"^\s+(\w+):", (ROOT / "pytest.ini").read_text(encoding="utf-8"), re.M)
    named = set(re.findall(r"\w+", marks)) - {"not", "and", "or"}
    assert named and named <= set(declared)


# ------------------------------------------------------------------------------ commands are run

def test_every_command_is_run_here_or_by_a_named_test():
    named = {c.key for doc in DOCS for c in documented(doc)
             if c.sub is not None or c.module not in SHIMS}  # «python -m loaders …» names the family
    run_here = {c.key for doc in DOCS for c in documented(doc)
                if c.snippet.kind != "prose" and c.concrete and runs_here(c)}
    # a command of loaders, metrics or briefing is run here when a code block or a table shows it as written
    unrun = sorted(k for k in named if run_elsewhere(k) is None and k not in run_here)
    assert unrun == [], f"give these an example in a code block (run here) or an ELSEWHERE entry: {unrun}"
    unused = sorted(set(RUN_ELSEWHERE) - {run_elsewhere(k) for k in named})
    assert unused == [], f"ELSEWHERE names commands no doc names any more: {unused}"
    stale = []
    for keys, (where, evidence, _why) in ELSEWHERE.items():
        if evidence not in (ROOT / where).read_text(encoding="utf-8"):
            stale.append(f"{keys}: {where} no longer contains {evidence!r}")
    assert stale == []


def sandboxed(c: Command, db: Path, scratch: Path) -> list[str]:
    """The command's arguments as written, with the database, the passwords file and every file it
    writes moved into the scratch folder; a file it reads is the checkout's, or one it wrote before."""
    tokens, argv, i = c.tokens(), [c.sub], 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("--db", "--secrets"):
            i += 2
            continue
        if token == "--out":
            argv += ["--out", str(scratch / Path(tokens[i + 1]).name)]
            i += 2
            continue
        if re.search(r"/|\.(?:xlsx|xls|csv|docx|md|pptx|html|duckdb|parquet|ods)$", token) and not token.startswith("-"):
            if (c.module, c.sub) not in WRITES_FILE and (ROOT / token).exists():
                token = str(ROOT / token)
            elif (c.module, c.sub) not in WRITES_FILE and token in SAMPLE_FILES:
                token = str(ROOT / SAMPLE_FILES[token])
            else:
                token = str(scratch / Path(token).name)
        argv.append(token)
        i += 1
    if "--db" in usage(c.module, c.sub):
        argv += ["--db", str(db)]
    if c.sub == "set-password":
        argv += ["--secrets", str(scratch / "secrets.toml")]
    return argv


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_documented_commands_run(doc, built_db, tmp_path):
    """Each code block (or table cell) runs top to bottom in a scratch folder of its own, on a copy of
    the database: a backup and then a restore of it, a template and then a check of it."""
    failed, ran = [], 0
    for n, snippet in enumerate(snippets(doc.read_text(encoding="utf-8"))):
        runnable = [c for c in commands(snippet) if snippet.kind != "prose" and c.concrete and runs_here(c)]
        if not runnable:
            continue
        scratch = tmp_path / str(n)
        scratch.mkdir()
        db = scratch / "chiso.duckdb"
        shutil.copyfile(built_db, db)
        for c in runnable:
            code, said = call(c.module, sandboxed(c, db, scratch), stdin=f"{PASSWORD}\n{PASSWORD}\n")
            ran += 1
            if code != 0:
                failed.append(f"{c.key}{c.rest} → exit {code}: {said[-600:]}")
    assert failed == [], f"{doc.name}: " + "\n".join(failed)
    if doc.name in ("user-guide.md", "operations.md", "data.md"):
        assert ran, f"{doc.name} runs no command"


# ------------------------------------------------------------------------------ the code names real files

def test_code_names_only_modules_and_files_that_exist():
    """Docstrings and comments name modules by path (store/db.py, metrics/sql/…): those paths exist."""
    pattern = re.compile(r"(?<![\w/.\-])((?:access|app|bench|briefing|cli|config|data|docs|domain|exports|loaders|"
                         r"metrics|pages|store|tests|tools|ui)/[\w./\-]*\w)")
    stale = []
    for path in sorted(ROOT.glob("*/*.py")) + [ROOT / "app.py"]:
        if path.parts[-2] in (".venv", "build"):
            continue
        for name in pattern.findall(path.read_text(encoding="utf-8")):
            module = re.sub(r"\.\w+$", "", name)  # «store/db.snapshots»: a name in store/db.py
            if name.startswith(("tests/artifacts/", "build/")):  # what a test run writes, not a shipped file
                continue
            if not (exists(name) or exists(module + ".py") or exists(name + ".py")
                    or any(p.startswith(name) for p in shipped())):  # «data/registry/unit» of «unit*.csv»
                stale.append(f"{path.relative_to(ROOT)}: {name}")
    assert stale == []
