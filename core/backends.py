"""Training backends: which one runs (and why), and how each loads the base model with LoRA.

`unsloth` (CUDA and unsloth installed) → `hf` (CUDA: transformers + peft, bitsandbytes 4-bit)
→ `cpu` (LoRA on float32 weights, or on bitsandbytes 4-bit ones when asked). GPU-only packages
are imported only inside their backend; unsloth must be the first import of the training process,
so `choose_backend` only looks for it and `import_first` imports it before transformers. Asking
which backend would run never loads torch into a process that has not loaded it already (the
studio): `cuda_available` then asks a child process once.
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config import TrainConfig
from core.errors import StudioError

GPU_HINT = "install the GPU extras on a CUDA machine: pip install -r requirements-gpu.txt -c requirements.txt"


@dataclass
class Backend:
    """The chosen backend, why it was chosen, and what it changed in the config to run."""

    name: str  # unsloth | hf | cpu
    reason: str
    notes: list[str] = field(default_factory=list)

    @property
    def on_cpu(self) -> bool:
        """Whether the run trains on the CPU."""
        return self.name == "cpu"


@functools.cache
def cuda_available() -> bool:
    """Whether torch sees a CUDA GPU. A process that has not imported torch asks a child Python
    process (once: the answer is kept), so that asking never loads torch and CUDA into it."""
    if "torch" in sys.modules:
        return sys.modules["torch"].cuda.is_available()
    code = "import torch; print(int(torch.cuda.is_available()))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
        )
    except subprocess.TimeoutExpired:
        raise StudioError("no answer from torch about CUDA after 300 s") from None
    answer = done.stdout.strip().splitlines()[-1:]
    if done.returncode != 0 or answer not in (["0"], ["1"]):
        tail = " | ".join(done.stderr.strip().splitlines()[-2:])
        raise StudioError(
            f"could not ask torch whether a CUDA GPU is present: {tail}",
            hint="pip install -r requirements.txt",
        )
    return answer == ["1"]


def has_package(name: str) -> bool:
    """Whether `name` can be imported (without importing it)."""
    return importlib.util.find_spec(name) is not None


def choose_backend(cfg: TrainConfig) -> Backend:
    """The backend for `cfg` on this machine; an explicit one that cannot run is a StudioError."""
    wanted = cfg.backend
    cuda, unsloth = wanted != "cpu" and cuda_available(), has_package("unsloth")
    if wanted == "auto":
        if cuda and unsloth:
            backend = Backend("unsloth", "auto: a CUDA GPU is present and unsloth is installed")
        elif cuda:
            backend = Backend("hf", "auto: a CUDA GPU is present; unsloth is not installed")
        else:
            backend = Backend("cpu", "auto: no CUDA GPU found, training on the CPU")
    elif wanted in ("unsloth", "hf") and not cuda:
        raise StudioError(
            f"backend {wanted} needs a CUDA GPU and this machine has none",
            where="backend",
            hint="use backend auto or cpu",
        )
    elif wanted == "unsloth" and not unsloth:
        raise StudioError(
            "backend unsloth: unsloth is not installed", where="backend", hint=GPU_HINT
        )
    else:
        backend = Backend(wanted, f"{wanted}: chosen in the config")
    if cfg.load_in_4bit and backend.name != "unsloth" and not has_package("bitsandbytes"):
        raise StudioError(
            "load_in_4bit needs bitsandbytes, which is not installed",
            where="load_in_4bit",
            hint="pip install -r requirements.txt, or set load_in_4bit: false",
        )
    return backend


def import_first(backend: Backend) -> None:
    """Import unsloth before transformers, trl and peft, as it requires (only when chosen)."""
    if backend.name != "unsloth":
        return
    late = [m for m in ("transformers", "trl", "peft") if m in sys.modules]
    if late:
        backend.notes.append(f"unsloth imported after {', '.join(late)}: its patches may miss them")
    import unsloth  # noqa: F401


def trainer_overrides(cfg: TrainConfig, backend: Backend) -> dict[str, Any]:
    """SFTConfig settings the backend decides: device, precision, optimiser."""
    t = cfg.training
    if backend.name == "unsloth" and (t.fp16 or t.bf16):
        import torch

        bf16 = torch.cuda.is_bf16_supported()  # unsloth loads the weights in this precision
        if bf16 != t.bf16:
            backend.notes.append(f"unsloth loads {'bfloat16' if bf16 else 'float16'}: trains in it")
        return {"fp16": not bf16, "bf16": bf16, "optim": t.optimizer}
    if not backend.on_cpu:
        return {"fp16": t.fp16, "bf16": t.bf16, "optim": t.optimizer}
    optim = t.optimizer
    if optim in ("adamw_8bit", "paged_adamw_8bit", "adamw_torch_fused"):
        backend.notes.append(f"optimizer {optim} needs a CUDA GPU: using adamw_torch")
        optim = "adamw_torch"
    if t.fp16 or t.bf16:
        backend.notes.append("mixed precision is for GPUs: training in float32")
    return {"fp16": False, "bf16": False, "optim": optim, "use_cpu": True}


def load_model(cfg: TrainConfig, backend: Backend, model_path: str):
    """(model, tokenizer, peft_config): the base model loaded for the backend; unsloth returns
    the model with its adapter already attached and no peft_config."""
    if backend.name == "unsloth":
        return _load_unsloth(cfg, model_path)
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch.float32 if backend.on_cpu else _gpu_dtype(cfg)
    kwargs: dict[str, Any] = {"dtype": dtype}
    if cfg.load_in_4bit:
        kwargs["quantization_config"] = _bnb_config(dtype)
        backend.notes.append("base weights in 4-bit NF4 through bitsandbytes (QLoRA)")
    if not backend.on_cpu:
        kwargs["device_map"] = {"": _local_rank()}
    model = AutoModelForCausalLM.from_pretrained(model_path, **kwargs)
    if cfg.load_in_4bit:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=cfg.training.gradient_checkpointing
        )
    model.config.use_cache = False  # packed sequences stay apart only without the KV cache
    lora = cfg.lora
    peft_config = LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=_targets(lora.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )
    return model, AutoTokenizer.from_pretrained(model_path), peft_config


def _load_unsloth(cfg: TrainConfig, model_path: str):
    from unsloth import FastLanguageModel

    model, tokenizer = FastLanguageModel.from_pretrained(
        model_name=model_path,
        max_seq_length=cfg.max_seq_length,
        load_in_4bit=cfg.load_in_4bit,
        dtype=None,
    )
    lora = cfg.lora
    model = FastLanguageModel.get_peft_model(
        model,
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=_targets(lora.target_modules),
        bias="none",
        use_gradient_checkpointing="unsloth" if cfg.training.gradient_checkpointing else False,
        random_state=cfg.training.seed,
    )
    return model, tokenizer, None


def _targets(modules: list[str]) -> list[str] | str:
    return "all-linear" if "all-linear" in modules else list(modules)


def _gpu_dtype(cfg: TrainConfig):
    import torch

    if cfg.training.bf16:
        return torch.bfloat16
    return torch.float16 if cfg.training.fp16 else torch.float32


def _bnb_config(compute_dtype):
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute_dtype,
    )


def _local_rank() -> int:
    import os

    return int(os.environ.get("LOCAL_RANK", "0"))


def model_source(cfg: TrainConfig, workspace: Path | None) -> str:
    """What to pass to from_pretrained: the local folder (checked) or the hub id."""
    from core.config import local_model_path

    local = local_model_path(cfg.base_model, workspace)
    if local is None:
        return cfg.base_model
    if not (local / "config.json").is_file():
        what = "is not a model folder (no config.json)" if local.exists() else "not found"
        raise StudioError(
            f"base model folder {what}: {local}",
            where="base_model",
            hint="give a Hugging Face model folder or hub id, or set build_tiny_if_missing: true",
        )
    return str(local)
