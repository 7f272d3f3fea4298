"""After the journeys (the workspace then holds a corpus, a dataset, a run, an export and an
evaluation): every tab at 1440×900 and at 1280×720, screenshot saved, checked for what a person
would see as broken — a page wider than the window (cut tables), a table header too narrow for
its name, tab buttons off the screen, raw control characters in the text — and, on a laptop
screen, the live loss plot in view when the Monitor opens."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

TABS = ["corpus", "normalize", "includes", "dataset", "train", "evaluate", "export", "playground"]
VIEWPORTS = [(1440, 900), (1280, 720)]
CONTROL_CHARS = r"/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/"


CUT_HEADERS = """() => [...document.querySelectorAll('th')]
  .filter(th => th.offsetParent !== null && th.innerText.trim())
  .filter(th => [...th.querySelectorAll('span')].some(s => s.scrollWidth > s.clientWidth + 1
      || s.getBoundingClientRect().right > th.getBoundingClientRect().right + 1))
  .map(th => th.innerText.trim())"""


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when nothing is cut)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def open_page(browser: Browser, url: str, width: int, height: int) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(url + "/")
    page.wait_for_selector("#studio-header[data-ready]", timeout=120_000)
    return page


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=["1440x900", "1280x720"])
def test_every_tab_fits_the_window_and_shows_no_raw_control_characters(
    browser: Browser, studio, width: int, height: int
) -> None:
    page = open_page(browser, studio.url, width, height)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for tab in TABS:
        page.locator(f"#tab-{tab}-button").click()
        page.wait_for_timeout(1500)  # the tab's page-load views settle
        page.screenshot(path=str(SCREENSHOTS / f"layout-{width}x{height}-{tab}.png"))
        if overflow(page) > 0:
            problems.append(f"{tab}: the page is {overflow(page)} px wider than the window")
        box = page.locator(f"#tab-{tab}-button").bounding_box()
        if box is None or box["x"] + box["width"] > width:
            problems.append(f"{tab}: its tab button is off the screen")
        if cut := page.evaluate(CUT_HEADERS):
            problems.append(f"{tab}: table headers cut short: {cut}")
        if page.evaluate(f"{CONTROL_CHARS}.test(document.body.innerText)"):
            problems.append(f"{tab}: raw control characters in the page's text")
    page.context.close()
    assert problems == []


def test_the_loss_plot_is_in_view_on_a_laptop_screen(browser: Browser, studio) -> None:
    page = open_page(browser, studio.url, 1280, 720)
    page.locator("#tab-train-button").click()
    page.locator("#train-tab-monitor-button").click()
    plot = page.locator("#train-loss-plot")
    plot.wait_for(state="visible", timeout=30_000)
    box = plot.bounding_box()
    page.screenshot(path=str(SCREENSHOTS / "layout-1280x720-train-monitor.png"))
    page.context.close()
    assert box is not None and box["y"] + box["height"] / 2 < 720, f"loss plot at {box}"
