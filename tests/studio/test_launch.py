"""The running studio: served offline, files only from corpus and workspace, auth off-loopback."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

import launch
from core.native import die_with_parent
from core.workspace import REPO_ROOT

# Runs a script (launch.py) with an audit hook that records every attempt to reach a non-loopback host.
NETWORK_GUARD = r"""
import ipaddress, runpy, sys
log_path = sys.argv[1]
def loopback(host):
    if host in (None, "", "localhost") or isinstance(host, bytes):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False
def hook(event, args):
    host = None
    if event == "socket.connect" and isinstance(args[1], tuple):
        host = args[1][0]
    elif event == "socket.getaddrinfo":
        host = args[0]
    else:
        return
    if host in ("0.0.0.0", "::") or loopback(host):
        return
    with open(log_path, "a") as fh:
        fh.write(f"{event} {host}\n")
sys.addaudithook(hook)
sys.path.insert(0, ".")
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StudioServer:
    """A studio started with launch.py in a child process."""

    url: str
    workspace: Path
    corpus: Path
    network_log: Path
    process: subprocess.Popen
    output: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_studio(
    workspace: Path, corpus: Path, extra: list[str] | None = None, timeout: float = 120
) -> StudioServer:
    """Start launch.py on a free port under the network guard; return when the page is served."""
    port = free_port()
    guard = workspace.parent / "network_guard.py"
    guard.write_text(NETWORK_GUARD)
    network_log = workspace.parent / "network.log"
    output = workspace.parent / "studio.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    argv = [sys.executable, str(guard), str(network_log), "launch.py", "--no-browser"]
    argv += ["--port", str(port)]
    argv += ["--workspace", str(workspace), "--corpus", str(corpus), *(extra or [])]
    with open(output, "wb") as out:
        process = subprocess.Popen(  # dies with pytest, however pytest ends (no orphan)
            argv,
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=die_with_parent,
        )
    server = StudioServer(
        f"http://127.0.0.1:{port}", workspace, corpus, network_log, process, output
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"studio exited: {output.read_text()}")
        try:
            with urllib.request.urlopen(server.url + "/", timeout=2):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"studio did not serve within {timeout} s: {output.read_text()}")


def run_launch(*args: str) -> subprocess.CompletedProcess:
    """`python launch.py args…` run to its end, its output captured."""
    return subprocess.run(
        [sys.executable, "launch.py", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def fetch(url: str, form: dict[str, str] | None = None) -> tuple[int, bytes]:
    """(status, body) of a GET, or of a POST of `form` when given."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    import shutil

    from core.workspace import SAMPLE_CORPUS

    root = tmp_path_factory.mktemp("studio")
    corpus = root / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus, symlinks=True)
    workspace = root / "workspace"
    workspace.mkdir()
    server = start_studio(workspace, corpus)
    yield server
    server.stop()


# ---------------------------------------------------------------- offline


EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//(?!127\.0\.0\.1|localhost)""", re.I
)
CSS_EXTERNAL = re.compile(
    r"""(?:url\(|@import)\s*["']?\s*(?:https?:)?//(?!127\.0\.0\.1|localhost)""", re.I
)


def test_page_and_theme_load_nothing_from_the_internet(studio: StudioServer) -> None:
    status, page = fetch(studio.url + "/")
    assert status == 200
    html = page.decode()
    assert "AHKv2 Finetune Studio" in html
    loads = [m.group(0) for m in EXTERNAL.finditer(html)]
    assert loads == [], loads
    assert not CSS_EXTERNAL.search(html)
    for path in ("/theme.css", "/gradio_api/theme.css"):
        status, css = fetch(studio.url + path)
        if status == 200:
            assert not CSS_EXTERNAL.search(css.decode()), path
            break
    else:
        pytest.fail("theme css not found")


def test_no_connection_to_any_other_host_while_serving(studio: StudioServer) -> None:
    from gradio_client import Client

    fetch(studio.url + "/")
    fetch(studio.url + "/config")
    Client(studio.url, verbose=False).view_api(print_info=False, return_format="dict")
    time.sleep(1)
    attempts = studio.network_log.read_text() if studio.network_log.exists() else ""
    assert attempts == ""


def test_the_network_guard_sees_an_outside_lookup(tmp_path: Path) -> None:
    guard, log, script = tmp_path / "guard.py", tmp_path / "net.log", tmp_path / "call.py"
    guard.write_text(NETWORK_GUARD)
    script.write_text(
        "import socket\ntry:\n    socket.getaddrinfo('example.org', 443)\nexcept OSError:\n    pass\n"
    )
    subprocess.run([sys.executable, str(guard), str(log), str(script)], check=True, timeout=60)
    assert log.read_text() == "socket.getaddrinfo example.org\n"


# ---------------------------------------------------------------- files


def test_file_route_refuses_etc_passwd(studio: StudioServer) -> None:
    status, body = fetch(studio.url + "/gradio_api/file=/etc/passwd")
    assert status in (403, 404)
    assert b"root:" not in body


@pytest.mark.parametrize(
    "target",
    [
        lambda s: REPO_ROOT / "README.md",
        lambda s: Path.home() / ".bashrc",
        lambda s: s.workspace.parent / "network_guard.py",
        lambda s: f"{s.workspace}/../network_guard.py",
        lambda s: f"{s.corpus}/../../network_guard.py",
    ],
)
def test_file_route_refuses_paths_outside_corpus_and_workspace(studio, target) -> None:
    status, _ = fetch(f"{studio.url}/gradio_api/file={target(studio)}")
    assert status in (403, 404)


def test_file_route_serves_workspace_and_corpus_files(studio: StudioServer) -> None:
    report = studio.workspace / "reports" / "check.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text('{"ok": true}')
    status, body = fetch(f"{studio.url}/gradio_api/file={report}")
    assert (status, json.loads(body)) == (200, {"ok": True})
    script = next(studio.corpus.rglob("*.ahk"))
    assert fetch(f"{studio.url}/gradio_api/file={script}")[0] == 200


# ---------------------------------------------------------------- api


def test_only_the_corpus_summary_is_public_and_it_answers(studio: StudioServer) -> None:
    from gradio_client import Client

    client = Client(studio.url, verbose=False)
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/corpus_summary"}
    assert api["unnamed_endpoints"] == {}
    summary = client.predict(api_name="/corpus_summary")
    assert summary["corpus"] == str(studio.corpus.resolve())
    assert summary["files"] == len(list(studio.corpus.rglob("*.ahk")))
    assert summary["v2"] > summary["v1"] > 0


# ---------------------------------------------------------------- start-up


def run_python(code: str) -> subprocess.CompletedProcess:
    """`code` run by a fresh Python in the repository (what it imports starts from nothing)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )


def test_telemetry_is_off_before_gradio_is_imported() -> None:
    code = (
        "import sys, os, launch; "
        "print('gradio' in sys.modules, os.environ['GRADIO_ANALYTICS_ENABLED'], "
        "os.environ['HF_HUB_DISABLE_TELEMETRY'])"
    )
    out = run_python(code)
    assert out.stdout.split() == ["False", "False", "1"]


# Libraries for training, models and scoring: each loads only when a job or an evaluation needs it.
HEAVY = (
    "torch",
    "transformers",
    "trl",
    "peft",
    "datasets",
    "accelerate",
    "bitsandbytes",
    "unsloth",
    "safetensors",
    "gguf",
    "tokenizers",
    "sacrebleu",
)


def test_building_the_studio_imports_no_training_or_model_library(tmp_path: Path) -> None:
    code = (
        "import sys, launch; from pathlib import Path; from studio.app import build_app; "
        "from studio.context import StudioContext; "
        f"build_app(StudioContext(workspace=Path({str(tmp_path)!r}))); "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = run_python(code)
    assert out.stdout.strip().splitlines()[-1] == "[]"


DOCS_SKIPPED = """
import sys
from studio.gradio_import import _skipped

def import_docs_skipped():  # the loaded gradio wrote no stubs and rendered no listener docs
    meta, events = sys.modules.get("gradio.component_meta"), sys.modules.get("gradio.events")
    return (meta is not None and events is not None
            and getattr(meta, "create_or_modify_pyi", None) is _skipped
            and getattr(events.EventListener, "set_doc", None) is _skipped)
"""


def test_the_studio_skips_gradios_import_docs_and_still_builds(tmp_path: Path) -> None:
    # Gradio rewrites each component's .pyi in site-packages and renders each event listener's
    # docstring at every import; the studio's import hook skips both, and the app still builds
    # with its queue set up, and stub files are left as they were.
    import gradio.component_meta

    stub = Path(gradio.component_meta.__file__).parent / "components" / "textbox.pyi"
    before = stub.stat().st_mtime_ns if stub.exists() else None
    code = DOCS_SKIPPED + (
        "from studio.gradio_import import skip_import_docs; "
        "skip_import_docs(); import gradio, sys; from pathlib import Path; "
        "from studio.app import build_app; from studio.context import StudioContext; "
        f"demo = build_app(StudioContext(workspace=Path({str(tmp_path)!r}))); "
        "print(import_docs_skipped(), skip_import_docs(), "
        "demo._queue.default_concurrency_limit, len(demo.fns) > 50, "
        "'{{ component }}' in gradio.Textbox.change.__doc__)"
    )
    out = run_python(code)
    assert out.stdout.split()[-5:] == ["True", "False", "4", "True", "True"]
    assert (stub.stat().st_mtime_ns if stub.exists() else None) == before


def test_the_import_docs_are_made_when_gradio_came_first() -> None:
    # Imported after gradio, the hook is too late: it says so and changes nothing.
    code = DOCS_SKIPPED + (
        "import gradio; from studio.gradio_import import "
        "skip_import_docs; print(import_docs_skipped(), skip_import_docs(), "
        "'{{ component }}' in gradio.Textbox.change.__doc__)"
    )
    out = run_python(code)
    assert out.stdout.split()[-3:] == ["False", "False", "False"]


def test_importing_the_studio_patches_nothing() -> None:
    # Only launch.py installs the hook: tests and benchmarks that import studio get plain Gradio.
    code = DOCS_SKIPPED + (
        "import studio.app; "
        "import gradio; print(import_docs_skipped(), '{{ component }}' in gradio.Textbox.change.__doc__)"
    )
    out = run_python(code)
    assert out.stdout.split()[-2:] == ["False", "False"]


def test_binding_another_address_without_auth_is_refused(tmp_path: Path) -> None:
    out = run_launch("--host", "0.0.0.0", "--no-browser", "--workspace", str(tmp_path))
    assert out.returncode == 1
    assert out.stderr.strip().startswith("error: --auth user:pass is required when binding 0.0.0.0")
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert launch.is_loopback(host) is expected


def test_auth_must_be_user_colon_password() -> None:
    assert launch.parse_auth("0.0.0.0", "ann:s3cret") == ("ann", "s3cret")
    assert launch.parse_auth("127.0.0.1", None) is None
    for bad in ("ann", ":pw", "ann:"):
        with pytest.raises(launch.StudioError, match="--auth must look like user:password"):
            launch.parse_auth("0.0.0.0", bad)


def test_missing_corpus_or_config_is_one_line_error(tmp_path: Path) -> None:
    for flag in ("--corpus", "--config"):
        out = run_launch(flag, str(tmp_path / "nope"), "--workspace", str(tmp_path))
        assert out.returncode == 1
        assert out.stderr.startswith("error: ") and len(out.stderr.strip().splitlines()) == 1


def test_login_is_required_when_auth_is_given(tmp_path: Path) -> None:
    from gradio_client import Client

    from core.workspace import SAMPLE_CORPUS

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    server = start_studio(workspace, SAMPLE_CORPUS, ["--auth", "ann:s3cret"])
    try:
        assert fetch(server.url + "/config")[0] == 401
        assert fetch(f"{server.url}/gradio_api/file={SAMPLE_CORPUS}")[0] in (401, 403)
        client = Client(server.url, auth=("ann", "s3cret"), verbose=False)
        api = client.view_api(print_info=False, return_format="dict")
        assert (set(api["named_endpoints"]), api["unnamed_endpoints"]) == ({"/corpus_summary"}, {})
        assert client.predict(api_name="/corpus_summary")["corpus"] == str(SAMPLE_CORPUS.resolve())
        wrong = {"username": "ann", "password": "wrong"}
        status, body = fetch(server.url + "/login", wrong)
        assert (status, json.loads(body)) == (400, {"detail": "Incorrect credentials."})
        with pytest.raises(ValueError, match=re.escape(f"Could not login to {server.url}/.")):
            Client(server.url, auth=("ann", "wrong"), verbose=False)
    finally:
        server.stop()
