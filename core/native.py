"""Native code (llama.cpp) in a child process: a crash there is a StudioError, never a dead parent.

`run_native(fn, *args, what=..., where=...)` calls the importable function `fn` in a spawned
child and returns its result; an exception raised there is raised here; a child killed by a
signal (segmentation fault, illegal instruction, out of memory) becomes a `NativeCrash` that names
the file, the signal and what to try. `die_with_parent()` makes the calling process end when its
parent does, whatever kills the parent (Linux), so no worker or server is left orphaned.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import Any, TypeVar

from core.errors import StudioError

T = TypeVar("T")

# Test hook: the name of a function run through run_native that should crash for real (SIGSEGV)
# as soon as its child starts. Used by the tests of the CLI, the job and the Export tab.
CRASH_HOOK_ENV = "AHKSTUDIO_TEST_NATIVE_CRASH"
REBUILD = "rm -rf ~/.cache/ahkstudio/llama-cpp-python-* && bash scripts/install-llama-cpp.sh .venv/bin/python"
_PR_SET_PDEATHSIG = 1

_ADVICE = {
    signal.SIGSEGV: f"llama-cpp-python may be built for another CPU: rebuild it portably ({REBUILD})",
    signal.SIGILL: f"llama-cpp-python was built for another CPU: rebuild it portably ({REBUILD})",
    signal.SIGBUS: f"the file may be truncated or on a full disk; else rebuild llama-cpp-python ({REBUILD})",
    signal.SIGKILL: "most likely out of memory: close other programs or pick a smaller model or quantisation",
    signal.SIGABRT: "llama.cpp stopped on an internal check: see the log above for its message",
}


class NativeCrash(StudioError):
    """A native library killed its process: the signal, the file it was working on, what to try."""

    def __init__(self, what: str, where: str, exitcode: int) -> None:
        self.signal = -exitcode if exitcode < 0 else None
        if self.signal is not None:
            name = signal.Signals(self.signal).name
            message = f"llama.cpp crashed ({name}, signal {self.signal}) while {what}"
            hint = _ADVICE.get(signal.Signals(self.signal), f"rebuild llama-cpp-python ({REBUILD})")
        else:
            message = f"the llama.cpp worker ended (exit {exitcode}) while {what}"
            hint = "see the log for its last message"
        super().__init__(message, where=where, hint=hint)


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send `sig` to this process when its parent ends (Linux; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent was already gone before the request took effect
        os.kill(os.getpid(), sig)


def _child(conn, fn: Callable[..., Any], args: tuple) -> None:
    die_with_parent(signal.SIGKILL)
    if os.environ.get(CRASH_HOOK_ENV) == fn.__name__:
        os.kill(os.getpid(), signal.SIGSEGV)
    try:
        conn.send((True, fn(*args)))
    except BaseException as err:
        conn.send((False, err if isinstance(err, Exception) else StudioError(repr(err))))
    finally:
        conn.close()


def run_native(fn: Callable[..., T], *args: Any, what: str, where: str) -> T:
    """`fn(*args)` in a spawned child process; its crash is a NativeCrash naming `where`."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, fn, args), daemon=True)
    child.start()
    send.close()
    try:
        outcome = receive.recv()
    except EOFError:
        outcome = None
    except BaseException:  # cancelled or interrupted: the child goes too
        child.kill()
        raise
    finally:
        receive.close()
        child.join()
    if outcome is None:
        raise NativeCrash(what, where, child.exitcode if child.exitcode is not None else -9)
    ok, value = outcome
    if ok:
        return value
    raise value
