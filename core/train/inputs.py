"""What a run reads, checked before any model loads: conversations, the base model, the backend."""

from __future__ import annotations

import json
from pathlib import Path

from core.errors import StudioError
from core.train.backends import (
    Backend,
    choose_backend,
    model_source,
)
from core.train.config import TrainConfig, local_model_path, resolve_path
from core.train.fit import require_fit

ROLES = ("system", "developer", "user", "assistant")


def read_conversations(path: Path) -> list[list[dict[str, str]]]:
    """The conversations of a Harmony JSONL file (data_prep's output), each checked."""
    path = Path(path)
    if not path.is_file():
        raise StudioError(
            f"dataset file not found: {path}",
            hint="prepare the data first (python -m core.pipeline, or the Dataset tab)",
        )
    conversations = []
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                conversations.append(_conversation(line, f"{path}:{number}"))
    if not conversations:
        raise StudioError(f"dataset is empty: {path}", hint="it needs one conversation per line")
    return conversations


def _conversation(line: str, where: str) -> list[dict[str, str]]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise StudioError(f"not valid JSON ({err.msg}, column {err.colno})", where=where) from None
    messages = record.get("messages") if isinstance(record, dict) else None
    if not isinstance(messages, list) or not messages:
        raise StudioError("no `messages` list (expected Harmony JSONL from data_prep)", where=where)
    for message in messages:
        if not (
            isinstance(message, dict)
            and message.get("role") in ROLES
            and isinstance(message.get("content"), str)
        ):
            raise StudioError(f"a message needs a role ({', '.join(ROLES)}) and text", where=where)
    if messages[-1]["role"] != "assistant":
        raise StudioError("the last message must be the assistant's answer", where=where)
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def preflight(cfg: TrainConfig, workspace: Path | None = None) -> Backend:
    """Everything that can be checked without loading a model (the memory a run needs against
    what the device has free, too); the backend that will run."""
    t = cfg.training
    read_conversations(resolve_path(t.dataset_path, workspace))
    if t.eval_dataset_path:
        read_conversations(resolve_path(t.eval_dataset_path, workspace))
    local = local_model_path(cfg.base_model, workspace)
    if not (local is not None and cfg.build_tiny_if_missing):
        model_source(cfg, workspace)
    backend = choose_backend(cfg)
    fit = require_fit(cfg, workspace, backend.name)  # refuses a run that cannot fit
    if fit.verdict == "tight":
        backend.notes.append(fit.message)
    return backend


def prepare_base_model(cfg: TrainConfig, workspace: Path | None) -> str:
    """The base model to load; the demo model is built first when the config asks for it."""
    local = local_model_path(cfg.base_model, workspace)
    if local is not None and cfg.build_tiny_if_missing and not (local / "config.json").is_file():
        from core.models.tiny import build_tiny_model

        print(f"building the demo model into {local}", flush=True)
        build_tiny_model(local)
    return model_source(cfg, workspace)


def base_tokenizer(cfg: TrainConfig, workspace: Path | None):
    """The base model's tokenizer, from files on this machine only (the demo model is built
    first when the config asks for it)."""
    from core.train.backends import load_tokenizer  # heavy imports: only when asked for

    source = prepare_base_model(cfg, workspace)
    try:
        return load_tokenizer(cfg, source, local_files_only=True)
    except OSError as err:
        raise StudioError(
            f"the tokenizer of {source} is not on this machine",
            where="base_model",
            hint="download the model once (or use config/cpu-demo.yaml); nothing here downloads",
        ) from err
