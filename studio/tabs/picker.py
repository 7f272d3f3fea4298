"""The Train tab's model picker: every model with what it needs, what this machine has, the models
already here, and a Download button (core.models.download as a background job, polled).

`build(ctx)` lays it out where it is called; `wire(...)` connects it to the form and returns the
event that fills the form's fields (base model, LoRA targets, QLoRA switches) once a model is
picked or downloaded, so the Train tab chains its own plan check after it. The machine is asked
in a child process (core.models.hardware): the studio never imports torch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pandas as pd

from core import jobs
from core.errors import StudioError
from core.models import download, hardware
from core.models.local import local_models
from core.train.choices import Choice, choices, downloadable, find_choice
from core.train.config import TrainConfig, check_values, load_values
from core.train.fit import model_values
from studio import render
from studio.context import StudioContext

COLUMNS = ["model", "parameters", "download", "trains on", "here", "on this machine", "base model"]
WIDTHS: list[str | int] = ["13%", "9%", "8%", "33%", "10%", "11%", "16%"]
FILLED = (  # the form fields a pick sets (core.train.fit.model_values)
    "base_model",
    "build_tiny_if_missing",
    "lora.target_modules",
    "lora.target_parameters",
    "load_in_4bit",
    "training.gradient_checkpointing",
    "training.optimizer",
    "training.fp16",
)
TICK_S = 1.0
MARKS = {"fits": "✓", "tight": "⚠", "too big": "✗", "no GPU": "–", "unknown": "?"}
QUIET: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}


# ---------------------------------------------------------------- what the picker shows


def form_config(values: dict[str, Any]) -> TrainConfig:
    """The form's config, or the defaults while the form has problems (sizes stay sensible)."""
    return check_values(values)[0] or TrainConfig()


def rows(ctx: StudioContext, values: dict[str, Any], fresh: bool = False) -> list[Choice]:
    """The picker's models for the form's settings and this machine."""
    machine = hardware.machine(ctx.workspace, fresh)
    return choices(form_config(values), ctx.workspace, machine, local_models(ctx.workspace))


def machine_html(machine: hardware.Machine) -> str:
    """What this machine has, in one line."""
    return render.message("info", f"This machine: {machine.summary()}")


def _count(n: int | None) -> str:
    return f"{n / 1e9:.1f}B" if n else ""


def table(found: list[Choice]) -> pd.DataFrame:
    """One row per model: name, size, what it trains on, the verdict here, its copy."""
    data = [
        [
            row.label + (" (gated)" if row.gated else ""),
            _count(row.params),
            hardware.gib(row.download) if row.download else "",
            row.needs.split(" · ")[0],
            f"{MARKS.get(row.fit.verdict, '')} {row.fit.verdict}",
            row.state,
            row.base_model,
        ]
        for row in found
    ]
    return pd.DataFrame(data, columns=COLUMNS)


def chosen_html(row: Choice) -> str:
    """The picked model: how it fits here, what it needs, how 4-bit treats it, its copy."""
    kind = {"fits": "ok", "tight": "warn", "too big": "error"}.get(row.fit.verdict, "info")
    lines = [f"Trains on: {row.needs}.", f"4-bit: {row.family.four_bit}."]
    if row.gated:
        lines.append("Gated: accept its licence on the hub, then paste a read token to download.")
    if row.local is not None:
        lines.append(f"On this machine: {row.local.path} ({row.state}).")
    text = f"{row.label}: {row.fit.message}"
    return render.message(kind, text, " ".join(lines) + (f" {row.fit.hint}" * bool(row.fit.hint)))


def progress_html(job: jobs.JobStatus | None, record: dict | None) -> str:
    """The download: a bar with bytes, speed and time left; how it ended."""
    if job is None:
        return ""
    repo = job.meta.get("repo", "")
    if job.state == "completed":
        return render.message("ok", f"Downloaded {repo}: the base model field now names it.")
    if job.state == "cancelled":
        return render.message("warn", f"{repo}: cancelled.", "Download again to resume it.")
    if job.finished:
        return render.message("error", f"Download of {repo} failed: {job.error}")
    if not record:
        return render.message("info", f"Downloading {repo}: asking the hub…")
    share = record["done"] / record["total"] if record.get("total") else 0.0
    bar = f'<progress max="1" value="{share:.3f}"></progress>'
    return render.message("info", f"Downloading {repo}", download.describe(record)) + bar


# ---------------------------------------------------------------- handlers (plain functions)


def refresh_outputs(ui: SimpleNamespace, ctx: StudioContext, values: dict, fresh: bool) -> dict:
    """The machine line and the table, asked again."""
    machine = hardware.machine(ctx.workspace, fresh)
    found = choices(form_config(values), ctx.workspace, machine, local_models(ctx.workspace))
    return {ui.machine: machine_html(machine), ui.table: table(found)}


def resize_outputs(ui: SimpleNamespace, ctx: StudioContext, values: dict) -> dict:
    """refresh_outputs after the form changed; nothing while the form has problems (a form
    half-loaded is not worth sizing models for)."""
    if check_values(values)[0] is None:
        return {ui.table: gr.skip()}
    return refresh_outputs(ui, ctx, values, False)


def select_outputs(ui: SimpleNamespace, ctx: StudioContext, values: dict, base: str) -> dict:
    """A model was clicked: say how it fits; Use and (if it is not here yet) Download."""
    row = find_choice(rows(ctx, values), base)
    return {
        ui.choice: base,
        ui.chosen: chosen_html(row),
        ui.use: gr.Button(interactive=True),
        ui.download: gr.Button(interactive=downloadable(row)),
        ui.token: gr.Textbox(visible=row.gated and downloadable(row)),
    }


def picked_values(ctx: StudioContext, values: dict, base: str | None) -> dict[str, Any]:
    """The field values for the model picked (a stamp makes each pick a change)."""
    if not base:
        raise StudioError("pick a model in the table first")
    row = find_choice(rows(ctx, values), base)
    return {
        "values": model_values(form_config(values), row.base_model, row.family),
        "at": time.time(),
    }


def download_outputs(ui: SimpleNamespace, ctx: StudioContext, base: str | None, token: str) -> dict:
    """Start downloading the picked model; the token field is emptied at once."""
    row = find_choice(rows(ctx, {}), base or "")
    if not downloadable(row) or row.hub_id is None:
        raise StudioError(f"{row.label} is on this machine already", hint="press Use")
    job = download.start_download(ctx.workspace, row.hub_id, (token or "").strip() or None)
    return {
        ui.token: gr.Textbox(value=""),
        ui.progress: progress_html(jobs.job_status(ctx.workspace, job), None),
        ui.timer: gr.Timer(active=True),
        ui.download: gr.Button(interactive=False),
        ui.cancel: gr.Button(visible=True),
    }


def tick_outputs(ui: SimpleNamespace, ctx: StudioContext, values: dict) -> dict:
    """The running download's progress; once it completed, its folder fills the form."""
    job = download.latest_job(ctx.workspace)
    if job is None:
        return {ui.timer: gr.Timer(active=False)}
    folder = Path(job.meta.get("folder", ""))
    out = {
        ui.progress: progress_html(job, download.read_state(folder)),
        ui.timer: gr.Timer(active=not job.finished),
        ui.cancel: gr.Button(visible=not job.finished),
    }
    if job.finished:  # Download again resumes a failed or cancelled one
        out |= refresh_outputs(ui, ctx, values, False)
        out[ui.download] = gr.Button(interactive=job.state != "completed")
    if job.state == "completed":
        base = "workspace/" + folder.relative_to(ctx.workspace).as_posix()
        out[ui.picked] = picked_values(ctx, values, base)
    return out


def reload_outputs(ui: SimpleNamespace, ctx: StudioContext, values: dict) -> dict:
    """After a page load: a download still running is watched again (an old one is not shown)."""
    job = download.latest_job(ctx.workspace)
    if job is None or job.finished:
        return {ui.timer: gr.Timer(active=False)}
    return tick_outputs(ui, ctx, values)


def cancel_outputs(ui: SimpleNamespace, ctx: StudioContext) -> dict:
    """Cancel the running download (what arrived is kept: Download resumes it)."""
    job = download.latest_job(ctx.workspace)
    if job is not None and not job.finished:
        jobs.cancel_job(ctx.workspace, job.id)
    return {ui.timer: gr.Timer(active=True)}


def fill_fields(fields: list, by_name: Callable, picked: dict | None) -> list:
    """One update per form field: the picked values where a pick sets them."""
    chosen = (picked or {}).get("values", {})
    wanted = {id(by_name(fields, key)): chosen[key] for key in FILLED if key in chosen}
    return [gr.update(value=wanted[id(f)]) if id(f) in wanted else gr.skip() for f in fields]


# ---------------------------------------------------------------- layout and wiring


def build(ctx: StudioContext) -> SimpleNamespace:
    """The picker's components, laid out where this is called."""
    ui = SimpleNamespace(timer=gr.Timer(TICK_S, active=False), choice=gr.State(None))
    ui.picked = gr.State(None)
    with gr.Accordion("Base model: pick one for this machine", open=True, elem_id="picker"):
        ui.machine = gr.HTML(
            render.message("info", "Asking this machine…"), elem_id="picker-machine"
        )
        ui.table = gr.Dataframe(
            pd.DataFrame([], columns=COLUMNS),
            interactive=False,
            label="Models (click one; sizes follow the form's settings)",
            elem_id="picker-table",
            max_height=320,
            wrap=True,
            column_widths=WIDTHS,
        )
        ui.chosen = gr.HTML(elem_id="picker-chosen")
        with gr.Row(equal_height=True, elem_classes="compact-row"):
            ui.token = gr.Textbox(
                label="Token (gated models)",
                type="password",
                placeholder="hf_…",
                info="for this download only: never saved or logged",
                elem_id="picker-token",
                visible=False,
                scale=3,
            )
            ui.use = gr.Button("Use this model", elem_id="picker-use", interactive=False, scale=1)
            ui.download = gr.Button(
                "Download", elem_id="picker-download", interactive=False, scale=1
            )
            ui.cancel = gr.Button(
                "Cancel download", variant="stop", elem_id="picker-cancel", visible=False, scale=1
            )
            ui.refresh = gr.Button("Refresh", elem_id="picker-refresh", size="md", scale=1)
        ui.progress = gr.HTML(elem_id="picker-progress", css_template=PROGRESS_CSS)
    return ui


PROGRESS_CSS = "progress { width: 100%; height: 8px; accent-color: var(--color-accent); }"


def wire(
    ui: SimpleNamespace,
    ctx: StudioContext,
    fields: list,
    read_form: Callable[[Any], dict],
    by_name: Callable,
    form_changed: list[gr.HTML | gr.Code],
):
    """Connect the picker to the form (the table is sized again whenever one of `form_changed`,
    the plan or the shell command, changes); the event that fills the fields (chain the plan on
    it)."""
    views = [ui.machine, ui.table]
    choose = [ui.choice, ui.chosen, ui.use, ui.download, ui.token]
    polled = [ui.progress, ui.timer, ui.cancel, ui.download, ui.picked, *views]

    def on_select(evt: gr.SelectData, *values) -> dict:
        return select_outputs(ui, ctx, read_form(values), evt.row_value[-1])

    render.on_page_load(  # sized for the config the form loads; edits resize it (below)
        render.guard("Models")(
            lambda: refresh_outputs(ui, ctx, load_values(ctx.config_path)[0], False)
        ),
        views,
    )
    render.on_page_load(
        render.guard("Download")(lambda *v: reload_outputs(ui, ctx, read_form(v))), polled, fields
    )
    ui.refresh.click(
        render.guard("Models")(lambda *v: refresh_outputs(ui, ctx, read_form(v), True)),
        fields,
        views,
        **QUIET,
    )
    gr.on(  # the form changed: a loaded config, a preset, an edit
        [c.change for c in form_changed],
        render.guard("Models")(lambda *v: resize_outputs(ui, ctx, read_form(v))),
        fields,
        views,
        trigger_mode="always_last",
        **QUIET,
    )
    ui.table.select(render.guard("Models")(on_select), fields, choose, **QUIET)
    ui.use.click(
        render.guard("Use model")(lambda c, *v: {ui.picked: picked_values(ctx, read_form(v), c)}),
        [ui.choice, *fields],
        ui.picked,
        **QUIET,
    )
    ui.download.click(
        render.settled(
            render.guard("Download")(lambda c, t: download_outputs(ui, ctx, c, t)), ui.progress
        ),
        [ui.choice, ui.token],
        [ui.token, ui.progress, ui.timer, ui.download, ui.cancel],
        api_visibility="private",
    )
    ui.timer.tick(
        render.guard("Download")(lambda *v: tick_outputs(ui, ctx, read_form(v))),
        fields,
        polled,
        **QUIET,
    )
    ui.cancel.click(
        render.guard("Cancel")(lambda: cancel_outputs(ui, ctx)), None, ui.timer, **QUIET
    )
    return ui.picked.change(lambda p: fill_fields(fields, by_name, p), ui.picked, fields, **QUIET)
