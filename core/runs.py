"""The run registry: start, stop, resume, list and delete training runs; read their files.

A run lives in `<workspace>/runs/<run-id>/`: `config.yaml` (frozen, paths made absolute),
`status.json`, `metrics.jsonl`, `train.log`, `checkpoints/`, `adapter/`, `merged/`. The training
process (`python -m core.train`) holds an exclusive lock on `<run>/lock` while it lives, so a run
whose status says running but whose lock is free was killed or crashed: it is reported failed
(and can be resumed from its last checkpoint).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import TrainConfig, load_config, local_model_path, resolve_path, save_config
from core.errors import StudioError
from core.fsutil import atomic_write_text, inside
from core.jobs import lock_held
from core.workspace import REPO_ROOT, subdir

STATES = ("running", "stopping", "stopped", "failed", "completed")
ACTIVE = ("running", "stopping")
CONFIG, STATUS, METRICS, LOG, STOP, LOCK = (
    "config.yaml",
    "status.json",
    "metrics.jsonl",
    "train.log",
    "STOP",
    "lock",
)
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")
_children: list[subprocess.Popen] = []  # reaped as runs are listed, so none lingers as a zombie


# ----------------------------------------------------------------------------- run files


def write_status(run_dir: Path, **fields: Any) -> dict[str, Any]:
    """Merge `fields` into status.json (atomic write) and return the new status."""
    status = _load_status(run_dir) | fields | {"updated": time.time()}
    atomic_write_text(Path(run_dir) / STATUS, json.dumps(status, indent=2) + "\n")
    return status


def _load_status(run_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((Path(run_dir) / STATUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_alive(run_dir: Path) -> bool:
    """True while a training process holds the run's lock."""
    return lock_held(Path(run_dir) / LOCK)


def read_status(run_dir: Path) -> dict[str, Any]:
    """The run's status; one that says running although its process is gone becomes failed."""
    _reap()
    status = _load_status(run_dir)
    if status.get("state") in ACTIVE and not is_alive(run_dir):
        status = _load_status(run_dir)  # the process may have written its last word meanwhile
        if status.get("state") in ACTIVE:
            last = list_checkpoints(run_dir)
            hint = f"resume from {last[-1].path.name}" if last else "no checkpoint to resume from"
            status = write_status(
                run_dir,
                state="failed",
                ended=time.time(),
                error=f"the training process (pid {status.get('pid')}) ended without "
                f"reporting: killed or crashed; {hint}",
            )
    return status


def read_metrics(run_dir: Path, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Metric records from byte `offset` on (complete lines only) and the offset to read from next."""
    try:
        with open(Path(run_dir) / METRICS, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n") + 1
    records = []
    for line in data[:end].splitlines():
        with contextlib.suppress(ValueError):  # a line cut short by a killed process
            records.append(json.loads(line))
    return records, offset + end


def follow_metrics(
    workspace: Path, watched: dict, run_ids: list[str]
) -> tuple[dict, bool, dict[str, dict]]:
    """Read only the new lines of each run's metrics.jsonl (a live plot's tick); returns (the
    new watch state, whether anything is new, each run's status as read for it).

    The state maps run id -> {offset, rows, version, …}; a run whose metrics were rewritten (a
    resume from an earlier checkpoint bumps status.metrics_version) is read again from 0."""
    fresh, changed, statuses = {}, False, {}
    for run_id in dict.fromkeys(run_ids):
        run_dir = run_path(workspace, run_id)
        seen = watched.get(run_id) or {}
        statuses[run_id] = read_status(run_dir)
        version = statuses[run_id].get("metrics_version", 0)
        if seen.get("version") != version:
            seen, changed = {"offset": 0, "rows": [], "version": version}, True
        records, offset = read_metrics(run_dir, seen["offset"])
        changed = changed or bool(records)
        fresh[run_id] = seen | {"offset": offset, "rows": seen["rows"] + records}
    return fresh, changed, statuses


def repair_metrics(run_dir: Path) -> None:
    """Cut a last line that a killed process left without its newline, before appending."""
    path = Path(run_dir) / METRICS
    if path.is_file() and path.stat().st_size:
        data = path.read_bytes()
        if not data.endswith(b"\n"):
            with open(path, "r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield an empty folder beside `target`; on success it replaces `target` (the old one is
    moved aside first and removed last), on failure it is removed and `target` is untouched."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    old = tmp.with_name(tmp.name + ".old")
    try:
        yield tmp
        if target.exists():
            target.rename(old)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def progress_line(record: dict[str, Any], max_steps: int | None) -> str:
    """One metrics record as a line of text: `step 12/45  loss 6.1  lr 0.004  900 tok/s  eta 30s`."""
    parts = [f"step {record['step']}/{max_steps or '?'}"]
    for key, label in (("loss", "loss"), ("eval_loss", "eval_loss"), ("learning_rate", "lr")):
        if record.get(key) is not None:
            parts.append(f"{label} {record[key]:.4g}")
    if record.get("tokens_per_second"):
        parts.append(f"{record['tokens_per_second']:.0f} tok/s")
    if record.get("eta") is not None:
        parts.append(f"eta {record['eta']:.0f}s")
    return "  ".join(parts)


def has_adapter(run_dir: Path) -> bool:
    """Whether the run saved its adapter (adapter/adapter_config.json), so it can be merged."""
    return (Path(run_dir) / "adapter" / "adapter_config.json").is_file()


def has_merged(run_dir: Path) -> bool:
    """Whether the run's adapter was merged (merged/config.json), so it can be exported."""
    return (Path(run_dir) / "merged" / "config.json").is_file()


@dataclass(frozen=True)
class Readiness:
    """What a run can go on to: a merge needs its adapter, an export its merged model, and
    neither while it trains."""

    state: str
    adapter: bool
    merged: bool
    merge_diff: float | None  # the merge's max |logit difference| from base + adapter

    @property
    def training(self) -> bool:
        return self.state in ACTIVE

    @property
    def can_merge(self) -> bool:
        return self.adapter and not self.training

    @property
    def can_export(self) -> bool:
        return self.can_merge and self.merged


def readiness(run_dir: Path) -> Readiness:
    """Whether the run can be merged and exported now (reads its status once)."""
    status = read_status(run_dir)
    return Readiness(
        state=status.get("state", "failed"),
        adapter=has_adapter(run_dir),
        merged=has_merged(run_dir),
        merge_diff=(status.get("merged") or {}).get("max_abs_diff"),
    )


@dataclass(frozen=True)
class Checkpoint:
    """A saved checkpoint of a run: its step and folder."""

    step: int
    path: Path


def list_checkpoints(run_dir: Path) -> list[Checkpoint]:
    """The run's saved checkpoints, oldest first."""
    found = []
    for path in (Path(run_dir) / "checkpoints").glob("checkpoint-*"):
        step = path.name.removeprefix("checkpoint-")
        if step.isdigit() and (path / "trainer_state.json").is_file():
            found.append(Checkpoint(int(step), path))
    return sorted(found, key=lambda c: c.step)


# ----------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class RunInfo:
    """One row of the runs table."""

    id: str
    path: Path
    state: str
    started: float | None
    backend: str | None
    step: int | None
    max_steps: int | None
    last: dict[str, Any]  # the last metrics record with a training loss, {} before the first
    error: str | None

    @property
    def has_adapter(self) -> bool:
        return has_adapter(self.path)

    @property
    def has_merged(self) -> bool:
        return has_merged(self.path)


def runs_dir(workspace: Path) -> Path:
    """<workspace>/runs, created when missing."""
    return subdir(Path(workspace), "runs")


def run_path(workspace: Path, run_id: str) -> Path:
    """The folder of run `run_id`; refuses ids that are not run ids (no path tricks)."""
    if not _ID_RE.match(run_id or "") or not (runs_dir(workspace) / run_id / CONFIG).is_file():
        raise StudioError(f"no such run: {run_id!r}", where=str(runs_dir(workspace)))
    return runs_dir(workspace) / run_id


def list_runs(workspace: Path) -> list[RunInfo]:
    """Every run of the workspace, newest first, with its state and last metrics."""
    infos = []
    for path in runs_dir(workspace).iterdir():
        if not (path / CONFIG).is_file():
            continue
        status = read_status(path)
        losses = [r for r in read_metrics(path)[0] if r.get("loss") is not None]
        infos.append(
            RunInfo(
                id=path.name,
                path=path,
                state=status.get("state", "failed"),
                started=status.get("started"),
                backend=status.get("backend"),
                step=status.get("step"),
                max_steps=status.get("max_steps"),
                last=losses[-1] if losses else {},
                error=status.get("error"),
            )
        )
    return sorted(infos, key=lambda i: (i.started or 0, i.id), reverse=True)


def active_runs(workspace: Path) -> list[RunInfo]:
    """The runs of the workspace that are training or stopping."""
    return [info for info in list_runs(workspace) if info.state in ACTIVE]


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
            cfg.output, output_dir=str(run_dir), merged_dir=str(merged_dir or run_dir / "merged")
        ),
    )


def start_run(
    workspace: Path, config: TrainConfig | str | Path, name: str | None = None, force: bool = False
) -> str:
    """Check the inputs, create the run folder, spawn the training process; return the run id."""
    from core.train import preflight

    workspace = Path(workspace)
    cfg = config if isinstance(config, TrainConfig) else load_config(config)
    _refuse_if_busy(workspace, force)
    default = "run" if isinstance(config, TrainConfig) else Path(config).stem
    run_id = _new_id(workspace, name or default)
    run_dir = runs_dir(workspace) / run_id
    frozen = freeze_config(cfg, run_dir, workspace)
    preflight(frozen, workspace)
    run_dir.mkdir()
    save_config(frozen, run_dir / CONFIG)
    write_status(run_dir, state="running", pid=None, started=time.time(), launched=time.time())
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
    """Start `python -m core.train` on the run. The run's lock is taken here and handed to the
    child, so the run counts as alive from this moment until the child ends."""
    lock = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _take_lock(lock)
        argv = [sys.executable, "-m", "core.train", "--run-dir", str(run_dir)]
        argv += ["--workspace", str(workspace), "--lock-fd", str(lock), *extra]
        with open(run_dir / LOG, "ab") as log:
            child = subprocess.Popen(
                argv,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(lock,),
            )
        _children.append(child)
    except BlockingIOError:
        raise StudioError(f"run {run_dir.name} is already training") from None
    finally:
        os.close(lock)


def _take_lock(fd: int, patience: float = 30.0) -> None:
    """Lock the run, waiting a little for a process that recorded its end but is still exiting."""
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _reap() -> None:
    for child in list(_children):
        if child.poll() is not None:
            _children.remove(child)


def stop_run(run_dir: Path) -> dict[str, Any]:
    """Ask the run to stop: it saves a checkpoint at the end of its current step and exits."""
    status = read_status(run_dir)
    if status.get("state") not in ACTIVE:
        return status
    (Path(run_dir) / STOP).touch()
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
    if read_status(run_dir).get("state") in ACTIVE:
        raise StudioError(f"run {run_dir.name} is still training", hint="stop it first")
    _refuse_if_busy(run_dir.parent.parent, force)
    names = [c.path.name for c in list_checkpoints(run_dir)]
    if not names:
        raise StudioError(f"run {run_dir.name} has no checkpoint to resume from")
    if checkpoint is not None and checkpoint not in names:
        raise StudioError(f"no checkpoint {checkpoint!r}", hint=f"choose one of {', '.join(names)}")
    if more_epochs or more_steps:
        extend_plan(run_dir, more_epochs, more_steps)
    (run_dir / STOP).unlink(missing_ok=True)
    write_status(run_dir, state="running", pid=None, error=None, ended=None, launched=time.time())
    _spawn(run_dir, run_dir.parent.parent, ["--resume", checkpoint or "last"])


def extend_plan(run_dir: Path, more_epochs: float | None, more_steps: int | None) -> TrainConfig:
    """Raise the run's planned epochs or steps in its frozen config; the new config."""
    from core.config import with_values

    cfg = load_config(run_dir / CONFIG)
    t, values = cfg.training, {}
    if more_steps:
        done = max((c.step for c in list_checkpoints(run_dir)), default=0)
        values["training.max_steps"] = max(t.max_steps, done) + more_steps
    if more_epochs:
        values["training.num_train_epochs"] = t.num_train_epochs + more_epochs
        values.setdefault("training.max_steps", -1)
    extended = with_values(cfg, values)
    save_config(extended, run_dir / CONFIG)
    return extended


def delete_run(run_dir: Path) -> None:
    """Remove a run folder that is not training."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG).is_file() or not inside(run_dir.parent, run_dir):
        raise StudioError(f"not a run folder: {run_dir}")
    if read_status(run_dir).get("state") in ACTIVE:
        raise StudioError(f"run {run_dir.name} is still training", hint="stop it first")
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(run_dir)
