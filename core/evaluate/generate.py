"""Load a run's model (base, base + adapter, or merged) and generate answers, whole or streamed.

Shared by core/evaluate/compare.py and the studio's Playground. torch, transformers and peft are
imported inside the functions that need them, so importing this module stays cheap (the studio
imports it at start-up and must not pull torch in).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import StudioError

MODEL_KINDS = ("base", "adapter", "merged")
DEFAULT_SYSTEM = "Reasoning medium. You are a helpful assistant."
# Harmony: a completion is `<|channel|>NAME<|message|>TEXT` ending in <|end|>, <|return|> or <|call|>.
_MESSAGE = re.compile(
    r"(?:<\|channel\|>(\w+)[^<]*)?<\|message\|>(.*?)(?=<\|end\|>|<\|return\|>|<\|call\|>|<\|start\|>|\Z)",
    re.DOTALL,
)
_STOP_TOKENS = ("<|return|>", "<|call|>")


@dataclass(frozen=True)
class GenerationSettings:
    """How to sample. temperature 0 means greedy decoding (deterministic)."""

    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        checks = {
            "max_new_tokens": self.max_new_tokens >= 1,
            "temperature": self.temperature >= 0,
            "top_p": 0 < self.top_p <= 1,
            "repetition_penalty": self.repetition_penalty > 0,
        }
        for name, ok in checks.items():
            if not ok:
                raise StudioError(f"{name} out of range: {getattr(self, name)}")


@dataclass(frozen=True)
class RunModels:
    """The model folders of one run: the base (a folder or a hub id), and adapter/merged if present."""

    run_dir: Path
    base: str  # a local folder (absolute) or a hub id
    adapter: Path | None
    merged: Path | None

    def available(self) -> list[str]:
        """The kinds that can be loaded now, in MODEL_KINDS order."""
        present = {"base": True, "adapter": self.adapter, "merged": self.merged}
        return [kind for kind in MODEL_KINDS if present[kind]]


@dataclass
class LoadedModel:
    """A model ready to generate, with its tokenizer and what it was loaded from."""

    model: Any
    tokenizer: Any
    kind: str
    source: str
    stop_ids: list[int] = field(default_factory=list)

    @property
    def has_adapter(self) -> bool:
        return hasattr(self.model, "disable_adapter")


@dataclass(frozen=True)
class Completion:
    """One answer: the final text, the reasoning channel if the model wrote one, and its cost."""

    text: str
    analysis: str
    new_tokens: int
    seconds: float


# ----------------------------------------------------------------------------- finding models


def run_workspace(run_dir: Path) -> Path | None:
    """The workspace a run folder belongs to (`<workspace>/runs/<id>`), if it sits in one."""
    run_dir = Path(run_dir).resolve()
    return run_dir.parent.parent if run_dir.parent.name == "runs" else None


def run_models(run_dir: Path) -> RunModels:
    """The models of a run, from its frozen config.yaml; StudioError if it is not a run folder."""
    from core.train.config import load_config, local_model_path
    from core.train.run_folder import RunFolder

    folder = RunFolder.of(run_dir)
    if not folder.config.is_file():
        raise StudioError(
            "not a run folder (no config.yaml)",
            where=str(folder.path),
            hint="pick a run of the Train tab",
        )
    cfg = load_config(folder.config)
    local = local_model_path(cfg.base_model, run_workspace(folder.path))
    return RunModels(
        run_dir=folder.path,
        base=str(local) if local else cfg.base_model,
        adapter=folder.adapter if folder.has_adapter else None,
        merged=folder.merged if folder.has_merged else None,
    )


def missing_model_error(models: RunModels, kind: str) -> StudioError:
    if kind == "adapter":
        return StudioError(
            "this run has no adapter yet",
            where=str(models.run_dir),
            hint="let the training finish (or stop it) so it saves adapter/",
        )
    if kind == "merged":
        return StudioError(
            "this run has no merged model yet",
            where=str(models.run_dir),
            hint=f"merge it first: python -m core.export.merge --run-dir {models.run_dir}",
        )
    return StudioError(f"unknown model kind {kind!r}", hint=f"one of {', '.join(MODEL_KINDS)}")


# ----------------------------------------------------------------------------- loading


def _load_kwargs() -> dict[str, Any]:
    import torch

    if torch.cuda.is_available():
        return {"dtype": torch.bfloat16, "device_map": "auto"}
    return {"dtype": torch.float32}


def _from_pretrained(loader: Any, source: str, **kwargs: Any) -> Any:
    try:
        return loader.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as err:
        raise StudioError(
            f"cannot load {source}: {str(err).splitlines()[0]}",
            hint="check that the folder holds a Hugging Face model, or that the hub id is cached",
        ) from None


def load_model(run_dir: Path, kind: str) -> LoadedModel:
    """Load `kind` (base, adapter = base + the run's LoRA adapter, merged) of a run, in eval mode."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    models = run_models(run_dir)
    if kind not in MODEL_KINDS or kind not in models.available():
        raise missing_model_error(models, kind)
    source = str(models.merged) if kind == "merged" else models.base
    model = _from_pretrained(AutoModelForCausalLM, source, **_load_kwargs())
    tokenizer_source = source
    if kind == "adapter":
        from peft import PeftModel

        assert models.adapter is not None  # available() said so
        model = PeftModel.from_pretrained(model, str(models.adapter))
        if (models.adapter / "tokenizer_config.json").is_file():
            tokenizer_source = str(models.adapter)
    tokenizer = _from_pretrained(AutoTokenizer, tokenizer_source)
    model.eval()
    _fit_cpu_threads(model)
    return LoadedModel(model, tokenizer, kind, source, _stop_ids(model, tokenizer))


SMALL_MODEL_PARAMS = 50_000_000
_DEFAULT_THREADS: list[int] = []


def _fit_cpu_threads(model: Any) -> None:
    """On the CPU, run a small model (the demo model) on one thread: its matrices are too small
    to share out, and the threads' hand-offs cost more than the work (measured here: 1 thread
    generated 5 to 8 times faster than 2 on a busy 2-core machine). Larger models get torch's
    default back."""
    import torch

    if not _DEFAULT_THREADS:
        _DEFAULT_THREADS.append(torch.get_num_threads())
    small = model.device.type == "cpu" and model.num_parameters() < SMALL_MODEL_PARAMS
    torch.set_num_threads(1 if small else _DEFAULT_THREADS[0])


def _stop_ids(model: Any, tokenizer: Any) -> list[int]:
    """End of sequence ids of the model, plus Harmony's end-of-answer tokens when the vocab has them."""
    ids = model.generation_config.eos_token_id
    found = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
    if tokenizer.eos_token_id is not None:
        found.add(tokenizer.eos_token_id)
    vocab = tokenizer.get_vocab()
    found.update(vocab[token] for token in _STOP_TOKENS if token in vocab)
    return sorted(found)


_CACHE: dict[str, Any] = {}
_CACHE_LOCK = threading.Lock()


def cached_model(run_dir: Path, kind: str) -> LoadedModel:
    """`load_model` keeping the last model loaded (the Playground asks for it at every message).

    A changed adapter or merged folder (new training, new merge) loads afresh."""
    models = run_models(run_dir)
    folder = {"adapter": models.adapter, "merged": models.merged}.get(kind)
    stamp = folder.stat().st_mtime_ns if folder else 0
    key = f"{Path(run_dir).resolve()}|{kind}|{stamp}"
    with _CACHE_LOCK:
        if _CACHE.get("key") != key:
            _CACHE.clear()
            _CACHE.update(key=key, model=load_model(run_dir, kind))
        return _CACHE["model"]


# ----------------------------------------------------------------------------- generating


def render_prompt(tokenizer: Any, messages: list[dict]) -> str:
    """The conversation rendered by the tokenizer's chat template, ready for the assistant's turn."""
    if not getattr(tokenizer, "chat_template", None):
        raise StudioError("the model's tokenizer has no chat template", hint="use a chat model")
    plain = [{"role": m["role"], "content": m["content"]} for m in messages]
    return tokenizer.apply_chat_template(plain, add_generation_prompt=True, tokenize=False)


def split_channels(raw: str, special_tokens: list[str]) -> tuple[str, str]:
    """(analysis, final) text of a raw completion. Harmony channel markup is parsed; text without
    it is all final. Other special tokens are removed."""
    if "<|message|>" in raw:
        parts: dict[str, list[str]] = {"analysis": [], "final": []}
        for channel, text in _MESSAGE.findall(raw):
            parts["analysis" if channel in ("analysis", "commentary") else "final"].append(text)
        analysis, final = "\n".join(parts["analysis"]), "\n".join(parts["final"])
    else:
        analysis, final = "", raw
        for stop in _STOP_TOKENS:
            final = final.split(stop, 1)[0]
    for token in special_tokens:
        analysis, final = analysis.replace(token, ""), final.replace(token, "")
    return analysis.strip(), final.strip()


def _special_tokens(tokenizer: Any) -> list[str]:
    added = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    tokens = {t.content for t in added.values() if getattr(t, "special", False)}
    tokens.update(tokenizer.all_special_tokens)
    return sorted(tokens, key=len, reverse=True)


def _generate_kwargs(loaded: LoadedModel, settings: GenerationSettings) -> dict[str, Any]:
    tokenizer = loaded.tokenizer
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    kwargs: dict[str, Any] = {
        "max_new_tokens": settings.max_new_tokens,
        "repetition_penalty": settings.repetition_penalty,
        "eos_token_id": loaded.stop_ids or None,
        "pad_token_id": pad,
    }
    if settings.temperature > 0:
        kwargs.update(do_sample=True, temperature=settings.temperature, top_p=settings.top_p)
    else:
        kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
    return kwargs


def _inputs(loaded: LoadedModel, conversations: list[list[dict]]) -> Any:
    """Token ids of rendered prompts, left-padded into one batch (answers start in one column)."""
    tokenizer = loaded.tokenizer
    texts = [render_prompt(tokenizer, messages) for messages in conversations]
    side, tokenizer.padding_side = tokenizer.padding_side, "left"
    try:
        encoded = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    finally:
        tokenizer.padding_side = side
    return encoded.to(loaded.model.device)


def generate_many(
    loaded: LoadedModel, conversations: list[list[dict]], settings: GenerationSettings | None = None
) -> list[Completion]:
    """The model's answers to several conversations, generated as one batch.

    Each answer's `seconds` is its share of the batch's time."""
    import time

    import torch

    settings = settings or GenerationSettings()
    inputs = _inputs(loaded, conversations)
    torch.manual_seed(settings.seed)
    started = time.perf_counter()
    with torch.inference_mode():
        output = loaded.model.generate(**inputs, **_generate_kwargs(loaded, settings))
    seconds = (time.perf_counter() - started) / len(conversations)
    special, stops = _special_tokens(loaded.tokenizer), set(loaded.stop_ids)
    completions = []
    for row in output[:, inputs["input_ids"].shape[1] :].tolist():
        length = next((i + 1 for i, token in enumerate(row) if token in stops), len(row))
        raw = loaded.tokenizer.decode(row[:length], skip_special_tokens=False)
        analysis, text = split_channels(raw, special)
        completions.append(Completion(text, analysis, length, seconds))
    return completions


def generate(
    loaded: LoadedModel, messages: list[dict], settings: GenerationSettings | None = None
) -> Completion:
    """The model's answer to one conversation (system/user/assistant messages), all at once."""
    return generate_many(loaded, [messages], settings)[0]


def stream(
    loaded: LoadedModel,
    messages: list[dict],
    settings: GenerationSettings | None = None,
    stop: threading.Event | None = None,
) -> Iterator[tuple[str, str]]:
    """Yield (analysis, final) text so far as tokens arrive. Setting `stop`, or closing the
    iterator early (a closed page), stops the generation thread at its next token."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

    settings = settings or GenerationSettings()
    inputs = _inputs(loaded, [messages])
    streamer = TextIteratorStreamer(loaded.tokenizer, skip_prompt=True, timeout=600.0)
    stop_flag = stop or threading.Event()

    class _StopWhenAsked(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
            return stop_flag.is_set()

    kwargs = _generate_kwargs(loaded, settings)
    kwargs.update(streamer=streamer, stopping_criteria=StoppingCriteriaList([_StopWhenAsked()]))
    errors: list[BaseException] = []

    def work() -> None:
        torch.manual_seed(settings.seed)
        try:
            with torch.inference_mode():
                loaded.model.generate(**inputs, **kwargs)
        except BaseException as err:  # reported to the caller below, after the streamer ends
            errors.append(err)
            streamer.end()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    special, raw = _special_tokens(loaded.tokenizer), ""
    try:
        for piece in streamer:
            raw += piece
            yield split_channels(raw, special)
    finally:
        stop_flag.set()
        thread.join()
    if errors:
        raise StudioError(f"generation failed: {errors[0]}") from errors[0]
