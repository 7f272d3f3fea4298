"""The seed path against the seed's own steps: `python -m core.build_dataset` with the seed's
arguments vs bench/seed_steps.py, on a generated corpus of about 1,900 scripts (13 MB).

Prints the median wall time of each (fresh processes, start-up included) and their ratio; the
target is a ratio of at most 1.0. Usage: python -m bench.bench_seed [--files N] [--runs R] (default 9 pairs)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synth import compile_project, synthesize
from core.workspace import REPO_ROOT

TARGET_BYTES = 13_000_000


def make_corpus(root: Path, files: int) -> int:
    """`files` synthetic scripts grown to about TARGET_BYTES in all; the bytes written."""
    paths = synthesize(root, files, seed=0, source=REPO_ROOT / "data" / "raw_scripts")
    each = TARGET_BYTES // files
    total = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        grown = (text + "\n") * max(1, -(-each // max(1, len(text))))
        path.write_text(grown[: max(each, len(text))], encoding="utf-8")
        total += path.stat().st_size
    return total


def _seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def paired_seconds(a: list[str], b: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds of `a` and `b` run in turn (a b a b …), after one warm-up of each."""
    _seconds(a), _seconds(b)  # page cache, bytecode
    pairs = [(_seconds(a), _seconds(b)) for _ in range(runs)]
    return [x for x, _ in pairs], [y for _, y in pairs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1_900)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    compile_project()
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as scratch:
        work = Path(scratch)
        size = make_corpus(work / "corpus", args.files)
        print(f"corpus: {args.files} scripts, {size / 1e6:.1f} MB")
        elements = REPO_ROOT / "data" / "elements.csv"
        project = [sys.executable, "-m", "core.build_dataset", "--input-dir", str(work / "corpus")]
        project += ["--elements-csv", str(elements), "--output-dir", str(work / "project")]
        plain = [sys.executable, str(REPO_ROOT / "bench" / "seed_steps.py")]
        plain += [str(work / "corpus"), str(elements), str(work / "plain")]
        ours, theirs = paired_seconds(project, plain, args.runs)
    ratio = statistics.median(x / y for x, y in zip(ours, theirs, strict=True))
    print(f"core.build_dataset (seed arguments): {statistics.median(ours):.3f} s median")
    print(f"plain seed steps:                    {statistics.median(theirs):.3f} s median")
    print(f"ratio project / plain, median of {args.runs} pairs: {ratio:.2f} (target <= 1.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
