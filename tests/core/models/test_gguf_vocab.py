"""Tokenizers rebuilt from llama.cpp's vocabulary files tokenise exactly as llama.cpp does on the
same file, chat turns and special tokens included, and the converter recognises them."""

from __future__ import annotations

import pytest

from core.errors import StudioError
from core.models.gguf_vocab import REBUILT, read_vocab
from core.models.registry import FAMILIES, llama_cpp_share
from core.models.twins import RECIPES, vocab_tokenizer
from tests.conftest import TEST_CACHE

FAMILY = {fam.twin_vocab: key for key, fam in FAMILIES.items() if fam.twin_vocab in REBUILT}
TEXTS = [
    'MsgBox "Hello, world"\n#Requires AutoHotkey v2.0\nx := Map("a", 1)',
    "  two leading spaces\n\n\n\tand a tab ; été 12345 🙂",
    "line1\r\nline2\n\n",
]


@pytest.fixture(scope="module", params=sorted(REBUILT))
def rebuilt(request):
    """(vocabulary name, its rebuilt tokenizer, llama.cpp on the same file)."""
    llama_cpp = pytest.importorskip("llama_cpp")
    name = request.param
    path = llama_cpp_share() / "models" / f"ggml-vocab-{name}.gguf"
    llm = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    yield name, vocab_tokenizer(FAMILIES[FAMILY[name]], TEST_CACHE), llm
    llm.close()


def test_every_rebuilt_vocabulary_belongs_to_a_twin():
    assert set(FAMILY) == set(REBUILT) and all(FAMILY[name] in RECIPES for name in FAMILY)


@pytest.mark.parametrize("text", TEXTS)
def test_text_tokenises_as_in_llama_cpp(rebuilt, text):
    _, tokenizer, llm = rebuilt
    expected = llm.tokenize(text.encode(), add_bos=True, special=True)
    assert tokenizer(text).input_ids == expected  # the file's BOS first, where it adds one
    assert tokenizer.decode(expected, skip_special_tokens=True).strip() == text.strip()


def test_special_tokens_between_lines_tokenise_as_in_llama_cpp(rebuilt):
    name, tokenizer, llm = rebuilt
    vocab = read_vocab(llama_cpp_share() / "models" / f"ggml-vocab-{name}.gguf")
    specials = [t for t in vocab.specials() if t != tokenizer.bos_token][:12]
    text = "".join(f"{token}\nMsgBox 1\n" for token in specials)  # as chat turns write them
    got = tokenizer(text).input_ids
    assert got == llm.tokenize(text.encode(), add_bos=True, special=True)
    assert all(tokenizer.convert_tokens_to_ids(t) in got for t in specials)


def test_a_file_without_a_vocabulary_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "weights.gguf"
    bad.write_bytes(b"GGUF not really")
    with pytest.raises(StudioError, match=r"weights\.gguf"):
        read_vocab(bad)
