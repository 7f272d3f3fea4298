"""The Train tab's model picker, its handlers called as plain functions: the table of models with
what each needs and how it fits this machine, a pick filling the form, and a download from the
miniature hub (tests/hub_server.py) followed to the end, the base model field filled."""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr
import pytest

from core.errors import StudioError
from core.models import hardware
from core.train.config import config_values, load_config
from core.workspace import CONFIG_DIR
from studio import forms
from studio.context import StudioContext
from studio.tabs import picker
from tests.hub_server import GATED, REPO, TOKEN

GIB = 2**30
SEED = config_values(load_config(CONFIG_DIR / "sft.yaml"))


@pytest.fixture
def ctx(workspace: Path) -> StudioContext:
    return StudioContext(workspace=workspace)


@pytest.fixture(scope="module")
def ui():
    """The picker and the Train form's fields, built as the Train tab builds them."""
    with gr.Blocks():
        made = picker.build(StudioContext(workspace=Path(".")))
        made.fields, _ = forms.build_form()
    return made


def by_label(frame, label: str) -> dict:
    return frame[frame["model"].str.startswith(label)].iloc[0].to_dict()


def with_gpu(monkeypatch, name: str, free_gb: float) -> None:
    """This machine as if it had one CUDA GPU with `free_gb` free."""
    gpu = hardware.Gpu(0, name, int(16 * GIB), int(free_gb * GIB))
    monkeypatch.setattr(hardware, "gpus", lambda fresh=False: (gpu,))


def test_the_table_says_what_each_model_needs_and_that_this_cpu_runs_the_demo(ui, ctx):
    out = picker.refresh_outputs(ui, ctx, SEED, False)
    frame = out[ui.table]
    assert frame["model"].iloc[0] == "CPU demo" and by_label(frame, "CPU demo")["here"] == "✓ fits"
    gpt = by_label(frame, "gpt-oss 20B")
    assert gpt["trains on"].startswith("a 16 GB GPU with unsloth")
    assert "a 48 GB GPU with hf" in gpt["trains on"] and gpt["download"] == "12.8 GB"
    assert by_label(frame, "Llama 3.2 1B")["model"] == "Llama 3.2 1B (gated)"
    if not hardware.gpus():
        assert gpt["here"] == "– no GPU" and "no CUDA GPU" in out[ui.machine]
    assert "CPU cores" in out[ui.machine] and "free disk" in out[ui.machine]


def test_on_a_16_gb_gpu_small_models_fit_and_gpt_oss_does_not_without_unsloth(ui, ctx, monkeypatch):
    with_gpu(monkeypatch, "NVIDIA T4", 15.5)
    monkeypatch.setattr("core.train.choices.has_package", lambda name: False)  # no unsloth
    frame = picker.refresh_outputs(ui, ctx, SEED, False)[ui.table]
    assert by_label(frame, "Qwen3 0.6B")["here"] == "✓ fits"
    assert by_label(frame, "gpt-oss 20B")["here"] == "✗ too big"
    chosen = picker.select_outputs(ui, ctx, SEED, "openai/gpt-oss-20b")[ui.chosen]
    assert "will not fit: training openai/gpt-oss-20b needs about" in chosen
    assert "the NVIDIA T4 has 15.5 GB free" in chosen and "install unsloth" not in chosen


def test_picking_a_model_fills_its_fields_and_a_gated_one_asks_for_a_token(ui, ctx):
    out = picker.select_outputs(ui, ctx, SEED, GATED)
    assert out[ui.choice] == GATED and out[ui.token].visible is True
    assert out[ui.download].interactive is True
    demo = picker.select_outputs(ui, ctx, SEED, "workspace/models/tiny-ahk")
    assert demo[ui.download].interactive is False and demo[ui.token].visible is False
    picked = picker.picked_values(ctx, SEED, "openai/gpt-oss-20b")
    filled = picker.fill_fields(ui.fields, forms.field_by_name, picked)
    updates = dict(zip(ui.fields, filled, strict=True))

    def field(key: str):
        return updates[forms.field_by_name(ui.fields, key)]

    assert field("base_model")["value"] == "openai/gpt-oss-20b"
    assert field("lora.target_parameters")["value"] == [
        "mlp.experts.gate_up_proj",
        "mlp.experts.down_proj",
    ]
    assert isinstance(field("training.learning_rate"), type(gr.skip()))
    with pytest.raises(StudioError, match="pick a model"):
        picker.picked_values(ctx, SEED, None)


def follow(ui, ctx, timeout: float = 120) -> list[dict]:
    """Every poll of the download until the timer stops."""
    polls, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        polls.append(picker.tick_outputs(ui, ctx, SEED))
        if polls[-1][ui.timer].active is False:
            return polls
        time.sleep(0.2)
    raise AssertionError("the download did not end")


def test_a_download_shows_progress_then_fills_the_base_model_field(ui, ctx, hub, twin):
    hub.delay = 0.01  # a few seconds: progress to see
    started = picker.download_outputs(ui, ctx, REPO, "")
    assert started[ui.timer].active and started[ui.cancel].visible
    polls = follow(ui, ctx)
    bars = [p[ui.progress] for p in polls if "<progress" in p[ui.progress]]
    assert any("MB/s" in bar and " MB of " in bar and "left" in bar for bar in bars), bars
    last = polls[-1]
    assert "Downloaded Qwen/Qwen3-0.6B" in last[ui.progress]
    base = "workspace/models/Qwen--Qwen3-0.6B"
    assert last[ui.picked]["values"]["base_model"] == base
    row = by_label(last[ui.table], "Qwen3 0.6B")
    assert (row["on this machine"], row["base model"]) == ("downloaded", base)
    assert (ctx.workspace / "models" / "Qwen--Qwen3-0.6B" / "model.safetensors").is_file()
    assert picker.select_outputs(ui, ctx, SEED, base)[ui.download].interactive is False


def test_a_gated_download_needs_the_token_and_clears_it_from_the_page(ui, ctx, hub):
    with pytest.raises(StudioError, match="is gated"):
        picker.download_outputs(ui, ctx, GATED, "")
    started = picker.download_outputs(ui, ctx, GATED, f" {TOKEN} ")
    assert started[ui.token].value == ""
    assert "Downloaded" in follow(ui, ctx)[-1][ui.progress]


def test_without_a_network_the_download_button_says_so(ui, ctx, hub, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(StudioError, match="no network"):
        picker.download_outputs(ui, ctx, REPO, "")
    assert picker.reload_outputs(ui, ctx, SEED)[ui.timer].active is False  # no job started


def test_a_cancelled_download_says_so_and_can_be_started_again(ui, ctx, hub):
    hub.delay = 0.05  # slow enough to cancel
    picker.download_outputs(ui, ctx, REPO, "")
    part = ctx.workspace / "models" / "Qwen--Qwen3-0.6B" / ".partial"
    deadline = time.monotonic() + 60
    while not any(part.glob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert picker.cancel_outputs(ui, ctx)[ui.timer].active
    last = follow(ui, ctx)[-1]
    assert "cancelled" in last[ui.progress] and "resume" in last[ui.progress]
    assert last[ui.download].interactive is True
    assert "% downloaded" in by_label(last[ui.table], "Qwen3 0.6B")["on this machine"]


def test_the_table_is_not_resized_for_a_form_with_problems(ui, ctx):
    assert picker.resize_outputs(ui, ctx, SEED | {"max_seq_length": 0}) == {ui.table: gr.skip()}
    demo = config_values(load_config(CONFIG_DIR / "cpu-demo.yaml"))
    frame = picker.resize_outputs(ui, ctx, demo)[ui.table]
    assert by_label(frame, "gpt-oss 20B")["trains on"].startswith("a 20 GB GPU with unsloth")
    assert picker.reload_outputs(ui, ctx, SEED)[ui.timer].active is False
