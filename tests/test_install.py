"""A plain `pip install .` carries everything the command needs: schemas, templates, checks."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_holds_the_standard_templates_and_every_module(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("openbook-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"openbook/standard/data/{schema.name}" in names
    for extra in ["codelists", "profiles"]:
        for f in (ROOT / "schemas" / extra).iterdir():
            assert f"openbook/standard/data/{extra}/{f.name}" in names
    for template in (ROOT / "openbook" / "templates").glob("*.html"):
        assert f"openbook/templates/{template.name}" in names
    for module in (ROOT / "openbook").rglob("*.py"):
        rel = module.relative_to(ROOT).as_posix()
        assert rel in names, f"{rel} is not installed: add its package to setup.cfg"
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "openbook = openbook.cli:cli" in zipfile.ZipFile(wheel).read(entry).decode()


def test_installed_command_runs_from_another_directory(tmp_path):
    """Run the package from a copy outside the checkout: the standard must come with it."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-q",
                    "--target", str(tmp_path / "site"), str(ROOT)], check=True, cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", "from openbook.cli import cli; cli()", "schemas", "list"],
                         cwd=work, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    listed = [l.split()[0] for l in out.stdout.splitlines()[3:] if l.strip()]
    assert listed == ["functions", "costs", "roles-senior", "roles-junior", "organisation-chart",
                      "senior-salaries", "senior-salary-bands", "systems", "spend", "outcomes", "supplier-costs"]
    show = subprocess.run([sys.executable, "-c", "from openbook.cli import cli; cli()", "schemas", "show", "spend"],
                          cwd=work, env=env, capture_output=True, text=True)
    assert "BeneficiaryName" in show.stdout
    import_path = subprocess.run([sys.executable, "-c", "import openbook.standard.schemas as s; print(s.standard_dir())"],
                                 cwd=work, env=env, capture_output=True, text=True).stdout
    assert str(tmp_path / "site") in import_path
