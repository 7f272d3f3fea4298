"""SentencePiece model files (tokenizer.model) written from llama.cpp's GGUF vocabularies.

Converters that read a SentencePiece vocabulary (llama.cpp's Phi-3 one loads tokenizer.model with
sentencepiece) want the file a published checkpoint ships; a twin has only its tokenizer.json. This
writes one from a ggml-vocab-*.gguf of tokenizer.ggml.model "llama": the ModelProto of
sentencepiece_model.proto (proto2), encoded here by hand (protobuf is not a dependency).

Every "llama" vocabulary is what llama.cpp's SPM tokenizer runs: SentencePiece BPE (merges by piece
score) with byte fallback, the identity normaliser, spaces escaped as ▁ and a dummy prefix.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from core.errors import StudioError
from core.fsutil import atomic_write_bytes
from core.models.gguf_vocab import read_vocab

# Field numbers of sentencepiece_model.proto.
MODEL_PIECES, MODEL_TRAINER, MODEL_NORMALIZER = 1, 2, 3
PIECE_TEXT, PIECE_SCORE, PIECE_TYPE = 1, 2, 3
TRAINER_MODEL_TYPE, TRAINER_VOCAB_SIZE, TRAINER_BYTE_FALLBACK = 3, 4, 35
TRAINER_IDS = {"unknown": 40, "bos": 41, "eos": 42, "padding": 43}  # unk_id, bos_id, …
TRAINER_PIECES = {"unknown": 45, "bos": 46, "eos": 47, "padding": 48}  # unk_piece, bos_piece, …
NORM_NAME, NORM_DUMMY_PREFIX, NORM_REMOVE_EXTRA_SPACES, NORM_ESCAPE_SPACES = 1, 3, 4, 5
BPE = 2  # TrainerSpec.ModelType

# SentencePiece.Type by GGUF token type (llama.cpp's LLAMA_TOKEN_TYPE_*): the same numbers.
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
PIECE_TYPES = {1: NORMAL, 2: UNKNOWN, 3: CONTROL, 4: USER_DEFINED, 5: UNUSED, 6: BYTE}


# --- the wire format -----------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    """A base-128 varint; a negative int32 as its 64-bit two's complement (ten bytes)."""
    value &= (1 << 64) - 1
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _int(field: int, value: int) -> bytes:
    """A varint field (int32, enum, bool)."""
    return _varint(field << 3) + _varint(value)


def _float(field: int, value: float) -> bytes:
    """A float field: fixed32, little-endian."""
    return _varint(field << 3 | 5) + struct.pack("<f", value)


def _bytes(field: int, data: bytes) -> bytes:
    """A length-delimited field (string, bytes, embedded message)."""
    return _varint(field << 3 | 2) + _varint(len(data)) + data


# --- the vocabulary ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpmVocab:
    """The pieces of a GGUF "llama" vocabulary, in SentencePiece's terms."""

    pieces: list[str]
    scores: list[float]
    types: list[int]  # SentencePiece.Type
    ids: dict[str, int]  # unknown, bos, eos, padding (those the file names)
    add_dummy_prefix: bool
    remove_extra_whitespaces: bool


def _read_vocab(path: Path) -> SpmVocab:
    """Read a GGUF vocabulary of tokenizer.ggml.model "llama"; StudioError for any other."""
    vocab = read_vocab(path)
    if vocab.model != "llama":
        raise StudioError(
            f"the vocabulary is tokenizer.ggml.model {vocab.model!r}, not a SentencePiece one "
            "('llama')",
            where=str(path),
            hint="a tokenizer.model can be written only from a SentencePiece vocabulary",
        )
    unk = _unknown_id(path, vocab.types, vocab.ids.get("unknown"))
    return SpmVocab(
        pieces=vocab.tokens,
        scores=vocab.scores,
        types=_piece_types(path, vocab.types, unk),
        ids={**vocab.ids, "unknown": unk},
        add_dummy_prefix=vocab.add_space_prefix,
        remove_extra_whitespaces=vocab.remove_extra_whitespaces,
    )


def _unknown_id(path: Path, token_types: list[int], named: int | None) -> int:
    """The unknown token: the one the file names, else its first of type UNKNOWN."""
    if named is not None:
        return named
    unk = next((i for i, t in enumerate(token_types) if t == UNKNOWN), None)
    if unk is None:
        raise StudioError("the vocabulary has no unknown token", where=str(path))
    return unk


def _piece_types(path: Path, token_types: list[int], unk: int) -> list[int]:
    """SentencePiece types of the GGUF token types. SentencePiece wants exactly one UNKNOWN piece:
    the unknown token is it (Phi-3's file marks its <unk> control), the other UNKNOWN ones (Phi-3's
    [PAD…] fillers) become UNUSED, which SentencePiece never emits either."""
    try:
        types = [PIECE_TYPES[t] for t in token_types]
    except KeyError as err:
        raise StudioError(f"unknown GGUF token type {err}", where=str(path)) from None
    types = [UNUSED if t == UNKNOWN else t for t in types]
    types[unk] = UNKNOWN
    return types


# --- the model file ------------------------------------------------------------------------------


def _model_proto(vocab: SpmVocab) -> bytes:
    """The serialised ModelProto: pieces, trainer_spec, normalizer_spec."""
    pieces = b"".join(
        _bytes(
            MODEL_PIECES,
            _bytes(PIECE_TEXT, piece.encode("utf-8"))
            + _float(PIECE_SCORE, score)
            + _int(PIECE_TYPE, kind),
        )
        for piece, score, kind in zip(vocab.pieces, vocab.scores, vocab.types, strict=True)
    )
    return (
        pieces
        + _bytes(MODEL_TRAINER, _trainer_spec(vocab))
        + _bytes(MODEL_NORMALIZER, _normalizer_spec(vocab))
    )


def _trainer_spec(vocab: SpmVocab) -> bytes:
    """BPE, the vocabulary size, byte fallback, and the special pieces by id and by text
    (SentencePieceProcessor finds bos/eos/pad by their piece, not their id)."""
    spec = _int(TRAINER_MODEL_TYPE, BPE) + _int(TRAINER_VOCAB_SIZE, len(vocab.pieces))
    spec += _int(TRAINER_BYTE_FALLBACK, BYTE in vocab.types)
    for name, field in TRAINER_IDS.items():
        token = vocab.ids.get(name, -1)
        spec += _int(field, token)
        if token >= 0:
            spec += _bytes(TRAINER_PIECES[name], vocab.pieces[token].encode("utf-8"))
    return spec


def _normalizer_spec(vocab: SpmVocab) -> bytes:
    """The Llama family's: no normalisation rules, spaces kept and escaped, a dummy prefix."""
    return (
        _bytes(NORM_NAME, b"identity")
        + _int(NORM_DUMMY_PREFIX, vocab.add_dummy_prefix)
        + _int(NORM_REMOVE_EXTRA_SPACES, vocab.remove_extra_whitespaces)
        + _int(NORM_ESCAPE_SPACES, True)
    )


def write_sentencepiece_model(vocab_gguf: Path, target: Path) -> Path:
    """Write `target` (a tokenizer.model) from a GGUF "llama" vocabulary, atomically."""
    atomic_write_bytes(target, _model_proto(_read_vocab(vocab_gguf)))
    return target
