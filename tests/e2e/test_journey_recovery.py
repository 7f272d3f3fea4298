"""Every long action driven into an error in a real browser: each time the page recovers (its
buttons come back, Cancel hides, the error stays in the tab's status line), and a scan that does
not finish changes no corpus anywhere.

The steps run in order on one page; the workspace and the corpus are left as they were found.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.train import run_folder, runs
from core.train.config import save_config
from tests.train_fixtures import tiny_config, write_harmony

pytestmark = pytest.mark.e2e

SLOW = 120_000  # ms: a scan or a preview on a busy 2-core box


def open_tab(page: Page, elem_id: str) -> None:
    page.locator(f"#{elem_id}-button").click()


def recovered(page: Page, status: str, said: str, buttons: list[str], cancel: str | None) -> None:
    """The status line names the error, the buttons are usable again, Cancel is gone."""
    expect(page.locator(f"#{status}")).to_contain_text(said, timeout=SLOW)
    expect(page.locator(f"#{status} .msg.error")).to_be_visible()
    for button in buttons:
        expect(page.locator(f"#{button}")).to_be_enabled()
    if cancel:
        expect(page.locator(f"#{cancel}")).to_be_hidden()


@pytest.fixture
def no_models(studio):
    """The workspace's runs set aside (the Playground lists runs that have a model: earlier
    journeys trained some), put back afterwards."""
    runs_dir = run_folder.runs_dir(studio.workspace)
    aside = runs_dir.with_name("runs-aside")
    if runs_dir.exists():
        runs_dir.rename(aside)
    yield
    if aside.exists():
        shutil.rmtree(runs_dir, ignore_errors=True)
        aside.rename(runs_dir)


def test_playground_send_without_a_model_says_so_and_keeps_the_message(
    studio_page: Page, no_models: None
) -> None:
    page = studio_page
    open_tab(page, "tab-playground")
    page.locator("#play-refresh-runs").click()
    expect(page.locator("#play-run input")).to_have_value("", timeout=SLOW)
    message = page.locator("#play-message textarea")
    message.fill("a hotkey that types the date")
    page.locator("#play-send").click()
    recovered(page, "play-status", "pick a run and a model first", ["play-send"], None)
    expect(message).to_have_value("a hotkey that types the date")


def test_scan_of_a_missing_folder_recovers(studio_page: Page, studio, tmp_path: Path) -> None:
    page = studio_page
    open_tab(page, "tab-corpus")
    page.locator("#corpus-folder textarea").fill(str(tmp_path / "missing"))
    page.locator("#corpus-scan").click()
    recovered(page, "corpus-status", "not found", ["corpus-scan"], "corpus-cancel")
    page.locator("#corpus-folder textarea").fill(str(studio.corpus))


RED = "rgb(220, 38, 38)"


def set_share(page: Page, box: str, value: str) -> None:
    page.locator(f"#{box} input").fill(value)
    page.locator(f"#{box} input").blur()


def border(page: Page, box: str) -> str:
    return page.locator(f"#{box} input").evaluate("e => getComputedStyle(e).borderColor")


def test_dataset_shares_are_refused_at_the_field_and_build_recovers(studio_page: Page) -> None:
    page = studio_page
    open_tab(page, "tab-dataset")
    share = page.locator("#dataset-train-share")
    expect(share).to_contain_text("Train share: 80%")
    set_share(page, "dataset-val", "0.9")
    set_share(page, "dataset-test", "0.9")
    expect(share).to_contain_text("⚠ Validation share and Test share", timeout=SLOW)
    assert border(page, "dataset-val") == border(page, "dataset-test") == RED
    page.locator("#dataset-build").click()
    buttons = ["dataset-preview", "dataset-build"]
    recovered(page, "dataset-status", "together below 1", buttons, "dataset-cancel")
    set_share(page, "dataset-test", "0.1")
    set_share(page, "dataset-val", "-0.2")
    expect(share).to_contain_text("⚠ Validation share: validation share -0.2", timeout=SLOW)
    assert border(page, "dataset-val") == RED != border(page, "dataset-test")
    page.locator("#dataset-preview").click()  # refused, not silently made 0
    recovered(page, "dataset-status", "-0.2", buttons, "dataset-cancel")
    set_share(page, "dataset-val", "0.1")
    expect(share).to_contain_text("Train share: 80%", timeout=SLOW)
    assert border(page, "dataset-val") != RED


def test_train_start_with_a_bad_field_says_why_under_start(studio_page: Page) -> None:
    page = studio_page
    open_tab(page, "tab-train")
    length = page.locator("#train-field-max-seq-length input")
    expect(length).not_to_have_value("", timeout=SLOW)
    kept = length.input_value()
    length.fill("3")
    length.blur()
    page.locator("#train-start").click()
    recovered(page, "train-start-note", "max_seq_length", ["train-start"], None)
    length.fill(kept)
    length.blur()


@pytest.fixture
def finished_run(studio, tiny_model: Path, tmp_path: Path):
    """A completed run (with a checkpoint and the fingerprints of its start) whose training data
    changed since; removed afterwards, so the other journeys find the workspace as it was."""
    data = write_harmony(tmp_path / "train.jsonl", 8)
    run_dir = run_folder.runs_dir(studio.workspace) / "20000101-000000-e2e-finished"
    state = run_dir / "checkpoints" / "checkpoint-4" / "trainer_state.json"
    state.parent.mkdir(parents=True)
    state.write_text("{}")
    cfg = tiny_config(tiny_model, data, training__max_steps=4)
    save_config(cfg, run_dir / run_folder.CONFIG)
    run_folder.write_status(
        run_dir,
        state="completed",
        started=1.0,
        step=4,
        max_steps=4,
        data=runs.data_fingerprint(cfg),
        config=runs.config_fingerprint(cfg),
    )
    data.write_text(data.read_text() * 2)
    yield run_dir
    shutil.rmtree(run_dir)


def test_resume_of_a_run_whose_data_changed_says_so_and_starts_nothing(
    studio_page: Page, finished_run: Path
) -> None:
    page = studio_page
    open_tab(page, "tab-train")
    page.locator("#train-tab-monitor-button").click()
    page.locator("#train-refresh").click()
    page.locator("#train-tab-runs-button").click()
    page.locator("#train-runs [role=gridcell]", has_text=finished_run.name).first.click()
    expect(page.locator("#train-progress")).to_contain_text(finished_run.name, timeout=SLOW)
    expect(page.locator("#train-resume")).to_be_disabled()  # completed: needs more steps
    expect(page.locator("#train-progress")).to_contain_text("give more epochs or steps")
    page.locator("#train-more-steps input").fill("3")
    page.locator("#train-more-steps input").blur()
    expect(page.locator("#train-resume")).to_be_enabled(timeout=SLOW)
    page.locator("#train-resume").click()
    recovered(page, "train-run-note", "training data changed since it started", [], None)
    expect(page.locator("#train-run-note")).to_contain_text("start a new run instead")
    assert run_folder.read_status(finished_run)["state"] == "completed"
    page.locator("#train-more-steps input").fill("0")
    page.locator("#train-more-steps input").blur()


def many_scripts(folder: Path, count: int) -> Path:
    """`count` distinct small scripts (none in the checker's cache): a scan that takes a while."""
    for n in range(count):
        path = folder / f"Batch{n % 20}" / f"script_{n}.ahk"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'#Requires AutoHotkey v2.0\nMsgBox("script {n}")\n', encoding="utf-8")
    return folder


def corpus_everywhere(page: Page, folder: Path) -> None:
    """The header, the Dataset tab's folder box and, after a reload, the Corpus folder box all
    show `folder`."""
    expect(page.locator("#studio-header")).to_contain_text(folder.name, timeout=SLOW)
    open_tab(page, "tab-dataset")
    expect(page.locator("#dataset-corpus textarea")).to_have_value(str(folder), timeout=SLOW)
    page.reload()
    page.wait_for_selector("#studio-header[data-ready]", timeout=SLOW)
    expect(page.locator("#studio-header")).to_contain_text(folder.name)
    expect(page.locator("#corpus-folder textarea")).to_have_value(str(folder), timeout=SLOW)


def scan(page: Page, folder: Path) -> None:
    open_tab(page, "tab-corpus")
    page.locator("#corpus-folder textarea").fill(str(folder))
    page.locator("#corpus-scan").click()


@pytest.fixture
def broken_cache(studio):
    """The checker's cache made unwritable (a folder where its file goes): a scan then fails
    after it read the scripts, while it checks them."""
    cache = studio.workspace / "cache" / "checker-verdicts.json"
    aside = cache.with_name("aside.json")
    if cache.exists():
        cache.rename(aside)
    (cache / "in-the-way").mkdir(parents=True)
    yield
    shutil.rmtree(cache)
    if aside.exists():
        aside.rename(cache)


def test_a_scan_that_fails_while_checking_changes_no_corpus(
    studio_page: Page, studio, tmp_path: Path, broken_cache
) -> None:
    page = studio_page
    small = tmp_path / "small"
    shutil.copytree(studio.corpus / "GUI", small / "GUI")
    scan(page, small)
    recovered(page, "corpus-status", "IsADirectoryError", ["corpus-scan"], "corpus-cancel")
    corpus_everywhere(page, studio.corpus.resolve())


def test_a_cancelled_scan_changes_no_corpus_and_a_finished_one_changes_all(
    studio_page: Page, studio, tmp_path: Path
) -> None:
    page = studio_page
    home = studio.corpus.resolve()
    scan(page, many_scripts(tmp_path / "big", 20_000))
    page.locator("#corpus-cancel").click()
    expect(page.locator("#corpus-status")).to_contain_text("Scan cancelled", timeout=SLOW)
    expect(page.locator("#corpus-scan")).to_be_enabled()
    expect(page.locator("#corpus-results")).to_be_hidden()  # no rows of the folder not taken
    corpus_everywhere(page, home)

    small = tmp_path / "small"
    shutil.copytree(home / "GUI", small / "GUI")
    scan(page, small)
    expect(page.locator("#corpus-status")).to_contain_text("scanned and checked", timeout=SLOW)
    corpus_everywhere(page, small.resolve())

    scan(page, home)  # back to the corpus the other journeys work on
    expect(page.locator("#corpus-status")).to_contain_text("scanned and checked", timeout=SLOW)
    expect(page.locator("#studio-header")).to_contain_text(home.name)


@pytest.fixture
def vanished_corpus(studio):
    """The corpus folder moved away for a moment (deleted or unmounted), then put back."""
    aside = studio.corpus.with_name(studio.corpus.name + "-aside")
    studio.corpus.rename(aside)
    yield studio.corpus
    aside.rename(studio.corpus)


def test_normalise_and_includes_on_a_vanished_corpus_recover(
    studio_page: Page, vanished_corpus: Path
) -> None:
    page = studio_page
    open_tab(page, "tab-normalize")
    page.locator("#normalize-dry-run").click()
    recovered(page, "normalize-status", "corpus folder not found", ["normalize-dry-run"], None)
    expect(page.locator("#normalize-cancel")).to_be_hidden()
    open_tab(page, "tab-includes")
    page.locator("#includes-validate").click()
    recovered(page, "includes-status", "corpus folder not found", ["includes-validate"], None)
    expect(page.locator("#includes-cancel")).to_be_hidden()
