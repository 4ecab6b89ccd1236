"""openbook serve end to end: the real server (`python cli.py serve`, waitress) driven by
a real browser (Selenium with Debian's chromium and chromium-driver, headless)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

pytestmark = pytest.mark.browser


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{tool} is not installed: run tests/install_browser.sh")
        pytest.skip(f"{tool} is not installed (tests/install_browser.sh installs it)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(tmp_path):
    """A real openbook server on a free loopback port, publishing to a folder catalogue."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port),
                             "--publish-to", str(tmp_path / "catalogue"), "--max-upload-mb", "1"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60   # a guard against a server that never starts, not a speed test
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"openbook serve exited: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    yield url, tmp_path
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def browser(tmp_path):
    chromium, driver_path = _need("chromium"), _need("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(180)
    yield driver, downloads
    driver.quit()


def _upload(driver, url: str, path: Path) -> None:
    from selenium.webdriver.common.by import By
    driver.get(url)
    driver.find_element(By.ID, "file").send_keys(str(path))
    driver.find_element(By.ID, "check").click()


def _screenshot(driver, name: str) -> None:
    """The README's pictures, refreshed on purpose (OPENBOOK_UPDATE_SCREENSHOTS=1)."""
    if os.environ.get("OPENBOOK_UPDATE_SCREENSHOTS"):
        driver.save_screenshot(str(ROOT / "docs" / "img" / name))


def _wait(condition, what: str, seconds: float = 120):
    deadline = time.monotonic() + seconds   # a hang guard: the test fails on a hang, not on slowness
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"waited {seconds:.0f} s for {what}")


def test_check_a_file_download_its_marked_copy_publish_a_valid_one_and_refuse_a_large_one(site, browser):
    from selenium.webdriver.common.by import By
    url, tmp = site
    driver, downloads = browser

    # 1. A workbook with planted problems: each one is shown at its cell.
    driver.get(url)
    _screenshot(driver, "serve-upload.png")
    _upload(driver, url, EXAMPLES / "anytown-with-errors.xlsx")
    _wait(lambda: "/report/" in driver.current_url, "the report page")
    text = driver.find_element(By.TAG_NAME, "body").text
    expected = json.loads((EXAMPLES / "expected-errors.json").read_text(encoding="utf-8"))["problems"]
    shown = [e for e in expected if f"{e['sheet']}!{e['cell']}" in driver.page_source
             or f"{e['sheet']} row {e['row']}" in driver.page_source]
    assert len(shown) == len(expected), [e["cell"] for e in expected if e not in shown]
    assert "error" in text.lower()

    # 2. The marked-up workbook downloads and opens, its planted cells filled and commented.
    driver.find_element(By.ID, "download-annotated").click()
    marked = _wait(lambda: [p for p in downloads.glob("*.xlsx")], "the download")[0]
    wb = openpyxl.load_workbook(marked)
    first = expected[0]
    cell = wb[first["sheet"]][first["cell"]]
    assert cell.comment is not None and cell.fill.fgColor.rgb.endswith(("FF8A80", "FFC83D"))

    # 3. A valid workbook: package, see the plan, publish, and find it on the status board.
    _upload(driver, url, EXAMPLES / "anytown-borough-council.xlsx")
    _wait(lambda: "/report/" in driver.current_url, "the second report")
    driver.find_element(By.ID, "package-link").click()
    driver.find_element(By.ID, "make-package").click()
    _wait(lambda: "Nothing has been written yet" in driver.page_source, "the publish plan")
    assert not (tmp / "catalogue").exists()
    driver.find_element(By.ID, "confirm-publish").click()
    _wait(lambda: "/catalogue" in driver.current_url, "the status board")
    board = driver.find_element(By.ID, "board").text
    assert "Anytown Borough Council" in board
    _screenshot(driver, "serve-board.png")
    assert (tmp / "catalogue" / "index.html").is_file()

    # 4. A file over the server's limit (1 MB here) gets the explained 413 page.
    big = tmp / "big.csv"
    big.write_text("Date,Amount\n" + "2025-04-01,1.00\n" * 100_000)
    _upload(driver, url, big)
    _wait(lambda: "too large" in driver.page_source, "the 413 page")
    assert "larger than 1 MB" in driver.find_element(By.TAG_NAME, "body").text
