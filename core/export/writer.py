"""A GGUF writer for Llama-architecture Hugging Face folders: metadata, tokenizer, tensors.

Reads `config.json`, `tokenizer.json` (+ `tokenizer_config.json`, `chat_template.jinja`) and the
safetensors weights of a merged model and writes one GGUF file that llama.cpp (and so LM Studio
and Ollama) and transformers' GGUF loader read: llama.cpp tensor names, the Q/K rows permuted
into llama.cpp's rotary layout, and F32, F16 or Q8_0 data, streamed tensor by tensor.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import StudioError

# quant name -> (tensor type for 2-D weights, llama.cpp file type)
NATIVE_TYPES = {
    "f32": ("F32", "ALL_F32"),
    "f16": ("F16", "MOSTLY_F16"),
    "q8_0": ("Q8_0", "MOSTLY_Q8_0"),
}

# A progress callback: (tensors done, tensors in all, what was just done).
Progress = Callable[[int, int, str], None]

_LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
    r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
_QWEN2_SPLIT = _LLAMA3_SPLIT.replace(r"\p{N}{1,3}", r"\p{N}")
_GPT4O_SPLIT = (
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+"
    r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+"
    r"[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# The regex of a Split pre-tokenizer -> llama.cpp's name for the same pre-tokenization.
_KNOWN_SPLITS = {_LLAMA3_SPLIT: "llama-bpe", _QWEN2_SPLIT: "qwen2", _GPT4O_SPLIT: "gpt-4o"}

_GENERATION_TAG = re.compile(r"\{%(-?)\s*(?:end)?generation\s*(-?)%\}")


@dataclass
class TokenizerData:
    """Everything the GGUF tokenizer section holds, read from a Hugging Face tokenizer folder."""

    tokens: list[str]
    token_types: list[int]
    merges: list[str]
    pre: str
    eos_id: int
    bos_id: int
    add_bos: bool
    pad_id: int | None
    unk_id: int | None
    chat_template: str | None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedTensor:
    """One tensor of the output: where it comes from, its GGUF name, shape and type."""

    hf_name: str
    gguf_name: str
    shape: tuple[int, ...]  # numpy order (rows, columns)
    qtype: str  # a gguf.GGMLQuantizationType name
    rope_heads: int | None  # heads to permute Q/K rows for; None for every other tensor


@dataclass
class WriteSummary:
    """What `write_llama_gguf` wrote."""

    planned: list[PlannedTensor]
    hparams: dict
    vocab_size: int
    pre_tokenizer: str
    chat_template: str | None
    warnings: list[str]


# --- reading the source folder -------------------------------------------------------------------


def strip_generation_tags(template: str) -> str:
    """Remove transformers-only `{% generation %}` / `{% endgeneration %}` markers from a template.

    The whitespace the tags controlled is removed with them, as transformers renders templates
    (trim_blocks and lstrip_blocks, plus any `-` markers), so the output stays the same.
    """
    out, pos = "", 0
    for match in _GENERATION_TAG.finditer(template):
        before = template[pos : match.start()]
        if match.group(1):
            before = before.rstrip()
        else:
            line_start = before.rfind("\n") + 1
            if not before[line_start:].strip(" \t"):
                before = before[:line_start]
        out += before
        pos = match.end()
        if match.group(2):
            pos = len(template) - len(template[pos:].lstrip())
        elif template.startswith(("\r\n", "\n"), pos):
            pos += 2 if template[pos] == "\r" else 1
    return out + template[pos:]


def read_chat_template(source_dir: Path) -> str | None:
    """The tokenizer's chat template (chat_template.jinja or tokenizer_config.json), if any."""
    jinja = source_dir / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    config = _read_json(source_dir / "tokenizer_config.json", required=False)
    template = config.get("chat_template")
    if isinstance(template, list):  # named templates: take the default one
        named = {item.get("name"): item.get("template") for item in template}
        template = named.get("default")
    return template if isinstance(template, str) else None


def _read_json(path: Path, required: bool = True) -> dict:
    """The JSON object in `path`; {} for a missing file that is not `required`."""
    if not path.is_file():
        if required:
            raise StudioError(f"missing {path.name}", where=str(path.parent))
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StudioError(f"cannot read {path.name}: {err}", where=str(path)) from err


def reads_tokenizer(source_dir: Path) -> bool:
    """Whether this writer handles the model's tokenizer (byte-level BPE, no byte fallback, a
    pre-tokenizer split it knows); llama.cpp's converter takes the others."""
    try:
        data = _read_json(source_dir / "tokenizer.json")
        model = data.get("model", {})
        if model.get("type") != "BPE" or model.get("byte_fallback"):
            return False
        _pre_tokenizer_name(data.get("pre_tokenizer") or {})
    except StudioError:
        return False
    return True


def _pre_tokenizer_name(pre: dict | None) -> str:
    """llama.cpp's `tokenizer.ggml.pre` for a tokenizer.json pre-tokenizer, or a StudioError."""
    if pre and pre.get("type") == "ByteLevel" and pre.get("use_regex", True):
        return "gpt-2"
    if pre and pre.get("type") == "Sequence":
        parts = pre.get("pretokenizers", [])
        splits = [p for p in parts if p.get("type") == "Split"]
        if len(parts) == 2 and len(splits) == 1 and parts[1].get("type") == "ByteLevel":
            regex = splits[0].get("pattern", {}).get("Regex")
            if regex in _KNOWN_SPLITS:
                return _KNOWN_SPLITS[regex]
    raise StudioError(
        f"the tokenizer's pre-tokenizer is not one llama.cpp knows: {json.dumps(pre)[:200]}",
        where="tokenizer.json",
        hint="the built-in writer supports byte-level BPE with the GPT-2, Llama 3, Qwen2 or "
        "GPT-4o splits; export this model with llama.cpp's convert_hf_to_gguf.py (--llama-cpp DIR)",
    )


def _token_id(tokenizer_config: dict, key: str, vocab: dict[str, int]) -> int | None:
    value = tokenizer_config.get(key)
    if isinstance(value, dict):
        value = value.get("content")
    return vocab.get(value) if isinstance(value, str) else None


def _adds_bos(tokenizer_json: Path, bos_id: int | None) -> bool:
    """Whether encoding plain text puts a BOS token in front (as the post-processor decides)."""
    if bos_id is None:
        return False
    from tokenizers import Tokenizer

    ids = Tokenizer.from_file(str(tokenizer_json)).encode("x", add_special_tokens=True).ids
    return bool(ids) and ids[0] == bos_id


def read_tokenizer(source_dir: Path, vocab_size: int) -> TokenizerData:
    """Read a byte-level BPE tokenizer into GGUF form, padded to the model's `vocab_size` rows."""
    import gguf

    data = _read_json(source_dir / "tokenizer.json")
    model = data.get("model", {})
    if model.get("type") != "BPE" or model.get("byte_fallback"):
        raise StudioError(
            "the built-in writer handles byte-level BPE tokenizers only "
            f"(this one is {model.get('type')}{' with byte fallback' if model.get('byte_fallback') else ''})",
            where=str(source_dir / "tokenizer.json"),
            hint="export this model with llama.cpp's convert_hf_to_gguf.py (--llama-cpp DIR)",
        )
    warnings: list[str] = []
    pre_config = data.get("pre_tokenizer") or {}
    pre = _pre_tokenizer_name(pre_config)
    if pre_config.get("add_prefix_space"):
        warnings.append(
            "the tokenizer adds a prefix space, llama.cpp does not: first tokens may differ"
        )

    vocab: dict[str, int] = dict(model["vocab"])
    added = {item["id"]: item for item in data.get("added_tokens", [])}
    for token_id, item in added.items():
        vocab.setdefault(item["content"], token_id)
    n_tokens = max(vocab.values()) + 1
    if n_tokens > vocab_size:
        raise StudioError(
            f"the tokenizer has {n_tokens} tokens but the model only {vocab_size} embedding rows",
            where=str(source_dir),
        )
    tokens = [f"[PAD{i}]" for i in range(vocab_size)]
    types = [int(gguf.TokenType.UNUSED)] * vocab_size
    for text, token_id in vocab.items():
        tokens[token_id] = text
        types[token_id] = int(gguf.TokenType.NORMAL)
    for token_id, item in added.items():
        special = item.get("special", False)
        types[token_id] = int(gguf.TokenType.CONTROL if special else gguf.TokenType.USER_DEFINED)
    merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])]

    config = _read_json(source_dir / "tokenizer_config.json", required=False)
    eos_id = _token_id(config, "eos_token", vocab)
    if eos_id is None:
        raise StudioError("the tokenizer has no eos_token", where="tokenizer_config.json")
    bos_id = _token_id(config, "bos_token", vocab)
    template = read_chat_template(source_dir)
    return TokenizerData(
        tokens=tokens,
        token_types=types,
        merges=merges,
        pre=pre,
        eos_id=eos_id,
        # transformers' GGUF tokenizer loader reads the EOS token from bos_token_id and fails
        # without one: a model with no BOS gets EOS there, with add_bos_token false.
        bos_id=eos_id if bos_id is None else bos_id,
        add_bos=_adds_bos(source_dir / "tokenizer.json", bos_id),
        pad_id=_token_id(config, "pad_token", vocab),
        unk_id=_token_id(config, "unk_token", vocab),
        chat_template=strip_generation_tags(template) if template else None,
        warnings=warnings,
    )


def weight_files(source_dir: Path) -> dict[str, Path]:
    """Map each weight name to the safetensors file that holds it."""
    index = source_dir / "model.safetensors.index.json"
    if index.is_file():
        weight_map = _read_json(index)["weight_map"]
        return {name: source_dir / file for name, file in weight_map.items()}
    single = source_dir / "model.safetensors"
    if not single.is_file():
        raise StudioError(
            "no safetensors weights found (model.safetensors or model.safetensors.index.json)",
            where=str(source_dir),
            hint="save the merged model with save_pretrained(..., safe_serialization=True)",
        )
    from safetensors import safe_open

    with safe_open(str(single), framework="pt") as handle:
        return {name: single for name in handle.keys()}  # noqa: SIM118 (safe_open is not a dict)


# --- planning ------------------------------------------------------------------------------------


def llama_hparams(source_dir: Path) -> dict:
    """The Llama hyperparameters the writer needs, with transformers' defaults filled in."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(source_dir, local_files_only=True)
    if config.model_type != "llama":
        raise StudioError(
            f"not a Llama model: model_type is {config.model_type!r}", where=str(source_dir)
        )
    rope = dict(getattr(config, "rope_parameters", None) or {})
    rope_type = rope.get("rope_type", "default")
    if rope_type not in ("default", "linear"):
        raise StudioError(
            f"rope type {rope_type!r} is not supported by the built-in writer",
            where=str(source_dir / "config.json"),
            hint="export this model with llama.cpp's convert_hf_to_gguf.py (--llama-cpp DIR)",
        )
    if config.hidden_act != "silu" or getattr(config, "mlp_bias", False):
        raise StudioError("only SiLU Llama MLPs without bias are supported", where="config.json")
    heads = config.num_attention_heads
    return {
        "context_length": config.max_position_embeddings,
        "hidden": config.hidden_size,
        "blocks": config.num_hidden_layers,
        "ffn": config.intermediate_size,
        "heads": heads,
        "kv_heads": config.num_key_value_heads or heads,
        "head_dim": getattr(config, "head_dim", None) or config.hidden_size // heads,
        "rope_theta": float(rope.get("rope_theta", getattr(config, "rope_theta", 10000.0))),
        "rope_linear_factor": float(rope["factor"]) if rope_type == "linear" else None,
        "rms_eps": float(config.rms_norm_eps),
        "vocab": config.vocab_size,
        "tied": bool(getattr(config, "tie_word_embeddings", False)),
    }


def _tensor_type(shape: tuple[int, ...], quant: str) -> str:
    """Norms and other 1-D tensors stay F32; Q8_0 needs rows that are a multiple of 32."""
    if len(shape) == 1:
        return "F32"
    wanted = NATIVE_TYPES[quant][0]
    if wanted == "Q8_0" and shape[-1] % 32:
        return "F16"
    return wanted


def plan_tensors(shapes: dict[str, tuple[int, ...]], hp: dict, quant: str) -> list[PlannedTensor]:
    """Name, type and permutation of every tensor, in llama.cpp's usual order."""
    import gguf

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, hp["blocks"])
    planned = []
    for hf_name, shape in shapes.items():
        if hf_name.endswith("rotary_emb.inv_freq"):
            continue
        if hf_name == "lm_head.weight" and hp["tied"]:
            continue  # llama.cpp reuses token_embd when output.weight is absent
        gguf_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise StudioError(f"no llama.cpp name for tensor {hf_name}", where="model weights")
        rope_heads = None
        if ".self_attn.q_proj." in hf_name:
            rope_heads = hp["heads"]
        elif ".self_attn.k_proj." in hf_name:
            rope_heads = hp["kv_heads"]
        planned.append(
            PlannedTensor(hf_name, gguf_name, shape, _tensor_type(shape, quant), rope_heads)
        )
    return sorted(planned, key=_gguf_order)


def _gguf_order(tensor: PlannedTensor) -> tuple:
    match = re.match(r"blk\.(\d+)\.", tensor.gguf_name)
    return (1, int(match.group(1)), tensor.gguf_name) if match else (0, 0, tensor.gguf_name)


def permute_for_rope(weights: np.ndarray, heads: int) -> np.ndarray:
    """Reorder Q/K rows from Hugging Face's half-split rotary layout to llama.cpp's interleaved one.

    Within each head, HF keeps the first halves of the rotary pairs in the first half of the rows;
    llama.cpp expects each pair on adjacent rows.
    """
    rows = weights.shape[0]
    half = rows // heads // 2
    grouped = weights.reshape(heads, 2, half, *weights.shape[1:])
    return grouped.swapaxes(1, 2).reshape(weights.shape)


def encode_tensor(array: np.ndarray, qtype: str) -> np.ndarray:
    """Convert float32 data to the bytes of a GGML type (F32, F16 or a gguf.quants type)."""
    import gguf

    return gguf.quants.quantize(array, gguf.GGMLQuantizationType[qtype])


# --- writing -------------------------------------------------------------------------------------


def _add_metadata(writer, hp: dict, quant: str, name: str) -> None:
    import gguf

    writer.add_name(name)
    writer.add_type("model")
    writer.add_file_type(int(gguf.LlamaFileType[NATIVE_TYPES[quant][1]]))
    if quant not in ("f32", "f16"):
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_context_length(hp["context_length"])
    writer.add_embedding_length(hp["hidden"])
    writer.add_block_count(hp["blocks"])
    writer.add_feed_forward_length(hp["ffn"])
    writer.add_head_count(hp["heads"])
    writer.add_head_count_kv(hp["kv_heads"])
    writer.add_rope_dimension_count(hp["head_dim"])
    writer.add_rope_freq_base(hp["rope_theta"])
    if hp["rope_linear_factor"]:
        writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        writer.add_rope_scaling_factor(hp["rope_linear_factor"])
    writer.add_layer_norm_rms_eps(hp["rms_eps"])
    writer.add_vocab_size(hp["vocab"])
    if hp["head_dim"] != hp["hidden"] // hp["heads"]:
        writer.add_key_length(hp["head_dim"])
        writer.add_value_length(hp["head_dim"])


def _add_tokenizer(writer, tok: TokenizerData) -> None:
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(tok.pre)
    writer.add_token_list(tok.tokens)
    writer.add_token_types(tok.token_types)
    writer.add_token_merges(tok.merges)
    writer.add_bos_token_id(tok.bos_id)
    writer.add_eos_token_id(tok.eos_id)
    writer.add_add_bos_token(tok.add_bos)
    writer.add_add_eos_token(False)
    if tok.pad_id is not None:
        writer.add_pad_token_id(tok.pad_id)
    if tok.unk_id is not None:
        writer.add_unk_token_id(tok.unk_id)
    if tok.chat_template:
        writer.add_chat_template(tok.chat_template)


def _add_tensor_infos(writer, planned: list[PlannedTensor]) -> None:
    import gguf

    for tensor in planned:
        qtype = gguf.GGMLQuantizationType[tensor.qtype]
        if tensor.qtype in ("F32", "F16"):
            dtype = np.float32 if tensor.qtype == "F32" else np.float16
            nbytes = int(np.prod(tensor.shape)) * np.dtype(dtype).itemsize
            writer.add_tensor_info(tensor.gguf_name, tensor.shape, np.dtype(dtype), nbytes)
        else:
            byte_shape = gguf.quant_shape_to_byte_shape(tensor.shape, qtype)
            nbytes = int(np.prod(byte_shape))
            writer.add_tensor_info(
                tensor.gguf_name, byte_shape, np.dtype(np.uint8), nbytes, raw_dtype=qtype
            )


def write_llama_gguf(
    source_dir: Path,
    out_path: Path,
    quant: str = "f16",
    name: str | None = None,
    progress: Progress | None = None,
) -> WriteSummary:
    """Write the Llama model in `source_dir` to `out_path` as GGUF (quant: f32, f16 or q8_0)."""
    import gguf
    from safetensors import safe_open

    if quant not in NATIVE_TYPES:
        raise StudioError(f"the built-in writer makes {', '.join(NATIVE_TYPES)}, not {quant!r}")
    source_dir = Path(source_dir)
    hp = llama_hparams(source_dir)
    tok = read_tokenizer(source_dir, hp["vocab"])
    files = weight_files(source_dir)
    shapes: dict[str, tuple[int, ...]] = {}
    for path in sorted(set(files.values())):
        with safe_open(str(path), framework="pt") as handle:
            for key in handle.keys():  # noqa: SIM118
                shapes[key] = tuple(handle.get_slice(key).get_shape())
    planned = plan_tensors(shapes, hp, quant)

    writer = gguf.GGUFWriter(None, "llama")
    _add_metadata(writer, hp, quant, name or source_dir.name)
    _add_tokenizer(writer, tok)
    _add_tensor_infos(writer, planned)
    try:
        with contextlib.ExitStack() as stack:
            handles = {
                path: stack.enter_context(safe_open(str(path), framework="pt"))
                for path in set(files.values())
            }
            writer.write_header_to_file(Path(out_path))
            writer.write_kv_data_to_file()
            writer.write_ti_data_to_file()
            for done, tensor in enumerate(planned, start=1):
                array = handles[files[tensor.hf_name]].get_tensor(tensor.hf_name).float().numpy()
                if tensor.rope_heads:
                    array = permute_for_rope(array, tensor.rope_heads)
                writer.write_tensor_data(encode_tensor(array, tensor.qtype))
                if progress:
                    progress(done, len(planned), f"{tensor.gguf_name} ({tensor.qtype})")
        assert writer.fout is not None
        for handle in writer.fout:
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        raise StudioError(f"cannot write the GGUF file: {err}", where=str(out_path)) from err
    finally:
        writer.close()
    return WriteSummary(planned, hp, hp["vocab"], tok.pre, tok.chat_template, tok.warnings)
