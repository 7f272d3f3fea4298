"""Train tab: the config form (studio.forms, from core.train.config's schema), the plan before
start, and runs started, watched, stopped and resumed through core.train.runs.

Training is a child process (core.train.runs), and the backend check asks torch in a child too
(core.train.backends.gpu_count): the studio process never imports it. The live plot reads
metrics.jsonl from the byte offset it reached last (kept per browser session in gr.State), so
each tick costs only what is new; a reload starts from 0 and recovers everything from the run
folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from core.errors import StudioError
from core.jobs import read_tail
from core.train import backends, run_folder, runs
from core.train.config import (
    PRESETS,
    SCHEMA,
    Problem,
    TrainConfig,
    check_values,
    config_values,
    load_config,
    load_values,
    resolve_path,
)
from core.train.duration import estimate_duration
from core.train.estimate import estimate_memory, planned_steps
from core.train.fit import check_fit
from core.train.inputs import read_conversations
from core.workspace import REPO_ROOT
from studio import plots, render
from studio.context import StudioContext
from studio.forms import (
    apply_preset,
    build_form,
    config_files,
    field_by_name,
    field_updates,
    form_config,
    group_updates,
    preset_html,
    problems_html,
    read_form,
    save_form,
)
from studio.tabs import picker

if TYPE_CHECKING:  # plotly loads with the first figure, not with the studio
    import plotly.graph_objects as go

BACKEND_KEYS = ("backend", "load_in_4bit")
HARDWARE_KEYS = tuple(k for k in SCHEMA if k.startswith("hardware."))  # rechecked as they change
TICK_S = 2.0
RUN_COLUMNS = ["run", "state", "started", "backend", "step", "loss", "eval loss", "adapter"]
CHECKPOINT_COLUMNS = ["checkpoint", "step", "saved", "size"]


# ---------------------------------------------------------------- the plan before start


_examples_cache: dict[tuple, list] = {}


def dataset_conversations(path: Path) -> list[list[dict[str, str]]]:
    """The conversations of a Harmony JSONL file (checked like the trainer does; cached by mtime)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _examples_cache:
        _examples_cache.clear()
        _examples_cache[key] = read_conversations(path)
    return _examples_cache[key]


def dataset_size(path: Path) -> int:
    """Conversations in a Harmony JSONL file."""
    return len(dataset_conversations(path))


def human_count(n: int) -> str:
    """1234567 -> '1.2M'."""
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return str(n)


def plan_html(cfg: TrainConfig, workspace: Path) -> str:
    """Before start: estimated peak memory (for the backend that would run) and whether it fits
    the device's free memory, trainable parameters and their share, the steps."""
    notes: list[str] = []
    stats: list[tuple[str, str | int, str]] = []
    try:
        backend = backends.choose_backend(cfg).name
    except StudioError:
        backend = None  # the backend note says why
    try:
        est = estimate_memory(cfg, workspace, backend)
    except StudioError as err:
        est = None
        notes.append(render.message("warn", str(err)))
    if est is not None and backend is not None:
        fit = check_fit(cfg, workspace, backend)
        kind = {"fits": "ok", "tight": "warn", "too big": "error"}.get(fit.verdict, "info")
        notes.append(render.message(kind, f"{backend}: {fit.message}", fit.hint or None))
    if est is not None:
        share = est.trainable_params / max(est.total_params, 1)
        stats.append(("estimated peak memory", render.human_size(est.total), ""))
        label = f"trainable parameters · {share:.2%}"
        stats.append((label, human_count(est.trainable_params), ""))
    data = resolve_path(cfg.training.dataset_path, workspace)
    try:
        examples = dataset_size(data)
        steps = planned_steps(cfg, examples)
        stats.append(("training examples", examples, ""))
        stats.append(("optimisation steps", steps, ""))
        stats.append(("examples per step", _global_batch(cfg), ""))
        took = estimate_duration(
            cfg, workspace, backend or "cpu", dataset_conversations(data), steps
        )
        if took is not None:
            stats.append((f"estimated time · {took.source}", _duration(took.seconds), ""))
    except (OSError, StudioError) as err:
        why = "not built yet" if isinstance(err, OSError) else str(err)
        notes.append(
            render.message("warn", f"dataset {data}: {why}", "build it in the Dataset tab first")
        )
        if cfg.training.max_steps > 0:
            stats.append(("optimisation steps", cfg.training.max_steps, ""))
    parts = [render.totals(stats)] if stats else []
    if est is not None:
        breakdown = " · ".join(
            f"{part} {render.human_size(getattr(est, part))}"
            for part in ("weights", "adapter", "optimizer", "activations", "overhead")
        )
        if est.offloaded:
            breakdown += f" · in CPU memory {render.human_size(est.offloaded)}"
        if cfg.hardware.world_size > 1:
            breakdown = f"each of {cfg.hardware.world_size} processes: {breakdown}"
        parts.append(
            f'<div class="plan-notes">{escape(breakdown)}<br>{escape("; ".join(est.notes))}</div>'
        )
    return "".join(parts + notes)


def _global_batch(cfg: TrainConfig) -> str:
    """Processes × batch × accumulation, in words: '2 × 4 × 1 = 8'."""
    t, world = cfg.training, cfg.hardware.world_size
    total = world * t.per_device_train_batch_size * t.gradient_accumulation_steps
    return f"{world} × {t.per_device_train_batch_size} × {t.gradient_accumulation_steps} = {total}"


def backend_html(cfg: TrainConfig) -> str:
    """The backend a run of `cfg` would use and why (and where its processes run), or why none
    can run."""
    try:
        chosen = backends.choose_backend(cfg)
    except StudioError as err:
        where = f"{err.where}: " if err.where else ""
        return render.message("error", f"backend: {where}{err.message}", err.hint)
    gpus = backends.gpu_count()
    hw = cfg.hardware
    where = "on the CPU (gloo)" if chosen.on_cpu else f"on {hw.processes} of {gpus} GPUs"
    machines = f" on each of {hw.machines} machines" if hw.machines > 1 else ""
    processes = f"{hw.processes} process{'es' * (hw.processes > 1)} ({hw.strategy}){machines}"
    found = f"this machine has {gpus} CUDA GPU{'s' * (gpus != 1)}"
    return render.message(
        "ok", f"backend {chosen.name} · {processes} {where}", f"{chosen.reason}; {found}"
    )


def shell_commands(
    config_file: Path, run_name: str, workspace: Path, unsaved: bool, cfg: TrainConfig | None = None
) -> str:
    """The command lines that start the same run from a shell, as the form's hardware says: one
    per machine (core.train starts accelerate launch itself)."""
    hw = (cfg or TrainConfig()).hardware
    run_dir = _shown_path(workspace / "runs" / (run_name or Path(config_file).stem))
    args = f"--config {_shown_path(Path(config_file))} --run-dir {run_dir}"
    if Path(workspace).resolve() != (REPO_ROOT / "workspace").resolve():
        args += f" --workspace {_shown_path(workspace)}"
    args += f" --processes {hw.processes} --strategy {hw.strategy}"
    lines = ["# from the project folder"]
    if hw.machines == 1:
        lines.append(f"python -m core.train {args}")
    for rank in range(hw.machines if hw.machines > 1 else 0):
        where = "the main machine" if rank == 0 else f"machine {rank}"
        lines += [f"# on {where}", f"python -m core.train {args} --machine-rank {rank}"]
    if unsaved:
        lines.insert(0, "# the form has changes that are not in this file: Save them first\n")
    return "\n".join(lines)


def _shown_path(path: Path) -> str:
    """A path relative to the project folder when it lies inside it."""
    try:
        return Path(path).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def is_unsaved(config_file: str | Path, cfg: TrainConfig) -> bool:
    """True when the form's config differs from what the file holds (or the file is unreadable)."""
    try:
        return load_config(config_file) != cfg
    except StudioError:
        return True


def start_training(
    ctx: StudioContext, values: dict[str, Any], name: str, config_file: str, force: bool
) -> str:
    """Check the form and start a run (core.train.runs.start_run); its id."""
    name = (name or "").strip() or Path(config_file or "run").stem
    return runs.start_run(ctx.workspace, form_config(values), name, bool(force))


def stop_training(workspace: Path, run_id: str | None) -> str:
    """Ask the run to stop: it checkpoints at the end of the current step, then ends."""
    status = runs.stop_run(_run_dir(workspace, run_id))
    if status.get("state") == "stopping":
        return render.message("info", f"Stopping {run_id}: it saves a checkpoint, then ends.")
    return render.message("info", f"{run_id} is not training ({status.get('state')}).")


def resume_training(
    workspace: Path, run_id: str | None, checkpoint: str, more_epochs: float, more_steps: float
) -> str:
    """Continue a run from a checkpoint, optionally for more epochs or steps (core refuses a
    completed run without more of either, and a run whose data or config changed)."""
    run_dir = _run_dir(workspace, run_id)
    chosen = None if checkpoint in (None, "", "last") else checkpoint
    runs.resume_run(
        run_dir,
        chosen,
        more_epochs=float(more_epochs or 0) or None,
        more_steps=int(more_steps or 0) or None,
    )
    return render.message("ok", f"Resumed {run_id} from {chosen or 'its last checkpoint'}.")


def _run_dir(workspace: Path, run_id: str | None) -> Path:
    if not run_id:
        raise StudioError("pick a run first", hint="start one in Set up, or pick one in Runs")
    return run_folder.run_path(workspace, run_id)


# ---------------------------------------------------------------- watching runs


def default_run(workspace: Path) -> str | None:
    """The run to show when the page opens: one that trains, else the newest."""
    infos = run_folder.list_runs(workspace)
    active = [i for i in infos if i.state in run_folder.ACTIVE]
    chosen = active or infos
    return chosen[0].id if chosen else None


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m" if hours else f"{rest // 60}m {rest % 60:02d}s"


STATE_KIND = {
    "running": "info",
    "stopping": "warn",
    "stopped": "warn",
    "failed": "error",
    "completed": "ok",
}


def progress_html(run_id: str, status: dict, rows: list[dict]) -> str:
    """State, a progress bar, step, epoch, tokens/s, ETA and losses of a run."""
    state = status.get("state", "unknown")
    step, total = status.get("step") or 0, status.get("max_steps") or 0
    losses = [r for r in rows if r.get("loss") is not None]
    evals = [r for r in rows if r.get("eval_loss") is not None]
    last = losses[-1] if losses else {}
    share = min(step / total, 1.0) if total else 0.0
    eta = last.get("eta") if state == "running" else None
    stats = [
        ("step", f"{step} / {total or '?'}", ""),
        ("epoch", f"{status.get('epoch') or last.get('epoch') or 0:.2f}", ""),
        (
            "tokens / s",
            f"{last['tokens_per_second']:,.0f}" if last.get("tokens_per_second") else "–",
            "",
        ),
        ("ETA", _duration(eta) if eta is not None else "–", ""),
        ("elapsed", _duration(last.get("elapsed")), ""),
        ("loss", f"{last['loss']:.4f}" if last else "–", ""),
        ("eval loss", f"{evals[-1]['eval_loss']:.4f}" if evals else "–", ""),
    ]
    backend = status.get("backend")
    why = f"backend {backend}: {status.get('backend_reason', '')}" if backend else "starting…"
    if (status.get("world_size") or 1) > 1:
        pids = ", ".join(str(r["pid"]) for r in status.get("ranks") or [])
        why += f"; {status['world_size']} processes ({status.get('strategy')})"
        why += f", pids {pids}" if pids else ""
    notes = "; ".join(status.get("notes") or [])
    if state == "completed":  # why Resume is greyed out until more is asked for
        why += "; it did all its steps: give more epochs or steps below to train it further"
    head = render.message(
        STATE_KIND.get(state, "info"),
        f"{run_id}: {state} · {len(losses)} logged steps",
        why + (f" ({notes})" if notes else ""),
    )
    bar = (
        f'<div class="run-progress" title="{share:.0%}"><div style="width:{share * 100:.1f}%">'
        "</div></div>"
    )
    error = ""
    if state == "failed" and status.get("error"):
        tail = "\n".join(status.get("error_tail") or [])
        error = render.message("error", status["error"], "see the log below for details")
        error += (
            f"<details><summary>last lines</summary><pre>{escape(tail)}</pre></details>"
            * bool(tail)
        )
    return head + bar + render.totals(stats) + error


def figures(
    watched: dict, shown: list[str], log_y: bool, smoothing: float
) -> tuple[go.Figure, ...]:
    """The loss plot (the selected run and any compared with it), learning rate and grad norm."""
    series = {run_id: watched[run_id]["rows"] for run_id in shown if run_id in watched}
    rows = series.get(shown[0], []) if shown else []
    return (
        plots.loss_figure(series, smoothing=smoothing, log_y=log_y, title="Loss"),
        plots.metric_figure(rows, "learning_rate", "Learning rate"),
        plots.metric_figure(rows, "grad_norm", "Gradient norm", log_y=log_y),
    )


def empty_figures() -> tuple[go.Figure, go.Figure, go.Figure]:
    return (
        plots.empty_figure("Loss", "Pick a run, or start one in Set up"),
        plots.empty_figure("Learning rate", "No run"),
        plots.empty_figure("Gradient norm", "No run"),
    )


def log_tail(run_dir: Path, max_bytes: int = 12_000) -> str:
    """The end of the run's train.log."""
    log = run_dir / run_folder.LOG
    return read_tail(log, max_bytes) if log.is_file() else ""


def _log_stamp(run_dir: Path) -> tuple[int, int] | None:
    """(size, mtime) of the run's train.log: a log with the same stamp shows the same tail."""
    try:
        stat = (run_dir / run_folder.LOG).stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


@dataclass
class MonitorView:
    """What the monitor shows for a run; a figure or log of None means 'unchanged, leave it'."""

    watched: dict
    progress: str
    loss: go.Figure | None
    learning_rate: go.Figure | None
    grad_norm: go.Figure | None
    log: str | None
    checkpoints: list[str]
    state: str | None = None  # what status.json says, read once with everything above

    @property
    def active(self) -> bool:
        """The run is training or stopping."""
        return self.state in run_folder.ACTIVE

    @property
    def completed(self) -> bool:
        """The run did all its steps: resuming needs more epochs or steps."""
        return self.state == "completed"


def monitor(
    workspace: Path,
    run_id: str | None,
    compare: list[str] | None,
    watched: dict | None,
    log_y: bool = False,
    smoothing: float = 0.8,
    redraw: bool = True,
) -> MonitorView:
    """Read what is new for the run (and the runs compared with it) and render it: the status
    once per run, the checkpoints only when the run's state or step moved, the log only when it
    grew (or on a redraw)."""
    if not run_id:
        note = render.message("info", "No run selected: start one in Set up, or pick one above.")
        return MonitorView({}, note, *empty_figures(), "", [])
    shown = [run_id, *[r for r in compare or [] if r != run_id]]
    fresh, changed, statuses = run_folder.follow_metrics(workspace, watched or {}, shown)
    run_dir, status, entry = run_folder.run_path(workspace, run_id), statuses[run_id], fresh[run_id]
    mark = [status.get(key) for key in ("state", "step", "launched")]
    if entry.get("checkpoints_at") != mark:
        entry["checkpoints"] = [c.path.name for c in run_folder.list_checkpoints(run_dir)]
        entry["checkpoints_at"] = mark
    log, stamp = None, _log_stamp(run_dir)
    if redraw or "log_at" not in entry or entry["log_at"] != stamp:
        log, entry["log_at"] = log_tail(run_dir), stamp
    figs = figures(fresh, shown, log_y, smoothing) if (changed or redraw) else (None,) * 3
    return MonitorView(
        watched=fresh,
        progress=progress_html(run_id, status, entry["rows"]),
        loss=figs[0],
        learning_rate=figs[1],
        grad_norm=figs[2],
        log=log,
        checkpoints=entry["checkpoints"],
        state=status.get("state"),
    )


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp)) if stamp else ""


def runs_table(workspace: Path) -> pd.DataFrame:
    """Every run with its state, progress and last losses, newest first."""
    rows = []
    for info in run_folder.list_runs(workspace):
        evals = [r for r in run_folder.read_metrics(info.path)[0] if r.get("eval_loss") is not None]
        rows.append(
            [
                info.id,
                info.state,
                _when(info.started),
                info.backend or "",
                f"{info.step or 0} / {info.max_steps or '?'}",
                round(info.last["loss"], 4) if info.last.get("loss") is not None else None,
                round(evals[-1]["eval_loss"], 4) if evals else None,
                "yes" if info.has_adapter else "",
            ]
        )
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def checkpoints_table(workspace: Path, run_id: str | None) -> pd.DataFrame:
    """The run's checkpoints: name, step, when saved, size on disk."""
    if not run_id:
        return pd.DataFrame([], columns=CHECKPOINT_COLUMNS)
    rows = []
    for cp in run_folder.list_checkpoints(_run_dir(workspace, run_id)):
        size = sum(f.stat().st_size for f in cp.path.rglob("*") if f.is_file())
        saved = (cp.path / "trainer_state.json").stat().st_mtime
        rows.append([cp.path.name, cp.step, _when(saved), render.human_size(size)])
    return pd.DataFrame(rows, columns=CHECKPOINT_COLUMNS)


# ---------------------------------------------------------------- layout


def build(ctx: StudioContext) -> None:
    """The Train tab."""
    with gr.Tab("Train", id="train", elem_id="tab-train"):
        gr.Markdown(
            "Fine-tune the base model with a LoRA adapter. Pick a **preset** or set the fields, "
            "check the plan on the right, then **Start**: the run trains in its own process, so "
            "it goes on if you close the page. **Monitor** shows it live; **Runs** lists them all.",
            elem_classes="tab-intro",
        )
        ui = SimpleNamespace(
            watched=gr.State({}), run_state=gr.State(None), timer=gr.Timer(TICK_S, active=False)
        )
        with gr.Tabs(elem_id="train-sections") as ui.sections:
            with gr.Tab("Set up", id="setup", elem_id="train-tab-setup"):
                _setup_panel(ui, ctx)
            with gr.Tab("Monitor", id="monitor", elem_id="train-tab-monitor"):
                _monitor_panel(ui)
            with gr.Tab("Runs", id="runs", elem_id="train-tab-runs") as ui.runs_tab:
                _runs_panel(ui)
    _wire_setup(ui, ctx)
    _wire_monitor(ui, ctx)
    _wire_runs(ui, ctx)


def _setup_panel(ui: SimpleNamespace, ctx: StudioContext) -> None:
    with gr.Row(equal_height=True):
        with gr.Column(scale=4, variant="panel"):
            ui.preset = gr.Radio(
                [(p.label, key) for key, p in PRESETS.items()],
                label="Preset",
                info="fills the form below; you can still change any field",
                elem_id="train-preset",
            )
            ui.preset_note = gr.HTML(preset_html(None), elem_id="train-preset-note")
        with gr.Column(scale=3, variant="panel"):
            with gr.Row(equal_height=True, elem_classes="compact-row"):
                ui.config_file = gr.Dropdown(
                    [],
                    label="Config file",
                    info=f"the configs in {_shown_path(ctx.config_dir)}/",
                    elem_id="train-config-file",
                    scale=3,
                )
                ui.load = gr.Button("Load", elem_id="train-load", size="md", scale=1, min_width=80)
            with gr.Row(equal_height=True, elem_classes="compact-row"):
                ui.save_name = gr.Textbox(
                    label="Save the form as",
                    placeholder="my-config",
                    elem_id="train-save-name",
                    max_lines=1,
                    scale=2,
                )
                ui.overwrite = gr.Checkbox(
                    label="Overwrite", elem_id="train-overwrite", scale=1, min_width=100
                )
                ui.save = gr.Button("Save", elem_id="train-save", size="md", scale=1, min_width=80)
            ui.file_note = gr.HTML(elem_id="train-file-note")
    ui.picker = picker.build(ctx)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            ui.fields, ui.groups = build_form()
        with gr.Column(scale=2):
            _plan_panel(ui)


def _plan_panel(ui: SimpleNamespace) -> None:
    gr.Markdown("#### Before you start")
    ui.problems = gr.HTML(elem_id="train-problems")
    ui.plan = gr.HTML(elem_id="train-plan", css_template=PLAN_CSS)
    ui.backend = gr.HTML(
        render.message("info", "Checking which backend this machine can run…"),
        elem_id="train-backend",
    )
    with gr.Row(equal_height=True, elem_classes="compact-row"):
        ui.run_name = gr.Textbox(
            label="Run name",
            placeholder="e.g. cpu-demo",
            elem_id="train-run-name",
            max_lines=1,
            scale=3,
            info="the run folder is workspace/runs/<date>-<name>",
        )
        ui.force = gr.Checkbox(label="Allow a second run at once", elem_id="train-force", scale=2)
    ui.start = gr.Button("Start training", variant="primary", elem_id="train-start")
    ui.start_note = gr.HTML(elem_id="train-start-note")
    ui.command = gr.Code(
        label="The same run from a shell",
        language="shell",
        interactive=False,
        elem_id="train-command",
        lines=4,
        wrap_lines=True,
        show_line_numbers=False,
    )


def _monitor_panel(ui: SimpleNamespace) -> None:
    with gr.Row(equal_height=True, elem_classes="compact-row"):
        ui.run = gr.Dropdown([], label="Run", elem_id="train-run", scale=4)
        ui.refresh = gr.Button("Refresh", elem_id="train-refresh", size="md", scale=1)
        ui.stop = gr.Button(
            "Stop", variant="stop", elem_id="train-stop", size="md", scale=1, interactive=False
        )
    ui.run_note = gr.HTML(elem_id="train-run-note")
    ui.progress = gr.HTML(elem_id="train-progress", css_template=PROGRESS_CSS)
    _plots_panel(ui)  # the plots right under the run, in view on a laptop screen
    _resume_row(ui)
    _log_box(ui)


def _resume_row(ui: SimpleNamespace) -> None:
    with gr.Row(equal_height=True, elem_classes="compact-row"):
        ui.checkpoint = gr.Dropdown(
            ["last"],
            value="last",
            label="Resume from",
            elem_id="train-resume-checkpoint",
            scale=2,
            info="later checkpoints are set aside, with their metrics",
        )
        ui.more_epochs = gr.Number(
            0,
            label="More epochs",
            minimum=0,
            elem_id="train-more-epochs",
            scale=1,
            info="for a finished run",
        )
        ui.more_steps = gr.Number(
            0,
            label="More steps",
            minimum=0,
            precision=0,
            elem_id="train-more-steps",
            scale=1,
            info="for a finished run",
        )
        ui.resume = gr.Button(
            "Resume", elem_id="train-resume", size="md", scale=1, interactive=False
        )


def _plots_panel(ui: SimpleNamespace) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=4):
            ui.loss_plot = gr.Plot(show_label=False, elem_id="train-loss-plot")
        with gr.Column(scale=1, min_width=220):
            ui.log_y = gr.Checkbox(label="Log scale", elem_id="train-log-scale")
            ui.smoothing = gr.Slider(
                0,
                0.99,
                value=0.8,
                step=0.01,
                label="Smoothing",
                elem_id="train-smoothing",
                info="of the training loss (0: raw)",
            )
            ui.compare = gr.Dropdown(
                [],
                multiselect=True,
                label="Compare with",
                elem_id="train-compare",
                info="overlay the loss of other runs",
            )
    with gr.Row():
        ui.lr_plot = gr.Plot(show_label=False, elem_id="train-lr-plot")
        ui.grad_plot = gr.Plot(show_label=False, elem_id="train-grad-plot")


def _log_box(ui: SimpleNamespace) -> None:
    with gr.Accordion("Log", open=True, elem_id="train-log-box"):
        ui.log = gr.Textbox(
            lines=10, max_lines=10, show_label=False, autoscroll=True, elem_id="train-log"
        )


def _runs_panel(ui: SimpleNamespace) -> None:
    with gr.Row():
        ui.runs_refresh = gr.Button("Refresh", elem_id="train-runs-refresh", size="md")
    ui.runs = gr.Dataframe(
        pd.DataFrame([], columns=RUN_COLUMNS),
        interactive=False,
        label="Runs (click one to watch it in Monitor)",
        elem_id="train-runs",
        max_height=360,
    )
    ui.checkpoints = gr.Dataframe(
        pd.DataFrame([], columns=CHECKPOINT_COLUMNS),
        interactive=False,
        label="Checkpoints of the selected run",
        elem_id="train-checkpoints",
        max_height=260,
    )


PLAN_CSS = (
    ".plan-notes { font-size: 12px; color: var(--body-text-color-subdued); margin: 4px 2px; }"
)
PROGRESS_CSS = """
.run-progress { height: 8px; border-radius: 4px; background: var(--border-color-primary);
  overflow: hidden; margin: 6px 0; }
.run-progress > div { height: 100%; background: var(--color-accent); transition: width .5s; }
pre { font-size: 12px; max-height: 240px; overflow: auto; }
"""


# ---------------------------------------------------------------- handlers (plain functions)


def plan_outputs(
    ui: SimpleNamespace, ctx: StudioContext, values: dict, config_file: str, run_name: str
) -> dict:
    """The problems, the plan and the shell command for the form's values."""
    cfg, problems = check_values(values)
    unsaved = cfg is None or not config_file or is_unsaved(config_file, cfg)
    command = shell_commands(
        Path(config_file or ctx.config_path), run_name, ctx.workspace, unsaved, cfg
    )
    if cfg is None:
        return {ui.problems: problems_html(problems), ui.plan: "", ui.command: command}
    return {ui.problems: "", ui.plan: plan_html(cfg, ctx.workspace), ui.command: command}


def fields_shown(ui: SimpleNamespace, values: dict | None, problems: list[Problem]) -> dict:
    """Every field (its value when given, help and problem)."""
    return dict(zip(ui.fields, field_updates(values, problems), strict=True))


def fill_outputs(
    ui: SimpleNamespace,
    ctx: StudioContext,
    values: dict,
    config_file: str,
    run_name: str,
    problems: list[Problem] | None = None,
) -> dict:
    """Every field (value, help, problem), the groups, the problems and the plan, for values put
    into the form; `problems` are those of the file they came from (unknown keys too), else the
    form's."""
    problems = check_values(values)[1] if problems is None else problems
    return {
        **fields_shown(ui, values, problems),
        **dict(zip(ui.groups, group_updates(problems), strict=True)),
        **plan_outputs(ui, ctx, values, config_file, run_name),
        ui.problems: problems_html(problems),
    }


def load_outputs(ui: SimpleNamespace, ctx: StudioContext, config_file: str, run_name: str) -> dict:
    """The note, the fields and the plan after loading a config file into the form."""
    values, problems = load_values(_listed(ctx, config_file))
    name = Path(config_file).name
    note = (
        render.message("warn", f"Loaded {name}, which has problems: see the fields marked ⚠.")
        if problems
        else render.message("ok", f"Loaded {name}.")
    )
    return {ui.file_note: note, **fill_outputs(ui, ctx, values, config_file, run_name, problems)}


def edit_outputs(
    ui: SimpleNamespace, ctx: StudioContext, config_file: str, run_name: str, values: dict
) -> dict:
    """The fields' helps and the plan after a field was edited: problems shown where they are
    (its group is open: the field was just edited)."""
    problems = check_values(values)[1]
    return {
        **fields_shown(ui, None, problems),
        **plan_outputs(ui, ctx, values, config_file, run_name),
    }


def save_outputs(
    ui: SimpleNamespace, ctx: StudioContext, name: str, overwrite: bool, run_name: str, values: dict
) -> dict:
    """The note, the config file list and the plan after saving the form to config/<name>.yaml."""
    path = save_form(ctx.config_dir, name, values, overwrite)
    choices = config_files(ctx.config_dir, ctx.config_path)
    return {
        ui.file_note: render.message("ok", f"Saved {_shown_path(path)}."),
        ui.config_file: gr.Dropdown(choices=choices, value=str(path)),
        **plan_outputs(ui, ctx, values, str(path), run_name),
    }


def _listed(ctx: StudioContext, config_file: str | None) -> Path:
    """The chosen config file, refused unless it is one the dropdown offers."""
    offered = [p for _, p in config_files(ctx.config_dir, ctx.config_path)]
    if not config_file or config_file not in offered:
        raise StudioError("pick a config file from the list")
    return Path(config_file)


def _backend_of(config_file: Path) -> str:
    """The backend note for a config file (when the page opens)."""
    try:
        return backend_outputs(config_values(load_config(config_file)))
    except StudioError as err:
        return render.message("warn", f"Backend not checked: {err}")


def backend_outputs(values: dict) -> str:
    """The backend note for the form's config."""
    cfg = check_values(values)[0]
    if cfg is None:
        return render.message("warn", "Backend not checked: the form has problems.")
    return backend_html(cfg)


def monitor_outputs(
    ui: SimpleNamespace,
    ctx: StudioContext,
    run_id,
    compare,
    watched,
    log_y,
    smoothing,
    more_epochs: float | None = None,
    more_steps: float | None = None,
    *,
    redraw: bool = True,
    picked: bool = False,
) -> dict:
    """The monitor's components: watch state, progress, three plots, log, timer, buttons
    (Resume as the extra epochs/steps asked for allow; a newly `picked` run resumes from its
    last checkpoint unless another is chosen)."""
    view = monitor(ctx.workspace, run_id, compare, watched, log_y, smoothing, redraw)
    figures = (
        (ui.loss_plot, view.loss),
        (ui.lr_plot, view.learning_rate),
        (ui.grad_plot, view.grad_norm),
    )
    checkpoints = ["last", *view.checkpoints]
    return {
        ui.watched: view.watched,
        ui.progress: view.progress,
        **{plot: gr.skip() if figure is None else figure for plot, figure in figures},
        ui.log: gr.skip() if view.log is None else view.log,
        ui.timer: gr.Timer(active=view.active),
        ui.run_state: view.state,
        ui.stop: gr.Button(interactive=view.active),
        ui.resume: gr.Button(
            interactive=bool(run_id) and can_resume_run(view, more_epochs, more_steps)
        ),
        ui.checkpoint: gr.Dropdown(choices=checkpoints, value="last")
        if picked
        else gr.Dropdown(choices=checkpoints),
    }


def can_resume_run(view: MonitorView, more_epochs: float | None, more_steps: float | None) -> bool:
    """Resume is offered for an idle run with a checkpoint, and for a completed one only once
    more epochs or steps are asked for."""
    more = bool(more_epochs or more_steps)
    return not view.active and bool(view.checkpoints) and (more or not view.completed)


def resume_button(ctx: StudioContext, run_id: str | None, more_epochs, more_steps):
    """The Resume button as the run and the extra epochs/steps allow."""
    if not run_id:
        return gr.Button(interactive=False)
    view = monitor(ctx.workspace, run_id, [], {}, redraw=False)
    return gr.Button(interactive=can_resume_run(view, more_epochs, more_steps))


def run_pickers(ui: SimpleNamespace, ctx: StudioContext, selected: str | None) -> dict:
    """The run dropdown (with `selected`) and the compare dropdown, with the current runs."""
    choices = render.run_choices(ctx.workspace)
    return {
        ui.run: gr.Dropdown(choices=choices, value=selected),
        ui.compare: gr.Dropdown(choices=choices),
    }


# ---------------------------------------------------------------- wiring


PRIVATE = {"api_visibility": "private"}
QUIET = {"api_visibility": "private", "show_progress": "hidden"}


def _wire_setup(ui: SimpleNamespace, ctx: StudioContext) -> None:
    form_outputs = [*ui.fields, *ui.groups, ui.problems, ui.plan, ui.command]

    def on_page(run_name: str) -> dict:
        current = str(ctx.config_path)
        picked = gr.Dropdown(choices=config_files(ctx.config_dir, ctx.config_path), value=current)
        return {ui.config_file: picked, **load_outputs(ui, ctx, current, run_name)}

    def on_preset(name: str, config_file: str, run_name: str, *values) -> dict:
        filled = apply_preset(read_form(values), name)
        return {
            ui.preset_note: preset_html(name),
            **fill_outputs(ui, ctx, filled, config_file, run_name),
        }

    def on_edit(config_file: str, run_name: str, *values) -> dict:
        return edit_outputs(ui, ctx, config_file, run_name, read_form(values))

    render.on_page_load(
        render.guard("Load config")(on_page),
        [ui.config_file, ui.file_note, *form_outputs],
        ui.run_name,
    )
    render.on_page_load(render.guard("Backend")(lambda: _backend_of(ctx.config_path)), ui.backend)
    ui.load.click(
        render.guard("Load config")(lambda f, r: load_outputs(ui, ctx, f, r)),
        [ui.config_file, ui.run_name],
        [ui.file_note, *form_outputs],
        **PRIVATE,
    )
    ui.preset.input(
        render.guard("Preset")(on_preset),
        [ui.preset, ui.config_file, ui.run_name, *ui.fields],
        [ui.preset_note, *form_outputs],
        **QUIET,
    )
    ui.save.click(
        render.guard("Save config")(
            lambda n, o, r, *v: save_outputs(ui, ctx, n, o, r, read_form(v))
        ),
        [ui.save_name, ui.overwrite, ui.run_name, *ui.fields],
        [ui.file_note, ui.config_file, ui.problems, ui.plan, ui.command],
        **PRIVATE,
    )
    typed = [f for f in [*ui.fields, ui.run_name] if isinstance(f, gr.Textbox | gr.Number)]
    gr.on(  # checked as you type and when you leave a box (not on loads: those check themselves)
        [
            *(f.input for f in [*ui.fields, ui.run_name]),
            *(f.blur for f in typed),
            *(f.submit for f in typed),
        ],
        render.guard("Check config")(on_edit),
        [ui.config_file, ui.run_name, *ui.fields],
        [*ui.fields, ui.problems, ui.plan, ui.command],
        trigger_mode="always_last",
        **QUIET,
    )
    picker.wire(ui.picker, ctx, ui.fields, read_form, field_by_name, [ui.plan, ui.command]).then(
        render.guard("Check config")(on_edit),
        [ui.config_file, ui.run_name, *ui.fields],
        [*ui.fields, ui.problems, ui.plan, ui.command],
        **QUIET,
    )
    switches: list[Any] = [field_by_name(ui.fields, k) for k in (*BACKEND_KEYS, *HARDWARE_KEYS)]
    gr.on(
        [f.input for f in switches],
        render.guard("Backend")(lambda *v: backend_outputs(read_form(v))),
        ui.fields,
        ui.backend,
        trigger_mode="always_last",
        **QUIET,
    )


def _wire_monitor(ui: SimpleNamespace, ctx: StudioContext) -> None:
    views = [
        ui.watched,
        ui.progress,
        ui.loss_plot,
        ui.lr_plot,
        ui.grad_plot,
        ui.log,
        ui.timer,
        ui.run_state,
        ui.stop,
        ui.resume,
        ui.checkpoint,
    ]
    more = [ui.more_epochs, ui.more_steps]
    watch_inputs = [ui.run, ui.compare, ui.watched, ui.log_y, ui.smoothing, *more]
    pick_inputs = [ui.run, ui.compare, ui.log_y, ui.smoothing, *more]
    show = render.guard("Monitor")(lambda *a: monitor_outputs(ui, ctx, *a))
    tick = render.guard("Monitor")(lambda *a: monitor_outputs(ui, ctx, *a, redraw=False))
    pick = render.guard("Monitor")(
        lambda r, c, y, s, e, n: monitor_outputs(ui, ctx, r, c, {}, y, s, e, n, picked=True)
    )

    @render.guard("Start training")
    def on_start(config_file, run_name, force, *values) -> dict:
        run_id = start_training(ctx, read_form(values), run_name, config_file, force)
        note = render.message("ok", f"Started {run_id}: it goes on if you close the page.")
        return {
            **run_pickers(ui, ctx, run_id),
            ui.run_note: note,
            ui.start_note: note,
            ui.sections: gr.Tabs(selected="monitor"),
        }

    def on_page() -> dict:  # with a run, the run picker's change event draws it
        if default_run(ctx.workspace):
            return {view: gr.skip() for view in views}
        return monitor_outputs(ui, ctx, None, [], {}, False, 0.8)

    render.on_page_load(render.guard("Monitor")(on_page), views)
    ui.run.change(pick, pick_inputs, views, **QUIET)
    for control in (ui.compare, ui.log_y, ui.smoothing):
        control.change(show, watch_inputs, views, **QUIET)
    ui.timer.tick(tick, watch_inputs, views, **QUIET)
    ui.start.click(  # a refusal stays in the note under Start, not only in a fading toast
        render.settled(on_start, ui.start_note),
        [ui.config_file, ui.run_name, ui.force, *ui.fields],
        [ui.run, ui.compare, ui.run_note, ui.sections, ui.start_note],
        concurrency_limit=1,
        **PRIVATE,
    )
    ui.stop.click(
        render.guard("Stop")(lambda r: stop_training(ctx.workspace, r)),
        ui.run,
        ui.run_note,
        **PRIVATE,
    ).then(show, watch_inputs, views, **QUIET)
    for more in (ui.more_epochs, ui.more_steps):
        more.change(
            lambda r, e, n: resume_button(ctx, r, e, n),
            [ui.run, ui.more_epochs, ui.more_steps],
            ui.resume,
            **QUIET,
        )
    ui.resume.click(  # a refusal (finished, data or config changed) stays in the run's note
        render.settled(
            render.guard("Resume")(lambda *a: resume_training(ctx.workspace, *a)), ui.run_note
        ),
        [ui.run, ui.checkpoint, ui.more_epochs, ui.more_steps],
        ui.run_note,
        **PRIVATE,
    ).then(show, watch_inputs, views, **QUIET)
    ui.refresh.click(
        render.guard("Runs")(lambda r: run_pickers(ui, ctx, r)),
        ui.run,
        [ui.run, ui.compare],
        **QUIET,
    ).then(pick, pick_inputs, views, **QUIET)


def _wire_runs(ui: SimpleNamespace, ctx: StudioContext) -> None:
    def tables(run_id: str | None) -> dict:
        return {
            ui.runs: runs_table(ctx.workspace),
            ui.checkpoints: checkpoints_table(ctx.workspace, run_id),
        }

    def on_page() -> dict:
        run_id = default_run(ctx.workspace)
        return {**run_pickers(ui, ctx, run_id), **tables(run_id)}

    def on_row(evt: gr.SelectData) -> dict:
        run_id = evt.row_value[0]
        return {ui.run: gr.Dropdown(value=run_id), ui.sections: gr.Tabs(selected="monitor")}

    @render.guard("Runs")
    def on_state(run_id: str | None, state: str | None) -> dict:
        """Once the monitor saw the run's state move (the same read that stops its timer), the run
        picker's labels and the tables say so too, and a "Stopping…" or "Started…" note is past."""
        choices = render.run_choices(ctx.workspace)
        ended = state is not None and state not in run_folder.ACTIVE
        return {
            ui.run_note: "" if ended else gr.skip(),
            ui.run: gr.Dropdown(choices=choices),
            ui.compare: gr.Dropdown(choices=choices),
            **tables(run_id),
        }

    guarded = render.guard("Runs")(tables)
    render.on_page_load(
        render.guard("Runs")(on_page), [ui.run, ui.compare, ui.runs, ui.checkpoints]
    )
    ui.run_state.change(
        on_state,
        [ui.run, ui.run_state],
        [ui.run_note, ui.run, ui.compare, ui.runs, ui.checkpoints],
        **QUIET,
    )
    gr.on(
        [ui.runs_refresh.click, ui.runs_tab.select],
        guarded,
        ui.run,
        [ui.runs, ui.checkpoints],
        **QUIET,
    )
    ui.run.change(guarded, ui.run, [ui.runs, ui.checkpoints], **QUIET)
    ui.runs.select(render.guard("Runs")(on_row), None, [ui.run, ui.sections], **QUIET)
