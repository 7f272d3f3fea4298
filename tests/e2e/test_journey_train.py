"""The second half of the journey in a real browser: train on the CPU demo config, watch the loss
plot gain points, stop, reload the page, merge and export a verified GGUF, then evaluate the run
against its base model and chat with it in the Playground.

The steps run in order on one page, as a person would do them; each ends with a screenshot.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studio.tabs.evaluate import TABLE_COLUMNS
from tests.train_fixtures import write_harmony

pytestmark = pytest.mark.e2e

SLOW = 300_000  # ms: a child process imports torch, trains, merges or exports on a busy 2-core box
QUICK = 60_000  # ms: a handler's answer while the box is busy
# Points of the longest curve drawn in the loss plot (M and L commands of its line paths).
POINTS = (
    "Math.max(0, ...Array.from(document.querySelectorAll('#train-loss-plot path.js-line'))"
    ".map(p => ((p.getAttribute('d') || '').match(/[ML]/g) || []).length))"
)


@pytest.fixture(scope="module", autouse=True)
def prepared(studio) -> Path:
    """The dataset the Dataset tab builds; written here when this module runs on its own."""
    folder = studio.workspace / "prepared"
    if not (folder / "train_harmony.jsonl").is_file():
        write_harmony(folder / "train_harmony.jsonl", 48)
        write_harmony(folder / "val_harmony.jsonl", 8)
        write_harmony(folder / "test_harmony.jsonl", 4)
    return folder


def open_tab(page: Page, elem_id: str) -> None:
    page.locator(f"#{elem_id}-button").click()


def field(page: Page, key: str):
    """The input of a generated form field, by its dotted config key."""
    return page.locator(f"#train-field-{key.replace('.', '-').replace('_', '-')} input")


def set_field(page: Page, key: str, value: str) -> None:
    box = field(page, key)
    box.fill(value)
    box.blur()


def test_set_up_a_run_from_a_preset_and_see_the_plan(studio_page: Page, screenshot) -> None:
    page = studio_page
    open_tab(page, "tab-train")
    expect(page.locator("#train-file-note")).to_contain_text("Loaded cpu-demo.yaml", timeout=QUICK)
    try:
        expect(page.locator("#train-plan")).to_contain_text("optimisation steps", timeout=QUICK)
    except AssertionError as err:  # say what the form showed instead
        shown = {k: page.locator(f"#train-{k}").inner_text() for k in ("problems", "file-note")}
        raise AssertionError(f"no plan; the tab showed {shown}") from err
    expect(page.locator("#train-backend")).to_contain_text("backend cpu", timeout=SLOW)

    page.locator("#train-preset").get_by_text("Quick smoke test").click()
    expect(page.locator("#train-preset-note")).to_contain_text("20 steps", timeout=QUICK)
    expect(field(page, "training.max_steps")).to_have_value("20", timeout=QUICK)

    page.locator("#train-group-optimisation").get_by_text("Optimisation", exact=True).click()
    set_field(page, "training.learning_rate", "-1")
    expect(page.locator("#train-problems")).to_contain_text(
        "training.learning_rate: must be > 0", timeout=QUICK
    )
    expect(page.locator("#train-field-training-learning-rate")).to_contain_text(
        "⚠ must be > 0", timeout=QUICK
    )
    expect(page.locator("#train-field-training-learning-rate")).to_have_class(  # red, not help
        re.compile("field-error"), timeout=QUICK
    )
    set_field(page, "training.learning_rate", "0.005")
    expect(page.locator("#train-problems")).to_be_empty(timeout=QUICK)

    box = field(page, "training.max_steps")  # typed key by key: checked as you type
    box.fill("")
    box.press_sequentially("400", delay=80)  # long enough to stop it half-way
    expect(box).to_have_value("400", timeout=QUICK)
    expect(page.locator("#train-plan")).to_contain_text("400", timeout=QUICK)
    page.locator("#train-run-name input").press_sequentially("e2e", delay=80)
    expect(page.locator("#train-command")).to_contain_text(
        "python -m core.train --config", timeout=QUICK
    )
    expect(page.locator("#train-command")).to_contain_text("runs/e2e", timeout=QUICK)
    screenshot("05-train-setup")


def test_start_watch_the_loss_plot_gain_points_and_stop(studio_page: Page, screenshot) -> None:
    page = studio_page
    page.locator("#train-start").click()
    expect(page.locator("#train-run-note")).to_contain_text("Started", timeout=SLOW)
    expect(page.locator("#train-progress")).to_contain_text("running", timeout=SLOW)
    page.wait_for_function(f"{POINTS} >= 3", timeout=SLOW)
    first = page.evaluate(POINTS)
    page.wait_for_function(f"{POINTS} > {first}", timeout=SLOW)  # the live plot keeps growing
    expect(page.locator("#train-progress")).to_contain_text("tokens / s", timeout=QUICK)
    expect(page.locator("#train-log textarea")).to_have_value(
        re.compile(r"step \d+/400"), timeout=QUICK
    )
    screenshot("06-train-monitor")

    page.locator("#train-stop").click()
    expect(page.locator("#train-run-note")).to_contain_text("Stopping", timeout=QUICK)
    expect(page.locator("#train-progress")).to_contain_text("stopped", timeout=SLOW)
    expect(page.locator("#train-resume")).to_be_enabled(timeout=QUICK)
    # The other views follow without a reload: the note, the picker's label and the Runs table.
    expect(page.locator("#train-run-note")).not_to_contain_text("Stopping", timeout=SLOW)
    expect(page.locator("#train-run input")).to_have_value(re.compile("stopped"), timeout=SLOW)
    open_tab(page, "train-tab-runs")
    expect(page.locator("#train-runs")).to_contain_text("stopped", timeout=QUICK)
    expect(page.locator("#train-runs")).not_to_contain_text("running", timeout=QUICK)
    open_tab(page, "train-tab-monitor")


def test_a_reload_recovers_the_run_and_the_runs_table_lists_it(
    studio_page: Page, screenshot
) -> None:
    page = studio_page
    page.reload()
    page.wait_for_selector("#studio-header")
    open_tab(page, "tab-train")
    open_tab(page, "train-tab-monitor")
    expect(page.locator("#train-progress")).to_contain_text("stopped", timeout=QUICK)
    page.wait_for_function(f"{POINTS} >= 3", timeout=SLOW)
    open_tab(page, "train-tab-runs")
    expect(page.locator("#train-runs")).to_contain_text("stopped", timeout=QUICK)
    expect(page.locator("#train-checkpoints")).to_contain_text("checkpoint-", timeout=QUICK)
    screenshot("07-train-runs")


def test_merge_and_export_a_verified_gguf(studio_page: Page, studio, screenshot) -> None:
    page = studio_page
    open_tab(page, "tab-export")
    expect(page.locator("#export-note")).to_contain_text("Merge it", timeout=SLOW)
    page.locator("#export-merge").click()
    expect(page.locator("#export-job")).to_contain_text("Merge: done", timeout=SLOW)
    expect(page.locator("#export-note")).to_contain_text("ready to export", timeout=QUICK)

    page.locator("#export-gguf").click()
    expect(page.locator("#export-job")).to_contain_text("Export F16: done", timeout=SLOW)
    expect(page.locator("#export-checks")).to_contain_text("passed", timeout=QUICK)
    expect(page.locator("#export-smoke")).to_contain_text("AutoHotkey v2", timeout=QUICK)
    expect(page.locator("#export-modelfile")).to_contain_text(
        "FROM ./model-f16.gguf", timeout=QUICK
    )
    link = page.locator("#export-files a", has_text="model-f16.gguf")
    response = page.request.get(f"{studio.url}/{link.get_attribute('href')}")
    assert response.status == 200 and response.body()[:4] == b"GGUF"
    screenshot("08-export")


def set_slider(page: Page, elem_id: str, value: str) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(value)
    box.press("Enter")


def test_evaluate_the_run_against_its_base_model(studio_page: Page, screenshot) -> None:
    page = studio_page
    open_tab(page, "tab-evaluate")
    expect(page.locator("#eval-run input")).to_have_value(re.compile(r"e2e"), timeout=QUICK)
    expect(page.locator("#eval-status")).to_contain_text("not been evaluated yet", timeout=QUICK)
    page.locator("#eval-limit input").fill("2")
    set_slider(page, "eval-max-new-tokens", "32")
    page.locator("#eval-start").click()
    expect(page.locator("#eval-status")).to_contain_text("completed: 2 of 2 prompts", timeout=SLOW)
    expect(page.locator("#eval-totals")).to_contain_text("clean v2 · fine-tuned", timeout=QUICK)
    expect(page.locator("#eval-totals")).to_contain_text("clean v2 · base", timeout=QUICK)
    cells = page.locator("#eval-examples [role=gridcell]")
    expect(cells).to_have_count(2 * len(TABLE_COLUMNS), timeout=QUICK)  # two prompts
    cells.nth(2).click()  # the first prompt's text
    expect(page.locator("#eval-detail")).to_contain_text(
        re.compile("reference", re.I), timeout=QUICK
    )
    screenshot("09-evaluate")


def test_chat_with_the_fine_tuned_model_in_the_playground(studio_page: Page, screenshot) -> None:
    page = studio_page
    open_tab(page, "tab-playground")
    expect(page.locator("#play-run input")).to_have_value(re.compile(r"e2e"), timeout=QUICK)
    # merged in the Export tab after the page opened: opening the tab reads the run again
    expect(page.locator("#play-model")).to_contain_text("merged model", timeout=QUICK)
    set_slider(page, "play-max-new-tokens", "48")
    message = page.locator("#play-message textarea")
    message.fill("Write a hotkey that opens Notepad.")
    message.press("Shift+Enter")  # a new line, not a send
    message.press_sequentially("Use Ctrl+Alt+N.")
    expect(message).to_have_value("Write a hotkey that opens Notepad.\nUse Ctrl+Alt+N.")
    message.press("Enter")  # sends
    chat = page.locator("#play-chat")
    expect(chat).to_contain_text("Use Ctrl+Alt+N.", timeout=QUICK)  # the question at once
    expect(chat).to_contain_text("v2 checker:", timeout=SLOW)  # the answer, then its verdict
    expect(message).to_have_value("", timeout=QUICK)
    screenshot("10-playground")
