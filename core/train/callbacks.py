"""The trainer callback of a run: metrics.jsonl, status.json, the stop request, the last checkpoint.

One JSON object per logging step goes to metrics.jsonl (step, epoch, loss, learning_rate,
grad_norm, eval_loss, tokens, tokens_per_second, elapsed, eta); status.json follows the run.
Only the main process writes, so the same callback serves `accelerate launch`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from core.train.run_folder import (
    METRICS,
    STOP,
    progress_line,
    read_metrics,
    repair_metrics,
    write_status,
)

FIELDS = (
    "step",
    "epoch",
    "loss",
    "learning_rate",
    "grad_norm",
    "eval_loss",
    "mean_token_accuracy",
    "tokens",
    "tokens_per_second",
    "elapsed",
    "eta",
)


class RunRecorder(TrainerCallback):
    """Records a run as it trains and ends it cleanly when a stop file appears."""

    def __init__(self, run_dir: Path, echo: bool = True) -> None:
        self.run_dir = Path(run_dir)
        self.echo = echo
        self.stop_requested = False
        repair_metrics(self.run_dir)
        history, _ = read_metrics(self.run_dir)
        # Steps already recorded (a resume replays the steps after its checkpoint: not twice).
        self.logged = {
            kind: max((r["step"] for r in history if r.get(kind) is not None), default=0)
            for kind in ("loss", "eval_loss")
        }
        self.elapsed_before = max((r.get("elapsed") or 0.0 for r in history), default=0.0)
        self.started = self.mark_time = time.monotonic()
        self.start_step = 0
        self.mark_tokens = 0

    # -- events ---------------------------------------------------------------------------

    def on_train_begin(self, args, state, control, **kwargs):
        """Start the clocks; record the planned step count (and every rank's pid)."""
        self.started = self.mark_time = time.monotonic()
        self.start_step, self.mark_tokens = state.global_step, state.num_input_tokens_seen
        ranks = _every_rank() if args.world_size > 1 else None
        if state.is_world_process_zero:
            found = {"ranks": ranks} if ranks else {}
            write_status(self.run_dir, step=state.global_step, max_steps=state.max_steps, **found)

    def on_step_end(self, args, state, control, **kwargs):
        """Stop (with a checkpoint) when asked; checkpoint the last step."""
        if self._stop_seen(args):
            self.stop_requested = True
            control.should_save = control.should_training_stop = True
        elif state.global_step >= state.max_steps:
            control.should_save = True  # a final checkpoint: a finished run can train on later
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        """Append a metrics record and update status.json (main process only)."""
        logs = logs or {}
        kind = "loss" if "loss" in logs else "eval_loss" if "eval_loss" in logs else None
        if not state.is_world_process_zero or kind is None:
            return
        if state.global_step <= self.logged[kind]:
            return
        self.logged[kind] = state.global_step
        record = self._record(state, logs)
        with open(self.run_dir / METRICS, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        write_status(
            self.run_dir,
            state="stopping" if (self.run_dir / STOP).exists() else "running",
            step=state.global_step,
            max_steps=state.max_steps,
            epoch=record["epoch"],
        )
        if self.echo:
            print(progress_line(record, state.max_steps), flush=True)

    # -- helpers ----------------------------------------------------------------------------

    def _record(self, state, logs: dict[str, Any]) -> dict[str, Any]:
        now = time.monotonic()
        tokens = state.num_input_tokens_seen
        values = {key: logs.get(key) for key in FIELDS} | {
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "eval_loss": logs.get("eval_loss"),
            "mean_token_accuracy": logs.get("mean_token_accuracy"),
            "tokens": tokens,
            "elapsed": round(self.elapsed_before + now - self.started, 3),
        }
        if "loss" in logs:
            span = now - self.mark_time
            values["tokens_per_second"] = (
                round((tokens - self.mark_tokens) / span, 1) if span else None
            )
            self.mark_time, self.mark_tokens = now, tokens
            done = state.global_step - self.start_step
            per_step = (now - self.started) / done if done else 0.0
            values["eta"] = round(per_step * (state.max_steps - state.global_step), 1)
        return values

    def _stop_seen(self, args) -> bool:
        """Whether the stop file exists; under several processes, as rank 0 saw it."""
        seen = (self.run_dir / STOP).exists()
        if args.world_size > 1:
            import torch.distributed as dist

            flag = [seen]
            dist.broadcast_object_list(flag, src=0)
            seen = bool(flag[0])
        return seen


def _every_rank() -> list[dict[str, Any]]:
    """Each rank's number, pid and host, gathered from all of them (a collective: every rank)."""
    import os
    import socket

    import torch.distributed as dist

    mine = {"rank": dist.get_rank(), "pid": os.getpid(), "host": socket.gethostname()}
    found: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(found, mine)
    return found
