"""Run AutoHotkey v2 scripts that nobody reviewed (a model's answers) in a sandbox.

One batch is one bubblewrap sandbox: no network (its own network namespace), the host's files
read-only, a fresh /tmp, its own process tree (everything dies with it). Inside, a throwaway Wine
prefix lives in a scratch folder with its `Z:` drive (Wine's map of `/`) removed, so the only
drive is the prefix's own `C:`; an Xvfb display and one wineserver stay up for the whole batch,
and the scripts run as many at once as there are cores, each in a folder of its own, under a time
limit and an address-space limit, its process group killed afterwards. The scratch folder is
removed when the batch ends.

The host side (`Sandbox`) starts `python -m core.ahk.sandbox --serve` inside bwrap and talks
JSON lines with it: one request per script, one reply per result.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from core.ahk.interpreter import find_interpreter
from core.errors import StudioError

OUTPUT_CAP = 64 * 1024  # bytes of stdout / stderr kept per script
DEFAULT_MEMORY_MB = 2048
INSTALL_HINT = (
    "install bubblewrap, xvfb and wine (sudo scripts/install-system-deps.sh on Debian/Ubuntu) "
    "and pip install ahk-binary"
)
# Runs before the script: UTF-8 files and output; an unhandled error goes to stderr and exits 2
# instead of showing a dialog.
PRELUDE = (
    '#Requires AutoHotkey v2.0\n#NoTrayIcon\n#Warn All, Off\nFileEncoding "UTF-8"\n'
    "OnError((e, *) => (FileAppend(Type(e) ': ' e.Message "
    "(e.Extra != '' ? ' (' e.Extra ')' : '') ' at line ' e.Line '`n', '**'), ExitApp(2)))\n"
)
PRELUDE_LINES = PRELUDE.count("\n")


@dataclass(frozen=True)
class RunResult:
    """What one script did: exit code (None when it ran out of time), its output, its time."""

    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False


def missing_tools() -> list[str]:
    """What the sandbox needs and this machine lacks (empty when it can run)."""
    missing = [tool for tool in ("bwrap", "Xvfb", "wine") if shutil.which(tool) is None]
    if find_interpreter() is None:
        missing.append("AutoHotkeyV2.exe (ahk-binary)")
    return missing


def require_sandbox() -> None:
    """Raise StudioError naming what to install when generated code cannot run sandboxed."""
    missing = missing_tools()
    if missing:
        raise StudioError(
            f"cannot run generated code safely: missing {', '.join(missing)}", hint=INSTALL_HINT
        )


# ---- host side ----------------------------------------------------------------------------


class Sandbox:
    """A batch sandbox: `with Sandbox() as box: box.run_many(scripts)`. Not thread-safe."""

    def __init__(
        self, jobs: int | None = None, timeout: float = 10.0, memory_mb: int = DEFAULT_MEMORY_MB
    ) -> None:
        require_sandbox()
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._proc: subprocess.Popen[str] | None = None
        self._scratch: Path | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Sandbox:
        self._scratch = Path(tempfile.mkdtemp(prefix="ahk-sandbox-"))
        self._proc = subprocess.Popen(
            _bwrap_command(self._scratch, self.jobs, self.memory_mb),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            start_new_session=True,
        )
        _, stdout, stderr = _pipes(self._proc)
        ready = stdout.readline()
        if not ready.startswith("ready"):
            err = stderr.read()[-2000:] if self._proc.poll() is not None else ""
            self.__exit__(None, None, None)
            raise StudioError(
                f"the sandbox did not start: {(ready + err).strip() or 'no answer'}",
                hint=INSTALL_HINT,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            pipes = _pipes(proc)
            with contextlib.suppress(OSError, ValueError):
                pipes[0].close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            for stream in pipes[1:]:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def run_many(self, scripts: list[str], timeout: float | None = None) -> list[RunResult]:
        """Run each script (full AutoHotkey source) at once up to `jobs`; results in order."""
        if self._proc is None:
            raise StudioError("the sandbox is not open", hint="use it as `with Sandbox() as box:`")
        limit = timeout or self.timeout
        stdin, stdout, stderr = _pipes(self._proc)
        with self._lock:
            for index, source in enumerate(scripts):
                request = {"id": index, "source": source, "timeout": limit}
                stdin.write(json.dumps(request) + "\n")
            stdin.flush()
            results: dict[int, RunResult] = {}
            while len(results) < len(scripts):
                line = stdout.readline()
                if not line:
                    raise StudioError("the sandbox ended early: " + stderr.read()[-500:])
                reply = json.loads(line)
                index = reply.pop("id")
                results[index] = RunResult(**reply)
        return [results[i] for i in range(len(scripts))]


def _pipes(proc: subprocess.Popen[str]) -> tuple[IO[str], IO[str], IO[str]]:
    """stdin, stdout and stderr of a process started with all three as pipes."""
    assert proc.stdin and proc.stdout and proc.stderr, "started without pipes"
    return proc.stdin, proc.stdout, proc.stderr


def _visible_again(*folders: Path) -> list[str]:
    """Read-only binds that bring back the project and the Python environment where the fresh
    /tmp would hide them (a checkout or a virtualenv under /tmp)."""
    binds: list[str] = []
    shown: list[Path] = []
    for folder in folders:
        hidden = folder.is_relative_to("/tmp") or folder.is_relative_to("/var/tmp")
        if hidden and not any(folder.is_relative_to(done) for done in shown):
            binds += ["--ro-bind", str(folder.resolve()), str(folder)]
            shown.append(folder)
    return binds


def _bwrap_command(scratch: Path, jobs: int, memory_mb: int) -> list[str]:
    """bwrap: host read-only, fresh /tmp and home, no network, own pids, only scratch writable."""
    interp = find_interpreter()
    if interp is None:
        raise StudioError("AutoHotkey v2 is not installed", hint=INSTALL_HINT)
    inner = Path("/tmp/box")
    project = Path(__file__).resolve().parents[2]
    return [
        "bwrap",
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--tmpfs", "/dev/shm",
        "--tmpfs", "/var/tmp",
        *_visible_again(project, Path(sys.prefix)),
        "--bind", str(scratch), str(inner),
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent", "--new-session",
        "--setenv", "HOME", str(inner / "home"),
        "--setenv", "PYTHONPATH", str(project),
        "--chdir", str(inner),
        sys.executable, "-m", "core.ahk.sandbox", "--serve",
        "--box", str(inner), "--exe", str(interp.exe), "--jobs", str(jobs),
        "--memory-mb", str(memory_mb),
    ]  # fmt: skip


# ---- inside the sandbox -------------------------------------------------------------------


def _box_env(box: Path, display: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME")}
    env.update(
        WINEPREFIX=str(box / "prefix"),
        WINEDEBUG="-all",
        WINEDLLOVERRIDES="mscoree,mshtml=",
        DISPLAY=display,
        LANG="C.UTF-8",
    )
    return env


def _start_display() -> tuple[subprocess.Popen, str]:
    """An Xvfb display on a free number (the sandbox has its own /tmp, so :1 is free)."""
    proc = subprocess.Popen(
        ["Xvfb", ":1", "-nolisten", "tcp", "-screen", "0", "800x600x24"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if Path("/tmp/.X11-unix/X1").exists():
            return proc, ":1"
        time.sleep(0.05)
    raise StudioError("Xvfb did not open display :1", hint=INSTALL_HINT)


def _make_prefix(env: dict[str, str]) -> None:
    """A fresh Wine prefix with no drive but its own C: (no Z: onto /, no serial ports), no
    links from its user folders into the (read-only) home, unmanaged windows, a wineserver kept up."""
    quiet: dict[str, Any] = {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
    }
    subprocess.run(["wine", "wineboot", "--init"], env=env, timeout=300, check=False, **quiet)
    prefix = Path(env["WINEPREFIX"])
    for entry in (prefix / "dosdevices").iterdir():
        if entry.name != "c:":
            entry.unlink()
    for link in (prefix / "drive_c").rglob("*"):
        if link.is_symlink():
            link.unlink()
    # Unmanaged windows: no window manager runs, and Wine would wait 2 s for one on each hide.
    key = "HKCU\\Software\\Wine\\X11 Driver"
    subprocess.run(["wine", "reg", "add", key, "/v", "Managed", "/d", "N", "/f"], env=env,
                   timeout=60, check=False, **quiet)  # fmt: skip
    subprocess.run(["wineserver", "-p"], env=env, check=False, timeout=60, **quiet)


def _limit_memory(megabytes: int):
    def apply() -> None:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _run_script(exe: str, env: dict, request: dict, memory_mb: int) -> dict:
    """Run one script in its own folder under C:\\runs; kill its process group afterwards."""
    folder = Path(env["WINEPREFIX"]) / "drive_c" / "runs" / str(request["id"])
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "script.ahk"
    script.write_text(request["source"], encoding="utf-8-sig")
    command = ["wine", exe, "/ErrorStdOut=UTF-8", f"C:\\runs\\{request['id']}\\script.ahk"]
    start = time.monotonic()
    timed_out = False
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            command,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
            preexec_fn=_limit_memory(memory_mb),
        )
        try:
            proc.wait(timeout=request["timeout"])
        except subprocess.TimeoutExpired:
            timed_out = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        seconds = time.monotonic() - start
        texts = []
        for stream in (out, err):
            stream.seek(0)
            texts.append(stream.read(OUTPUT_CAP).decode("utf-8", "replace").lstrip("\ufeff"))
    shutil.rmtree(folder, ignore_errors=True)
    code = None if timed_out else proc.returncode
    return asdict(RunResult(code, texts[0], texts[1], round(seconds, 3), timed_out))


def serve(box: Path, exe: str, jobs: int, memory_mb: int) -> None:
    """The sandbox's side: start display and Wine, then answer JSON requests from stdin."""
    (box / "home").mkdir(exist_ok=True)
    display, name = _start_display()
    env = _box_env(box, name)
    _make_prefix(env)
    print("ready", flush=True)
    write = threading.Lock()

    def answer(request: dict) -> None:
        try:
            reply = _run_script(exe, env, request, memory_mb)
        except Exception as exc:  # reported to the host as this script's failure
            reply = asdict(RunResult(None, "", f"sandbox failure: {exc}", 0.0))
        reply["id"] = request["id"]
        with write:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()

    with cf.ThreadPoolExecutor(jobs) as pool:
        for line in sys.stdin:
            if line.strip():
                pool.submit(answer, json.loads(line))
    subprocess.run(["wineserver", "-k"], env=env, check=False, timeout=30)
    display.kill()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="inside the sandbox: serve script runs")
    parser.add_argument("--serve", action="store_true", required=True)
    parser.add_argument("--box", type=Path, required=True)
    parser.add_argument("--exe", required=True)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    args = parser.parse_args(argv)
    serve(args.box, args.exe, args.jobs, args.memory_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
