"""Last of the browser journeys (the studio is shared by them all): after every tab was used —
the Dataset tab's token view and the Playground loaded models — the studio's own process has
never loaded torch, a tokenizer library or llama.cpp; they lived in its child processes."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

NATIVE_LIBRARIES = ("libtorch", "torch/lib", "tokenizers", "safetensors", "llama_cpp")


def mapped_files(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps")
    if not maps.exists():
        pytest.skip("no /proc on this system")
    return {line.split()[-1] for line in maps.read_text().splitlines() if "/" in line}


def test_the_studio_process_never_loaded_a_model_library(studio) -> None:
    assert studio.process.poll() is None, "the studio died during the journeys"
    loaded = mapped_files(studio.process.pid)
    assert any("gradio" in path or "python3" in path for path in loaded)  # it reads the maps
    assert [p for p in loaded if any(lib in p for lib in NATIVE_LIBRARIES)] == []
