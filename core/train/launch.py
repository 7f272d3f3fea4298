"""Several processes through accelerate itself: the run's accelerate config (and DeepSpeed's
JSON), the `accelerate launch` command line, and what each rank writes about itself.

A run whose strategy is not `single` is launched as
`python -m accelerate.commands.launch --config_file <run>/accelerate.yaml -m core.train --worker …`:
accelerate starts one process per rank through torchrun (its MULTI_GPU, FSDP and DEEPSPEED
types do; on the CPU the trainer's `use_cpu` makes those processes meet on the gloo backend).
Each rank writes `ranks/rank-N.json` (pid, host, how it ended) and, but rank 0, its output to
`ranks/rank-N.log`, so a rank that dies can be named with the last lines it wrote.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from core.fsutil import atomic_write_text
from core.train.config import TrainConfig
from core.train.run_folder import RunFolder


def accelerate_config(
    cfg: TrainConfig, on_cpu: bool, deepspeed_file: Path | None, port: int | None = None
) -> dict:
    """The mapping `accelerate launch --config_file` reads for the run's hardware section (on
    `port` when given, else the config's)."""
    hw = cfg.hardware
    kind = {"ddp": "MULTI_GPU", "fsdp": "FSDP"}.get(hw.strategy, "DEEPSPEED")
    mapping: dict[str, Any] = {
        "compute_environment": "LOCAL_MACHINE",
        "distributed_type": kind,
        "num_processes": hw.world_size,
        "num_machines": hw.machines,
        "machine_rank": hw.machine_rank,
        "main_process_ip": hw.main_address,
        "main_process_port": port or hw.main_port,
        "rdzv_backend": "static",
        "same_network": True,
        "mixed_precision": _precision(cfg, on_cpu),
        "use_cpu": False,  # True would make accelerate start one process; the trainer picks gloo
        "gpu_ids": "all",
        "main_training_function": "main",
        "downcast_bf16": "no",
    }
    if hw.strategy == "fsdp":
        mapping["fsdp_config"] = fsdp_options(cfg)
    elif kind == "DEEPSPEED":
        mapping["deepspeed_config"] = {
            "deepspeed_config_file": str(deepspeed_file),
            "zero3_init_flag": False,
        }
    return mapping


def fsdp_options(cfg: TrainConfig) -> dict[str, Any]:
    """FSDP2, full shard: every decoder layer its own shard unit; checkpoints sharded per rank
    (the final adapter is gathered whole, core.train.trainer)."""
    return {
        "fsdp_version": 2,
        "fsdp_auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
        "fsdp_reshard_after_forward": True,
        "fsdp_offload_params": cfg.hardware.cpu_offload,
        "fsdp_state_dict_type": "SHARDED_STATE_DICT",
        "fsdp_cpu_ram_efficient_loading": False,
        "fsdp_activation_checkpointing": False,
    }


def deepspeed_config(cfg: TrainConfig) -> dict[str, Any]:
    """DeepSpeed's JSON for ZeRO-2 or ZeRO-3 (with CPU offload when asked), its batch sizes,
    clipping and precision spelled out from the config (the Trainer checks they agree)."""
    t, hw = cfg.training, cfg.hardware
    stage = 3 if hw.strategy == "deepspeed-zero3" else 2
    zero: dict[str, Any] = {
        "stage": stage,
        "overlap_comm": True,
        "contiguous_gradients": True,
        "reduce_bucket_size": 5e8,
    }
    if hw.cpu_offload:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
        if stage == 3:
            zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    if stage == 3:
        zero["stage3_gather_16bit_weights_on_model_save"] = True
    micro, accumulate = t.per_device_train_batch_size, t.gradient_accumulation_steps
    return {
        "train_batch_size": micro * accumulate * hw.world_size,
        "train_micro_batch_size_per_gpu": micro,
        "gradient_accumulation_steps": accumulate,
        "gradient_clipping": t.max_grad_norm,
        "fp16": {"enabled": t.fp16},
        "bf16": {"enabled": t.bf16},
        "zero_optimization": zero,
        "steps_per_print": 10**9,
        "wall_clock_breakdown": False,
    }


def _precision(cfg: TrainConfig, on_cpu: bool) -> str:
    if on_cpu:
        return "no"
    return "bf16" if cfg.training.bf16 else "fp16" if cfg.training.fp16 else "no"


def write_launch_files(run_dir: Path, cfg: TrainConfig, on_cpu: bool) -> Path:
    """Write accelerate.yaml (and deepspeed.json for DeepSpeed) into the run folder; the YAML."""
    deepspeed_file = None
    if cfg.hardware.strategy.startswith("deepspeed"):
        deepspeed_file = RunFolder(run_dir).deepspeed_config
        atomic_write_text(deepspeed_file, json.dumps(deepspeed_config(cfg), indent=2) + "\n")
    path = RunFolder(run_dir).accelerate_config
    port = None if cfg.hardware.machines > 1 else free_port()  # two runs at once never clash
    mapping = accelerate_config(cfg, on_cpu, deepspeed_file, port)
    atomic_write_text(path, yaml.safe_dump(mapping, sort_keys=False))
    return path


def free_port() -> int:
    """A TCP port of this machine that no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch_argv(run_dir: Path, workspace: Path, resume: str | None) -> list[str]:
    """`accelerate launch` of the run's workers (python -m core.train --worker …)."""
    config = RunFolder(run_dir).accelerate_config
    argv = [sys.executable, "-m", "accelerate.commands.launch"]
    argv += ["--config_file", str(config), "--monitor_interval", "0.5"]
    argv += ["-m", "core.train", "--run-dir", str(run_dir), "--workspace", str(workspace)]
    return argv + ["--worker"] + (["--resume", resume] if resume else [])


# ---------------------------------------------------------------- what each rank writes


def rank() -> int:
    """This process's global rank (0 outside a launch)."""
    return int(os.environ.get("RANK", "0"))


def rank_file(run_dir: Path, number: int, suffix: str = "json") -> Path:
    return RunFolder(run_dir).ranks / f"rank-{number}.{suffix}"


def record_rank(run_dir: Path, **fields: Any) -> None:
    """Merge `fields` into this rank's ranks/rank-N.json (its pid and host on first call)."""
    path = rank_file(run_dir, rank())
    path.parent.mkdir(exist_ok=True)
    before = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    base = {"rank": rank(), "pid": os.getpid(), "host": socket.gethostname()}
    atomic_write_text(path, json.dumps(before | base | fields, indent=2) + "\n")


def log_to_rank_file(run_dir: Path) -> None:
    """Send this process's stdout and stderr (native output too) to ranks/rank-N.log."""
    path = rank_file(run_dir, rank(), "log")
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def read_ranks(run_dir: Path) -> dict[int, dict[str, Any]]:
    """Every rank file of the run: {rank: its record}."""
    found = {}
    for path in RunFolder(run_dir).ranks.glob("rank-*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being replaced right now: read on the next look
        found[int(record["rank"])] = record
    return found


def clear_ranks(run_dir: Path) -> None:
    """Forget the rank files of an earlier launch (a resume starts them afresh)."""
    for path in RunFolder(run_dir).ranks.glob("rank-*.*"):
        path.unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def tail(path: Path, lines: int = 15) -> list[str]:
    """The last `lines` lines of a text file ([] when it is missing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return text.strip().splitlines()[-lines:]


def lost_rank(run_dir: Path, gone: dict[int, float]) -> tuple[str, list[str]] | None:
    """Why the launch failed, from the ranks' records: a rank that vanished without a word
    (killed, or crashed in native code) is the cause, else the rank that reported an error
    first; (message, that rank's last lines), or None when no rank says anything."""
    ranks = read_ranks(run_dir)
    told = ("error", "terminated")  # a rank the launcher ended after another one failed says so
    silent = [r for r in sorted(gone, key=gone.__getitem__) if not any(map(ranks[r].get, told))]
    if silent:
        number = silent[0]
        message = (
            f"rank {number} (pid {ranks[number]['pid']}) ended without reporting: killed or crashed"
        )
        return message, tail(rank_file(run_dir, number, "log"))
    errors = sorted((r for r in ranks.values() if r.get("error")), key=lambda r: r["error_at"])
    if not errors:
        return None
    first = errors[0]
    return f"rank {first['rank']}: {first['error']}", first.get("error_tail") or []


def watch_ranks(run_dir: Path, gone: dict[int, float]) -> None:
    """Note (in `gone`: rank -> when) each rank of this machine whose process has vanished
    without recording how it ended."""
    host = socket.gethostname()
    for number, record in read_ranks(run_dir).items():
        ended = record.get("ended") or record.get("error") or record.get("terminated")
        if number in gone or ended or record.get("host") != host:
            continue
        if not pid_alive(int(record["pid"])):
            gone[number] = time.time()
