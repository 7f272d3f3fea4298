"""Start, stop, resume, extend and delete training runs (each in its own process)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from core.errors import StudioError
from core.supervise import LOCK_FD, spawn
from core.train.config import (
    TrainConfig,
    config_to_dict,
    load_config,
    local_model_path,
    resolve_path,
    save_config,
)
from core.train.run_folder import (
    ACTIVE,
    RunFolder,
    active_runs,
    list_checkpoints,
    read_status,
    runs_dir,
    write_status,
)


def freeze_config(
    cfg: TrainConfig, run_dir: Path, workspace: Path, merged_dir: Path | None = None
) -> TrainConfig:
    """The run's own copy of `cfg`: paths absolute, outputs in the run folder (merged/ unless
    `merged_dir` says otherwise)."""
    t = cfg.training
    local = local_model_path(cfg.base_model, workspace)
    return dataclasses.replace(
        cfg,
        base_model=str(local) if local else cfg.base_model,
        training=dataclasses.replace(
            t,
            dataset_path=str(resolve_path(t.dataset_path, workspace)),
            eval_dataset_path=t.eval_dataset_path
            and str(resolve_path(t.eval_dataset_path, workspace)),
        ),
        output=dataclasses.replace(
            cfg.output,
            output_dir=str(run_dir),
            merged_dir=str(merged_dir or RunFolder.of(run_dir).merged),
        ),
    )


def data_fingerprint(cfg: TrainConfig) -> dict[str, str]:
    """SHA-256 of each dataset file the run trains or evaluates on (paths as frozen), so a
    resume can tell whether the data changed since the run started."""
    t = cfg.training
    found = {}
    for path in filter(None, (t.dataset_path, t.eval_dataset_path)):
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        found[str(path)] = digest.hexdigest()
    return found


def config_fingerprint(cfg: TrainConfig) -> str:
    """SHA-256 of the config's values (not of its YAML's layout), so a resume can tell whether
    the run's frozen config was edited since the run started (extend_plan records its own)."""
    text = json.dumps(config_to_dict(cfg), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def start_run(
    workspace: Path, config: TrainConfig | str | Path, name: str | None = None, force: bool = False
) -> str:
    """Check the inputs, create the run folder, spawn the training process; return the run id."""
    from core.train.inputs import preflight

    workspace = Path(workspace)
    cfg = config if isinstance(config, TrainConfig) else load_config(config)
    _refuse_if_busy(workspace, force)
    default = "run" if isinstance(config, TrainConfig) else Path(config).stem
    run_id = _new_id(workspace, name or default)
    run_dir = runs_dir(workspace) / run_id
    frozen = freeze_config(cfg, run_dir, workspace)
    preflight(frozen, workspace)
    run_dir.mkdir()
    save_config(frozen, RunFolder(run_dir).config)
    started = time.time()
    write_status(
        run_dir,
        state="running",
        pid=None,
        started=started,
        launched=started,
        data=data_fingerprint(frozen),
        config=config_fingerprint(frozen),
    )
    _spawn(run_dir, workspace, [])
    return run_id


def _new_id(workspace: Path, name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:40] or "run"
    base = f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}"
    run_id, n = base, 1
    while (runs_dir(workspace) / run_id).exists():
        n += 1
        run_id = f"{base}-{n}"
    return run_id


def _refuse_if_busy(workspace: Path, force: bool) -> None:
    busy = active_runs(workspace)
    if busy and not force:
        raise StudioError(
            f"run {busy[0].id} is still training",
            hint="stop it first, or force a second run if the machine has room",
        )


def _spawn(run_dir: Path, workspace: Path, extra: list[str]) -> None:
    """Start `python -m core.train` on the run, holding the run's lock (core.supervise)."""
    argv = [sys.executable, "-m", "core.train", "--run-dir", str(run_dir)]
    argv += ["--workspace", str(workspace), "--lock-fd", LOCK_FD, *extra]
    try:
        spawn(argv, RunFolder(run_dir).lock, RunFolder(run_dir).log)
    except BlockingIOError:
        raise StudioError(f"run {run_dir.name} is already training") from None


def stop_run(run_dir: Path) -> dict[str, Any]:
    """Ask the run to stop: it saves a checkpoint at the end of its current step and exits."""
    status = read_status(run_dir)
    if status.get("state") not in ACTIVE:
        return status
    RunFolder.of(run_dir).stop_file.touch()
    return write_status(run_dir, state="stopping")


def resume_run(
    run_dir: Path,
    checkpoint: str | None = None,
    more_epochs: float | None = None,
    more_steps: int | None = None,
    force: bool = False,
) -> None:
    """Continue a stopped, failed or finished run from its last (or a chosen) checkpoint;
    `more_epochs` / `more_steps` extend the plan of a run that already reached it."""
    run_dir = Path(run_dir)
    status = read_status(run_dir)
    if status.get("state") in ACTIVE:
        raise StudioError(f"run {run_dir.name} is still training", hint="stop it first")
    if status.get("state") == "completed" and not (more_epochs or more_steps or checkpoint):
        raise StudioError(
            f"run {run_dir.name} has finished its plan",
            hint="give more steps or epochs to train it further, pick an earlier checkpoint, "
            "or start a new run",
        )
    refuse_changed(run_dir, status)
    _refuse_if_busy(run_dir.parent.parent, force)
    names = [c.path.name for c in list_checkpoints(run_dir)]
    if not names:
        raise StudioError(f"run {run_dir.name} has no checkpoint to resume from")
    if checkpoint is not None and checkpoint not in names:
        raise StudioError(f"no checkpoint {checkpoint!r}", hint=f"choose one of {', '.join(names)}")
    if more_epochs or more_steps:
        extend_plan(run_dir, more_epochs, more_steps)
    RunFolder(run_dir).stop_file.unlink(missing_ok=True)
    write_status(run_dir, state="running", pid=None, error=None, ended=None, launched=time.time())
    _spawn(run_dir, run_dir.parent.parent, ["--resume", checkpoint or "last"])


def refuse_changed(run_dir: Path, status: dict[str, Any]) -> None:
    """A resume trains on the data and with the config the run started with, or not at all."""
    why = changed_since_start(run_dir, status)
    if why:
        raise StudioError(
            f"run {run_dir.name} cannot resume: {why}",
            hint="resuming would train its adapter on other data or settings: "
            "start a new run instead",
        )


def changed_since_start(run_dir: Path, status: dict[str, Any] | None = None) -> str | None:
    """What changed since the run started (its training data, its frozen config), in words;
    None when both are as recorded (or the run is from before fingerprints were kept)."""
    status = read_status(run_dir) if status is None else status
    cfg = load_config(RunFolder(run_dir).config)
    recorded_config = status.get("config")
    if recorded_config is not None and config_fingerprint(cfg) != recorded_config:
        return f"its config ({RunFolder(run_dir).config.name}) changed since it started"
    recorded = status.get("data")
    if recorded is None:
        return None
    try:
        now = data_fingerprint(cfg)
    except OSError as err:
        return f"its training data is gone ({err.filename})"
    changed = [Path(p).name for p, sha in recorded.items() if now.get(p) != sha]
    if changed:
        return f"its training data changed since it started ({', '.join(changed)})"
    return None


def extend_plan(run_dir: Path, more_epochs: float | None, more_steps: int | None) -> TrainConfig:
    """Raise the run's planned epochs or steps in its frozen config; the new config."""
    from core.train.config import with_values

    cfg = load_config(RunFolder.of(run_dir).config)
    t = cfg.training
    values: dict[str, float] = {}
    if more_steps:
        done = max((c.step for c in list_checkpoints(run_dir)), default=0)
        values["training.max_steps"] = max(t.max_steps, done) + more_steps
    if more_epochs:
        values["training.num_train_epochs"] = t.num_train_epochs + more_epochs
        values.setdefault("training.max_steps", -1)
    extended = with_values(cfg, values)
    save_config(extended, RunFolder.of(run_dir).config)
    if read_status(run_dir).get("config") is not None:  # a longer plan is the run's own change
        write_status(run_dir, config=config_fingerprint(extended))
    return extended
