"""Run AutoHotkey v2 scripts that nobody reviewed (a model's answers) in a sandbox.

A batch (`Sandbox`) keeps two things up: an Xvfb display and a Wine prefix made once (the
template), both in a scratch folder. Each script then runs in a bubblewrap sandbox of its own:
no network (its own network namespace), its own process tree (everything in it dies with it),
and no host file but the system's programs and libraries (/usr, a few files of /etc), the
interpreter, the read-only template and the display's socket. Its Wine prefix is made afresh in
a size-capped tmpfs from links into the template, with only a `C:` drive, so no answer sees a
file another answer wrote, and a huge file fills only that tmpfs. A script runs under a time
limit, an address-space limit and a limit on processes (and their threads); as root, as
`nobody` (root ignores the process limit). Several scripts run at once, one per core by default;
the scratch folder is removed when the batch ends.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.ahk.interpreter import find_interpreter
from core.errors import StudioError

OUTPUT_CAP = 64 * 1024  # bytes of stdout / stderr kept per script
DEFAULT_MEMORY_MB = 2048
DEFAULT_DISK_MB = 256  # each script's tmpfs (its C: drive, its /tmp) and its /dev/shm
PROCESS_LIMIT = 100  # processes and threads per script; a script and Wine's services use ~45
NOBODY = 65534
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
# Where things are inside a script's sandbox.
PREFIX = "/tmp/box/prefix"
TEMPLATE = "/opt/template"
EXE = PREFIX + "/drive_c/ahk/AutoHotkey.exe"  # in C:, so A_AhkPath can be run again
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/fonts", "/etc/alternatives", "/etc/localtime")
# A script's prefix: its own dosdevices (only c:), the template's registry copied (Wine rewrites
# it), drive_c as links into the read-only template; the source arrives on stdin.
SETUP = (
    "set -e; P={prefix}; mkdir -p /tmp/box/home $P/dosdevices $P/drive_c; "
    "ln -s ../drive_c $P/dosdevices/c:; cp {template}/*.reg {template}/.update-timestamp $P/; "
    "cp -as {template}/drive_c/. $P/drive_c/; mkdir -p $P/drive_c/runs/{id}; "
    "cat > $P/drive_c/runs/{id}/script.ahk; cd $P/drive_c/runs/{id}; "
    "exec prlimit --nproc={nproc} --as={memory} -- "
    "wine {exe} /ErrorStdOut=UTF-8 'C:\\runs\\{id}\\script.ahk' </dev/null"
)


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
    tools = ("bwrap", "Xvfb", "wine", "prlimit")
    missing = [tool for tool in tools if shutil.which(tool) is None]
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


class Sandbox:
    """A batch sandbox: `with Sandbox() as box: box.run_many(scripts)`. Not thread-safe."""

    def __init__(
        self,
        jobs: int | None = None,
        timeout: float = 10.0,
        memory_mb: int = DEFAULT_MEMORY_MB,
        disk_mb: int = DEFAULT_DISK_MB,
    ) -> None:
        require_sandbox()
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.disk_mb = disk_mb
        self._display: subprocess.Popen | None = None
        self._scratch: Path | None = None

    def __enter__(self) -> Sandbox:
        self._scratch = Path(tempfile.mkdtemp(prefix="ahk-sandbox-"))
        self._scratch.chmod(0o755)  # a script running as nobody reads the template
        try:
            self._display = _start_display(self._scratch / "x11")
            _make_template(self._scratch)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        display, self._display = self._display, None
        if display is not None:
            _kill(display)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def run_many(self, scripts: list[str], timeout: float | None = None) -> list[RunResult]:
        """Run each script (full AutoHotkey source) at once up to `jobs`; results in order."""
        if self._scratch is None:
            raise StudioError("the sandbox is not open", hint="use it as `with Sandbox() as box:`")
        limit = timeout or self.timeout
        with cf.ThreadPoolExecutor(self.jobs) as pool:
            runs = [pool.submit(self._run, i, source, limit) for i, source in enumerate(scripts)]
            return [run.result() for run in runs]

    def _run(self, index: int, source: str, timeout: float) -> RunResult:
        assert self._scratch is not None
        setup = SETUP.format(
            prefix=PREFIX, template=TEMPLATE, exe=EXE, id=index, nproc=PROCESS_LIMIT,
            memory=self.memory_mb * 1024 * 1024,
        )  # fmt: skip
        command = [*_script_jail(self._scratch, self.disk_mb), "/bin/sh", "-c", setup]
        with tempfile.TemporaryFile() as code:
            code.write(source.encode("utf-8-sig"))
            code.seek(0)
            return _run_jailed(command, code, timeout)


# ---- the jails -----------------------------------------------------------------------------


def _system_binds() -> list[str]:
    """The host's programs and libraries, read-only: /usr (and the /bin, /lib… links onto it)
    and the few files of /etc that the loader, fontconfig and Wine read."""
    binds = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            binds += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            binds += ["--ro-bind", str(top), str(top)]
    for path in SYSTEM_FILES:
        binds += ["--ro-bind-try", path, path]
    return binds


def _jail(scratch: Path, disk_mb: int) -> list[str]:
    """bwrap with the system read-only, its own /dev, /proc and capped tmpfs /tmp and /dev/shm,
    the display's socket, no network, no other namespace shared, no environment but Wine's."""
    size = str(disk_mb * 1024 * 1024)
    return [
        "bwrap", *_system_binds(),
        "--dev", "/dev", "--proc", "/proc",
        "--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/dev/shm",
        "--remount-ro", "/dev",
        "--bind", str(scratch / "x11"), "/tmp/.X11-unix",
        "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
        "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp/box/home",
        "--setenv", "USER", "user", "--setenv", "LOGNAME", "user", "--setenv", "LANG", "C.UTF-8",
        "--setenv", "WINEPREFIX", PREFIX, "--setenv", "WINEDEBUG", "-all",
        "--setenv", "WINEDLLOVERRIDES", "mscoree,mshtml=", "--setenv", "DISPLAY", ":1",
        "--chdir", "/tmp",
    ]  # fmt: skip


def _script_jail(scratch: Path, disk_mb: int) -> list[str]:
    """A script's jail: the template and the interpreter read-only, nothing else of the host."""
    interp = find_interpreter()
    if interp is None:
        raise StudioError("AutoHotkey v2 is not installed", hint=INSTALL_HINT)
    return [
        *_jail(scratch, disk_mb),
        "--ro-bind", str(scratch / "prefix"), TEMPLATE, "--ro-bind", str(interp.exe), EXE,
    ]  # fmt: skip


def _start_display(sockets: Path) -> subprocess.Popen:
    """Xvfb on display :1 in a jail of its own; its socket appears in `sockets`."""
    sockets.mkdir()
    sockets.chmod(0o1777)
    command = [*_jail(sockets.parent, 64), "Xvfb", ":1", "-nolisten", "tcp", "-nolisten", "local"]
    proc = subprocess.Popen([*command, "-screen", "0", "800x600x24"], **_quiet(), start_new_session=True)  # fmt: skip
    for _ in range(200):
        if (sockets / "X1").exists():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    _kill(proc)
    raise StudioError("Xvfb did not open its display in the sandbox", hint=INSTALL_HINT)


def _make_template(scratch: Path) -> None:
    """The Wine prefix every script starts from: booted once, unmanaged windows (no window
    manager runs, and Wine would wait 2 s for one on each hide), no drive but C: (scripts make
    their own dosdevices anyway), no links out of drive_c."""
    folder = scratch / "prefix"
    folder.mkdir()
    key = "HKCU\\Software\\Wine\\X11 Driver"
    boot = f"wine wineboot --init && wine reg add '{key}' /v Managed /d N /f; wineserver -w"
    command = [*_jail(scratch, 1024), "--bind", str(folder), PREFIX, "/bin/sh", "-c", boot]
    done = subprocess.run(command, **_quiet(), timeout=300, check=False)
    if not (folder / "system.reg").is_file():
        raise StudioError(
            f"Wine could not make a prefix (exit {done.returncode})", hint=INSTALL_HINT
        )
    drives = [e for e in (folder / "dosdevices").iterdir() if e.name != "c:"]
    for link in [*drives, *(folder / "drive_c").rglob("*")]:
        if link.is_symlink():
            link.unlink()


def _quiet() -> dict[str, Any]:
    return {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


def _run_jailed(command: list[str], stdin: Any, timeout: float) -> RunResult:
    """Run a jail (as nobody when we are root), kill it when it is done or out of time."""
    root = os.geteuid() == 0
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            command, stdin=stdin, stdout=out, stderr=err, start_new_session=True,
            user=NOBODY if root else None, group=NOBODY if root else None,
            extra_groups=[] if root else None,
        )  # fmt: skip
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill(proc)
        seconds = round(time.monotonic() - start, 3)
        texts = []
        for stream in (out, err):
            stream.seek(0)
            texts.append(stream.read(OUTPUT_CAP).decode("utf-8", "replace").lstrip("\ufeff"))
    code = None if timed_out else proc.returncode
    return RunResult(code, texts[0], texts[1], seconds, timed_out)


def _kill(proc: subprocess.Popen) -> None:
    """Kill a jail's process group (its namespace's processes die with it) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
