"""Export tab: merge a run's adapter into its base model, then write a verified GGUF.

Both run as background jobs (core/jobs.py: `python -m core.export.merge` and `python -m core.export`),
so they finish whatever the browser does; a gr.Timer polls the job while it runs. The export's
verification (logit differences, the AutoHotkey v2 smoke test) is the result file it writes
beside the GGUF (core.export.gguf.follow_result), so a reload shows it again; the tab keeps the last
one read in gr.State, and a poll reads the file again only when it changed.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import gradio as gr
import pandas as pd

from core import jobs
from core.ahk.answer import is_clean_v2, shown_verdict
from core.errors import StudioError
from core.export import provenance
from core.export.gguf import (
    QUANTS,
    SavedResult,
    available_quants,
    default_output,
    follow_result,
)
from core.export.verify import no_code_warning
from core.fsutil import inside
from core.train import run_folder
from studio import render
from studio.context import StudioContext

KINDS = ("merge", "export")
QUANT_LABELS = {
    "f32": "F32 · full precision, the largest file",
    "f16": "F16 · half precision, keeps the quality",
    "bf16": "BF16 · half precision with F32's range, for models trained in bf16",
    "q8_0": "Q8_0 · 8-bit, half of F16, nearly lossless",
    "q6_k": "Q6_K · 6-bit, very close to F16",
    "q5_k_m": "Q5_K_M · 5-bit, a little larger than Q4_K_M, a little better",
    "q4_k_m": "Q4_K_M · 4-bit, a quarter of F16, the usual choice",
    "q4_0": "Q4_0 · 4-bit, the smallest and fastest",
}
CHECK_COLUMNS = ["checked with", "max logit difference", "limit", "same top token", "result"]
SMOKE_COLUMNS = ["prompt", "verdict", "errors", "answer"]


# ---------------------------------------------------------------- what a run has


def run_jobs(workspace: Path, run_id: str) -> tuple[jobs.JobStatus | None, jobs.JobStatus | None]:
    """The run's newest merge or export job, and its newest export job (one listing of jobs)."""
    mine = [j for j in jobs.list_jobs(workspace) if j.kind in KINDS and j.meta.get("run") == run_id]
    return next(iter(mine), None), next((j for j in mine if j.kind == "export"), None)


def readiness(workspace: Path, run_id: str | None) -> tuple[str, bool, bool]:
    """(a note on what the run has, can merge, can export), from core.train.run_folder.readiness."""
    if not run_id:
        note = render.message("info", "Pick a run. Train one in the Train tab first.")
        return note, False, False
    run_dir = run_folder.run_path(workspace, run_id)
    ready, source = run_folder.readiness(run_dir), provenance.merged_source(run_dir)
    stale = source.stale if source.recorded is not None else ready.stale  # older merges: by time
    if ready.training:
        note = render.message("warn", f"{run_id} is still training: merge it when it ends.")
    elif not ready.adapter:
        note = render.message(
            "warn",
            f"{run_id} has no adapter yet.",
            "Train it to the end, or stop it (Stop saves the adapter), in the Train tab.",
        )
    elif not ready.merged:
        note = render.message(
            "info", "The adapter is ready. Merge it into the base model, then export."
        )
    elif stale:
        note = render.message(
            "warn",
            source.warning("the merged model holds", "re-merge (press Merge), then re-export")
            or "STALE: the adapter changed after the last merge (the run trained on): re-merge "
            "(press Merge), then re-export.",
            "Until then the merged model and its exports hold the older adapter.",
        )
    else:
        diff = ready.merge_diff
        check = (
            "Checked: the merged model predicts the same words as the base model with the "
            f"adapter, to within a small rounding difference (at most {diff:.2g})."
            if diff is not None
            else None
        )
        note = render.message("ok", "Merged: ready to export.", check)
    return note, ready.can_merge, ready.can_merge and ready.merged and not stale


def quant_choices() -> tuple[list[tuple[str, str]], str]:
    """(label, quant) of the types that can be made here, and a note on those that cannot."""
    why_not = available_quants()
    usable = [(QUANT_LABELS[q], q) for q in QUANTS if why_not[q] is None]
    missing = sorted({why for why in why_not.values() if why})
    names = ", ".join(q.upper() for q in QUANTS if why_not[q])
    note = render.message("info", f"{names} unavailable: {'; '.join(missing)}") if missing else ""
    return usable, note


# ---------------------------------------------------------------- starting jobs


def _busy(workspace: Path, run_id: str) -> None:
    job = run_jobs(workspace, run_id)[0]
    if job is not None and not job.finished:
        raise StudioError(f"a {job.kind} of this run is running", hint="wait for it, or cancel it")


def start_merge(workspace: Path, run_id: str | None) -> str:
    """Start `python -m core.export.merge` on the run as a job; its id."""
    _, can_merge, _ = readiness(workspace, run_id)
    if not run_id or not can_merge:
        raise StudioError(
            "this run cannot be merged yet", hint="it needs an adapter (see the note)"
        )
    _busy(workspace, run_id)
    run_dir = run_folder.run_path(workspace, run_id)
    argv = jobs.core_command("core.export.merge", "--run-dir", run_dir, "--workspace", workspace)
    return jobs.start_job(workspace, "merge", argv, meta={"run": run_id})


def start_export(workspace: Path, run_id: str | None, quant: str, overwrite: bool) -> str:
    """Start `python -m core.export` on the run as a job; its id."""
    _, _, can_export = readiness(workspace, run_id)
    if not run_id or not can_export:
        raise StudioError("this run has no merged model yet", hint="press Merge first")
    if quant not in QUANTS:
        raise StudioError(f"unknown type {quant!r}", hint=f"choose one of {', '.join(QUANTS)}")
    _busy(workspace, run_id)
    run_dir = run_folder.run_path(workspace, run_id)
    if default_output(run_dir, quant).exists() and not overwrite:
        raise StudioError(
            f"{default_output(run_dir, quant).name} exists already", hint="tick Replace to redo it"
        )
    extra = ["--overwrite"] if overwrite else []
    argv = jobs.core_command("core.export", "--run-dir", run_dir, "--quant", quant, *extra)
    return jobs.start_job(workspace, "export", argv, meta={"run": run_id, "quant": quant})


def cancel(workspace: Path, run_id: str | None) -> str:
    """Cancel the run's running merge or export."""
    job = run_jobs(workspace, run_id)[0] if run_id else None
    if job is None or job.finished:
        return render.message("info", "Nothing is running for this run.")
    jobs.cancel_job(workspace, job.id)
    return render.message("info", f"Cancelling the {job.kind}; nothing half-written is kept.")


# ---------------------------------------------------------------- results


def export_result(
    workspace: Path, job: jobs.JobStatus | None, seen: SavedResult | None = None
) -> SavedResult:
    """The result a completed export job wrote beside its GGUF (`seen` again when that file has
    not changed since it was read)."""
    if job is None or job.state != "completed":
        return SavedResult(None)
    run_dir = run_folder.run_path(workspace, job.meta["run"])
    return follow_result(default_output(run_dir, job.meta["quant"]), seen)


def job_html(job: jobs.JobStatus | None, log: str) -> str:
    """What the latest job does or how it ended, with a progress bar while it runs."""
    if job is None:
        return ""
    what = {"merge": "Merge", "export": f"Export {job.meta.get('quant', '').upper()}"}[job.kind]
    lines = [ln for ln in log.splitlines() if ln.strip()]
    if not job.finished:
        done = jobs.log_progress(log)
        phase = lines[-1][-160:] if lines else "starting…"
        bar = "" if done is None else f'<progress max="1" value="{done:.2f}"></progress>'
        return render.message("info", f"{what}: running ({job.elapsed:.0f} s)", phase) + bar
    if job.state == "completed":
        return render.message("ok", f"{what}: done in {job.elapsed:.0f} s.")
    if job.state == "cancelled":
        return render.message("warn", f"{what}: cancelled.")
    return render.message("error", f"{what} failed: {job.error}", "the log below has the details")


def checks_table(report: dict | None) -> pd.DataFrame:
    """The logit comparisons of an export: backend, max difference, limit, verdict."""
    rows = [
        [
            c["backend"],
            f"{c['max_diff']:.3g}",
            f"{c['limit']:.3g}",
            f"{c['argmax_agree']}/{c['prompts']}",
            "passed" if c["max_diff"] <= c["limit"] else "FAILED",
        ]
        for c in (report or {}).get("checks", [])
    ]
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def smoke_table(report: dict | None) -> pd.DataFrame:
    """The smoke test's prompts, the file's answers and the checker's verdict on each, worded as
    in the Evaluate tab ("no code", "v2 with errors": never "v2" beside an error count)."""
    smoke = (report or {}).get("smoke") or {}
    rows = [
        [a["prompt"], _verdict(a), a["errors"], _clip(a["answer"])]
        for a in smoke.get("answers", [])
    ]
    return pd.DataFrame(rows, columns=SMOKE_COLUMNS)


def _verdict(answer: dict) -> str:
    # a result written before the smoke test showed verdicts as Evaluate does may say "v2" with errors
    return shown_verdict(answer["verdict"], answer["errors"]) if answer["verdict"] else "unchecked"


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_html(report: dict | None, source: provenance.Source | None = None) -> str:
    """Headline figures of the last export, after a warning when `source` (the adapter it
    holds against the run's) says it is stale."""
    if not report:
        return ""
    answers = ((report.get("smoke") or {}).get("answers")) or []
    clean = sum(is_clean_v2(a["verdict"], a["errors"]) for a in answers)
    passed = all(c["max_diff"] <= c["limit"] for c in report.get("checks", []))
    stats = [
        ("type", report["quant"].upper(), ""),
        ("size", render.human_size(report["size_bytes"]), ""),
        ("tensors", report["tensor_count"], ""),
        ("logits match the merged model", "yes" if passed else "no", "good" if passed else "bad"),
        ("smoke answers that are clean v2", f"{clean}/{len(answers)}", "good" if clean else "warn"),
    ]
    no_code = no_code_warning([a["verdict"] for a in answers])
    notes = ([no_code] if no_code else []) + report.get("warnings", [])
    warnings = "".join(render.message("warn", w) for w in notes)
    stale = source and source.warning("this export holds", "re-merge (press Merge), then re-export")
    return (render.message("error", stale) if stale else "") + render.totals(stats) + warnings


def export_files(workspace: Path, run_id: str | None) -> list[Path]:
    """The files in the run's exports/ folder (inside the workspace only): each GGUF, then its
    Modelfile and README."""
    if not run_id:
        return []
    folder = run_folder.RunFolder(run_folder.run_path(workspace, run_id)).exports
    found = [p for p in folder.glob("*") if p.is_file() and not p.name.startswith(".")]
    found = [p for p in found if inside(workspace, p)]
    order = {".gguf": 0, ".Modelfile": 1}
    return sorted(found, key=lambda p: (p.name.split(".")[0], order.get(p.suffix, 2), p.name))


def export_sources(workspace: Path, run_id: str | None, files: list[Path]) -> dict:
    """Each exported GGUF's name -> the adapter it holds against the run's adapter now."""
    if not run_id:
        return {}
    current = run_folder.adapter_fingerprint(run_folder.run_path(workspace, run_id))
    return {
        p.name: provenance.Source((follow_result(p).report or {}).get("adapter"), current)
        for p in files
        if p.suffix == ".gguf"
    }


def files_html(files: list[Path], sources: dict | None = None) -> str:
    """Download links for the exported files, with their sizes; a GGUF made from an older
    adapter than the run's (`sources`, from export_sources) is marked stale."""
    if not files:
        return render.message("info", "No exported files yet.")
    sources = sources or {}

    def holds(p: Path) -> str:
        source = sources.get(p.name)
        if source is not None and source.stale:
            return (
                '<td><span class="sev error">STALE</span> older adapter: re-merge, re-export</td>'
            )
        return "<td>the run's adapter</td>" if source and source.current_match else "<td></td>"

    rows = "".join(
        f'<tr><td><a href="gradio_api/file={quote(str(p))}" download="{p.name}">{p.name}</a></td>'
        f"<td>{render.human_size(p.stat().st_size)}</td>"
        f"<td>{time.strftime('%Y-%m-%d %H:%M', time.localtime(p.stat().st_mtime))}</td>"
        f"{holds(p)}</tr>"
        for p in files
    )
    head = "<tr><th>File (click to download)</th><th>Size</th><th>Written</th><th>Holds</th></tr>"
    return f'<table class="diag">{head}{rows}</table>'


def modelfile_text(report: dict | None, files: list[Path]) -> str:
    """The Modelfile of the last export (else of the newest exported file)."""
    path = Path(report["modelfile_path"]) if report else None
    if path is None or not path.is_file():
        path = next((p for p in files if p.suffix == ".Modelfile"), None)
    return path.read_text(encoding="utf-8") if path and path.is_file() else ""


def refresh(
    workspace: Path, run_id: str | None, seen: SavedResult | None = None
) -> SimpleNamespace:
    """Everything the tab shows for a run; `seen` is the export result shown last."""
    note, can_merge, can_export = readiness(workspace, run_id)
    job, export_job = run_jobs(workspace, run_id) if run_id else (None, None)
    log = jobs.read_log(workspace, job.id, 60_000) if job else ""
    result = export_result(workspace, export_job, seen)
    report = result.report
    files = export_files(workspace, run_id)
    sources = export_sources(workspace, run_id, files)
    shown = sources.get(Path(report["gguf_path"]).name) if report else None
    running = job is not None and not job.finished
    return SimpleNamespace(
        result=result,
        note=note,
        job=job_html(job, log),
        can_merge=can_merge and not running,
        can_export=can_export and not running,
        running=running,
        has_results=bool(report or files),
        summary=summary_html(report, shown),
        checks=checks_table(report),
        smoke=smoke_table(report),
        files=files_html(files, sources),
        modelfile=modelfile_text(report, files),
        log=log[-8000:],
    )


# ---------------------------------------------------------------- layout and wiring


def build(ctx: StudioContext) -> None:
    """The Export tab."""
    with gr.Tab("Export", id="export", elem_id="tab-export") as tab:
        gr.Markdown(
            "Turn a trained run into one file for **LM Studio**, **llama.cpp** and **Ollama**: "
            "**Merge** folds the adapter into the base model's weights, **Export GGUF** writes the "
            "file, loads it back to compare its answers with the merged model's, and asks it a "
            "few AutoHotkey v2 questions. Both go on if you close the page.",
            elem_classes="tab-intro",
        )
        ui = _layout()
        ui.tab = tab
        _wire(ctx, ui)


def _layout() -> SimpleNamespace:
    ui = SimpleNamespace(timer=gr.Timer(1.5, active=False), result=gr.State(SavedResult(None)))
    with gr.Row(equal_height=True, elem_classes="compact-row"):
        ui.run = gr.Dropdown([], label="Run", elem_id="export-run", scale=5)
        ui.refresh = gr.Button("Refresh runs", elem_id="export-refresh", size="md", scale=1)
    ui.note = gr.HTML(elem_id="export-note")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, variant="panel"):
            gr.Markdown(
                "**1 · Merge** the adapter into the base model: full weights (safetensors) and the "
                "tokenizer in the run's `merged/` folder, checked against base + adapter."
            )
            ui.merge = gr.Button(
                "Merge", variant="primary", elem_id="export-merge", interactive=False
            )
        with gr.Column(scale=3, variant="panel"):
            gr.Markdown(
                "**2 · Export GGUF**: one file for LM Studio, llama.cpp and Ollama, with a "
                "Modelfile, verified by loading it back."
            )
            with gr.Row(equal_height=True, elem_classes="compact-row"):
                ui.quant = gr.Dropdown([], label="Type", elem_id="export-quant", scale=3)
                ui.overwrite = gr.Checkbox(
                    label="Replace an existing file", elem_id="export-overwrite", scale=2
                )
            ui.export = gr.Button(
                "Export GGUF", variant="primary", elem_id="export-gguf", interactive=False
            )
    ui.quant_note = gr.HTML(elem_id="export-quant-note")
    with gr.Row(equal_height=True, elem_classes="compact-row"):
        ui.job = gr.HTML(elem_id="export-job", css_template=JOB_CSS, scale=5)
        ui.cancel = gr.Button(
            "Cancel", variant="stop", elem_id="export-cancel", visible=False, scale=1
        )
    _results_panel(ui)
    with gr.Accordion("Log", open=False, elem_id="export-log-box"):
        ui.log = gr.Textbox(lines=10, max_lines=10, show_label=False, elem_id="export-log")
    return ui


def _results_panel(ui: SimpleNamespace) -> None:
    with gr.Column(visible=False, elem_id="export-results") as ui.results:
        ui.summary = gr.HTML(elem_id="export-summary")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                ui.checks = gr.Dataframe(
                    pd.DataFrame([], columns=CHECK_COLUMNS),
                    interactive=False,
                    label="Verification: the GGUF's next-token logits against the merged model",
                    elem_id="export-checks",
                )
                ui.smoke = gr.Dataframe(
                    pd.DataFrame([], columns=SMOKE_COLUMNS),
                    interactive=False,
                    wrap=True,
                    label="Smoke test: AutoHotkey v2 prompts answered by the GGUF, judged as in Evaluate",
                    elem_id="export-smoke",
                    max_height=320,
                    column_widths=["30%", "12%", "8%", "50%"],
                )
            with gr.Column(scale=2):
                ui.files = gr.HTML(elem_id="export-files")
                ui.modelfile = gr.Code(
                    label="Modelfile (ollama create ahk-model -f <this file>)",
                    language="dockerfile",
                    interactive=False,
                    elem_id="export-modelfile",
                    lines=12,
                    max_lines=24,
                )


JOB_CSS = """
progress { width: 100%; height: 8px; margin: 4px 0; accent-color: var(--color-accent); }
"""


def view_outputs(
    ui: SimpleNamespace, workspace: Path, run_id: str | None, seen: SavedResult | None = None
) -> dict:
    """What the tab shows for a run, as {component: update} (the components of `_views(ui)`)."""
    v = refresh(workspace, run_id, seen)
    return {
        ui.result: v.result,
        ui.run: gr.Dropdown(choices=render.run_choices(workspace)),
        ui.job: v.job,
        **_controls(ui, v),
        ui.results: gr.Column(visible=v.has_results),
        ui.summary: v.summary,
        ui.checks: v.checks,
        ui.smoke: v.smoke,
        ui.files: v.files,
        ui.modelfile: v.modelfile,
        ui.log: v.log,
    }


def _controls(ui: SimpleNamespace, v: SimpleNamespace) -> dict:
    """The note and the buttons of a `refresh` view: what the run can do now."""
    return {
        ui.note: v.note,
        ui.merge: gr.Button(interactive=v.can_merge),
        ui.export: gr.Button(interactive=v.can_export),
        ui.cancel: gr.Button(visible=v.running),
        ui.timer: gr.Timer(active=v.running),
    }


def _views(ui: SimpleNamespace) -> list:
    """Every component `view_outputs` updates."""
    return [
        ui.result,
        ui.run,
        ui.note,
        ui.job,
        ui.merge,
        ui.export,
        ui.cancel,
        ui.timer,
        ui.results,
        ui.summary,
        ui.checks,
        ui.smoke,
        ui.files,
        ui.modelfile,
        ui.log,
    ]


def page_outputs(ui: SimpleNamespace, workspace: Path) -> dict:
    """When the page opens: the runs (newest chosen), the types that can be made, and a note."""
    choices = render.run_choices(workspace)
    quants, quant_note = quant_choices()
    names = [q for _, q in quants]
    chosen = "f16" if "f16" in names else (names[0] if names else None)
    return {
        ui.run: render.run_picker(choices, None),
        ui.quant: gr.Dropdown(choices=quants, value=chosen),
        ui.quant_note: quant_note,
    }


def _wire(ctx: StudioContext, ui: SimpleNamespace) -> None:
    private = {"api_visibility": "private"}
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    one_at_a_time = {"concurrency_limit": 1, "concurrency_id": "export-start", **private}
    views, workspace = _views(ui), ctx.workspace
    shown = [ui.run, ui.result]
    show = render.guard("Export")(lambda run_id, seen: view_outputs(ui, workspace, run_id, seen))

    @render.guard("Merge")
    def on_merge(run_id: str | None, seen: SavedResult) -> dict:
        start_merge(workspace, run_id)
        return view_outputs(ui, workspace, run_id, seen)

    @render.guard("Export GGUF")
    def on_export(run_id: str | None, quant: str, overwrite: bool, seen: SavedResult) -> dict:
        start_export(workspace, run_id, quant, overwrite)
        return view_outputs(ui, workspace, run_id, seen)

    render.on_page_load(
        render.guard("Export")(lambda: page_outputs(ui, workspace)),
        [ui.run, ui.quant, ui.quant_note],
    )
    ui.run.change(show, shown, views, **quiet)
    ui.timer.tick(show, shown, views, **quiet)
    # An action that fails leaves its error in the job line and the buttons as the run now allows
    controls = [ui.note, ui.merge, ui.export, ui.cancel, ui.timer]
    idle = render.guard("Export")(lambda run_id: _controls(ui, refresh(workspace, run_id)))
    export_inputs = [ui.run, ui.quant, ui.overwrite, ui.result]
    for button, fn, inputs in ((ui.merge, on_merge, shown), (ui.export, on_export, export_inputs)):
        started = button.click(render.settled(fn, ui.job), inputs, views, **one_at_a_time)
        started.then(idle, ui.run, controls, **quiet)
    ui.cancel.click(
        render.guard("Cancel")(lambda run_id: cancel(workspace, run_id)), ui.run, ui.job, **private
    ).then(show, shown, views, **quiet)
    # Runs trained since the page opened show up on Refresh and when the tab is opened.
    gr.on(
        [ui.refresh.click, ui.tab.select],
        render.guard("Refresh runs")(
            lambda run_id: render.run_picker(render.run_choices(workspace), run_id)
        ),
        ui.run,
        ui.run,
        **quiet,
    ).then(show, shown, views, **quiet)
