"""Two processes on the CPU (gloo): DDP and FSDP runs of the demo model, from `python -m core.train`
and from the Train tab's handlers, train, stop, resume and merge; the loss of 2 processes × batch 4
tracks 1 process × batch 8; a rank that dies fails the run with its name and last lines.

The tolerance: both ways see the same 8 examples a step (accelerate gives each rank every other
batch of 4 of the seeded order) and the Trainer divides the loss by the token count of all ranks,
so the curves differ only in the order float32 sums are taken: measured 1.1e-7 relative over 12
steps; 1e-4 leaves room for another CPU's kernels and stays far below a real difference (one
step of training moves the loss by more than 1e-2)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safetensors.torch import load_file

from core.export.merge import merge_run
from core.train import runs
from core.train.config import config_values
from core.train.launch import pid_alive, rank_file
from core.train.run_folder import list_checkpoints, read_metrics, read_status, run_path
from core.workspace import REPO_ROOT
from studio.context import StudioContext
from studio.tabs import train as tt
from tests.train_fixtures import tiny_config, wait_for, write_config, write_harmony

pytestmark = pytest.mark.slow

STEPS = 12
TOLERANCE = 1e-4
ENV = os.environ | {"OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_harmony(tmp_path_factory.mktemp("data") / "train.jsonl", 32)


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def settings(strategy: str, batch: int = 4) -> dict:
    processes = 1 if strategy == "single" else 2
    return {
        "training__per_device_train_batch_size": batch,
        "training__max_steps": STEPS,
        "training__save_steps": 100,
        "hardware__processes": processes,
        "hardware__strategy": strategy,
    }


def train_cli(*args: str | Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "core.train", *map(str, args)]
    return subprocess.Popen(argv, env=ENV, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)


def losses(run_dir: Path) -> list[float]:
    return [r["loss"] for r in read_metrics(run_dir)[0] if r.get("loss") is not None]


def all_gone(pids: list[int], timeout: float = 60.0) -> bool:
    """Whether every process in `pids` has ended within `timeout` seconds (the launcher records
    the failure first, then exits: its interpreter's teardown takes a moment on a busy box)."""
    deadline = time.monotonic() + timeout
    while any(map(pid_alive, pids)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def adapter_difference(run_dir: Path, other: Path) -> float:
    """The largest difference between two runs' adapter weights (they must have the same keys
    and shapes: a whole adapter, not one rank's shard)."""
    mine, theirs = (
        load_file(d / "adapter" / "adapter_model.safetensors") for d in (run_dir, other)
    )
    assert {k: v.shape for k, v in mine.items()} == {k: v.shape for k, v in theirs.items()}
    return max((mine[key] - theirs[key]).abs().max().item() for key in mine)


@pytest.fixture(scope="module")
def reference(tiny_model, data, tmp_path_factory) -> Path:
    """One process × batch 8: the run two processes × batch 4 should follow."""
    folder = tmp_path_factory.mktemp("single")
    config = write_config(folder, tiny_model, data, **settings("single", batch=8))
    assert train_cli("--config", config, "--run-dir", folder / "run").wait(300) == 0
    return folder / "run"


def stop_when_ranks_train(run_dir: Path, stop) -> tuple[dict, dict]:
    """Wait until every rank is known and step 3 is done, stop the run, wait for its end:
    (the status while it trained, the status at the end)."""
    training = wait_for(run_dir, lambda s: (s.get("step") or 0) >= 3 and s.get("ranks"))
    stop()
    ended = wait_for(run_dir, lambda s: s.get("state") in ("stopped", "completed", "failed"))
    return training, ended


def assert_every_rank_ended(training: dict) -> None:
    """The launching process ends last, once accelerate saw every rank end (rank 0 records the
    stop a moment before the processes exit)."""
    ranks = training["ranks"]
    assert training["world_size"] == 2 and [r["rank"] for r in ranks] == [0, 1]
    assert len({r["pid"] for r in ranks}) == 2 and training["pid"] not in {r["pid"] for r in ranks}
    assert all_gone([training["pid"]])
    assert not any(pid_alive(r["pid"]) for r in ranks)


@pytest.mark.parametrize("strategy", ["ddp", "fsdp"])
def test_two_processes_from_the_cli_stop_resume_merge_and_track_one_process(
    strategy, tiny_model, data, reference, tmp_path
):
    config = write_config(tmp_path, tiny_model, data, **settings("single"))  # the CLI overrides
    run_dir = tmp_path / "run"
    cli = train_cli(
        "--config", config, "--run-dir", run_dir, "--processes", 2, "--strategy", strategy
    )
    training, stopped = stop_when_ranks_train(run_dir, lambda: cli.send_signal(signal.SIGTERM))
    assert cli.wait(60) == 0 and stopped["state"] == "stopped", stopped
    assert training["pid"] == cli.pid and training["strategy"] == strategy
    assert_every_rank_ended(training)
    at = stopped["step"]
    assert [c.step for c in list_checkpoints(run_dir)] == [at] and 3 <= at < STEPS
    shards = list_checkpoints(run_dir)[0].path / "pytorch_model_fsdp_0"
    assert shards.is_dir() == (strategy == "fsdp")  # FSDP checkpoints hold one shard per rank
    accelerate = (run_dir / "accelerate.yaml").read_text()
    assert f"distributed_type: {'FSDP' if strategy == 'fsdp' else 'MULTI_GPU'}" in accelerate

    resumed = train_cli("--run-dir", run_dir, "--resume")
    assert resumed.wait(300) == 0, resumed.stdout and resumed.stdout.read()
    done = read_status(run_dir)
    assert (done["state"], done["step"], done["world_size"]) == ("completed", STEPS, 2)
    assert [r["step"] for r in read_metrics(run_dir)[0]] == list(range(1, STEPS + 1))
    two, one = losses(run_dir), losses(reference)
    assert len(two) == len(one) == STEPS
    assert max(abs(a - b) / b for a, b in zip(two, one, strict=True)) < TOLERANCE, (two, one)
    assert adapter_difference(run_dir, reference) < TOLERANCE

    merge = subprocess.run(
        [sys.executable, "-m", "core.export.merge", "--run-dir", str(run_dir)],
        env=ENV,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert merge.returncode == 0, merge.stderr
    assert read_status(run_dir)["merged"]["max_abs_diff"] <= 1e-3


@pytest.fixture
def ctx(workspace: Path, tmp_path: Path) -> StudioContext:
    configs = tmp_path / "config"
    configs.mkdir()
    return StudioContext(workspace=workspace, config_path=configs / "x.yaml", config_dir=configs)


@pytest.mark.parametrize("strategy", ["ddp", "fsdp"])
def test_two_processes_from_the_train_tab_stop_resume_and_merge(strategy, tiny_model, ctx):
    data = write_harmony(ctx.workspace / "prepared" / "train.jsonl", 32)
    cfg = tiny_config(tiny_model, data, **settings(strategy))
    values = config_values(cfg)
    assert f"2 processes ({strategy}) on the CPU (gloo)" in tt.backend_outputs(values)
    assert "2 × 4 × 1 = 8" in tt.plan_html(cfg, ctx.workspace)
    run_id = tt.start_training(ctx, values, f"{strategy} tab", "", False)
    run_dir = run_path(ctx.workspace, run_id)
    stop = lambda: tt.stop_training(ctx.workspace, run_id)  # noqa: E731
    training, stopped = stop_when_ranks_train(run_dir, stop)
    assert stopped["state"] == "stopped", stopped
    assert_every_rank_ended(training)
    pids = ", ".join(str(r["pid"]) for r in training["ranks"])
    assert (
        f"2 processes ({strategy}), pids {pids}"
        in tt.monitor(ctx.workspace, run_id, [], {}).progress
    )

    tt.resume_training(ctx.workspace, run_id, "last", 0, 0)
    done = wait_for(run_dir, lambda s: s["state"] != "running" and s.get("resumed"))
    assert (done["state"], done["step"]) == ("completed", STEPS), done
    assert [r["step"] for r in read_metrics(run_dir)[0]] == list(range(1, STEPS + 1))
    result = merge_run(run_dir)
    assert result.max_abs_diff <= result.tolerance


def test_a_rank_that_dies_fails_the_run_with_its_name_and_last_lines(tiny_model, workspace):
    data = write_harmony(workspace / "prepared" / "train.jsonl", 32)
    cfg = tiny_config(tiny_model, data, **settings("ddp") | {"training__max_steps": 200})
    run_dir = run_path(workspace, runs.start_run(workspace, cfg, name="lost-rank"))
    ranks = wait_for(run_dir, lambda s: s.get("ranks"))["ranks"]
    os.kill(ranks[1]["pid"], signal.SIGKILL)
    failed = wait_for(run_dir, lambda s: s["state"] == "failed", timeout=120)
    pid = ranks[1]["pid"]
    assert failed["error"].startswith(f"rank 1 (pid {pid}) ended without reporting: killed")
    log = rank_file(run_dir, 1, "log").read_text().strip().splitlines()
    assert failed["error_tail"] == log[-15:]
    assert all_gone([ranks[0]["pid"], failed["pid"]])  # the other rank and the launcher
    assert json.loads(rank_file(run_dir, 0).read_text())["pid"] == ranks[0]["pid"]
