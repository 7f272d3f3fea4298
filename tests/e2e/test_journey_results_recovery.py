"""Browser journey off the happy path: Evaluate, Export GGUF and Merge each started into an error.
The error stays in the tab's status line (not only in a toast that fades), the buttons are left
as the run now allows, and the page goes on answering. A merge whose adapter trained on since is
shown stale, with what to do."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.export.provenance import write_merged
from core.train.config import TrainConfig, save_config
from core.train.run_folder import adapter_fingerprint, write_status
from tests.core.evaluate.test_generate import _trained_adapter

pytestmark = pytest.mark.e2e
QUICK = 60_000  # ms: a handler's answer while the box is busy
RUN = "recovery-run"


@pytest.fixture(scope="module")
def run_dir(studio, tiny_model: Path):
    """A finished run, the newest of the workspace, with an adapter, a merged model and an
    exported f16 file; its training file's folder has no test split. Removed afterwards."""
    run_dir = studio.workspace / "runs" / RUN
    cfg = TrainConfig(base_model=str(tiny_model), load_in_4bit=False)
    cfg.training.dataset_path = str(studio.workspace / "nowhere" / "train_harmony.jsonl")
    run_dir.mkdir(parents=True)
    save_config(cfg, run_dir / "config.yaml")
    shutil.copytree(_trained_adapter(tiny_model), run_dir / "adapter")
    (run_dir / "merged").mkdir()
    (run_dir / "merged" / "config.json").write_text('{"model_type": "llama"}')
    (run_dir / "exports").mkdir()
    (run_dir / "exports" / "model-f16.gguf").write_bytes(b"GGUF")
    write_status(run_dir, state="completed", started=time.time(), step=8)
    write_merged(run_dir / "merged", adapter_fingerprint(run_dir))
    yield run_dir
    shutil.rmtree(run_dir)


def test_failed_starts_leave_their_error_in_the_tab_and_the_page_recovers(
    run_dir: Path, studio_page: Page, screenshot
) -> None:  # the run exists before the page opens, so each tab picks it
    page = studio_page
    page.locator("#tab-evaluate-button").click()
    expect(page.locator("#eval-run input")).to_have_value(re.compile(RUN), timeout=QUICK)
    page.locator("#eval-start").click()
    status = page.locator("#eval-status")
    expect(status.locator(".msg.error")).to_contain_text("split file does not exist", timeout=QUICK)
    expect(page.locator("#eval-start")).to_be_enabled()

    page.locator("#tab-export-button").click()
    expect(page.locator("#export-run input")).to_have_value(re.compile(RUN), timeout=QUICK)
    expect(page.locator("#export-note")).to_contain_text("ready to export", timeout=QUICK)
    page.locator("#export-gguf").click()
    job = page.locator("#export-job")
    expect(job.locator(".msg.error")).to_contain_text("exists already", timeout=QUICK)
    expect(page.locator("#export-gguf")).to_be_enabled()
    expect(page.locator("#export-cancel")).to_be_hidden()

    with open(run_dir / "adapter" / "adapter_model.safetensors", "ab") as weights:
        weights.write(b" ")  # as a Resume leaves it: other weights, a later step
    write_status(run_dir, step=16)
    page.locator("#export-refresh").click()
    expect(page.locator("#export-note")).to_contain_text(
        "STALE: the merged model holds an older adapter (step 8)", timeout=QUICK
    )
    expect(page.locator("#export-note")).to_contain_text("re-merge (press Merge), then re-export")
    expect(page.locator("#export-gguf")).to_be_disabled()
    expect(page.locator("#export-merge")).to_be_enabled()

    shutil.rmtree(run_dir / "adapter")  # gone since the page showed the run
    page.locator("#export-merge").click()
    expect(job.locator(".msg.error")).to_contain_text("cannot be merged yet", timeout=QUICK)
    expect(page.locator("#export-note")).to_contain_text("no adapter yet", timeout=QUICK)
    expect(page.locator("#export-merge")).to_be_disabled()
    expect(page.locator("#export-gguf")).to_be_disabled()
    time.sleep(12)  # the toasts have faded; the error lines stay
    expect(job.locator(".msg.error")).to_contain_text("cannot be merged yet")
    screenshot("12-recovery")
    page.locator("#tab-evaluate-button").click()
    expect(status.locator(".msg.error")).to_contain_text("split file does not exist")
    shutil.rmtree(run_dir / "merged")
    page.locator("#eval-start").click()  # the page still answers: now there is nothing to score
    expect(status.locator(".msg.error")).to_contain_text("no adapter", timeout=QUICK)
