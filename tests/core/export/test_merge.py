"""Merging a run's adapter into full weights: logits check, atomic output, CLI, refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import StudioError
from core.export.merge import TOLERANCE, merge_run
from core.export.provenance import merged_adapter
from core.train.config import save_config
from core.train.run_folder import adapter_fingerprint, read_status, write_status
from core.train.runs import freeze_config
from core.workspace import REPO_ROOT
from tests.train_fixtures import tiny_config, write_harmony


@pytest.fixture
def run_dir(tiny_model, tmp_path) -> Path:
    """A finished run whose adapter has random (non-zero) LoRA weights: merging changes logits."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run = tmp_path / "run"
    data = write_harmony(tmp_path / "train.jsonl", 4)
    cfg = tiny_config(tiny_model, data)
    save_config(freeze_config(cfg, run, tmp_path), run / "config.yaml")
    torch.manual_seed(0)
    lora = LoraConfig(r=8, lora_alpha=16, target_modules=cfg.lora.target_modules)
    lora.init_lora_weights = False
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model), lora)
    model.save_pretrained(run / "adapter")
    AutoTokenizer.from_pretrained(tiny_model).save_pretrained(run / "adapter")
    write_status(run, state="completed")
    return run


def logits(model_dir: Path, adapter: Path | None = None):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir)
    if adapter is not None:
        model = PeftModel.from_pretrained(model, adapter)
    with torch.no_grad():
        return model.eval()(input_ids=torch.tensor([[3, 40, 41, 42, 43, 44]])).logits


def test_merged_weights_give_the_logits_of_base_plus_adapter(run_dir, tiny_model):
    result = merge_run(run_dir)
    merged = run_dir / "merged"
    assert result.merged_dir == merged and result.dtype == "float32"
    assert result.max_abs_diff < 1e-4
    assert {"config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"} <= {
        p.name for p in merged.iterdir()
    }
    expected = logits(tiny_model, run_dir / "adapter")
    assert (logits(merged) - expected).abs().max().item() < 1e-4
    assert (logits(tiny_model) - expected).abs().max().item() > 1e-2  # the adapter did something
    assert read_status(run_dir)["merged"]["max_abs_diff"] == result.max_abs_diff
    assert merged_adapter(merged) == adapter_fingerprint(run_dir)  # which adapter it holds
    assert sorted(p.name for p in run_dir.iterdir() if p.name.startswith(".")) == []


def test_a_second_merge_replaces_the_first_and_clears_what_a_killed_one_left(run_dir):
    merge_run(run_dir)
    (run_dir / "merged" / "stale.txt").write_text("old")
    for killed in (".merged.k1ll3d", ".merged.k1ll3d.old"):  # a merge killed mid-write leaves
        (run_dir / killed).mkdir()
        (run_dir / killed / "model.safetensors").write_bytes(b"half a model")
    merge_run(run_dir)
    assert not (run_dir / "merged" / "stale.txt").exists()
    assert (run_dir / "merged" / "model.safetensors").is_file()
    assert sorted(p.name for p in run_dir.iterdir() if p.name.startswith(".")) == []


def test_a_failed_logits_check_writes_nothing(run_dir, monkeypatch):
    monkeypatch.setitem(TOLERANCE, "float32", -1.0)
    with pytest.raises(StudioError, match="nothing was written"):
        merge_run(run_dir)
    assert not (run_dir / "merged").exists()
    assert [p for p in run_dir.iterdir() if p.name.startswith(".")] == []


def test_a_run_without_an_adapter_is_refused(run_dir):
    import shutil

    shutil.rmtree(run_dir / "adapter")
    with pytest.raises(StudioError, match="has no adapter yet"):
        merge_run(run_dir)


def test_the_cli_prints_the_difference_and_the_folder(run_dir, tmp_path):
    out = tmp_path / "elsewhere"
    proc = subprocess.run(
        [sys.executable, "-m", "core.export.merge", "--run-dir", str(run_dir), "--out", str(out)],
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "max abs logit difference vs base + adapter: " in proc.stdout
    assert f"merged model: {out}" in proc.stdout
    assert (out / "model.safetensors").is_file()
