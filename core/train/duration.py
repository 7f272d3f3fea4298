"""How long a run will take before it starts: the tokens it trains on over the speed it will run at.

The speed is measured where it can be: an earlier run of the same base model on the same backend
in this workspace recorded its tokens per second. Without one it is a rough guess: a LoRA step
costs about 6 floating-point operations per active parameter and token (forward, backward to the
inputs, and the forward again under gradient checkpointing; 4 without it), at a fifth of the GPU's
peak bf16 rate (4-bit weights are unpacked on the fly), or at a CPU's rate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import StudioError
from core.models.hardware import Gpu, gpus
from core.train.config import TrainConfig, load_config
from core.train.estimate import find_architecture
from core.train.run_folder import CONFIG, list_runs

CHARS_PER_TOKEN = 3.5  # code and English through a byte-level BPE vocabulary
TEMPLATE_TOKENS = 24  # the chat template's turn markers around each example
GPU_UTILISATION = 0.2  # of the peak rate, for QLoRA steps
CPU_FLOPS_PER_CORE = 1.5e10 * 0.3  # AVX2 FMA float32 at about a third of its peak in training
PEAK_BF16_TFLOPS = {  # dense bf16 (fp16 for cards without bf16), by a part of the GPU's name
    "H200": 989,
    "H100": 989,
    "A100": 312,
    "L40S": 362,
    "L40": 181,
    "L4": 121,
    "A10": 125,
    "A6000": 155,
    "4090": 165,
    "3090": 71,
    "V100": 125,
    "T4": 65,
}


@dataclass(frozen=True)
class Duration:
    """Seconds a run is expected to take, and where the speed came from."""

    seconds: float
    tokens: int
    tokens_per_second: float
    source: str  # "measured on run <id>" | "rough guess: …"


def training_tokens(conversations: list[list[dict[str, str]]], cfg: TrainConfig) -> int:
    """Tokens one epoch reads: each conversation's characters over CHARS_PER_TOKEN plus the
    template's markers, cut at max_seq_length."""
    per = [
        min(
            cfg.max_seq_length,
            TEMPLATE_TOKENS + int(sum(len(m["content"]) for m in c) / CHARS_PER_TOKEN),
        )
        for c in conversations
    ]
    return sum(per)


def measured_speed(cfg: TrainConfig, workspace: Path, backend: str) -> tuple[float, str] | None:
    """(tokens per second, run id) of the newest run of the same base model on `backend`."""
    for info in list_runs(workspace):
        speed = info.last.get("tokens_per_second")
        if not speed or info.backend != backend:
            continue
        try:
            same = load_config(info.path / CONFIG).base_model == cfg.base_model
        except StudioError:  # an unreadable run folder is not a measurement
            continue
        if same:
            return float(speed), info.id
    return None


def guessed_speed(
    cfg: TrainConfig, workspace: Path, backend: str, gpu: Gpu | None
) -> tuple[float, str] | None:
    """(tokens per second, how) from the model's active parameters and the device's rate."""
    arch = find_architecture(cfg, workspace)
    if arch is None:
        return None
    per_token = (6 if cfg.training.gradient_checkpointing else 4) * arch.active_params()
    if backend == "cpu" or gpu is None:
        cores = os.cpu_count() or 1
        return cores * CPU_FLOPS_PER_CORE / per_token, f"rough guess for {cores} CPU cores"
    peak = next((t for part, t in PEAK_BF16_TFLOPS.items() if part in gpu.name), None)
    if peak is None:
        return None
    return peak * 1e12 * GPU_UTILISATION / per_token, f"rough guess for the {gpu.name}"


def estimate_duration(
    cfg: TrainConfig,
    workspace: Path,
    backend: str,
    conversations: list[list[dict[str, str]]],
    steps: int,
) -> Duration | None:
    """The run's expected duration for `steps` optimisation steps over `conversations` (on the
    GPU with the most free memory, for a GPU backend); None when neither a measurement nor a
    guess is possible (an unknown model or GPU)."""
    speed = measured_speed(cfg, workspace, backend)
    how = f"measured on run {speed[1]}" if speed else None
    if speed is None:
        gpu = None if backend == "cpu" else max(gpus(), key=lambda g: g.free, default=None)
        speed = guessed_speed(cfg, workspace, backend, gpu)
        how = speed[1] if speed else None
    if speed is None or how is None:
        return None
    t = cfg.training
    per_example = training_tokens(conversations, cfg) / max(len(conversations), 1)
    tokens = int(
        steps * t.per_device_train_batch_size * t.gradient_accumulation_steps * per_example
    )
    return Duration(tokens / speed[0], tokens, speed[0], how)
