"""The Train tab's handlers, called as plain functions: the generated form, config files, the plan
before start, the incremental metrics reader, and a real run started, stopped and resumed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
import yaml

from core.errors import StudioError
from core.train import run_folder, runs
from core.train.config import (
    PRESETS,
    SCHEMA,
    TrainConfig,
    check_values,
    config_values,
    load_config,
    save_config,
    with_values,
)
from core.workspace import CONFIG_DIR, REPO_ROOT
from studio import forms
from studio.context import StudioContext
from studio.tabs import train as tt
from tests.gradio_events import event
from tests.train_fixtures import tiny_config, write_harmony

DEMO = CONFIG_DIR / "cpu-demo.yaml"


@pytest.fixture
def ctx(workspace: Path, tmp_path: Path) -> StudioContext:
    configs = tmp_path / "config"
    configs.mkdir()
    (configs / "cpu-demo.yaml").write_bytes(DEMO.read_bytes())
    return StudioContext(
        workspace=workspace, config_path=configs / "cpu-demo.yaml", config_dir=configs
    )


def fake_run(workspace: Path, run_id: str, records: list[dict], **status) -> Path:
    """A run folder as core.train leaves it, without training: config, status, metrics."""
    run_dir = run_folder.runs_dir(workspace) / run_id
    run_dir.mkdir(parents=True)
    save_config(TrainConfig(), run_dir / run_folder.CONFIG)
    run_folder.write_status(run_dir, **({"state": "completed", "started": time.time()} | status))
    lines = "".join(json.dumps(r) + "\n" for r in records)
    (run_dir / run_folder.METRICS).write_text(lines, encoding="utf-8")
    return run_dir


def record(step: int, loss: float | None = 2.0, **extra) -> dict:
    return {
        "step": step,
        "epoch": step / 10,
        "loss": loss,
        "learning_rate": 1e-3,
        "grad_norm": 0.5,
        "eval_loss": None,
        "tokens_per_second": 120.0,
        "elapsed": step * 1.5,
        "eta": 30.0,
    } | extra


# ---------------------------------------------------------------- the form


def test_the_form_has_one_field_per_schema_key_in_groups_and_every_event_is_private(ctx):
    with gr.Blocks() as demo:
        tt.build(ctx)
    ids = {block.elem_id for block in demo.blocks.values()}
    assert {forms.field_id(spec) for spec in SCHEMA.values()} <= ids
    assert {
        "train-group-model",
        "train-group-lora",
        "train-group-optimisation",
        "train-group-schedule",
        "train-group-logging",
    } <= ids
    assert "train-field-training-learning-rate" in ids
    assert all(fn.api_visibility == "private" for fn in demo.fns.values())


def test_each_field_shows_its_help_and_range_in_plain_words():
    spec = SCHEMA["training.learning_rate"]
    assert forms.field_info(spec) == spec.help + " Allowed: > 0 and <= 1."
    assert forms.field_info(spec, "must be > 0, got -1").startswith("⚠ must be > 0, got -1. ")


# The form's components as dict keys: the handlers return {component: update}.
UI = SimpleNamespace(
    fields=[spec.key for spec in forms.SPECS],
    groups=[f"group {g}" for g in forms.FORM_GROUPS],
    file_note="file_note",
    config_file="config_file",
    problems="problems",
    plan="plan",
    command="command",
)


def test_loading_the_demo_config_fills_every_field_without_problems(ctx):
    shown = tt.load_outputs(UI, ctx, str(ctx.config_path), "")
    updates = [shown[key] for key in UI.fields]
    assert "Loaded cpu-demo.yaml" in shown["file_note"]
    values = config_values(load_config(DEMO))
    assert [u["value"] for u in updates] == [
        forms.display_value(spec, values[spec.key]) for spec in forms.SPECS
    ]
    assert updates[forms.SPECS.index(SCHEMA["lora.r"])]["value"] == 16
    assert all(u["elem_classes"] == [] for u in updates)


def test_a_yaml_with_bad_fields_shows_each_problem_on_its_own_field(ctx):
    data = yaml.safe_load(DEMO.read_text())
    data["training"]["learning_rate"] = -1
    data["lora"]["r"] = "wide"
    data["training"]["epochs"] = 3
    bad = ctx.config_dir / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    shown = tt.load_outputs(UI, ctx, str(bad), "")
    assert "Loaded bad.yaml, which has problems" in shown["file_note"]
    updates = [shown[key] for key in UI.fields]
    lr = updates[forms.SPECS.index(SCHEMA["training.learning_rate"])]
    assert lr["value"] == -1  # the raw value stays visible
    assert lr["info"].startswith("⚠ must be > 0, got -1") and lr["elem_classes"] == ["field-error"]
    assert updates[forms.SPECS.index(SCHEMA["lora.r"])]["value"] is None  # "wide" is no number
    flagged = {spec.key for spec, u in zip(forms.SPECS, updates, strict=True) if u["elem_classes"]}
    assert flagged == {"training.learning_rate", "lora.r"}
    html = shown["problems"]
    assert "3 problem(s)" in html and "training.epochs" in html and "unknown key" in html


def test_a_form_with_a_bad_field_cannot_become_a_config(ctx):
    values = config_values(load_config(DEMO)) | {"training.warmup_ratio": 1.5}
    with pytest.raises(StudioError, match=r"training\.warmup_ratio: must be < 1, got 1\.5"):
        forms.form_config(values)
    assert "1 problem(s)" in tt.plan_outputs(UI, ctx, values, str(ctx.config_path), "")["problems"]


def test_presets_fill_the_form_with_valid_values(ctx):
    base = config_values(load_config(DEMO))
    for name, preset in PRESETS.items():
        filled = forms.apply_preset(base, name)
        cfg, problems = check_values(filled)
        assert problems == [], name
        assert all(config_values(cfg)[k] == v for k, v in preset.values.items())
    assert "20 steps" in forms.preset_html("quick")
    with pytest.raises(StudioError, match="unknown preset"):
        forms.apply_preset(base, "fastest")


def test_saving_round_trips_and_never_replaces_a_file_unless_asked(ctx):
    values = forms.apply_preset(config_values(load_config(DEMO)), "thorough")
    path = forms.save_form(ctx.config_dir, "mine", values, overwrite=False)
    assert path == ctx.config_dir / "mine.yaml" and config_values(load_config(path)) == values
    assert ("mine.yaml", str(path)) in forms.config_files(ctx.config_dir)
    with pytest.raises(StudioError, match="exists already"):
        forms.save_form(ctx.config_dir, "mine.yaml", values, overwrite=False)
    forms.save_form(ctx.config_dir, "mine", values | {"lora.r": 4}, overwrite=True)
    assert load_config(path).lora.r == 4
    for name in ("../escape", "sub/dir", "normalize", ""):
        with pytest.raises(StudioError, match="not a usable config name"):
            forms.save_form(ctx.config_dir, name, values, overwrite=True)


def test_only_training_configs_are_offered_and_others_refused(ctx, tmp_path):
    (ctx.config_dir / "normalize.yaml").write_text("rules: []\n")
    assert forms.config_files(ctx.config_dir) == [("cpu-demo.yaml", str(ctx.config_path))]
    elsewhere = tmp_path / "launch.yaml"
    assert forms.config_files(ctx.config_dir, elsewhere)[-1] == (
        "launch.yaml (given at launch)",
        str(elsewhere),
    )
    with pytest.raises(StudioError, match="pick a config file"):
        tt.load_outputs(UI, ctx, "/etc/passwd", "")
    with pytest.raises(StudioError, match="pick a config file"):
        tt.load_outputs(UI, ctx, str(ctx.config_dir / "normalize.yaml"), "")


# ---------------------------------------------------------------- the plan before start


def test_the_plan_shows_memory_trainable_parameters_and_steps(tiny_model, workspace):
    data = write_harmony(workspace / "prepared" / "train.jsonl", 10)
    cfg = tiny_config(tiny_model, data, training__num_train_epochs=3.0)
    html = tt.plan_html(cfg, workspace)
    assert ">10<" in html and "training examples" in html
    assert ">9<" in html and "optimisation steps" in html  # ceil(10 / 4) = 3 steps × 3 epochs
    assert "trainable parameters · " in html and "estimated peak memory" in html


def test_the_plan_says_when_the_dataset_is_not_built(tiny_model, workspace):
    cfg = tiny_config(tiny_model, workspace / "prepared" / "missing.jsonl")
    html = tt.plan_html(cfg, workspace)
    assert "not built yet" in html and "Dataset tab" in html


def test_the_shell_commands_name_the_config_and_the_run_folder(ctx):
    text = tt.shell_commands(CONFIG_DIR / "sft.yaml", "big", REPO_ROOT / "workspace", False)
    assert "python -m core.train --config config/sft.yaml --run-dir workspace/runs/big" in text
    assert text.endswith("--processes 1 --strategy single")
    hardware = {"machines": 2, "processes": 4, "strategy": "fsdp", "main_address": "10.0.0.1"}
    two = with_values(load_config(DEMO), {f"hardware.{k}": v for k, v in hardware.items()})
    cluster = tt.shell_commands(DEMO, "big", REPO_ROOT / "workspace", False, two)
    assert "# on the main machine\npython -m core.train --config" in cluster
    assert cluster.endswith("--processes 4 --strategy fsdp --machine-rank 1")
    other = tt.shell_commands(CONFIG_DIR / "sft.yaml", "", ctx.workspace, True)
    assert f"--workspace {ctx.workspace}" in other and "Save them first" in other
    values = config_values(load_config(DEMO))
    assert (
        "Save them first"
        not in tt.plan_outputs(UI, ctx, values, str(ctx.config_path), "x")["command"]
    )
    edited = values | {"lora.r": 4}
    assert (
        "Save them first" in tt.plan_outputs(UI, ctx, edited, str(ctx.config_path), "x")["command"]
    )


def test_the_studio_process_never_imports_torch(tmp_path):
    script = f"""
import sys
from pathlib import Path
import gradio as gr
from core.train.config import load_values
from studio import forms
from studio.tabs import train as train_tab
from studio.tabs import export as export_tab
from studio.context import StudioContext
ctx = StudioContext(workspace=Path({str(tmp_path)!r}))
with gr.Blocks():
    train_tab.build(ctx)
    export_tab.build(ctx)
assert "plotly" not in sys.modules, "plotly was imported before the first figure"
values = load_values(ctx.config_path)[0]
train_tab.plan_html(forms.form_config(values), ctx.workspace)
assert "backend " in train_tab.backend_outputs(values)
train_tab.monitor(ctx.workspace, None, [], {{}})
export_tab.refresh(ctx.workspace, None)
export_tab.quant_choices()
assert "torch" not in sys.modules, "torch was imported"
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]


# ---------------------------------------------------------------- watching runs


def test_follow_reads_only_the_new_complete_lines(workspace):
    run_dir = fake_run(workspace, "r1", [record(1), record(2)], step=2)
    watched, changed, statuses = run_folder.follow_metrics(workspace, {}, ["r1"])
    assert changed and [r["step"] for r in watched["r1"]["rows"]] == [1, 2]
    assert (statuses["r1"]["state"], statuses["r1"]["step"]) == ("completed", 2)
    size = (run_dir / run_folder.METRICS).stat().st_size
    assert watched["r1"]["offset"] == size
    with open(run_dir / run_folder.METRICS, "a") as handle:
        handle.write(json.dumps(record(3)) + "\n" + '{"step": 4, "lo')  # the last one half-written
    watched, changed, _ = run_folder.follow_metrics(workspace, watched, ["r1"])
    assert changed and [r["step"] for r in watched["r1"]["rows"]] == [1, 2, 3]
    assert run_folder.follow_metrics(workspace, watched, ["r1"])[:2] == (watched, False)


def test_metrics_rewritten_by_a_resume_are_read_again_from_the_start(workspace):
    run_dir = fake_run(workspace, "r1", [record(1), record(2), record(3)])
    watched, _, _ = run_folder.follow_metrics(workspace, {}, ["r1"])
    (run_dir / run_folder.METRICS).write_text(json.dumps(record(1)) + "\n")
    run_folder.write_status(run_dir, metrics_version=1)
    watched, changed, _ = run_folder.follow_metrics(workspace, watched, ["r1"])
    assert changed and [r["step"] for r in watched["r1"]["rows"]] == [1]


def counting(monkeypatch, name: str) -> list:
    """Record each call of core.train.run_folder.<name> (still calling it)."""
    calls, real = [], getattr(run_folder, name)
    monkeypatch.setattr(run_folder, name, lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


def test_a_tick_reads_each_status_once_and_lists_checkpoints_only_when_the_run_moved(
    workspace, monkeypatch
):
    run_dir = fake_run(workspace, "a", [record(1)], state="stopped", step=1, max_steps=8)
    fake_run(workspace, "b", [record(1)])
    (run_dir / run_folder.LOG).write_text("step 1/8\n")
    statuses, listings = (
        counting(monkeypatch, "read_status"),
        counting(monkeypatch, "list_checkpoints"),
    )
    view = tt.monitor(workspace, "a", ["b"], {})
    assert len(statuses) == 2 and len(listings) == 1  # a's status and b's; a's checkpoints
    assert view.checkpoints == [] and view.log == "step 1/8\n"

    saved = run_dir / "checkpoints" / "checkpoint-1"
    saved.mkdir(parents=True)
    (saved / "trainer_state.json").write_text("{}")
    tick = tt.monitor(workspace, "a", ["b"], view.watched, redraw=False)
    assert len(statuses) == 4 and len(listings) == 1  # the run did not move: nothing listed
    assert tick.checkpoints == [] and tick.log is None and tick.loss is None  # all unchanged

    run_folder.write_status(run_dir, state="completed", step=1)
    with open(run_dir / run_folder.LOG, "a") as handle:
        handle.write("done\n")
    tick = tt.monitor(workspace, "a", ["b"], tick.watched, redraw=False)
    assert len(listings) == 2 and tick.checkpoints == ["checkpoint-1"]
    assert tick.log == "step 1/8\ndone\n" and "a: completed" in tick.progress
    # The state the picker and the tables follow comes from this same read, which also stops
    # the timer: a second read could still see "running" and never see the change.
    assert tick.state == "completed" and not tick.active and view.state == "stopped"


def test_the_monitor_shows_progress_plots_and_compared_runs(workspace):
    evals = [
        record(4, None, eval_loss=1.7, learning_rate=None, grad_norm=None, tokens_per_second=None)
    ]
    fake_run(
        workspace,
        "a",
        [record(s, 3.0 - s / 10) for s in range(1, 5)] + evals,
        step=4,
        max_steps=8,
        epoch=0.4,
        backend="cpu",
        backend_reason="auto: no CUDA GPU",
    )
    fake_run(workspace, "b", [record(1, 2.5)], state="failed", error="boom", step=1)
    view = tt.monitor(workspace, "a", ["b"], {})
    assert not view.active and view.checkpoints == []
    for text in ("a: completed · 4 logged steps", "4 / 8", "0.40", "1.7000", "backend cpu"):
        assert text in view.progress
    assert "give more epochs or steps below to train it further" in view.progress
    names = [trace.name for trace in view.loss.data]
    assert "a loss (smoothed)" in names and "b loss (smoothed)" in names and "a eval loss" in names
    assert list(view.learning_rate.data[0].x) == [1, 2, 3, 4]
    again = tt.monitor(workspace, "a", ["b"], view.watched, redraw=False)
    assert again.loss is None and again.progress == view.progress  # nothing new: plots untouched
    failed = tt.monitor(workspace, "b", [], {})
    assert "b: failed" in failed.progress and "boom" in failed.progress


def test_without_a_run_the_monitor_says_what_to_do(workspace):
    view = tt.monitor(workspace, None, [], {})
    assert "start one in Set up" in view.progress and not view.active
    assert tt.default_run(workspace) is None and tt.runs_table(workspace).empty


def test_stop_and_resume_need_a_run(workspace):
    with pytest.raises(StudioError, match="pick a run first"):
        tt.stop_training(workspace, None)
    with pytest.raises(StudioError, match="no such run"):
        tt.resume_training(workspace, "../../etc", "last", 0, 0)


def test_resume_is_offered_on_a_completed_run_only_with_more_steps(workspace):
    view = tt.MonitorView({}, "", None, None, None, None, ["checkpoint-3"], "completed")
    assert not tt.can_resume_run(view, 0, 0)
    assert tt.can_resume_run(view, 0, 5) and tt.can_resume_run(view, 1.0, None)
    stopped = tt.MonitorView({}, "", None, None, None, None, ["checkpoint-3"], "stopped")
    assert tt.can_resume_run(stopped, 0, 0)
    running = tt.MonitorView({}, "", None, None, None, None, ["checkpoint-3"], "running")
    assert not tt.can_resume_run(running, 0, 5)
    run_dir = workspace / "runs" / "done"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("base_model: x\n", encoding="utf-8")
    run_folder.write_status(run_dir, state="completed", step=3)
    with pytest.raises(StudioError, match="has finished its plan"):
        tt.resume_training(workspace, "done", "last", 0, 0)


def test_picking_a_completed_run_offers_resume_when_more_steps_were_typed_first(ctx):
    run_dir = fake_run(ctx.workspace, "done", [record(1)])
    (run_dir / "checkpoints" / "checkpoint-1").mkdir(parents=True)
    (run_dir / "checkpoints" / "checkpoint-1" / "trainer_state.json").write_text("{}")
    with gr.Blocks() as demo:
        tt.build(ctx)
    pick, outputs = event(demo, "train-run", "change")
    resume = outputs["train-resume"]
    assert pick("done", [], False, 0.8, 0, 5)[resume].interactive is True
    assert pick("done", [], False, 0.8, 0, 0)[resume].interactive is False


def test_a_refused_start_stays_in_the_note_under_start_not_only_in_a_toast(ctx):
    with gr.Blocks() as demo:
        tt.build(ctx)
    start, outputs = event(demo, "train-start")
    values = config_values(load_config(DEMO)) | {"training.learning_rate": -1}
    shown = start(str(ctx.config_path), "bad", False, *[values[s.key] for s in forms.SPECS])
    note = shown[outputs["train-start-note"]]
    assert 'class="msg error"' in note and "learning_rate" in note


def test_resume_on_a_run_whose_data_changed_says_so_in_the_runs_note(ctx, tmp_path):
    data = write_harmony(tmp_path / "train.jsonl", 4)
    run_dir = fake_run(ctx.workspace, "done", [record(1)])
    cfg = tiny_config(tmp_path / "model", data)
    save_config(cfg, run_dir / run_folder.CONFIG)
    fingerprints = {"data": runs.data_fingerprint(cfg), "config": runs.config_fingerprint(cfg)}
    run_folder.write_status(run_dir, **fingerprints)
    (run_dir / "checkpoints" / "checkpoint-1").mkdir(parents=True)
    (run_dir / "checkpoints" / "checkpoint-1" / "trainer_state.json").write_text("{}")
    data.write_text(data.read_text() * 2)
    with gr.Blocks() as demo:
        tt.build(ctx)
    resume, outputs = event(demo, "train-resume")
    shown = resume("done", "last", 0, 5)
    note = shown[outputs["train-run-note"]]
    assert "training data changed since it started" in note and "start a new run" in note
    assert 'class="msg error"' in note
    assert run_folder.read_status(run_dir)["state"] == "completed"


def test_form_fields_carry_plain_words_labels_and_are_found_by_name():
    specs = {spec.key: spec for spec in forms.SPECS}
    assert specs["training.lr_scheduler_type"].label == "Learning-rate schedule"
    assert specs["max_seq_length"].label == "Longest example (tokens)"
    assert all(spec.label and spec.help for spec in forms.SPECS)
    with gr.Blocks():
        fields = [forms.make_field(spec) for spec in forms.SPECS]
    assert forms.field_by_name(fields, "backend").elem_id == "train-field-backend"
    assert (
        forms.field_by_name(fields, "lora.target_parameters").label
        == "Expert weights with an adapter"
    )


# ---------------------------------------------------------------- a real run


@pytest.fixture
def one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def wait_view(workspace: Path, run_id: str, done, timeout: float = 300.0) -> tt.MonitorView:
    """Poll the monitor as the page's timer does (incrementally) until `done(view)`."""
    deadline, watched = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        view = tt.monitor(workspace, run_id, [], watched)
        watched = view.watched
        if done(view):
            return view
        time.sleep(0.5)
    raise AssertionError(f"timed out: {view.progress}\n{view.log}")


@pytest.mark.slow
def test_a_real_run_starts_streams_its_loss_stops_and_resumes(tiny_model, ctx, one_thread):
    data = write_harmony(ctx.workspace / "prepared" / "train.jsonl", 16)
    values = config_values(
        tiny_config(tiny_model, data, training__max_steps=30, training__save_steps=100)
    )
    assert "backend cpu" in tt.backend_outputs(values)
    run_id = tt.start_training(ctx, values, "tab test", str(ctx.config_path), False)
    assert run_id.endswith("-tab-test") and tt.default_run(ctx.workspace) == run_id
    view = wait_view(
        ctx.workspace,
        run_id,
        lambda v: len(v.watched[run_id]["rows"]) >= 2 and "step 2/30" in v.log,
    )
    assert view.active and "running" in view.progress
    assert "kernels" not in view.log  # bitsandbytes' optional hub kernel notice is dropped
    assert "Stopping" in tt.stop_training(ctx.workspace, run_id)
    view = wait_view(ctx.workspace, run_id, lambda v: not v.active)
    assert "stopped" in view.progress and len(view.checkpoints) == 1
    table = tt.runs_table(ctx.workspace)
    assert table.iloc[0]["run"] == run_id and table.iloc[0]["adapter"] == "yes"
    assert tt.checkpoints_table(ctx.workspace, run_id).iloc[0]["checkpoint"] == view.checkpoints[0]
    tt.resume_training(ctx.workspace, run_id, view.checkpoints[0], 0, 0)
    view = wait_view(ctx.workspace, run_id, lambda v: not v.active and "completed" in v.progress)
    steps = [r["step"] for r in view.watched[run_id]["rows"] if r.get("loss") is not None]
    assert steps == list(range(1, 31))
