"""Builders shared by the tabs: the one confirm -> apply -> undo group of every tool that changes
files (Corpus prune, Normalise, Includes).

The tool plans first (a dry run into a `gr.State`); Apply asks for confirmation with what would
happen; Yes applies the plan (core keeps a backup) and clears it; Undo puts the files back. After
an apply and after an undo the tab's views are refreshed, so none shows what is no longer true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from core.corpus.backup import Backup, last_backup
from studio import render
from studio.context import StudioContext

QUIET: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
PRIVATE: dict[str, Any] = {"api_visibility": "private"}


@dataclass
class ChangeControls:
    """Apply and Undo buttons and the confirmation box of one tool."""

    apply: gr.Button
    undo: gr.Button
    confirm: gr.Group | None = None
    question: gr.HTML | None = None
    yes: gr.Button | None = None
    no: gr.Button | None = None


def change_buttons(
    prefix: str, apply_label: str, undo_label: str, undo_ready: bool
) -> ChangeControls:
    """Apply (disabled until there is a plan) and Undo, placed where the caller is building."""
    apply = gr.Button(apply_label, elem_id=f"{prefix}-apply", interactive=False, size="md")
    undo = gr.Button(undo_label, elem_id=f"{prefix}-undo", interactive=undo_ready, size="md")
    return ChangeControls(apply, undo)


def confirm_box(controls: ChangeControls, prefix: str, yes_label: str) -> None:
    """The hidden box that asks before applying, placed where the caller is building."""
    with gr.Group(visible=False, elem_id=f"{prefix}-confirm") as controls.confirm:
        controls.question = gr.HTML(elem_id=f"{prefix}-confirm-text")
        with gr.Row():
            controls.yes = gr.Button(yes_label, variant="stop", elem_id=f"{prefix}-confirm-yes")
            controls.no = gr.Button("Cancel", elem_id=f"{prefix}-confirm-no")


@dataclass(frozen=True)
class Undo:
    """Undo of a tool whose applies keep a backup under its name: `restore(corpus, workspace)`
    puts the last one back; `said` words the result ({n} files, {backup} folder)."""

    ctx: StudioContext
    tool: str
    restore: Callable[[Path, Path], Backup]
    said: str = "Restored {n} file(s) from {backup}."

    def __call__(self) -> str:
        backup = self.restore(self.ctx.corpus, self.ctx.workspace)
        return render.message("ok", self.said.format(n=len(backup.entries), backup=backup.dir.name))

    def ready(self) -> bool:
        """Whether there is an apply on this corpus to undo."""
        return last_backup(self.ctx.workspace, self.tool, self.ctx.corpus) is not None


@dataclass
class ChangeActions:
    """What the tool does at each step; each returns the HTML status to show."""

    action: str  # the toast title: "Quarantine", "Apply", "Apply fix"
    ask: Callable  # plan -> the confirmation question (StudioError when there is nothing to do)
    apply: Callable  # plan -> status
    undo: Undo


def wire_change(
    controls: ChangeControls,
    plan: gr.State,
    status: gr.HTML,
    actions: ChangeActions,
    cleared: dict | None = None,
    refresh: tuple[Callable, list, list] | None = None,
) -> None:
    """Wire Apply -> confirm -> Yes/Cancel and Undo. After Yes the plan is emptied and Apply
    disabled (plus the `cleared` {component: value}); after Yes and after Undo, `refresh`
    (fn, inputs, outputs) redraws the tab's views from the files as they now are."""
    c, extra = controls, cleared or {}
    assert c.yes is not None and c.no is not None, "build the confirm_box first"
    c.apply.click(render.guard(actions.action)(actions.ask), plan, c.question, **PRIVATE).success(
        lambda: gr.update(visible=True), None, c.confirm, **QUIET
    )
    c.no.click(lambda: gr.update(visible=False), None, c.confirm, **QUIET)

    def after_apply() -> dict:
        return {
            plan: [],
            c.confirm: gr.update(visible=False),
            c.apply: gr.update(interactive=False),
            c.undo: gr.update(interactive=actions.undo.ready()),
            **extra,
        }

    applied = c.yes.click(render.guard(actions.action)(actions.apply), plan, status, **PRIVATE)
    applied = applied.success(
        after_apply, None, [plan, c.confirm, c.apply, c.undo, *extra], **QUIET
    )
    undone = c.undo.click(render.guard("Undo")(actions.undo), None, status, **PRIVATE).success(
        lambda: gr.update(interactive=actions.undo.ready()), None, c.undo, **QUIET
    )
    if refresh is not None:
        fn, inputs, outputs = refresh
        applied.then(fn, inputs, outputs, **QUIET)
        undone.then(fn, inputs, outputs, **QUIET)
    render.on_page_load(lambda: gr.update(interactive=actions.undo.ready()), c.undo)


def bounded_number(value: float, minimum: float, maximum: float, **options: Any) -> gr.Number:
    """A gr.Number whose minimum and maximum bound the browser's spinner, while a value typed
    outside them still reaches the handler, which says at the field what is wrong (gr.Number
    refuses it before any handler runs, with a toast that fades). Not a subclass: Gradio writes
    a .pyi file beside the module of each Component subclass. No handler may update its props
    (show its problems beside it): Gradio would keep a plain gr.Number in the session instead."""
    box = gr.Number(value, minimum=minimum, maximum=maximum, **options)
    box.preprocess = lambda payload: None if payload is None else float(payload)  # type: ignore[method-assign]
    return box
