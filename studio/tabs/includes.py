"""Includes tab: validate every #Include, list the broken ones, preview and apply the fix, undo."""

from __future__ import annotations

import json
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from core.corpus import includes
from core.errors import StudioError
from core.fsutil import atomic_write_text
from core.workspace import subdir
from studio import render, widgets
from studio.context import StudioContext

INCLUDE_COLUMNS = ["file", "line", "directive", "status", "reason", "tried"]
FIX_COLUMNS = ["file", "includes fixed"]


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
    kinds: dict[str, int] = {}
    for edit in edits:
        for kind, count in edit.counts.items():
            kinds[kind] = kinds.get(kind, 0) + count
    what = "; ".join(f"{kind}: {count}" for kind, count in sorted(kinds.items()))
    note = render.message(
        "info" if not skipped else "warn",
        f"The fix would change {sum(kinds.values())} broken include(s) in {len(edits)} file(s) "
        f"({what}). Nothing is written until you apply it.",
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


def undo(ctx: StudioContext) -> widgets.Undo:
    """Undo of the last apply on this corpus."""
    return widgets.Undo(ctx, includes.TOOL, includes.undo_fix)


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
            ui.change = widgets.change_buttons(
                "includes", "Apply fix…", "Undo last fix", undo(ctx).ready()
            )
            ui.apply, ui.undo = ui.change.apply, ui.change.undo
            ui.text_report = gr.DownloadButton(
                "Text report", elem_id="includes-text-report", interactive=False, size="md"
            )
            ui.json_report = gr.DownloadButton(
                "JSON report", elem_id="includes-json-report", interactive=False, size="md"
            )
        widgets.confirm_box(ui.change, "includes", "Yes, apply the fix")
        ui.confirm = ui.change.confirm
        ui.status = gr.HTML(
            render.message(
                "info", "Press Validate includes to check every #Include of the corpus."
            ),
            elem_id="includes-status",
        )
        ui.summary = gr.HTML(elem_id="includes-totals")
        with gr.Column(visible=False) as ui.results:  # the includes full width, the fix below
            ui.broken_only = gr.Checkbox(
                True, label="Broken includes only", elem_id="includes-broken-only"
            )
            ui.table = gr.Dataframe(
                headers=INCLUDE_COLUMNS,
                interactive=False,
                wrap=True,
                max_height=560,
                label="Includes",
                elem_id="includes-table",
                show_search="search",
                column_widths=["22%", "6%", "22%", "8%", "20%", "22%"],
            )
            with gr.Row(equal_height=False):
                with gr.Column(scale=4):
                    ui.fix_table = gr.Dataframe(
                        headers=FIX_COLUMNS,
                        interactive=False,
                        label="Files the fix changes (click one for its diff)",
                        elem_id="includes-fix-files",
                        max_height=300,
                        visible=False,
                    )
                with gr.Column(scale=6):
                    ui.diff = gr.HTML(elem_id="includes-diff", visible=False)
    _wire(ui, ctx)


def _wire(ui: SimpleNamespace, ctx: StudioContext) -> None:
    private = {"api_visibility": "private"}
    quiet = {"api_visibility": "private", "show_progress": "hidden"}

    def shown(broken_only: bool) -> dict:
        """Every view of a fresh validation (the fix planned from an older one is dropped)."""
        report, totals, text_path, json_path = validate(ctx)
        note = render.message(
            "ok" if not report.broken else "warn",
            f"{report.total} include(s) checked: {report.ok} resolve, {report.broken} broken.",
        )
        return {
            ui.report: report,
            ui.summary: totals,
            ui.table: include_table(report, broken_only),
            ui.status: note,
            ui.preview: gr.update(interactive=report.broken > 0),
            ui.text_report: gr.update(value=text_path, interactive=True),
            ui.json_report: gr.update(value=json_path, interactive=True),
            ui.plan: [],
            ui.apply: gr.update(interactive=False),
            ui.confirm: gr.update(visible=False),
            ui.fix_table: gr.update(visible=False),
            ui.diff: gr.update(visible=False),
            ui.results: gr.update(visible=True),
        }

    @render.guard("Validate includes")
    def on_validate(broken_only: bool, progress=gr.Progress()):
        progress(0, desc="Resolving every #Include…")
        return shown(broken_only)

    @render.guard("Validate includes")
    def revalidate(broken_only: bool) -> dict:
        """After an apply or an undo: the report of the files as they are now, the status kept."""
        return {k: v for k, v in shown(broken_only).items() if k is not ui.status}

    outputs = [
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
    ]
    render.cancellable(
        ui.validate,
        ui.cancel,
        on_validate,
        ui.broken_only,
        outputs,
        status=ui.status,
        cancelled=render.message("info", "Validation cancelled."),
        show_progress_on=[ui.summary],
    )
    ui.broken_only.change(include_table, [ui.report, ui.broken_only], ui.table, **quiet)

    @render.guard("Preview fix")
    def on_preview(report):
        edits, table, note = preview_fix(ctx, report)
        first = edits[0].path if edits else None
        return {
            ui.plan: edits,
            ui.fix_table: gr.update(value=table, visible=bool(edits)),
            ui.diff: gr.update(value=diff_of(edits, first), visible=bool(edits)),
            ui.status: note,
            ui.apply: gr.update(interactive=bool(edits)),
        }

    ui.preview.click(
        on_preview, ui.report, [ui.plan, ui.fix_table, ui.diff, ui.status, ui.apply], **private
    )

    def on_file(edits: list, evt: gr.SelectData) -> str:
        return diff_of(edits, evt.row_value[0] if evt.row_value else None)

    ui.fix_table.select(on_file, ui.plan, ui.diff, **quiet)
    widgets.wire_change(
        ui.change,
        ui.plan,
        ui.status,
        widgets.ChangeActions(
            action="Apply fix",
            ask=confirm_text,
            apply=lambda edits: apply_fix(ctx, edits),
            undo=undo(ctx),
        ),
        refresh=(revalidate, [ui.broken_only], [o for o in outputs if o is not ui.status]),
    )
