"""Check that openbook's imports only point down the stages, and form no cycle.

    python scripts/check_imports.py          # prints the problems; exit 1 if any

Every ``import`` in openbook/ counts, including those inside functions (a
lazy import still ties two modules together). The stages, lowest first:

    base         errors, files, progress, regex, version, templates
    standard     the standard as code (schemas, plan, period, markers, ...)
    read         files into string columns
    check        the engine, the checks, the result model, validate()
    report       renderings of a result (text, html, annotated workbook)
    datapackage  the package contract and the writer
    publish      the targets
    compare      comparison across bodies
    serve        the local web application
    cli          the command line

A module may import from its own stage or a lower one. The package
``openbook/__init__.py`` is the public API over all of them and is left out
of the stage rule (but not of the cycle check).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

STAGES = ["base", "standard", "read", "check", "report", "datapackage", "publish", "compare", "serve", "cli"]
BASE = {"errors", "files", "progress", "regex", "version", "templates"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage(module: str) -> str | None:
    """The stage of openbook.X.Y; None for the package itself."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":  # the API and `python -m openbook`: over every stage
        return None
    return "base" if parts[1] in BASE else parts[1]


def imports(path: Path, module: str, known: set[str]) -> set[str]:
    """The openbook modules this file imports (resolved to modules that exist)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from openbook.x import y" may import the module openbook.x.y
            names = [f"{target}.{a.name}" if f"{target}.{a.name}" in known else target for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name.startswith("openbook") and name != module:
                found.add(name)
    return found


def graph(root: Path) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    known = set(files)
    return {m: imports(p, m, known) for m, p in files.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Imports from a lower stage to a higher one."""
    problems = []
    for src, targets in sorted(edges.items()):
        s = stage(src)
        if s is None:
            continue
        for dst in sorted(targets):
            d = stage(dst)
            if d is None:
                problems.append(f"{src} imports the openbook package itself (import from its module instead)")
            elif s not in STAGES or d not in STAGES:
                problems.append(f"{src} -> {dst}: a stage not in the list ({s if s not in STAGES else d})")
            elif STAGES.index(d) > STAGES.index(s):
                problems.append(f"{src} ({s}) imports {dst} ({d}), a later stage")
    return problems


def main() -> int:
    root = Path(__file__).resolve().parent.parent / "openbook"
    edges = graph(root)
    problems = [f"import cycle: {' <-> '.join(group)}" for group in cycles(edges)] + upward(edges)
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(edges)} modules, {sum(map(len, edges.values()))} imports: no cycle, every import points down.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
