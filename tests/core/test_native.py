"""Native code in a child process: a real crash there is a readable error, and nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import native
from core.errors import StudioError
from core.jobs import core_command
from studio.tabs import export as et
from tests.studio.test_export_tab import adapter_run, wait_idle

ROOT = Path(__file__).resolve().parents[2]
VERIFY = "_llama_cpp_tokens_and_logits"  # the llama.cpp read-back of an exported file


def _double(x: int) -> int:
    return 2 * x


def _refuse(x: int) -> int:
    raise StudioError(f"no {x}", where="somefile.gguf")


def _segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def test_run_native_returns_the_result_and_raises_the_childs_error():
    assert native.run_native(_double, 21, what="doubling", where="x") == 42
    with pytest.raises(StudioError, match=r"somefile\.gguf: no 7"):
        native.run_native(_refuse, 7, what="refusing", where="x")


def test_a_crashing_child_is_an_error_naming_the_file_the_signal_and_the_fix():
    with pytest.raises(native.NativeCrash) as caught:
        native.run_native(_segfault, what="loading the model", where="/m/model-q8_0.gguf")
    err = caught.value
    assert err.signal == signal.SIGSEGV
    assert str(err).startswith("/m/model-q8_0.gguf: llama.cpp crashed (SIGSEGV, signal 11)")
    assert "scripts/install-llama-cpp.sh" in str(err)


def test_the_test_hook_crashes_the_named_function_for_real(monkeypatch):
    monkeypatch.setenv(native.CRASH_HOOK_ENV, "_double")
    with pytest.raises(native.NativeCrash, match="SIGSEGV"):
        native.run_native(_double, 1, what="doubling", where="x")


def test_a_worker_dies_with_its_parent_whatever_kills_the_parent(tmp_path):
    pid_file = tmp_path / "worker.pid"
    worker = tmp_path / "worker.py"
    worker.write_text(
        "import os, sys, time\n"
        "from core.native import die_with_parent\n"
        "die_with_parent()\n"
        "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
        "time.sleep(120)\n"
    )
    starter = tmp_path / "parent.py"
    starter.write_text(
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, sys.argv[1], sys.argv[2]])\n"
        "time.sleep(120)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, starter, worker, pid_file], env=env)
    deadline = time.monotonic() + 60
    while not (pid_file.is_file() and pid_file.read_text()):
        assert time.monotonic() < deadline and parent.poll() is None
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    parent.kill()  # SIGKILL: no handler of the parent runs
    parent.wait()
    while _state(pid) != "Z":
        assert time.monotonic() < deadline, "the worker outlived its parent"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


@pytest.fixture
def exported_run(tmp_path: Path, tiny_model: Path) -> Path:
    """A completed run whose merged/ is the tiny model, ready to export."""
    run_dir = adapter_run(tmp_path, tiny_model)
    (run_dir / "merged").symlink_to(tiny_model, target_is_directory=True)
    return run_dir


def _assert_kept(run_dir: Path) -> None:
    exports = run_dir / "exports"
    assert sorted(p.name for p in exports.iterdir()) == ["model-q8_0.unverified.gguf"]
    assert (exports / "model-q8_0.unverified.gguf").stat().st_size > 100_000
    assert (run_dir / "merged" / "config.json").is_file() and (run_dir / "adapter").is_dir()


@pytest.mark.slow
@pytest.mark.llamacpp
def test_cli_export_whose_check_crashes_says_why_and_keeps_the_file(exported_run):
    pytest.importorskip("llama_cpp")
    argv = core_command("core.export", "--run-dir", exported_run, "--quant", "q8_0", "--no-smoke")
    env = {**os.environ, native.CRASH_HOOK_ENV: VERIFY}
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "model-q8_0.gguf" in last
    assert "llama.cpp crashed (SIGSEGV, signal 11)" in last and "install-llama-cpp.sh" in last
    assert "kept, unverified, as model-q8_0.unverified.gguf" in last
    _assert_kept(exported_run)


@pytest.mark.slow
@pytest.mark.llamacpp
def test_export_tab_job_whose_check_crashes_shows_the_error(exported_run, monkeypatch):
    pytest.importorskip("llama_cpp")
    monkeypatch.setenv(native.CRASH_HOOK_ENV, VERIFY)
    workspace, run_id = exported_run.parent.parent, exported_run.name
    et.start_export(workspace, run_id, "q8_0", False)
    view = wait_idle(workspace, run_id)
    assert "failed" in view.job.lower(), view.job
    assert "SIGSEGV" in view.log and "install-llama-cpp.sh" in view.log
    _assert_kept(exported_run)
    assert "model-q8_0.unverified.gguf" in et.refresh(workspace, run_id).files
