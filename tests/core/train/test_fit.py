"""Will it fit: the memory estimate per family and backend against the device's free memory, and
the refusal before a run that cannot fit (the studio's Start and python -m core.train alike)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import StudioError
from core.models import hardware
from core.models.registry import FAMILIES
from core.train import fit
from core.train.config import TrainConfig, load_config, save_config, with_values
from core.train.estimate import estimate_memory
from core.train.inputs import preflight
from core.workspace import CONFIG_DIR, REPO_ROOT
from tests.train_fixtures import tiny_config, write_harmony

GIB = 2**30
SEED = load_config(CONFIG_DIR / "sft.yaml")


def on(hub_id: str, family: str, **values) -> TrainConfig:
    return with_values(fit.for_model(SEED, hub_id, FAMILIES[family]), values)


def test_gpu_classes_are_the_sizes_gpus_are_sold_in():
    assert fit.gpu_class(int(14.8 * GIB)) == "a 16 GB GPU"
    assert fit.gpu_class(int(15.5 * GIB)) == "a 20 GB GPU"  # 16 GB cards keep 5% for the driver
    assert fit.gpu_class(int(40.9 * GIB)) == "a 48 GB GPU"
    assert fit.gpu_class(400 * GIB) == "more than one 192 GB GPU"


def test_gpt_oss_20b_needs_a_16_gb_gpu_with_unsloth_and_48_gb_with_hf():
    cfg = on("openai/gpt-oss-20b", "gpt-oss")
    unsloth, hf = (estimate_memory(cfg, backend=b).total for b in ("unsloth", "hf"))
    assert fit.gpu_class(unsloth) == "a 16 GB GPU" and fit.gpu_class(hf) == "a 48 GB GPU"


def test_qwen3_moe_experts_stay_bf16_with_every_backend():
    cfg = on("Qwen/Qwen3-Coder-30B-A3B-Instruct", "qwen3-moe")
    for backend in ("unsloth", "hf"):
        est = estimate_memory(cfg, backend=backend)
        assert est.weights > 55 * GIB and any("full size" in note for note in est.notes)
    dense = estimate_memory(on("Qwen/Qwen3-8B", "qwen3"), backend="hf")
    assert dense.weights < 6 * GIB  # NF4 on every Linear layer: 8.2B x 0.53 bytes + embeddings


def test_the_verdict_compares_the_estimate_with_the_free_memory():
    est = estimate_memory(on("Qwen/Qwen3-4B", "qwen3"), backend="hf")
    gpu = "the NVIDIA T4"
    assert fit.judge(est, (16 * GIB, gpu), "Qwen/Qwen3-4B").verdict == "fits"
    tight = fit.judge(est, (int(est.total / 0.9), gpu), "Qwen/Qwen3-4B")
    assert tight.verdict == "tight" and "other programs" in tight.message
    big = fit.judge(est, (2 * GIB, gpu), "Qwen/Qwen3-4B")
    assert big.verdict == "too big"
    assert big.message.startswith("will not fit: training Qwen/Qwen3-4B needs about")
    assert "the NVIDIA T4 has 2.0 GB free" in big.message
    assert fit.judge(est, None, "x").verdict == "unknown"


def test_a_run_that_cannot_fit_is_refused_before_any_model_loads(tmp_path):
    data = write_harmony(tmp_path / "train.jsonl", 4)
    cfg = with_values(
        on("openai/gpt-oss-120b", "gpt-oss"),
        {"backend": "cpu", "training.dataset_path": str(data), "load_in_4bit": False},
    )
    with pytest.raises(StudioError, match="will not fit") as caught:
        preflight(cfg, tmp_path)
    assert caught.value.where == "memory"
    assert "this machine's memory" in caught.value.message
    assert caught.value.hint.startswith("turn on Load in 4-bit")


def test_the_demo_fits_and_the_cli_refuses_what_does_not(tiny_model, tmp_path):
    data = write_harmony(tmp_path / "train.jsonl", 4)
    assert preflight(tiny_config(tiny_model, data), tmp_path).name == "cpu"
    big = tiny_config(tiny_model, data, base_model="openai/gpt-oss-120b", backend="cpu")
    save_config(big, tmp_path / "big.yaml")
    run_dir = tmp_path / "run"
    args = ["--config", tmp_path / "big.yaml", "--run-dir", run_dir, "--workspace", tmp_path]
    done = subprocess.run(
        [sys.executable, "-m", "core.train", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: memory: will not fit: training openai/gpt-oss-120b")
    assert "Traceback" not in done.stderr and not (run_dir / "adapter").exists()


def test_an_unknown_model_is_not_refused_only_unmeasured(tmp_path):
    cfg = with_values(TrainConfig(), {"base_model": "someone/unheard-of-7b"})
    found = fit.check_fit(cfg, tmp_path, "cpu")
    assert found.verdict == "unknown" and found.message.startswith("memory not estimated")


def test_picking_a_family_sets_its_lora_targets_and_qlora_for_a_gpu_model():
    demo = load_config(CONFIG_DIR / "cpu-demo.yaml")
    gpt = fit.model_values(demo, "openai/gpt-oss-20b", FAMILIES["gpt-oss"])
    assert gpt["lora.target_modules"] == ["q_proj", "k_proj", "v_proj", "o_proj"]
    assert gpt["lora.target_parameters"] == ["mlp.experts.gate_up_proj", "mlp.experts.down_proj"]
    assert not gpt["build_tiny_if_missing"] and gpt["load_in_4bit"] and gpt["training.fp16"]
    assert gpt["training.gradient_checkpointing"] and gpt["training.optimizer"] == "adamw_8bit"
    assert "qkv_proj" in fit.model_values(demo, "x/y", FAMILIES["phi"])["lora.target_modules"]
    back = fit.model_values(SEED, fit.DEMO_MODEL, FAMILIES["demo"])
    assert back["build_tiny_if_missing"] and "load_in_4bit" not in back


def test_the_machine_is_asked_in_a_child_without_loading_torch_here():
    code = (
        "import sys; from core.models import hardware; m = hardware.machine('.'); "
        "print(int('torch' in sys.modules), m.cpus > 0, m.memory > 0, m.disk_free > 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=300
    )
    assert done.stdout.split() == ["0", "True", "True", "True"], done.stderr
    gpu = hardware.Gpu(0, "NVIDIA H200", 140 * GIB, 139 * GIB)
    machine = hardware.Machine((gpu,), 16, 128 * GIB, 100 * GIB, 50 * GIB)
    assert machine.summary().startswith("NVIDIA H200 · 139.0 GB free of 140.0 GB · 16 CPU cores")
    assert machine.best_gpu == gpu


def test_disk_free_measures_the_nearest_existing_folder(tmp_path: Path):
    assert hardware.disk_free(tmp_path / "not" / "yet") == hardware.disk_free(tmp_path)
