"""Shared inputs for the training tests: small Harmony datasets and tiny-model configs."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from core.dataset.data_prep import to_harmony
from core.train.config import TrainConfig, save_config, with_values
from core.train.run_folder import read_status
from core.workspace import SAMPLE_CORPUS

# Small and quick: short sequences, every step logged, adamw in float32, one thread per run.
FAST = {
    "backend": "cpu",
    "load_in_4bit": False,
    "max_seq_length": 96,
    "lora.r": 8,
    "lora.alpha": 16,
    "training.per_device_train_batch_size": 4,
    "training.gradient_accumulation_steps": 1,
    "training.learning_rate": 5e-3,
    "training.optimizer": "adamw_torch",
    "training.warmup_ratio": 0.0,
    "training.weight_decay": 0.0,
    "training.logging_steps": 1,
    "training.fp16": False,
    "training.gradient_checkpointing": False,
    "training.seed": 7,
}


def write_harmony(path: Path, count: int, lines: int = 8) -> Path:
    """`count` conversations asking for the bundled scripts (first `lines` lines of each)."""
    scripts = sorted(SAMPLE_CORPUS.rglob("*.ahk"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(count):
            script = scripts[i % len(scripts)]
            text = script.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
            answer = "\n".join(text.splitlines()[:lines])
            prompt = f"Write the AutoHotkey v2 script {script.stem.replace('_', ' ')}."
            handle.write(json.dumps(to_harmony(prompt, answer)) + "\n")
    return path


def tiny_config(model: Path, data: Path, **values: Any) -> TrainConfig:
    """A config for the tiny model on `data`; `values` are {dotted key: value} overrides
    (double underscores stand for dots: training__max_steps=5)."""
    overrides = {key.replace("__", "."): value for key, value in values.items()}
    return with_values(
        TrainConfig(),
        {**FAST, "base_model": str(model), "training.dataset_path": str(data), **overrides},
    )


def write_config(folder: Path, model: Path, data: Path, **values: Any) -> Path:
    path = folder / "train.yaml"
    save_config(tiny_config(model, data, **values), path)
    return path


def wait_for(run_dir: Path, done, timeout: float = 240.0) -> dict:
    """Poll the run's status until `done(status)` holds; the status (or an AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = read_status(run_dir)
        if done(status):
            return status
        time.sleep(0.2)
    log = (run_dir / "train.log").read_text() if (run_dir / "train.log").exists() else ""
    raise AssertionError(f"timed out; status {read_status(run_dir)}\n{log[-3000:]}")
