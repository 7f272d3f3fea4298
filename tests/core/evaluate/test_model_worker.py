"""The model worker: the studio's process never loads torch or transformers, whichever tab loads a
model, and a worker that crashes is a message in the tab; the next message starts a fresh one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import StudioError
from core.evaluate.worker import CRASH_HOOK_ENV, ModelWorker
from core.workspace import REPO_ROOT
from tests.core.evaluate.test_generate import build_eval_run
from tests.studio.test_launch import HEAVY


@pytest.fixture(scope="module")
def run_dir(tiny_model, tmp_path_factory) -> Path:
    return build_eval_run(tmp_path_factory.mktemp("worker"), tiny_model)


def stream_args(run_dir: Path, max_new_tokens: int = 6) -> dict:
    return {
        "run_dir": str(run_dir),
        "kind": "adapter",
        "messages": [{"role": "user", "content": "Hi"}],
        "settings": {"max_new_tokens": max_new_tokens, "temperature": 0.0},
    }


def test_the_worker_streams_an_answer_and_keeps_the_model(run_dir: Path):
    worker = ModelWorker()
    try:
        replies = list(worker.request("stream", **stream_args(run_dir)))
        pid = worker.pid
        again = list(worker.request("stream", **stream_args(run_dir)))
    finally:
        worker.close()
    assert replies and set(replies[-1]) >= {"analysis", "text"}
    assert [r["text"] for r in again] == [r["text"] for r in replies]  # greedy: the same answer
    assert pid is not None and worker.pid is None  # one process for both, gone when closed


def test_a_model_error_is_a_studio_error_and_the_worker_lives_on(run_dir: Path, tmp_path: Path):
    worker = ModelWorker()
    try:
        missing = {**stream_args(run_dir), "run_dir": str(tmp_path / "no-such-run")}
        with pytest.raises(StudioError):
            list(worker.request("stream", **missing))
        pid = worker.pid
        assert list(worker.request("stream", **stream_args(run_dir)))
        assert worker.pid == pid
    finally:
        worker.close()


def test_a_crashing_worker_is_a_message_and_the_next_request_starts_a_fresh_one(
    run_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    worker = ModelWorker()
    try:
        monkeypatch.setenv(CRASH_HOOK_ENV, "stream")
        with pytest.raises(StudioError, match=r"model worker stopped \(signal SIGSEGV\)"):
            list(worker.request("stream", **stream_args(run_dir)))
        monkeypatch.delenv(CRASH_HOOK_ENV)
        assert list(worker.request("stream", **stream_args(run_dir)))  # a fresh worker
    finally:
        worker.close()


def test_leaving_an_answer_early_stops_it_and_the_next_one_is_clean(run_dir: Path):
    worker = ModelWorker()
    try:
        long = worker.request("stream", key="s1", **stream_args(run_dir, max_new_tokens=2000))
        first = next(long)
        long.close()  # the page went away mid-answer
        short = list(worker.request("stream", **stream_args(run_dir)))
        fresh = ModelWorker()
        expected = list(fresh.request("stream", **stream_args(run_dir)))
        fresh.close()
    finally:
        worker.close()
    assert {r["id"] for r in short} == {first["id"] + 1}  # none of the long answer's replies
    assert [r["text"] for r in short] == [r["text"] for r in expected]


STUDIO_SESSION = """
import sys
from pathlib import Path
from core.dataset import build as bd
from studio.tabs import dataset, playground
from studio.context import StudioContext
from tests.studio.test_studio_handlers import _form

run_dir, config, corpus, crash_env = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
workspace = run_dir.parent.parent
ctx = StudioContext(workspace=workspace, corpus=corpus, config_path=config)
plan = bd.preview(dataset.make_options(*_form(corpus)))
html, cut = dataset.token_report(ctx, plan, 1)
assert "trained" in html and "The system message becomes its own turn" in html
*_, (shown, history) = playground.respond(workspace, run_dir.name, "adapter", "", 0.0, 1.0, 6, 1.0, "Hi", [])
assert history[-1]["role"] == "assistant"
import os
from core.evaluate.worker import shared_worker
shared_worker().close()  # the next worker starts with the crash hook set, and dies of it
os.environ[crash_env] = "stream"
try:
    list(playground.respond(workspace, run_dir.name, "adapter", "", 0.0, 1.0, 6, 1.0, "Hi", []))
except Exception as err:
    print("crash:", err)
del os.environ[crash_env]
*_, (shown, history) = playground.respond(workspace, run_dir.name, "adapter", "", 0.0, 1.0, 6, 1.0, "Hi again", [])
print("answered after the crash:", history[-1]["role"])
print("heavy:", sorted(m for m in HEAVY if m in sys.modules))
"""


def test_the_studio_process_loads_no_model_library_whichever_tab_loads_a_model(
    run_dir: Path, tiny_model: Path, tmp_path: Path
):
    config = tmp_path / "tiny.yaml"
    text = (REPO_ROOT / "config" / "cpu-demo.yaml").read_text()
    config.write_text(
        "\n".join(
            f"base_model: {tiny_model}" if line.startswith("base_model:") else line
            for line in text.splitlines()
        )
    )
    corpus = REPO_ROOT / "data" / "raw_scripts"
    code = f"HEAVY = {HEAVY!r}\n" + STUDIO_SESSION
    proc = subprocess.run(
        [sys.executable, "-c", code, str(run_dir), str(config), str(corpus), CRASH_HOOK_ENV],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) >= 3, proc.stdout + proc.stderr
    assert "crash: model worker: the model worker stopped (signal SIGSEGV)" in lines[-3]
    assert lines[-2] == "answered after the crash: assistant"
    assert lines[-1] == "heavy: []"
