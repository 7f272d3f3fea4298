"""Benchmark the dataset build on a synthetic corpus (default 20,000 scripts).

    python -m bench.bench_dataset [--files N] [--seed S] [--keep DIR]

Generates the corpus with bench.synth (not timed), runs the real build (read, exact dedupe,
near-duplicate detection, split, leakage check, write) and prints files/second for each stage
and for the whole build. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import bench_corpus
from core.dataset.build import BuildOptions, build

STAGES = ("read", "exact dedupe", "near duplicates", "split", "leakage check", "write")


def run(corpus: Path, output_dir: Path) -> dict[str, float]:
    """Build once; seconds per stage, 'total' (wall clock) and the process's CPU time, which
    is close to the wall clock of an idle machine when other work shares the cores."""
    started, cpu = time.perf_counter(), time.process_time()
    result = build(BuildOptions(input_dir=corpus), output_dir)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    plan = result.preview
    print(f"records {plan.stages['records']}, after exact dedupe "
          f"{plan.stages['after exact dedupe']}, near-duplicate clusters {len(plan.clusters)}, "
          f"leaks {len(plan.leaks)}, split {plan.stages['train']}/{plan.stages['val']}/"
          f"{plan.stages['test']}")  # fmt: skip
    return {**plan.seconds, "total": total, "total (CPU time)": cpu}


def report(seconds: dict[str, float], files: int) -> None:
    """One line per stage: seconds and files per second."""
    print(f"{'stage':<18}{'seconds':>10}{'files/s':>12}")
    for stage in (*STAGES, "total", "total (CPU time)"):
        spent = seconds.get(stage, 0.0)
        rate = files / spent if spent > 0 else float("inf")
        print(f"{stage:<18}{spent:>10.3f}{rate:>12,.0f}")


def main(argv: list[str] | None = None) -> int:
    with bench_corpus(__doc__, argv) as (corpus, work, files):
        report(run(corpus, work / "prepared"), files)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
