"""The training config: typed dataclasses whose fields carry their own help, range and form group.

One place defines every hyperparameter; YAML loading, validation, the studio's form, the memory
estimate and the run engine all read it. The seed's `config/sft.yaml` layout is the file format:
top-level `base_model`, `max_seq_length`, `load_in_4bit`, then sections `lora`, `training`, `output`.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import StudioError
from core.fsutil import atomic_write_text
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
LORA_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def _f(default: Any, help: str, group: str, **rules: Any) -> Any:
    """A dataclass field whose metadata holds help text, form group and validation rules."""
    return field(default=default, metadata={"help": help, "group": group, **rules})


@dataclass
class LoraSettings:
    """The LoRA adapter: rank, scaling, dropout, which layers."""

    r: int = _f(8, "Adapter rank: more capacity, more memory.", "lora", min=1, max=1024)
    alpha: int = _f(16, "Scaling of the adapter's update (often 2 × r).", "lora", min=1, max=4096)
    dropout: float = _f(
        0.0, "Dropout on the adapter's input while training.", "lora", min=0.0, lt=1.0
    )
    target_modules: list[str] = field(
        default_factory=lambda: list(LORA_MODULES),
        metadata={
            "help": "Layers that get an adapter (attention: q/k/v/o_proj; MLP: gate/up/down_proj).",
            "group": "lora",
        },
    )


@dataclass
class TrainingSettings:
    """Data, optimisation, schedule, logging and checkpoints (the seed's `training:` section)."""

    dataset_path: str = _f(
        "data/prepared/train_harmony.jsonl",
        "Training conversations (Harmony JSONL from data_prep).",
        "data",
        kind="path",
    )
    eval_dataset_path: str | None = _f(
        None, "Held-out conversations for the eval loss; empty for none.", "data", kind="path"
    )
    num_train_epochs: float = _f(
        1.0, "Passes over the training set.", "schedule", gt=0.0, max=1000.0
    )
    max_steps: int = _f(
        -1, "Stop after this many optimisation steps; -1 uses the epochs.", "schedule", min=-1
    )
    per_device_train_batch_size: int = _f(
        1, "Examples per forward pass on each device.", "optimisation", min=1, max=4096
    )
    gradient_accumulation_steps: int = _f(
        4, "Forward passes summed into one optimisation step.", "optimisation", min=1, max=4096
    )
    learning_rate: float = _f(
        2e-4, "Step size of the optimiser (LoRA: 1e-4 to 3e-4).", "optimisation", gt=0.0, max=1.0
    )
    optimizer: str = _f(
        "adamw_8bit",
        "Optimiser; 8-bit variants need a CUDA GPU (the CPU backend uses adamw_torch).",
        "optimisation",
        choices=OPTIMIZERS,
    )
    lr_scheduler_type: str = _f(
        "linear", "How the learning rate changes over the run.", "schedule", choices=SCHEDULERS
    )
    warmup_ratio: float = _f(
        0.05, "Share of the steps spent ramping the learning rate up.", "schedule", min=0.0, lt=1.0
    )
    weight_decay: float = _f(
        0.01, "Pull of the weights towards zero.", "optimisation", min=0.0, max=1.0
    )
    max_grad_norm: float = _f(
        1.0, "Clip gradients to this norm; 0 turns clipping off.", "optimisation", min=0.0
    )
    logging_steps: int = _f(
        10, "Record loss and learning rate every this many steps.", "logging", min=1
    )
    eval_steps: int = _f(100, "Compute the eval loss every this many steps.", "logging", min=1)
    save_steps: int = _f(100, "Save a checkpoint every this many steps.", "output", min=1)
    save_total_limit: int = _f(3, "Keep at most this many checkpoints.", "output", min=1, max=1000)
    fp16: bool = _f(True, "float16 mixed precision on a GPU (ignored on CPU).", "optimisation")
    bf16: bool = _f(
        False, "bfloat16 mixed precision on a recent GPU (ignored on CPU).", "optimisation"
    )
    seed: int = _f(
        3407, "Random seed: same seed, same data order and adapter start.", "optimisation", min=0
    )
    packing: bool = _f(
        False,
        "Pack short examples into full-length sequences: no padding; pays off on GPUs with flash attention (slower on CPU).",
        "data",
    )
    assistant_only_loss: bool = _f(
        True, "Learn from the assistant's answers only, not from the prompts.", "data"
    )
    gradient_checkpointing: bool = _f(
        True,
        "Recompute activations in the backward pass: less memory, about 25% slower.",
        "optimisation",
    )


@dataclass
class OutputSettings:
    """Where a command-line run and its merged model go."""

    output_dir: str = _f(
        "outputs/gpt-oss-20b-ahk-lora",
        "Run folder when training from the command line without --run-dir.",
        "output",
        kind="path",
    )
    merged_dir: str = _f(
        "outputs/gpt-oss-20b-ahk-merged",
        "Where the merged full model is written.",
        "output",
        kind="path",
    )


@dataclass
class TrainConfig:
    """A whole training config: the model fields at the top, then the three sections."""

    base_model: str = _f(
        "openai/gpt-oss-20b",
        "Hugging Face model id or a local model folder (workspace/... is inside the workspace).",
        "model",
    )
    build_tiny_if_missing: bool = _f(
        False,
        "Build the local demo model (core.tiny, trained on the bundled corpus) when the base model folder is missing.",
        "model",
    )
    max_seq_length: int = _f(
        1024, "Longest example in tokens; longer ones are cut.", "model", min=16, max=262144
    )
    load_in_4bit: bool = _f(
        True, "Load the base model in 4-bit (QLoRA): about a quarter of the memory.", "model"
    )
    backend: str = _f(
        "auto",
        "auto picks unsloth (CUDA + unsloth), then hf (CUDA), then cpu.",
        "model",
        choices=BACKENDS,
    )
    lora: LoraSettings = field(default_factory=LoraSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    output: OutputSettings = field(default_factory=OutputSettings)


SECTIONS: dict[str, type] = {
    "lora": LoraSettings,
    "training": TrainingSettings,
    "output": OutputSettings,
}


# ----------------------------------------------------------------------------- schema


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
    default = f.default_factory() if f.default is dataclasses.MISSING else f.default
    minimum, maximum = meta.get("min", meta.get("gt")), meta.get("max", meta.get("lt"))
    return FieldSpec(
        key=f"{prefix}{f.name}",
        label=f.name.replace("_", " ").capitalize(),
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
    )


def config_schema() -> list[FieldSpec]:
    """Every field of the config in file order: what the studio builds its form from."""
    specs = []
    for f in dataclasses.fields(TrainConfig):
        if f.name in SECTIONS:
            specs += [
                _spec(f"{f.name}.", sf, sf.type) for sf in dataclasses.fields(SECTIONS[f.name])
            ]
        else:
            specs.append(_spec("", f, f.type))
    return specs


SCHEMA: dict[str, FieldSpec] = {spec.key: spec for spec in config_schema()}


# ----------------------------------------------------------------------------- validation


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
        if not items:
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
    return (None, problems) if problems else (cfg, [])


def parse_config(data: Any, where: str | None = None) -> TrainConfig:
    """A valid config from a nested mapping, or a StudioError listing every problem."""
    cfg, problems = check_config(data)
    if cfg is None:
        count = f"{len(problems)} problems: " if len(problems) > 1 else ""
        raise StudioError(count + "; ".join(map(str, problems)), where=where)
    return cfg


# ----------------------------------------------------------------------------- files and form values


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


# ----------------------------------------------------------------------------- paths


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


# ----------------------------------------------------------------------------- size estimates


@dataclass(frozen=True)
class Architecture:
    """The shapes that decide a decoder's size (read from config.json or the table below)."""

    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    tied: bool = False
    experts: int = 0  # >0: a mixture of experts whose MLPs are not plain Linear layers

    def linear_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) of each Linear layer in one block that LoRA can target."""
        h, q, kv, i = (
            self.hidden,
            self.heads * self.head_dim,
            self.kv_heads * self.head_dim,
            self.intermediate,
        )
        shapes = {"q_proj": (h, q), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (q, h)}
        if not self.experts:
            shapes |= {"gate_proj": (h, i), "up_proj": (h, i), "down_proj": (i, h)}
        return shapes

    def block_params(self) -> int:
        """Parameters of one decoder block (attention, MLP or experts, norms)."""
        attention = sum(a * b for a, b in list(self.linear_shapes().values())[:4])
        mlp = 3 * self.hidden * self.intermediate * max(self.experts, 1)
        return attention + mlp + self.hidden * (2 + self.experts)

    def total_params(self) -> int:
        """Parameters of the whole model, embeddings included."""
        embeddings = self.vocab * self.hidden * (1 if self.tied else 2)
        return embeddings + self.layers * self.block_params() + self.hidden


# Public configs of models people fine-tune for code; keys match the start of a hub name.
ARCHITECTURES: dict[str, Architecture] = {
    "gpt-oss-20b": Architecture(2880, 24, 64, 8, 64, 2880, 201088, experts=32),
    "gpt-oss-120b": Architecture(2880, 36, 64, 8, 64, 2880, 201088, experts=128),
    "llama-3.1-8b": Architecture(4096, 32, 32, 8, 128, 14336, 128256),
    "meta-llama-3.1-8b": Architecture(4096, 32, 32, 8, 128, 14336, 128256),
    "qwen2.5-7b": Architecture(3584, 28, 28, 4, 128, 18944, 152064),
    "qwen2.5-coder-7b": Architecture(3584, 28, 28, 4, 128, 18944, 152064),
    "qwen2.5-coder-1.5b": Architecture(1536, 28, 12, 2, 128, 8960, 151936, tied=True),
    "mistral-7b": Architecture(4096, 32, 32, 8, 128, 14336, 32768),
}


def architecture_from_config(config: Mapping[str, Any]) -> Architecture:
    """The Architecture of a Hugging Face config.json mapping."""
    config = config.get("text_config") or config
    heads = config["num_attention_heads"]
    return Architecture(
        hidden=config["hidden_size"],
        layers=config["num_hidden_layers"],
        heads=heads,
        kv_heads=config.get("num_key_value_heads") or heads,
        head_dim=config.get("head_dim") or config["hidden_size"] // heads,
        intermediate=config["intermediate_size"],
        vocab=config["vocab_size"],
        tied=bool(config.get("tie_word_embeddings", False)),
        experts=config.get("num_local_experts") or config.get("num_experts") or 0,
    )


def find_architecture(cfg: TrainConfig, workspace: str | Path | None = None) -> Architecture | None:
    """The base model's shapes: its config.json, the demo model's settings, or the known table."""
    local = local_model_path(cfg.base_model, workspace)
    if local is not None and (local / "config.json").is_file():
        return architecture_from_config(json.loads((local / "config.json").read_text("utf-8")))
    if local is not None and cfg.build_tiny_if_missing:
        from core.tiny import MODEL_SHAPE

        return architecture_from_config(MODEL_SHAPE)
    name = cfg.base_model.rstrip("/").rsplit("/", 1)[-1].lower()
    matches = [key for key in ARCHITECTURES if name.startswith(key)]
    return ARCHITECTURES[max(matches, key=len)] if matches else None


def trainable_params(arch: Architecture, lora: LoraSettings) -> int:
    """LoRA parameters for `lora.target_modules` on `arch`: r × (in + out) per adapted layer."""
    shapes = arch.linear_shapes()
    names = shapes if "all-linear" in lora.target_modules else lora.target_modules
    per_block = sum(lora.r * sum(shapes[name]) for name in names if name in shapes)
    return per_block * arch.layers


def planned_steps(cfg: TrainConfig, num_examples: int, world_size: int = 1) -> int:
    """Optimisation steps a run takes on `num_examples` (before packing), as the Trainer counts."""
    t = cfg.training
    if t.max_steps > 0:
        return t.max_steps
    per_device = math.ceil(num_examples / world_size)
    batches = math.ceil(per_device / t.per_device_train_batch_size)
    per_epoch = max(math.ceil(batches / t.gradient_accumulation_steps), 1)
    return math.ceil(t.num_train_epochs * per_epoch)


GIB = 1024**3
OPTIMIZER_BYTES = {"adamw_8bit": 2, "paged_adamw_8bit": 2, "adafactor": 4, "sgd": 0}


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

    @property
    def total(self) -> int:
        """All parts together, in bytes."""
        return self.weights + self.adapter + self.optimizer + self.activations + self.overhead

    def rows(self) -> list[tuple[str, float]]:
        """(part, GiB) rows for a table, the total last."""
        parts = ("weights", "adapter", "optimizer", "activations", "overhead", "total")
        return [(part, round(getattr(self, part) / GIB, 2)) for part in parts]


def estimate_memory(cfg: TrainConfig, workspace: str | Path | None = None) -> MemoryEstimate:
    """Weights at the chosen precision + LoRA + optimiser state + activations for batch × length."""
    arch = find_architecture(cfg, workspace)
    if arch is None:
        raise StudioError(
            f"cannot estimate memory for {cfg.base_model!r}: no config.json and not a known model",
            hint=f"known: {', '.join(ARCHITECTURES)}; or use a local model folder",
        )
    t, notes = cfg.training, []
    compute = 2 if (t.fp16 or t.bf16) else 4
    total = arch.total_params()
    embeddings = arch.vocab * arch.hidden * (1 if arch.tied else 2)
    if cfg.load_in_4bit:  # NF4: half a byte plus block scales; embeddings stay at compute precision
        weights = int((total - embeddings) * 0.53) + embeddings * compute
    else:
        weights = total * compute
    trainable = trainable_params(arch, cfg.lora)
    if arch.experts and any(m in cfg.lora.target_modules for m in LORA_MODULES[4:]):
        notes.append("expert MLPs are not plain Linear layers: only attention gets adapters")
    activations = _activation_bytes(arch, cfg, compute)
    return MemoryEstimate(
        total_params=total,
        trainable_params=trainable,
        weights=weights,
        adapter=trainable * 8,
        optimizer=trainable * OPTIMIZER_BYTES.get(t.optimizer, 8),
        activations=activations,
        overhead=GIB,
        notes=(*notes, "approximate: real use varies with kernels and allocator"),
    )


def _activation_bytes(arch: Architecture, cfg: TrainConfig, compute: int) -> int:
    """Saved activations: about (6h + 3i) values per token per layer, or only each layer's input
    plus one layer recomputed under gradient checkpointing; plus the logits over the vocabulary."""
    tokens = cfg.training.per_device_train_batch_size * cfg.max_seq_length
    per_layer = 6 * arch.hidden + 3 * arch.intermediate
    if cfg.training.gradient_checkpointing:
        per_token = arch.layers * arch.hidden + per_layer
    else:
        per_token = arch.layers * per_layer
    return tokens * (per_token * compute + arch.vocab * 4)
