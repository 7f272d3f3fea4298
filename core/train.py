"""One training run in its own process: SFT with a LoRA adapter on Harmony conversations.

    python -m core.train --config CONFIG [--run-dir DIR] [--resume [CHECKPOINT]]
    accelerate launch -m core.train --config CONFIG --run-dir DIR      (several GPUs)

Inputs are checked before any model is loaded (datasets, base model folder, backend), so a bad
input is one clear line on the command line and in status.json. The run folder then fills with
metrics.jsonl, status.json, checkpoints/ and, at the end, adapter/ (see core.runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import time
import traceback
from pathlib import Path

from core.backends import (
    Backend,
    choose_backend,
    import_first,
    load_model,
    model_source,
    trainer_overrides,
)
from core.config import TrainConfig, load_config, local_model_path, resolve_path, save_config
from core.errors import StudioError, cli_main
from core.fsutil import atomic_write_text
from core.runs import (
    CONFIG,
    LOCK,
    METRICS,
    STATUS,
    STOP,
    atomic_folder,
    freeze_config,
    list_checkpoints,
    read_metrics,
    read_status,
    write_status,
)
from core.workspace import workspace_root

ROLES = ("system", "developer", "user", "assistant")
_GENERATION = re.compile(r"\{%-?\s*generation\s*-?%\}")
_held_lock: list[int] = []  # the run's lock stays held for the whole life of the process


# ----------------------------------------------------------------------------- inputs


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
    """Everything that can be checked without loading a model; the backend that will run."""
    t = cfg.training
    read_conversations(resolve_path(t.dataset_path, workspace))
    if t.eval_dataset_path:
        read_conversations(resolve_path(t.eval_dataset_path, workspace))
    local = local_model_path(cfg.base_model, workspace)
    if not (local is not None and cfg.build_tiny_if_missing):
        model_source(cfg, workspace)
    return choose_backend(cfg)


def prepare_base_model(cfg: TrainConfig, workspace: Path | None) -> str:
    """The base model to load; the demo model is built first when the config asks for it."""
    local = local_model_path(cfg.base_model, workspace)
    if local is not None and cfg.build_tiny_if_missing and not (local / "config.json").is_file():
        from core.tiny import build_tiny_model

        print(f"building the demo model into {local}", flush=True)
        build_tiny_model(local)
    return model_source(cfg, workspace)


def base_tokenizer(cfg: TrainConfig, workspace: Path | None):
    """The base model's tokenizer, from files on this machine only (the demo model is built
    first when the config asks for it)."""
    source = prepare_base_model(cfg, workspace)
    from transformers import AutoTokenizer  # heavy: imported only when asked for

    try:
        return AutoTokenizer.from_pretrained(source, local_files_only=True)
    except OSError as err:
        raise StudioError(
            f"the tokenizer of {source} is not on this machine",
            where="base_model",
            hint="download the model once (or use config/cpu-demo.yaml); nothing here downloads",
        ) from err


# ----------------------------------------------------------------------------- datasets


def loss_mode(cfg: TrainConfig, tokenizer) -> str:
    """'assistant' (template has {% generation %} markers), 'completion' (prompt/completion
    pairs, for templates without them) or 'full' (every token counts)."""
    if not cfg.training.assistant_only_loss:
        return "full"
    template = tokenizer.chat_template
    if isinstance(template, dict):
        template = template.get("default")
    if not template:
        raise StudioError(
            "the base model's tokenizer has no chat template",
            where="base_model",
            hint="use an instruct/chat model, or a folder whose tokenizer defines chat_template",
        )
    return "assistant" if _GENERATION.search(template) else "completion"


def loss_tokens(tokenizer, messages: list[dict], mode: str) -> list[tuple[str, bool]]:
    """Each token of the rendered conversation and whether the loss of `mode` counts it."""
    if mode == "assistant":
        out = tokenizer.apply_chat_template(
            messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
        )
        ids, mask = out["input_ids"], out["assistant_masks"]
    else:
        ids = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
        if mode == "completion":
            prompt = tokenizer.apply_chat_template(
                messages[:-1], tokenize=True, return_dict=True, add_generation_prompt=True
            )["input_ids"]
            mask = [0] * len(prompt) + [1] * (len(ids) - len(prompt))
        else:
            mask = [1] * len(ids)
    return [(tokenizer.decode([i]), bool(m)) for i, m in zip(ids, mask, strict=True)]


def to_dataset(conversations: list[list[dict[str, str]]], mode: str):
    """A datasets.Dataset in the shape TRL expects for the loss mode."""
    from datasets import Dataset

    if mode == "completion":  # TRL renders the prompt without and with the answer
        rows = [{"prompt": c[:-1], "completion": c[-1:]} for c in conversations]
    else:
        rows = [{"messages": c} for c in conversations]
    return Dataset.from_list(rows)


def sft_config(cfg: TrainConfig, backend: Backend, run_dir: Path, evaluate: bool, mode: str):
    """TRL's SFTConfig for this run."""
    from trl import SFTConfig

    t = cfg.training
    return SFTConfig(
        output_dir=str(run_dir / "checkpoints"),
        num_train_epochs=t.num_train_epochs,
        max_steps=t.max_steps,
        per_device_train_batch_size=t.per_device_train_batch_size,
        per_device_eval_batch_size=t.per_device_train_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler_type,
        warmup_steps=t.warmup_ratio,  # below 1: a share of the steps
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm,
        logging_steps=t.logging_steps,
        logging_first_step=True,
        eval_strategy="steps" if evaluate else "no",
        eval_steps=t.eval_steps,
        save_strategy="steps",
        save_steps=t.save_steps,
        save_total_limit=t.save_total_limit,
        seed=t.seed,
        gradient_checkpointing=t.gradient_checkpointing and backend.name != "unsloth",
        max_length=cfg.max_seq_length,
        packing=t.packing,
        assistant_only_loss=mode == "assistant",
        completion_only_loss=mode == "completion",
        include_num_input_tokens_seen="non_padding",
        report_to="none",
        disable_tqdm=True,
        dataloader_pin_memory=not backend.on_cpu,
        **trainer_overrides(cfg, backend),
    )


# ----------------------------------------------------------------------------- the run


def train(cfg: TrainConfig, run_dir: Path, workspace: Path | None, resume: str | None) -> str:
    """Train `cfg` into `run_dir` (resuming from a checkpoint name or 'last'); the final state."""
    import torch  # noqa: F401  (the run needs it; loaded, it answers the backend check here)

    backend = preflight(cfg, workspace)
    import_first(backend)
    if _is_main_process():  # `kill PID` stops the run like the Stop button: checkpoint, then exit
        signal.signal(signal.SIGTERM, lambda *_: (run_dir / STOP).touch())
    checkpoint = _checkpoint_to_resume(run_dir, resume)
    trainer, recorder = make_trainer(cfg, backend, run_dir, workspace)
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    return _finish(trainer, run_dir, recorder.stop_requested)


def make_trainer(cfg: TrainConfig, backend: Backend, run_dir: Path, workspace: Path | None):
    """(SFTTrainer, RunRecorder) for the run: base model + LoRA, datasets, callbacks."""
    with _main_process_first():
        model_path = prepare_base_model(cfg, workspace)
    _quiet_libraries()
    from transformers import PrinterCallback
    from trl import SFTTrainer

    from core.train_callbacks import RunRecorder

    model, tokenizer, peft_config = load_model(cfg, backend, model_path)
    mode = loss_mode(cfg, tokenizer)
    t = cfg.training
    train_set = to_dataset(read_conversations(resolve_path(t.dataset_path, workspace)), mode)
    eval_set = t.eval_dataset_path and to_dataset(
        read_conversations(resolve_path(t.eval_dataset_path, workspace)), mode
    )
    recorder = RunRecorder(run_dir, echo=_is_main_process())
    trainer = SFTTrainer(
        model=model,
        args=sft_config(cfg, backend, run_dir, bool(eval_set), mode),
        train_dataset=train_set,
        eval_dataset=eval_set or None,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=[recorder],
    )
    trainer.remove_callback(PrinterCallback)  # the recorder prints one line per log instead
    _check_kept(len(train_set), len(trainer.train_dataset), cfg, backend)
    if _is_main_process():
        write_status(
            run_dir,
            backend=backend.name,
            backend_reason=backend.reason,
            notes=backend.notes,
            loss_mode=mode,
            examples=len(trainer.train_dataset),
        )
    return trainer, recorder


def _check_kept(read: int, kept: int, cfg: TrainConfig, backend: Backend) -> None:
    """Truncation to max_seq_length drops examples whose answer starts beyond it: say so."""
    if cfg.training.packing or kept == read:
        return
    if kept == 0:
        raise StudioError(
            f"no example has answer tokens within max_seq_length {cfg.max_seq_length}",
            where="max_seq_length",
            hint="the prompts alone are longer: raise max_seq_length",
        )
    backend.notes.append(
        f"{read - kept} of {read} examples dropped: their answer starts after "
        f"max_seq_length {cfg.max_seq_length}"
    )


def _finish(trainer, run_dir: Path, stopped: bool) -> str:
    """Save the adapter (and tokenizer) to adapter/ and record how the run ended."""
    state = "stopped" if stopped else "completed"
    if trainer.accelerator.is_main_process:
        with atomic_folder(run_dir / "adapter") as tmp:
            trainer.model.save_pretrained(tmp)
            trainer.processing_class.save_pretrained(tmp)
        (run_dir / STOP).unlink(missing_ok=True)
        write_status(run_dir, state=state, ended=time.time(), step=trainer.state.global_step)
    return state


def _checkpoint_to_resume(run_dir: Path, resume: str | None) -> Path | None:
    """The checkpoint folder `--resume` names ('last' or a checkpoint-N); later ones are set
    aside under discarded/ along with their metrics, so history follows the chosen path."""
    if resume is None:
        return None
    found = list_checkpoints(run_dir)
    if not found:
        raise StudioError(f"no checkpoint to resume from in {run_dir / 'checkpoints'}")
    if resume == "last":
        return found[-1].path
    chosen = next((c for c in found if c.path.name == resume), None)
    if chosen is None:
        names = ", ".join(c.path.name for c in found)
        raise StudioError(f"no checkpoint {resume!r}", hint=f"choose one of {names}")
    later = [c for c in found if c.step > chosen.step]
    if later and _is_main_process():
        _set_aside(run_dir, chosen.step, later)
    return chosen.path


def _set_aside(run_dir: Path, step: int, later: list) -> None:
    aside = run_dir / "discarded" / time.strftime("%Y%m%d-%H%M%S")
    aside.mkdir(parents=True, exist_ok=True)
    for checkpoint in later:
        shutil.move(checkpoint.path, aside / checkpoint.path.name)
    records, _ = read_metrics(run_dir)
    lines = {True: "", False: ""}
    for record in records:
        lines[record["step"] <= step] += json.dumps(record) + "\n"
    (aside / METRICS).write_text(lines[False], encoding="utf-8")
    atomic_write_text(run_dir / METRICS, lines[True])
    history = read_status(run_dir).get("metrics_version", 0) + 1
    write_status(run_dir, metrics_version=history)


# ----------------------------------------------------------------------------- the process


def _is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def _main_process_first():
    """Under accelerate launch, let rank 0 build the demo model before the others look for it."""
    import contextlib

    if int(os.environ.get("WORLD_SIZE", "1")) == 1:
        return contextlib.nullcontext()
    from accelerate import PartialState

    return PartialState().main_process_first()


def _quiet_libraries() -> None:
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.utils.logging.set_verbosity_warning()
    transformers.utils.logging.disable_progress_bar()


def _hold_lock(run_dir: Path, lock_fd: int | None) -> None:
    """Hold the run's lock until this process ends (runs.py hands it over when it spawns us)."""
    import fcntl

    if lock_fd is None:
        lock_fd = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StudioError(f"run {run_dir} is already training in another process") from None
    _held_lock.append(lock_fd)


def _open_run(args: argparse.Namespace, workspace: Path) -> tuple[Path, TrainConfig]:
    """The run folder and its frozen config (written from --config when given)."""
    if args.config is None:
        if args.run_dir is None:
            raise StudioError("give --config, or --run-dir of an existing run")
        run_dir = Path(args.run_dir).resolve()
        return run_dir, load_config(run_dir / CONFIG)
    cfg = load_config(args.config)
    if args.run_dir:
        run_dir, merged = Path(args.run_dir).resolve(), None
    else:
        run_dir = resolve_path(cfg.output.output_dir, workspace)
        merged = resolve_path(cfg.output.merged_dir, workspace)
    if args.resume is None and ((run_dir / METRICS).exists() or list_checkpoints(run_dir)):
        raise StudioError(
            f"{run_dir} already holds a run",
            hint="resume it with --resume, or pick another --run-dir",
        )
    frozen = freeze_config(cfg, run_dir, workspace, merged)
    run_dir.mkdir(parents=True, exist_ok=True)
    if _is_main_process():
        save_config(frozen, run_dir / CONFIG)
    return run_dir, frozen


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m core.train", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--config", type=Path, help="training config (YAML)")
    parser.add_argument("--run-dir", type=Path, help="run folder (default: output.output_dir)")
    parser.add_argument(
        "--resume",
        nargs="?",
        const="last",
        metavar="CHECKPOINT",
        help="continue from the last checkpoint, or from the one named (checkpoint-N)",
    )
    parser.add_argument("--workspace", type=Path, help="workspace for workspace/... paths")
    parser.add_argument("--lock-fd", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


@cli_main
def main(argv: list[str] | None = None) -> int:
    """CLI: one run (see the module docstring); 0 when it completed or stopped."""
    args = _parse(argv)
    workspace = workspace_root(args.workspace)
    main_process = _is_main_process()
    try:
        run_dir, cfg = _open_run(args, workspace)
    except StudioError as err:  # a bad config: recorded when --run-dir names a fresh folder
        fresh = args.run_dir is not None and not (Path(args.run_dir) / STATUS).exists()
        if main_process and fresh:
            Path(args.run_dir).mkdir(parents=True, exist_ok=True)
            write_status(Path(args.run_dir), state="failed", ended=time.time(), error=str(err))
        raise
    if main_process:
        _hold_lock(run_dir, args.lock_fd)
        _record_start(run_dir, resumed=args.resume is not None)
    try:
        state = train(cfg, run_dir, workspace, args.resume)
    except StudioError as err:
        if main_process:
            write_status(run_dir, state="failed", ended=time.time(), error=str(err))
        raise
    except Exception as err:
        tail = traceback.format_exc().strip().splitlines()[-15:]
        if main_process:
            message = f"{type(err).__name__}: {err}".strip()
            write_status(run_dir, state="failed", ended=time.time(), error=message, error_tail=tail)
        traceback.print_exc()
        return 1
    if main_process:
        print(f"run {state}: {run_dir}", flush=True)
    return 0


def _record_start(run_dir: Path, resumed: bool) -> None:
    before, now = read_status(run_dir), time.time()
    write_status(
        run_dir,
        state="running",
        pid=os.getpid(),
        started=before.get("started") or now,
        resumed=now if resumed else None,
        ended=None,
        error=None,
        error_tail=None,
    )


if __name__ == "__main__":
    raise SystemExit(main())
