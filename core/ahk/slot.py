"""Inside one of a batch's jails (core.ahk.sandbox): keep Wine warm, run scripts one at a time.

Each script starts on a fresh `C:` (drive_c made again from links into the read-only template)
and a /tmp and /dev/shm holding only what Wine kept there; afterwards every process it left is
killed, so the next script sees nothing of it but the Wine services that were up before it.
Reads JSON lines {id, source, timeout} on stdin, answers {id, exit_code, stdout, stderr,
seconds, timed_out}. Standard library only: the jail holds no other file of the project.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUTPUT_CAP = 64 * 1024  # bytes of stdout / stderr kept per script
PREFIX = Path(os.environ.get("WINEPREFIX", "/tmp/box/prefix"))
TEMPLATE = Path("/opt/template")
EXE = "C:\\ahk\\AutoHotkey.exe"


def fresh_drive() -> None:
    """drive_c again from the template (links to its read-only files), the interpreter at C:\\ahk."""
    drive = PREFIX / "drive_c"
    shutil.rmtree(drive, ignore_errors=True)
    subprocess.run(["cp", "-as", str(TEMPLATE / "drive_c"), str(drive)], check=True)
    (drive / "ahk").mkdir()
    (drive / "ahk" / "AutoHotkey.exe").symlink_to("/opt/ahk/AutoHotkey.exe")


def fresh_registry() -> None:
    """The template's registry files (Wine rewrites them; a script could too)."""
    for name in ("system.reg", "user.reg", "userdef.reg", ".update-timestamp"):
        shutil.copy(TEMPLATE / name, PREFIX / name)


def make_prefix() -> None:
    """The prefix: only a c: drive, the template's registry, a fresh drive_c."""
    (PREFIX / "dosdevices").mkdir(parents=True)
    (PREFIX / "dosdevices" / "c:").symlink_to("../drive_c")
    fresh_registry()
    Path(os.environ["HOME"]).mkdir(parents=True, exist_ok=True)
    fresh_drive()


def listing() -> set[str]:
    """Everything in the writable places a script can reach besides C:."""
    found: set[str] = set()
    for top in ("/tmp", "/dev/shm"):
        for folder, dirs, files in os.walk(top):
            if Path(folder) == PREFIX:
                dirs.remove("drive_c")
            found.update(os.path.join(folder, n) for n in dirs + files)
    return found


def pids() -> set[int]:
    return {int(p) for p in os.listdir("/proc") if p.isdigit()}


def clean(kept_pids: set[int], kept_files: set[str]) -> None:
    """Kill every process a script left, remove every file it left, give C: back fresh."""
    for pid in pids() - kept_pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for path in sorted(listing() - kept_files, reverse=True):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)
    fresh_registry()
    fresh_drive()


def run(request: dict, limits: list[str]) -> dict:
    """Run one script in C:\\runs\\<id> under the limits; kill its process group afterwards."""
    folder = PREFIX / "drive_c" / "runs" / str(request["id"])
    folder.mkdir(parents=True)
    (folder / "script.ahk").write_text(request["source"], encoding="utf-8-sig")
    script = f"C:\\runs\\{request['id']}\\script.ahk"
    command = ["prlimit", *limits, "--", "wine", EXE, "/ErrorStdOut=UTF-8", script]
    start = time.monotonic()
    with (
        tempfile.TemporaryFile(dir="/dev/shm") as out,
        tempfile.TemporaryFile(dir="/dev/shm") as err,
    ):
        proc = subprocess.Popen(command, cwd=folder, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)  # fmt: skip
        try:
            proc.wait(timeout=request["timeout"])
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        texts = []
        for stream in (out, err):
            stream.seek(0)
            texts.append(stream.read(OUTPUT_CAP).decode("utf-8", "replace").lstrip("\ufeff"))
    return {"exit_code": None if timed_out else proc.returncode, "stdout": texts[0],
            "stderr": texts[1], "seconds": round(time.monotonic() - start, 3),
            "timed_out": timed_out}  # fmt: skip


def warm_up() -> None:
    """Start Wine's services, the desktop and the wineserver once, before any script."""
    boot = PREFIX / "drive_c" / "warm.ahk"
    boot.write_text("ExitApp\n", encoding="utf-8")
    subprocess.run(["wine", EXE, "C:\\warm.ahk"], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                   start_new_session=True, check=False)  # fmt: skip
    boot.unlink()


def main() -> int:
    limits = sys.argv[1:]  # prlimit's options: processes, address space
    make_prefix()
    warm_up()
    kept_pids, kept_files = pids(), listing()
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply = run(request, limits)
        except Exception as exc:  # reported to the host as this script's failure
            reply = {"exit_code": None, "stdout": "", "stderr": f"sandbox failure: {exc}",
                     "seconds": 0.0, "timed_out": False}  # fmt: skip
        clean(kept_pids, kept_files)
        sys.stdout.write(json.dumps({"id": request["id"], **reply}) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
