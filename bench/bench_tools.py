"""Benchmark the corpus tools on a synthetic corpus (default 20,000 scripts).

    python -m bench.bench_tools [--files N] [--seed S] [--keep DIR]

Generates the corpus with bench.synth (not timed), then times the built-in checker on every
script (texts read beforehand), in one process (core.ahk.check_source in a loop: the per-core
rate) and as the tools run it (core.ahk.check_sources: one worker process per CPU, their start
included), a normalise dry-run with the default rules (core.normalize.plan, reading included)
and the include validation (core.includes.validate, reading included), and prints files/second
for each; then the checker again on 4,000 bigger scripts (three synthetic ones joined, about
3 KB each). Targets on a 2-core machine: each under 10 s for 20,000 files, the checker at
1,000 files/s or more on typical scripts (a few KB each).
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import bench_corpus, compile_project
from core.ahk import check_source, check_sources, worker_count
from core.corpus import find_relative, read_script
from core.includes import validate
from core.normalize import load_rules, plan


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def run(corpus: Path) -> tuple[int, dict[str, float]]:
    """Time each tool over `corpus`: (files, seconds per tool)."""
    paths = [corpus / rel for rel in find_relative(corpus)]
    texts = [text for text in (read_script(p).text for p in paths) if text is not None]
    rules = load_rules()
    seconds = {
        **time_checker(texts),
        "normalise dry-run": timed(lambda: plan(corpus, rules)),
        "include validation": timed(lambda: validate(corpus)),
    }
    return len(paths), seconds


def time_checker(texts: list[str]) -> dict[str, float]:
    """The checker over `texts` in one process and in one worker process per CPU."""
    return {
        "checker, 1 process": timed(lambda: [check_source(text) for text in texts]),
        f"checker, {worker_count()} processes": timed(lambda: list(check_sources(texts))),
    }


def bigger_scripts(texts: list[str], count: int = 4000) -> list[str]:
    """`count` scripts of a few KB: three consecutive synthetic scripts joined into one."""
    return ["\n".join(texts[i : i + 3]) for i in range(0, min(len(texts) - 2, 3 * count), 3)]


def report(files: int, seconds: dict[str, float]) -> None:
    """One line per tool: seconds and files per second."""
    print(f"{'tool':<24}{'files':>8}{'seconds':>10}{'files/s':>12}")
    for tool, spent in seconds.items():
        rate = files / spent if spent > 0 else float("inf")
        print(f"{tool:<24}{files:>8}{spent:>10.3f}{rate:>12,.0f}")


def main(argv: list[str] | None = None) -> int:
    compile_project()
    with bench_corpus(__doc__, argv) as (corpus, _work, _files):
        report(*run(corpus))
        texts = [read_script(corpus / rel).text or "" for rel in find_relative(corpus)]
        joined = bigger_scripts(texts)
        size = sum(len(t.encode("utf-8")) for t in joined) / max(1, len(joined)) / 1024
        print(f"\nthe checker on bigger scripts ({size:.1f} KB on average):")
        report(len(joined), time_checker(joined))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
