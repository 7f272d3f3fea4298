"""A run's folder and its files: status, metrics, checkpoints, adapter, merged model; the registry."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import StudioError
from core.fsutil import atomic_write_text
from core.supervise import settle
from core.workspace import subdir

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


@dataclass(frozen=True)
class RunFolder:
    """One run's folder and the files it holds; the one place that knows their names.

    `RunFolder(path)` names the files (none need exist); the functions of this module and of
    core.train.runs take a RunFolder or a plain path to one."""

    path: Path

    @classmethod
    def of(cls, run: RunFolder | str | Path) -> RunFolder:
        return run if isinstance(run, RunFolder) else cls(Path(run))

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def workspace(self) -> Path:
        return self.path.parent.parent

    config = property(lambda self: self.path / CONFIG)  # the frozen config of the run
    status_file = property(lambda self: self.path / STATUS)
    metrics = property(lambda self: self.path / METRICS)
    log = property(lambda self: self.path / LOG)
    stop_file = property(lambda self: self.path / STOP)  # present: stop at the next step
    lock = property(lambda self: self.path / LOCK)  # held by the training process
    checkpoints = property(lambda self: self.path / "checkpoints")
    adapter = property(lambda self: self.path / "adapter")
    merged = property(lambda self: self.path / "merged")
    exports = property(lambda self: self.path / "exports")
    evaluation = property(lambda self: self.path / "eval")  # prompts scored, the benchmark
    discarded = property(lambda self: self.path / "discarded")  # history a resume set aside
    ranks = property(lambda self: self.path / "ranks")  # rank-N.json/.log of a launched run
    accelerate_config = property(lambda self: self.path / "accelerate.yaml")
    deepspeed_config = property(lambda self: self.path / "deepspeed.json")

    @property
    def has_adapter(self) -> bool:
        """Whether the run saved its adapter (adapter_config.json), so it can be merged."""
        return (self.adapter / "adapter_config.json").is_file()

    @property
    def has_merged(self) -> bool:
        """Whether the adapter was merged (merged/config.json), so it can be exported."""
        return (self.merged / "config.json").is_file()


Run = RunFolder | Path | str  # what the functions below accept


def write_status(run: Run, **fields: Any) -> dict[str, Any]:
    """Merge `fields` into status.json (atomic write) and return the new status."""
    status = _load_status(run) | fields | {"updated": time.time()}
    atomic_write_text(RunFolder.of(run).status_file, json.dumps(status, indent=2) + "\n")
    return status


def _load_status(run: Run) -> dict[str, Any]:
    try:
        return json.loads(RunFolder.of(run).status_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read_status(run: Run) -> dict[str, Any]:
    """The run's status; one that says running although its process is gone becomes failed."""

    folder = RunFolder.of(run)

    def lost(status: dict[str, Any]) -> dict[str, Any]:
        last = list_checkpoints(folder)
        hint = f"resume from {last[-1].path.name}" if last else "no checkpoint to resume from"
        return write_status(
            folder,
            state="failed",
            ended=time.time(),
            error=f"the training process (pid {status.get('pid')}) ended without "
            f"reporting: killed or crashed; {hint}",
        )

    return settle(lambda: _load_status(folder), lost, ACTIVE, folder.lock)


def read_metrics(run: Run, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Metric records from byte `offset` on (complete lines only) and the offset to read from next."""
    try:
        with open(RunFolder.of(run).metrics, "rb") as handle:
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


def repair_metrics(run: Run) -> None:
    """Cut a last line that a killed process left without its newline, before appending."""
    path = RunFolder.of(run).metrics
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


def has_adapter(run: Run) -> bool:
    """Whether the run saved its adapter, so it can be merged."""
    return RunFolder.of(run).has_adapter


def has_merged(run: Run) -> bool:
    """Whether the run's adapter was merged, so it can be exported."""
    return RunFolder.of(run).has_merged


def _newest(folder: Path) -> float:
    """The latest modification time of the files in `folder` (0 when there are none)."""
    times = [p.stat().st_mtime for p in Path(folder).rglob("*") if p.is_file()]
    return max(times, default=0.0)


def adapter_stamp(run: Run) -> float:
    """When the run's adapter last changed (the newest of its files), recorded by each merge."""
    return _newest(RunFolder.of(run).adapter)


# (path, inode, mtime, size) -> sha256: a view's poll hashes each version of a file once
_DIGESTS: dict[tuple, str] = {}


def _digest(path: Path) -> str:
    from core.models.download import sha256

    info = path.stat()
    key = (str(path), info.st_ino, info.st_mtime_ns, info.st_size)
    if key not in _DIGESTS:
        _DIGESTS[key] = sha256(path)
    return _DIGESTS[key]


def adapter_fingerprint(run: Run) -> dict[str, Any] | None:
    """Which adapter the run has now: {"sha256": of its weight files, "step": the step the run
    was at}; None when it has none. What a merge, an export or an evaluation records."""
    folder = RunFolder.of(run)
    if not folder.has_adapter:
        return None
    weights = sorted(folder.adapter.glob("adapter_model*")) or [
        folder.adapter / "adapter_config.json"
    ]
    listing = "".join(f"{p.name} {_digest(p)}\n" for p in weights)
    step = _load_status(folder).get("step")
    return {"sha256": hashlib.sha256(listing.encode()).hexdigest(), "step": step}


def merged_is_stale(run: Run, status: dict[str, Any] | None = None) -> bool:
    """Whether the adapter changed after the merge (the run trained on, or was resumed): the
    merged model and its exports then hold an older adapter than the run has."""
    folder = RunFolder.of(run)
    merged = (status if status is not None else read_status(folder)).get("merged") or {}
    recorded = merged.get("adapter_stamp")
    if recorded is None or not (folder.has_adapter and folder.has_merged):
        return False  # a merge from before the stamp was kept: nothing to compare with
    return adapter_stamp(folder) > recorded


@dataclass(frozen=True)
class Readiness:
    """What a run can go on to: a merge needs its adapter, an export its merged model, and
    neither while it trains."""

    state: str
    adapter: bool
    merged: bool
    merge_diff: float | None  # the merge's max |logit difference| from base + adapter
    stale: bool = False  # the adapter changed since the merge: merge again before exporting

    @property
    def training(self) -> bool:
        return self.state in ACTIVE

    @property
    def can_merge(self) -> bool:
        return self.adapter and not self.training

    @property
    def can_export(self) -> bool:
        return self.can_merge and self.merged and not self.stale


def readiness(run: Run) -> Readiness:
    """Whether the run can be merged and exported now (reads its status once)."""
    folder = RunFolder.of(run)
    status = read_status(folder)
    return Readiness(
        state=status.get("state", "failed"),
        adapter=folder.has_adapter,
        merged=folder.has_merged,
        merge_diff=(status.get("merged") or {}).get("max_abs_diff"),
        stale=merged_is_stale(folder, status),
    )


@dataclass(frozen=True)
class Checkpoint:
    """A saved checkpoint of a run: its step and folder."""

    step: int
    path: Path


def list_checkpoints(run: Run) -> list[Checkpoint]:
    """The run's saved checkpoints, oldest first."""
    found = []
    for path in RunFolder.of(run).checkpoints.glob("checkpoint-*"):
        step = path.name.removeprefix("checkpoint-")
        if step.isdigit() and (path / "trainer_state.json").is_file():
            found.append(Checkpoint(int(step), path))
    return sorted(found, key=lambda c: c.step)


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
        if not RunFolder(path).config.is_file():
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
