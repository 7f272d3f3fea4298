"""The real AutoHotkey v2 interpreter under Wine: `/validate` each script, its load error turned
into the checker's diagnostics (the ground truth the built-in engine is measured against)."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from core.ahk.builtins import INTERPRETER_VERSION, required_version
from core.ahk.check import CheckResult
from core.ahk.lexer import Diagnostic
from core.errors import StudioError

_ERROR_LINE = re.compile(r"^(.*?) \((\d+)\) : ==> (.*)$")


_REQUIRES = re.compile(r"This script requires AutoHotkey v?([\d.]+\S*)")


@dataclass(frozen=True)
class Interpreter:
    """The AutoHotkey v2 executable and, off Windows, the Wine that runs it."""

    exe: Path
    wine: str | None
    wineserver: str | None = None

    def command(self, script: Path) -> list[str]:
        """The command line that validates `script`."""
        target = _windows_path(script) if self.wine else str(script)
        args = [str(self.exe), "/ErrorStdOut=UTF-8", "/validate", target]
        return [self.wine, *args] if self.wine else args


def _windows_path(path: Path) -> str:
    """How Wine's Windows programs see a Unix path (drive Z: is the root)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def find_interpreter() -> Interpreter | None:
    """AutoHotkey v2 from $AHK_V2_EXE or the ahk-binary package (sys.prefix/Scripts), and
    Wine from PATH when not on Windows; None when either is missing."""
    named = os.environ.get("AHK_V2_EXE")
    exe = Path(named) if named else Path(sys.prefix) / "Scripts" / "AutoHotkeyV2.exe"
    if not exe.is_file():
        return None
    if os.name == "nt":
        return Interpreter(exe, None)
    wine = shutil.which("wine") or shutil.which("wine64")
    if wine is None:
        return None
    return Interpreter(exe, wine, shutil.which("wineserver"))


def _wine_env(prefix: Path) -> dict[str, str]:
    """Environment for Wine: our own prefix, no display (dialogs fail instead of waiting)."""
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    env["WINEPREFIX"] = str(prefix)
    env["WINEDEBUG"] = "-all"
    env["WINEDLLOVERRIDES"] = "mscoree,mshtml="  # no Mono/Gecko install prompts
    if "UTF-8" not in env.get("LC_ALL", "") + env.get("LANG", ""):
        env["LANG"] = "C.UTF-8"
    return env


def _prepare_prefix(wine: str, interp: Interpreter, prefix: Path, env: dict[str, str]) -> None:
    """Create the Wine prefix once (a lock guards concurrent first runs); keep a wineserver up."""
    prefix.mkdir(parents=True, exist_ok=True)
    with open(prefix / ".ahkstudio.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = prefix / ".ahkstudio-ready"
        if not ready.exists():
            subprocess.run(
                [wine, "wineboot", "--init"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=300,
                check=False,
            )
            ready.touch()
    if interp.wineserver:
        # Persistent for a minute after the last client: later files skip Wine's start-up.
        # Its own output goes nowhere: a daemon holding our stdout would keep a pipe open.
        subprocess.run(
            [interp.wineserver, "-p60"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=60,
        )


def _run_one(
    interp: Interpreter, path: Path, env: dict[str, str] | None, timeout: float
) -> tuple[int, str]:
    """Validate one file; a run that hangs or fails to start is tried again (three tries).

    The output goes to a temporary file, not a pipe: Wine's background services, started by
    whichever process needs them first, inherit its handles and would hold a pipe open."""
    last = -1, f"no answer within {timeout:g} s"
    for _attempt in range(3):
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(
                interp.command(path),
                cwd=path.parent,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                last = -1, f"no answer within {timeout:g} s"
                continue
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        if proc.returncode == 0 or (proc.returncode == 2 and "==>" in text):
            return proc.returncode, text
        last = proc.returncode, text  # Wine sometimes fails to start a process: try again
    return last


def parse_interpreter_output(path: Path, rc: int, out: str) -> CheckResult:
    """Turn a /validate exit code and its output into a CheckResult."""
    if rc == 0:
        return CheckResult("v2", 1.0, [])
    if rc == -1:
        return CheckResult(
            "unknown", 0.5, [Diagnostic(1, 1, "warning", "interpreter-timeout", out)]
        )
    lines = [line.rstrip() for line in out.replace("\r\n", "\n").split("\n")]
    for i, line in enumerate(lines):
        m = _ERROR_LINE.match(line)
        if not m:
            continue
        where, number, message = m.group(1), int(m.group(2)), m.group(3).strip()
        detail = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if detail.startswith("Specifically:"):
            message = f"{message} ({detail})"
        if not _same_file(where, path):
            message = (
                f"in {where.replace(chr(92), '/').rsplit('/', 1)[-1]} line {number}: {message}"
            )
            number = 1
        return _classify_interpreter_error(max(number, 1), message)
    tail = " ".join(out.split())[-300:] or f"exit code {rc}"
    return CheckResult("unknown", 0.5, [Diagnostic(1, 1, "warning", "interpreter-failed", tail)])


def _classify_interpreter_error(line: int, message: str) -> CheckResult:
    """One load error as a result: version, include or syntax problem."""
    version = _REQUIRES.search(message)
    if version:
        wanted = version.group(1).rstrip(".")
        need = required_version(wanted)
        if need is not None and need[0] == 1:
            return CheckResult("v1", 0.0, [Diagnostic(line, 1, "error", "interpreter", message)])
        if need is not None and need > INTERPRETER_VERSION:
            text = f"needs v{wanted} (AutoHotkey v2.0 cannot load it): {message}"
            return CheckResult("v2", 0.9, [Diagnostic(line, 1, "warning", "needs-v2.1", text)])
    if "#Include file" in message or "Script library not found" in message:
        return CheckResult(
            "unknown", 0.5, [Diagnostic(line, 1, "error", "interpreter-include", message)]
        )
    return CheckResult("unknown", 0.0, [Diagnostic(line, 1, "error", "interpreter", message)])


def _same_file(where: str, path: Path) -> bool:
    name = where.replace("\\", "/").rsplit("/", 1)[-1]
    return name.lower() == path.name.lower()


def run_interpreter(
    paths: Iterable[Path],
    workspace: Path | None = None,
    jobs: int = 2,
    timeout: float = 20,
    progress: Callable[[int, int], None] | None = None,
) -> dict[Path, CheckResult]:
    """Validate each file with the real AutoHotkey v2 (in parallel, each with a timeout).

    Wine runs in a prefix of its own under <workspace>/wine. Raises StudioError when the
    interpreter or Wine is not installed."""
    from core.workspace import subdir, workspace_root

    interp = find_interpreter()
    if interp is None:
        raise StudioError(
            "AutoHotkey v2 interpreter not found",
            hint="pip install ahk-binary and install Wine (apt-get install wine), "
            "or set AHK_V2_EXE to AutoHotkeyV2.exe",
        )
    files = [Path(p).resolve() for p in paths]
    env = None
    if interp.wine:
        prefix = subdir(workspace_root(workspace), "wine")
        env = _wine_env(prefix)
        _prepare_prefix(interp.wine, interp, prefix, env)
    results: dict[Path, CheckResult] = {}
    with cf.ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = {pool.submit(_run_one, interp, f, env, timeout): f for f in files}
        for done, fut in enumerate(cf.as_completed(futures), 1):
            f = futures[fut]
            rc, out = fut.result()
            results[f] = parse_interpreter_output(f, rc, out)
            if progress is not None:
                progress(done, len(files))
    return {f: results[f] for f in files}
