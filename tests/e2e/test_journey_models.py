"""Browser journey: pick a base model in the Train tab, see how it fits this machine, download it
from a miniature hub on 127.0.0.1 (tests/hub_server.py) with a progress bar, and find the form's
base model field naming the downloaded folder.

This module has a studio of its own, started with HF_ENDPOINT pointing at the miniature hub.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.models.twins import ensure_twin
from core.workspace import CONFIG_DIR, SAMPLE_CORPUS
from tests.conftest import TEST_CACHE
from tests.hub_server import REPO, FakeHub
from tests.studio.test_launch import StudioServer, start_studio

pytestmark = pytest.mark.e2e
QUICK, SLOW = 60_000, 180_000


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHub]:
    server = FakeHub({REPO: ensure_twin("qwen3", TEST_CACHE)}, delay=0.02)  # seconds to watch
    yield server
    server.stop()


@pytest.fixture(scope="module")
def studio(tmp_path_factory, hub: FakeHub) -> Iterator[StudioServer]:
    """The studio on the CPU demo config, online towards the miniature hub only."""
    root = tmp_path_factory.mktemp("e2e-models")
    corpus, workspace = root / "raw_scripts", root / "workspace"
    shutil.copytree(SAMPLE_CORPUS, corpus, symlinks=True)
    workspace.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_ENDPOINT", hub.url)
        patch.setenv("HF_HUB_OFFLINE", "0")
        patch.delenv("HF_TOKEN", raising=False)
        server = start_studio(workspace, corpus, ["--config", str(CONFIG_DIR / "cpu-demo.yaml")])
    assert os.environ.get("HF_ENDPOINT") != hub.url
    yield server
    server.stop()


def test_pick_see_the_fit_download_and_train_on_it(studio_page: Page, studio, screenshot):
    page = studio_page
    page.locator("#tab-train-button").click()
    table = page.locator("#picker-table")
    expect(table).to_contain_text("gpt-oss 20B", timeout=QUICK)
    # sized with the form's settings (the CPU demo config: batch 8 of 512 tokens)
    expect(table).to_contain_text("a 20 GB GPU with unsloth (18.6 GB)", timeout=QUICK)
    expect(page.locator("#picker-machine")).to_contain_text("CPU cores", timeout=QUICK)

    table.get_by_text("Qwen3 0.6B", exact=True).click()
    chosen = page.locator("#picker-chosen")
    expect(chosen).to_contain_text("Qwen3 0.6B", timeout=QUICK)
    download = page.locator("#picker-download")
    expect(download).to_be_enabled(timeout=QUICK)
    download.click()
    progress = page.locator("#picker-progress")
    expect(progress).to_contain_text(re.compile(r"MB of .* MB/s"), timeout=QUICK)
    expect(progress.locator("progress")).to_be_visible()
    screenshot("12-model-download")

    expect(progress).to_contain_text("Downloaded Qwen/Qwen3-0.6B", timeout=SLOW)
    base = page.locator("#train-field-base-model input, #train-field-base-model textarea")
    expect(base).to_have_value("workspace/models/Qwen--Qwen3-0.6B", timeout=QUICK)
    expect(table).to_contain_text("downloaded", timeout=QUICK)
    folder = studio.workspace / "models" / "Qwen--Qwen3-0.6B"
    assert (folder / "model.safetensors").stat().st_size > 10 * 2**20
    expect(page.locator("#train-plan")).to_contain_text("estimated peak memory", timeout=QUICK)
    screenshot("13-model-picked")


def test_the_picker_fetched_nothing_but_from_the_local_hub(studio, hub):
    assert all(r.path.startswith(("/api/models/", f"/{REPO}/resolve/")) for r in hub.requests)
    log = Path(studio.network_log)
    assert not log.exists() or log.read_text() == ""
