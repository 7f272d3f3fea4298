"""Evaluate tab: run core.evaluate on a run as a background job, then compare base and fine-tuned.

The evaluation is a child process (core/jobs.py), so it finishes whatever the browser does; a
gr.Timer reads its eval/summary.json and results.jsonl while it runs, and once when the page
opens, so a reload shows the last evaluation of the chosen run. The rows read are kept per
browser session in gr.State, so results.jsonl is read again only after a batch replaced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import gradio as gr
import pandas as pd

from core import jobs
from core.errors import StudioError
from core.evaluate import compare as ev
from core.evaluate import generate as gen
from core.export import provenance
from core.train.run_folder import run_path
from studio import render
from studio.context import StudioContext
from studio.plots import PALETTE, TEMPLATE, empty_figure

if TYPE_CHECKING:  # plotly loads with the first figure, not with the studio
    import plotly.graph_objects as go

JOB_KIND = "evaluate"
BENCH_KIND = "ahkbench"
MODEL_NAMES = {"finetuned": "fine-tuned", "base": "base"}
COLOURS = {"finetuned": PALETTE[0], "base": "#94a3b8"}
# (summary key, label, scale to percent)
CHART_METRICS = [
    ("clean_v2_share", "clean v2", 100.0),
    ("interpreter_ok_share", "loads in AutoHotkey v2", 100.0),
    ("balanced_share", "balanced", 100.0),
    ("exact_match", "exact match", 100.0),
    ("chrf", "chrF", 1.0),
]
TABLE_COLUMNS = [
    "#",
    "category",
    "prompt",
    "reference",
    "fine-tuned",
    "base",
    "v2 (ft / base)",
    "chrF (ft / base)",
    "worse",
]
CLIP = 160


# ---------------------------------------------------------------- runs and jobs


def default_run(workspace: Path, choices: list[tuple[str, str]]) -> str | None:
    """The run to show when the page opens: the last one evaluated, else the newest."""
    ids = [value for _, value in choices]
    for job in jobs.list_jobs(workspace, kind=JOB_KIND):
        if job.meta.get("run") in ids:
            return job.meta["run"]
    return ids[0] if ids else None


def last_job(workspace: Path, run_id: str, kind: str = JOB_KIND) -> jobs.JobStatus | None:
    """The newest evaluation (or benchmark) job of a run, if any."""
    for job in jobs.list_jobs(workspace, kind=kind):
        if job.meta.get("run") == run_id:
            return job
    return None


def start_evaluation(
    workspace: Path, run_id: str, split: str, limit: float, max_new_tokens: float, compare: bool
) -> str:
    """Check the inputs, then start `python -m core.evaluate` as a job; return the job id."""
    if not run_id:
        raise StudioError("pick a run first")
    run_dir = run_path(workspace, run_id)
    count = int(limit or 0) or None
    ev.plan(run_dir, split=split, limit=count, compare_base=compare)
    running = last_job(workspace, run_id)
    if running and not running.finished:
        raise StudioError("this run is being evaluated already", hint="wait for it or stop it")
    argv = jobs.core_command(
        "core.evaluate",
        "--run-dir",
        run_dir,
        "--split",
        split,
        "--max-new-tokens",
        int(max_new_tokens),
        *(["--limit", str(count)] if count else []),
        *(["--compare-base"] if compare else []),
    )
    return jobs.start_job(workspace, JOB_KIND, argv, meta={"run": run_id})


def start_benchmark(
    workspace: Path,
    run_id: str,
    limit: float,
    max_new_tokens: float,
    compare: bool,
    samples: float = 1,
    temperature: float = 0.0,
) -> str:
    """Start the task benchmark (`python -m core.evaluate --benchmark`) as a job; its id.
    `samples` answers per task (sampled at `temperature`) give pass@samples beside pass@1."""
    from core.ahk.sandbox import require_sandbox

    if not run_id:
        raise StudioError("pick a run first")
    k, temperature = int(samples or 1), float(temperature or 0.0)
    ev.check_samples(k, temperature)
    require_sandbox()
    run_dir = run_path(workspace, run_id)
    models = gen.run_models(run_dir)
    if models.adapter is None and models.merged is None:
        raise gen.missing_model_error(models, "adapter")
    running = last_job(workspace, run_id, BENCH_KIND)
    if running and not running.finished:
        raise StudioError("the benchmark of this run is running already", hint="wait for it")
    count = int(limit or 0) or None
    argv = jobs.core_command(
        "core.evaluate", "--benchmark", "--run-dir", run_dir, "--max-new-tokens",
        int(max_new_tokens), "--samples", k, "--temperature", str(temperature),
        *(["--limit", str(count)] if count else []), *(["--compare-base"] if compare else []),
    )  # fmt: skip
    return jobs.start_job(workspace, BENCH_KIND, argv, meta={"run": run_id})


def stop_evaluation(workspace: Path, run_id: str) -> str:
    """Ask the run's evaluation to stop after its current prompt; a note saying so."""
    if not run_id:
        raise StudioError("pick a run first")
    job = last_job(workspace, run_id)
    if job is None or job.finished:
        return render.message("info", "No evaluation of this run is running.")
    ev.request_stop(run_path(workspace, run_id))
    return render.message(
        "info", "Stopping after the current batch of prompts; the results so far are kept."
    )


# ---------------------------------------------------------------- rendering


def status_note(job: jobs.JobStatus | None, summary: dict | None) -> str:
    """One line: what the evaluation is doing or how it ended."""
    if job is not None and not job.finished:
        done = (
            f"{summary['done']} of {summary['total']} prompts" if summary else "loading the model"
        )
        return render.message("info", f"Evaluating… {done} ({job.elapsed:.0f} s)")
    if job is not None and job.state == "failed":
        return render.message("error", f"The evaluation failed: {job.error}", "see the log below")
    if summary is None:
        return render.message("info", "This run has not been evaluated yet: press Evaluate.")
    state = summary.get("state")
    kind = "ok" if state == "completed" else "warn"
    models = summary.get("models", {})
    against = f" against the base ({models['base']})" if "base" in models else ""
    step = (summary.get("adapter") or {}).get("step")
    scored = f"{models.get('finetuned')}" + ("" if step is None else f" of step {step}")
    return render.message(
        kind,
        f"{state}: {summary['done']} of {summary['total']} prompts of {summary.get('split')}, "
        f"fine-tuned = {scored}{against}",
    )


def totals_html(summary: dict | None, bench: dict | None = None, bench_stale: bool = False) -> str:
    """The headline numbers, what matters first: the task benchmark's pass@1 when it ran (an
    answer without code fails its task), loads in AutoHotkey v2, clean v2, answers with no code
    at all (gibberish), chrF, and how often tuning hurt. `bench_stale`: the benchmark scored an
    older adapter than the run has."""
    summary = summary or {}
    overall = summary.get("overall") or {}
    stats = []
    for name, report in ((bench or {}).get("models") or {}).items():
        value, older = report["pass_at_1"], " (older adapter)" if bench_stale else ""
        kind = "warn" if bench_stale else _kind(value)
        stats.append((f"task pass@1 · {MODEL_NAMES[name]}{older}", _percent(value), kind))
    if not (overall or stats):
        return ""
    for name, scores in overall.items():
        loads = scores.get("interpreter_ok_share")
        if loads is not None:
            stats.append(
                (f"loads in AutoHotkey · {MODEL_NAMES[name]}", _percent(loads), _kind(loads))
            )
        share = scores.get("clean_v2_share")
        stats.append((f"clean v2 · {MODEL_NAMES[name]}", _percent(share), _kind(share)))
        no_code = scores.get("no_code_share")
        if no_code:
            stats.append((f"no code (gibberish) · {MODEL_NAMES[name]}", _percent(no_code), "bad"))
        stats.append((f"chrF · {MODEL_NAMES[name]}", _number(scores.get("chrf")), ""))
    if "base" in overall:
        worse = summary.get("finetuned_worse", 0)
        stats.append(("fine-tuned worse than base", worse, "bad" if worse else "good"))
    return render.totals(stats)


def _kind(share: float | None) -> str:
    return "" if share is None else "good" if share >= 0.5 else "warn"


def benchmark_views(workspace: Path, run_id: str | None) -> tuple[str, str, go.Figure]:
    """The task benchmark of a run: (status, pass@1 cards + per-category table + examples,
    failure classes as a chart)."""
    data = ev.read_benchmark(run_path(workspace, run_id)) if run_id else None
    job = last_job(workspace, run_id, BENCH_KIND) if run_id else None
    if job is not None and not job.finished:
        note = render.message("info", f"Running the task benchmark… ({job.elapsed:.0f} s)")
    elif job is not None and job.state == "failed":
        note = render.message("error", f"The task benchmark failed: {job.error}")
    elif data is None:
        note = render.message("info", "Press Task benchmark to run the tasks in AutoHotkey v2.")
    else:
        note = render.message("ok", f"Task benchmark: {data['models']['finetuned']['tasks']} tasks")
        note += stale_note(workspace, run_id, data, "re-run the task benchmark")
    return note, benchmark_html(data), failure_figure(data)


def stale_note(workspace: Path, run_id: str | None, scored: dict | None, redo: str) -> str:
    """A warning when `scored` (a summary or benchmark) scored another adapter than the run's."""
    recorded = (scored or {}).get("adapter")
    if not run_id or recorded is None:
        return ""
    source = provenance.against(run_path(workspace, run_id), recorded)
    stale = source.warning("these results scored", redo)
    return render.message("error", stale) if stale else ""


def benchmark_html(data: dict | None) -> str:
    """pass@1 (and pass@k with k samples per task) of each model, a row per category, and the
    best and worst examples."""
    if not data:
        return ""
    models = {m: r for m, r in data["models"].items()}
    k = str(data.get("samples", 1))
    cards, absent = [], []
    for at in ["1"] if k == "1" else ["1", k]:
        for m, r in models.items():
            value = r["pass_at_1"] if at == "1" else r.get("pass_at_k", {}).get(at)
            kind = "" if value is None else "good" if value >= 0.5 else "warn"
            cards.append((f"pass@{at} · {MODEL_NAMES[m]}", _percent(value), kind))
            if value is None:
                why = r.get("pass_at_k_absent", {}).get(at, "not measured")
                absent.append(render.message("warn", f"{MODEL_NAMES[m]}: no pass@{at}, {why}"))
    head = "".join(f"<th>{MODEL_NAMES[m]}</th>" for m in models)
    cats = sorted({c for r in models.values() for c in r["categories"]})
    rows = "".join(
        f"<tr><td>{render.escape(c)}</td>"
        + "".join(
            f"<td>{_percent(r['categories'].get(c, {}).get('pass_at_1'))}</td>"
            for r in models.values()
        )
        + "</tr>"
        for c in cats
    )
    table = f"<table class='bench-table'><tr><th>category</th>{head}</tr>{rows}</table>"
    leaked = sorted({hit["id"] for hit in (data.get("leakage") or {}).get("near_duplicates", [])})
    if leaked:  # the run's training records hold near copies of these tasks' solutions
        note = (
            f"Leakage: the training data holds near copies of the solutions of {', '.join(leaked)}"
        )
        absent.append(render.message("warn", note))
    return render.totals(cards) + "".join(absent) + table + _examples_html(data["examples"])


def _examples_html(examples: dict) -> str:
    parts = []
    for title, key in (
        ("Best: fine-tuned passes, base does not", "best"),
        ("Worst: fine-tuned fails", "worst"),
    ):
        items = "".join(
            f"<details><summary>{render.escape(e['id'])} · {e['status']} (base: {e['base_status'] or '–'})</summary>"
            f"<div class='side-by-side'><pre>output:\n{render.escape(e['stdout'] or e['stderr'])}</pre>"
            f"<pre>expected:\n{render.escape(e['expected'])}</pre></div>"
            f"<pre>{render.escape(e['code'])}</pre></details>"
            for e in examples.get(key, [])
        )
        parts.append(f"<h4>{title}</h4>{items or '<p>none</p>'}")
    return "".join(parts)


def failure_figure(data: dict | None) -> go.Figure:
    """How the answers of each model ended: pass and each failure class, side by side."""
    if not data:
        return empty_figure("Run the task benchmark to see how answers fail")
    import plotly.graph_objects as go

    from core.evaluate.ahkbench import STATUSES

    fig = go.Figure(layout={"template": TEMPLATE, "barmode": "group", "height": 300})
    for i, (name, report) in enumerate(data["models"].items()):
        counts = [report["statuses"].get(s, 0) for s in STATUSES]
        fig.add_bar(x=list(STATUSES), y=counts, name=MODEL_NAMES[name], marker_color=PALETTE[i])
    fig.update_layout(title="Task benchmark: how the answers ended", yaxis_title="answers")
    return fig


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def metrics_figure(summary: dict | None) -> go.Figure:
    """A grouped bar per metric, base and fine-tuned side by side (shares in percent, chrF 0-100)."""
    title = "Base vs fine-tuned"
    overall = (summary or {}).get("overall") or {}
    if not overall:
        return empty_figure(title, "No evaluation yet")
    import plotly.graph_objects as go

    fig = go.Figure()
    for name in ("base", "finetuned"):
        if name not in overall:
            continue
        labels, values = [], []
        for key, label, scale in CHART_METRICS:
            value = overall[name].get(key)
            if value is not None:
                labels.append(label)
                values.append(round(value * scale, 1))
        fig.add_bar(
            name=MODEL_NAMES[name],
            x=labels,
            y=values,
            marker_color=COLOURS[name],
            text=values,
            textposition="outside",
            hovertemplate=f"{MODEL_NAMES[name]} · %{{x}}: %{{y}}<extra></extra>",
        )
    fig.update_layout(
        template=TEMPLATE, barmode="group", height=320, title={"text": title, "x": 0.01}
    )
    fig.update_yaxes(range=[0, 110], title_text="% (chrF: score)")
    return fig


def examples_table(rows: list[dict], worse_only: bool) -> pd.DataFrame:
    """The examples side by side; column # is the result index (for the detail view)."""
    picked = [r for r in rows if r.get("finetuned_worse") or not worse_only]
    records = [
        [
            row["index"],
            row["category"],
            _clip(row["prompt"]),
            _clip(row["reference"]),
            _clip(row["finetuned"]["output"]),
            _clip(row["base"]["output"]) if "base" in row else "",
            f"{_mark(row['finetuned'])} / {_mark(row.get('base'))}",
            f"{row['finetuned']['chrf']:.1f} / "
            + (f"{row['base']['chrf']:.1f}" if "base" in row else "–"),
            "yes" if row.get("finetuned_worse") else "",
        ]
        for row in picked
    ]
    return pd.DataFrame(records, columns=TABLE_COLUMNS)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"


def _mark(scores: dict | None) -> str:
    if not scores or scores.get("clean_v2") is None:
        return "–"
    return "✓" if scores["clean_v2"] else "✗"


def example_detail(rows: list[dict], index: int) -> str:
    """Reference and both answers of one prompt next to each other, with their scores."""
    row = next((r for r in rows if r["index"] == index), None)
    if row is None:
        return render.message("warn", "That example is no longer in the results.")
    items = [("reference", row["reference"])]
    for name in ("finetuned", "base"):
        if name in row:
            items.append((f"{MODEL_NAMES[name]} · {_score_line(row[name])}", row[name]["output"]))
    prompt = render.message("info", row["prompt"])
    return prompt + render.side_by_side(items)


def _score_line(scores: dict) -> str:
    parts = [f"chrF {scores['chrf']:.1f}", f"exact {scores['exact_match']:.0f}"]
    if scores.get("verdict") is not None:
        parts.append(f"{scores['verdict']}, {scores['errors']} errors")
    if scores.get("balance_problem"):
        parts.append(scores["balance_problem"])
    if scores.get("interpreter_ok") is not None:
        parts.append("loads" if scores["interpreter_ok"] else "AutoHotkey refuses it")
    return " · ".join(parts)


@dataclass
class EvalView:
    """What the tab shows for a run; `results` are the rows read (kept for the next tick)."""

    status: str
    totals: str
    figure: go.Figure
    table: pd.DataFrame
    log: str
    running: bool
    results: ev.Results


def refresh(
    workspace: Path, run_id: str | None, worse_only: bool, seen: ev.Results | None = None
) -> EvalView:
    """Everything the tab shows for a run. `seen` is the results shown last time: results.jsonl
    is read only when it changed."""
    if not run_id:
        note = render.message("info", "Pick a run to evaluate; train one in the Train tab first.")
        empty = ev.Results([])
        return EvalView(
            note, "", metrics_figure(None), examples_table([], worse_only), "", False, empty
        )
    run_dir = run_path(workspace, run_id)
    job, summary = last_job(workspace, run_id), ev.read_summary(run_dir)
    bench = ev.read_benchmark(run_dir)
    bench_stale = bench is not None and provenance.against(run_dir, bench.get("adapter")).stale
    results = ev.follow_results(run_dir, seen)
    return EvalView(
        status=status_note(job, summary) + stale_note(workspace, run_id, summary, "re-evaluate"),
        totals=totals_html(summary, bench, bench_stale),
        figure=metrics_figure(summary),
        table=examples_table(results.rows, worse_only),
        log=jobs.read_log(workspace, job.id, 6000) if job else "",
        running=job is not None and not job.finished,
        results=results,
    )


# ---------------------------------------------------------------- layout and wiring


def build(ctx: StudioContext) -> None:
    """The Evaluate tab."""
    with gr.Tab("Evaluate", id="evaluate", elem_id="tab-evaluate") as tab:
        gr.Markdown(
            "Generate answers to the held-out prompts with the fine-tuned model and the base model, "
            "and score them: **clean v2** (the checker finds valid AutoHotkey v2), "
            "**loads in AutoHotkey v2** (the real interpreter, when installed), balanced brackets "
            "and strings, exact match and chrF against the reference. **Task benchmark** asks "
            "both models the bundled AutoHotkey v2 tasks and runs each answer's code with the "
            "task's test in the real interpreter, sandboxed: pass@1 is the share that works; with "
            "k samples per task, pass@k is the chance that one of k answers works.",
            elem_classes="tab-intro",
        )
        ui = _layout(ctx)
        ui.tab = tab
        _wire(ctx, ui)


def _layout(ctx: StudioContext) -> SimpleNamespace:
    ui = SimpleNamespace(results=gr.State(ev.Results([])), timer=gr.Timer(2.0, active=False))
    with gr.Row(equal_height=True):
        ui.run = gr.Dropdown(
            [],
            label="Run",
            elem_id="eval-run",
            scale=4,
            info="runs of the workspace; a run needs an adapter (or a merged model)",
        )
        ui.split = gr.Dropdown(["test", "val"], value="test", label="Split", elem_id="eval-split")
        ui.limit = gr.Number(
            0,
            precision=0,
            minimum=0,
            label="Prompts (0 = all)",
            elem_id="eval-limit",
            info="the first N prompts; the task benchmark takes N tasks across the categories",
        )
        ui.max_new = gr.Slider(
            16, 2048, value=512, step=16, label="Max new tokens", elem_id="eval-max-new-tokens"
        )
        ui.compare = gr.Checkbox(True, label="Compare with the base model", elem_id="eval-compare")
    with gr.Row():
        ui.start = gr.Button("Evaluate", variant="primary", elem_id="eval-start", size="md")
        ui.stop = gr.Button("Stop", variant="stop", elem_id="eval-stop", size="md")
        ui.bench = gr.Button("Task benchmark", elem_id="eval-bench", size="md")
        ui.refresh = gr.Button("Refresh runs", elem_id="eval-refresh-runs", size="md")
    with gr.Row():
        ui.samples = gr.Number(
            1,
            precision=0,
            minimum=1,
            maximum=100,
            label="Samples per task (k)",
            elem_id="eval-bench-samples",
            info="task benchmark: answers asked per task; 1 gives pass@1, k > 1 also pass@k",
        )
        ui.temperature = gr.Slider(
            0.0,
            2.0,
            value=0.0,
            step=0.05,
            label="Temperature",
            elem_id="eval-bench-temperature",
            info="task benchmark: 0 = greedy; k > 1 needs a temperature above 0 (0.8 is usual)",
        )
    ui.bench_status = gr.HTML(elem_id="eval-bench-status")
    with gr.Row():
        ui.bench_html = gr.HTML(elem_id="eval-bench-results")
        ui.bench_plot = gr.Plot(elem_id="eval-bench-plot", show_label=False)
    ui.status = gr.HTML(elem_id="eval-status")
    ui.totals = gr.HTML(elem_id="eval-totals")
    ui.plot = gr.Plot(elem_id="eval-plot", show_label=False)  # drawn when the page loads
    ui.worse = gr.Checkbox(
        False,
        label="Only prompts where the fine-tuned model is worse than base",
        elem_id="eval-worse",
    )
    ui.table = gr.Dataframe(
        examples_table([], False),
        elem_id="eval-examples",
        interactive=False,
        wrap=True,
        max_height=420,
        label="Examples (click a row to compare in full)",
        column_widths=["4%", "9%", "17%", "17%", "17%", "17%", "7%", "7%", "5%"],
    )
    ui.detail = gr.HTML(elem_id="eval-detail")
    with gr.Accordion("Log", open=False):
        ui.log = gr.Textbox(lines=8, max_lines=8, show_label=False, elem_id="eval-log")
    return ui


def _wire(ctx: StudioContext, ui: SimpleNamespace) -> None:
    private = {"api_visibility": "private"}
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    views = [ui.status, ui.totals, ui.plot, ui.table, ui.log, ui.timer, ui.results]
    views += [ui.bench_status, ui.bench_html, ui.bench_plot]
    watch = [ui.run, ui.worse, ui.results]

    def show(run_id: str | None, worse_only: bool, seen: ev.Results | None) -> dict:
        v = refresh(ctx.workspace, run_id, worse_only, seen)
        bench_job = last_job(ctx.workspace, run_id, BENCH_KIND) if run_id else None
        running = v.running or (bench_job is not None and not bench_job.finished)
        bench_status, bench_html, bench_plot = benchmark_views(ctx.workspace, run_id)
        return {
            ui.status: v.status,
            ui.totals: v.totals,
            ui.plot: v.figure,
            ui.table: v.table,
            ui.log: v.log,
            ui.timer: gr.Timer(active=running),
            ui.results: v.results,
            ui.bench_status: bench_status,
            ui.bench_html: bench_html,
            ui.bench_plot: bench_plot,
        }

    @render.guard("Task benchmark")
    def on_bench(run_id, limit, max_new, compare, samples, temperature, worse_only, seen) -> dict:
        start_benchmark(ctx.workspace, run_id, limit, max_new, compare, samples, temperature)
        return show(run_id, worse_only, seen)

    @render.guard("Evaluate")
    def on_start(run_id, split, limit, max_new, compare, worse_only, seen) -> dict:
        start_evaluation(ctx.workspace, run_id, split, limit, max_new, compare)
        return show(run_id, worse_only, seen)

    def on_select(seen: ev.Results, evt: gr.SelectData) -> str:
        if evt.index is None:
            return ""
        return example_detail(seen.rows, int(evt.row_value[0]))  # the rows the table shows

    def picker(run_id: str | None) -> gr.Dropdown:
        choices = render.run_choices(ctx.workspace)
        return render.run_picker(choices, run_id, default_run(ctx.workspace, choices))

    def on_load(worse_only: bool) -> dict:
        choices = render.run_choices(ctx.workspace)
        run_id = render.pick_run(choices, None, default_run(ctx.workspace, choices))
        return {
            ui.run: gr.Dropdown(choices=choices, value=run_id),
            **show(run_id, worse_only, None),
        }

    guarded_show = render.guard("Evaluate")(show)
    render.on_page_load(render.guard("Evaluate")(on_load), [ui.run, *views], ui.worse)
    inputs = [ui.run, ui.split, ui.limit, ui.max_new, ui.compare, ui.worse, ui.results]
    # a start that fails leaves its error in the status line of what it started
    ui.start.click(render.settled(on_start, ui.status), inputs, views, **private)
    bench_inputs = [ui.run, ui.limit, ui.max_new, ui.compare, ui.samples, ui.temperature]
    bench_inputs += [ui.worse, ui.results]
    ui.bench.click(render.settled(on_bench, ui.bench_status), bench_inputs, views, **private)
    on_stop = render.guard("Stop")(lambda run_id: stop_evaluation(ctx.workspace, run_id))
    ui.stop.click(render.settled(on_stop, ui.status), ui.run, ui.status, **private)
    # Runs trained since the page opened show up on Refresh and when the tab is opened.
    gr.on(
        [ui.refresh.click, ui.tab.select],
        render.guard("Refresh runs")(picker),
        ui.run,
        ui.run,
        **quiet,
    )
    ui.run.change(guarded_show, watch, views, **quiet)
    ui.worse.change(guarded_show, watch, views, **quiet)
    ui.timer.tick(guarded_show, watch, views, **quiet)
    ui.table.select(render.guard("Example")(on_select), ui.results, ui.detail, **quiet)
