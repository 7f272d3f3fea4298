"""Run AutoHotkey v2 scripts that nobody reviewed (a model's answers) in a sandbox.

A batch (`Sandbox`) keeps up an Xvfb display, a Wine prefix made once (the template) and one
bubblewrap jail per job (one per core by default). A jail has no network (its own network
namespace) and its own process tree, and sees no host file but the system's programs and
libraries (/usr, a few files of /etc), the interpreter, the read-only template, the display's
socket and its server (core/ahk/slot.py, standard library only). Inside, Wine stays warm and
scripts run one at a time, each on a fresh `C:` made from links into the template in a
size-capped tmpfs (only a `C:` drive); afterwards every process and file the script left is
removed, so no answer sees what another wrote, and a huge file fills only that tmpfs. A script
runs under a time limit, an address-space limit and a limit on processes (and their threads);
as root, as `nobody` (root ignores the process limit). The scratch folder is removed when the
batch ends.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.ahk.interpreter import find_interpreter
from core.errors import StudioError

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
# Where things are inside a jail.
PREFIX = "/tmp/box/prefix"
TEMPLATE = "/opt/template"
SLOT = Path(__file__).with_name("slot.py")  # the jail's server: standard library only
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/fonts", "/etc/alternatives", "/etc/localtime")


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
        self._slots: list[_Slot] = []

    def __enter__(self) -> Sandbox:
        self._scratch = Path(tempfile.mkdtemp(prefix="ahk-sandbox-"))
        self._scratch.chmod(0o755)  # a script running as nobody reads the template
        try:
            self._display = _start_display(self._scratch / "x11")
            _make_template(self._scratch)
            self._slots = [self._slot() for _ in range(self.jobs)]
            for slot in self._slots:
                slot.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for slot in self._slots:
            slot.close()
        self._slots = []
        display, self._display = self._display, None
        if display is not None:
            _kill(display)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def run_many(self, scripts: list[str], timeout: float | None = None) -> list[RunResult]:
        """Run the scripts (full AutoHotkey source), one per jail at a time; results in order."""
        if not self._slots:
            raise StudioError("the sandbox is not open", hint="use it as `with Sandbox() as box:`")
        limit = timeout or self.timeout
        todo = list(enumerate(scripts))[::-1]
        results: dict[int, RunResult] = {}

        def work(slot: _Slot) -> None:
            while slot.alive:
                try:
                    index, source = todo.pop()  # atomic: each script goes to one jail
                except IndexError:
                    return
                results[index] = slot.run(index, source, limit)

        while todo:
            self._revive()
            with cf.ThreadPoolExecutor(len(self._slots)) as pool:
                list(pool.map(work, self._slots))
        return [results[i] for i in range(len(scripts))]

    def _revive(self) -> None:
        """Replace each jail that died (a script may kill it), from this thread: a jail dies with
        the thread that started it."""
        for place, slot in enumerate(self._slots):
            if not slot.alive:
                slot.close()
                self._slots[place] = self._slot()
                self._slots[place].wait_ready()

    def _slot(self) -> _Slot:
        assert self._scratch is not None
        limits = [f"--nproc={PROCESS_LIMIT}", f"--as={self.memory_mb * 1024 * 1024}"]
        return _Slot([*_script_jail(self._scratch, self.disk_mb), *_python(), *limits])


class _Slot:
    """One jail running core/ahk/slot.py: Wine kept warm, one script at a time, JSON lines."""

    def __init__(self, command: list[str]) -> None:
        self.alive = True
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
            text=True, encoding="utf-8", start_new_session=True, **_as_nobody(),
        )  # fmt: skip

    def wait_ready(self) -> None:
        assert self.proc.stdout is not None
        if not self.proc.stdout.readline().startswith("ready"):
            raise StudioError(f"the sandbox did not start: {self._tail()}", hint=INSTALL_HINT)

    def run(self, index: int, source: str, timeout: float) -> RunResult:
        """One script; a jail that ended fails it and is marked dead."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps({"id": index, "source": source, "timeout": timeout}))
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (OSError, ValueError):
            line = ""
        if not line:
            self.alive = False
            return RunResult(None, "", f"sandbox failure: the jail ended: {self._tail()}", 0.0)
        reply = json.loads(line)
        reply.pop("id")
        return RunResult(**reply)

    def _tail(self) -> str:
        self._errors.seek(0)
        return self._errors.read().decode("utf-8", "replace")[-500:].strip() or "no message"

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        _kill(self.proc)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self._errors.close()


# ---- the jails -----------------------------------------------------------------------------


def _system_binds() -> list[str]:
    """The host's programs and libraries, read-only: /usr (and the /bin, /lib… links onto it),
    Wine's own folder when it lives elsewhere (WineHQ's /opt/wine-stable) and the few files of
    /etc that the loader, fontconfig and Wine read."""
    binds = ["--ro-bind", "/usr", "/usr"]
    wine = Path(os.path.realpath(shutil.which("wine") or "/usr/bin/wine")).parent.parent
    if not wine.is_relative_to("/usr"):
        binds += ["--ro-bind", str(wine), str(wine)]
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
        "--ro-bind", str(scratch / "prefix"), TEMPLATE,
        "--ro-bind", str(interp.exe), "/opt/ahk/AutoHotkey.exe", "--ro-bind", str(SLOT), "/opt/slot.py",
    ]  # fmt: skip


def _python() -> list[str]:
    """The jail's Python: the system's (under /usr); else this one's installation, bound."""
    if Path("/usr/bin/python3").is_file():
        return ["/usr/bin/python3", "-I", "-S", "/opt/slot.py"]
    base = sys.base_prefix
    exe = Path(base) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return ["--ro-bind", base, base, str(exe), "-I", "-S", "/opt/slot.py"]


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


def _as_nobody() -> dict[str, Any]:
    """Popen's arguments that run a jail as nobody when we are root (root ignores RLIMIT_NPROC)."""
    if os.geteuid() != 0:
        return {}
    return {"user": NOBODY, "group": NOBODY, "extra_groups": []}


def _kill(proc: subprocess.Popen) -> None:
    """Kill a jail's process group (its namespace's processes die with it) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
