"""Models already on this machine: folders of the workspace (downloads, the demo model, copies)
and the Hugging Face cache that other tools fill (~/.cache/huggingface/hub, or $HF_HUB_CACHE)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.models.download import read_state
from core.models.registry import architecture_from_config, family_of_config
from core.workspace import subdir


@dataclass(frozen=True)
class LocalModel:
    """A model folder on this machine (or a download into one that has not finished)."""

    name: str  # the hub id it came from, else the folder's name
    path: Path
    source: str  # "workspace" | "hub cache"
    complete: bool  # False: a download that stopped part-way
    done: int = 0  # bytes so far, for an unfinished download
    total: int = 0
    family: str | None = None  # the registry family its config.json belongs to
    params: int | None = None

    @property
    def share(self) -> float:
        """How much of an unfinished download is here (1.0 when complete)."""
        return 1.0 if self.complete else (self.done / self.total if self.total else 0.0)


def describe_folder(path: Path, source: str, name: str | None = None) -> LocalModel | None:
    """The LocalModel of a folder with a config.json or a download record; else None."""
    state = read_state(path)
    config = path / "config.json"
    if state is None and not config.is_file():
        return None
    complete = config.is_file() and (state is None or state.get("state") == "complete")
    family, params = None, None
    if config.is_file():
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
            found = family_of_config(data)
            family = found.key if found else None
            params = architecture_from_config(data).total_params()
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # a config.json of another kind of model: listed without a family
    label = name or (state or {}).get("repo") or path.name
    done, total = (state or {}).get("done", 0), (state or {}).get("total", 0)
    return LocalModel(label, path, source, complete, done, total, family, params)


def workspace_models(workspace: Path) -> list[LocalModel]:
    """Model folders under <workspace>/models/, by name."""
    found = (
        describe_folder(path, "workspace")
        for path in sorted(subdir(Path(workspace), "models").iterdir())
        if path.is_dir() and not path.name.startswith(".")
    )
    return [m for m in found if m is not None]


def cached_models(cache_dir: str | Path | None = None) -> list[LocalModel]:
    """Models in the Hugging Face cache: the newest snapshot of each model repository."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        cache = scan_cache_dir(cache_dir)
    except CacheNotFound:
        return []
    found = []
    for repo in sorted(cache.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model" or not repo.revisions:
            continue
        newest = max(repo.revisions, key=lambda r: r.last_modified)
        model = describe_folder(newest.snapshot_path, "hub cache", repo.repo_id)
        if model is not None:
            found.append(model)
    return found


def local_models(workspace: Path, cache_dir: str | Path | None = None) -> list[LocalModel]:
    """Every model on this machine: the workspace's folders, then the Hugging Face cache."""
    return workspace_models(workspace) + cached_models(cache_dir)


def find_local(models: list[LocalModel], repo_id: str) -> LocalModel | None:
    """The local copy of `repo_id` (a finished one before an unfinished one), if any."""
    wanted = [m for m in models if m.name.lower() == repo_id.lower()]
    return next((m for m in wanted if m.complete), wanted[0] if wanted else None)
