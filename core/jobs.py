"""Background jobs: any core CLI run as a child process that outlives the page that started it.

A job lives in `<workspace>/jobs/<id>/`: `status.json` (what runs, its state, exit code, times)
and `job.log` (the command's stdout and stderr). A small supervisor process (`python -m core.jobs
--supervise DIR`) starts the command, waits for it and records how it ended, so a merge or an
export finishes and is recorded whatever happens to the browser or the studio. The supervisor
holds an exclusive lock on `<job>/lock` while it lives; a job whose lock is free but whose status
still says running has lost its supervisor and is reported failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.errors import StudioError, cli_main
from core.fsutil import atomic_write_text
from core.supervise import reap, settle, signal_group, spawn
from core.workspace import REPO_ROOT, subdir, workspace_root

FINAL_STATES = ("completed", "failed", "cancelled")
CANCEL_GRACE_S = 10.0
_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,40}-\d{8}-\d{6}-[0-9a-f]{4}$")
_KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
_PERCENT_RE = re.compile(r"(\d{1,3})%\|")


@dataclass
class JobStatus:
    """What a job runs and how far it got."""

    id: str
    kind: str
    argv: list[str]
    state: str  # running | cancelling | completed | failed | cancelled
    started: float
    ended: float | None = None
    returncode: int | None = None
    supervisor_pid: int | None = None
    child_pid: int | None = None
    error: str | None = None
    meta: dict = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def elapsed(self) -> float:
        return (self.ended or time.time()) - self.started


def core_command(module: str, *args: str | Path | int) -> list[str]:
    """The argv that runs `python -m <module> args…` with this interpreter."""
    return [sys.executable, "-m", module, *(str(a) for a in args)]


# ---------------------------------------------------------------- reading


def jobs_dir(workspace: Path) -> Path:
    return subdir(Path(workspace), "jobs")


def job_dir(workspace: Path, job_id: str) -> Path:
    """The folder of one job; refuses ids that are not job ids (no path tricks)."""
    if not _ID_RE.match(job_id or ""):
        raise StudioError(f"not a job id: {job_id!r}")
    path = jobs_dir(workspace) / job_id
    if not (path / "status.json").is_file():
        raise StudioError(f"no such job: {job_id}", where=str(jobs_dir(workspace)))
    return path


def _read(path: Path) -> JobStatus:
    data = json.loads((path / "status.json").read_text(encoding="utf-8"))
    return JobStatus(**data)


def _write(path: Path, status: JobStatus) -> None:
    atomic_write_text(path / "status.json", json.dumps(asdict(status), indent=2))


def job_status(workspace: Path, job_id: str) -> JobStatus:
    """The job's current status; a running job whose supervisor vanished is marked failed."""
    path = job_dir(workspace, job_id)

    def lost(data: dict) -> dict:
        data |= {"state": "failed", "ended": time.time()}
        data["error"] = "the job's supervisor ended without recording a result"
        _write(path, JobStatus(**data))
        return data

    status = JobStatus(**settle(lambda: asdict(_read(path)), lost, ("running",), path / "lock"))
    if not status.finished and (path / "cancel").exists():
        status.state = "cancelling"
    return status


def list_jobs(workspace: Path, kind: str | None = None) -> list[JobStatus]:
    """All jobs of the workspace (optionally of one kind), newest first."""
    found = []
    for path in jobs_dir(workspace).iterdir():
        if _ID_RE.match(path.name) and (path / "status.json").is_file():
            status = job_status(workspace, path.name)
            if kind is None or status.kind == kind:
                found.append(status)
    return sorted(found, key=lambda s: s.started, reverse=True)


def read_log(workspace: Path, job_id: str, max_chars: int = 20_000) -> str:
    """The end of the job's log; progress bars redrawn with carriage returns show their last frame."""
    log = job_dir(workspace, job_id) / "job.log"
    if not log.is_file():
        return ""
    text = read_tail(log, max_chars * 4)
    lines = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n")]
    return "\n".join(lines)[-max_chars:]


def read_tail(log: Path, max_bytes: int = 8192) -> str:
    """The last `max_bytes` of a log file, decoded leniently."""
    with open(log, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - max_bytes))
        return handle.read().decode("utf-8", errors="replace")


def log_progress(text: str) -> float | None:
    """The last percentage a tqdm bar printed in `text`, as a fraction, if any."""
    found = _PERCENT_RE.findall(text)
    return int(found[-1]) / 100 if found else None


# ---------------------------------------------------------------- starting and stopping


def start_job(
    workspace: Path,
    kind: str,
    argv: list[str],
    meta: dict | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Start `argv` as a background job of `kind` and return its id at once. `env` adds to the
    command's environment and is recorded nowhere (a token goes there, never into argv)."""
    if not _KIND_RE.match(kind):
        raise StudioError(f"not a job kind: {kind!r}", hint="lowercase letters, digits, - and _")
    if not argv:
        raise StudioError("a job needs a command to run")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    job_id = f"{kind}-{stamp}-{secrets.token_hex(2)}"
    path = jobs_dir(workspace) / job_id
    path.mkdir()
    status = JobStatus(
        job_id, kind, [str(a) for a in argv], "running", time.time(), meta=meta or {}
    )
    _write(path, status)
    # The supervisor inherits the lock on <job>/lock and holds it while it lives.
    spawn(
        [sys.executable, "-m", "core.jobs", "--supervise", str(path)],
        path / "lock",
        None,
        _child_env() | (env or {}),
    )
    return job_id


def cancel_job(workspace: Path, job_id: str) -> JobStatus:
    """Ask a running job to stop: its command gets SIGTERM, then SIGKILL after a grace period."""
    path = job_dir(workspace, job_id)
    status = job_status(workspace, job_id)
    if status.finished:
        return status
    (path / "cancel").touch()
    if status.supervisor_pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(status.supervisor_pid, signal.SIGTERM)
    return job_status(workspace, job_id)


def wait_job(workspace: Path, job_id: str, timeout: float = 600.0) -> JobStatus:
    """Block until the job ends (for scripts and tests); StudioError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = job_status(workspace, job_id)
        if status.finished:
            reap()
            return status
        time.sleep(0.1)
    raise StudioError(f"job {job_id} still running after {timeout:.0f} s")


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


# ---------------------------------------------------------------- the supervisor


def supervise(path: Path) -> int:
    """Run the job's command, forward a cancel to it, and record how it ended."""
    status = _read(path)
    stop_asked: list[float] = []
    signal.signal(signal.SIGTERM, lambda *_: stop_asked.append(time.monotonic()))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with open(path / "job.log", "ab") as log:
            child = subprocess.Popen(
                status.argv,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=_child_env(),
            )
    except OSError as err:
        status.state, status.ended, status.error = "failed", time.time(), f"cannot start: {err}"
        _write(path, status)
        return 1
    status.supervisor_pid, status.child_pid = os.getpid(), child.pid
    _write(path, status)
    returncode = _wait_child(child, path, stop_asked)
    status.returncode = returncode
    status.ended = time.time()
    if (path / "cancel").exists():
        status.state = "cancelled"
    elif returncode == 0:
        status.state = "completed"
    else:
        status.state = "failed"
        status.error = _last_error_line(path / "job.log") or f"exit code {returncode}"
    _write(path, status)
    return 0


def _wait_child(child: subprocess.Popen, path: Path, stop_asked: list[float]) -> int:
    term_sent_at: float | None = None
    while True:
        try:
            return child.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
        if (stop_asked or (path / "cancel").exists()) and term_sent_at is None:
            term_sent_at = time.monotonic()
            signal_group(child.pid, signal.SIGTERM)
        elif term_sent_at is not None and time.monotonic() - term_sent_at > CANCEL_GRACE_S:
            signal_group(child.pid, signal.SIGKILL)


def _last_error_line(log: Path) -> str | None:
    """The line a core CLI prints on a StudioError (`error: …`), else the log's last line."""
    try:
        lines = [ln.strip() for ln in read_tail(log).splitlines() if ln.strip()]
    except OSError:
        return None
    errors = [ln for ln in lines if ln.startswith("error:")]
    found = errors or lines
    return found[-1] if found else None


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List background jobs, or supervise one.")
    parser.add_argument("--workspace", help="workspace folder (default: the project's)")
    parser.add_argument("--cancel", metavar="ID", help="cancel a running job")
    parser.add_argument(
        "--wait", metavar="ID", help="wait for a job to end; exit 0 if it completed"
    )
    parser.add_argument("--supervise", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.supervise:
        return supervise(Path(args.supervise))
    workspace = workspace_root(args.workspace)
    if args.cancel:
        print(cancel_job(workspace, args.cancel).state)
        return 0
    if args.wait:
        status = wait_job(workspace, args.wait, timeout=24 * 3600)
        print(status.state + (f": {status.error}" if status.error else ""))
        return 0 if status.state == "completed" else 1
    for job in list_jobs(workspace):
        code = "" if job.returncode is None else f" (exit {job.returncode})"
        print(f"{job.id:40} {job.state:10} {job.elapsed:8.1f}s{code}  {' '.join(job.argv[1:])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
