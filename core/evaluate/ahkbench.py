"""The executable AutoHotkey v2 task benchmark: does an answer do what its task asked?

A task (JSONL: `id`, `prompt`, `test`, `expected`, optional `category`) comes with a test, AutoHotkey
v2 that calls the solution and prints with `FileAppend(…, "*")`. An answer (JSONL: `id`, `answer`,
the model's raw reply) has its code extracted; the code followed by the test runs in the real
interpreter inside `core.ahk.sandbox`, and passes when its standard output equals `expected`
(line endings normalised). Several answers to one id are samples: pass@k is computed from them.
A task the answers file has no answer for fails (`no-code`) and is counted as unanswered.

CLI: `python -m core.ahkbench --tasks T.jsonl --answers A.jsonl [--json OUT] [--jobs N]
[--train TRAIN.jsonl]`; `--train` also reports the tasks whose reference solutions near-duplicate
a training record (`leakage` in the JSON).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from core.ahk.answer import answer_code
from core.ahk.sandbox import PRELUDE, PRELUDE_LINES, RunResult, Sandbox
from core.errors import StudioError
from core.fsutil import atomic_write_text

STATUSES = ("pass", "wrong-output", "load-error", "runtime-error", "timeout", "no-code")
DEFAULT_TASKS = Path(__file__).resolve().parents[2] / "data" / "ahkbench" / "tasks.jsonl"
# Written to stderr once the test has run to its end, just before the script exits.
END_MARK = "ahkbench: the test ran to its end"


@dataclass(frozen=True)
class Task:
    id: str
    prompt: str
    test: str
    expected: str
    category: str = ""


@dataclass
class Result:
    """One answer's outcome. `stderr` holds the interpreter's message for load and run errors;
    `answered` is False for the stand-in result of a task the answers file has no answer for."""

    id: str
    category: str
    passed: bool
    status: str
    stdout: str = ""
    stderr: str = ""
    expected: str = ""
    code: str = ""
    sample: int = 0
    seconds: float = 0.0
    answered: bool = True


@dataclass
class Report:
    """pass@1 over all tasks (an unanswered task counts as failed); `unanswered` says how many
    tasks had no answer; `pass_at_k_absent` says, for each k asked for but not computed, why."""

    results: list[Result]
    tasks: int
    pass_at_1: float
    pass_at_k: dict[int, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    categories: dict[str, dict] = field(default_factory=dict)
    unanswered: int = 0
    pass_at_k_absent: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["pass_at_k"] = {str(k): v for k, v in self.pass_at_k.items()}
        data["pass_at_k_absent"] = {str(k): v for k, v in self.pass_at_k_absent.items()}
        return data


# ---- reading ------------------------------------------------------------------------------


def _jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    """The records of a JSONL file; a bad line is a StudioError naming file, line and field."""
    if not path.is_file():
        raise StudioError("file not found", where=str(path), hint="give an existing JSONL file")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise StudioError(f"not JSON: {exc.msg}", where=f"{path}:{number}") from None
        if not isinstance(record, dict):
            raise StudioError("each line must be a JSON object", where=f"{path}:{number}")
        for name in required:
            if not isinstance(record.get(name), str):
                raise StudioError(
                    f"field {name!r} missing or not a string", where=f"{path}:{number}"
                )
        records.append(record)
    return records


def load_tasks(path: Path) -> list[Task]:
    """The tasks of a JSONL file; ids must be unique."""
    tasks, seen = [], set()
    for record in _jsonl(Path(path), ("id", "prompt", "test", "expected")):
        if record["id"] in seen:
            raise StudioError(f"task id {record['id']!r} appears twice", where=str(path))
        seen.add(record["id"])
        tasks.append(Task(*(str(record.get(k, "")) for k in Task.__dataclass_fields__)))
    return tasks


def spread(tasks: list[Task], limit: int | None) -> list[Task]:
    """`limit` tasks taken in turn from each category (in the order categories first appear),
    in their order in the file; all tasks without a limit. The same tasks every time."""
    if limit is None:
        return list(tasks)
    if limit < 1:
        raise StudioError(f"limit must be at least 1, got {limit}")
    first: dict[str, int] = {}  # category -> its place among the categories
    taken: dict[str, int] = {}  # category -> its tasks seen so far
    keys = []  # (turn within its category, category's place, place in the file)
    for index, task in enumerate(tasks):
        first.setdefault(task.category, len(first))
        keys.append((taken.get(task.category, 0), first[task.category], index))
        taken[task.category] = keys[-1][0] + 1
    chosen = sorted(sorted(keys)[:limit], key=lambda key: key[2])
    return [tasks[index] for *_, index in chosen]


def load_answers(path: Path) -> dict[str, list[str]]:
    """Answers by task id; several lines for one id are several samples."""
    answers: dict[str, list[str]] = {}
    for record in _jsonl(Path(path), ("id", "answer")):
        answers.setdefault(record["id"], []).append(record["answer"])
    return answers


# ---- judging ------------------------------------------------------------------------------


def build_script(code: str, test: str) -> str:
    """What runs: the prelude (#Requires v2, errors to stderr), the answer's code, the test, then
    END_MARK on stderr and ExitApp. Without the ExitApp an answer that defines a hotkey, calls
    Persistent or builds a Gui would keep the script alive after its test, and time out."""
    return f'{PRELUDE}{code}\n\n{test}\n\nFileAppend("{END_MARK}`n", "**")\nExitApp\n'


def normalise_output(text: str) -> str:
    """CRLF and CR to LF, trailing line breaks dropped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


def ran_to_end(run: RunResult) -> tuple[bool, RunResult]:
    """Whether the script got past its test (END_MARK on stderr), and the run without the mark."""
    if END_MARK not in run.stderr:
        return False, run
    return True, replace(run, stderr=run.stderr.replace(END_MARK + "\n", "", 1))


def classify(run: RunResult, expected: str) -> str:
    """The status of one run (of a script from `build_script`).

    A script that ran out of time before the end of its test is `timeout`, even when what it
    printed so far equals the expected output (an endless loop after the last line printed, or
    an expected output that is empty). One that ran out of time after its test had run to the
    end (it only failed to exit: an OnExit callback that waits, say) is judged by its output,
    like a script that ended: the test saw everything it checks."""
    finished, run = ran_to_end(run)
    if run.timed_out and not finished:
        return "timeout"
    if " : ==> " in run.stderr:
        return "load-error"
    if not run.timed_out and run.exit_code != 0 and run.stderr.strip():
        return "runtime-error"
    return "pass" if normalise_output(run.stdout) == normalise_output(expected) else "wrong-output"


def _message(run: RunResult) -> str:
    """The interpreter's message with line numbers counted from the answer's first line."""
    text = run.stderr.strip()
    if run.timed_out:
        return "ran out of time (an endless loop or a window waiting for input?)"
    return text.replace("C:\\runs\\", "").strip() + (
        f" [line numbers include {PRELUDE_LINES} prelude lines]" if text else ""
    )


def run_answers(
    tasks: list[Task],
    answers: dict[str, list[str]],
    jobs: int | None = None,
    timeout: float = 10.0,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """Run every answer (each sample) of every task in one sandbox; a task without an answer
    (`answered` False) or an answer without code is `no-code` without running anything."""
    pending: list[tuple[Task, int, str]] = []
    results: list[Result] = []
    for task in tasks:
        answered = bool(answers.get(task.id))
        for sample, text in enumerate(answers.get(task.id) or [""]):
            code = answer_code(text)
            if code:
                pending.append((task, sample, code))
            else:
                no_code = Result(task.id, task.category, False, "no-code", sample=sample)
                no_code.answered = answered
                results.append(no_code)
    if pending:
        with Sandbox(jobs=jobs, timeout=timeout) as box:
            batch = max(1, box.jobs * 4)
            for start in range(0, len(pending), batch):
                chunk = pending[start : start + batch]
                runs = box.run_many([build_script(code, task.test) for task, _, code in chunk])
                for (task, sample, code), run in zip(chunk, runs, strict=True):
                    results.append(_result(task, sample, code, run))
                if progress is not None:
                    progress(min(start + batch, len(pending)), len(pending))
    order = {task.id: i for i, task in enumerate(tasks)}
    return sorted(results, key=lambda r: (order[r.id], r.sample))


def _result(task: Task, sample: int, code: str, run: RunResult) -> Result:
    status = classify(run, task.expected)
    run = ran_to_end(run)[1]  # the message without the mark
    stderr = "" if status in ("pass", "wrong-output") else _message(run)
    return Result(
        task.id, task.category, status == "pass", status, run.stdout, stderr, task.expected,
        code, sample, run.seconds,
    )  # fmt: skip


# ---- summing up ---------------------------------------------------------------------------


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimate from n samples of which c pass (Chen et al., 2021)."""
    if n - c < k:
        return 1.0
    return 1.0 - math.prod((n - c - i) / (n - i) for i in range(k))


def summarise(results: list[Result], ks: tuple[int, ...] = (1,)) -> Report:
    """pass@1 (and each k every answered task has k samples for) over tasks, status counts, a
    row per category. An unanswered task fails at every k; a k that some answered task has
    fewer samples for is left out of `pass_at_k` with the reason in `pass_at_k_absent`."""
    by_task: dict[str, list[Result]] = {}
    for result in results:
        by_task.setdefault(result.id, []).append(result)

    def mean_pass(group: list[list[Result]], k: int) -> float:
        values = [
            pass_at_k(len(rs), sum(r.passed for r in rs), k) if rs[0].answered else 0.0
            for rs in group
        ]
        return round(sum(values) / len(values), 4) if values else 0.0

    groups = list(by_task.values())
    answered = [len(rs) for rs in groups if rs[0].answered]
    report = Report(results, len(groups), mean_pass(groups, 1))
    report.unanswered = len(groups) - len(answered)
    for k in ks:
        short = sum(n < k for n in answered)
        if short:
            report.pass_at_k_absent[k] = (
                f"{short} of {len(answered)} answered tasks have fewer than {k} answers "
                f"(fewest: {min(answered)})"
            )
        else:
            report.pass_at_k[k] = mean_pass(groups, k)
    report.statuses = {s: sum(r.status == s for r in results) for s in STATUSES}
    for category in sorted({rs[0].category for rs in groups}):
        members = [rs for rs in groups if rs[0].category == category]
        flat = [r for rs in members for r in rs]
        report.categories[category or "(none)"] = {
            "tasks": len(members),
            "pass_at_1": mean_pass(members, 1),
            **{s: sum(r.status == s for r in flat) for s in STATUSES},
            "unanswered": sum(not rs[0].answered for rs in members),
        }
    return report


def evaluate(
    tasks_path: Path,
    answers: dict[str, list[str]],
    jobs: int | None = None,
    timeout: float = 10.0,
    ks: tuple[int, ...] = (1,),
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Score answers against the tasks of `tasks_path`."""
    results = run_answers(load_tasks(tasks_path), answers, jobs, timeout, progress)
    return summarise(results, ks)


def reference_solutions(tasks_path: Path = DEFAULT_TASKS, present: bool = False) -> dict[str, str]:
    """The reference solution of each task, kept beside the tasks in solutions/<id>.ahk; with
    `present`, of each task that has one (a task file of your own may come without)."""
    folder = Path(tasks_path).parent / "solutions"
    files = {t.id: folder / f"{t.id}.ahk" for t in load_tasks(tasks_path)}
    return {tid: f.read_text("utf-8") for tid, f in files.items() if not present or f.is_file()}


def leakage(
    solutions: dict[str, str], train_texts: list[str], threshold: float = 0.7
) -> list[tuple[str, int, float]]:
    """(task id, train record index, similarity) for each reference solution that is a near
    duplicate (MinHash, `core.corpus.minhash`) of a training record."""
    from core.corpus.minhash import minhash_signatures, similar_pairs

    ids = list(solutions)
    signatures = minhash_signatures([solutions[i] for i in ids] + list(train_texts))
    left, right, agree = similar_pairs(signatures, threshold)
    found = []
    for a, b, score in zip(left.tolist(), right.tolist(), agree.tolist(), strict=True):
        if a < len(ids) <= b:
            found.append((ids[a], b - len(ids), round(score, 4)))
    return sorted(found)


def training_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each record of a training JSONL: the assistant's messages of a
    conversation (Harmony, data_prep's output), or the `response` of a dataset build record."""
    texts = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
        if line.strip():
            texts.append((number, _record_text(line, f"{path}:{number}")))
    return texts


def _record_text(line: str, where: str) -> str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise StudioError(f"not JSON: {exc.msg}", where=where) from None
    messages = record.get("messages") if isinstance(record, dict) else None
    if isinstance(messages, list):
        said = [m for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
        return "\n".join(m["content"] for m in said if isinstance(m.get("content"), str))
    if isinstance(record, dict) and isinstance(record.get("response"), str):
        return record["response"]
    raise StudioError(
        "a training record needs `messages` (a conversation) or `response` (a script)",
        where=where, hint="give data_prep's or the dataset build's JSONL",
    )  # fmt: skip


def train_leakage(tasks_path: Path, train_path: Path, threshold: float = 0.7) -> dict:
    """Which tasks' reference solutions near-duplicate a record of a training file (a run's own
    training data): {train, records, references, threshold, near_duplicates: [{id, line,
    similarity}]}, the line being the record's in the training file."""
    if not Path(train_path).is_file():
        raise StudioError(
            "training file not found", where=str(train_path), hint="give a JSONL file"
        )
    solutions = reference_solutions(tasks_path, present=True)
    records = training_texts(train_path)
    found = leakage(solutions, [text for _, text in records], threshold)
    return {
        "train": str(train_path), "records": len(records), "references": len(solutions),
        "threshold": threshold,
        "near_duplicates": [
            {"id": tid, "line": records[index][0], "similarity": score}
            for tid, index, score in found
        ],
    }  # fmt: skip


def format_leakage(data: dict) -> str:
    """One line on a leakage check, and a line per near-duplicate task."""
    hits = data["near_duplicates"]
    head = (
        f"leakage: {len({h['id'] for h in hits})} of {data['references']} reference solutions "
        f"near-duplicate (>= {data['threshold']}) records of {data['train']} ({data['records']} records)"
    )
    rows = [f"  {h['id']}: line {h['line']}, similarity {h['similarity']:.2f}" for h in hits]
    return "\n".join([head, *rows])


def format_table(report: Report) -> str:
    """The per-category table the CLI prints."""
    short = {"wrong-output": "wrong", "load-error": "load", "runtime-error": "runtime"}
    heads = ["category", "tasks", "pass@1", *(short.get(s, s) for s in STATUSES)]
    rows = [
        [name, str(row["tasks"]), f"{row['pass_at_1']:.3f}", *(str(row[s]) for s in STATUSES)]
        for name, row in report.categories.items()
    ]
    rows.append(
        ["all", str(report.tasks), f"{report.pass_at_1:.3f}"]
        + [str(report.statuses[s]) for s in STATUSES]
    )
    widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(len(heads))]
    lines = []
    for row in [heads, *rows]:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
    extra = [f"pass@{k}: {v:.3f}" for k, v in report.pass_at_k.items() if k != 1]
    extra += [f"pass@{k}: not computed, {why}" for k, why in report.pass_at_k_absent.items()]
    if report.unanswered:
        extra.append(
            f"no answer for {report.unanswered} of {report.tasks} tasks "
            "(counted as failed, no-code): the answers file covers only part of the tasks"
        )
    return "\n".join(lines + extra)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from core.errors import cli_main

    parser = argparse.ArgumentParser(
        prog="python -m core.ahkbench",
        description="Run model answers to AutoHotkey v2 tasks in the sandboxed interpreter.",
    )
    parser.add_argument("--tasks", type=Path, default=DEFAULT_TASKS, help="tasks JSONL")
    parser.add_argument("--answers", type=Path, required=True, help="answers JSONL (id, answer)")
    parser.add_argument("--json", type=Path, help="write pass@1 and every result here")
    parser.add_argument("--jobs", type=int, help="scripts at once (default: one per CPU)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per script")
    parser.add_argument("-k", type=int, action="append", help="also report pass@k (repeatable)")
    parser.add_argument(
        "--train", type=Path, help="also check the reference solutions against this training JSONL"
    )
    args = parser.parse_args(argv)
    if any(k < 1 for k in args.k or []):
        parser.error("-k must be at least 1")

    @cli_main
    def run() -> int:
        ks = tuple(sorted({1, *(args.k or [])}))
        leaks = train_leakage(args.tasks, args.train) if args.train else None
        report = evaluate(args.tasks, load_answers(args.answers), args.jobs, args.timeout, ks)
        print(format_table(report))
        data = report.to_dict()
        if leaks is not None:
            print(format_leakage(leaks))
            data["leakage"] = leaks
        if args.json:
            atomic_write_text(args.json, json.dumps(data, indent=1) + "\n")
        return 0

    return run()


if __name__ == "__main__":
    sys.exit(main())
