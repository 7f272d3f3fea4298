"""Download a model from the Hugging Face hub into the workspace, resumably, with progress.

A model goes to `<workspace>/models/<org>--<name>/` as a plain Hugging Face model folder (the
config, tokenizer and safetensors files of the repository's top level, at the commit the hub
named when the download began). Bytes arrive in `.partial/<file>.part` and are renamed into place
once complete and checked (size, and the SHA-256 the hub publishes for large files), so a download
that was interrupted (a dropped connection, a cancel, a closed laptop) starts again where it
stopped. `.download.json` in the folder says how far it got: bytes, speed, time left.

A token for gated models (Llama, Gemma) comes from the caller or $HF_TOKEN, travels only in the
request headers and is never written anywhere. The CLI reads it from $HF_TOKEN:

    HF_TOKEN=hf_... python -m core.models.download meta-llama/Llama-3.2-1B-Instruct
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from core import jobs
from core.errors import StudioError, cancel_on_sigterm, cli_main
from core.fsutil import atomic_write_text
from core.models.hardware import disk_free, gib, human
from core.workspace import subdir, workspace_root

STATE = ".download.json"
PARTIAL = ".partial"
RESERVE = 512 * 1024**2  # bytes left free on the disk after a download
WANTED = re.compile(r"^[^/]+\.(json|safetensors|model|txt|jinja|tiktoken)$")  # top level only
_REPO_RE = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")
CHUNK = 1024**2  # bytes written at a time (huggingface_hub's default, 10 MB, is lost on a drop)
_SAMPLES_S = 5.0  # speed is measured over this many seconds


@dataclass(frozen=True)
class RemoteFile:
    """One file of a hub repository: its path, size and (for large files) SHA-256."""

    name: str
    size: int
    sha256: str | None = None


@dataclass(frozen=True)
class RemoteModel:
    """What the hub says of a repository: its commit, whether it is gated, the files we fetch."""

    repo_id: str
    revision: str
    gated: bool
    files: tuple[RemoteFile, ...]

    @property
    def total(self) -> int:
        """Bytes of all the files fetched."""
        return sum(f.size for f in self.files)


def hub_endpoint() -> str:
    """The hub's address: $HF_ENDPOINT (read now, not at import), else huggingface.co."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def model_folder(workspace: Path, repo_id: str) -> Path:
    """Where `repo_id` is downloaded to: <workspace>/models/<org>--<name>."""
    if not _REPO_RE.match(repo_id or ""):
        raise StudioError(
            f"not a hub model id: {repo_id!r}", hint="owner/name, e.g. Qwen/Qwen3-0.6B"
        )
    return subdir(Path(workspace), "models") / repo_id.replace("/", "--")


# --- asking the hub ------------------------------------------------------------------------------


@contextlib.contextmanager
def hub_errors(repo_id: str, token: str | None) -> Iterator[None]:
    """Turn huggingface_hub's and httpx's errors into StudioErrors that say what to do."""
    import httpx
    from huggingface_hub import errors

    page = f"{hub_endpoint()}/{repo_id}"
    try:
        yield
    except errors.OfflineModeIsEnabled:
        raise StudioError(
            "offline mode is on (HF_HUB_OFFLINE=1): nothing can be downloaded",
            hint="unset HF_HUB_OFFLINE and start the studio again",
        ) from None
    except errors.GatedRepoError:
        raise _gated(repo_id, token, page) from None
    except errors.RepositoryNotFoundError:
        raise StudioError(
            f"the hub has no model {repo_id} (or it is private)",
            hint="check the id; a private model needs a token of an account that can read it",
        ) from None
    except errors.HfHubHTTPError as err:
        status = err.response.status_code if err.response is not None else "?"
        raise StudioError(
            f"the hub answered {status} for {repo_id}", hint="try again later"
        ) from None
    except httpx.TransportError as err:
        raise StudioError(
            f"no network: cannot reach {hub_endpoint()} ({type(err).__name__})",
            hint="check the internet connection or proxy, then download again "
            "(a partial download resumes); models already on this machine are marked",
        ) from None


def _gated(repo_id: str, token: str | None, page: str) -> StudioError:
    if not token:
        return StudioError(
            f"{repo_id} is gated: the hub wants a token of an account that accepted its licence",
            hint=f"accept the licence at {page}, create a read token at "
            f"{hub_endpoint()}/settings/tokens and paste it into Token",
        )
    return StudioError(
        f"the hub refused the token for {repo_id}",
        hint=f"check that the token can read and that its account accepted the licence at {page}",
    )


def remote_model(repo_id: str, token: str | None = None) -> RemoteModel:
    """The repository's commit and the files a training run needs; gated without a token, or
    without safetensors weights, is a StudioError."""
    from huggingface_hub import HfApi, get_token

    with hub_errors(repo_id, token):
        info = HfApi(endpoint=hub_endpoint()).model_info(repo_id, files_metadata=True, token=token)
    files = tuple(
        RemoteFile(s.rfilename, s.size or 0, s.lfs.sha256 if s.lfs else None)
        for s in info.siblings or []
        if WANTED.match(s.rfilename)
    )
    if not any(f.name.endswith(".safetensors") for f in files):
        raise StudioError(
            f"{repo_id} has no safetensors weights at its top level",
            hint="the studio trains from safetensors: pick another model",
        )
    if info.gated and not (token or get_token()):
        raise _gated(repo_id, None, f"{hub_endpoint()}/{repo_id}")
    return RemoteModel(repo_id, info.sha or "main", bool(info.gated), files)


# --- what is here already ------------------------------------------------------------------------


def read_state(folder: Path) -> dict[str, Any] | None:
    """The folder's download record (.download.json), or None."""
    try:
        return json.loads((Path(folder) / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def bytes_here(folder: Path, remote: RemoteModel) -> int:
    """Bytes of `remote` already in `folder`: complete files and partial ones."""
    done = 0
    for f in remote.files:
        target, part = folder / f.name, folder / PARTIAL / f"{f.name}.part"
        if target.is_file() and target.stat().st_size == f.size:
            done += f.size
        elif part.is_file():
            done += min(part.stat().st_size, f.size)
    return done


def check_disk(folder: Path, remote: RemoteModel) -> int:
    """The bytes still to fetch; StudioError when the disk has not room for them."""
    needed = remote.total - bytes_here(folder, remote)
    free = disk_free(folder)
    if needed + RESERVE > free:
        raise StudioError(
            f"not enough disk space for {remote.repo_id}: it needs {gib(needed)} more "
            f"and {folder.anchor or '/'} has {gib(free)} free",
            where=str(folder.parent),
            hint="free some space, or pick a smaller model",
        )
    return needed


# --- fetching ------------------------------------------------------------------------------------


class Progress:
    """Counts bytes and writes `.download.json` (at most twice a second): done, total, speed
    over the last few seconds, time left, the file being fetched."""

    def __init__(self, folder: Path, remote: RemoteModel, done: int, echo: bool = False):
        self.folder, self.remote, self.done, self.echo = folder, remote, done, echo
        self.file, self.written, self.said = "", 0.0, 0.0
        self.samples: list[tuple[float, int]] = [(time.monotonic(), done)]

    def add(self, size: int) -> None:
        self.done += size
        now = time.monotonic()
        if now - self.written >= 0.5:
            self.samples = [s for s in self.samples if now - s[0] <= _SAMPLES_S] + [
                (now, self.done)
            ]
            self.save("downloading")
            self.written = now

    def speed(self) -> float:
        """Bytes per second over the kept samples."""
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0

    def save(self, state: str) -> None:
        speed, left = self.speed(), self.remote.total - self.done
        record = {
            "repo": self.remote.repo_id,
            "revision": self.remote.revision,
            "state": state,
            "done": self.done,
            "total": self.remote.total,
            "file": self.file,
            "speed": speed,
            "eta": left / speed if speed > 0 else None,
            "updated": time.time(),
        }
        atomic_write_text(self.folder / STATE, json.dumps(record, indent=2))
        if self.echo and (state != "downloading" or time.monotonic() - self.said >= 5):
            print(describe(record), flush=True)
            self.said = time.monotonic()


class _Counting:
    """A file whose writes are counted into a Progress (what http_get writes to)."""

    def __init__(self, handle: BinaryIO, progress: Progress):
        self.handle, self.progress = handle, progress

    def write(self, data: bytes) -> int:
        self.progress.add(len(data))
        return self.handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def fetch_file(
    remote: RemoteModel, f: RemoteFile, folder: Path, token: str | None, progress
) -> None:
    """One file into `folder`, continuing its .part file; checked, then renamed into place."""
    from huggingface_hub import hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    target, part = folder / f.name, folder / PARTIAL / f"{f.name}.part"
    if target.is_file() and target.stat().st_size == f.size:
        return
    part.parent.mkdir(parents=True, exist_ok=True)
    progress.file = f.name
    url = hf_hub_url(remote.repo_id, f.name, revision=remote.revision, endpoint=hub_endpoint())
    with open(part, "ab") as handle, hub_errors(remote.repo_id, token):
        if handle.tell() > f.size:  # not a prefix of this file: start it again
            progress.done -= min(handle.tell(), f.size)
            handle.truncate(0)
        http_get(
            url,
            _Counting(handle, progress),  # type: ignore[arg-type]
            resume_size=handle.tell(),
            headers=build_hf_headers(token=token),
            expected_size=f.size,
            displayed_filename=f.name,
        )
    if f.sha256 and sha256(part) != f.sha256:
        part.unlink()
        progress.done -= f.size
        raise StudioError(
            f"{f.name} of {remote.repo_id} arrived damaged (its SHA-256 differs): it was discarded",
            hint="download again to fetch it anew",
        )
    os.replace(part, target)


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(repo_id: str, workspace: Path, token: str | None = None, echo: bool = False) -> Path:
    """Download `repo_id` into model_folder(workspace, repo_id), resuming what is there; the
    folder. Checks the disk first; `.download.json` follows the progress."""
    from huggingface_hub import constants
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()  # progress goes to .download.json (and `echo` lines), not to tqdm
    constants.DOWNLOAD_CHUNK_SIZE = CHUNK  # what arrives is written (and counted) a MB at a time
    folder = model_folder(workspace, repo_id)
    remote = remote_model(repo_id, token)
    folder.mkdir(parents=True, exist_ok=True)
    check_disk(folder, remote)
    progress = Progress(folder, remote, bytes_here(folder, remote), echo)
    progress.save("downloading")
    for f in remote.files:
        fetch_file(remote, f, folder, token, progress)
    shutil.rmtree(folder / PARTIAL, ignore_errors=True)
    progress.file = ""
    progress.save("complete")
    return folder


def start_download(workspace: Path, repo_id: str, token: str | None = None) -> str:
    """Check the model, its licence and the disk here, then download it as a background job
    (core.jobs); the job's id. The token goes to the job's environment, never its command."""
    running = latest_job(workspace)
    if running is not None and not running.finished:
        raise StudioError(
            f"{running.meta.get('repo')} is downloading", hint="wait for it, or cancel it"
        )
    folder = model_folder(workspace, repo_id)
    check_disk(folder, remote_model(repo_id, token or None))
    argv = jobs.core_command("core.models.download", repo_id, "--workspace", workspace)
    meta = {"repo": repo_id, "folder": str(folder)}
    return jobs.start_job(workspace, "download", argv, meta, {"HF_TOKEN": token} if token else None)


def latest_job(workspace: Path) -> jobs.JobStatus | None:
    """The newest download job of the workspace, or None."""
    return next(iter(jobs.list_jobs(workspace, "download")), None)


def describe(record: dict[str, Any]) -> str:
    """A download record in words: '1.2 GB of 13.8 GB (9%) · 45.3 MB/s · 4 min 38 s left'."""
    done, total = record.get("done", 0), record.get("total", 0)
    share = done / total if total else 0.0
    parts = [f"{human(done)} of {human(total)} ({share:.0%})"]
    if record.get("state") == "downloading":
        speed, eta = record.get("speed") or 0, record.get("eta")
        parts.append(f"{speed / 1024**2:.1f} MB/s")
        if eta is not None:
            minutes, seconds = divmod(int(eta), 60)
            parts.append(f"{minutes} min {seconds:02d} s left" if minutes else f"{seconds} s left")
        if record.get("file"):
            parts.append(record["file"])
    return " · ".join(parts)


@cli_main
def main(argv: list[str] | None = None) -> int:
    """CLI: download one model (a token for gated models from $HF_TOKEN)."""
    parser = argparse.ArgumentParser(
        prog="python -m core.models.download", description=__doc__.split("\n")[0]
    )
    parser.add_argument("repo_id", help="hub model id, e.g. Qwen/Qwen3-0.6B")
    parser.add_argument("--workspace", help="workspace folder (default: the project's)")
    args = parser.parse_args(argv)
    cancel_on_sigterm()
    folder = download(
        args.repo_id, workspace_root(args.workspace), os.environ.get("HF_TOKEN"), True
    )
    print(f"downloaded {args.repo_id} into {folder}", file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
