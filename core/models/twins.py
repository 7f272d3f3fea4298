"""Miniature twins: each registry family's real architecture with tiny dimensions.

A twin is a random-weight model of the family's own transformers class (GptOssForCausalLM,
Qwen3ForCausalLM, …) two blocks deep and 64 wide, with a real vocabulary (a ggml-vocab-*.gguf of
llama-cpp-python's sdist, turned into a tokenizer by transformers) and the family's real chat
template, saved as a Hugging Face folder in the layout of the published checkpoint. gpt-oss's
twin ships its expert weights as MXFP4 blocks and scales with the published quantization_config,
so loaders meet what they meet in openai/gpt-oss-20b (transformers dequantises them on a CPU).
Twins are cached under <workspace>/twins/<family>-<recipe hash>/: each is built once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.errors import StudioError
from core.models.gguf_vocab import REBUILT, rebuilt_tokenizer
from core.models.registry import FAMILIES, Family, template_path, vocab_path
from core.models.spm_file import write_sentencepiece_model

RECIPE_VERSION = 1
STAMP = "twin.json"
# Shared by every twin: widths are multiples of 32 (MXFP4 blocks, bitsandbytes 4-bit).
SHAPE: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "max_position_embeddings": 4096,
}
# gpt-oss-20b's quantization_config: every expert weight in MXFP4, everything else in bf16.
MXFP4_CONFIG = {
    "quant_method": "mxfp4",
    "modules_to_not_convert": [
        "model.layers.*.self_attn",
        "model.layers.*.mlp.router",
        "model.embed_tokens",
        "lm_head",
    ],
}
FP4_VALUES = (
    0.0,
    0.5,
    1.0,
    1.5,
    2.0,
    3.0,
    4.0,
    6.0,
    -0.0,
    -0.5,
    -1.0,
    -1.5,
    -2.0,
    -3.0,
    -4.0,
    -6.0,
)


@dataclass(frozen=True)
class TwinRecipe:
    """What a twin is built from, beyond the family's registry entry."""

    family: str
    eos: str  # the token a chat turn ends with
    pad: str
    added: tuple[str, ...] = ()  # special tokens the template uses that the borrowed vocab lacks
    config: dict[str, Any] = field(default_factory=dict)  # config values beyond SHAPE
    sentencepiece: bool = False  # ship tokenizer.model too, as the published checkpoint does
    pad_vocab: bool = True  # round the embedding up to 64 rows (the converter's Gemma 3 path cuts
    # the embedding to the tokenizer's size but keeps the padded vocabulary: Gemma 3 1B has none)


_HARMONY = ("<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|return|>", "<|call|>")

RECIPES: dict[str, TwinRecipe] = {
    "gpt-oss": TwinRecipe("gpt-oss", "<|return|>", "<|endoftext|>", _HARMONY),
    "qwen3": TwinRecipe(
        "qwen3", "<|im_end|>", "<|endoftext|>", config={"tie_word_embeddings": True}
    ),
    # Qwen3-Coder-30B-A3B's config.json renormalises the chosen experts' weights (Qwen3MoeConfig
    # defaults to not), as llama.cpp's qwen3moe graph always does.
    "qwen3-moe": TwinRecipe(
        "qwen3-moe", "<|im_end|>", "<|endoftext|>", config={"norm_topk_prob": True}
    ),
    "llama": TwinRecipe("llama", "<|eot_id|>", "<|end_of_text|>"),
    "phi": TwinRecipe(
        "phi", "<|end|>", "<|endoftext|>", config={"num_key_value_heads": 4}, sentencepiece=True
    ),
    "mistral": TwinRecipe("mistral", "</s>", "<unk>"),
    # Gemma 4's vocabulary (the one shipped) names its turn tokens <|turn> and <turn|>; Gemma 3's
    # template writes <start_of_turn> and <end_of_turn>, which Gemma 3's vocabulary holds.
    "gemma": TwinRecipe(
        "gemma", "<end_of_turn>", "<pad>", ("<start_of_turn>", "<end_of_turn>"), pad_vocab=False
    ),
}


def recipe_key(recipe: TwinRecipe) -> str:
    """A hash of everything a twin is built from: the recipe, the family's shape, the template
    and the vocabulary files (so a new sdist builds new twins)."""
    fam = FAMILIES[recipe.family]
    digest = hashlib.sha256(
        json.dumps([RECIPE_VERSION, asdict(recipe), SHAPE], sort_keys=True).encode()
    )
    digest.update(json.dumps(dict(fam.twin_shape or {}), sort_keys=True).encode())
    digest.update(template_path(fam).read_bytes())
    digest.update(str(vocab_path(fam).stat().st_size).encode())
    if fam.twin_vocab in REBUILT:  # rebuilt here (core.models.gguf_vocab), not by transformers
        digest.update(b"rebuilt")
    return digest.hexdigest()[:12]


# --- the tokenizer -------------------------------------------------------------------------------


def vocab_tokenizer(fam: Family, cache: Path):
    """The tokenizer of the family's borrowed GGUF vocabulary (converted once, then cached: the
    conversion takes about a minute)."""
    from transformers import AutoTokenizer

    source = vocab_path(fam)
    rebuilt = fam.twin_vocab in REBUILT
    folder = cache / "vocab" / (f"{fam.twin_vocab}-rebuilt" if rebuilt else fam.twin_vocab)
    if (folder / "tokenizer_config.json").is_file():
        return AutoTokenizer.from_pretrained(folder)
    tokenizer = rebuilt_tokenizer(fam.twin_vocab, source) or AutoTokenizer.from_pretrained(
        source.parent, gguf_file=source.name
    )
    tmp = Path(tempfile.mkdtemp(prefix=f".{fam.twin_vocab}.", dir=_made(cache / "vocab")))
    tokenizer.save_pretrained(tmp)
    _move_into_place(tmp, folder)
    return AutoTokenizer.from_pretrained(folder)


def twin_tokenizer(recipe: TwinRecipe, cache: Path):
    """The borrowed vocabulary with the family's special tokens and chat template."""
    fam = FAMILIES[recipe.family]
    tokenizer = vocab_tokenizer(fam, cache)
    missing = [t for t in recipe.added if t not in tokenizer.get_vocab()]
    if missing:
        tokenizer.add_special_tokens({"additional_special_tokens": missing})
    for role, token in (("eos_token", recipe.eos), ("pad_token", recipe.pad)):
        if token not in tokenizer.get_vocab():
            raise StudioError(f"the {fam.twin_vocab} vocabulary has no {token} for {role}")
        setattr(tokenizer, role, token)
    tokenizer.chat_template = template_path(fam).read_text(encoding="utf-8")
    return tokenizer


# --- the model -----------------------------------------------------------------------------------


def twin_config(recipe: TwinRecipe, tokenizer):
    """The transformers config of the twin: the family's class, tiny dimensions."""
    import transformers

    fam = FAMILIES[recipe.family]
    cls = getattr(transformers, fam.architecture_class)
    values = {**SHAPE, **dict(fam.twin_shape or {}), **recipe.config}
    values["vocab_size"] = -(-len(tokenizer) // 64) * 64 if recipe.pad_vocab else len(tokenizer)
    ids = tokenizer.convert_tokens_to_ids([recipe.eos, recipe.pad])
    config = cls.config_class(**values, eos_token_id=ids[0], pad_token_id=ids[1])
    config.architectures = [fam.architecture_class]
    return cls, config


def build_twin(recipe: TwinRecipe, target: Path, cache: Path, seed: int = 0) -> Path:
    """Build the twin of `recipe` into `target` (a temp folder renamed into place)."""
    import torch

    tokenizer = twin_tokenizer(recipe, cache)
    cls, config = twin_config(recipe, tokenizer)
    torch.manual_seed(seed)
    model = cls(config).to(torch.bfloat16)  # the published checkpoints are bf16
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=_made(target.parent)))
    try:
        if FAMILIES[recipe.family].quantisation == "mxfp4":
            save_mxfp4(model, tmp)
        else:
            model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        if recipe.sentencepiece:  # llama.cpp's Phi-3 converter reads only tokenizer.model
            write_sentencepiece_model(vocab_path(FAMILIES[recipe.family]), tmp / "tokenizer.model")
        stamp = {"recipe": asdict(recipe), "key": recipe_key(recipe), "seed": seed}
        (tmp / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        _move_into_place(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def ensure_twin(family: str, cache: Path, seed: int = 0) -> Path:
    """The twin of `family` at <cache>/twins/<family>-<recipe hash>/, built on first use."""
    if family not in RECIPES:
        raise StudioError(f"no twin for family {family!r}", hint=f"one of {', '.join(RECIPES)}")
    recipe = RECIPES[family]
    target = Path(cache) / "twins" / f"{family}-{recipe_key(recipe)}-s{seed}"
    if (target / STAMP).is_file():
        return target
    return build_twin(recipe, target, Path(cache), seed)


# --- MXFP4, as gpt-oss publishes its experts -----------------------------------------------------


def quantise_mxfp4(weights):
    """(blocks, scales) of a float tensor [..., out, in] in MXFP4: 32 values share one
    power-of-two scale (uint8, bias 127); two 4-bit values a byte, the even one low."""
    import torch

    *lead, out, width = weights.shape
    groups = weights.float().reshape(*lead, out, width // 32, 32)
    peak = groups.abs().amax(dim=-1, keepdim=True).clamp_min(2.0**-126)
    exponent = torch.ceil(torch.log2(peak / 6.0)).clamp(-127, 127)
    scaled = groups / torch.exp2(exponent)
    lut = torch.tensor(FP4_VALUES[:8])
    index = (scaled.abs().unsqueeze(-1) - lut).abs().argmin(dim=-1)
    index = index + 8 * ((scaled < 0) & (index > 0)).long()
    packed = (index[..., 0::2] | (index[..., 1::2] << 4)).to(torch.uint8)
    return packed, (exponent.squeeze(-1) + 127).to(torch.uint8)


def save_mxfp4(model, folder: Path) -> None:
    """Save `model` as gpt-oss is published: `<name>_blocks` / `<name>_scales` for each expert
    weight (out × in, MXFP4), everything else in bf16, and the quantization_config."""
    from safetensors.torch import save_file

    tensors = {}
    for name, tensor in model.state_dict().items():
        if name.endswith(("mlp.experts.gate_up_proj", "mlp.experts.down_proj")):
            blocks, scales = quantise_mxfp4(tensor.transpose(-1, -2))
            tensors[f"{name}_blocks"], tensors[f"{name}_scales"] = blocks.contiguous(), scales
        else:
            tensors[name] = tensor.contiguous()
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    model.config.quantization_config = MXFP4_CONFIG
    model.config.save_pretrained(folder)
    model.generation_config.save_pretrained(folder)


# --- folders -------------------------------------------------------------------------------------


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _move_into_place(built: Path, target: Path) -> None:
    """Rename `built` to `target`; when another process got there first, its folder wins."""
    try:
        os.rename(built, target)
    except OSError:
        if not target.exists():
            raise
        shutil.rmtree(built, ignore_errors=True)
