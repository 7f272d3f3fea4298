"""Benchmark the training engine against a plain TRL script, and packing on versus off.

    python -m bench.bench_train [--steps 40] [--rounds 3] [--threads N] [--workspace DIR]

On the local demo model and the bundled corpus (prepared as the pipeline does), one process
alternates rounds of `core.train`'s trainer (its callback writing metrics.jsonl and status.json,
its final checkpoint) and of a plain `SFTTrainer` built from the same model, data and
hyperparameters. Only `trainer.train()` is timed. It prints seconds/step (wall clock and CPU
time) and tokens/second per round, the engine/plain ratios (target: at most 1.05), then
tokens/second of the engine with packing on and off. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.models.tiny import ensure_tiny_model
from core.pipeline import prepare_data
from core.train.backends import Backend, load_model, trainer_overrides
from core.train.config import TrainConfig, load_config, with_values
from core.train.inputs import read_conversations
from core.train.trainer import loss_mode, make_trainer, to_dataset
from core.workspace import CONFIG_DIR, workspace_root


def bench_config(model: Path, data: Path, steps: int, packing: bool = False) -> TrainConfig:
    """The demo config on `model` and `data`, for `steps` steps, no checkpoints along the way."""
    return with_values(
        load_config(CONFIG_DIR / "cpu-demo.yaml"),
        {
            "base_model": str(model),
            "build_tiny_if_missing": False,
            "backend": "cpu",
            "training.dataset_path": str(data),
            "training.eval_dataset_path": "",
            "training.max_steps": steps,
            "training.save_steps": 10 * steps,
            "training.logging_steps": 1,
            "training.packing": packing,
        },
    )


def engine_trainer(cfg: TrainConfig, scratch: Path):
    """The trainer `python -m core.train` builds, writing into a fresh run folder."""
    run_dir = Path(tempfile.mkdtemp(dir=scratch, prefix="engine-"))
    return make_trainer(cfg, Backend("cpu", "bench"), run_dir, None)[0]


def plain_trainer(cfg: TrainConfig, scratch: Path):
    """What a plain TRL script would build: same model, LoRA, data and SFTConfig values."""
    from trl import SFTConfig, SFTTrainer

    backend, t = Backend("cpu", "bench"), cfg.training
    model, tokenizer, peft_config = load_model(cfg, backend, cfg.base_model)
    mode = loss_mode(cfg, tokenizer)
    args = SFTConfig(
        output_dir=tempfile.mkdtemp(dir=scratch, prefix="plain-"),
        max_steps=t.max_steps,
        per_device_train_batch_size=t.per_device_train_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler_type,
        warmup_steps=t.warmup_ratio,
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm,
        logging_steps=t.logging_steps,
        save_steps=t.save_steps,
        seed=t.seed,
        gradient_checkpointing=t.gradient_checkpointing,
        max_length=cfg.max_seq_length,
        packing=t.packing,
        assistant_only_loss=mode == "assistant",
        include_num_input_tokens_seen="non_padding",
        report_to="none",
        disable_tqdm=True,
        dataloader_pin_memory=False,
        **trainer_overrides(cfg, backend),
    )
    data = to_dataset(read_conversations(Path(t.dataset_path)), mode)
    return SFTTrainer(
        model=model,
        args=args,
        train_dataset=data,
        processing_class=tokenizer,
        peft_config=peft_config,
    )


def timed(trainer) -> dict[str, float]:
    """Train (output silenced); wall and CPU seconds/step and tokens/second of `train()` alone.
    CPU time counts only this process's work, so it stays fair on a busy machine."""
    with contextlib.redirect_stdout(io.StringIO()):
        wall, cpu = time.perf_counter(), time.process_time()
        trainer.train()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps, tokens = trainer.state.global_step, trainer.state.num_input_tokens_seen
    return {"s_per_step": wall / steps, "cpu_per_step": cpu / steps, "tok_per_s": tokens / wall}


def compare(cfg: TrainConfig, rounds: int, scratch: Path) -> None:
    """Alternate engine and plain rounds (after one warm-up of each); print the ratio."""
    timed(engine_trainer(cfg, scratch)), timed(plain_trainer(cfg, scratch))
    results: dict[str, list[dict[str, float]]] = {"engine": [], "plain": []}
    for number in range(1, rounds + 1):
        for name, make in (("engine", engine_trainer), ("plain", plain_trainer)):
            result = timed(make(cfg, scratch))
            results[name].append(result)
            print(
                f"round {number} {name:6s} {result['s_per_step']:.3f} s/step "
                f"({result['cpu_per_step']:.3f} CPU s/step) {result['tok_per_s']:8.0f} tok/s",
                flush=True,
            )
    for key, label in (("s_per_step", "wall"), ("cpu_per_step", "CPU")):
        engine = [r[key] for r in results["engine"]]
        plain = [r[key] for r in results["plain"]]
        median = statistics.median(engine) / statistics.median(plain)
        best = min(engine) / min(plain)
        print(f"ratio engine/plain, {label} s/step: median {median:.3f}, best {best:.3f}")
    tokens = {n: statistics.median(r["tok_per_s"] for r in rs) for n, rs in results.items()}
    print(f"median tok/s: engine {tokens['engine']:.0f}, plain {tokens['plain']:.0f}")


def packing(model: Path, data: Path, steps: int, rounds: int, scratch: Path) -> None:
    """Tokens/second of the engine with packing off and on, alternating."""
    import logging

    logging.getLogger("trl").setLevel(logging.ERROR)  # the warnings about flash attention
    found: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(rounds):
        for packed in (False, True):
            cfg = bench_config(model, data, steps, packing=packed)
            found[packed].append(timed(engine_trainer(cfg, scratch))["tok_per_s"])
    off, on = statistics.median(found[False]), statistics.median(found[True])
    print(f"packing off {off:.0f} tok/s, on {on:.0f} tok/s (x{on / off:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40, help="optimisation steps per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each kind")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    parser.add_argument("--workspace", type=Path, help="where the demo model is cached")
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    workspace = workspace_root(args.workspace)
    model = ensure_tiny_model(workspace)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as scratch:
        chats = prepare_data(Path(scratch), say=lambda _m: None)
        print(f"tiny model {model}; {len(read_conversations(chats['train']))} train conversations")
        print(f"{args.steps} steps per round, {torch.get_num_threads()} threads")
        compare(bench_config(model, chats["train"], args.steps), args.rounds, Path(scratch))
        packing(model, chats["train"], args.steps, args.rounds, Path(scratch))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
