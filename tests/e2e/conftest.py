"""Browser tests: the studio started with launch.py, driven by Playwright in Debian's Chromium.

No browser is ever downloaded: Playwright launches the system's /usr/bin/chromium (or
$CHROMIUM) with the flags the studio bench uses (bench/bench_studio.py). Every test module here
gets the `studio` server (a copy of the bundled corpus, a scratch workspace, the CPU demo config
pointing at the cached tiny model) and a `studio_page` that fails the test if the page asks any
host but the studio for anything.
Screenshots go to <repo>/workspace/screenshots/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.bench_studio import CHROMIUM, CHROMIUM_FLAGS
from core.workspace import CONFIG_DIR, REPO_ROOT, SAMPLE_CORPUS
from tests.studio.test_launch import StudioServer, start_studio

SCREENSHOTS = REPO_ROOT / "workspace" / "screenshots"
VIEWPORT = {"width": 1440, "height": 1000}

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at the system Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_FLAGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def studio(tmp_path_factory, tiny_model: Path) -> Iterator[StudioServer]:
    """The studio on a writable copy of the bundled corpus and the CPU demo config."""
    root = tmp_path_factory.mktemp("e2e")
    corpus = root / "raw_scripts"
    shutil.copytree(SAMPLE_CORPUS, corpus, symlinks=True)
    workspace = root / "workspace"
    workspace.mkdir()
    config = root / "cpu-demo.yaml"
    text = (CONFIG_DIR / "cpu-demo.yaml").read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^base_model:.*$", f"base_model: {tiny_model}", text))
    server = start_studio(workspace, corpus, ["--config", str(config)])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def studio_page(browser, studio: StudioServer):
    """One page for a whole module (a journey keeps its state from step to step).

    Records every request; `studio_page.external` lists those to any other host.
    """
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.external = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((studio.url, "data:", "blob:"))
            else page.external.append(request.url)
        ),
    )
    page.goto(studio.url + "/")
    page.wait_for_selector("#studio-header[data-ready]", timeout=120_000)  # events are wired
    yield page
    context.close()


@pytest.fixture
def screenshot(studio_page) -> Callable[[str], Path]:
    """Save a full-page screenshot as workspace/screenshots/<name>.png."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        studio_page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _no_external_requests(request) -> Iterator[None]:
    """After each browser test: the page fetched nothing from the internet."""
    yield
    if "studio_page" in request.fixturenames:
        page = request.getfixturevalue("studio_page")
        assert page.external == [], f"requests to other hosts: {page.external}"
