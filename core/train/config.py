"""The training config: schema, validation, YAML files, form values and paths."""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import StudioError
from core.fsutil import atomic_write_text
from core.models.registry import FAMILIES, REASONING_EFFORTS
from core.workspace import REPO_ROOT, workspace_root

# The form's groups, in display order, with the label the studio shows.
GROUPS: dict[str, str] = {
    "model": "Model",
    "data": "Data",
    "lora": "LoRA adapter",
    "optimisation": "Optimisation",
    "schedule": "Schedule",
    "logging": "Logging and evaluation",
    "output": "Output and checkpoints",
    "hardware": "Hardware: several GPUs or machines",
}


BACKENDS = ("auto", "unsloth", "hf", "cpu")


OPTIMIZERS = (
    "adamw_torch",
    "adamw_torch_fused",
    "adamw_8bit",
    "paged_adamw_8bit",
    "adafactor",
    "sgd",
)


SCHEDULERS = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
)


# How the processes of a run share the work (core.train.launch writes accelerate's config for each).
STRATEGIES = ("single", "ddp", "fsdp", "deepspeed-zero2", "deepspeed-zero3")


# Every Linear layer name and fused expert weight a registry family offers LoRA (form choices).
LORA_MODULES = tuple(dict.fromkeys(m for f in FAMILIES.values() for m in f.lora_modules))
LORA_PARAMETERS = tuple(dict.fromkeys(p for f in FAMILIES.values() for p in f.lora_parameters))
DENSE_MODULES = FAMILIES["llama"].lora_modules


def _f(default: Any, help: str, group: str, label: str, **rules: Any) -> Any:
    """A dataclass field whose metadata holds its label, help text, form group and rules."""
    return field(default=default, metadata={"help": help, "group": group, "label": label, **rules})


@dataclass
class LoraSettings:
    """The LoRA adapter: rank, scaling, dropout, which layers and expert weights."""

    r: int = _f(
        8, "Adapter rank: more capacity, more memory.", "lora", "Adapter rank", min=1, max=1024
    )
    alpha: int = _f(
        16,
        "Scaling of the adapter's update (often 2 × r).",
        "lora",
        "Adapter scale (alpha)",
        min=1,
        max=4096,
    )
    dropout: float = _f(
        0.0,
        "Dropout on the adapter's input while training.",
        "lora",
        "Adapter dropout",
        min=0.0,
        lt=1.0,
    )
    target_modules: list[str] = field(
        default_factory=lambda: list(DENSE_MODULES),
        metadata={
            "help": "Layers that get an adapter (attention: q/k/v/o_proj; MLP: gate/up/down_proj; "
            "Phi: qkv_proj, gate_up_proj). A name the model does not have is an error.",
            "group": "lora",
            "label": "Layers with an adapter",
        },
    )
    target_parameters: list[str] = field(
        default_factory=list,
        metadata={
            "help": "Fused expert weights that get an adapter too (mixture-of-experts models such as "
            "gpt-oss and Qwen3-MoE: mlp.experts.gate_up_proj, mlp.experts.down_proj); empty for none.",
            "group": "lora",
            "label": "Expert weights with an adapter",
            "empty_ok": True,
        },
    )


@dataclass
class TrainingSettings:
    """Data, optimisation, schedule, logging and checkpoints (the seed's `training:` section)."""

    dataset_path: str = _f(
        "data/prepared/train_harmony.jsonl",
        "Training conversations (Harmony JSONL from data_prep).",
        "data",
        "Training data file",
        kind="path",
    )
    eval_dataset_path: str | None = _f(
        None,
        "Held-out conversations for the eval loss; empty for none.",
        "data",
        "Validation data file",
        kind="path",
    )
    num_train_epochs: float = _f(
        1.0, "Passes over the training set.", "schedule", "Epochs", gt=0.0, max=1000.0
    )
    max_steps: int = _f(
        -1,
        "Stop after this many optimisation steps; -1 uses the epochs.",
        "schedule",
        "Stop after steps",
        min=-1,
    )
    per_device_train_batch_size: int = _f(
        1,
        "Examples per forward pass on each device.",
        "optimisation",
        "Batch size",
        min=1,
        max=4096,
    )
    gradient_accumulation_steps: int = _f(
        4,
        "Forward passes summed into one optimisation step.",
        "optimisation",
        "Batches per step (gradient accumulation)",
        min=1,
        max=4096,
    )
    learning_rate: float = _f(
        2e-4,
        "Step size of the optimiser. A real model with LoRA: 1e-4 to 3e-4; the tiny CPU demo model "
        "learns in a few steps only with a larger one (its config uses 5e-3).",
        "optimisation",
        "Learning rate",
        gt=0.0,
        max=1.0,
    )
    optimizer: str = _f(
        "adamw_8bit",
        "Optimiser; 8-bit variants need a CUDA GPU (the CPU backend uses adamw_torch).",
        "optimisation",
        "Optimiser",
        choices=OPTIMIZERS,
    )
    lr_scheduler_type: str = _f(
        "linear",
        "How the learning rate changes over the run.",
        "schedule",
        "Learning-rate schedule",
        choices=SCHEDULERS,
    )
    warmup_ratio: float = _f(
        0.05,
        "Share of the steps spent ramping the learning rate up.",
        "schedule",
        "Warm-up share",
        min=0.0,
        lt=1.0,
    )
    weight_decay: float = _f(
        0.01, "Pull of the weights towards zero.", "optimisation", "Weight decay", min=0.0, max=1.0
    )
    max_grad_norm: float = _f(
        1.0,
        "Clip gradients to this norm; 0 turns clipping off.",
        "optimisation",
        "Gradient clipping",
        min=0.0,
    )
    logging_steps: int = _f(
        10,
        "Record loss and learning rate every this many steps.",
        "logging",
        "Log every (steps)",
        min=1,
    )
    eval_steps: int = _f(
        100,
        "Compute the eval loss every this many steps.",
        "logging",
        "Evaluate every (steps)",
        min=1,
    )
    save_steps: int = _f(
        100, "Save a checkpoint every this many steps.", "output", "Checkpoint every (steps)", min=1
    )
    save_total_limit: int = _f(
        3, "Keep at most this many checkpoints.", "output", "Checkpoints kept", min=1, max=1000
    )
    fp16: bool = _f(
        True, "float16 mixed precision on a GPU (ignored on CPU).", "optimisation", "float16 on GPU"
    )
    bf16: bool = _f(
        False,
        "bfloat16 mixed precision on a recent GPU (ignored on CPU).",
        "optimisation",
        "bfloat16 on GPU",
    )
    seed: int = _f(
        3407,
        "Random seed: same seed, same data order and adapter start.",
        "optimisation",
        "Random seed",
        min=0,
    )
    packing: bool = _f(
        False,
        "Pack short examples into full-length sequences: no padding; pays off on GPUs with flash attention (slower on CPU).",
        "data",
        "Pack examples together",
    )
    assistant_only_loss: bool = _f(
        True,
        "Learn from the assistant's answers only, not from the prompts.",
        "data",
        "Learn from answers only",
    )
    gradient_checkpointing: bool = _f(
        True,
        "Recompute activations in the backward pass: less memory, about 25% slower.",
        "optimisation",
        "Save memory (gradient checkpointing)",
    )


@dataclass
class OutputSettings:
    """Where a command-line run and its merged model go."""

    output_dir: str = _f(
        "outputs/gpt-oss-20b-ahk-lora",
        "Run folder when training from the command line without --run-dir.",
        "output",
        "Run folder",
        kind="path",
    )
    merged_dir: str = _f(
        "outputs/gpt-oss-20b-ahk-merged",
        "Where the merged full model is written.",
        "output",
        "Merged model folder",
        kind="path",
    )


@dataclass
class HardwareSettings:
    """How many processes train, how they share the model, and the machines they run on."""

    processes: int = _f(
        1,
        "Training processes on this machine: one per GPU (the plan shows how many this machine "
        "has). On the CPU, several processes share its cores.",
        "hardware",
        "Processes (GPUs) on this machine",
        min=1,
        max=64,
    )
    strategy: str = _f(
        "single",
        "single: one process. ddp: each process holds the whole model and trains on its share of "
        "each batch (the model fits one GPU). fsdp: the weights, gradients and optimiser state are "
        "split across the processes (the model does not fit one GPU). deepspeed-zero2 splits "
        "gradients and optimiser state, deepspeed-zero3 the weights too; DeepSpeed runs on CUDA "
        "GPUs only and needs `pip install deepspeed`.",
        "hardware",
        "How processes share the work",
        choices=STRATEGIES,
    )
    cpu_offload: bool = _f(
        False,
        "Keep what FSDP or DeepSpeed splits in CPU memory between uses: fits bigger models, "
        "trains slower.",
        "hardware",
        "Offload to CPU memory (FSDP, DeepSpeed)",
    )
    machines: int = _f(
        1,
        "Machines that train together; each runs the same command with its own rank.",
        "hardware",
        "Machines",
        min=1,
        max=1024,
    )
    machine_rank: int = _f(
        0,
        "This machine's number among them: 0 on the main machine, then 1, 2, ….",
        "hardware",
        "This machine's rank",
        min=0,
    )
    main_address: str = _f(
        "127.0.0.1",
        "The main machine's address (IP or host name) that every machine can reach.",
        "hardware",
        "Main machine's address",
    )
    main_port: int = _f(
        29500,
        "A free port on the main machine for the processes of several machines to meet on (on "
        "one machine the run picks a free port itself).",
        "hardware",
        "Main machine's port",
        min=1024,
        max=65535,
    )

    @property
    def world_size(self) -> int:
        """Processes on all machines together."""
        return self.processes * self.machines

    @property
    def launched(self) -> bool:
        """Whether the run starts through `accelerate launch` (every strategy but single)."""
        return self.strategy != "single"


@dataclass
class TrainConfig:
    """A whole training config: the model fields at the top, then the three sections."""

    base_model: str = _f(
        "openai/gpt-oss-20b",
        "Hugging Face model id or a local model folder (workspace/... is inside the workspace).",
        "model",
        "Base model",
    )
    build_tiny_if_missing: bool = _f(
        False,
        "Build the local demo model (core.models.tiny, trained on the bundled corpus) when the base model folder is missing.",
        "model",
        "Build the demo model if missing",
    )
    max_seq_length: int = _f(
        1024,
        "Longest example in tokens; longer ones are cut.",
        "model",
        "Longest example (tokens)",
        min=16,
        max=262144,
    )
    load_in_4bit: bool = _f(
        True,
        "Load the base model in 4-bit (QLoRA): about a quarter of the memory.",
        "model",
        "Load in 4-bit (QLoRA)",
    )
    backend: str = _f(
        "auto",
        "auto picks unsloth (CUDA + unsloth), then hf (CUDA), then cpu.",
        "model",
        "Training backend",
        choices=BACKENDS,
    )
    reasoning_effort: str = _f(
        "medium",
        "gpt-oss's reasoning level, written into every record by its chat template (other families ignore it).",
        "model",
        "Reasoning effort (gpt-oss)",
        choices=REASONING_EFFORTS,
    )
    lora: LoraSettings = field(default_factory=LoraSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    hardware: HardwareSettings = field(default_factory=HardwareSettings)


SECTIONS: dict[str, type] = {
    "lora": LoraSettings,
    "training": TrainingSettings,
    "output": OutputSettings,
    "hardware": HardwareSettings,
}


@dataclass(frozen=True)
class FieldSpec:
    """One form field: where it lives in the YAML, its type, range, choices, help and group."""

    key: str  # dotted: "training.learning_rate"; top-level fields have no dot
    label: str
    kind: str  # int | float | bool | str | path | choice | list
    default: Any
    help: str
    group: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_min: bool = False
    exclusive_max: bool = False
    choices: tuple[str, ...] | None = None
    optional: bool = False
    empty_ok: bool = False  # a list that may be empty

    def range_text(self) -> str:
        """The allowed range in words, e.g. '> 0 and <= 1' ('' when unbounded)."""
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.exclusive_min else '>='} {_fmt(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.exclusive_max else '<='} {_fmt(self.maximum)}")
        return " and ".join(parts)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def _spec(prefix: str, f: dataclasses.Field, annotation: str) -> FieldSpec:
    meta = f.metadata
    optional = "None" in annotation
    base = annotation.replace("| None", "").strip()
    kind = meta.get("kind") or ("choice" if "choices" in meta else base)
    kind = "list" if base.startswith("list") else kind
    factory = f.default_factory
    default = factory() if callable(factory) else f.default
    minimum, maximum = meta.get("min", meta.get("gt")), meta.get("max", meta.get("lt"))
    return FieldSpec(
        key=f"{prefix}{f.name}",
        label=meta["label"],
        kind=kind,
        default=default,
        help=meta["help"],
        group=meta["group"],
        minimum=minimum,
        maximum=maximum,
        exclusive_min="gt" in meta,
        exclusive_max="lt" in meta,
        choices=tuple(meta["choices"]) if "choices" in meta else None,
        optional=optional,
        empty_ok=bool(meta.get("empty_ok")),
    )


def config_schema() -> list[FieldSpec]:
    """Every field of the config in file order: what the studio builds its form from."""
    specs = []
    for f in dataclasses.fields(TrainConfig):
        if f.name in SECTIONS:
            specs += [
                _spec(f"{f.name}.", sf, str(sf.type)) for sf in dataclasses.fields(SECTIONS[f.name])
            ]
        else:
            specs.append(_spec("", f, str(f.type)))
    return specs


SCHEMA: dict[str, FieldSpec] = {spec.key: spec for spec in config_schema()}


@dataclass(frozen=True)
class Problem:
    """A field-level validation message: `training.learning_rate: must be > 0, got -1`."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


_TRUE = {"true", "yes", "on", "1"}


_FALSE = {"false", "no", "off", "0"}


def coerce(spec: FieldSpec, value: Any) -> Any:
    """Turn a YAML or form value into the field's type and check its range; ValueError says why."""
    if value is None and spec.empty_ok:
        return []
    if value is None or (isinstance(value, str) and not value.strip() and spec.kind != "list"):
        if spec.optional:
            return None
        raise ValueError("must not be empty")
    if spec.kind == "bool":
        return _to_bool(value)
    if spec.kind in ("int", "float"):
        number = _to_number(value, integer=spec.kind == "int")
        _check_range(spec, number)
        return number
    if spec.kind == "list":
        items = value.replace(",", " ").split() if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise ValueError(f"must be a list of names, got {_fmt(value)}")
        if not items and not spec.empty_ok:
            raise ValueError("must name at least one")
        return [i.strip() for i in items]
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError(f"must be text, got {_fmt(value)}")
    text = str(value).strip()
    if spec.choices is not None:
        if text.lower() not in spec.choices:
            raise ValueError(f"must be one of {', '.join(spec.choices)}; got {text!r}")
        return text.lower()
    return text


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"must be true or false, got {_fmt(value)}")


def _to_number(value: Any, integer: bool) -> int | float:
    word = "a whole number" if integer else "a number"
    if isinstance(value, bool):
        raise ValueError(f"must be {word}, got {value}")
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be {word}, got {_fmt(value)}") from None
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, got {_fmt(value)}")
    if integer:
        if not number.is_integer():
            raise ValueError(f"must be a whole number, got {_fmt(value)}")
        return int(number)
    return number


def _check_range(spec: FieldSpec, number: float) -> None:
    low, high = spec.minimum, spec.maximum
    too_low = low is not None and (number <= low if spec.exclusive_min else number < low)
    too_high = high is not None and (number >= high if spec.exclusive_max else number > high)
    if too_low or too_high:
        bound = spec.range_text().split(" and ")[0 if too_low else -1]
        raise ValueError(f"must be {bound}, got {_fmt(number)}")


def _unknown(key: str, known: list[str]) -> Problem:
    name = key.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return Problem(key, f"unknown key{hint}")


def _check_section(prefix: str, data: Any, cls: type) -> tuple[dict[str, Any], list[Problem]]:
    names = [f.name for f in dataclasses.fields(cls)]
    if not isinstance(data, Mapping):
        return {}, [Problem(prefix.rstrip("."), "must be a section of `key: value` lines")]
    values, problems = {}, []
    for key, value in data.items():
        if key not in names or f"{prefix}{key}" not in SCHEMA:
            problems.append(_unknown(f"{prefix}{key}", names))
            continue
        try:
            values[key] = coerce(SCHEMA[f"{prefix}{key}"], value)
        except ValueError as err:
            problems.append(Problem(f"{prefix}{key}", str(err)))
    return values, problems


def check_config(data: Any) -> tuple[TrainConfig | None, list[Problem]]:
    """Validate a nested mapping (parsed YAML); the config, or None and every problem found."""
    if not isinstance(data, Mapping):
        return None, [Problem("config", "must be a mapping of `key: value` lines")]
    top = {k: v for k, v in data.items() if k not in SECTIONS}
    values, problems = _check_section("", top, TrainConfig)
    sections = {}
    for name, cls in SECTIONS.items():
        section, found = _check_section(f"{name}.", data.get(name) or {}, cls)
        sections[name] = cls(**section)
        problems += found
    cfg = TrainConfig(**values, **sections)
    if cfg.training.fp16 and cfg.training.bf16:
        problems.append(Problem("training.bf16", "fp16 and bf16 cannot both be on"))
    problems += hardware_problems(cfg)
    return (None, problems) if problems else (cfg, [])


_LOCAL_ADDRESSES = ("", "127.0.0.1", "localhost", "::1")


def hardware_problems(cfg: TrainConfig) -> list[Problem]:
    """The combinations of the hardware section that cannot run, each with what to pick instead."""
    hw, found = cfg.hardware, []

    def refuse(name: str, message: str) -> None:
        found.append(Problem(f"hardware.{name}", message))

    if hw.strategy == "single" and hw.world_size > 1:
        refuse(
            "strategy",
            f"single trains one process, not {hw.world_size}: pick ddp when the model fits one "
            "GPU, fsdp or deepspeed when it does not, or set processes and machines to 1",
        )
    if hw.strategy == "ddp" and hw.world_size == 1:
        refuse("strategy", "ddp needs 2 or more processes: raise processes, or pick single")
    if hw.cpu_offload and hw.strategy in ("single", "ddp"):
        refuse("cpu_offload", "only fsdp and deepspeed offload: pick one of them, or turn this off")
    if hw.strategy == "deepspeed-zero3" and cfg.load_in_4bit:
        refuse(
            "strategy",
            "DeepSpeed ZeRO-3 cannot split 4-bit (QLoRA) weights: pick deepspeed-zero2 or fsdp, "
            "or turn off Load in 4-bit",
        )
    if hw.strategy.startswith("deepspeed") and cfg.backend == "cpu":
        refuse("strategy", "DeepSpeed runs on CUDA GPUs only: on the CPU pick ddp or fsdp")
    if hw.launched and hw.strategy != "ddp" and cfg.backend == "unsloth":
        refuse(
            "strategy",
            f"Unsloth does not train under {hw.strategy}: pick backend hf (or auto), or "
            "strategy ddp or single",
        )
    if hw.machine_rank >= hw.machines:
        refuse("machine_rank", f"must be below the number of machines ({hw.machines})")
    if hw.machines > 1 and hw.main_address.strip() in _LOCAL_ADDRESSES:
        refuse(
            "main_address",
            f"{hw.main_address or 'empty'} is this machine only: give the main machine's address "
            "that the other machines can reach",
        )
    return found


def parse_config(data: Any, where: str | None = None) -> TrainConfig:
    """A valid config from a nested mapping, or a StudioError listing every problem."""
    cfg, problems = check_config(data)
    if cfg is None:
        count = f"{len(problems)} problems: " if len(problems) > 1 else ""
        raise StudioError(count + "; ".join(map(str, problems)), where=where)
    return cfg


def config_to_dict(cfg: TrainConfig) -> dict[str, Any]:
    """The nested mapping that `save_config` writes (the seed's layout)."""
    return dataclasses.asdict(cfg)


def _read_yaml(path: Path) -> Any:
    """The parsed YAML of a config file; StudioError when it is missing, unreadable or empty."""
    if not path.is_file():
        raise StudioError(f"config file not found: {path}", hint="give the path of a .yaml config")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else "?"
        raise StudioError(f"line {line}: not valid YAML ({err.problem})", where=str(path)) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise StudioError(f"not a readable YAML file ({err})", where=str(path)) from None
    if data is None:
        raise StudioError("the config file is empty", where=str(path))
    return data


def load_config(path: str | Path) -> TrainConfig:
    """Read and validate a YAML config; StudioError names the file and each bad field."""
    return parse_config(_read_yaml(Path(path)), where=str(path))


def list_configs(config_dir: str | Path) -> list[Path]:
    """The training configs among `config_dir/*.yaml`, by name: readable mappings with a
    `base_model` or a `training` section (so normalize.yaml and broken files are left out)."""
    found = []
    for path in sorted(Path(config_dir).glob("*.yaml")):
        try:
            data = _read_yaml(path)
        except StudioError:
            continue
        if isinstance(data, Mapping) and ("base_model" in data or "training" in data):
            found.append(path)
    return found


def load_values(path: str | Path) -> tuple[dict[str, Any], list[Problem]]:
    """A config file as form values ({dotted key: value}) and its problems: a valid file gives
    its values and no problem; one with bad fields gives the defaults overlaid with every value
    it names (bad ones raw, so a person sees what to fix) and a Problem per bad field. A file
    that is missing, not YAML, or not a mapping is a StudioError."""
    data = _read_yaml(Path(path))
    cfg, problems = check_config(data)
    if cfg is not None:
        return config_values(cfg), []
    if not isinstance(data, Mapping):
        raise StudioError("; ".join(map(str, problems)), where=str(path))
    values = config_values(TrainConfig())
    for key in SCHEMA:
        section, _, name = key.rpartition(".")
        holder = data.get(section) if section else data
        if isinstance(holder, Mapping) and name in holder:
            values[key] = holder[name]
    return values, problems


def save_config(cfg: TrainConfig, path: str | Path) -> None:
    """Write the config as YAML atomically; `load_config` reads back an equal config."""
    text = yaml.safe_dump(config_to_dict(cfg), sort_keys=False, allow_unicode=True)
    atomic_write_text(Path(path), text)


def config_values(cfg: TrainConfig) -> dict[str, Any]:
    """The config as {dotted key: value}, in schema order (what the form shows)."""
    nested = config_to_dict(cfg)
    return {key: _lookup(nested, key) for key in SCHEMA}


def _lookup(nested: Mapping[str, Any], key: str) -> Any:
    section, _, name = key.rpartition(".")
    return nested[section][name] if section else nested[name]


def _nest(values: Mapping[str, Any], nested: dict[str, Any]) -> dict[str, Any]:
    """{dotted key: value} put into the nested mapping of the YAML's layout."""
    for key, value in values.items():
        section, _, name = key.rpartition(".")
        target = nested.setdefault(section, {}) if section else nested
        if not isinstance(target, dict):
            raise StudioError(f"{key}: unknown key")
        target[name] = value
    return nested


def check_values(values: Mapping[str, Any]) -> tuple[TrainConfig | None, list[Problem]]:
    """Validate {dotted key: value} (what the studio's form holds, strings coerced): the config,
    or None and every problem found, per field."""
    return check_config(_nest(values, {}))


def with_values(cfg: TrainConfig, values: Mapping[str, Any]) -> TrainConfig:
    """A copy of `cfg` with {dotted key: value} applied (form strings coerced), validated."""
    return parse_config(_nest(values, config_to_dict(cfg)))


@dataclass(frozen=True)
class Preset:
    """Named values the studio applies over a config."""

    label: str
    description: str
    values: dict[str, Any]


PRESETS: dict[str, Preset] = {
    "quick": Preset(
        "Quick smoke test",
        "20 steps, logged every step: checks the whole pipeline in a minute or two.",
        {
            "training.max_steps": 20,
            "training.logging_steps": 1,
            "training.eval_steps": 10,
            "training.save_steps": 10,
        },
    ),
    "standard": Preset(
        "Standard",
        "3 epochs at the usual LoRA learning rate with a short warm-up.",
        {
            "training.max_steps": -1,
            "training.num_train_epochs": 3.0,
            "training.learning_rate": 2e-4,
            "training.warmup_ratio": 0.05,
            "training.lr_scheduler_type": "linear",
            "training.logging_steps": 5,
            "training.eval_steps": 25,
            "training.save_steps": 50,
        },
    ),
    "thorough": Preset(
        "Thorough",
        "6 epochs, a wider adapter (r 16) and a gentler cosine schedule.",
        {
            "training.max_steps": -1,
            "training.num_train_epochs": 6.0,
            "training.learning_rate": 1e-4,
            "training.warmup_ratio": 0.1,
            "training.lr_scheduler_type": "cosine",
            "lora.r": 16,
            "lora.alpha": 32,
            "training.logging_steps": 5,
            "training.eval_steps": 25,
            "training.save_steps": 50,
        },
    ),
}


def preset_values(name: str) -> dict[str, Any]:
    """The dotted-key values the named preset sets."""
    if name not in PRESETS:
        raise StudioError(f"unknown preset {name!r}", hint=f"choose one of {', '.join(PRESETS)}")
    return dict(PRESETS[name].values)


def apply_preset(cfg: TrainConfig, name: str) -> TrainConfig:
    """A copy of `cfg` with the named preset's values applied."""
    return with_values(cfg, preset_values(name))


def resolve_path(value: str | Path, workspace: str | Path | None = None) -> Path:
    """A config path made absolute: `workspace/...` lies in the workspace, other relative paths
    in the repository (so a config means the same thing from any working directory)."""
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    if path.parts and path.parts[0] == "workspace":
        return workspace_root(workspace).joinpath(*path.parts[1:])
    return REPO_ROOT / path


def local_model_path(base_model: str, workspace: str | Path | None = None) -> Path | None:
    """The folder `base_model` names, or None when it is a hub id such as `openai/gpt-oss-20b`."""
    path = resolve_path(base_model, workspace)
    looks_local = base_model.startswith((".", "/", "~", "workspace/")) or base_model.count("/") > 1
    return path if path.exists() or looks_local else None
