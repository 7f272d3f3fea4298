"""Answers scored per second by the task benchmark: every reference solution and wrong variant
of data/ahkbench run in the sandboxed interpreter (one batch, one script per CPU at a time).

    .venv/bin/python bench/bench_ahkbench.py [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import time

from core.evaluate.ahkbench import DEFAULT_TASKS, load_tasks, reference_solutions, run_answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    tasks = load_tasks(DEFAULT_TASKS)
    wrong = DEFAULT_TASKS.parent / "wrong"
    answers = {tid: [code] for tid, code in reference_solutions().items()}
    for path in wrong.glob("*.ahk"):
        answers[path.stem].append(path.read_text("utf-8"))
    count = sum(len(a) for a in answers.values())
    start = time.perf_counter()
    results = run_answers(tasks, answers, jobs=args.jobs)
    total = time.perf_counter() - start
    run_time = sum(r.seconds for r in results)
    print(f"{count} answers on {args.jobs} jobs in {total:.1f} s (sandbox start included): "
          f"{count / total:.2f} answers/s, {total / count:.2f} s per answer; "
          f"{run_time / count:.2f} s of interpreter time per answer")  # fmt: skip


if __name__ == "__main__":
    main()
