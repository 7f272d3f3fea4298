"""Shared fixtures: copies of the bundled corpus, a scratch workspace, the cached tiny model."""

from __future__ import annotations

import os
import shutil
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
    from core.tiny import ensure_tiny_model

    return ensure_tiny_model(TEST_CACHE)
