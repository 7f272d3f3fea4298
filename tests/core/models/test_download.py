"""Downloads from a hub over real HTTP: huggingface_hub pointed (HF_ENDPOINT) at a miniature hub on
127.0.0.1 (tests/hub_server.py) serving the Qwen3 twin in the hub's layout. A dropped transfer
and a cancelled job resume with Range requests, a gated model wants a token that is never
written down, a missing server is 'no network', and the disk is checked before any byte."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from core import jobs
from core.errors import StudioError
from core.models import download
from core.models.local import cached_models, describe_folder, find_local, local_models
from tests.hub_server import GATED, REPO, REVISION, TOKEN

WEIGHTS = "model.safetensors"


def same_files(folder: Path, twin: Path) -> bool:
    return all((folder / p.name).read_bytes() == p.read_bytes() for p in twin.iterdir())


def download_job(workspace: Path, repo: str, env: dict | None = None) -> str:
    argv = jobs.core_command("core.models.download", repo, "--workspace", workspace)
    return jobs.start_job(workspace, "download", argv, {"repo": repo}, env)


def test_a_twin_downloads_into_a_model_folder_the_registry_recognises(hub, twin, workspace):
    folder = download.download(REPO, workspace)
    assert folder == workspace / "models" / "Qwen--Qwen3-0.6B"
    assert same_files(folder, twin) and not (folder / download.PARTIAL).exists()
    state = download.read_state(folder)
    assert state["state"] == "complete" and state["done"] == state["total"] > 10 * 2**20
    assert state["revision"] == REVISION
    assert all(REVISION in r.path for r in hub.fetches(WEIGHTS))
    found = find_local(local_models(workspace, workspace / "no-cache"), REPO)
    assert found.complete and found.family == "qwen3" and found.path == folder


def test_a_transfer_that_breaks_off_resumes_with_a_range_request(hub, twin, workspace):
    hub.drop_after[WEIGHTS] = 3 * download.CHUNK + 1000  # what came after the third MB is lost
    folder = download.download(REPO, workspace)
    first, second = hub.fetches(WEIGHTS)
    assert first.range is None and second.range == f"bytes={3 * download.CHUNK}-"
    assert (folder / WEIGHTS).read_bytes() == (twin / WEIGHTS).read_bytes()


def test_a_cancelled_download_job_resumes_where_it_stopped(hub, twin, workspace):
    hub.delay = 0.02  # about 3 MB/s: time to cancel half-way
    job = download_job(workspace, REPO)
    part = download.model_folder(workspace, REPO) / download.PARTIAL / f"{WEIGHTS}.part"
    deadline = time.monotonic() + 60
    while not (part.is_file() and part.stat().st_size > 2**20) and time.monotonic() < deadline:
        time.sleep(0.05)
    state = download.read_state(part.parent.parent)
    assert state["state"] == "downloading" and state["speed"] > 0 and state["eta"] > 0
    assert jobs.wait_job(workspace, jobs.cancel_job(workspace, job).id, 30).state == "cancelled"
    kept = part.stat().st_size
    assert 0 < kept < (twin / WEIGHTS).stat().st_size
    hub.delay = 0.0
    again = jobs.wait_job(workspace, download_job(workspace, REPO), 120)
    assert again.state == "completed", jobs.read_log(workspace, again.id)
    assert hub.fetches(WEIGHTS)[-1].range == f"bytes={kept}-"
    assert same_files(part.parent.parent, twin)
    assert describe_folder(part.parent.parent, "workspace").complete


def test_a_damaged_file_is_discarded_and_fetched_anew(hub, twin, workspace):
    hub.damaged.add(WEIGHTS)
    with pytest.raises(StudioError, match="arrived damaged"):
        download.download(REPO, workspace)
    folder = download.model_folder(workspace, REPO)
    assert not (folder / WEIGHTS).exists() and not any((folder / download.PARTIAL).iterdir())
    hub.damaged.clear()
    assert same_files(download.download(REPO, workspace), twin)


def test_a_gated_model_asks_for_a_token_before_any_byte(hub, workspace):
    with pytest.raises(StudioError, match=r"is gated.*accept the licence") as caught:
        download.download(GATED, workspace)
    assert f"{hub.url}/{GATED}" in str(caught.value)
    assert not hub.fetches(WEIGHTS)


def test_a_wrong_token_is_refused_in_plain_words(hub, workspace):
    with pytest.raises(StudioError, match="refused the token"):
        download.download(GATED, workspace, token="hf_wrong")
    assert [r.authorised for r in hub.requests if "/resolve/" in r.path] == [False]


def test_the_right_token_downloads_and_is_written_nowhere(hub, twin, workspace):
    job = jobs.wait_job(workspace, download_job(workspace, GATED, {"HF_TOKEN": TOKEN}), 120)
    assert job.state == "completed", jobs.read_log(workspace, job.id)
    assert all(r.authorised for r in hub.fetches(WEIGHTS))
    assert same_files(download.model_folder(workspace, GATED), twin)
    for path in workspace.rglob("*"):
        if path.is_file() and path.suffix != ".safetensors":
            assert TOKEN.encode() not in path.read_bytes(), path


def test_no_server_at_all_is_no_network(hub, workspace, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(StudioError, match="no network: cannot reach") as caught:
        download.download(REPO, workspace)
    assert "connection" in caught.value.hint and time.monotonic() - started < 10


def test_offline_mode_says_how_to_leave_it(hub, workspace, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    with pytest.raises(StudioError, match="offline mode is on"):
        download.download(REPO, workspace)


def test_the_disk_is_checked_before_any_byte(hub, workspace, monkeypatch):
    monkeypatch.setattr(download, "disk_free", lambda path: 5 * 2**20)
    with pytest.raises(StudioError, match=r"not enough disk space.*needs 0\.0 GB more"):
        download.download(REPO, workspace)
    assert not hub.fetches(WEIGHTS)


def test_an_unknown_model_and_a_bad_id_say_what_to_check(hub, workspace):
    with pytest.raises(StudioError, match="has no model someone/nothing"):
        download.download("someone/nothing", workspace)
    with pytest.raises(StudioError, match="not a hub model id"):
        download.model_folder(workspace, "../../etc")


def test_describe_says_bytes_speed_and_time_left():
    record = {"state": "downloading", "done": 2**30, "total": 4 * 2**30, "speed": 50 * 2**20}
    record |= {"eta": 61.4, "file": WEIGHTS}
    assert download.describe(record) == (
        "1.0 GB of 4.0 GB (25%) · 50.0 MB/s · 1 min 01 s left · model.safetensors"
    )


def test_models_in_the_hugging_face_cache_are_found(twin, tmp_path):
    """A cache in the hub's layout: blobs/, snapshots/<commit>/ linking to them, refs/main."""
    repo = tmp_path / "hub" / "models--Qwen--Qwen3-0.6B"
    snapshot = repo / "snapshots" / REVISION
    for folder in (repo / "blobs", snapshot, repo / "refs"):
        folder.mkdir(parents=True)
    for name in ("config.json", "tokenizer_config.json"):
        blob = repo / "blobs" / name.replace(".", "-")
        blob.write_bytes((twin / name).read_bytes())
        os.symlink(os.path.relpath(blob, snapshot), snapshot / name)
    (repo / "refs" / "main").write_text(REVISION)
    [found] = cached_models(tmp_path / "hub")
    assert (found.name, found.source, found.family, found.complete) == (
        REPO,
        "hub cache",
        "qwen3",
        True,
    )
    assert cached_models(tmp_path / "nothing-here") == []
