"""The run registry: start, stop and resume, a killed run, more steps, listing, metrics offsets."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import StudioError
from core.train.config import load_config, save_config, with_values
from core.train.run_folder import (
    adapter_stamp,
    atomic_folder,
    list_checkpoints,
    list_runs,
    read_metrics,
    read_status,
    readiness,
    repair_metrics,
    run_path,
    runs_dir,
    write_status,
)
from core.train.runs import (
    changed_since_start,
    config_fingerprint,
    data_fingerprint,
    extend_plan,
    resume_run,
    start_run,
    stop_run,
)
from tests.train_fixtures import tiny_config, wait_for, write_harmony


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_harmony(tmp_path / "data" / "train.jsonl", 16)


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def steps_logged(run_dir: Path) -> list[int]:
    return [r["step"] for r in read_metrics(run_dir)[0] if r["loss"] is not None]


def finished(status: dict) -> bool:
    return status.get("state") in ("completed", "stopped", "failed")


@pytest.mark.slow
def test_stop_resume_more_steps_and_resume_from_a_chosen_checkpoint(tiny_model, data, workspace):
    cfg = tiny_config(tiny_model, data, training__max_steps=12, training__save_steps=50)
    run_id = start_run(workspace, cfg, name="stop-resume")
    run_dir = run_path(workspace, run_id)
    wait_for(run_dir, lambda s: (s.get("step") or 0) >= 3)
    with pytest.raises(StudioError, match="still training"):
        start_run(workspace, cfg)
    assert stop_run(run_dir)["state"] == "stopping"
    stopped = wait_for(run_dir, finished)
    assert stopped["state"] == "stopped", stopped
    at = stopped["step"]
    assert 3 <= at < 12 and [c.step for c in list_checkpoints(run_dir)] == [at]
    assert steps_logged(run_dir) == list(range(1, at + 1))

    resume_run(run_dir)  # continues to the planned step count
    done = wait_for(run_dir, finished)
    assert (done["state"], done["step"]) == ("completed", 12), done
    assert done["resumed"] > done["started"]
    assert steps_logged(run_dir) == list(range(1, 13))
    tokens = [r["tokens"] for r in read_metrics(run_dir)[0]]
    assert tokens == sorted(tokens) and len(set(tokens)) == len(tokens)
    assert (run_dir / "adapter" / "adapter_model.safetensors").is_file()
    with pytest.raises(StudioError, match="finished its plan"):
        resume_run(run_dir)  # nothing left to do: refused, not "step 13/12"

    resume_run(run_dir, more_steps=3)  # a finished run trains on
    done = wait_for(run_dir, lambda s: finished(s) and s["step"] > 12)
    assert (done["state"], done["step"]) == ("completed", 15)
    assert [c.step for c in list_checkpoints(run_dir)] == [at, 12, 15]

    resume_run(run_dir, checkpoint=f"checkpoint-{at}")  # later checkpoints are set aside
    done = wait_for(run_dir, lambda s: finished(s) and s["resumed"] > done["resumed"])
    assert (done["state"], done["step"], done["metrics_version"]) == ("completed", 15, 1)
    assert steps_logged(run_dir) == list(range(1, 16))
    aside = next((run_dir / "discarded").iterdir())
    assert sorted(p.name for p in aside.iterdir()) == [
        "checkpoint-12",
        "checkpoint-15",
        "metrics.jsonl",
    ]

    data.write_text(data.read_text() + data.read_text().splitlines()[0] + "\n")
    with pytest.raises(
        StudioError, match=r"training data changed since it started \(train.jsonl\)"
    ):
        resume_run(run_dir, more_steps=3)
    assert read_status(run_dir)["state"] == "completed"


@pytest.mark.slow
def test_a_killed_run_is_reported_failed_and_resumes(tiny_model, data, workspace):
    cfg = tiny_config(tiny_model, data, training__max_steps=16, training__save_steps=4)
    run_dir = run_path(workspace, start_run(workspace, cfg, name="killed"))
    status = wait_for(run_dir, lambda s: (s.get("step") or 0) >= 6 and list_checkpoints(run_dir))
    os.kill(status["pid"], signal.SIGKILL)
    failed = wait_for(run_dir, lambda s: s["state"] != "running", timeout=30)
    assert failed["state"] == "failed"
    last = list_checkpoints(run_dir)[-1].path.name
    assert "killed or crashed" in failed["error"] and f"resume from {last}" in failed["error"]
    assert [info.state for info in list_runs(workspace)] == ["failed"]

    resume_run(run_dir)
    done = wait_for(run_dir, finished)
    assert done["state"] == "completed" and done["step"] == 16, done
    assert steps_logged(run_dir) == list(range(1, 17))


def test_start_checks_the_inputs_before_creating_a_run(tiny_model, workspace, tmp_path):
    cfg = tiny_config(tiny_model, tmp_path / "missing.jsonl")
    with pytest.raises(StudioError, match="dataset file not found"):
        start_run(workspace, cfg)
    assert list((workspace / "runs").iterdir()) == []


def test_resume_needs_a_checkpoint_and_a_known_name(tiny_model, data, workspace):
    run_dir = workspace / "runs" / "manual"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("base_model: x\n")
    with pytest.raises(StudioError, match="no checkpoint to resume from"):
        resume_run(run_dir)
    (run_dir / "checkpoints" / "checkpoint-3").mkdir(parents=True)
    (run_dir / "checkpoints" / "checkpoint-3" / "trainer_state.json").write_text("{}")
    with pytest.raises(StudioError, match="choose one of checkpoint-3"):
        resume_run(run_dir, checkpoint="checkpoint-9")


def test_read_metrics_returns_only_complete_lines_and_the_next_offset(tmp_path):
    path = tmp_path / "metrics.jsonl"
    first, second = json.dumps({"step": 1}) + "\n", json.dumps({"step": 2}) + "\n"
    path.write_text(first + second[:5])
    records, offset = read_metrics(tmp_path)
    assert records == [{"step": 1}] and offset == len(first)
    with open(path, "a") as handle:
        handle.write(second[5:])
    assert read_metrics(tmp_path, offset) == ([{"step": 2}], len(first + second))
    assert read_metrics(tmp_path, len(first + second)) == ([], len(first + second))
    assert read_metrics(tmp_path / "none") == ([], 0)


def test_a_running_status_without_a_live_process_is_failed(tmp_path):
    (tmp_path / "status.json").write_text(json.dumps({"state": "running", "pid": 999999}))
    status = read_status(tmp_path)
    assert status["state"] == "failed" and "no checkpoint to resume from" in status["error"]
    assert json.loads((tmp_path / "status.json").read_text())["state"] == "failed"


def test_run_ids_cannot_leave_the_runs_folder(workspace):
    for bad in ("../x", "", "a/b"):
        with pytest.raises(StudioError, match="no such run"):
            run_path(workspace, bad)


def test_a_metrics_line_cut_short_by_a_kill_is_skipped_then_repaired(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"step": 1}\n{"ste\n{"step": 3}\n')
    assert read_metrics(tmp_path)[0] == [{"step": 1}, {"step": 3}]
    path.write_text('{"step": 1}\n{"step": 2, "lo')
    repair_metrics(tmp_path)
    assert path.read_text() == '{"step": 1}\n'


def test_atomic_folder_leaves_the_old_folder_when_writing_fails(tmp_path):
    target = tmp_path / "adapter"
    target.mkdir()
    (target / "old.txt").write_text("kept")
    with pytest.raises(RuntimeError), atomic_folder(target) as tmp:
        (tmp / "new.txt").write_text("half")
        raise RuntimeError("disk full")
    assert [p.name for p in tmp_path.iterdir()] == ["adapter"]
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    with atomic_folder(target) as tmp:
        (tmp / "new.txt").write_text("whole")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["adapter"]


def test_extend_plan_adds_epochs_or_steps_to_the_frozen_config(tiny_model, data, tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "checkpoints" / "checkpoint-12").mkdir(parents=True)
    save_config(tiny_config(tiny_model, data, training__max_steps=12), run_dir / "config.yaml")
    assert extend_plan(run_dir, None, 3).training.max_steps == 15
    cfg = extend_plan(run_dir, 2.0, None)
    assert (cfg.training.max_steps, cfg.training.num_train_epochs) == (-1, 3.0)
    assert load_config(run_dir / "config.yaml") == cfg


def bare_run(workspace: Path, run_id: str, state: str, *folders: str) -> Path:
    """A run folder with a config and a status, and the files that make adapter/ or merged/."""
    run_dir = runs_dir(workspace) / run_id
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("base_model: x\n")
    write_status(run_dir, state=state)
    marker = {"adapter": "adapter_config.json", "merged": "config.json"}
    for folder in folders:
        (run_dir / folder).mkdir()
        (run_dir / folder / marker[folder]).write_text("{}")
    return run_dir


def test_a_run_without_an_adapter_can_neither_merge_nor_export(workspace):
    run_dir = bare_run(workspace, "fresh", "stopped")
    (run_dir / "adapter").mkdir()  # a folder without adapter_config.json is no adapter
    ready = readiness(run_dir)
    assert (ready.state, ready.adapter, ready.merged) == ("stopped", False, False)
    assert not ready.can_merge and not ready.can_export
    assert not list_runs(workspace)[0].has_adapter


def test_an_adapter_without_a_merged_model_can_merge_but_not_export(workspace):
    ready = readiness(bare_run(workspace, "trained", "completed", "adapter"))
    assert ready.can_merge and not ready.can_export and ready.merge_diff is None
    info = list_runs(workspace)[0]
    assert info.has_adapter and not info.has_merged


def test_a_merged_run_can_export_and_keeps_the_merges_logit_check(workspace):
    run_dir = bare_run(workspace, "merged", "completed", "adapter", "merged")
    write_status(run_dir, merged={"path": str(run_dir / "merged"), "max_abs_diff": 2e-6})
    ready = readiness(run_dir)
    assert ready.can_merge and ready.can_export and ready.merge_diff == 2e-6
    assert list_runs(workspace)[0].has_merged


def test_an_adapter_newer_than_its_merge_makes_the_merge_stale(workspace):
    run_dir = bare_run(workspace, "trained-on", "completed", "adapter", "merged")
    write_status(run_dir, merged={"path": str(run_dir / "merged"), "adapter_stamp": 0.0})
    assert not readiness(bare_run(workspace, "old-merge", "completed", "adapter", "merged")).stale
    stamp = adapter_stamp(run_dir)
    write_status(run_dir, merged={"path": str(run_dir / "merged"), "adapter_stamp": stamp})
    assert not readiness(run_dir).stale and readiness(run_dir).can_export
    weights = run_dir / "adapter" / "adapter_model.safetensors"
    weights.write_bytes(b"newer")
    os.utime(weights, (stamp + 5, stamp + 5))  # the run trained on after the merge
    ready = readiness(run_dir)
    assert ready.stale and ready.can_merge and not ready.can_export


def test_a_run_that_trains_can_neither_merge_nor_export(workspace):
    run_dir = bare_run(workspace, "busy", "running", "adapter", "merged")
    fd = os.open(run_dir / "lock", os.O_RDWR | os.O_CREAT)  # held as a live trainer holds it
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        ready = readiness(run_dir)
        assert ready.training and not ready.can_merge and not ready.can_export
    finally:
        os.close(fd)
    assert readiness(run_dir).state == "failed"  # its process is gone: the run failed


def finished_run(workspace: Path, data: Path) -> Path:
    """A completed run folder with a checkpoint and the fingerprints start_run records."""
    run_dir = runs_dir(workspace) / "done"
    (run_dir / "checkpoints" / "checkpoint-12" / "trainer_state.json").parent.mkdir(parents=True)
    (run_dir / "checkpoints" / "checkpoint-12" / "trainer_state.json").write_text("{}")
    cfg = tiny_config(workspace / "model", data, training__max_steps=12)
    save_config(cfg, run_dir / "config.yaml")
    fingerprints = {"data": data_fingerprint(cfg), "config": config_fingerprint(cfg)}
    write_status(run_dir, state="completed", step=12, **fingerprints)
    return run_dir


def test_a_completed_run_resumes_only_with_more_steps_or_epochs(data, workspace):
    run_dir = finished_run(workspace, data)
    with pytest.raises(StudioError, match="has finished its plan"):
        resume_run(run_dir)
    assert changed_since_start(run_dir) is None


def test_resume_refuses_a_run_whose_config_was_edited(data, workspace):
    run_dir = finished_run(workspace, data)
    cfg = load_config(run_dir / "config.yaml")
    save_config(with_values(cfg, {"training.learning_rate": 0.5}), run_dir / "config.yaml")
    with pytest.raises(StudioError, match=r"its config \(config.yaml\) changed since it started"):
        resume_run(run_dir, more_steps=3)
    assert load_config(run_dir / "config.yaml").training.max_steps == 12  # nothing extended
    assert read_status(run_dir)["state"] == "completed"


def test_resume_refuses_a_run_whose_data_changed_or_is_gone(data, workspace):
    run_dir = finished_run(workspace, data)
    data.write_text(data.read_text() + data.read_text().splitlines()[0] + "\n")
    with pytest.raises(
        StudioError, match=r"training data changed since it started \(train.jsonl\)"
    ):
        resume_run(run_dir, more_steps=3)
    data.unlink()
    with pytest.raises(StudioError, match="start a new run instead"):
        resume_run(run_dir, more_epochs=1)
    assert changed_since_start(run_dir).startswith("its training data is gone")


def test_a_longer_plan_is_not_a_config_change(data, workspace):
    run_dir = finished_run(workspace, data)
    assert extend_plan(run_dir, None, 3).training.max_steps == 15
    assert changed_since_start(run_dir) is None


def test_the_command_line_resume_refuses_changed_data_too(data, workspace, capsys):
    from core.train import trainer

    run_dir = finished_run(workspace, data)
    data.write_text(data.read_text() * 2)
    argv = ["--run-dir", str(run_dir), "--workspace", str(workspace), "--resume"]
    assert trainer.main(argv) == 1
    assert "training data changed since it started" in capsys.readouterr().err
    assert read_status(run_dir)["state"] == "completed"  # nothing started


@pytest.mark.slow
def test_a_run_started_from_the_command_line_records_what_a_resume_checks(
    tiny_model, data, workspace
):
    cfg = tiny_config(tiny_model, data, training__max_steps=2)
    save_config(cfg, workspace / "cli.yaml")
    run_dir = workspace / "runs" / "cli"
    argv = [sys.executable, "-m", "core.train", "--config", str(workspace / "cli.yaml")]
    argv += ["--run-dir", str(run_dir), "--workspace", str(workspace)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    status = read_status(run_dir)
    assert status["config"] == config_fingerprint(load_config(run_dir / "config.yaml"))
    assert list(status["data"].values()) == list(data_fingerprint(cfg).values())
    data.write_text(data.read_text() * 2)
    assert "training data changed" in changed_since_start(run_dir)
