"""Which adapter a merged model, a GGUF export or an evaluation holds, and whether the run's
adapter changed since (a Resume trained on, say): then what is shown was made from an older one.

Each records the adapter's fingerprint (core.train.run_folder.adapter_fingerprint: a hash of its
weights and the run's step) when it is made: a merged model in merged/provenance.json (written
inside the folder before it takes its name), an export and an evaluation under "adapter" in the
JSON they write anyway (<name>.result.json beside the GGUF, eval/summary.json, eval/ahkbench.json).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.fsutil import atomic_write_text
from core.train.run_folder import Run, RunFolder, adapter_fingerprint

PROVENANCE = "provenance.json"


@dataclass(frozen=True)
class Source:
    """What something was made from (`recorded`, None when it predates fingerprints) against
    the run's adapter now (`current`, None when the run has none)."""

    recorded: dict[str, Any] | None
    current: dict[str, Any] | None

    @property
    def stale(self) -> bool:
        """Made from another adapter than the run has now."""
        if self.recorded is None or self.current is None:
            return False
        return self.recorded.get("sha256") != self.current["sha256"]

    @property
    def current_match(self) -> bool:
        """Made from the adapter the run has now."""
        return self.recorded is not None and not self.stale and self.current is not None

    def warning(self, what: str, redo: str) -> str | None:
        """Plain words when stale (None otherwise): `what` ("the merged model holds") an older
        adapter, so `redo`."""
        if not self.stale:
            return None
        then, now = (_step(f) for f in (self.recorded, self.current))
        return (
            f"STALE: {what} an older adapter ({then}); the run's adapter has changed since "
            f"({now}, e.g. Resume trained on): {redo}."
        )


def _step(fingerprint: dict[str, Any] | None) -> str:
    step = (fingerprint or {}).get("step")
    return "step unknown" if step is None else f"step {step}"


def write_merged(folder: Path, adapter: dict[str, Any] | None) -> None:
    """Record in a merged model's folder which adapter was merged into it."""
    atomic_write_text(Path(folder) / PROVENANCE, json.dumps({"adapter": adapter}, indent=2) + "\n")


def merged_adapter(folder: Path) -> dict[str, Any] | None:
    """The adapter fingerprint recorded in a merged model's folder (None: none recorded)."""
    try:
        return json.loads((Path(folder) / PROVENANCE).read_text(encoding="utf-8")).get("adapter")
    except (OSError, ValueError, AttributeError):
        return None


def model_adapter(run: Run, kind: str) -> dict[str, Any] | None:
    """The adapter a run's `kind` of model (adapter or merged) holds now."""
    folder = RunFolder.of(run)
    return adapter_fingerprint(folder) if kind == "adapter" else merged_adapter(folder.merged)


def against(run: Run, recorded: dict[str, Any] | None) -> Source:
    """`recorded` against the run's adapter now."""
    return Source(recorded, adapter_fingerprint(run))


def merged_source(run: Run) -> Source:
    """The run's merged model against its adapter now."""
    return against(run, merged_adapter(RunFolder.of(run).merged))
