"""Tokenizers rebuilt from llama.cpp's ggml-vocab-*.gguf files in the shape their families publish.

transformers' own GGUF reader turns Llama 3's byte-level BPE into a byte-fallback BPE (llama.cpp's
converter does not recognise it, and llama.cpp cannot load what it writes from it), reads Phi-3's
without its normaliser (spaces and line breaks are lost) and cannot read Gemma 4's at all. For those
three the vocabulary is rebuilt here: the same tokens, merges and special tokens, with the
pre-tokenizer, decoder and BOS handling of the published tokenizer.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import StudioError

CONTROL, USER_DEFINED = 3, 4  # GGUF token types that are special tokens

# Llama 3's split rule (tokenizer.json pre_tokenizer of meta-llama/Meta-Llama-3-8B): contractions,
# words with one leading non-letter, numbers of up to 3 digits, punctuation runs, line breaks.
LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


@dataclass(frozen=True)
class GgufVocab:
    """What a GGUF vocabulary file holds."""

    path: Path
    model: str  # tokenizer.ggml.model: "gpt2", "llama", "gemma4", …
    tokens: list[str]
    types: list[int]
    scores: list[float]
    merges: list[str]
    ids: dict[str, int]  # bos, eos, unknown, padding (where the file names them)
    add_space_prefix: bool = True
    remove_extra_whitespaces: bool = False

    def specials(self) -> list[str]:
        """The tokens the file marks control or user-defined."""
        return [
            t
            for t, kind in zip(self.tokens, self.types, strict=True)
            if kind in (CONTROL, USER_DEFINED)
        ]


def read_vocab(path: Path) -> GgufVocab:
    """Read the tokenizer part of a GGUF file (about 10 s for a 256k vocabulary)."""
    import gguf

    try:
        fields = gguf.GGUFReader(path).fields
    except (OSError, ValueError) as err:
        raise StudioError(f"not a readable GGUF file ({err})", where=str(path)) from err

    def value(key: str, default: Any = None) -> Any:
        field = fields.get(f"tokenizer.ggml.{key}")
        return default if field is None else field.contents()

    tokens = value("tokens")
    if tokens is None:
        raise StudioError(
            "no tokenizer in the file", where=str(path), hint="give a ggml-vocab-*.gguf"
        )
    names = ("bos", "eos", "unknown", "padding")
    return GgufVocab(
        path=path,
        model=value("model", ""),
        tokens=tokens,
        types=value("token_type", [1] * len(tokens)),
        scores=value("scores", [0.0] * len(tokens)),
        merges=value("merges", []),
        ids={n: value(f"{n}_token_id") for n in names if value(f"{n}_token_id") is not None},
        add_space_prefix=value("add_space_prefix", True),
        remove_extra_whitespaces=value("remove_extra_whitespaces", False),
    )


def llama3_tokenizer(vocab: GgufVocab):
    """Llama 3's tokenizer: byte-level BPE (merges ignored for whole-word hits), its split rule,
    and <|begin_of_text|> before every text."""
    from tokenizers import Regex, Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import BPE

    model = BPE(vocab=_ranks(vocab), merges=_pairs(vocab), ignore_merges=True, fuse_unk=False)
    tokenizer = Tokenizer(model)
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(LLAMA3_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    bos = vocab.tokens[vocab.ids["bos"]]
    tokenizer.post_processor = processors.Sequence(
        [
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(
                single=f"{bos} $A",
                pair=f"{bos} $A {bos} $B",
                special_tokens=[(bos, vocab.ids["bos"])],
            ),
        ]
    )
    return _fast(tokenizer, vocab)


def gemma_tokenizer(vocab: GgufVocab):
    """Gemma's tokenizer: BPE over the whole text with spaces as ▁, byte fallback, <bos> first."""
    from transformers import GemmaTokenizer

    merges: Any = _pairs(vocab)  # pairs, as tokenizers' BPE takes them (annotated list[str])
    tokenizer = GemmaTokenizer(
        vocab=_ranks(vocab), merges=merges, add_bos_token=True, **_special_names(vocab)
    )
    tokenizer.add_special_tokens({"additional_special_tokens": _added(vocab)})
    return tokenizer


_PHI3_KEEPS_SPACE = ("<unk>", "<s>", "<|endoftext|>")  # the others drop the spaces after them


def phi3_tokenizer(vocab: GgufVocab):
    """Phi-3's tokenizer: SentencePiece BPE with byte fallback (transformers' Llama 2 reading of the
    same file), <s> first, and spaces after a special token dropped, as llama.cpp does for Phi-3."""
    from tokenizers import AddedToken, processors
    from transformers.integrations.ggml import convert_gguf_tokenizer
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    tokenizer, _ = convert_gguf_tokenizer(
        "llama", load_gguf_checkpoint(str(vocab.path))["tokenizer"]
    )
    bos = vocab.tokens[vocab.ids["bos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, vocab.ids["bos"])]
    )
    tokenizer.add_special_tokens(
        [
            AddedToken(t, special=True, normalized=False, rstrip=t not in _PHI3_KEEPS_SPACE)
            for t in vocab.specials()
        ]
    )
    return _fast(tokenizer, vocab)


def _ranks(vocab: GgufVocab) -> dict[str, int]:
    return {token: i for i, token in enumerate(vocab.tokens)}


def _pairs(vocab: GgufVocab) -> list[tuple[str, str]]:
    return [(left, right) for left, right in (m.split(" ", 1) for m in vocab.merges)]


def _special_names(vocab: GgufVocab) -> dict[str, str]:
    roles = {"bos": "bos_token", "eos": "eos_token", "unknown": "unk_token", "padding": "pad_token"}
    return {roles[name]: vocab.tokens[i] for name, i in vocab.ids.items()}


def _added(vocab: GgufVocab):
    from tokenizers import AddedToken

    return [AddedToken(t, special=True, normalized=False) for t in vocab.specials()]


def _fast(tokenizer, vocab: GgufVocab):
    from transformers import PreTrainedTokenizerFast

    if not tokenizer.get_added_tokens_decoder():
        tokenizer.add_special_tokens(_added(vocab))
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, **_special_names(vocab))


REBUILT: dict[str, Callable[[GgufVocab], Any]] = {
    "llama-bpe": llama3_tokenizer,
    "gemma-4": gemma_tokenizer,
    "phi-3": phi3_tokenizer,
}


def rebuilt_tokenizer(name: str, path: Path):
    """The tokenizer of ggml-vocab-<name>.gguf rebuilt here, or None where transformers' own GGUF
    reader gives the published shape."""
    build = REBUILT.get(name)
    return build(read_vocab(path)) if build else None
