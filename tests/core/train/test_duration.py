"""How long a run will take before it starts: measured on an earlier run of the same model and
backend when there is one, else a rough guess from the model's active parameters and the device."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from core.models import hardware
from core.models.registry import find_hub_model
from core.train import run_folder
from core.train.config import TrainConfig, save_config, with_values
from core.train.duration import (
    CPU_FLOPS_PER_CORE,
    GPU_UTILISATION,
    estimate_duration,
    training_tokens,
)
from core.workspace import CONFIG_DIR
from studio.tabs import train as tt
from tests.train_fixtures import write_harmony

GPT = with_values(TrainConfig(), {"base_model": "openai/gpt-oss-20b"})


def chat(chars: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": "x" * chars}, {"role": "assistant", "content": ""}]


def test_tokens_are_characters_over_three_and_a_half_cut_at_the_longest_example():
    cfg = with_values(GPT, {"max_seq_length": 100})
    assert training_tokens([chat(350)], with_values(GPT, {"max_seq_length": 1024})) == 124
    assert training_tokens([chat(350), chat(7)], cfg) == 100 + 26


def test_a_guess_scales_with_the_gpus_speed_and_the_active_parameters(monkeypatch, workspace):
    active = find_hub_model("openai/gpt-oss-20b")[1].arch.active_params()
    found = {}
    for name in ("NVIDIA H100 80GB HBM3", "Tesla T4"):
        gpu = hardware.Gpu(0, name, 80 * 2**30, 70 * 2**30)
        monkeypatch.setattr("core.train.duration.gpus", lambda gpu=gpu: (gpu,))
        found[name] = estimate_duration(GPT, workspace, "hf", [chat(700)] * 8, 10)
    h100 = found["NVIDIA H100 80GB HBM3"]
    assert h100.source == "rough guess for the NVIDIA H100 80GB HBM3"
    assert h100.tokens == 10 * 1 * 4 * 224  # steps × batch × accumulation × tokens per example
    assert h100.tokens_per_second == 989e12 * GPU_UTILISATION / (6 * active)
    assert found["Tesla T4"].seconds / h100.seconds == pytest.approx(989 / 65)
    unknown = hardware.Gpu(0, "Some Future GPU", 1, 1)
    monkeypatch.setattr("core.train.duration.gpus", lambda: (unknown,))
    assert estimate_duration(GPT, workspace, "hf", [chat(700)], 10) is None


def test_an_earlier_run_of_the_same_model_and_backend_is_the_measurement(workspace):
    run_dir = run_folder.runs_dir(workspace) / "20260101-000000-earlier"
    run_dir.mkdir(parents=True)
    save_config(GPT, run_dir / run_folder.CONFIG)
    run_folder.write_status(run_dir, state="completed", started=time.time(), backend="cpu")
    record = {"step": 5, "loss": 1.0, "tokens_per_second": 250.0}
    (run_dir / run_folder.METRICS).write_text(json.dumps(record) + "\n", encoding="utf-8")
    took = estimate_duration(GPT, workspace, "cpu", [chat(700)] * 4, 3)
    assert took.source == "measured on run 20260101-000000-earlier"
    assert took.seconds == 3 * 4 * 224 / 250.0
    other = with_values(GPT, {"base_model": "Qwen/Qwen3-0.6B"})
    assert estimate_duration(other, workspace, "cpu", [chat(700)], 3).source.startswith(
        "rough guess for"
    )
    assert CPU_FLOPS_PER_CORE > 0


def test_the_plan_shows_the_estimated_time(workspace: Path, tiny_model: Path):
    data = write_harmony(workspace / "prepared" / "train.jsonl", 12)
    cfg = with_values(
        tt.load_config(CONFIG_DIR / "cpu-demo.yaml"),
        {"base_model": str(tiny_model), "training.dataset_path": str(data)},
    )
    html = tt.plan_html(cfg, workspace)
    assert "estimated time · rough guess for" in html and "CPU cores" in html
    assert "cpu: fits: training" in html
