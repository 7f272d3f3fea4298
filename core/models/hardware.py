"""What this machine has for training: its GPUs (name, total and free memory), memory and disk.

The GPUs are asked of torch; a process that has not imported torch (the studio) asks a child
Python process (`python -m core.models.hardware --gpus`), so asking never loads torch or CUDA
into it. The answer is kept for a short while: free memory moves, the GPUs do not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from core.errors import StudioError, cli_main
from core.workspace import REPO_ROOT

GIB = 1024**3
KEEP_S = 30.0  # how long an answer about the GPUs is reused


@dataclass(frozen=True)
class Gpu:
    """One CUDA device as torch sees it."""

    index: int
    name: str
    total: int  # bytes
    free: int  # bytes, when asked


@dataclass(frozen=True)
class Machine:
    """The GPUs, CPUs, memory and free disk of this machine."""

    gpus: tuple[Gpu, ...]
    cpus: int
    memory: int  # bytes of RAM
    memory_free: int  # bytes of RAM available now
    disk_free: int  # bytes free where the workspace lies
    gpu_note: str = ""  # why the GPUs could not be asked, when they could not

    @property
    def best_gpu(self) -> Gpu | None:
        """The GPU with the most free memory, if any."""
        return max(self.gpus, key=lambda g: g.free, default=None)

    def summary(self) -> str:
        """One line: GPUs with their free memory, CPUs, memory, free disk."""
        gpus = [f"{g.name} · {gib(g.free)} free of {gib(g.total)}" for g in self.gpus]
        gpu = "; ".join(gpus) or f"no CUDA GPU{f' ({self.gpu_note})' if self.gpu_note else ''}"
        return (
            f"{gpu} · {self.cpus} CPU cores · {gib(self.memory_free)} of {gib(self.memory)} "
            f"memory free · {gib(self.disk_free)} free disk"
        )


def gib(size: int | float) -> str:
    """Bytes as GB with one decimal (binary gigabytes, as GPU makers count memory)."""
    return f"{size / GIB:.1f} GB"


def human(size: int | float) -> str:
    """Bytes as MB below a gigabyte, else as GB: '19.6 MB', '13.8 GB'."""
    return f"{size / 1024**2:.1f} MB" if size < GIB else gib(size)


# --- asking torch --------------------------------------------------------------------------------


def gpus_here() -> tuple[Gpu, ...]:
    """The CUDA devices of this process's torch (imports torch); in a rank of a distributed run
    (LOCAL_RANK set) only its own device, so that no rank opens a context on the others."""
    import torch

    if not torch.cuda.is_available():
        return ()
    rank = os.environ.get("LOCAL_RANK")
    found = []
    for index in [int(rank)] if rank else range(torch.cuda.device_count()):
        free, total = torch.cuda.mem_get_info(index)
        found.append(Gpu(index, torch.cuda.get_device_name(index), int(total), int(free)))
    return tuple(found)


_asked: list[tuple[float, tuple[Gpu, ...]]] = []


def gpus(fresh: bool = False) -> tuple[Gpu, ...]:
    """The CUDA devices: asked here when torch is loaded, else of a child process (an answer
    younger than KEEP_S is reused unless `fresh`). StudioError when torch cannot answer."""
    if "torch" in sys.modules:
        return gpus_here()
    if _asked and not fresh and time.monotonic() - _asked[0][0] < KEEP_S:
        return _asked[0][1]
    command = [sys.executable, "-m", "core.models.hardware", "--gpus"]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=300, check=False, cwd=REPO_ROOT
        )
    except subprocess.TimeoutExpired:
        raise StudioError("no answer from torch about the GPUs after 300 s") from None
    try:
        found = tuple(Gpu(**g) for g in json.loads(done.stdout.strip().splitlines()[-1]))
    except (IndexError, ValueError, TypeError):
        tail = " | ".join(done.stderr.strip().splitlines()[-2:])
        raise StudioError(
            f"could not ask torch about the GPUs: {tail}", hint="pip install -r requirements.txt"
        ) from None
    _asked[:] = [(time.monotonic(), found)]
    return found


def machine(workspace: str | Path, fresh: bool = False) -> Machine:
    """This machine: the GPUs (see `gpus`; a failure to ask is a note), memory, disk."""
    import psutil

    try:
        found, note = gpus(fresh), ""
    except StudioError as err:
        found, note = (), str(err)
    memory = psutil.virtual_memory()
    return Machine(
        gpus=found,
        cpus=os.cpu_count() or 1,
        memory=memory.total,
        memory_free=memory.available,
        disk_free=disk_free(Path(workspace)),
        gpu_note=note,
    )


def disk_free(path: Path) -> int:
    """Free bytes on the disk that holds `path` (or its nearest existing parent)."""
    path = Path(path).resolve()
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free


@cli_main
def main(argv: list[str] | None = None) -> int:
    """CLI: this machine as JSON (--gpus: only the GPUs, as asked here)."""
    parser = argparse.ArgumentParser(prog="python -m core.models.hardware", description=__doc__)
    parser.add_argument("--gpus", action="store_true", help="ask torch here, print the GPUs")
    parser.add_argument("--workspace", default=".", help="where to measure free disk")
    args = parser.parse_args(argv)
    if args.gpus:
        print(json.dumps([asdict(g) for g in gpus_here()]))
        return 0
    print(json.dumps(asdict(machine(args.workspace)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
