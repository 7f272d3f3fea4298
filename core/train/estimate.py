"""What a run will cost before it starts: model shapes, trainable parameters, steps and memory."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from core.errors import StudioError
from core.models.registry import (
    FAMILIES,
    Architecture,
    Family,
    architecture_from_config,
    family_of_config,
    find_hub_model,
    hub_models,
)
from core.train.config import LoraSettings, TrainConfig, local_model_path


def find_architecture(cfg: TrainConfig, workspace: str | Path | None = None) -> Architecture | None:
    """The base model's shapes: its config.json, the demo model's settings, or the registry."""
    local = local_model_path(cfg.base_model, workspace)
    if local is not None and (local / "config.json").is_file():
        return architecture_from_config(json.loads((local / "config.json").read_text("utf-8")))
    if local is not None and cfg.build_tiny_if_missing:
        from core.models.tiny import MODEL_SHAPE

        return architecture_from_config(MODEL_SHAPE)
    found = find_hub_model(cfg.base_model)
    return found[1].arch if found else None


def find_family(cfg: TrainConfig, workspace: str | Path | None = None) -> Family | None:
    """The base model's registry family: from its config.json, the demo, or its hub id."""
    local = local_model_path(cfg.base_model, workspace)
    if local is not None and (local / "config.json").is_file():
        return family_of_config(json.loads((local / "config.json").read_text("utf-8")))
    if local is not None and cfg.build_tiny_if_missing:
        return FAMILIES["demo"]
    found = find_hub_model(cfg.base_model)
    return found[0] if found else None


def trainable_params(arch: Architecture, lora: LoraSettings) -> int:
    """LoRA parameters on `arch`: r × (in + out) per adapted Linear layer, and r × experts ×
    (in + out) per fused expert weight (PEFT's target_parameters adapts every expert)."""
    shapes = arch.linear_shapes()
    names = shapes if "all-linear" in lora.target_modules else lora.target_modules
    per_block = sum(lora.r * sum(shapes[name]) for name in names if name in shapes)
    experts = arch.expert_shapes()
    per_block += sum(
        lora.r * e * (a + b)
        for name, (e, a, b) in experts.items()
        if name in lora.target_parameters
    )
    return per_block * arch.layers


def planned_steps(cfg: TrainConfig, num_examples: int, world_size: int | None = None) -> int:
    """Optimisation steps a run takes on `num_examples` (before packing), as the Trainer counts:
    each step takes processes × batch × accumulation examples (the config's processes unless
    `world_size` is given)."""
    t = cfg.training
    if t.max_steps > 0:
        return t.max_steps
    per_device = math.ceil(num_examples / (world_size or cfg.hardware.world_size))
    batches = math.ceil(per_device / t.per_device_train_batch_size)
    per_epoch = max(math.ceil(batches / t.gradient_accumulation_steps), 1)
    return math.ceil(t.num_train_epochs * per_epoch)


GIB = 1024**3


OPTIMIZER_BYTES = {"adamw_8bit": 2, "paged_adamw_8bit": 2, "adafactor": 4, "sgd": 0}


# What each strategy splits across the processes, and what its CPU offload moves to CPU memory.
SHARDED = {
    "single": (),
    "ddp": (),
    "fsdp": ("weights", "adapter", "gradients", "optimizer"),
    "deepspeed-zero2": ("gradients", "optimizer"),
    "deepspeed-zero3": ("weights", "adapter", "gradients", "optimizer"),
}
OFFLOADED = {
    "fsdp": ("weights", "adapter", "gradients", "optimizer"),
    "deepspeed-zero2": ("gradients", "optimizer"),
    "deepspeed-zero3": ("weights", "adapter", "optimizer"),
}


@dataclass(frozen=True)
class MemoryEstimate:
    """Approximate peak memory of one training device, in bytes, by part."""

    total_params: int
    trainable_params: int
    weights: int
    adapter: int  # LoRA weights and their gradients, float32
    optimizer: int
    activations: int
    overhead: int
    notes: tuple[str, ...] = ()
    offloaded: int = 0  # moved to CPU memory (per process) by FSDP's or DeepSpeed's offload

    @property
    def total(self) -> int:
        """All parts together, in bytes."""
        return self.weights + self.adapter + self.optimizer + self.activations + self.overhead

    def rows(self) -> list[tuple[str, float]]:
        """(part, GiB) rows for a table, the total last."""
        parts = ("weights", "adapter", "optimizer", "activations", "overhead", "total")
        return [(part, round(getattr(self, part) / GIB, 2)) for part in parts]


def estimate_memory(
    cfg: TrainConfig, workspace: str | Path | None = None, backend: str | None = None
) -> MemoryEstimate:
    """Weights as the backend holds them + LoRA + optimiser state + activations for batch ×
    length. `backend` (unsloth | hf | cpu) decides what 4-bit means for MXFP4 checkpoints."""
    arch = find_architecture(cfg, workspace)
    if arch is None:
        known = ", ".join(m.hub_id for _, m in hub_models())
        raise StudioError(
            f"cannot estimate memory for {cfg.base_model!r}: no config.json and not in the registry",
            hint=f"known: {known}; or use a local model folder",
        )
    fam = find_family(cfg, workspace)
    t = cfg.training
    compute = 2 if (t.fp16 or t.bf16) and backend != "cpu" else 4
    weights, notes = _weight_bytes(arch, fam, cfg.load_in_4bit, compute, backend)
    trainable = trainable_params(arch, cfg.lora)
    parts = {
        "weights": weights,
        "adapter": trainable * 4,
        "gradients": trainable * 4,
        "optimizer": trainable * OPTIMIZER_BYTES.get(t.optimizer, 8),
    }
    parts, offloaded, shared = _per_process(cfg, parts, arch.layers)
    return MemoryEstimate(
        total_params=arch.total_params(),
        trainable_params=trainable,
        weights=parts["weights"],
        adapter=parts["adapter"] + parts["gradients"],
        optimizer=parts["optimizer"],
        activations=_activation_bytes(arch, cfg, compute),
        overhead=GIB,
        notes=(*notes, *shared, "approximate: real use varies with kernels and allocator"),
        offloaded=offloaded,
    )


def _per_process(
    cfg: TrainConfig, parts: dict[str, int], layers: int
) -> tuple[dict[str, int], int, list[str]]:
    """The parts one process holds under the config's strategy: the sharded ones divided by the
    processes (weights stay whole for one block at a time, gathered to compute it), the
    offloaded ones moved to CPU memory; (parts, bytes offloaded, notes)."""
    hw = cfg.hardware
    sharded = SHARDED[hw.strategy] if hw.world_size > 1 else ()
    kept, notes = dict(parts), []
    for part in sharded:
        kept[part] = math.ceil(parts[part] / hw.world_size)
        if part == "weights":
            kept[part] += math.ceil(parts[part] / max(layers, 1))  # one block gathered
    if sharded:
        notes.append(f"{', '.join(sharded)} split over {hw.world_size} processes ({hw.strategy})")
    gone = OFFLOADED.get(hw.strategy, ()) if hw.cpu_offload else ()
    offloaded = sum(kept[part] for part in gone)
    for part in gone:
        kept[part] = math.ceil(parts[part] / max(layers, 1)) if part == "weights" else 0
    if gone:
        notes.append(f"{', '.join(gone)} offloaded to CPU memory")
    return kept, offloaded, notes


NF4_BYTES = 0.53  # half a byte a weight plus block scales (double quantisation)


def _weight_bytes(
    arch: Architecture, fam: Family | None, four_bit: bool, compute: int, backend: str | None
) -> tuple[int, list[str]]:
    """Bytes of the base weights in memory and what decided them."""
    total, embeddings, experts = arch.total_params(), arch.embedding_params(), arch.expert_params()
    if not four_bit:
        return total * compute, []
    if fam is not None and fam.quantisation == "mxfp4" and backend != "unsloth":
        # transformers cannot train MXFP4: the hf and cpu backends dequantise the experts
        nf4 = total - embeddings - experts
        note = "MXFP4 experts are dequantised to bf16 for training (unsloth keeps them in 4-bit)"
        return int(nf4 * NF4_BYTES) + (embeddings + experts) * compute, [note]
    if experts and not (fam is not None and fam.quantisation == "mxfp4"):
        # bitsandbytes quantises Linear layers, not fused experts (unsloth's NF4 copy: gpt-oss only)
        nf4 = total - embeddings - experts
        note = "fused expert weights are not Linear layers: bitsandbytes leaves them at full size"
        return int(nf4 * NF4_BYTES) + (embeddings + experts) * compute, [note]
    return int((total - embeddings) * NF4_BYTES) + embeddings * compute, []


def _activation_bytes(arch: Architecture, cfg: TrainConfig, compute: int) -> int:
    """Saved activations: about (6h + 3i) values per token per layer, or only each layer's input
    plus one layer recomputed under gradient checkpointing; plus the logits over the vocabulary."""
    tokens = cfg.training.per_device_train_batch_size * cfg.max_seq_length
    width = arch.intermediate * max(arch.active_experts, 1)
    per_layer = 6 * arch.hidden + 3 * width
    if cfg.training.gradient_checkpointing:
        per_token = arch.layers * arch.hidden + per_layer
    else:
        per_token = arch.layers * per_layer
    return tokens * (per_token * compute + arch.vocab * 4)
