"""Normalise tab: edit the regex rules, dry-run them on the corpus, apply with a backup, undo."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from core.corpus import normalize
from core.errors import StudioError
from core.workspace import subdir
from studio import render, widgets
from studio.context import StudioContext

RULE_COLUMNS = ["pattern", "replacement"]
FILE_COLUMNS = ["file", "replacements", "rules"]


# ---------------------------------------------------------------- rules


def rules_table(path: Path) -> pd.DataFrame:
    """The rules of a YAML file as an editable table."""
    rules = normalize.load_rules(path)
    return pd.DataFrame([[r.pattern, r.replacement] for r in rules], columns=RULE_COLUMNS)


def _rows(table: pd.DataFrame | None) -> list[tuple[str, str]]:
    """The table's non-empty rows as (pattern, replacement) strings."""
    if table is None or len(table) == 0:
        return []
    rows = []
    for pattern, replacement in table[RULE_COLUMNS].fillna("").astype(str).itertuples(index=False):
        if pattern or replacement:
            rows.append((pattern, replacement))
    return rows


def check_rules(table: pd.DataFrame) -> str:
    """A note saying whether every rule is valid, naming each bad one and why."""
    rows = _rows(table)
    problems = [
        f"rule {n} ({pattern!r}): {why}"
        for n, (pattern, replacement) in enumerate(rows, 1)
        if (why := normalize.rule_error(pattern, replacement))
    ]
    if problems:
        return render.message("error", "; ".join(problems), "fix the rule before a dry run")
    if not rows:
        return render.message("warn", "No rules: add one below or reload the YAML file.")
    return render.message("ok", f"{len(rows)} rule(s), all valid. They run top to bottom.")


def check_new_rule(pattern: str, replacement: str) -> str:
    """Live validation of the rule being typed."""
    if not pattern:
        return render.message("info", "Type a regular expression and its replacement.")
    why = normalize.rule_error(pattern, replacement)
    if why:
        return render.message("error", why)
    return render.message("ok", "Valid rule: press Add rule to append it.")


def parse_rules(table: pd.DataFrame) -> list[normalize.Rule]:
    """The table's rules compiled; StudioError naming the first bad one."""
    rules = [
        normalize.compile_rule(p, r, where=f"rule {n}") for n, (p, r) in enumerate(_rows(table), 1)
    ]
    if not rules:
        raise StudioError("there are no rules to run", hint="add a rule or reload the YAML file")
    return rules


def add_rule(table: pd.DataFrame, pattern: str, replacement: str) -> pd.DataFrame:
    """The table with the new rule appended (validated first)."""
    normalize.compile_rule(pattern, replacement, where="new rule")
    rows = [*_rows(table), (pattern, replacement)]
    return pd.DataFrame(rows, columns=RULE_COLUMNS)


def remove_rule(table: pd.DataFrame, index: int | None) -> pd.DataFrame:
    """The table without row `index` (the last one clicked)."""
    rows = _rows(table)
    if index is None or not 0 <= index < len(rows):
        raise StudioError("click a rule in the table first, then Remove")
    return pd.DataFrame(rows[:index] + rows[index + 1 :], columns=RULE_COLUMNS)


def save_rules(table: pd.DataFrame, path: Path) -> str:
    """Write the rules back to their YAML file."""
    rules = parse_rules(table)
    normalize.save_rules(rules, path)
    return render.message("ok", f"Saved {len(rules)} rule(s) to {path}.")


# ---------------------------------------------------------------- dry run, apply, undo


def dry_run(ctx: StudioContext, table: pd.DataFrame) -> tuple[list, str, pd.DataFrame, str]:
    """Plan the edits: (plan, totals html, changed files table, JSON report path)."""
    rules = parse_rules(table)
    skipped: list[tuple[str, str]] = []
    edits = normalize.plan(ctx.corpus, rules, on_skip=lambda rel, why: skipped.append((rel, why)))
    report = subdir(ctx.workspace, "reports") / "normalize-dry-run.json"
    normalize.write_report(edits, report)
    files = pd.DataFrame(
        [[e.path, e.total, ", ".join(f"{k} ×{n}" for k, n in e.counts.items())] for e in edits],
        columns=FILE_COLUMNS,
    )
    stats = [
        ("files would change", len(edits), "warn" if edits else "good"),
        ("replacements", sum(e.total for e in edits), ""),
        ("rules", len(rules), ""),
        ("files left alone (unsafe to rewrite)", len(skipped), "bad" if skipped else ""),
    ]
    return edits, render.totals(stats), files, str(report)


def diff_of(edits: list, path: str | None) -> str:
    """The diff of one planned file."""
    for edit in edits or []:
        if edit.path == path:
            return render.diff_view(edit.diff())
    return render.diff_view("")


def confirm_text(edits: list) -> str:
    """What Apply is about to do, in words."""
    if not edits:
        raise StudioError("nothing to apply", hint="run a dry run that changes at least one file")
    total = sum(e.total for e in edits)
    return render.message(
        "warn",
        f"Apply will change {len(edits)} file(s) ({total} replacements) in the corpus.",
        "The originals are backed up in the workspace; Undo restores them byte for byte.",
    )


def apply_plan(ctx: StudioContext, edits: list) -> str:
    """Write the planned edits (with a backup) and say what happened."""
    if not edits:
        raise StudioError("nothing to apply", hint="run a dry run first")
    backup = normalize.apply(ctx.corpus, edits, ctx.workspace)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    normalize.write_report(edits, subdir(ctx.workspace, "reports") / f"normalize-{stamp}.json")
    return render.message(
        "ok",
        f"Changed {len(backup.entries)} file(s). Backup: {backup.dir.name}.",
        "Undo puts every file back exactly as it was.",
    )


def undo(ctx: StudioContext) -> widgets.Undo:
    """Undo of the last apply on this corpus."""
    return widgets.Undo(ctx, normalize.TOOL, normalize.undo)


# ---------------------------------------------------------------- layout


def build(ctx: StudioContext) -> None:
    """The Normalise tab."""
    rules_path = ctx.config_dir / "normalize.yaml"
    with gr.Tab("Normalise", id="normalize", elem_id="tab-normalize"):
        gr.Markdown(
            "Rewrite every script with ordered regex rules. **Dry run** shows what would change; "
            "**Apply** keeps a backup; **Undo** restores the files byte for byte.",
            elem_classes="tab-intro",
        )
        ui = SimpleNamespace(plan=gr.State([]), selected=gr.State(None))
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                _rules_panel(ui, rules_path)
            with gr.Column(scale=7):
                _run_panel(ui, ctx)
    _wire_rules(ui, rules_path)
    _wire_run(ui, ctx)


def _rules_panel(ui: SimpleNamespace, rules_path: Path) -> None:
    ui.rules = gr.Dataframe(
        headers=RULE_COLUMNS,
        datatype=["str", "str"],
        interactive=True,
        label=f"Rules ({rules_path.name}), applied top to bottom; edit a cell or add below",
        elem_id="normalize-rules",
        wrap=True,
        column_widths=["55%", "45%"],
        buttons=["fullscreen"],
    )
    ui.rules_msg = gr.HTML(elem_id="normalize-rules-check")
    with gr.Row():
        ui.new_pattern = gr.Textbox(
            label="New rule: regex",
            placeholder=r"e.g. Issue #(\d+)",
            elem_id="normalize-new-pattern",
        )
        ui.new_replacement = gr.Textbox(
            label="Replacement",
            placeholder=r"e.g. Ticket \1",
            elem_id="normalize-new-replacement",
        )
    with gr.Row(equal_height=True):
        ui.new_msg = gr.HTML(check_new_rule("", ""), elem_id="normalize-new-check", scale=4)
        ui.add = gr.Button("Add rule", elem_id="normalize-add", scale=1, size="md")
    with gr.Row():
        ui.remove = gr.Button("Remove selected", elem_id="normalize-remove", size="md")
        ui.reload = gr.Button("Reload YAML", elem_id="normalize-reload", size="md")
        ui.save = gr.Button("Save YAML", elem_id="normalize-save", size="md")


def _run_panel(ui: SimpleNamespace, ctx: StudioContext) -> None:
    with gr.Row():
        ui.run = gr.Button("Dry run", variant="primary", elem_id="normalize-dry-run", size="md")
        ui.cancel = gr.Button("Cancel", elem_id="normalize-cancel", visible=False, size="md")
        ui.change = widgets.change_buttons(
            "normalize", "Apply…", "Undo last apply", undo(ctx).ready()
        )
        ui.apply, ui.undo = ui.change.apply, ui.change.undo
        ui.report = gr.DownloadButton(
            "JSON report", elem_id="normalize-report", interactive=False, size="md"
        )
    widgets.confirm_box(ui.change, "normalize", "Yes, apply")
    ui.confirm = ui.change.confirm
    ui.status = gr.HTML(
        render.message("info", "Press Dry run to see which files the rules would change."),
        elem_id="normalize-status",
    )
    ui.summary = gr.HTML(elem_id="normalize-totals")
    ui.files = gr.Dataframe(
        headers=FILE_COLUMNS,
        interactive=False,
        label="Files that would change (click one to see its diff)",
        elem_id="normalize-files",
        max_height=260,
        wrap=True,
        column_widths=["45%", "15%", "40%"],
        visible=False,
    )
    ui.diff = gr.HTML(elem_id="normalize-diff", visible=False)


def _wire_rules(ui: SimpleNamespace, rules_path: Path) -> None:
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    stale, views = functools.partial(stale_outputs, ui), [ui.plan, ui.status, ui.apply, ui.confirm]
    render.on_page_load(render.guard("Load rules")(lambda: rules_table(rules_path)), ui.rules)
    ui.rules.change(check_rules, ui.rules, ui.rules_msg, **quiet)
    ui.rules.select(_row_index, None, ui.selected, **quiet)
    ui.rules.input(stale, None, views, **quiet)
    for box in (ui.new_pattern, ui.new_replacement):
        box.input(
            check_new_rule,
            [ui.new_pattern, ui.new_replacement],
            ui.new_msg,
            trigger_mode="always_last",
            **quiet,
        )
    ui.add.click(
        render.guard("Add rule")(add_rule),
        [ui.rules, ui.new_pattern, ui.new_replacement],
        ui.rules,
        api_visibility="private",
    ).success(
        lambda: ("", "", check_new_rule("", "")),
        None,
        [ui.new_pattern, ui.new_replacement, ui.new_msg],
        **quiet,
    ).then(stale, None, views, **quiet)
    ui.remove.click(
        render.guard("Remove rule")(remove_rule),
        [ui.rules, ui.selected],
        ui.rules,
        api_visibility="private",
    ).success(lambda: None, None, ui.selected, **quiet).then(stale, None, views, **quiet)
    ui.reload.click(
        render.guard("Reload rules")(lambda: rules_table(rules_path)),
        None,
        ui.rules,
        api_visibility="private",
    )
    ui.save.click(
        render.guard("Save rules")(lambda table: save_rules(table, rules_path)),
        ui.rules,
        ui.rules_msg,
        api_visibility="private",
    )


def _wire_run(ui: SimpleNamespace, ctx: StudioContext) -> None:
    quiet = {"api_visibility": "private", "show_progress": "hidden"}

    @render.guard("Dry run")
    def on_dry_run(table: pd.DataFrame, progress=gr.Progress()):
        progress(0, desc="Rewriting the scripts in memory…")
        edits, totals, files, report_path = dry_run(ctx, table)
        note = render.message(
            "ok", f"Dry run done, nothing written: {len(edits)} file(s) would change."
        )
        first = files["file"].iloc[0] if len(files) else None
        return {
            ui.plan: edits,
            ui.summary: totals,
            ui.files: gr.update(value=files, visible=bool(edits)),
            ui.diff: gr.update(value=diff_of(edits, first), visible=bool(edits)),
            ui.status: note,
            ui.apply: gr.update(interactive=bool(edits)),
            ui.report: gr.update(value=report_path, interactive=True),
            ui.confirm: gr.update(visible=False),
        }

    def on_file(edits: list, evt: gr.SelectData) -> str:
        return diff_of(edits, evt.row_value[0] if evt.row_value else None)

    render.cancellable(
        ui.run,
        ui.cancel,
        on_dry_run,
        ui.rules,
        [ui.plan, ui.summary, ui.files, ui.diff, ui.status, ui.apply, ui.report, ui.confirm],
        status=ui.status,
        cancelled=render.message("info", "Dry run cancelled."),
        show_progress_on=[ui.summary],
    )
    ui.files.select(on_file, ui.plan, ui.diff, **quiet)
    widgets.wire_change(
        ui.change,
        ui.plan,
        ui.status,
        widgets.ChangeActions(
            action="Apply",
            ask=confirm_text,
            apply=lambda edits: apply_plan(ctx, edits),
            undo=undo(ctx),
        ),
        cleared={  # what the dry run showed is done now: nothing would change any more
            ui.summary: "",
            ui.files: gr.update(visible=False),
            ui.diff: gr.update(visible=False),
            ui.report: gr.update(interactive=False),
        },
    )


def stale_outputs(ui: SimpleNamespace) -> dict:
    """A rule changed: the last dry run no longer says what Apply would do."""
    note = render.message("info", "Rules changed: run the dry run again before applying.")
    return {
        ui.plan: [],
        ui.status: note,
        ui.apply: gr.update(interactive=False),
        ui.confirm: gr.update(visible=False),
    }


def _row_index(evt: gr.SelectData) -> int:
    return evt.index[0]
