"""The shared write helpers: atomic replace, no half files, permissions kept, paths fenced."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import StudioError, cli_main
from core.fsutil import (
    atomic_path,
    atomic_write_bytes,
    atomic_write_text,
    inside,
    read_if_changed,
    safe_join,
)
from core.workspace import REPO_ROOT


def test_atomic_write_replaces_content_and_keeps_crlf(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.ahk"
    atomic_write_text(target, 'MsgBox "x"\r\n')
    assert target.read_bytes() == b'MsgBox "x"\r\n'
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["b.ahk"]


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_existing_permissions_are_kept_and_new_files_follow_umask(tmp_path: Path) -> None:
    target = tmp_path / "script.ahk"
    target.write_text("x")
    os.chmod(target, 0o640)
    atomic_write_text(target, "y")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.txt"
    atomic_write_text(fresh, "z")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


def test_safe_join_refuses_escapes(tmp_path: Path) -> None:
    assert safe_join(tmp_path, "Lib/x.ahk") == tmp_path / "Lib/x.ahk"
    assert inside(tmp_path, tmp_path / "a" / ".." / "b")
    for bad in ("../outside.ahk", "/etc/passwd", "a/../../x"):
        with pytest.raises(StudioError, match="outside"):
            safe_join(tmp_path, bad)


def test_cli_main_prints_one_line_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    @cli_main
    def main() -> int:
        raise StudioError("must be > 0, got -1", where="training.learning_rate", hint="try 2e-4")

    assert main() == 1
    err = capsys.readouterr().err
    assert err == "error: training.learning_rate: must be > 0, got -1 (try 2e-4)\n"


def test_read_if_changed_reads_again_only_after_a_replace(tmp_path: Path) -> None:
    target = tmp_path / "results.jsonl"
    atomic_write_text(target, "one\n")
    stamp, data = read_if_changed(target)
    assert data == b"one\n"
    assert read_if_changed(target, stamp) == (stamp, None)
    atomic_write_text(target, "two\n")  # same size, new file
    new_stamp, data = read_if_changed(target, stamp)
    assert (new_stamp != stamp, data) == (True, b"two\n")
    with pytest.raises(FileNotFoundError):
        read_if_changed(tmp_path / "missing.json")


def test_sigterm_cancels_a_cli_which_exits_130(tmp_path: Path) -> None:
    script = tmp_path / "cancel.py"
    script.write_text(
        "import os, signal\n"
        "from core.errors import cancel_on_sigterm, cli_main\n"
        "@cli_main\n"
        "def main():\n"
        "    cancel_on_sigterm()\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        for _ in range(10**7):\n"
        "            pass\n"
        "    finally:\n"
        "        print('cleaned up')\n"
        "    return 0\n"
        "raise SystemExit(main())\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "cleaned up\n", "interrupted\n")
