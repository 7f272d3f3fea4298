"""Shared fixtures: copies of the bundled corpus, a scratch workspace, the cached tiny model."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.workspace import REPO_ROOT, SAMPLE_CORPUS, SAMPLE_ELEMENTS

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

# Expensive artefacts (the tiny model) are cached here between test sessions.
TEST_CACHE = REPO_ROOT / "workspace" / ".test-cache"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw_scripts (symlinks kept as links)."""
    target = tmp_path / "raw_scripts"
    shutil.copytree(SAMPLE_CORPUS, target, symlinks=True)
    return target


@pytest.fixture
def elements_csv() -> Path:
    return SAMPLE_ELEMENTS


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "workspace"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def tiny_model() -> Path:
    """The local demo model, built once from the bundled corpus and cached under workspace/."""
    from core.models.tiny import ensure_tiny_model

    return ensure_tiny_model(TEST_CACHE)


@pytest.fixture(scope="module")
def twin() -> Path:
    """The Qwen3 twin the miniature hub serves (tests/hub_server.py)."""
    from core.models.twins import ensure_twin

    return ensure_twin("qwen3", TEST_CACHE)


@pytest.fixture
def hub(twin: Path, monkeypatch, tmp_path: Path) -> Iterator:
    """The miniature hub, with this process (and the jobs it starts) pointed at it and online."""
    from tests.hub_server import GATED, REPO, TOKEN, FakeHub

    server = FakeHub({REPO: twin, GATED: twin}, gated={GATED: TOKEN})
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    monkeypatch.setattr("huggingface_hub.constants.HF_TOKEN_PATH", str(tmp_path / "no-token"))
    yield server
    server.stop()
