"""openbook serve, through its real application and real worker processes (no browser:
tests/test_serve_browser.py drives Chromium). Security cases: CSRF, path traversal in
names and addresses, oversized and mistyped uploads, the token off loopback."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from openbook.cli import cli
from openbook.serve.app import Settings, create_app
from openbook.serve.jobs import safe_name, sniff

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
WITH_ERRORS = EXAMPLES / "anytown-with-errors.xlsx"
VALID = EXAMPLES / "anytown-borough-council.xlsx"


@pytest.fixture
def server(tmp_path):
    settings = Settings(work_dir=tmp_path / "work", publish_to=str(tmp_path / "catalogue"))
    app = create_app(settings)
    return app.test_client(), settings, tmp_path


def csrf_of(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def upload(client, path_or_bytes, name: str, csrf: str | None = None, **form):
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    fields = {"file": (io.BytesIO(data), name), **form}
    fields["csrf"] = csrf if csrf is not None else csrf_of(client)
    return client.post("/check", data=fields, content_type="multipart/form-data")


def test_a_file_with_errors_shows_every_planted_problem_and_its_marked_up_copy(server):
    client, _, tmp = server
    resp = upload(client, WITH_ERRORS, "anytown-with-errors.xlsx")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    page = client.get(resp.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "openbook" in text
    expected = json.loads((EXAMPLES / "expected-errors.json").read_text(encoding="utf-8"))["problems"]
    for e in expected:
        assert f"{e['sheet']}!{e['cell']}" in text or f"{e['sheet']} row {e['row']}" in text, e
    # The page's inline script and style run only because their hashes are in the policy.
    csp = page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "script-src 'self' 'sha256-" in csp
    # Downloads: the marked-up workbook opens, with the planted cells filled.
    marked = client.get(resp.headers["Location"] + "/annotated.xlsx")
    assert marked.status_code == 200
    assert "anytown-with-errors-checked.xlsx" in marked.headers["Content-Disposition"]
    out = tmp / "marked.xlsx"
    out.write_bytes(marked.get_data())
    wb = openpyxl.load_workbook(out)
    first = expected[0]
    cell = wb[first["sheet"]][first["cell"]]
    assert cell.fill.fgColor.rgb.endswith(("FF8A80", "FFC83D")) and cell.comment is not None
    report = json.loads(client.get(resp.headers["Location"] + "/report.json").get_data())
    assert report["valid"] is False and report["summary"]["errors"] > 0
    template = client.get(resp.headers["Location"] + "/template.xlsx")
    assert template.status_code == 200 and template.get_data()[:2] == b"PK"


def test_a_form_without_its_csrf_token_is_refused(server):
    client, _, tmp = server
    for token in ("", "not-the-token"):
        resp = upload(client, b"a,b\n1,2\n", "x.csv", csrf=token)
        assert resp.status_code == 400
        assert "did not come from this page" in resp.get_data(as_text=True)
    assert not any((tmp / "work" / "jobs").glob("*/input/*")), "nothing is stored for a refused form"


def test_names_from_the_request_never_reach_the_filesystem(server):
    client, settings, tmp = server
    resp = upload(client, (EXAMPLES / "anytown-spend-2025-04.csv").read_bytes(), "../../../etc/passwd")
    assert resp.status_code == 303
    stored = list((tmp / "work" / "jobs").glob("*/input/*"))
    assert [p.name for p in stored] == ["passwd.csv"]
    assert not (tmp / "etc").exists()
    for bad in ("../../../etc/passwd", "..%2F..%2Fetc", "x" * 22, "A" * 21 + "/"):
        assert client.get(f"/report/{bad}").status_code == 404
    job = resp.headers["Location"]
    for bad in ("../job.json", "job.json", "input", "..%2Fjob.json"):
        assert client.get(f"{job}/{bad}").status_code == 404
    assert safe_name("C:\\Users\\me\\..\\Spend April.XLSX", "xlsx") == "Spend April.xlsx"
    assert safe_name(".hidden.csv", "csv") == "hidden.csv" and safe_name(".csv", "csv") == "upload.csv"
    assert safe_name("<b>alert(1)</b>.csv", "csv") == "b.csv"  # the part after the last slash
    assert safe_name("Spend <Q1> \"final\".csv", "csv") == "Spend -Q1- -final.csv"


def test_an_oversized_upload_gets_the_413_page(tmp_path):
    client = create_app(Settings(work_dir=tmp_path / "w", max_upload_bytes=1024 ** 2)).test_client()
    resp = upload(client, b"a,b\n" + b"1,2\n" * 400_000, "big.csv")
    assert resp.status_code == 413
    text = resp.get_data(as_text=True)
    assert "larger than 1 MB" in text and "Traceback" not in text


def test_the_type_comes_from_the_content_not_the_name(server):
    client, _, _ = server
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    resp = upload(client, png, "spend.xlsx")
    assert resp.status_code == 415 and "looked at its content" in resp.get_data(as_text=True)
    assert sniff(b"PK\x03\x04", WITH_ERRORS) == "xlsx"
    assert sniff(b"Date,Amount\n", Path("x")) == "csv"
    # A workbook named .csv is still checked as the workbook it is.
    resp = upload(client, WITH_ERRORS, "renamed.csv")
    assert resp.status_code == 303
    assert "renamed.xlsx" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_job_past_its_time_limit_is_stopped_with_a_one_line_page(tmp_path):
    client = create_app(Settings(work_dir=tmp_path / "w", job_seconds=0.05)).test_client()
    resp = upload(client, WITH_ERRORS, "anytown.xlsx")
    assert resp.status_code == 422
    assert "took longer than" in resp.get_data(as_text=True)


def test_errors_are_pages_not_tracebacks(server):
    client, _, _ = server
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and "Traceback" not in resp.get_data(as_text=True)
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_token_is_needed_on_every_request_when_set(tmp_path):
    token = "t" * 24
    client = create_app(Settings(work_dir=tmp_path / "w", token=token)).test_client()
    assert client.get("/").status_code == 401
    assert client.get("/?token=wrong-token-wrong-token").status_code == 401
    assert client.get(f"/?token={token}").status_code == 200
    assert client.get("/").status_code == 200  # remembered in the session cookie


def test_serving_off_loopback_without_a_token_is_refused():
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "8099"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs --token" in lines[0]
    short = CliRunner().invoke(cli, ["serve", "--token", "short"])
    assert short.exit_code == 2 and "at least 16 characters" in short.stderr


def test_package_publish_and_the_status_board(server):
    client, settings, tmp = server
    resp = upload(client, VALID, "anytown-borough-council.xlsx")
    job = resp.headers["Location"].rsplit("/", 1)[-1]
    report = client.get(f"/report/{job}").get_data(as_text=True)
    assert f"/package/{job}" in report
    csrf = csrf_of(client)
    plan = client.post(f"/package/{job}", data={"csrf": csrf, "org_name": "", "org_uri": "", "period": ""})
    text = plan.get_data(as_text=True)
    assert plan.status_code == 200, text
    assert "Nothing has been written yet" in text and "datapackage.json" in text
    assert not (tmp / "catalogue").exists(), "a dry run writes nothing"
    done = client.post(f"/publish/{job}", data={"csrf": csrf})
    assert done.status_code == 303
    board = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Anytown Borough Council" in board, board
    # The example is valid with a warning or two: the board says which.
    assert re.search(r'class="state-(valid|warnings)">(valid|\d+ warnings?)<', board), board
    assert (tmp / "catalogue" / "index.html").is_file()
    # A bad web address is refused on the form, in one line.
    bad = client.post(f"/package/{job}", data={"csrf": csrf, "org_uri": "javascript:alert(1)"})
    assert bad.status_code == 400 and "starting https://" in bad.get_data(as_text=True)


def test_the_board_of_an_empty_catalogue_is_empty_and_a_broken_one_is_an_error_page(server, tmp_path):
    client, settings, tmp = server
    (tmp / "catalogue").mkdir()
    page = client.get("/catalogue")
    assert page.status_code == 200 and "Anytown" not in page.get_data(as_text=True)
    # a catalogue that cannot be read is said, not shown as empty
    (tmp / "catalogue" / "anytown").mkdir()
    (tmp / "catalogue" / "anytown" / "datapackage.json").write_text("{not json", encoding="utf-8")
    broken = client.get("/catalogue")
    assert broken.status_code == 502 and "datapackage.json" in broken.get_data(as_text=True)
