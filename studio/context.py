"""What every tab needs to know: where the workspace, the corpus and the configs are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.workspace import CONFIG_DIR, SAMPLE_CORPUS, SAMPLE_ELEMENTS


@dataclass
class StudioContext:
    """Paths chosen at launch; tabs read them and pass them to core."""

    workspace: Path
    corpus: Path = SAMPLE_CORPUS
    elements_csv: Path = SAMPLE_ELEMENTS
    config_path: Path = CONFIG_DIR / "cpu-demo.yaml"
    config_dir: Path = CONFIG_DIR
    header: Any = None  # the page header component (set by studio.app), refreshed on changes
