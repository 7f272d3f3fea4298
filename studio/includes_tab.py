"""Includes tab: validate every #Include, list the broken ones, preview and apply the fix, undo."""

from __future__ import annotations

import json
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from core import includes
from core.backup import last_backup
from core.errors import StudioError
from core.fsutil import atomic_write_text
from core.workspace import subdir
from studio import render
from studio.context import StudioContext

INCLUDE_COLUMNS = ["file", "line", "directive", "status", "reason", "tried"]
FIX_COLUMNS = ["file", "commented out"]


def validate(ctx: StudioContext) -> tuple[includes.IncludeReport, str, str, str]:
    """Validate the corpus: (report, totals html, text report path, JSON report path)."""
    report = includes.validate(ctx.corpus)
    folder = subdir(ctx.workspace, "reports")
    text_path, json_path = folder / "includes-report.txt", folder / "includes-report.json"
    atomic_write_text(text_path, report.text())
    atomic_write_text(json_path, json.dumps(report.to_dict(), indent=2) + "\n")
    with_includes = len({r.file for r in report.includes})
    stats = [
        ("files scanned", report.files_scanned, ""),
        ("files with includes", with_includes, ""),
        ("includes", report.total, ""),
        ("resolve", report.ok, "good"),
        ("broken", report.broken, "bad" if report.broken else "good"),
    ]
    return report, render.totals(stats), str(text_path), str(json_path)


def include_table(report: includes.IncludeReport | None, broken_only: bool = True) -> pd.DataFrame:
    """The includes of the report (broken ones only by default) as a table."""
    rows = [
        [r.file, r.line, r.directive, r.status, r.reason, ", ".join(r.tried)]
        for r in (report.includes if report else [])
        if r.status == "broken" or not broken_only
    ]
    return pd.DataFrame(rows, columns=INCLUDE_COLUMNS)


def preview_fix(
    ctx: StudioContext, report: includes.IncludeReport | None
) -> tuple[list, pd.DataFrame, str]:
    """The fix as edits, a table of the files it changes, and a note about skipped files."""
    if report is None:
        raise StudioError("validate the includes first")
    skipped: list[str] = []
    edits = includes.plan_fix(
        ctx.corpus, report, on_skip=lambda rel, why: skipped.append(f"{rel}: {why}")
    )
    table = pd.DataFrame([[e.path, e.total] for e in edits], columns=FIX_COLUMNS)
    if not edits and not skipped:
        return edits, table, render.message("ok", "Nothing to fix: every include resolves.")
    note = render.message(
        "info" if not skipped else "warn",
        f"The fix would comment out {sum(e.total for e in edits)} broken include(s) in "
        f"{len(edits)} file(s). Nothing is written until you apply it.",
        ("Left alone: " + "; ".join(skipped)) if skipped else None,
    )
    return edits, table, note


def diff_of(edits: list, path: str | None) -> str:
    for edit in edits or []:
        if edit.path == path:
            return render.diff_view(edit.diff())
    return render.diff_view("")


def confirm_text(edits: list) -> str:
    if not edits:
        raise StudioError("nothing to apply", hint="preview a fix that changes at least one file")
    return render.message(
        "warn",
        f"Apply will comment out {sum(e.total for e in edits)} include(s) in {len(edits)} file(s).",
        "The originals are backed up in the workspace; Undo restores them byte for byte.",
    )


def apply_fix(ctx: StudioContext, edits: list) -> str:
    if not edits:
        raise StudioError("nothing to apply", hint="preview the fix first")
    backup = includes.apply_fix(ctx.corpus, edits, ctx.workspace)
    return render.message(
        "ok",
        f"Fixed {len(backup.entries)} file(s). Backup: {backup.dir.name}.",
        "Validate again to see the new counts; Undo puts the files back.",
    )


def undo_fix(ctx: StudioContext) -> str:
    backup = includes.undo_fix(ctx.corpus, ctx.workspace)
    return render.message("ok", f"Restored {len(backup.entries)} file(s) from {backup.dir.name}.")


def can_undo(ctx: StudioContext) -> bool:
    return last_backup(ctx.workspace, includes.TOOL, ctx.corpus) is not None


# ---------------------------------------------------------------- layout


def build(ctx: StudioContext) -> None:
    """The Includes tab."""
    with gr.Tab("Includes", id="includes", elem_id="tab-includes"):
        gr.Markdown(
            "Check that every `#Include` resolves inside the corpus (library `<Name>`, relative "
            "and `%A_ScriptDir%` paths). Broken ones can be commented out, with a backup and undo.",
            elem_classes="tab-intro",
        )
        ui = SimpleNamespace(report=gr.State(None), plan=gr.State([]))
        with gr.Row():
            ui.validate = gr.Button(
                "Validate includes", variant="primary", elem_id="includes-validate", size="md"
            )
            ui.cancel = gr.Button("Cancel", elem_id="includes-cancel", visible=False, size="md")
            ui.preview = gr.Button(
                "Preview fix", elem_id="includes-preview", interactive=False, size="md"
            )
            ui.apply = gr.Button(
                "Apply fix…", elem_id="includes-apply", interactive=False, size="md"
            )
            ui.undo = gr.Button(
                "Undo last fix", elem_id="includes-undo", interactive=False, size="md"
            )
            ui.text_report = gr.DownloadButton(
                "Text report", elem_id="includes-text-report", interactive=False, size="md"
            )
            ui.json_report = gr.DownloadButton(
                "JSON report", elem_id="includes-json-report", interactive=False, size="md"
            )
        with gr.Group(visible=False, elem_id="includes-confirm") as ui.confirm:
            ui.confirm_msg = gr.HTML(elem_id="includes-confirm-text")
            with gr.Row():
                ui.yes = gr.Button(
                    "Yes, apply the fix", variant="stop", elem_id="includes-confirm-yes"
                )
                ui.no = gr.Button("Cancel", elem_id="includes-confirm-no")
        ui.status = gr.HTML(
            render.message(
                "info", "Press Validate includes to check every #Include of the corpus."
            ),
            elem_id="includes-status",
        )
        ui.summary = gr.HTML(elem_id="includes-totals")
        with gr.Row(equal_height=False, visible=False) as ui.results:
            with gr.Column(scale=6):
                ui.broken_only = gr.Checkbox(
                    True, label="Broken includes only", elem_id="includes-broken-only"
                )
                ui.table = gr.Dataframe(
                    headers=INCLUDE_COLUMNS,
                    interactive=False,
                    wrap=True,
                    max_height=420,
                    label="Includes",
                    elem_id="includes-table",
                    show_search="search",
                    column_widths=["20%", "8%", "22%", "10%", "17%", "23%"],
                )
            with gr.Column(scale=5):
                ui.fix_table = gr.Dataframe(
                    headers=FIX_COLUMNS,
                    interactive=False,
                    label="Files the fix changes (click one for its diff)",
                    elem_id="includes-fix-files",
                    max_height=200,
                    visible=False,
                )
                ui.diff = gr.HTML(elem_id="includes-diff", visible=False)
    _wire(ui, ctx)


def _wire(ui: SimpleNamespace, ctx: StudioContext) -> None:
    private = {"api_visibility": "private"}
    quiet = {"api_visibility": "private", "show_progress": "hidden"}

    @render.guard("Validate includes")
    def on_validate(broken_only: bool, progress=gr.Progress()):
        progress(0, desc="Resolving every #Include…")
        report, totals, text_path, json_path = validate(ctx)
        note = render.message(
            "ok" if not report.broken else "warn",
            f"{report.total} include(s) checked: {report.ok} resolve, {report.broken} broken.",
        )
        return (
            report,
            totals,
            include_table(report, broken_only),
            note,
            gr.update(interactive=report.broken > 0),
            gr.update(value=text_path, interactive=True),
            gr.update(value=json_path, interactive=True),
            [],
            gr.update(interactive=False),
            gr.update(visible=False),
            gr.update(visible=False),
            gr.update(visible=False),
            gr.update(visible=True),
        )

    render.cancellable(
        ui.validate,
        ui.cancel,
        on_validate,
        ui.broken_only,
        [
            ui.report,
            ui.summary,
            ui.table,
            ui.status,
            ui.preview,
            ui.text_report,
            ui.json_report,
            ui.plan,
            ui.apply,
            ui.confirm,
            ui.fix_table,
            ui.diff,
            ui.results,
        ],
        status=ui.status,
        cancelled=render.message("info", "Validation cancelled."),
        show_progress_on=[ui.summary],
    )
    ui.broken_only.change(include_table, [ui.report, ui.broken_only], ui.table, **quiet)

    @render.guard("Preview fix")
    def on_preview(report):
        edits, table, note = preview_fix(ctx, report)
        first = edits[0].path if edits else None
        return (
            edits,
            gr.update(value=table, visible=bool(edits)),
            gr.update(value=diff_of(edits, first), visible=bool(edits)),
            note,
            gr.update(interactive=bool(edits)),
        )

    ui.preview.click(
        on_preview, ui.report, [ui.plan, ui.fix_table, ui.diff, ui.status, ui.apply], **private
    )

    def on_file(edits: list, evt: gr.SelectData) -> str:
        return diff_of(edits, evt.row_value[0] if evt.row_value else None)

    ui.fix_table.select(on_file, ui.plan, ui.diff, **quiet)
    ui.apply.click(
        render.guard("Apply fix")(confirm_text), ui.plan, ui.confirm_msg, **private
    ).success(lambda: gr.update(visible=True), None, ui.confirm, **quiet)
    ui.no.click(lambda: gr.update(visible=False), None, ui.confirm, **quiet)
    ui.yes.click(
        render.guard("Apply fix")(lambda edits: apply_fix(ctx, edits)),
        ui.plan,
        ui.status,
        **private,
    ).success(
        lambda: (
            [],
            gr.update(visible=False),
            gr.update(interactive=False),
            gr.update(interactive=True),
            gr.update(interactive=False),
        ),
        None,
        [ui.plan, ui.confirm, ui.apply, ui.undo, ui.preview],
        **quiet,
    )
    ui.undo.click(
        render.guard("Undo fix")(lambda: undo_fix(ctx)), None, ui.status, **private
    ).success(lambda: gr.update(interactive=can_undo(ctx)), None, ui.undo, **quiet)
    render.on_page_load(lambda: gr.update(interactive=can_undo(ctx)), ui.undo)
