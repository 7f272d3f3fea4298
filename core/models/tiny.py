"""The local demo model: a byte-level BPE tokenizer trained on the corpus and a small Llama.

It is the base model of `config/cpu-demo.yaml` and of every test: a normal Hugging Face folder
(config.json, model.safetensors, tokenizer files, a Harmony-style chat template) that
`AutoModelForCausalLM` and `AutoTokenizer` load offline. Built in seconds, deterministic for a
seed, and cached: `ensure_tiny_model` rebuilds only when the corpus or the recipe changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from core.errors import StudioError
from core.reading import find_scripts, read_script
from core.workspace import SAMPLE_CORPUS

RECIPE_VERSION = 2
VOCAB_SIZE = 4096
# Harmony's special tokens (gpt-oss names), plus a pad token of our own.
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|start|>",
    "<|end|>",
    "<|message|>",
    "<|channel|>",
    "<|return|>",
    "<|pad|>",
]
# Every Linear width is a multiple of 32, as bitsandbytes 4-bit requires (k/v_proj: 2 × 32).
MODEL_SHAPE: dict[str, Any] = {
    "hidden_size": 128,
    "intermediate_size": 384,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 32,
    "vocab_size": VOCAB_SIZE,
    "max_position_embeddings": 2048,
    "tie_word_embeddings": True,
}
# Renders like gpt-oss: <|start|>role<|message|>text<|end|>; the assistant's final answer ends
# with <|return|>. The answer sits inside {% generation %} so training can mask everything else.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "<|start|>assistant<|channel|>final<|message|>"
    "{%- generation -%}{{ message['content'] }}<|return|>{%- endgeneration -%}"
    "{%- else -%}"
    "<|start|>{{ message['role'] }}<|message|>{{ message['content'] }}<|end|>"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|start|>assistant<|channel|>final<|message|>{%- endif -%}"
)
# The final norm starts at this scale instead of 1: a random model's logits are otherwise too flat
# (tiny tied embeddings) for LoRA adapters to sharpen, and the demo's loss would barely move.
OUTPUT_SCALE = 4.0
STAMP = "tiny.json"


def corpus_texts(corpus: Path) -> list[str]:
    """The readable scripts under `corpus` (sorted), plus elements.csv beside it when present."""
    texts = [r.text for r in map(read_script, find_scripts(corpus)) if r.text]
    elements = corpus.parent / "elements.csv"
    if elements.is_file():
        texts.append(elements.read_text(encoding="utf-8-sig", errors="replace"))
    if not texts:
        raise StudioError(
            f"no readable .ahk scripts under {corpus}", hint="point at a corpus folder"
        )
    return texts


def train_tokenizer(texts: list[str], vocab_size: int = VOCAB_SIZE):
    """A byte-level BPE tokenizer (any text encodes, nothing is unknown) with the chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    core.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        eos_token="<|return|>",
        pad_token="<|pad|>",
        model_max_length=MODEL_SHAPE["max_position_embeddings"],
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_model(tokenizer, seed: int):
    """A freshly initialised small Llama whose vocabulary matches `tokenizer`."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    vocab = -(-len(tokenizer) // 64) * 64  # padded to a multiple of 64
    stops = tokenizer.convert_tokens_to_ids(["<|return|>", "<|end|>"])
    config = LlamaConfig(
        **{**MODEL_SHAPE, "vocab_size": vocab},
        eos_token_id=stops[0],
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        model.model.norm.weight.fill_(OUTPUT_SCALE)
    model.generation_config.eos_token_id = stops
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def corpus_digest(corpus: Path) -> str:
    """SHA-256 over the corpus's script paths and bytes (what the tokenizer is trained on)."""
    digest = hashlib.sha256()
    paths = find_scripts(corpus)
    elements = corpus.parent / "elements.csv"
    for path in [*paths, elements] if elements.is_file() else paths:
        digest.update(path.relative_to(corpus.parent).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_tiny_model(target: Path, corpus: Path = SAMPLE_CORPUS, seed: int = 0) -> Path:
    """Build the demo model into `target` (written to a temp folder, then renamed into place)."""
    target = Path(target)
    stamp = _stamp(corpus, seed)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        tokenizer = train_tokenizer(corpus_texts(corpus))
        build_model(tokenizer, seed).save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        _replace_dir(tmp, target, stamp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def ensure_tiny_model(
    cache_root: Path, corpus: Path = SAMPLE_CORPUS, name: str = "tiny-ahk", seed: int = 0
) -> Path:
    """The demo model at cache_root/models/<name>/, built once per corpus and seed."""
    target = Path(cache_root) / "models" / name
    if _read_stamp(target) == _stamp(corpus, seed):
        return target
    return build_tiny_model(target, corpus, seed)


def _stamp(corpus: Path, seed: int) -> dict[str, Any]:
    return {"recipe": RECIPE_VERSION, "seed": seed, "corpus_sha256": corpus_digest(Path(corpus))}


def _read_stamp(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _replace_dir(built: Path, target: Path, stamp: dict[str, Any]) -> None:
    """Move `built` to `target`; a stale target is set aside first. When another process
    finished the same build first, its folder wins and ours is dropped."""
    if target.exists() and _read_stamp(target) != stamp:
        stale = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        os.replace(target, stale / target.name)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.rename(built, target)
    except OSError:
        if _read_stamp(target) != stamp:
            raise
