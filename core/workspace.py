"""Where the project lives and where everything it writes goes (the git-ignored workspace)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
CONFIG_DIR = REPO_ROOT / "config"
SAMPLE_CORPUS = DATA_DIR / "raw_scripts"
SAMPLE_ELEMENTS = DATA_DIR / "elements.csv"


def workspace_root(explicit: str | Path | None = None) -> Path:
    """The workspace: an explicit path, else $AHKSTUDIO_WORKSPACE, else <repo>/workspace."""
    chosen = explicit or os.environ.get("AHKSTUDIO_WORKSPACE") or REPO_ROOT / "workspace"
    path = Path(chosen).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def subdir(workspace: Path, name: str) -> Path:
    """A named folder of the workspace (prepared, runs, models, exports, backups, quarantine...)."""
    path = Path(workspace) / name
    path.mkdir(parents=True, exist_ok=True)
    return path
