"""The shape of the code: stages that import only downwards, one definition of
each shared thing, a light `import openbook`, and design notes that match the tree."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openbook.datapackage.contract import choose_latest, version_key

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "openbook"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def _python(code: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *flags, "-c", code], cwd=ROOT, capture_output=True, text=True)


def test_imports_only_point_down_and_form_no_cycle():
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_imports.py")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no cycle, every import points down" in run.stdout


def test_the_import_checker_catches_an_upward_import_and_a_cycle(tmp_path):
    """The checker itself is tested on a small tree that breaks both rules."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import check_imports
    finally:
        sys.path.pop(0)
    root = tmp_path / "openbook"
    for folder in ("read", "report"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "read" / "a.py").write_text("from openbook.report.b import x\n")
    (root / "report" / "b.py").write_text("def f():\n    from openbook.read import a\n")
    edges = check_imports.graph(root)
    assert check_imports.cycles(edges) == [["openbook.read.a", "openbook.report.b"]]
    assert check_imports.upward(edges) == [
        "openbook.read.a (read) imports openbook.report.b (report), a later stage"]


def test_import_openbook_errors_loads_no_polars():
    run = _python("import openbook.errors", "-X", "importtime")
    assert run.returncode == 0, run.stderr
    assert "polars" not in run.stderr, "import openbook.errors loads polars"
    # The API is still all there, loaded on first use.
    run = _python("import sys, openbook; assert 'polars' not in sys.modules; "
                  "print(openbook.validate.__module__, openbook.package.__module__, "
                  "openbook.publish.__module__, openbook.compare.__module__)")
    assert run.stdout.split() == ["openbook.check.validate", "openbook.datapackage.write",
                                  "openbook.publish", "openbook.compare"], run.stderr


def test_the_check_registry_is_full_in_a_fresh_interpreter():
    """Importing the HTML renderer, and nothing else, knows every check's fix."""
    run = _python("from openbook.report.html import fix_for; print(bool(fix_for('email-address')))")
    assert run.stdout.strip() == "True", run.stderr
    run = _python("import openbook.check.registry as r; print(len(r.REGISTRY))")
    assert int(run.stdout) >= 20, run.stderr


def test_no_module_over_600_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in MODULES
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, long


def _definitions(name: str) -> list[str]:
    """Where a top-level function, class or constant called ``name`` is defined."""
    found = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            names = ([node.name] if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else
                     [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)])
            if name in names:
                found.append(path.relative_to(ROOT).as_posix())
    return found


@pytest.mark.parametrize("name, home", [
    ("version_key", "openbook/datapackage/contract.py"),
    ("choose_latest", "openbook/datapackage/contract.py"),
    ("load_package", "openbook/datapackage/contract.py"),
    ("Package", "openbook/datapackage/contract.py"),
    ("REDACTION_PATTERN", "openbook/standard/markers.py"),
    ("scrub", "openbook/errors.py"),
    ("target", "openbook/publish/targets.py"),
    ("TIMEOUT", "openbook/publish/http.py"),
    ("ATTEMPTS", "openbook/publish/http.py"),
])
def test_one_definition_of_each_shared_thing(name, home):
    assert _definitions(name) == [home]


def test_no_private_url_scrubbers_or_retry_settings_elsewhere():
    """Credentials come out of URLs in one place (errors.scrub), and the network
    settings live in one place (publish/http.py)."""
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT).as_posix()
        assert "urlunsplit" not in text, f"{rel} rebuilds URLs itself: use openbook.errors.scrub"
        if rel != "openbook/publish/http.py":
            assert not re.search(r"^\s*(TIMEOUT|RETRIES|MAX_ATTEMPTS|CONNECT_TIMEOUT|READ_TIMEOUT)\s*=", text, re.M), rel


def test_version_ordering_is_semver_precedence():
    ordered = ["0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
               "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"]
    assert sorted(reversed(ordered), key=version_key) == ordered
    assert version_key("1.0.0+build.5") == version_key("1.0.0")
    assert version_key("v1.2.0") == version_key("1.2.0")
    assert version_key("1.0.0-rc1") < version_key("1.0.0")


def test_publish_and_compare_choose_the_same_latest_version():
    """compare reads a catalogue through choose_latest; publish updates latest/ with
    version_key: a pre-release never wins over its release in either."""
    keys = [f"org/ds/{v}/datapackage.json" for v in ("1.0.0", "1.0.0-rc1", "0.9.0")]
    assert choose_latest(keys) == ["org/ds/1.0.0/datapackage.json"]
    assert choose_latest(keys + ["org/ds/latest/datapackage.json"]) == ["org/ds/latest/datapackage.json"]
    assert max(["1.0.0", "1.0.0-rc1", "0.9.0"], key=version_key) == "1.0.0"
    # A package folder's own descriptor, and folders that are not versions, are kept.
    assert choose_latest(["datapackage.json", "a/b/draft/datapackage.json", "a/b/old/datapackage.json"]) == [
        "a/b/draft/datapackage.json", "a/b/old/datapackage.json", "datapackage.json"]


def _tree_in_design_notes() -> set[str]:
    """The modules the tree drawing in docs/design.md lists, as paths below openbook/."""
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    block = design.split("## The tree", 1)[1].split("```")[1]
    listed, folder = set(), None
    for line in block.splitlines():
        top = re.match(r"^  ([a-z_]+)/", line)
        if top:
            folder = top.group(1)
            continue
        plain = re.match(r"^  ([a-z0-9_]+\.py)(?:\s|$)", line)
        if plain:
            folder = None
            listed.add(plain.group(1))
            continue
        inner = re.match(r"^    ([a-z0-9_]+\.py(?:, [a-z0-9_]+\.py)*)", line)
        if inner and folder:
            listed.update(f"{folder}/{name}" for name in inner.group(1).split(", "))
    return listed


def test_design_notes_draw_the_tree_as_it_is():
    """docs/design.md lists every module of the tree, and no module that is gone."""
    actual = {p.relative_to(PACKAGE).as_posix() for p in MODULES}
    actual -= {p for p in actual if p.endswith("/__init__.py") and p != "cli/__init__.py"}  # folders stand for them
    listed = _tree_in_design_notes()
    assert not actual - listed, f"docs/design.md does not list: {sorted(actual - listed)}"
    assert not listed - actual, f"docs/design.md lists modules that do not exist: {sorted(listed - actual)}"


def test_polars_patterns_keep_an_ascii_word_boundary():
    """A Unicode \\b makes polars' regex engine 20-50x slower on any cell with
    a £ or an é; for_polars() swaps it for an ASCII one and changes no match
    on English words."""
    import polars as pl
    from openbook.regex import for_polars
    assert for_polars(r"(?i)\bpaye\b|a\\b") == r"(?i)(?-u:\b)paye(?-u:\b)|a\\b"
    cells = pl.Series(["PAYE deduction £12", "xpaye", "café paye", "Paye-as-you-earn é", None])
    assert cells.str.contains(for_polars(r"(?i)\bpaye\b")).to_list() == \
        cells.str.contains(r"(?i)\bpaye\b").to_list() == [True, False, True, True, None]
