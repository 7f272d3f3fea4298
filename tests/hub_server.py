"""A miniature Hugging Face hub on 127.0.0.1 for download tests: no network needed.

It serves model folders in the hub's layout: `GET /api/models/<id>[/revision/<rev>]` (the model's
info with its files, sizes and SHA-256s) and `GET|HEAD /<id>/resolve/<rev>/<file>` (the bytes, with
Range requests answered 206). A gated model answers 401 (X-Error-Code: GatedRepo) without the
right bearer token; `drop_after` closes the connection after that many bytes of a file's first
transfer; `damaged` files arrive with their first byte changed; `delay` sleeps between chunks (so a test can cancel a download half-way). Every request
is recorded: method, path, Range header, whether it carried the right token.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REVISION = "0123456789abcdef0123456789abcdef01234567"
REPO = "Qwen/Qwen3-0.6B"  # served from the Qwen3 twin
GATED = "meta-llama/Llama-3.2-1B-Instruct"  # the same twin, behind a token
TOKEN = "hf_test_secret_0123456789"
CHUNK = 64 * 1024
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_API = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+?)(?:/revision/(?P<rev>[^/]+))?$")


@dataclass
class Request:
    method: str
    path: str
    range: str | None
    authorised: bool


@dataclass
class FakeHub:
    """The repositories it serves ({repo id: folder}) and how it misbehaves."""

    repos: dict[str, Path]
    gated: dict[str, str] = field(default_factory=dict)  # repo id -> the token that opens it
    drop_after: dict[str, int] = field(default_factory=dict)  # file name -> bytes before a drop
    delay: float = 0.0
    damaged: set[str] = field(default_factory=set)  # file names served with one byte changed
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        hub = self

        class Handler(_Handler):
            owner = hub

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fetches(self, name: str) -> list[Request]:
        """The GET requests for the bytes of file `name`."""
        return [r for r in self.requests if r.method == "GET" and r.path.endswith(f"/{name}")]

    def info(self, repo_id: str) -> dict:
        """The hub's model info of `repo_id`, with files metadata (`?blobs=true`)."""
        siblings = []
        for path in sorted(self.repos[repo_id].iterdir()):
            if path.is_file():
                data = path.read_bytes()
                sha = hashlib.sha256(data).hexdigest()
                lfs = {"size": len(data), "sha256": sha, "pointerSize": 134}
                siblings.append({"rfilename": path.name, "size": len(data), "lfs": lfs})
        gated = "manual" if repo_id in self.gated else False
        return {
            "id": repo_id,
            "sha": REVISION,
            "gated": gated,
            "private": False,
            "siblings": siblings,
        }


class _Handler(BaseHTTPRequestHandler):
    owner: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        hub, path = self.owner, self.path.split("?")[0]
        api, resolve = _API.match(path), _RESOLVE.match(path)
        repo = (api or resolve).group("repo") if (api or resolve) else None
        token = hub.gated.get(repo or "")
        authorised = token is None or self.headers.get("Authorization") == f"Bearer {token}"
        hub.requests.append(Request(self.command, path, self.headers.get("Range"), authorised))
        if repo not in hub.repos:
            return self._error(404, "RepoNotFound", "Repository not found")
        if api:
            return self._send(200, json.dumps(hub.info(repo)).encode(), "application/json")
        if not authorised:
            return self._error(401, "GatedRepo", "Access to model is restricted.")
        file = hub.repos[repo] / resolve.group("file")
        if not file.is_file():
            return self._error(404, "EntryNotFound", "Entry not found")
        self._file(file, body)

    def _file(self, file: Path, body: bool) -> None:
        data, start = file.read_bytes(), 0
        if file.name in self.owner.damaged:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        wanted = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
        if wanted:
            start = int(wanted.group(1))
        self.send_response(206 if wanted else 200)
        if wanted:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("X-Repo-Commit", REVISION)
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if not body:
            return
        drop = self.owner.drop_after.pop(file.name, None)
        for offset in range(start, len(data), CHUNK):
            if drop is not None and offset - start >= drop:
                self.close_connection = True  # the transfer breaks off half-way
                return
            self.wfile.write(data[offset : offset + CHUNK])
            self.wfile.flush()
            time.sleep(self.owner.delay)

    def _error(self, status: int, code: str, message: str) -> None:
        payload = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _send(self, status: int, payload: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
