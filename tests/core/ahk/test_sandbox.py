"""The sandbox for generated AutoHotkey: scripts run in the real interpreter, yet cannot touch
the host's files, start a shell that can, reach the network, or outlive their time."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import uuid
from pathlib import Path

import pytest

from core.ahk import sandbox
from core.ahk.sandbox import PRELUDE, Sandbox, missing_tools
from core.errors import StudioError
from core.workspace import REPO_ROOT

pytestmark = [
    pytest.mark.interpreter,
    pytest.mark.skipif(bool(missing_tools()), reason=f"sandbox needs {missing_tools()}"),
]


@pytest.fixture(scope="module")
def box():
    with Sandbox(jobs=2, timeout=6) as opened:
        yield opened


def test_scripts_print_exit_and_report_errors(box: Sandbox) -> None:
    ok, runtime, load = box.run_many(
        [
            PRELUDE + 'FileAppend("hi`n", "*")\nExitApp 3',
            PRELUDE + "x := [1]\nFileAppend(x[4], '*')",
            PRELUDE + "y := (\n",
        ]
    )
    assert (ok.exit_code, ok.stdout) == (3, "hi\n")
    assert runtime.exit_code == 2 and runtime.stderr.startswith("IndexError: Invalid index.")
    assert " : ==> " in load.stderr and "Missing" in load.stderr


# A string of 2**29 characters (1 GB in UTF-16; about 3 GB while it doubles the last time).
HOG = PRELUDE + 's := "x"\nLoop 29\n    s .= s\nFileAppend(StrLen(s), "*")'


def test_endless_loop_times_out_and_memory_is_capped(box: Sandbox) -> None:
    loop, hog = box.run_many([PRELUDE + "Loop\n    x := 1", HOG], timeout=6)
    assert loop.timed_out and loop.exit_code is None and 5.9 < loop.seconds < 7
    assert box.memory_mb == sandbox.DEFAULT_MEMORY_MB == 2048
    assert (hog.exit_code, hog.stdout) == (2, "") and "Out of memory" in hog.stderr
    with Sandbox(jobs=1, timeout=30, memory_mb=6144) as roomy:  # the cap, not the machine, stops it
        assert roomy.run_many([HOG])[0].stdout == str(2**29)


def test_hostile_scripts_change_nothing_on_the_host(box: Sandbox) -> None:
    name = f"ahk-escape-{uuid.uuid4().hex}"
    # A host folder outside /tmp (the sandbox has its own /tmp): writable here, never there.
    tmp_path = REPO_ROOT / "workspace" / ".test-cache" / name
    tmp_path.mkdir(parents=True)
    targets = [Path("/tmp") / f"{name}-{i}" for i in range(5)] + [tmp_path / f"{name}.txt"]
    win = str(tmp_path).replace("/", "\\")
    hostile = [
        f'FileAppend("x", "Z:\\tmp\\{name}-0")',
        f'FileAppend("x", "C:\\..\\..\\tmp\\{name}-1")',
        f'RunWait(A_ComSpec " /c echo x > Z:\\tmp\\{name}-2")',
        f'Run("cmd /c echo x > \\\\?\\unix\\tmp\\{name}-3")\nSleep 1500',
        f'FileAppend("x", "\\\\?\\unix\\tmp\\{name}-4")',
        f'FileAppend("x", "Z:{win}\\{name}.txt")',
    ]
    runs = box.run_many([PRELUDE + "try " + code.replace("\n", "\ncatch\n") for code in hostile])
    assert all(not r.timed_out for r in runs), runs
    assert [p for p in targets if p.exists()] == []
    assert list(tmp_path.iterdir()) == []
    tmp_path.rmdir()
    listing = box.run_many(
        [PRELUDE + 'Loop Files "Z:\\*", "D"\n    FileAppend(A_LoopFileName, "*")']
    )
    assert listing[0].stdout == ""


def test_hostile_scripts_cannot_read_host_files(box: Sandbox) -> None:
    secret = uuid.uuid4().hex
    name = f"ahk-secret-{uuid.uuid4().hex}.txt"
    planted = [REPO_ROOT / "workspace" / ".test-cache" / name, Path("/tmp") / name]
    for path in planted:
        path.write_text(secret, encoding="utf-8")
    try:
        reads = []
        for path in planted:
            win = str(path).replace("/", "\\")
            reads += [f"Z:{win}", f"\\\\?\\unix{win}", f"C:\\..\\..\\..\\..\\..{win}"]
        scripts = [PRELUDE + f'try FileAppend(FileRead("{read}"), "*")' for read in reads]
        listing = (
            PRELUDE + 'Loop Files "\\\\?\\unix\\*", "D"\n    FileAppend(A_LoopFileName "`n", "*")'
        )
        *runs, top = box.run_many([*scripts, listing])
    finally:
        for path in planted:
            path.unlink()
    assert all(r.exit_code == 0 and secret not in r.stdout for r in runs), runs
    assert "usr" in top.stdout.split() and not {"home", "root", "work"} & set(top.stdout.split())


def test_each_script_has_a_drive_of_its_own(box: Sandbox) -> None:
    places = ["C:\\note.txt", "C:\\runs\\note.txt", "\\\\?\\unix\\tmp\\note.txt"]
    write = PRELUDE + "".join(f'FileAppend("mine", "{p}")\n' for p in places)
    look = (
        PRELUDE + "Sleep 1500\n" + "".join(f'FileAppend(FileExist("{p}"), "*")\n' for p in places)
    )
    written, alongside = box.run_many([write + 'FileAppend("written", "*")', look], timeout=10)
    later = box.run_many([look])[0]
    assert (written.exit_code, written.stdout) == (0, "written")
    assert (alongside.stdout, alongside.exit_code, later.stdout) == ("", 0, "")


FORK_BOMB = (
    PRELUDE
    + """#SingleInstance Off
if A_Args.Length {
    FileAppend("", A_ScriptDir "\\alive-" A_Args[1])
    Sleep 30000
    ExitApp
}
refused := 0
Loop 80
    try Run('"' A_AhkPath '" "' A_ScriptFullPath '" ' A_Index)
    catch
        refused += 1
Sleep 1000
alive := 0
Loop Files "alive-*"
    alive += 1
FileAppend(alive " alive, " refused " refused", "*")
"""
)


def test_a_fork_bomb_meets_the_process_limit(box: Sandbox) -> None:
    run = box.run_many([FORK_BOMB], timeout=20)[0]
    alive, refused = (int(word) for word in run.stdout.split()[::2])
    # Children do start (A_AhkPath runs), and the limit, not the machine, refuses the rest.
    assert alive > 10 and refused > 0 and alive + refused == 80, run


def test_a_huge_file_fills_only_the_scripts_own_capped_drive(box: Sandbox) -> None:
    script = (
        PRELUDE
        + """s := "x"
Loop 20
    s .= s
Loop 400
    try FileAppend(s, "big.txt")
    catch {
        FileAppend("full at " A_Index, "*")
        ExitApp 1
    }
FileAppend("wrote 400 MB", "*")
"""
    )
    run = box.run_many([script], timeout=20)[0]
    assert run.stdout.startswith("full at ") and int(run.stdout.split()[-1]) <= box.disk_mb, run
    assert sandbox.DEFAULT_DISK_MB == box.disk_mb == 256


def test_a_jail_that_dies_fails_its_script_and_is_replaced(box: Sandbox) -> None:
    os.killpg(box._slots[0].proc.pid, signal.SIGKILL)
    hello = PRELUDE + 'FileAppend("hi", "*")'
    runs = box.run_many([hello] * 3)
    assert sorted(r.stdout for r in runs) == ["", "hi", "hi"]
    assert sum(r.stderr.startswith("sandbox failure: the jail ended") for r in runs) == 1
    assert [r.stdout for r in box.run_many([hello] * 3)] == ["hi"] * 3


def test_no_connection_reaches_a_loopback_port(box: Sandbox) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(8)
    port = server.getsockname()[1]
    connected: list[object] = []
    thread = threading.Thread(target=lambda: _accept(server, connected))
    thread.start()
    script = f'try Download("http://127.0.0.1:{port}/x", "got.txt")\ncatch as e\n    FileAppend("refused", "*")'
    run = box.run_many([PRELUDE + script])[0]
    thread.join()
    server.close()
    assert connected == [] and run.stdout == "refused"


def _accept(server: socket.socket, connected: list[object]) -> None:
    with contextlib.suppress(OSError):
        connected.append(server.accept())


def test_scratch_folder_is_removed_when_the_batch_ends() -> None:
    with Sandbox(jobs=1, timeout=5) as opened:
        scratch = opened._scratch
        assert (scratch / "prefix" / "drive_c").is_dir()
        assert not (scratch / "prefix" / "dosdevices" / "z:").exists()
    assert not scratch.exists()


def test_refuses_without_a_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.shutil, "which", lambda tool: None)
    with pytest.raises(StudioError, match=r"missing bwrap, Xvfb, wine.*install"):
        Sandbox()


def test_wine_outside_usr_is_bound_into_the_jail(tmp_path: Path, monkeypatch) -> None:
    wine = tmp_path / "wine-stable" / "bin" / "wine"
    wine.parent.mkdir(parents=True)
    wine.touch()
    monkeypatch.setattr(sandbox.shutil, "which", lambda tool: str(wine))
    binds = sandbox._system_binds()
    home = str(tmp_path / "wine-stable")
    assert ["--ro-bind", home, home] == binds[3:6] and "/work" not in binds
