"""One training run in its own process: SFT with a LoRA adapter on chat conversations.

A run of several processes (hardware.strategy other than single) starts `accelerate launch`
from this process, which holds the run's lock and records how the launch ended; each rank runs
this module again with --worker (core.train.launch)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import time
import traceback
from pathlib import Path
from typing import Any

from core.errors import StudioError, cli_main
from core.fsutil import atomic_write_text
from core.train import launch
from core.train.backends import (
    Backend,
    import_first,
    load_model,
    trainer_overrides,
)
from core.train.config import (
    STRATEGIES,
    TrainConfig,
    load_config,
    resolve_path,
    save_config,
    with_values,
)
from core.train.inputs import preflight, prepare_base_model, read_conversations
from core.train.run_folder import (
    CONFIG,
    LOCK,
    LOG,
    METRICS,
    STATUS,
    STOP,
    RunFolder,
    atomic_folder,
    list_checkpoints,
    read_metrics,
    read_status,
    write_status,
)
from core.train.runs import config_fingerprint, data_fingerprint, freeze_config, refuse_changed
from core.workspace import REPO_ROOT, workspace_root

_GENERATION = re.compile(r"\{%-?\s*generation\s*-?%\}")


_held_lock: list[int] = []  # the run's lock stays held for the whole life of the process


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
        ddp_find_unused_parameters=False,  # every adapter weight takes part in each step
        dataloader_pin_memory=not backend.on_cpu,
        **trainer_overrides(cfg, backend),
    )


def train(cfg: TrainConfig, run_dir: Path, workspace: Path | None, resume: str | None) -> str:
    """Train `cfg` into `run_dir` (resuming from a checkpoint name or 'last'); the final state."""
    import torch  # noqa: F401  (the run needs it; loaded, it answers the backend check here)

    _skip_hub_kernel_notice()
    backend = preflight(cfg, workspace)
    import_first(backend)
    if backend.on_cpu and cfg.hardware.world_size > 1:
        _load_onto_cpu_ranks()
    checkpoint = _checkpoint_to_resume(run_dir, resume)
    trainer, recorder = make_trainer(cfg, backend, run_dir, workspace)
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    return _finish(trainer, run_dir, recorder.stop_requested)


def make_trainer(cfg: TrainConfig, backend: Backend, run_dir: Path, workspace: Path | None):
    """(SFTTrainer, RunRecorder) for the run: base model + LoRA, datasets, callbacks."""
    with _main_process_first():
        model_path = prepare_base_model(cfg, workspace)
    _quiet_libraries()
    from transformers import PrinterCallback, set_seed
    from trl import SFTTrainer

    from core.train.callbacks import RunRecorder

    model, tokenizer, peft_config = load_model(cfg, backend, model_path)
    mode = loss_mode(cfg, tokenizer)
    t = cfg.training
    train_set = to_dataset(read_conversations(resolve_path(t.dataset_path, workspace)), mode)
    eval_set = t.eval_dataset_path and to_dataset(
        read_conversations(resolve_path(t.eval_dataset_path, workspace)), mode
    )
    recorder = RunRecorder(run_dir, echo=_is_main_process())
    args = sft_config(cfg, backend, run_dir, bool(eval_set), mode)
    if cfg.hardware.strategy == "fsdp" and backend.on_cpu:
        _fsdp_on_cpu()
    set_seed(t.seed)  # the adapter starts the same on every rank (and in every run of the seed)
    trainer: Any = SFTTrainer(
        model=model,
        args=args,
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


def _load_onto_cpu_ranks() -> None:
    """On the CPU accelerate names each rank's device cpu:N, and the Trainer resumes a DDP run's
    optimiser onto it, a place torch.load does not know: teach torch that cpu:N is the CPU."""
    import torch

    def on_cpu(storage, location: str):
        return storage if location.startswith("cpu:") else None

    torch.serialization.register_package(99, lambda _storage: None, on_cpu)


def _fsdp_on_cpu() -> None:
    """accelerate 1.15 keeps FSDP for GPUs: a CPU launch is MULTI_CPU and its FSDP plugin is
    dropped. torch's FSDP2 shards over gloo too, so once accelerate's shared state exists it is
    switched to FSDP (with the plugin built from the launch's FSDP_* variables), as accelerate
    does itself on a GPU, before the Trainer reads it."""
    from accelerate import Accelerator
    from accelerate.state import AcceleratorState, PartialState
    from accelerate.utils import DistributedType, FullyShardedDataParallelPlugin

    Accelerator(cpu=True)
    state = AcceleratorState()
    state.fsdp_plugin = FullyShardedDataParallelPlugin()
    state.distributed_type = DistributedType.FSDP
    PartialState._shared_state["distributed_type"] = DistributedType.FSDP


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
    whole = _gathered_adapter(trainer)
    if trainer.accelerator.is_main_process:
        with atomic_folder(run_dir / "adapter") as tmp:
            trainer.model.save_pretrained(tmp, state_dict=whole)
            trainer.processing_class.save_pretrained(tmp)
        (run_dir / STOP).unlink(missing_ok=True)
        write_status(run_dir, state=state, ended=time.time(), step=trainer.state.global_step)
    return state


def _gathered_adapter(trainer) -> dict | None:
    """Under FSDP or ZeRO-3 each rank holds a shard of every weight: the trainable ones (the
    adapter, not the frozen base) gathered whole onto rank 0's CPU; None when rank 0 holds them
    already. Every rank calls it (the gathering is collective)."""
    if trainer.is_fsdp_enabled:
        from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

        options = StateDictOptions(
            full_state_dict=True, cpu_offload=True, ignore_frozen_params=True
        )
        return get_model_state_dict(trainer.model, options=options)
    if trainer.is_deepspeed_enabled and trainer.accelerator.state.deepspeed_plugin.zero_stage == 3:
        return trainer.accelerator.get_state_dict(trainer.deepspeed)
    return None


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
    aside = RunFolder(run_dir).discarded / time.strftime("%Y%m%d-%H%M%S")
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


def _is_main_process() -> bool:
    return launch.rank() == 0


def _main_process_first():
    """Under accelerate launch, let rank 0 build the demo model before the others look for it."""
    import contextlib

    if int(os.environ.get("WORLD_SIZE", "1")) == 1:
        return contextlib.nullcontext()
    from accelerate import PartialState

    return PartialState().main_process_first()


class _HubKernelNotice(logging.Filter):
    """Drops bitsandbytes' notice that its optional fused CPU kernel (fetched from the hub by the
    `kernels` package) is absent: runs never fetch code from a hub, and the built-in kernel works."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "kernels-community" not in record.getMessage()


def _skip_hub_kernel_notice() -> None:
    logging.getLogger("bitsandbytes.backends.cpu.ops").addFilter(_HubKernelNotice())


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
    """The run folder and its frozen config (written from --config when given, with the
    command line's hardware choices over the config's)."""
    if args.config is None:
        if args.run_dir is None:
            raise StudioError("give --config, or --run-dir of an existing run")
        if _hardware_overrides(args):
            raise StudioError(
                "--processes, --strategy and --machine-rank apply when a run starts",
                hint="a run resumes with the hardware it started with: drop them",
            )
        run_dir = Path(args.run_dir).resolve()
        return run_dir, load_config(run_dir / CONFIG)
    cfg = with_values(load_config(args.config), _hardware_overrides(args))
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
    save_config(frozen, run_dir / CONFIG)
    return run_dir, frozen


def _hardware_overrides(args: argparse.Namespace) -> dict[str, object]:
    given = {
        "hardware.processes": args.processes,
        "hardware.strategy": args.strategy,
        "hardware.machine_rank": args.machine_rank,
    }
    return {key: value for key, value in given.items() if value is not None}


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
    parser.add_argument(
        "--processes", type=int, help="training processes on this machine (hardware.processes)"
    )
    parser.add_argument(
        "--strategy", choices=STRATEGIES, help="how they share the work (hardware.strategy)"
    )
    parser.add_argument(
        "--machine-rank", type=int, help="this machine's rank, 0 on the main one (several machines)"
    )
    parser.add_argument("--lock-fd", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


@cli_main
def main(argv: list[str] | None = None) -> int:
    """CLI: one run (see the module docstring); 0 when it completed or stopped."""
    args = _parse(argv)
    workspace = workspace_root(args.workspace)
    if args.worker:
        return _work(Path(args.run_dir).resolve(), workspace, args.resume)
    if "LOCAL_RANK" in os.environ:
        raise StudioError(
            "core.train starts accelerate itself: run it without accelerate launch",
            hint="python -m core.train --config C --processes 2 --strategy ddp",
        )
    try:
        run_dir, cfg = _open_run(args, workspace)
    except StudioError as err:  # a bad config: recorded when --run-dir names a fresh folder
        if args.run_dir is not None and not (Path(args.run_dir) / STATUS).exists():
            Path(args.run_dir).mkdir(parents=True, exist_ok=True)
            write_status(Path(args.run_dir), state="failed", ended=time.time(), error=str(err))
        raise
    if args.resume is not None:
        refuse_changed(run_dir, read_status(run_dir))  # the studio's Resume asked already
    _hold_lock(run_dir, args.lock_fd)
    _record_start(run_dir, cfg, resumed=args.resume is not None)
    # `kill PID` stops the run like the Stop button: a checkpoint, then the end
    signal.signal(signal.SIGTERM, lambda *_: (run_dir / STOP).touch())
    if cfg.hardware.launched:
        return _launch(cfg, run_dir, workspace, args.resume)
    try:
        state = train(cfg, run_dir, workspace, args.resume)
    except StudioError as err:
        write_status(run_dir, state="failed", ended=time.time(), error=str(err))
        raise
    except Exception as err:
        tail = traceback.format_exc().strip().splitlines()[-15:]
        message = f"{type(err).__name__}: {err}".strip()
        write_status(run_dir, state="failed", ended=time.time(), error=message, error_tail=tail)
        traceback.print_exc()
        return 1
    print(f"run {state}: {run_dir}", flush=True)
    return 0


def _record_start(run_dir: Path, cfg: TrainConfig, resumed: bool) -> None:
    before, now = read_status(run_dir), time.time()
    hw = cfg.hardware
    write_status(
        run_dir,
        state="running",
        pid=os.getpid(),
        world_size=hw.world_size,
        strategy=hw.strategy,
        machine_rank=hw.machine_rank,
        ranks=None if hw.launched else [{"rank": 0, "pid": os.getpid()}],
        started=before.get("started") or now,
        resumed=now if resumed else None,
        ended=None,
        error=None,
        error_tail=None,
        **({} if resumed else _fingerprints(cfg)),
    )


def _fingerprints(cfg: TrainConfig) -> dict[str, Any]:
    """What a later resume checks: the fresh run's data and config fingerprints (none when the
    data is missing: preflight says so next)."""
    try:
        return {"data": data_fingerprint(cfg), "config": config_fingerprint(cfg)}
    except OSError:
        return {}


# ---------------------------------------------------------------- several processes


def _launch(cfg: TrainConfig, run_dir: Path, workspace: Path, resume: str | None) -> int:
    """Run the workers under `accelerate launch` (this process holds the run's lock), watch each
    rank of this machine, and record how the launch ended."""
    try:
        backend = preflight(cfg, workspace)
    except StudioError as err:
        write_status(run_dir, state="failed", ended=time.time(), error=str(err))
        raise
    launch.clear_ranks(run_dir)
    launch.write_launch_files(run_dir, cfg, backend.on_cpu)
    path = os.pathsep.join(filter(None, (str(REPO_ROOT), os.environ.get("PYTHONPATH"))))
    child = subprocess.Popen(
        launch.launch_argv(run_dir, workspace, resume),
        cwd=REPO_ROOT,
        env=os.environ | {"PYTHONPATH": path},
    )
    gone: dict[int, float] = {}
    while True:
        try:
            child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            launch.watch_ranks(run_dir, gone)
    launch.watch_ranks(run_dir, gone)
    return _launch_ended(run_dir, cfg, child.returncode, gone)


def _launch_ended(run_dir: Path, cfg: TrainConfig, code: int, gone: dict[int, float]) -> int:
    """Record the end of a launch that rank 0 did not record (a rank failed, or this is not the
    main machine); 0 when the run completed or stopped."""
    state = read_status(run_dir).get("state")
    if state in ("completed", "stopped"):
        return 0
    if code == 0 and cfg.hardware.machine_rank > 0:
        ended = "stopped" if (run_dir / STOP).exists() else "completed"
        note = "the main machine (rank 0) keeps the metrics, checkpoints and adapter"
        write_status(run_dir, state=ended, ended=time.time(), notes=[note])
        return 0
    cause = launch.lost_rank(run_dir, gone) or (
        f"accelerate launch ended with exit code {code}",
        launch.tail(run_dir / LOG),
    )
    found = list_checkpoints(run_dir)
    hint = f"resume from {found[-1].path.name}" if found else "no checkpoint to resume from"
    write_status(
        run_dir, state="failed", ended=time.time(), error=f"{cause[0]}; {hint}", error_tail=cause[1]
    )
    print(f"run failed: {cause[0]}", flush=True)
    return 1


def _work(run_dir: Path, workspace: Path, resume: str | None) -> int:
    """One rank of a launched run: train, and record in ranks/ how it ended (the launching
    process records the run's end from these)."""
    launch.record_rank(run_dir, started=time.time())
    signal.signal(signal.SIGTERM, lambda signum, _: _terminated(run_dir, signum))
    if launch.rank() != 0:
        launch.log_to_rank_file(run_dir)
    try:
        state = train(load_config(run_dir / CONFIG), run_dir, workspace, resume)
    except Exception as err:
        message = str(err) if isinstance(err, StudioError) else f"{type(err).__name__}: {err}"
        tail = traceback.format_exc().strip().splitlines()[-15:]
        launch.record_rank(run_dir, error=message, error_at=time.time(), error_tail=tail)
        traceback.print_exc()
        return 1
    launch.record_rank(run_dir, ended=time.time(), state=state)
    return 0


def _terminated(run_dir: Path, signum: int) -> None:
    """A rank ended by SIGTERM (accelerate ends the other ranks once one has failed) records it
    and exits at once, so that the rank that failed first is the one the run's error names."""
    launch.record_rank(run_dir, terminated=time.time())
    os._exit(128 + signum)
