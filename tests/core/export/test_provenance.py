"""Which adapter a merged model, an export or an evaluation holds, and when that goes stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.export import provenance
from core.train import run_folder


def bare_run(workspace: Path, name: str = "run", step: int = 8) -> Path:
    """A run folder whose adapter's weights are a few bytes."""
    run_dir = run_folder.runs_dir(workspace) / name
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / run_folder.CONFIG).write_text("base_model: x\n")
    (run_dir / "adapter" / "adapter_config.json").write_text("{}")
    train_more(run_dir, step, b"weights at the first stop")
    return run_dir


def train_more(run_dir: Path, step: int, weights: bytes) -> None:
    """What a Resume leaves: new adapter weights, a later step."""
    (run_dir / "adapter" / "adapter_model.safetensors").write_bytes(weights)
    run_folder.write_status(run_dir, state="completed", step=step)


def test_the_fingerprint_is_the_weights_hash_and_the_step(workspace):
    run_dir = bare_run(workspace)
    first = run_folder.adapter_fingerprint(run_dir)
    assert first is not None and first["step"] == 8 and len(first["sha256"]) == 64
    assert run_folder.adapter_fingerprint(run_dir) == first
    train_more(run_dir, 16, b"weights after a resume")
    second = run_folder.adapter_fingerprint(run_dir)
    assert second is not None and second["step"] == 16 and second["sha256"] != first["sha256"]
    (run_dir / "adapter" / "adapter_config.json").unlink()
    assert run_folder.adapter_fingerprint(run_dir) is None


def test_a_merge_is_stale_in_plain_words_once_the_adapter_changed(workspace):
    run_dir = bare_run(workspace)
    (run_dir / "merged").mkdir()
    provenance.write_merged(run_dir / "merged", run_folder.adapter_fingerprint(run_dir))
    assert json.loads((run_dir / "merged" / "provenance.json").read_text())["adapter"]["step"] == 8
    fresh = provenance.merged_source(run_dir)
    assert fresh.current_match and not fresh.stale
    assert fresh.warning("the merged model holds", "re-merge") is None
    train_more(run_dir, 16, b"weights after a resume")
    stale = provenance.merged_source(run_dir)
    assert stale.stale and not stale.current_match
    assert stale.warning("the merged model holds", "re-merge") == (
        "STALE: the merged model holds an older adapter (step 8); the run's adapter has changed "
        "since (step 16, e.g. Resume trained on): re-merge."
    )


@pytest.mark.parametrize("recorded", [None, "missing"], ids=["before-fingerprints", "no-file"])
def test_without_a_record_or_an_adapter_nothing_is_called_stale(workspace, recorded):
    run_dir = bare_run(workspace)
    if recorded is None:
        (run_dir / "merged").mkdir()
        (run_dir / "merged" / "provenance.json").write_text("not json")
    source = provenance.merged_source(run_dir)
    assert source.recorded is None and not source.stale and not source.current_match
    gone = provenance.against(run_dir, {"sha256": "0" * 64, "step": 1})
    assert gone.stale
    (run_dir / "adapter" / "adapter_config.json").unlink()
    assert not provenance.against(run_dir, {"sha256": "0" * 64, "step": 1}).stale


def test_a_model_kind_reports_the_adapter_it_holds(workspace):
    run_dir = bare_run(workspace)
    assert provenance.model_adapter(run_dir, "adapter") == run_folder.adapter_fingerprint(run_dir)
    assert provenance.model_adapter(run_dir, "merged") is None
    (run_dir / "merged").mkdir()
    provenance.write_merged(run_dir / "merged", {"sha256": "a" * 64, "step": 3})
    assert provenance.model_adapter(run_dir, "merged") == {"sha256": "a" * 64, "step": 3}
