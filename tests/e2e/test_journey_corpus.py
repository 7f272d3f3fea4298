"""The first half of the journey in a real browser: corpus, normalise, includes, dataset.

The steps run in order on one page, as a person would do them; each ends with a screenshot.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

SLOW = 120_000  # ms: the first scan, the checker and the tokenizer load on a busy 2-core box


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).first.click()


def click_cell(page: Page, table_id: str, text: str) -> None:
    """Click the visible cell of a studio table that contains `text`."""
    page.locator(f"#{table_id} [role=gridcell]", has_text=text).first.click()


def test_corpus_scan_read_a_v1_script_and_quarantine_it_with_undo(
    studio_page: Page, studio, screenshot
) -> None:
    page = studio_page
    expect(page.locator("#studio-header")).to_contain_text("AHKv2 Finetune Studio")
    page.locator("#corpus-scan").click()
    expect(page.locator("#corpus-status")).to_contain_text("scanned and checked", timeout=SLOW)
    expect(page.locator("#corpus-totals")).to_contain_text("verdict v2")
    expect(page.locator("#corpus-plot-verdicts .js-plotly-plot")).to_be_visible(timeout=SLOW)

    page.locator("#corpus-filter-problems input").check()
    click_cell(page, "corpus-table", "Legacy/v1_notepad_toggle_legacy.ahk")
    expect(page.locator("#corpus-file-info")).to_contain_text("verdict v1", timeout=SLOW)
    expect(page.locator("#corpus-code td.ln").first).to_have_text("1")
    expect(page.locator("#corpus-diagnostics table.diag")).to_be_visible()
    screenshot("01-corpus")

    page.locator("#corpus-add-selected").click()
    expect(page.locator("#corpus-prune-list textarea")).to_have_value(
        "Legacy/v1_notepad_toggle_legacy.ahk"
    )
    page.locator("#corpus-prune-plan").click()
    expect(page.locator("#corpus-prune-status")).to_contain_text("1 script(s) would move")
    page.locator("#corpus-prune-apply").click()
    expect(page.locator("#corpus-confirm-text")).to_contain_text("Move 1 script(s)")
    page.locator("#corpus-confirm-yes").click()
    expect(page.locator("#corpus-prune-status")).to_contain_text("Moved 1 script(s)")
    assert not (studio.corpus / "Legacy" / "v1_notepad_toggle_legacy.ahk").exists()
    table = page.locator("#corpus-table")
    expect(table).not_to_contain_text("v1_notepad_toggle_legacy.ahk", timeout=SLOW)  # rescanned
    page.locator("#corpus-prune-undo").click()
    expect(page.locator("#corpus-prune-status")).to_contain_text("Put back 1 script(s)")
    assert (studio.corpus / "Legacy" / "v1_notepad_toggle_legacy.ahk").is_file()
    expect(table).to_contain_text("v1_notepad_toggle_legacy.ahk", timeout=SLOW)


def test_normalise_validates_rules_as_you_type_and_dry_runs(studio_page: Page, screenshot) -> None:
    page = studio_page
    open_tab(page, "Normalise")
    expect(page.locator("#normalize-rules-check")).to_contain_text("all valid", timeout=SLOW)
    pattern = page.locator("#normalize-new-pattern textarea")
    pattern.press_sequentially("Issue #(\\d+", delay=20)
    expect(page.locator("#normalize-new-check")).to_contain_text("bad regex")
    pattern.press_sequentially(")", delay=20)
    expect(page.locator("#normalize-new-check")).to_contain_text("Valid rule")
    pattern.fill("")

    page.locator("#normalize-dry-run").click()
    expect(page.locator("#normalize-status")).to_contain_text("nothing written", timeout=SLOW)
    expect(page.locator("#normalize-totals")).to_contain_text("files would change")
    expect(page.locator("#normalize-diff tr.add").first).to_be_visible()
    expect(page.locator("#normalize-report")).to_be_enabled()
    page.locator("#normalize-apply").click()
    expect(page.locator("#normalize-confirm-text")).to_contain_text(re.compile(r"change \d+ file"))
    screenshot("02-normalise")
    page.locator("#normalize-confirm-no").click()
    expect(page.locator("#normalize-confirm-yes")).to_be_hidden()
    page.locator("#normalize-apply").click()
    page.locator("#normalize-confirm-yes").click()
    expect(page.locator("#normalize-status")).to_contain_text("Backup:", timeout=SLOW)
    expect(page.locator("#normalize-totals")).not_to_contain_text("files would change")
    expect(page.locator("#normalize-apply")).to_be_disabled()
    page.locator("#normalize-undo").click()
    expect(page.locator("#normalize-status")).to_contain_text("Restored", timeout=SLOW)


def test_includes_validation_lists_the_broken_include_and_previews_the_fix(
    studio_page: Page, screenshot
) -> None:
    page = studio_page
    open_tab(page, "Includes")
    page.locator("#includes-validate").click()
    expect(page.locator("#includes-totals")).to_contain_text("broken", timeout=SLOW)
    expect(page.locator("#includes-table")).to_contain_text("broken_include_missing_helper.ahk")
    page.locator("#includes-preview").click()
    expect(page.locator("#includes-diff")).to_contain_text("; [broken include] #Include")
    expect(page.locator("#includes-json-report")).to_be_enabled()
    screenshot("03-includes")


def test_dataset_preview_compare_build_and_tokens(studio_page: Page, screenshot) -> None:
    page = studio_page
    open_tab(page, "Dataset")
    expect(page.locator("#dataset-seed-prompt textarea")).to_have_value(
        re.compile("^You are maintaining a knowledge base"), timeout=SLOW
    )
    page.locator("#dataset-preview").click()
    expect(page.locator("#dataset-status")).to_contain_text("nothing written", timeout=SLOW)
    expect(page.locator("#dataset-totals")).to_contain_text("train / val / test")
    expect(page.locator("#dataset-split-plot .js-plotly-plot")).to_be_visible()

    open_tab(page, "Near-duplicates")
    page.locator("#dataset-clusters [role=gridcell]").first.click()
    members = page.locator("#dataset-compare .side-by-side h4")
    expect(members.nth(1)).to_be_visible(timeout=SLOW)

    page.locator("#dataset-build").click()
    expect(page.locator("#dataset-status")).to_contain_text("Wrote 6 files", timeout=SLOW)
    expect(page.locator("#dataset-files")).to_contain_text("train_harmony.jsonl")

    open_tab(page, "Tokens")
    page.locator("#dataset-tokens").click()
    expect(page.locator("#dataset-token-view .tokens").first).to_be_visible(timeout=SLOW * 2)
    expect(page.locator("#dataset-token-view .trained").first).to_be_visible()
    expect(page.locator("#dataset-token-view .masked").first).to_be_visible()
    screenshot("04-dataset")


def test_a_core_error_is_a_readable_message_not_a_traceback(studio_page: Page) -> None:
    page = studio_page
    open_tab(page, "Dataset")
    page.locator("#dataset-csvs textarea").fill("/nonexistent/elements.csv")
    page.locator("#dataset-preview").click()
    toast = page.locator(".toast-body").filter(has_text="reference CSV not found")
    expect(toast).to_be_visible(timeout=SLOW)
    assert "Traceback" not in page.content()
    # The page recovers: the buttons come back, Cancel hides, the error stays in the status.
    expect(page.locator("#dataset-preview")).to_be_enabled(timeout=SLOW)
    expect(page.locator("#dataset-build")).to_be_enabled()
    expect(page.locator("#dataset-cancel")).to_be_hidden()
    expect(page.locator("#dataset-status")).to_contain_text("reference CSV not found")


def test_a_failed_scan_recovers_the_page_and_changes_no_corpus(
    studio_page: Page, studio, tmp_path
) -> None:
    page = studio_page
    open_tab(page, "Corpus")
    for folder, said in ((tmp_path / "missing", "not found"), (tmp_path, "no .ahk scripts")):
        page.locator("#corpus-folder textarea").fill(str(folder))
        page.locator("#corpus-scan").click()
        expect(page.locator("#corpus-status")).to_contain_text(said, timeout=SLOW)
        expect(page.locator("#corpus-scan")).to_be_enabled()
        expect(page.locator("#corpus-cancel")).to_be_hidden()
    expect(page.locator("#studio-header")).to_contain_text(studio.corpus.name)
    open_tab(page, "Dataset")
    expect(page.locator("#dataset-corpus textarea")).to_have_value(str(studio.corpus.resolve()))
    page.reload()
    expect(page.locator("#corpus-folder textarea")).to_have_value(
        str(studio.corpus.resolve()), timeout=SLOW
    )
