"""tokenizer.model files written from llama.cpp's SentencePiece GGUF vocabularies."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import StudioError
from core.models.registry import FAMILIES, llama_cpp_share
from core.models.spm_file import write_sentencepiece_model
from tests.conftest import TEST_CACHE

VOCABS = {"phi-3": "phi", "llama-spm": "mistral"}  # vocabulary: the family whose twin borrows it
# unk, bos, eos, pad as SentencePieceProcessor reports them (the GGUF's tokenizer.ggml.*_token_id)
SPECIAL_IDS = {"phi-3": (0, 1, 32000, 32000), "llama-spm": (0, 1, 2, -1)}
TEXTS = [
    'MsgBox "Hello, world"\n#Requires AutoHotkey v2.0\nx := Map("a", 1)',
    'if (x > 0) {\n    MsgBox(x)\n} else\n\tReturn "tab"',
    "  two leading spaces, one trailing ",
    " one leading space",
    "Grüße, 世界! ünïcödé — ✓ 🙂",
    "line1\nline2\r\n\n\t\tindented",
    "; a comment: Loop Parse, A_Clipboard, '`n'",
]


def gguf_path(name: str) -> Path:
    return llama_cpp_share() / "models" / f"ggml-vocab-{name}.gguf"


@pytest.fixture(scope="module", params=list(VOCABS))
def vocab(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def spm(vocab: str, tmp_path_factory):
    """The written tokenizer.model, loaded by sentencepiece."""
    from sentencepiece import SentencePieceProcessor

    target = tmp_path_factory.mktemp(vocab) / "tokenizer.model"
    return SentencePieceProcessor(
        model_file=str(write_sentencepiece_model(gguf_path(vocab), target))
    )


@pytest.fixture(scope="module")
def gguf_tokens(vocab: str) -> tuple:
    """Tokens, scores and token types as the GGUF file holds them."""
    import gguf

    fields = gguf.GGUFReader(gguf_path(vocab)).fields
    return tuple(
        fields[f"tokenizer.ggml.{key}"].contents() for key in ("tokens", "scores", "token_type")
    )


def test_pieces_scores_and_types_round_trip(spm, vocab, gguf_tokens):
    tokens, scores, types = gguf_tokens
    assert spm.vocab_size() == len(tokens)
    assert [spm.id_to_piece(i) for i in range(len(tokens))] == tokens
    assert [spm.get_score(i) for i in range(len(tokens))] == scores
    unk = SPECIAL_IDS[vocab][0]
    for i, kind in enumerate(types):
        flags = (spm.is_unknown(i), spm.is_control(i), spm.is_unused(i), spm.is_byte(i))
        # SentencePiece holds one UNKNOWN piece: the file's unknown token; its other UNKNOWN ones
        # (Phi-3's [PAD…] fillers) are UNUSED; Phi-3's file marks its <unk> control.
        expected = (
            i == unk,
            kind == 3 and i != unk,
            kind == 5 or (kind == 2 and i != unk),
            kind == 6,
        )
        assert flags == expected, (i, tokens[i], kind)


def test_special_ids_follow_the_gguf(spm, vocab):
    assert (spm.unk_id(), spm.bos_id(), spm.eos_id(), spm.pad_id()) == SPECIAL_IDS[vocab]


def test_some_pieces_by_id(spm, vocab):
    assert spm.piece_to_id("<0x0A>") == 13
    assert spm.piece_to_id("▁▁") == 259
    assert spm.id_to_piece(29871) == "▁"
    assert spm.encode("Hello") == [15043]
    if vocab == "phi-3":
        assert spm.piece_to_id("<|end|>") == 32007
        assert spm.id_to_piece(32063) == "[PAD32063]"
        # </s> is user-defined in Phi-3's file, so matched in text; llama.cpp makes it control
        # (an end-of-generation token) and splits it as text: [263, 829, 29879, 29958, 29890]
        assert spm.encode("a</s>b") == [263, 2, 29890]


@pytest.mark.parametrize("text", TEXTS)
def test_encodes_like_llama_cpp(spm, vocab, text):
    llama_cpp = pytest.importorskip("llama_cpp")
    model = llama_cpp.Llama(model_path=str(gguf_path(vocab)), vocab_only=True, verbose=False)
    expected = model.tokenize(text.encode("utf-8"), add_bos=False, special=False)
    assert spm.encode(text) == expected
    assert spm.decode(expected) == text


@pytest.fixture(scope="module")
def transformers_tokenizer(vocab: str):
    """transformers' tokenizer of the GGUF vocabulary (the one the family's twin ships)."""
    from core.models.twins import vocab_tokenizer

    return vocab_tokenizer(FAMILIES[VOCABS[vocab]], TEST_CACHE)


@pytest.mark.parametrize("text", TEXTS)
def test_encodes_like_transformers(spm, transformers_tokenizer, text):
    expected = transformers_tokenizer(text, add_special_tokens=False).input_ids
    assert spm.encode(text) == expected


def test_a_bpe_vocabulary_is_refused_with_the_file_named(tmp_path):
    source = gguf_path("qwen2")
    with pytest.raises(StudioError, match=r"tokenizer\.ggml\.model 'gpt2'") as caught:
        write_sentencepiece_model(source, tmp_path / "tokenizer.model")
    assert caught.value.where == str(source)
    assert not list(tmp_path.iterdir())


def test_the_file_is_replaced_whole(tmp_path):
    target = tmp_path / "tokenizer.model"
    target.write_bytes(b"old")
    assert write_sentencepiece_model(gguf_path("llama-spm"), target) == target
    assert target.stat().st_size > 500_000
    assert list(tmp_path.iterdir()) == [target]
