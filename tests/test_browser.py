"""The demo's pages in a real browser (headless Chromium): the report (with its charts), the
agenda, the recommendation letter and the cohort dashboard: no console errors, no network,
rendered, printable.

Saves ``artifacts/report-demo.png`` (and ``report-demo.pdf``, ``report-demo.nb.png``,
``letter-demo.png/.pdf``, ``dashboard-demo.png/.pdf``...) for CI.
Skipped when chromium/chromedriver/selenium are missing, except under ``CI=true``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tumorboard.demo import run_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,900",
)


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            return f"{path} not found (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser test must run under CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    run_demo(folder)
    return folder


_BROWSER_INTERNAL = ("chrome", "chrome-untrusted", "devtools", "about")


def _requests(driver) -> list[tuple[str, str]]:
    """(URL, document that asked for it) of every request the browser sent since the last call."""
    found = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            params = message["params"]
            found.append((params["request"]["url"], params.get("documentURL", "")))
    return found


def _open(driver, page: Path) -> str:
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    url = page.resolve().as_uri()
    driver.get(url)
    return url


def _full_page_screenshot(driver, target: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, min(int(height) + 40, 12000))
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(target))
    driver.set_window_size(1200, 900)


PAGES = [
    "report.html",
    "report.nb.html",
    "agenda.html",
    "letter.html",
    "letter.nb.html",
    "dashboard.html",
]


def _stem(name: str) -> str:
    base, _, rest = name.removesuffix(".html").partition(".")
    return f"{base if base == 'agenda' else base + '-demo'}{'.' + rest if rest else ''}"


@pytest.mark.parametrize("name", PAGES)
def test_demo_page_offline_without_errors(browser, demo_dir: Path, name: str) -> None:
    url = _open(browser, demo_dir / name)
    assert browser.execute_script("return document.readyState") == "complete"
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    requests = _requests(browser)
    assert [u for u, document in requests if document == url] == [url]  # the page loads itself
    local = ("file", "data", *_BROWSER_INTERNAL)  # data: is inline, not a network request
    outside = [u for u, _ in requests if urlsplit(u).scheme not in local]
    assert outside == []  # and nothing else: no http(s), ws, data fetches...
    title = browser.title
    assert title
    stem = _stem(name)
    _full_page_screenshot(browser, ARTIFACTS / f"{stem}.png")
    assert (ARTIFACTS / f"{stem}.png").stat().st_size > 10_000


def test_demo_report_content_is_visible(browser, demo_dir: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, demo_dir / "report.html")
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.text == "Molecular tumour board report"
    assert browser.find_element(By.ID, "summary").is_displayed()
    ids = {e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, "section[id]")}
    assert ids == {
        "summary",
        "decision",
        "actionable",
        "off-label",
        "biomarkers",
        "charts",
        "other-variants",
        "qc",
    }
    details = browser.find_element(By.CSS_SELECTOR, "#other-variants details")
    assert details.get_attribute("open") is None  # collapsed on screen
    row = browser.find_element(
        By.XPATH, "//section[@id='other-variants']//th[contains(., 'TP53 R248Q')]"
    )
    assert not row.is_displayed()
    details.find_element(By.TAG_NAME, "summary").click()
    assert row.is_displayed()  # one click opens the non-actionable variants


def _pages(pdf: bytes) -> int:
    count = re.search(rb"/Type /Pages\s*/Count (\d+)", pdf) or re.search(rb"/Count (\d+)", pdf)
    assert count is not None
    return int(count.group(1))


@pytest.mark.parametrize(
    ("name", "most"), [("report.html", 99), ("letter.html", 2), ("dashboard.html", 99)]
)
def test_demo_pages_print_to_a4_pdf(browser, demo_dir: Path, name: str, most: int) -> None:
    _open(browser, demo_dir / name)
    pdf = base64.b64decode(
        browser.execute_cdp_cmd(
            "Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}
        )["data"]
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{_stem(name)}.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    assert 1 <= _pages(pdf) <= most  # the letter: one or two pages
    boxes = {
        tuple(round(float(x)) for x in m.split())
        for m in re.findall(rb"/MediaBox \[([^\]]*)\]", pdf)
    }
    assert boxes == {(0, 0, 595, 842)}  # A4 portrait, from the pages' @page rule


def test_demo_letter_pdf_from_the_command_is_a4(demo_dir: Path) -> None:
    pdf = (demo_dir / "letter.pdf").read_bytes()  # written by `tumorboard demo` (Chromium CLI)
    assert pdf.startswith(b"%PDF")
    assert 1 <= _pages(pdf) <= 2
    assert {(0, 0, 595, 842)} == {
        tuple(round(float(x)) for x in m.split())
        for m in re.findall(rb"/MediaBox \[([^\]]*)\]", pdf)
    }


_SVG_BOXES = """
return [...document.querySelectorAll(arguments[0] + ' svg')].map(svg => {
  const r = svg.getBoundingClientRect();
  const bars = [...svg.querySelectorAll('rect')].slice(1).map(b => b.getBBox().width);
  return {role: svg.getAttribute('role'), w: r.width, h: r.height,
          title: svg.querySelector('title').textContent,
          desc: svg.querySelector('desc').textContent,
          bars: bars, lines: svg.querySelectorAll('line[stroke-dasharray]').length};
});
"""


def test_report_charts_are_drawn(browser, demo_dir: Path) -> None:
    _open(browser, demo_dir / "report.html")
    charts = browser.execute_script(_SVG_BOXES, "#charts")
    assert [c["title"] for c in charts] == ["Variant allele fractions", "TMB"]
    for chart in charts:
        assert chart["role"] == "img"
        assert chart["w"] > 300
        assert chart["h"] > 40
        assert chart["desc"]
    vaf = charts[0]
    assert len(vaf["bars"]) == 6
    assert all(w > 0 for w in vaf["bars"])
    assert vaf["lines"] == 2  # tumour content (60 %) and half of it


def test_dashboard_and_letter_are_drawn(browser, demo_dir: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, demo_dir / "dashboard.html")
    charts = browser.execute_script(_SVG_BOXES, "main")
    rows = browser.find_elements(By.CSS_SELECTOR, "#cohorts tbody tr")
    assert len(charts) == 2 * len(rows) + 1  # enrolled and benefit per cohort, one design
    assert all(c["role"] == "img" and c["w"] > 100 for c in charts)
    assert charts[-1]["title"] == "Operating characteristics"
    _open(browser, demo_dir / "letter.html")
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.text == "Recommendation of the molecular tumour board"
    assert browser.find_element(By.ID, "recommendation").is_displayed()
    assert "dabrafenib + trametinib" in browser.find_element(By.ID, "recommendation").text


_PAINTED = """
const th = [...document.querySelectorAll('#other-variants tbody th')]
    .find(e => e.textContent.includes(arguments[0]));
th.scrollIntoView({block: 'center'});
const r = th.getBoundingClientRect();
const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
return !!hit && th.contains(hit);
"""


def test_collapsed_variants_print_open(browser, demo_dir: Path) -> None:
    _open(browser, demo_dir / "report.html")
    assert browser.execute_script(_PAINTED, "TP53 R248Q") is False  # collapsed on screen
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert browser.execute_script(_PAINTED, "TP53 R248Q") is True  # open on paper
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
