"""The headless pipeline: corpus → datasets → Harmony → training run → merged model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.pipeline import main, prepare_data
from core.train.config import load_config, resolve_path, save_config, with_values
from core.train.run_folder import list_runs, read_metrics
from core.workspace import CONFIG_DIR

DEMO = CONFIG_DIR / "cpu-demo.yaml"


def test_the_demo_config_trains_on_what_the_pipeline_prepares(tmp_path):
    chats = prepare_data(tmp_path, say=lambda _m: None)
    cfg = load_config(DEMO)
    assert resolve_path(cfg.training.dataset_path, tmp_path) == chats["train"]
    assert resolve_path(cfg.training.eval_dataset_path, tmp_path) == chats["val"]
    first = json.loads(chats["train"].read_text().splitlines()[0])
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    manifest = json.loads((tmp_path / "prepared" / "manifest.json").read_text())
    assert manifest["options"]["prompt_style"] == "instruction"


@pytest.mark.slow
def test_pipeline_builds_the_demo_model_trains_and_merges(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    quick = {
        "max_seq_length": 160,
        "training.max_steps": 4,
        "training.eval_steps": 4,
        "training.save_steps": 4,
    }
    config = tmp_path / "quick-demo.yaml"
    save_config(with_values(load_config(DEMO), quick), config)
    workspace = tmp_path / "ws"
    assert main(["--config", str(config), "--workspace", str(workspace)]) == 0
    out = capsys.readouterr().out
    for stage in ("[1/4] dataset built", "[2/4] converted", "[3/4] training run", "[4/4] merged"):
        assert stage in out
    (run,) = list_runs(workspace)
    assert run.state == "completed" and run.id.endswith("-quick-demo")
    assert f"run folder: {run.path}" in out
    assert "step 4/4" in out and "eval_loss" in out
    assert (workspace / "models" / "tiny-ahk" / "config.json").is_file()
    assert (run.path / "adapter" / "adapter_model.safetensors").is_file()
    assert (run.path / "merged" / "model.safetensors").is_file()
    assert len([r for r in read_metrics(run.path)[0] if r["loss"] is not None]) == 4


def test_a_run_that_cannot_start_is_one_line_and_exit_1(tmp_path, capsys):
    config = tmp_path / "bad.yaml"
    cfg = with_values(load_config(DEMO), {"base_model": str(tmp_path / "missing-model")})
    save_config(with_values(cfg, {"build_tiny_if_missing": False}), config)
    assert main(["--config", str(config), "--workspace", str(tmp_path / "ws")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "base model folder not found" in err
    assert list_runs(Path(tmp_path / "ws")) == []
