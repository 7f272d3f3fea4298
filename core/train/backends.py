"""Training backends: which one runs (and why), and how each loads the base model with LoRA.

`unsloth` (CUDA and unsloth installed) → `hf` (CUDA: transformers + peft, bitsandbytes 4-bit)
→ `cpu` (LoRA on float32 weights, or on bitsandbytes 4-bit ones when asked). GPU-only packages
are imported only inside their backend; unsloth must be the first import of the training process,
so `choose_backend` only looks for it and `import_first` imports it before transformers. Asking
which backend would run never loads torch into a process that has not loaded it already (the
studio): `gpu_count` then asks a child process once.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import StudioError
from core.models import hardware
from core.train.config import TrainConfig

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


def gpu_count() -> int:
    """The CUDA GPUs torch sees (a rank of a distributed run: its own), from
    core.models.hardware: a process that has not imported torch asks a child process, so that
    asking never loads torch and CUDA into it."""
    return len(hardware.gpus())


def has_package(name: str) -> bool:
    """Whether `name` can be imported (without importing it)."""
    return importlib.util.find_spec(name) is not None


def choose_backend(cfg: TrainConfig) -> Backend:
    """The backend for `cfg` on this machine; an explicit one that cannot run is a StudioError."""
    wanted = cfg.backend
    gpus = 0 if wanted == "cpu" else gpu_count()
    cuda, unsloth = gpus > 0, has_package("unsloth")
    sharded = cfg.hardware.strategy not in ("single", "ddp")
    if wanted == "auto":
        if cuda and unsloth and sharded:
            backend = Backend(
                "hf",
                f"auto: a CUDA GPU is present; unsloth does not train under {cfg.hardware.strategy}",
            )
        elif cuda and unsloth:
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
    check_processes(cfg, backend, gpus)
    return backend


def check_processes(cfg: TrainConfig, backend: Backend, gpus: int) -> None:
    """StudioError when the hardware section asks for what this machine cannot run: DeepSpeed
    without a GPU or without deepspeed, more processes than GPUs (counted before the launch, not
    in each rank)."""
    hw = cfg.hardware
    if hw.strategy.startswith("deepspeed") and backend.on_cpu:
        raise StudioError(
            "DeepSpeed runs on CUDA GPUs only, and this run trains on the CPU",
            where="hardware.strategy",
            hint="pick ddp or fsdp: both run on the CPU too",
        )
    if hw.cpu_offload and backend.on_cpu:
        raise StudioError(
            "offload to CPU memory is for GPUs: this run trains on the CPU, in its memory already",
            where="hardware.cpu_offload",
            hint="turn the offload off",
        )
    if hw.strategy.startswith("deepspeed") and not has_package("deepspeed"):
        raise StudioError(
            "DeepSpeed is not installed", where="hardware.strategy", hint="pip install deepspeed"
        )
    in_rank = "LOCAL_RANK" in os.environ  # a rank sees its own GPU only; its launcher counted
    if not backend.on_cpu and hw.processes > gpus and not in_rank:
        raise StudioError(
            f"{hw.processes} processes, but this machine has {gpus} GPU{'s' * (gpus != 1)}",
            where="hardware.processes",
            hint=f"set processes to {gpus} or fewer (one per GPU)",
        )


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
    the model with its adapter already attached and no peft_config. Every LoRA target the config
    names is checked against the loaded model first."""
    if backend.name == "unsloth":
        return _load_unsloth(cfg, backend, model_path)
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM

    dtype = torch.float32 if backend.on_cpu else _gpu_dtype(cfg)
    kwargs: dict[str, Any] = {"dtype": dtype}
    four_bit = cfg.load_in_4bit
    if ships_mxfp4(model_path):  # transformers trains MXFP4 experts only once dequantised
        from transformers import Mxfp4Config  # type: ignore[attr-defined]

        kwargs["quantization_config"] = Mxfp4Config(dequantize=True)
        backend.notes.append(
            "MXFP4 expert weights dequantised for training (bitsandbytes not used)"
        )
        four_bit = False
    elif four_bit:
        kwargs["quantization_config"] = _bnb_config(dtype, cfg.hardware.strategy == "fsdp")
        backend.notes.append("base weights in 4-bit NF4 through bitsandbytes (QLoRA)")
    if not backend.on_cpu:
        kwargs["device_map"] = {"": _local_rank()}
    model: Any = AutoModelForCausalLM.from_pretrained(model_path, **kwargs)
    if backend.on_cpu and not four_bit:  # dequantised MXFP4 experts arrive in bf16 whatever
        model = model.to(dtype)  # dtype was asked (a bitsandbytes model cannot be cast)
    check_targets(model, cfg.lora, backend)
    if four_bit:
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
        target_parameters=list(lora.target_parameters) or None,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return model, load_tokenizer(cfg, model_path), peft_config


def load_tokenizer(cfg: TrainConfig, model_path: str, **kwargs: Any):
    """The base model's tokenizer with its chat template made deterministic: a fixed date where
    it writes today's, and the config's reasoning effort (gpt-oss)."""
    from transformers import AutoTokenizer

    from core.models.registry import deterministic_template

    tokenizer = AutoTokenizer.from_pretrained(model_path, **kwargs)
    if isinstance(tokenizer.chat_template, str):
        tokenizer.chat_template = deterministic_template(
            tokenizer.chat_template, cfg.reasoning_effort
        )
    return tokenizer


def ships_mxfp4(model_path: str) -> bool:
    """Whether a local checkpoint's config.json says its weights are MXFP4 (gpt-oss)."""
    import json

    config = Path(model_path) / "config.json"
    if not config.is_file():
        return False
    quant = json.loads(config.read_text(encoding="utf-8")).get("quantization_config") or {}
    return quant.get("quant_method") == "mxfp4"


def lora_candidates(model) -> tuple[list[str], list[str]]:
    """(Linear layer leaf names, fused 3-D weights by their name inside a block) of a model:
    what LoRA's target_modules and target_parameters can name."""
    import torch

    linear = {
        name.rsplit(".", 1)[-1]
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and not name.endswith("lm_head")
    }
    fused = {
        name.split(".layers.", 1)[-1].split(".", 1)[-1]
        for name, param in model.named_parameters()
        if param.dim() == 3 and ".layers." in name
    }
    return sorted(linear), sorted(fused)


def check_targets(model, lora, backend: Backend) -> None:
    """StudioError when the config names a layer or expert weight the model does not have
    (PEFT would skip it without a word); a note when a model's experts get no adapter."""
    linear, fused = lora_candidates(model)
    kind = getattr(model.config, "model_type", "this model")
    wanted = [m for m in lora.target_modules if m != "all-linear"]
    missing = [m for m in wanted if m not in linear]
    if missing:
        raise StudioError(
            f"lora.target_modules names {', '.join(missing)}, which {kind} does not have",
            where="lora.target_modules",
            hint=f"its Linear layers: {', '.join(linear)}"
            + (
                f"; its expert weights go in lora.target_parameters: {', '.join(fused)}"
                if fused
                else ""
            ),
        )
    missing = [p for p in lora.target_parameters if p not in fused]
    if missing:
        raise StudioError(
            f"lora.target_parameters names {', '.join(missing)}, which {kind} does not have",
            where="lora.target_parameters",
            hint=f"its fused expert weights: {', '.join(fused)}"
            if fused
            else f"leave it empty: {kind} has no fused expert weights",
        )
    if fused and not lora.target_parameters:
        backend.notes.append(f"the experts ({', '.join(fused)}) get no adapter: attention only")


def _load_unsloth(cfg: TrainConfig, backend: Backend, model_path: str):
    from unsloth import FastLanguageModel

    from core.models.registry import deterministic_template

    model, tokenizer = FastLanguageModel.from_pretrained(
        model_name=model_path,
        max_seq_length=cfg.max_seq_length,
        load_in_4bit=cfg.load_in_4bit,
        dtype=None,
    )
    check_targets(model, cfg.lora, backend)
    if isinstance(tokenizer.chat_template, str):
        tokenizer.chat_template = deterministic_template(
            tokenizer.chat_template, cfg.reasoning_effort
        )
    lora = cfg.lora
    model = FastLanguageModel.get_peft_model(
        model,
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=_targets(lora.target_modules),
        **({"target_parameters": list(lora.target_parameters)} if lora.target_parameters else {}),
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


def _bnb_config(compute_dtype, sharded: bool):
    """4-bit NF4 weights (QLoRA). Under FSDP the packed weights are stored in the compute dtype
    (bitsandbytes stores them as uint8 by default), as FSDP shards floating-point parameters of
    one dtype."""
    from transformers import BitsAndBytesConfig

    storage = {"bnb_4bit_quant_storage": compute_dtype} if sharded else {}
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute_dtype,
        **storage,
    )


def _local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def model_source(cfg: TrainConfig, workspace: Path | None) -> str:
    """What to pass to from_pretrained: the local folder (checked) or the hub id."""
    from core.train.config import local_model_path

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
