"""The layers import downwards only, without cycles, and never import the tests.

    domain (0) → loaders (1) → store (2) → metrics, access (3) → exports (4) → ui (5)
    → the top (6): pages/, app.py, cli/, bench/, tools/, briefing/.

There is no exemption: a package's __main__.py is in its package's layer, like any module. The
command lines live in cli/ (cli/data.py, cli/metrics.py, cli/briefing.py); the __main__.py of
loaders/, metrics/ and briefing/ run them by name (runpy), so ``python -m loaders …`` still works.

Every import counts, at any depth (inside functions too). metrics and access are
independent of each other, although on the same layer. Only our own modules are in the
graph: the standard library and third-party packages are ignored.
"""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]

LAYER = {"domain": 0, "loaders": 1, "store": 2, "metrics": 3, "access": 3, "exports": 4, "ui": 5,
         "pages": 6, "app": 6, "cli": 6, "bench": 6, "tools": 6, "briefing": 6}
TOP = 6
INDEPENDENT = {frozenset({"metrics", "access"})}  # same layer, but neither may import the other


def python_files() -> list[Path]:
    files = []
    for top in LAYER:
        path = ROOT / f"{top}.py"
        if path.is_file():
            files.append(path)
        elif (ROOT / top).is_dir():
            files += sorted(p for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)
    return files


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> int:
    return LAYER[module.split(".")[0]]


def imports(path: Path, modules: set[str]) -> list[tuple[str, int]]:
    """(imported name, line) for every import in the file, relative ones resolved. For
    ``from a import b`` the name is ``a.b`` when that is one of our modules, else ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                parent = ".".join(base + ([node.module] if node.module else []))
            else:
                parent = node.module or ""
            for a in node.names:
                sub = f"{parent}.{a.name}" if parent else a.name
                found.append((sub if sub in modules else parent, node.lineno))
    return found


def ours(name: str, modules: set[str]) -> str | None:
    """The most specific of our modules that ``name`` refers to, or None (stdlib, third party)."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in modules:
            return candidate
    return None


@cache
def graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], str], list[str]]:
    """Module -> imported modules; (a, b) -> "file:line" of the first such import; and the
    imports of the tests package from outside it."""
    files = python_files()
    modules = {module_name(p) for p in files}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    where: dict[tuple[str, str], str] = {}
    tests_imports = []
    for path in files:
        me = module_name(path)
        for name, line in imports(path, modules):
            here = f"{path.relative_to(ROOT)}:{line}"
            if name == "tests" or name.startswith("tests."):
                tests_imports.append(f"{here}: {me} imports {name}")
                continue
            target = ours(name, modules)
            if target is None or target == me:
                continue
            edges[me].add(target)
            where.setdefault((me, target), here)
    return edges, where, tests_imports


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the strongly connected components of the graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        component.append(m)
                        if m == node:
                            break
                    components.append(sorted(component))
    return components


def test_the_walk_sees_every_layer():
    edges, where, _ = graph()
    assert {m.split(".")[0] for m in edges} >= {"domain", "loaders", "store", "metrics", "access", "exports",
                                               "ui", "pages", "app", "cli", "bench"}
    # function-level imports count: the command line imports the template writer inside main()
    assert ("cli.data", "loaders.tidy") in where


def against_the_layers(edges: dict[str, set[str]], where: dict[tuple[str, str], str]) -> list[str]:
    bad = []
    for a, targets in sorted(edges.items()):
        for b in sorted(targets):
            if layer(b) > layer(a):
                bad.append(f"{where[a, b]}: {a} (layer {layer(a)}) imports {b} (layer {layer(b)})")
            elif (layer(a) == layer(b) < TOP
                  and frozenset({a.split(".")[0], b.split(".")[0]}) in INDEPENDENT):
                bad.append(f"{where[a, b]}: {a} imports {b} (metrics and access are independent)")
    return bad


def test_imports_point_down_the_layers():
    bad = against_the_layers(*graph()[:2])
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_a_packages_main_is_not_exempt():
    """``python -m loaders`` once imported store/ and cli/ from loaders/__main__.py under an
    exemption for every __main__; now such an import is reported like any other."""
    edges = {"loaders.__main__": {"store.db", "loaders.tidy"}, "metrics.__main__": {"cli.metrics"},
             "briefing.__main__": {"cli.briefing"}}
    where = {(a, b): f"{a}:1" for a, targets in edges.items() for b in targets}
    assert against_the_layers(edges, where) == [
        "loaders.__main__:1: loaders.__main__ (layer 1) imports store.db (layer 2)",
        "metrics.__main__:1: metrics.__main__ (layer 3) imports cli.metrics (layer 6)"]


def test_no_import_cycles():
    edges, where, _ = graph()
    cycles = [c for c in strongly_connected(edges) if len(c) > 1]
    lines = []
    for c in cycles:
        members = set(c)
        lines.append("cycle: " + ", ".join(c))
        lines += [f"  {where.get((a, b), '?')}: {a} imports {b}" for a in c for b in sorted(edges[a] & members)]
    assert not cycles, "import cycles:\n" + "\n".join(lines)


def test_nothing_outside_the_tests_imports_them():
    _, _, tests_imports = graph()
    assert not tests_imports, "modules that import the tests:\n" + "\n".join(tests_imports)


def test_the_layer_of_a_module():
    assert [layer(m) for m in ("domain.text", "loaders.tidy", "store.db", "metrics.criteria", "access.auth",
                               "exports.deck", "ui.queries", "pages.tong_quan", "app", "cli.common",
                               "bench.run", "tools.make_frameworks")] == [0, 1, 2, 3, 3, 4, 5, 6, 6, 6, 6, 6]
    assert [layer(m) for m in ("loaders.__main__", "metrics.__main__", "briefing.__main__")] == [1, 3, TOP]


def test_tarjan_finds_a_cycle():
    comps = strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert sorted(map(tuple, comps)) == [("a", "b", "c"), ("d",)]


# ---------------------------------------------------------------- the list of indices lives in one place

CODES = set("PAR SIPAS PAPI DDCI PCI".split())
# A list, tuple or set literal of quoted strings, at least three of which are index codes.
LITERAL = re.compile(r"""[\[\(\{]\s*(?:(?:"[^"\n]*"|'[^'\n]*')\s*,\s*)+(?:"[^"\n]*"|'[^'\n]*')\s*,?\s*[\]\)\}]""")
ALLOWED = {Path("domain/vocabulary.py")}  # tests write expected values out by hand, so they are not scanned


def hard_coded_index_lists() -> list[str]:
    found = []
    tops = [p for p in ROOT.iterdir() if not p.name.startswith(".") and p.name not in ("data", "build")]
    paths = [p for top in tops for p in ([top] if top.suffix == ".py" else top.rglob("*.py") if top.is_dir() else [])]
    for path in sorted(paths):
        rel = path.relative_to(ROOT)
        if "__pycache__" in rel.parts or rel in ALLOWED or rel.parts[0] == "tests":
            continue
        text = path.read_text(encoding="utf-8")
        for m in LITERAL.finditer(text):
            items = set(re.findall(r"""["']([^"'\n]*)["']""", m.group(0)))
            if len(items & CODES) >= 3:
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{rel}:{line}: {m.group(0)[:80]}")
    return found


def test_index_codes_are_only_listed_in_the_vocabulary():
    found = hard_coded_index_lists()
    assert not found, ("lists of index codes outside domain/vocabulary.py (take them from "
                       "domain.vocabulary.INDEX_CODES or data/frameworks/indices.csv):\n" + "\n".join(found))


def test_no_sql_in_pages_or_ui():
    """SQL lives in sql/ files behind a function of metrics/ (or store/): a page or a ui helper
    asks for a result by name, never writes a query."""
    import re

    query = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b[\s\S]*\b(FROM|INTO|SET)\b")
    found = []
    for path in [ROOT / "app.py", *sorted(ROOT.glob("pages/*.py")), *sorted(ROOT.glob("ui/*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and query.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
