"""Will it fit? The memory estimate of a run against the free memory of the device it trains on.

A run that cannot fit is refused before any model loads (`require_fit`, called by the preflight
of the studio's Start and of `python -m core.train`); a tight one starts with a warning. The model
picker asks the same question of every registry model with the form's settings (`model_values`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import StudioError
from core.models import hardware
from core.models.hardware import gib
from core.models.registry import Family
from core.train.config import TrainConfig, with_values
from core.train.estimate import MemoryEstimate, estimate_memory, find_family

GIB = 1024**3
GPU_SIZES_GB = (6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 80, 96, 141, 192)  # sizes GPUs are sold in
USABLE = 0.95  # of a GPU's nominal memory, after the driver's share
TIGHT = 0.85  # a run that needs more than this share of the free memory is tight
DEMO_MODEL = "workspace/models/tiny-ahk"


@dataclass(frozen=True)
class Fit:
    """The verdict on one run: fits | tight | too big | unknown, in plain words."""

    verdict: str
    message: str
    needed: int = 0  # bytes, estimated
    free: int | None = None  # bytes free on the device, when known
    hint: str = ""


def gpu_class(needed: int) -> str:
    """The smallest GPU sold that holds `needed` bytes: 'a 16 GB GPU'."""
    size = next((s for s in GPU_SIZES_GB if needed <= s * GIB * USABLE), None)
    if size is None:
        return f"more than one {GPU_SIZES_GB[-1]} GB GPU"
    return f"{'an' if str(size).startswith('8') else 'a'} {size} GB GPU"


def device_memory(backend: str) -> tuple[int, str] | None:
    """(free bytes, what) of the device `backend` trains on: this machine's memory for cpu, else
    the GPU of this rank (LOCAL_RANK) or the one with the most free memory; None without one."""
    if backend == "cpu":
        import psutil

        return psutil.virtual_memory().available, "this machine's memory"
    found = hardware.gpus()
    rank = int(os.environ.get("LOCAL_RANK", "-1"))
    gpu = next((g for g in found if g.index == rank), None) or max(
        found, key=lambda g: g.free, default=None
    )
    return (gpu.free, f"the {gpu.name}") if gpu else None


def judge(est: MemoryEstimate, device: tuple[int, str] | None, model: str) -> Fit:
    """The verdict of `est` against `device` (free bytes, what)."""
    needed = est.total
    if device is None:
        return Fit("unknown", f"needs about {gib(needed)} ({gpu_class(needed)})", needed)
    free, where = device
    words = f"training {model} needs about {gib(needed)} and {where} has {gib(free)} free"
    if needed > free:
        return Fit("too big", f"will not fit: {words}", needed, free)
    if needed > TIGHT * free:
        return Fit("tight", f"tight: {words}; other programs on it may push it over", needed, free)
    return Fit("fits", f"fits: {words}", needed, free)


def remedies(cfg: TrainConfig, fam: Family | None, backend: str) -> str:
    """What would make the run smaller, most effective first."""
    found = []
    if not cfg.load_in_4bit:
        found.append("turn on Load in 4-bit")
    if fam is not None and fam.quantisation == "mxfp4" and backend == "hf":
        found.append("install unsloth (it keeps the experts in 4-bit)")
    if not cfg.training.gradient_checkpointing:
        found.append("turn on gradient checkpointing")
    if cfg.training.per_device_train_batch_size > 1:
        found.append("lower the batch size (raise gradient accumulation instead)")
    found += ["shorten Longest example", "or pick a smaller model"]
    return "; ".join(found)


def check_fit(cfg: TrainConfig, workspace: str | Path | None, backend: str) -> Fit:
    """How `cfg` fits the device `backend` trains on here (unknown for an unknown model)."""
    try:
        est = estimate_memory(cfg, workspace, backend)
    except StudioError as err:
        return Fit("unknown", f"memory not estimated: {err.message}")
    fit = judge(est, device_memory(backend), cfg.base_model)
    if fit.verdict in ("too big", "tight"):
        fam = find_family(cfg, workspace)
        return Fit(fit.verdict, fit.message, fit.needed, fit.free, remedies(cfg, fam, backend))
    return fit


def require_fit(cfg: TrainConfig, workspace: str | Path | None, backend: str) -> Fit:
    """check_fit, with a run that cannot fit refused (StudioError saying what to change)."""
    fit = check_fit(cfg, workspace, backend)
    if fit.verdict == "too big":
        raise StudioError(fit.message, where="memory", hint=fit.hint)
    return fit


def model_values(cfg: TrainConfig, base_model: str, fam: Family) -> dict[str, Any]:
    """The config values that choose a base model: its id or folder, the demo switch, the
    family's LoRA targets (gpt-oss's experts need target_parameters; Phi has fused layers) and,
    for a GPU model, QLoRA: 4-bit weights, mixed precision, checkpointing, an 8-bit optimiser."""
    values: dict[str, Any] = {
        "base_model": base_model,
        "build_tiny_if_missing": fam.key == "demo",
        "lora.target_modules": list(fam.lora_modules),
        "lora.target_parameters": list(fam.lora_parameters),
    }
    if fam.key != "demo":
        values |= {"load_in_4bit": True, "training.gradient_checkpointing": True}
        values["training.optimizer"] = "adamw_8bit"
        values["training.fp16"] = cfg.training.fp16 or not cfg.training.bf16
    return values


def for_model(cfg: TrainConfig, base_model: str, fam: Family) -> TrainConfig:
    """`cfg` with another base model (its family's LoRA targets, QLoRA for a GPU model)."""
    return with_values(cfg, model_values(cfg, base_model, fam))
