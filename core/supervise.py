"""The one supervisor of child processes: training runs (core.train.runs) and background jobs
(core.jobs) both start, watch, cancel and reap their processes through it.

Its rules, the same for both: a child is started in a session of its own (so a signal reaches
its whole process group), its output goes to a log file, and it inherits an exclusive lock on a
file in its folder that it holds while it lives. A folder whose status says active while no one
holds its lock belongs to a process that was killed or crashed: `settle` marks it failed.
Exited children are reaped whenever anything is read, so a long-lived studio leaves no zombies.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.workspace import REPO_ROOT

_CHILDREN: list[subprocess.Popen] = []


def lock_held(lock: Path) -> bool:
    """True while some process holds an exclusive flock on the file `lock`; False when no one
    does or the file does not exist."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def take_lock(fd: int, patience: float = 30.0) -> None:
    """Lock `fd`, waiting a little for a process that recorded its end but is still exiting;
    BlockingIOError when it is still held after `patience` seconds."""
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def spawn(
    argv: Sequence[str],
    lock: Path,
    log: Path | None,
    env: dict[str, str] | None = None,
    patience: float = 30.0,
) -> subprocess.Popen:
    """Start `argv` in a session of its own holding the lock on `lock` (taken here, so the folder
    counts as alive from this moment until the child ends), its output appended to `log`
    (discarded when None). An argument `LOCK_FD` in `argv` becomes the inherited descriptor's
    number. BlockingIOError when another process holds the lock."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        take_lock(fd, patience)
        command = [str(a).replace(LOCK_FD, str(fd)) for a in argv]
        with open(log, "ab") if log else open(os.devnull, "wb") as out:
            child = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(fd,),
                env=env,
            )
    finally:
        os.close(fd)
    _CHILDREN.append(child)
    reap()
    return child


LOCK_FD = "{lock_fd}"  # in spawn's argv: replaced by the number of the inherited lock descriptor


def reap() -> None:
    """Collect exited children so they leave no zombies behind."""
    _CHILDREN[:] = [child for child in _CHILDREN if child.poll() is None]


def settle(
    read: Callable[[], dict[str, Any]],
    lost: Callable[[dict[str, Any]], dict[str, Any]],
    active: Sequence[str],
    lock: Path,
) -> dict[str, Any]:
    """The status `read()` returns; when it says active (its `state` in `active`) but no process
    holds `lock`, the process is gone: read once more (it may have written its last word
    meanwhile) and, still active, return `lost(status)` (which records the failure)."""
    reap()
    status = read()
    if status.get("state") in active and not lock_held(lock):
        status = read()
        if status.get("state") in active:
            status = lost(status)
    return status


def signal_group(pid: int, sig: int) -> None:
    """Send `sig` to the process group `pid` leads (nothing when it is gone)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
