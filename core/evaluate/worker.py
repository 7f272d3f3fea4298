"""The model worker: a child process that loads models and tokenizers for the studio, so the
studio's own process never imports torch or transformers, and a crash or an out-of-memory in a
model is an error message, never a dead studio.

The studio talks to it through `ModelWorker` (one per studio process): JSON lines on the child's
stdin and stdout, one request at a time, each answered by zero or more replies and then `done`
or `error`. A `stop` line ends the request in progress at its next token. The child keeps the
last model loaded (core.evaluate.generate.cached_model) and exits when its stdin closes, so it
never outlives the studio.

    python -m core.evaluate.worker      (started by ModelWorker, not by hand)
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from core.errors import StudioError
from core.workspace import REPO_ROOT

# ----------------------------------------------------------------------------- the child


def _stream(args: dict, stop: threading.Event) -> Iterator[dict]:
    from core.evaluate import generate as gen

    loaded = gen.cached_model(Path(args["run_dir"]), args["kind"])
    settings = gen.GenerationSettings(**args.get("settings", {}))
    for analysis, text in gen.stream(loaded, args["messages"], settings, stop):
        yield {"analysis": analysis, "text": text}


def _tokens(args: dict, stop: threading.Event) -> Iterator[dict]:
    from core.train.tokens import Example, token_report

    report = token_report(
        Path(args["config_path"]),
        Path(args["workspace"]),
        [Example(**e) for e in args["samples"]],
        [Example(**e) for e in args["records"]],
    )
    yield {"report": dataclasses.asdict(report)}


OPS: dict[str, Callable[[dict, threading.Event], Iterator[dict]]] = {
    "stream": _stream,
    "tokens": _tokens,
}


def _read_requests(stdin: IO[str], requests: queue.Queue, stops: dict[int, threading.Event]):
    """Reader thread: queue each request with its own stop flag; `stop` lines set that flag."""
    for line in stdin:
        message = json.loads(line)
        rid = message.get("id", 0)
        if message.get("op") == "stop":
            stops.setdefault(rid, threading.Event()).set()
        else:
            requests.put((message, stops.setdefault(rid, threading.Event())))
    os._exit(0)  # the studio is gone (its end of the pipe closed): so is the worker


def serve(stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout) -> None:
    """Answer requests until stdin closes."""
    requests: queue.Queue = queue.Queue()
    stops: dict[int, threading.Event] = {}
    threading.Thread(target=_read_requests, args=(stdin, requests, stops), daemon=True).start()

    def reply(rid: int, **fields: Any) -> None:
        stdout.write(json.dumps({"id": rid, **fields}) + "\n")
        stdout.flush()

    while True:
        message, stop = requests.get()
        rid = message.get("id", 0)
        try:
            if os.environ.get(CRASH_HOOK_ENV) == message.get("op"):
                os.kill(os.getpid(), signal.SIGSEGV)
            for answer in OPS[message["op"]](message.get("args", {}), stop):
                reply(rid, **answer)
            reply(rid, done=True)
        except StudioError as err:
            reply(rid, error=err.message, where=err.where, hint=err.hint)
        except (
            Exception
        ) as err:  # a model's own failure: a message for the tab, the worker lives on
            reply(rid, error=f"{type(err).__name__}: {err}")
        finally:
            stops.pop(rid, None)


# ----------------------------------------------------------------------------- the studio's side

# Test hook: the op whose request makes the worker crash for real (SIGSEGV) when it arrives.
CRASH_HOOK_ENV = "AHKSTUDIO_TEST_WORKER_CRASH"


class ModelWorker:
    """The studio's handle on the worker process, started on first use and again after a crash."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None
        self._busy = threading.Lock()  # one request at a time
        self._write = threading.Lock()
        self._ids = itertools.count(1)
        self._keys: dict[str, int] = {}  # a caller's key (a browser session) -> its request id

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _started(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            if self._log is not None:
                self._log.close()
            self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the worker)
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "core.evaluate.worker"],
                cwd=REPO_ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
                text=True,
                bufsize=1,
            )
        return self._proc

    def _send(self, proc: subprocess.Popen, message: dict) -> None:
        with self._write:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()

    def request(self, op: str, key: str = "", **args: Any) -> Iterator[dict]:
        """The worker's replies to one request; its error is raised here as a StudioError."""
        with self._busy:
            proc = self._started()
            rid = next(self._ids)
            self._keys[key] = rid
            finished = False
            try:
                self._send(proc, {"id": rid, "op": op, "args": args})
                for reply in self._replies(proc):
                    if reply.get("done"):
                        finished = True
                        return
                    if "error" in reply:
                        finished = True
                        raise StudioError(reply["error"], reply.get("where"), reply.get("hint"))
                    yield reply
            finally:
                if self._keys.get(key) == rid:
                    del self._keys[key]
                if not finished and proc.poll() is None:  # abandoned mid-way: stop, then drain
                    self._send(proc, {"id": rid, "op": "stop"})
                    for reply in self._replies(proc):
                        if reply.get("done") or "error" in reply:
                            break

    def _replies(self, proc: subprocess.Popen) -> Iterator[dict]:
        assert proc.stdout is not None
        for line in proc.stdout:
            yield json.loads(line)
        raise self._crashed(proc)

    def _crashed(self, proc: subprocess.Popen) -> StudioError:
        code = proc.wait()
        self._proc = None
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
        tail = ""
        if self._log is not None:
            self._log.seek(0)
            lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
            tail = " | ".join(lines[-3:])
        hint = (
            "most likely out of memory: pick a smaller model, or close other programs"
            if code == -signal.SIGKILL
            else "send again to start a fresh worker"
            + (f"; its last words: {tail}" if tail else "")
        )
        return StudioError(f"the model worker stopped ({how})", where="model worker", hint=hint)

    def stop(self, key: str = "") -> None:
        """End the request made with `key` at its next token (nothing when there is none)."""
        rid, proc = self._keys.get(key), self._proc
        if rid is not None and proc is not None and proc.poll() is None:
            self._send(proc, {"id": rid, "op": "stop"})

    def close(self) -> None:
        """End the worker (it also ends by itself when the studio's process does)."""
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait(timeout=30)
        self._proc = None


_SHARED: list[ModelWorker] = []


def shared_worker() -> ModelWorker:
    """The one model worker of this process (the studio's), created on first use."""
    if not _SHARED:
        _SHARED.append(ModelWorker())
    return _SHARED[0]


if __name__ == "__main__":
    serve()
