"""The sandbox for generated AutoHotkey: scripts run in the real interpreter, yet cannot touch
the host's files, start a shell that can, reach the network, or outlive their time."""

from __future__ import annotations

import contextlib
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
