"""Benchmark the corpus tools on a synthetic corpus (default 20,000 scripts).

    python -m bench.bench_tools [--files N] [--seed S] [--keep DIR] [--before CHECKOUT]

Generates the corpus with bench.synth (not timed), then times the built-in checker on every
script (texts read beforehand), in one process (core.ahk.check.check_source in a loop: the per-core
rate) and as the tools run it (core.ahk.check.check_sources: one worker process per CPU, their start
included), a normalise dry-run with the default rules (core.corpus.normalize.plan, reading included)
and the include validation (core.corpus.includes.validate, reading included), and prints files/second
for each; then the checker again on 4,000 bigger scripts (three synthetic ones joined, about
3 KB each); and last `python -m core.ahk DIR --json` as a user runs it, start-up included, on
1,867 scripts of about 7 KB (five synthetic ones joined: 13 MB, the size of a real corpus), wall
and CPU seconds, with the compiled checker where it is built (core.ahk.compiled) (the target there: 1.5 s wall and 2.5 s CPU); with --before (a checkout of an
earlier version, e.g. `git worktree add /tmp/before HEAD~2`) that version's CLI is timed too, the
two runs taking turns so a busy machine slows both alike, and the ratio printed. Targets on a 2-core machine: each
under 10 s for 20,000 files, the checker at 1,000 files/s or more on typical scripts.
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import bench_corpus, compile_project
from core.ahk.check import check_source, check_sources, worker_count
from core.ahk.compiled import is_compiled
from core.corpus.includes import validate
from core.corpus.normalize import load_rules, plan
from core.reading import find_relative, read_script


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


def cli_corpus(texts: list[str], folder: Path, files: int = 1867, joined: int = 5) -> int:
    """Write `files` scripts of `joined` synthetic ones each under `folder`; their bytes."""
    size = 0
    for i in range(files):
        text = "\n".join(texts[(i * joined + j) % len(texts)] for j in range(joined))
        path = folder / f"c{i % 12:02d}" / f"s{i:05d}.ahk"
        path.parent.mkdir(parents=True, exist_ok=True)
        size += path.write_bytes(text.encode("utf-8"))
    return size


REPO = Path(__file__).resolve().parent.parent


def cli_run(folder: Path, root: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, all processes) of the checker CLI of the checkout
    at `root` on `folder`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "core.ahk", str(folder), "--json"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def time_cli(folder: Path, roots: list[Path], runs: int = 3) -> list[tuple[float, float]]:
    """Median wall and CPU seconds of the CLI of each checkout, the checkouts taking turns."""
    figures: list[list[tuple[float, float]]] = [[] for _ in roots]
    for _ in range(runs):
        for got, root in zip(figures, roots, strict=True):
            got.append(cli_run(folder, root))
    return [
        (sorted(w for w, _ in got)[runs // 2], sorted(c for _, c in got)[runs // 2])
        for got in figures
    ]


def print_cli(folder: Path, size: int, before: Path | None) -> None:
    """The CLI's figures on the 1,867-script corpus, and the earlier version's beside them."""
    roots = [REPO] + ([before] if before else [])
    figures = time_cli(folder, roots)
    wall, cpu = figures[0]
    how = (  # the CLI's child inherits this process's environment (AHK_CHECKER_PURE)
        "compiled"
        if is_compiled()
        else "pure Python (`python -m core.ahk.build` compiles it unless AHK_CHECKER_PURE is set)"
    )
    print(
        f"\npython -m core.ahk DIR --json on 1,867 scripts ({size / 1e6:.1f} MB), checker {how}: "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU (median of 3; target 1.5 s wall, 2.5 s CPU)"
    )
    if before:
        old_wall, old_cpu = figures[1]
        print(
            f"before ({before}): {old_wall:.2f} s wall, {old_cpu:.2f} s CPU; "
            f"now/before: {wall / old_wall:.2f} wall, {cpu / old_cpu:.2f} CPU"
        )


def split_before(argv: list[str] | None) -> tuple[Path | None, list[str]]:
    """--before CHECKOUT (not the corpus options) and the rest of the command line."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--before", type=Path, default=None)
    args, rest = parser.parse_known_args(argv)
    if args.before is not None and not (args.before / "core" / "ahk").is_dir():
        raise SystemExit(f"--before {args.before}: not a checkout of this project (no core/ahk)")
    return args.before, rest


def report(files: int, seconds: dict[str, float]) -> None:
    """One line per tool: seconds and files per second."""
    print(f"{'tool':<24}{'files':>8}{'seconds':>10}{'files/s':>12}")
    for tool, spent in seconds.items():
        rate = files / spent if spent > 0 else float("inf")
        print(f"{tool:<24}{files:>8}{spent:>10.3f}{rate:>12,.0f}")


def main(argv: list[str] | None = None) -> int:
    before, argv = split_before(argv)
    compile_project()
    with bench_corpus(__doc__, argv) as (corpus, work, _files):
        report(*run(corpus))
        texts = [read_script(corpus / rel).text or "" for rel in find_relative(corpus)]
        joined = bigger_scripts(texts)
        size = sum(len(t.encode("utf-8")) for t in joined) / max(1, len(joined)) / 1024
        print(f"\nthe checker on bigger scripts ({size:.1f} KB on average):")
        report(len(joined), time_checker(joined))
        print_cli(work / "cli", cli_corpus(texts, work / "cli"), before)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
