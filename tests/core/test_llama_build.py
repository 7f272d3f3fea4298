"""The llama.cpp that the tests load is the portable build that scripts/install-llama-cpp.sh makes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

llama_cpp = pytest.importorskip("llama_cpp")

SHARE = Path(sys.prefix) / "share" / "llama.cpp"
# Instructions a portable build must not use: a -march=native build on an AVX-512/AMX CPU
# crashes or dies of an illegal instruction elsewhere (and crashed on Q8_0 files here).
NATIVE_ONLY = ("AVX512", "AMX_INT8", "AMX_BF16", "AVX_VNNI")


def system_info() -> dict[str, str]:
    text = llama_cpp.llama_print_system_info().decode()
    pairs = (part.split("=") for part in text.replace("CPU :", "").split("|") if "=" in part)
    return {key.strip(): value.strip() for key, value in pairs}


def test_loaded_llama_cpp_is_the_portable_build():
    info = system_info()
    assert info.get("AVX2") == "1", info  # the portable baseline is there
    native = [f"{key} = 1" for key in info if key.startswith(NATIVE_ONLY) and info[key] == "1"]
    assert not native, f"llama-cpp-python was built for this CPU ({native}): run make setup again"
    assert (SHARE / "BUILD").read_text().split()[1].startswith("portable-")


def test_install_unpacked_the_converter_vocabularies_and_templates():
    assert (SHARE / "convert_hf_to_gguf.py").is_file()
    assert (SHARE / "gguf-py" / "gguf" / "__init__.py").is_file()
    assert (SHARE / "models" / "ggml-vocab-qwen2.gguf").stat().st_size > 1000
    assert (SHARE / "models" / "templates" / "openai-gpt-oss-120b.jinja").is_file()
    assert (SHARE / "BUILD").read_text().split()[0] == llama_cpp.__version__
