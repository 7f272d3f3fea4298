"""Browser journey: run the AutoHotkey v2 task benchmark of a run against its base model in the
Evaluate tab and read pass@1, the failure classes and the examples."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.ahk.sandbox import missing_tools
from core.train.config import TrainConfig, save_config
from tests.core.evaluate.test_generate import _trained_adapter

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.interpreter,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {missing_tools()}"),
]
QUICK, SLOW = 15_000, 240_000


@pytest.fixture(scope="module")
def bench_run(studio, tiny_model: Path) -> str:
    """A run folder with the tiny model's trained adapter in the studio's workspace."""
    run_dir = studio.workspace / "runs" / "bench-run"
    run_dir.mkdir(parents=True)
    save_config(
        TrainConfig(base_model=str(tiny_model), load_in_4bit=False), run_dir / "config.yaml"
    )
    shutil.copytree(_trained_adapter(tiny_model), run_dir / "adapter")
    return run_dir.name


def test_benchmark_shows_pass_at_1_of_base_and_fine_tuned(
    bench_run, studio_page: Page, screenshot
) -> None:  # the run exists before the page opens (its load picks the newest run)
    page = studio_page
    page.locator("#tab-evaluate-button").click()
    page.locator("#eval-refresh-runs").click()  # reads the runs again, keeping the chosen one
    expect(page.locator("#eval-run input")).to_have_value(re.compile(bench_run), timeout=QUICK)
    expect(page.locator("#eval-bench-status")).to_contain_text(
        "Press Task benchmark", timeout=QUICK
    )
    page.locator("#eval-limit input").fill("3")
    page.locator("#eval-bench").click()
    expect(page.locator("#eval-bench-status")).to_contain_text(
        "Task benchmark: 3 tasks", timeout=SLOW
    )
    results = page.locator("#eval-bench-results")
    expect(results).to_contain_text("pass@1 · fine-tuned")
    expect(results).to_contain_text("pass@1 · base")
    expect(results).to_contain_text("Worst: fine-tuned fails")
    expect(page.locator("#eval-bench-plot .plot-container")).to_be_visible(timeout=QUICK)
    headline = page.locator("#eval-totals")  # the headline leads with the benchmark's pass@1
    expect(headline.locator(".stat .label").first).to_have_text("task pass@1 · fine-tuned")
    expect(headline).to_contain_text("task pass@1 · base")
    screenshot("11-benchmark")
