"""One training run on the tiny model: falling loss, metrics, status, adapter, loss masks, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import StudioError
from core.train.backends import Backend, gpu_count
from core.train.callbacks import FIELDS
from core.train.config import with_values
from core.train.inputs import base_tokenizer
from core.train.run_folder import list_checkpoints, read_metrics, read_status
from core.train.trainer import loss_mode, loss_tokens, main, make_trainer
from core.workspace import REPO_ROOT
from tests.train_fixtures import tiny_config, write_config, write_harmony

pytestmark = pytest.mark.slow
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
STEPS = 16


def run_cli(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "core.train", *map(str, args)]
    return subprocess.run(
        argv, env=ENV, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("data")
    return write_harmony(root / "train.jsonl", 24), write_harmony(root / "val.jsonl", 4)


@pytest.fixture(scope="module")
def finished_run(tiny_model, data, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("finished")
    config = write_config(
        folder,
        tiny_model,
        data[0],
        training__eval_dataset_path=str(data[1]),
        training__max_steps=STEPS,
        training__eval_steps=8,
        training__save_steps=8,
    )
    return folder / "run", run_cli("--config", config, "--run-dir", folder / "run")


def test_a_real_run_completes_and_its_loss_falls(finished_run):
    run_dir, proc = finished_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"run completed: {run_dir}" in proc.stdout
    losses = [r["loss"] for r in read_metrics(run_dir)[0] if r["loss"] is not None]
    assert len(losses) == STEPS
    assert sum(losses[-4:]) / 4 < losses[0] - 0.5


def test_metrics_jsonl_has_one_record_per_logged_step(finished_run):
    records, offset = read_metrics(finished_run[0])
    assert offset == (finished_run[0] / "metrics.jsonl").stat().st_size
    assert all(tuple(r) == FIELDS for r in records)
    train = [r for r in records if r["loss"] is not None]
    assert [r["step"] for r in train] == list(range(1, STEPS + 1))
    assert [r["step"] for r in records if r["eval_loss"] is not None] == [8, 16]
    assert all(r["learning_rate"] > 0 and r["grad_norm"] > 0 for r in train)
    tokens = [r["tokens"] for r in train]
    assert tokens == sorted(tokens) and tokens[0] > 0
    assert all(r["tokens_per_second"] > 0 for r in train)
    assert train[-1]["eta"] == 0 and train[-1]["epoch"] > 1
    assert [r["elapsed"] for r in records] == sorted(r["elapsed"] for r in records)


def test_status_json_tells_the_state_backend_and_why(finished_run):
    status = read_status(finished_run[0])
    assert status["state"] == "completed" and status["error"] is None
    assert status["backend"] == "cpu" and status["backend_reason"] == "cpu: chosen in the config"
    assert status["loss_mode"] == "assistant" and status["examples"] == 24
    assert (status["step"], status["max_steps"]) == (STEPS, STEPS)
    assert isinstance(status["pid"], int) and status["started"] < status["ended"]


def test_the_adapter_and_checkpoints_are_saved(finished_run):
    run_dir = finished_run[0]
    adapter = run_dir / "adapter"
    assert (adapter / "adapter_config.json").is_file()
    assert (adapter / "adapter_model.safetensors").is_file()
    assert (adapter / "tokenizer.json").is_file()
    assert [c.step for c in list_checkpoints(run_dir)] == [8, 16]
    assert not (run_dir / "STOP").exists()


def test_qlora_4bit_trains_on_cpu_through_bitsandbytes(tiny_model, data, tmp_path):
    import math

    from bitsandbytes.nn import Linear4bit

    backend = Backend("cpu", "test")
    cfg = tiny_config(tiny_model, data[0], load_in_4bit=True, training__max_steps=3)
    trainer, _ = make_trainer(cfg, backend, tmp_path, None)
    assert "base weights in 4-bit NF4 through bitsandbytes (QLoRA)" in backend.notes
    assert sum(isinstance(m, Linear4bit) for m in trainer.model.modules()) == 4 * 7
    trainer.train()
    losses = [r["loss"] for r in read_metrics(tmp_path)[0] if r["loss"] is not None]
    assert len(losses) == 3 and all(math.isfinite(loss) for loss in losses)


def trained_tokens(trainer) -> list[list[int]]:
    """Per example, the token ids that carry loss."""
    return [[t for t in row["labels"] if t != -100] for row in trainer.train_dataset]


def test_completion_only_loss_masks_exactly_like_generation_markers(tiny_model, data, tmp_path):
    plain = tmp_path / "plain-template"
    shutil.copytree(tiny_model, plain)
    template = (plain / "chat_template.jinja").read_text()
    for marker in ("{%- generation -%}", "{%- endgeneration -%}"):
        template = template.replace(marker, "")
    (plain / "chat_template.jinja").write_text(template)
    first_messages = json.loads(data[0].read_text().splitlines()[0])["messages"]
    masks, shown = {}, {}
    for model in (tiny_model, plain):
        cfg = tiny_config(model, data[0])
        trainer, _ = make_trainer(cfg, Backend("cpu", "test"), tmp_path / model.name, None)
        mode = loss_mode(cfg, trainer.processing_class)
        masks[mode] = trained_tokens(trainer)
        pieces = loss_tokens(trainer.processing_class, first_messages, mode)
        shown[mode] = [text for text, trained in pieces if trained][: len(masks[mode][0])]
    assert set(masks) == {"assistant", "completion"}
    assert masks["assistant"] == masks["completion"]
    tokenizer = trainer.processing_class
    first = first_messages[-1]["content"]
    expected = tokenizer(first + "<|return|>")["input_ids"][: len(masks["assistant"][0])]
    assert masks["assistant"][0] == expected
    for mode, ids in masks.items():  # the Dataset tab's token view shows what is trained
        assert shown[mode] == [tokenizer.decode([i]) for i in ids[0]]


def test_full_loss_when_assistant_only_loss_is_off(tiny_model, data, tmp_path):
    cfg = tiny_config(tiny_model, data[0], training__assistant_only_loss=False)
    trainer, _ = make_trainer(cfg, Backend("cpu", "test"), tmp_path, None)
    assert loss_mode(cfg, trainer.processing_class) == "full"
    row = trainer.train_dataset[0]
    assert row["labels"] == row["input_ids"]


def test_packing_keeps_the_cache_off_so_sequences_stay_apart(tiny_model, data, tmp_path):
    import torch

    cfg = tiny_config(tiny_model, data[0], training__packing=True)
    trainer, _ = make_trainer(cfg, Backend("cpu", "test"), tmp_path, None)
    assert "seq_lengths" in trainer.train_dataset.column_names
    model = trainer.model.eval()
    assert model.config.use_cache is False
    a, b = torch.tensor([[5, 6, 7, 8, 9]]), torch.tensor([[10, 11, 12]])
    positions = torch.tensor([[0, 1, 2, 3, 4, 0, 1, 2]])
    with torch.no_grad():
        packed = model(input_ids=torch.cat([a, b], 1), position_ids=positions, use_cache=False)
        alone = model(input_ids=b).logits
    assert torch.allclose(packed.logits[:, 5:], alone, atol=1e-5)


def bad_case(tmp_path: Path, model: Path, data: Path, case: str) -> tuple[Path, str]:
    """A config (path) with one bad input, and the message expected for it."""
    if case == "missing dataset":
        return write_config(tmp_path, model, tmp_path / "nope.jsonl"), "dataset file not found"
    if case == "empty dataset":
        (tmp_path / "empty.jsonl").write_text("\n  \n")
        return write_config(tmp_path, model, tmp_path / "empty.jsonl"), "dataset is empty"
    if case == "malformed line":
        bad = tmp_path / "bad.jsonl"
        bad.write_text("".join(data.read_text().splitlines(keepends=True)[:2]) + "{oops\n")
        return write_config(tmp_path, model, bad), f"{bad}:3: not valid JSON"
    if case == "unknown base model folder":
        missing = tmp_path / "no-such-model"
        return write_config(tmp_path, missing, data), f"base model folder not found: {missing}"
    if case == "out-of-range hyperparameter":
        path = write_config(tmp_path, model, data)
        path.write_text(path.read_text().replace("learning_rate: 0.005", "learning_rate: -1"))
        return path, "training.learning_rate: must be > 0, got -1"
    assert case == "backend that cannot run"
    return write_config(tmp_path, model, data, backend="hf"), "backend hf needs a CUDA GPU"


CASES = [
    "missing dataset",
    "empty dataset",
    "malformed line",
    "unknown base model folder",
    "out-of-range hyperparameter",
    "backend that cannot run",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_inputs_are_one_line_errors_in_status_and_on_the_cli(
    case, tiny_model, data, tmp_path, capsys
):
    if case == "backend that cannot run" and gpu_count() > 0:
        pytest.skip("this machine has a CUDA GPU")
    config, expected = bad_case(tmp_path, tiny_model, data[0], case)
    assert main(["--config", str(config), "--run-dir", str(tmp_path / "run")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and expected in err
    status = read_status(tmp_path / "run")
    assert status["state"] == "failed" and expected in status["error"]
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_the_cli_prints_a_bad_input_as_one_line_and_exits_1(tiny_model, data, tmp_path):
    config, expected = bad_case(tmp_path, tiny_model, data[0], "malformed line")
    proc = run_cli("--config", config, "--run-dir", tmp_path / "run", timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and expected in proc.stderr


def test_a_run_folder_that_holds_a_run_is_not_overwritten(finished_run, tiny_model, data, capsys):
    run_dir = finished_run[0]
    before = (run_dir / "metrics.jsonl").read_bytes()
    config = write_config(run_dir.parent, tiny_model, data[0])
    assert main(["--config", str(config), "--run-dir", str(run_dir)]) == 1
    assert "already holds a run" in capsys.readouterr().err
    assert (run_dir / "metrics.jsonl").read_bytes() == before
    assert read_status(run_dir)["state"] == "completed"


def test_sft_settings_follow_the_backend(tiny_model, data):
    from core.train.backends import trainer_overrides

    cfg = with_values(tiny_config(tiny_model, data[0]), {"training.optimizer": "adamw_8bit"})
    cpu = Backend("cpu", "test")
    assert trainer_overrides(cfg, cpu)["optim"] == "adamw_torch" and cpu.notes
    gpu = trainer_overrides(with_values(cfg, {"training.fp16": True}), Backend("hf", "test"))
    assert gpu == {"fp16": True, "bf16": False, "optim": "adamw_8bit"}


def test_prompts_longer_than_max_seq_length_are_a_clear_error(tiny_model, data, tmp_path):
    from core.errors import StudioError

    cfg = tiny_config(tiny_model, data[0], max_seq_length=16)
    with pytest.raises(StudioError, match="no example has answer tokens within max_seq_length 16"):
        make_trainer(cfg, Backend("cpu", "test"), tmp_path, None)


BACKEND_CASES = [
    # cuda (one GPU), unsloth installed, wanted -> chosen backend or error; hardware values
    (False, False, "auto", "cpu", {}),
    (True, True, "auto", "unsloth", {}),
    (True, False, "auto", "hf", {}),
    (True, False, "hf", "hf", {}),
    (False, True, "cpu", "cpu", {}),
    (False, True, "unsloth", "error: backend unsloth needs a CUDA GPU", {}),
    (True, False, "unsloth", "error: backend unsloth: unsloth is not installed", {}),
    (True, True, "auto", "hf", {"hardware.strategy": "fsdp"}),  # unsloth trains no shards
    (
        True,
        False,
        "hf",
        "error: 2 processes, but this machine has 1 GPU",
        {"hardware.processes": 2, "hardware.strategy": "ddp"},
    ),
    (
        True,
        False,
        "hf",
        "error: DeepSpeed is not installed",
        {"hardware.strategy": "deepspeed-zero2"},
    ),
    (
        False,
        False,
        "auto",
        "error: DeepSpeed runs on CUDA GPUs only",
        {"hardware.strategy": "deepspeed-zero2"},
    ),
    (
        False,
        False,
        "auto",
        "error: offload to CPU memory is for GPUs",
        {"hardware.strategy": "fsdp", "hardware.processes": 2, "hardware.cpu_offload": True},
    ),
]


@pytest.mark.parametrize(("cuda", "unsloth", "wanted", "expected", "hardware"), BACKEND_CASES)
def test_backend_choice_is_recorded_with_its_reason(
    monkeypatch, cuda, unsloth, wanted, expected, hardware
):
    from core.errors import StudioError
    from core.train import backends
    from core.train.config import TrainConfig

    monkeypatch.setattr(backends, "gpu_count", lambda: int(cuda))  # one GPU, or none
    monkeypatch.setattr(
        backends,
        "has_package",
        lambda name: name in ("bitsandbytes", "unsloth") and (name != "unsloth" or unsloth),
    )
    cfg = with_values(TrainConfig(), {"backend": wanted, "load_in_4bit": False, **hardware})
    if expected.startswith("error: "):
        with pytest.raises(StudioError, match=expected.removeprefix("error: ")):
            backends.choose_backend(cfg)
        return
    chosen = backends.choose_backend(cfg)
    assert chosen.name == expected and chosen.reason.startswith(wanted)


def test_a_rank_of_a_launched_run_does_not_count_the_gpus_again(monkeypatch):
    """Each rank sees only its own GPU (core.models.hardware.gpus_here): 2 processes on 2 GPUs
    pass the launcher's check and must pass each rank's preflight too."""
    from core.errors import StudioError
    from core.train import backends
    from core.train.config import TrainConfig

    monkeypatch.setattr(backends, "gpu_count", lambda: 1)
    monkeypatch.setattr(backends, "has_package", lambda name: name != "unsloth")
    values = {"backend": "hf", "hardware.processes": 2, "hardware.strategy": "ddp"}
    cfg = with_values(TrainConfig(), values)
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    with pytest.raises(StudioError, match="2 processes, but this machine has 1 GPU"):
        backends.choose_backend(cfg)  # the launcher, seeing one GPU
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert backends.choose_backend(cfg).name == "hf"  # rank 1, seeing its own GPU


def test_importing_the_engine_loads_no_gpu_or_training_library():
    code = (
        "import sys, core.train.trainer, core.train.runs, core.export.merge, core.pipeline;"
        "print(sorted(m for m in ('torch', 'transformers', 'trl', 'unsloth', 'bitsandbytes')"
        " if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_base_tokenizer_comes_from_local_files_only(tiny_model: Path, tmp_path: Path) -> None:
    data = tmp_path / "unused.jsonl"
    cfg = tiny_config(tiny_model, data)
    tokenizer = base_tokenizer(cfg, tmp_path)
    assert tokenizer.vocab_size == 4096 and loss_mode(cfg, tokenizer) == "assistant"
    missing = tmp_path / "no-such-model"
    with pytest.raises(StudioError, match=f"base model folder not found: {missing}"):
        base_tokenizer(tiny_config(missing, data, build_tiny_if_missing=False), tmp_path)
    with pytest.raises(StudioError, match="the tokenizer of ahk-studio/never-downloaded") as err:
        base_tokenizer(tiny_config(Path("x"), data, base_model="ahk-studio/never-downloaded"), None)
    assert "nothing here downloads" in str(err.value.hint)


def test_fsdp_stores_4bit_weights_in_the_compute_dtype():
    """FSDP shards parameters of one floating dtype: QLoRA under FSDP packs its 4-bit weights in
    the compute dtype; elsewhere bitsandbytes keeps its own uint8 storage."""
    import torch

    from core.train.backends import _bnb_config

    assert _bnb_config(torch.bfloat16, sharded=True).bnb_4bit_quant_storage == torch.bfloat16
    assert _bnb_config(torch.bfloat16, sharded=False).bnb_4bit_quant_storage == torch.uint8
