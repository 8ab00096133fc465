"""The docs cannot rot: every file or folder path, every `make` target, every `python -m` command
(with its sub-command) and every relative link named in README.md and docs/*.md exists."""
from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# made by running the product, not shipped: named in the docs, absent from a fresh clone
GENERATED = ("build/", ".venv", ".streamlit/secrets.toml", "tests/artifacts", "/mnt/", "/tmp/", "/etc/", "/srv/")
# names of files a reader makes or passes in the examples (--out muc-bao-cao.docx), and things written
# like paths that are not ours: an account binding «VN-38-15361/vp_hdnd_ubnd_xa», a repository
EXAMPLES = {"PCI_2016.xlsx", "mau.xlsx", "ke-hoach-2026.docx", "muc-bao-cao.docx", "khong-nap.toml",
            "scores_national.csv", "hnks-gh/ml-mcdm"}


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


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


def named_paths(text: str) -> set[str]:
    out = set()
    for span in code_spans(text):
        for word in span.split():
            word = word.strip("\"'(),;:«»")
            if PATH.match(word) and not word.startswith(("http", "www.")) and "…" not in word:
                out.add(word)
    return out


@cache
def make_targets() -> set[str]:
    return set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


@cache
def subcommands(module: str) -> set[str] | None:
    """The sub-commands ``python -m module --help`` lists (None: it has none)."""
    out = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, (module, out.stderr[-500:])
    found = re.search(r"\{([\w,\-]+)\}", out.stdout)
    return set(found[1].split(",")) if found else None


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_named_path_exists(doc):
    text = doc.read_text(encoding="utf-8")
    missing = [p for p in sorted(named_paths(text))
               if not p.startswith(GENERATED) and p not in EXAMPLES and not p.startswith("VN-") and not exists(p)
               and not any(ch in p for ch in "<>*{}$")]
    assert missing == [], f"{doc.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(doc):
    text = doc.read_text(encoding="utf-8")
    links = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", text) if not re.match(r"[a-z]+:", t)]
    assert [t for t in links if t and not (doc.parent / t).exists()] == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_exists(doc):
    text = doc.read_text(encoding="utf-8")
    commands = "\n".join(code_spans(text)) + "\n" + "\n".join(re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.S))
    wrong = []
    for target in re.findall(r"(?:^|[\s;&|(])make ([a-z][\w-]*)", commands):
        if target not in make_targets():
            wrong.append(f"make {target}")
    for module, sub in re.findall(r"python -m ([\w.]+)(?: ([a-z][\w-]*))?", commands):
        if not (ROOT / Path(*module.split("."))).exists() and not (ROOT / (module.replace(".", "/") + ".py")).exists():
            wrong.append(f"python -m {module}")
            continue
        subs = subcommands(module)
        if sub and subs is not None and sub not in subs:
            wrong.append(f"python -m {module} {sub}")
    assert wrong == [], f"{doc.name} names commands that do not exist: {sorted(set(wrong))}"


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
