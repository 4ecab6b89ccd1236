"""The HTML report: content, accessibility, speed, the CLI, and a real browser."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

import openbook
from openbook.cli import cli
from openbook.templates import with_csp, without_csp
from openbook.report.html import FIXES, PALETTE, report_html
from openbook.check.result import PROBLEM_SCHEMA, Report, TableResult

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "anytown-with-errors.xlsx"
ARTEFACTS = ROOT / "tests" / "artefacts"
URI = "https://anytown.gov.uk"


def make_workbook_with_errors(path: Path) -> Path:
    """A small council workbook with cell, row and header problems, errors and warnings."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Functions"
    ws.append(["OrganisationURI", "FunctionID", "Label", "Level", "Remarks"])   # E1: extra-label (warning)
    ws.append([URI, "F-1", "Home care", "service", ""])
    ws.append([URI, "F-2", None, "service", ""])            # C3: required value missing
    ws.append([URI, "F-1", "Duplicate", "badlevel", ""])    # row 4: primary key; D4: not on the list
    ws.append([None, None, None, None, None])               # row 5: blank row (warning)
    ws.append([URI, "F-3", "Libraries", "service", ""])
    costs = wb.create_sheet("Costs")
    costs.append(["OrganisationURI", "FiscalYear", "FunctionID", "SubjectiveGroup", "CostLineID", "Actual"])
    costs.append([URI, "2025/26", "F-1", "employees", "C1", 100])
    costs.append([URI, "2025", "F-9", "employees", "C2", "abc"])   # B3 pattern, C3 foreign key, F3 type
    for i in range(4, 12):                                         # F4:F11: eight more type errors
        costs.append([URI, "2025/26", "F-1", "premises", f"C{i}", f"1O{i}0"])  # letter O typed for a zero
    wb.save(path)
    return path


def workbook(tmp_path: Path) -> Path:
    """The documented example once it exists, else a small workbook with errors."""
    if EXAMPLE.is_file():
        return EXAMPLE
    return make_workbook_with_errors(tmp_path / "anytown-with-errors.xlsx")


def documented() -> list[dict]:
    """The planted problems of the example (examples/expected-errors.json), once it exists."""
    expected = EXAMPLE.parent / "expected-errors.json"
    if not (EXAMPLE.is_file() and expected.is_file()):
        return []
    return json.loads(expected.read_text(encoding="utf-8"))["problems"]


class Outline(HTMLParser):
    """Headings, header cells, details and external references of a page."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.th_without_scope = 0
        self.ths = 0
        self.details = 0
        self.external: list[str] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(tag)
        if tag == "th":
            self.ths += 1
            if a.get("scope") not in ("col", "row"):
                self.th_without_scope += 1
        if tag == "details":
            self.details += 1
        for key in ("src", "href"):
            if a.get(key) and not a[key].startswith("#"):
                self.external.append(a[key])
        if tag == "link":
            self.external.append(a.get("href", "link"))


def _outline(html: str) -> Outline:
    o = Outline()
    o.feed(html)
    return o


def test_report_lists_every_problem_with_its_fix(tmp_path):
    path = workbook(tmp_path)
    report = openbook.validate(path)
    assert not report.valid
    html = report_html(report)
    o = _outline(html)
    assert o.lang == "en-GB"
    assert o.headings.count("h1") == 1 and o.headings[0] == "h1"
    levels = [int(h[1]) for h in o.headings]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "headings skip a level"
    assert o.ths and o.th_without_scope == 0
    assert o.external == [], "the page must not load anything"
    # opens with what is good
    good = html.index("What is good")
    assert good < html.index("Problems to fix")
    assert f"<strong>{len(report.tables)}</strong> table" in html
    assert f"<strong>{report.rows:,}</strong> row" in html
    assert "checks passed" in html
    # every problem, at its location, with its value
    for p in report.iter_problems():
        assert p.location in html, p.location
        if p.value:
            assert _escape(p.value) in html
    # every group has its count and a fix
    for (severity, code, field), n in report.counts().items():
        assert f"<code>{code}</code>" in html
        if code in FIXES:
            assert _escape(FIXES[code]) in html
    assert html.count('class="fix"') == len(report.counts())
    # long lists fold
    biggest = max(report.counts().values())
    if biggest > 5:
        assert o.details >= 1


def _escape(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))


def test_known_cells_and_counts_in_small_workbook(tmp_path):
    report = openbook.validate(make_workbook_with_errors(tmp_path / "bad.xlsx"))
    html = report_html(report)
    for where in ["Functions!C3", "Functions row 4", "Functions!D4", "Functions!E1", "Functions row 5",
                  "Costs!B3", "Costs!C3", "Costs!F3", "Costs!F11"]:
        assert where in html, where
    assert re.search(r"Values of the wrong kind in Actual \(£\) \(Actual\): 9 problems", html)
    assert "Show 4 more locations" in html
    assert "NOT VALID" in html and "errors below" in html


def test_valid_report_says_so(tmp_path):
    path = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Functions"
    ws.append(["OrganisationURI", "FunctionID", "Label"])
    ws.append([URI, "F-1", "Home care"])
    wb.save(path)
    html = report_html(openbook.validate(path))
    assert "VALID: 1 table," in html
    assert "No problems found" in html
    assert "&#10007;" not in html


def test_contrast_meets_wcag_aa():
    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for name, (fg, bg) in PALETTE.items():
        hi, lo = sorted([luminance(fg), luminance(bg)], reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, name
    # text colours are also used on the tinted boxes
    for fg in ("error", "ok", "link"):
        for box in ("error-box", "ok-box", "warning-box"):
            hi, lo = sorted([luminance(PALETTE[fg][0]), luminance(PALETTE[box][1])], reverse=True)
            assert (hi + 0.05) / (lo + 0.05) >= 4.5, (fg, box)


def test_print_stylesheet_expands_folded_lists(tmp_path):
    html = report_html(openbook.validate(make_workbook_with_errors(tmp_path / "bad.xlsx")))
    css = html[html.index("@media print"):]
    assert "details::details-content" in css and "break-inside: avoid" in css
    assert "beforeprint" in html


def _big_report(n: int) -> Report:
    problems = pl.DataFrame({
        "severity": ["error"] * n, "code": ["type-error"] * n, "field": ["Amount"] * n,
        "row": list(range(2, n + 2)), "col": [22] * n, "value": [f"x{i}" for i in range(n)],
        "detail": [None] * n}, schema=PROBLEM_SCHEMA)
    t = TableResult(name="Spend", schema="spend", path="spend.xlsx", sheet="Spend", header_row=1, rows=n,
                    problems=problems)
    return Report(tables=[t])


def test_large_reports_stay_fast_and_say_how_many_more():
    report = _big_report(50_000)
    start = time.perf_counter()
    html = report_html(report)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, f"{elapsed:.1f}s"
    assert "50,000 problems" in html
    assert "and 49,000 more problems" in html and "JSON report" in html
    assert "Spend!W1001" in html and "Spend!W1002" not in html
    assert len(html) < 2_000_000


def test_max_errors_is_honoured_and_counts_stay_exact():
    report = _big_report(300)
    report.max_errors = 10
    html = report_html(report)
    assert "lists 10 of 300 problems" in html
    assert "300 problems" in html
    assert "Spend!W11" in html and "Spend!W12<" not in html


def test_cli_writes_html_report(tmp_path):
    path = make_workbook_with_errors(tmp_path / "bad.xlsx")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "html", "-o", str(out)])
    assert result.exit_code == 1, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Costs!F3" in html and "Functions!C3" in html
    assert "NOT VALID" in result.output


def test_cells_cannot_hide_or_reorder_text_in_the_report(tmp_path):
    """Issue 14, cases 16-17: zero-width, bidi and control characters are shown as
    escapes (U+202E would reverse the rest of the line in the page)."""
    path = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Functions"
    ws.append(["OrganisationURI", "FunctionID", "Label", "Level"])
    ws.append([URI, "F-1", "Home\u200b care", "service"])
    ws.append([URI, "F-2", "Libraries", "serv\u202eice"])
    ws.append([URI, "F-3", "Parks", "serv_x001B_[2J"])   # OOXML's escape: read back as ESC
    wb.save(path)
    html = report_html(openbook.validate(path))
    rows = html[html.index("Problems to fix"):]
    assert "Home\\u200b care" in rows and "serv\\u202eice" in rows and "\\x1b[2J" in rows
    assert not re.search("[\u200b\u202e\x1b]", rows)


def test_report_masks_personal_data(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text("OrganisationURI,PaymentDate,BeneficiaryName,Purpose,Amount\n"
                    f"{URI},2025-04-30,Acme Ltd,Refund to jo.bloggs@example.com,600\n"
                    f"{URI},2025-04-30,Mrs Jane Smith,Care,700\n", encoding="utf-8")
    report = openbook.validate(path)
    html = report_html(report)
    assert "jo.bloggs@example.com" not in html and "Jane Smith" not in html
    assert "j•••@e•••.com" in html and "Mrs J••• S•••" in html
    assert "spend!D2" in html and "spend!C3" in html


# ------------------------------------------------------------------ browser

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _run_chromium(exe: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="openbook-chromium-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.browser
def test_report_in_a_real_browser(tmp_path):
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed: run tests/install_browser.sh")
        pytest.skip("chromium is not installed (tests/install_browser.sh installs it)")
    path = workbook(tmp_path)
    report = openbook.validate(path)
    page = tmp_path / "report.html"
    page.write_text(report_html(report), encoding="utf-8")
    url = page.as_uri()

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / "report.png"
    shot.unlink(missing_ok=True)
    run = _run_chromium(exe, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", url)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("OPENBOOK_UPDATE_SCREENSHOTS"):  # the README's picture, refreshed on purpose
        img = ROOT / "docs" / "img"
        img.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, img / "report.png")

    dom = _run_chromium(exe, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    assert "What is good" in text and "Problems to fix" in text
    assert "NOT VALID" in text
    first = report.problems()[0]
    assert first.location in text
    for p in report.iter_problems():  # every problem found is on the page
        assert p.location in text, p.location
    missing = [f"{e['sheet']}!{e['cell']}" for e in documented()
               if f"{e['sheet']}!{e['cell']}" not in text and f"{e['sheet']} row {e['row']}" not in text]
    assert missing == [], "documented problems not shown: " + ", ".join(missing)


@pytest.mark.browser
def test_printing_expands_folded_lists_in_a_real_browser(tmp_path):
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed: run tests/install_browser.sh")
        pytest.skip("chromium is not installed (tests/install_browser.sh installs it)")
    html = report_html(_big_report(300))   # 5 rows shown, 295 folded
    pages = {}
    for name, page in [("folded", html), ("without", html.replace("<details>", "<div hidden>")
                                                          .replace("</details>", "</div>"))]:
        src = tmp_path / f"{name}.html"
        src.write_text(page, encoding="utf-8")
        pdf = tmp_path / f"{name}.pdf"
        run = _run_chromium(exe, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", src.as_uri())
        assert run.returncode == 0 and pdf.is_file(), run.stderr[-2000:]
        pages[name] = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
    assert pages["folded"] >= pages["without"] + 3, pages   # the folded rows are printed


# Measures the overview chart where it is drawn: every label's box, pairwise, and the chart's edge.
LAYOUT_PROBE = """<script>
(function () {
  var chart = document.getElementById("overview");
  var labels = Array.prototype.slice.call(chart.querySelectorAll(".dp-label, .dp-value, .dp-tick, figcaption, .legend"))
      .filter(function (el) { return el.textContent.trim() !== ""; });
  var boxes = labels.map(function (el) { var r = el.getBoundingClientRect();
      return {text: el.textContent.trim().slice(0, 40), l: r.left, r: r.right, t: r.top, b: r.bottom}; });
  var overlaps = [];
  for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
    var a = boxes[i], b = boxes[j];
    var w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
    if (w > 0.5 && h > 0.5) overlaps.push([a.text, b.text]);
  }
  var dotsOutside = Array.prototype.slice.call(chart.querySelectorAll(".dp-dot")).filter(function (d) {
    var t = d.parentNode.getBoundingClientRect(), r = d.getBoundingClientRect();
    return r.left + r.width / 2 < t.left - 0.5 || r.left + r.width / 2 > t.right + 0.5; }).length;
  var fig = chart.getBoundingClientRect();
  parent.postMessage(JSON.stringify({
    width: window.innerWidth, labels: boxes.length, overlaps: overlaps, dotsOutside: dotsOutside,
    chartRight: fig.right, pageWidth: document.documentElement.clientWidth,
    smallest: Math.min.apply(null, labels.map(function (el) { return parseFloat(getComputedStyle(el).fontSize); }))}), "*");
})();
</script>"""
# Chromium will not make a window narrower than 500 px, so the page is laid out in a frame of the width wanted.
FRAME = """<!DOCTYPE html><html><body style="margin:0"><pre id="layout-probe"></pre>
<iframe src="{src}" style="width:{width}px;height:2000px;border:0"></iframe>
<script>window.addEventListener("message", function (e) {{ document.getElementById("layout-probe").textContent = e.data; }});</script>
</body></html>"""


def _layout(exe: str, page: Path, width: int) -> dict:
    probe = page.with_name(f"{page.stem}-probe.html")
    # The page's policy runs only its own scripts: it is remade to allow the probe too.
    html = without_csp(page.read_text(encoding="utf-8")).replace("</body>", LAYOUT_PROBE + "</body>")
    probe.write_text(with_csp(html), encoding="utf-8")
    frame = page.with_name(f"{page.stem}-{width}.html")
    frame.write_text(FRAME.format(src=probe.name, width=width), encoding="utf-8")
    dom = _run_chromium(exe, "--dump-dom", "--window-size=1400,2200", "--virtual-time-budget=5000", frame.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    m = re.search(r'<pre id="layout-probe">(.*?)</pre>', dom.stdout, re.S)
    assert m and m.group(1), "the layout probe did not run"
    return json.loads(m.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


@pytest.mark.browser
def test_pages_keep_their_own_style_and_script_under_the_csp(tmp_path):
    """Issue 14, case 15: every generated page carries a strict Content-Security-Policy.
    Chromium applies the page's own <style> and runs its own <script> (allowed by hash),
    and refuses anything injected after rendering."""
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed: run tests/install_browser.sh")
        pytest.skip("chromium is not installed (tests/install_browser.sh installs it)")
    from openbook.publish.catalogue import Dataset, render_dataset, render_index
    d = Dataset(org="anytown", name="anytown-2025-26", versions=["1.0.0"], descriptor={
        "name": "anytown-2025-26", "title": "Anytown", "version": "1.0.0",
        "publisher": {"title": "Anytown", "path": "javascript:alert(1)"},
        "resources": [{"name": "spend", "path": "data/spend.csv"}]})
    pages = {"report": report_html(openbook.validate(make_workbook_with_errors(tmp_path / "bad.xlsx"))),
             "index": render_index([d]), "dataset": render_dataset(d)}
    injected = pages["report"].replace("</main>", "<script>document.title='injected'</script></main>")
    for name, html in list(pages.items()) + [("injected", injected)]:
        page = tmp_path / f"{name}.html"
        page.write_text(html, encoding="utf-8")
        run = _run_chromium(exe, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
        assert run.returncode == 0, run.stderr[-2000:]
        refused = [line for line in run.stderr.splitlines() if "Content Security Policy" in line]
        if name == "injected":
            assert refused and "<title>injected</title>" not in run.stdout
        else:
            assert refused == [], refused[:3]
            assert "javascript:" not in " ".join(re.findall(r'href="([^"]*)"', run.stdout))


@pytest.mark.browser
def test_comparison_report_in_a_real_browser(tmp_path, monkeypatch):
    """The compare page at 1280 and 400 px: verdicts, every council, the supplier apart, no label over another."""
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed: run tests/install_browser.sh")
        pytest.skip("chromium is not installed (tests/install_browser.sh installs it)")
    import sys
    from openbook.compare.render import html as compare_html
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
    names = ["anytown-borough-council", "brookshire-district-council", "castleford-city-council"]
    packages = [openbook.package(ROOT / "examples" / f"{n}.xlsx", out_dir=tmp_path / "out").path for n in names]
    supplier = openbook.package(ROOT / "examples" / "kestrel-managed-services-supplier-costs.xlsx",
                                out_dir=tmp_path / "out").path
    comparison = openbook.compare(packages + [supplier])
    page = tmp_path / "compare.html"
    page.write_text(compare_html(comparison), encoding="utf-8")
    sys.path.insert(0, str(ROOT / "tests"))
    from compare_catalogue import write_catalogue
    write_catalogue(packages, tmp_path / "catalogue", councils=32)
    many = openbook.compare([tmp_path / "catalogue"], scale_population=1_000_000, scale_source="a test figure")
    big = tmp_path / "compare-many.html"
    big.write_text(compare_html(many), encoding="utf-8")

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / "compare.png"
    shot.unlink(missing_ok=True)
    run = _run_chromium(exe, f"--screenshot={shot}", "--window-size=1280,1600", "--hide-scrollbars", page.as_uri())
    assert run.returncode == 0 and shot.is_file() and shot.stat().st_size > 10_000, run.stderr[-2000:]
    if os.environ.get("OPENBOOK_UPDATE_SCREENSHOTS"):
        shutil.copyfile(shot, ROOT / "docs" / "img" / "compare.png")

    dom = _run_chromium(exe, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    assert "At a glance" in text and "40% scenario" in text and "too few comparable bodies" in text
    for summary in comparison.summaries:
        assert summary.body_name in text and summary.peer_group in text
    assert "Kestrel Managed Services Ltd" in text and "ATN-C-2023-0147" in text
    assert not re.search(r"of (\d+) of \1", text)
    dom = _run_chromium(exe, "--dump-dom", big.as_uri())
    assert f"£{many.scenario.total:,.0f}" in dom.stdout and "1,000,000" in dom.stdout

    for p in (page, big):
        for width in (1280, 400):
            layout = _layout(exe, p, width)
            assert layout["width"] == width, layout
            assert layout["labels"] > 5 and layout["overlaps"] == [], (p.name, width, layout["overlaps"])
            assert layout["dotsOutside"] == 0, (p.name, width)
            assert layout["chartRight"] <= layout["pageWidth"] + 0.5, (p.name, width, layout)
            assert layout["smallest"] >= 11, (p.name, width, layout["smallest"])  # readable at 400 px


def test_a_capped_list_still_masks_a_flagged_cell(tmp_path):
    """More emails than a group lists: the formula problem at the 1,002nd email's cell is
    listed, its email problem is not; the value is masked all the same."""
    lines = ["OrganisationURI,PaymentDate,BeneficiaryName,Purpose,Amount"]
    lines += [f"{URI},2025-04-30,Acme Ltd,Refund to person{i}@example.com,600" for i in range(1001)]
    lines += [f'{URI},2025-04-30,Acme Ltd,"=HYPERLINK(""mailto:last.one@example.org"")",600']
    path = tmp_path / "spend.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    html = report_html(openbook.validate(path), cap=1000)
    assert "spend!D1003" in html and "last.one@example.org" not in html and "l•••@e•••.org" in html


def test_markup_in_cells_is_text_in_the_report(tmp_path):
    """A cell holding HTML or a script is shown as text, never run (and the CSP would refuse it)."""
    path = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Functions"
    ws.append(["OrganisationURI", "FunctionID", "Label", "Level", '<img src=x onerror="alert(1)">'])
    ws.append([URI, "F-1", "Home care", "</script><script>alert(1)</script>", "x"])
    wb.save(path)
    html = report_html(openbook.validate(path))
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1   # the page's own, allowed by its hash


def test_reports_read_right(tmp_path):
    """Issue 19: thousands separators and plurals, no label said twice, messages that start
    with a capital, passed checks in positive words, and only the checks that applied."""
    lines = ["OrganisationURI,PaymentDate,BeneficiaryName,Purpose,Amount"]
    lines += [f"{URI},2025-04-30,Acme Ltd,Road repairs,TBC" for _ in range(1200)]
    path = tmp_path / "spend.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = openbook.validate(path)
    text = CliRunner().invoke(cli, ["validate", str(path)]).stdout
    assert "1,200 rows" in text and "Amount (£) (Amount)" not in text
    messages = [p.message for p in report.problems(limit=None)]
    assert messages and all(m[:1].isupper() or m[:1] in '"' for m in messages), messages[:3]
    html = report_html(report)
    checks = html.split('id="checks"', 1)[1].split("</section>", 1)[0]
    assert "No National Insurance numbers found" in checks and "No email addresses found" in checks
    assert "A UK National Insurance number" not in checks
    assert "did not apply" in checks and "organogram" in checks.lower()   # no organogram here
    out = tmp_path / "report.json"
    res = CliRunner().invoke(cli, ["validate", str(path), "--format", "json", "-o", str(out)])
    assert f"listed in {out}" in res.stderr and "errors above" not in res.stderr
