"""Evaluate a run: generate on held-out prompts and score the answers, fine-tuned against base.

`python -m core.evaluate --run-dir DIR [--split test] [--limit N] [--compare-base]` renders each
prompt of the split with the chat template, generates (greedy by default) with the fine-tuned
model and, with --compare-base, with the base model, scores every answer (core/evaluate/scoring.py, plus
AutoHotkey v2 itself when the interpreter is installed) and keeps two files current after every
batch of prompts (--batch-size, generated together), so they are valid whenever the run stops:

    <run>/eval/results.jsonl   one line per prompt: prompt, reference, each model's output and scores
    <run>/eval/summary.json    state, progress, means and counts overall and per category, and
                               the adapter scored (core/export/provenance.py)

A file `<run>/eval/stop` (written by `request_stop`) ends the evaluation after the current batch;
SIGTERM or Ctrl-C ends it at once, keeping the batches already done.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.errors import Cancelled, StudioError, cancel_on_sigterm, cli_main
from core.evaluate import generate as gen
from core.evaluate.scoring import score_output, summarise, worse_than
from core.export import provenance
from core.fsutil import atomic_write_text, read_if_changed
from core.train.run_folder import RunFolder

MODELS = ("finetuned", "base")
LABELS = {"finetuned": "fine-tuned", "base": "base"}
TABLE_ROWS = [
    ("n", "prompts", "{:.0f}"),
    ("clean_v2_share", "clean v2 share", "{:.3f}"),
    ("interpreter_ok_share", "loads in AutoHotkey v2", "{:.3f}"),
    ("balanced_share", "balanced brackets/strings", "{:.3f}"),
    ("mean_diagnostics", "diagnostics per answer", "{:.2f}"),
    ("exact_match", "exact match", "{:.3f}"),
    ("chrf", "chrF", "{:.1f}"),
]
_CATEGORY_LINE = re.compile(r"^Category:\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    """One held-out conversation: the prompt side (system + user), the reference answer, its kind."""

    index: int
    messages: list[dict]
    reference: str
    category: str
    kind: str  # "code" (an AutoHotkey answer) or "text" (a reference description)

    @property
    def prompt(self) -> str:
        return next((m["content"] for m in self.messages if m["role"] == "user"), "")


# ----------------------------------------------------------------------------- the prompts


def training_file(run_dir: Path) -> Path:
    """The training file of a run (`training.dataset_path` of its frozen config)."""
    from core.train.config import load_config, resolve_path
    from core.train.run_folder import RunFolder

    cfg = load_config(RunFolder.of(run_dir).config)
    return resolve_path(cfg.training.dataset_path, gen.run_workspace(run_dir))


def split_file(run_dir: Path, split: str) -> Path:
    """The Harmony file of `split` for a run: beside its training file, `train` replaced by `split`
    (workspace/prepared/train_harmony.jsonl -> test_harmony.jsonl)."""
    train = training_file(run_dir)
    if "train" not in train.name:
        raise StudioError(
            f"cannot tell where the {split} split is: the training file {train.name} has no 'train' in its name",
            hint="give the file with --data",
        )
    return train.with_name(train.name.replace("train", split, 1))


def load_examples(path: Path, limit: int | None = None) -> list[Example]:
    """The conversations of a Harmony JSONL file (the last assistant message is the reference)."""
    path = Path(path)
    if not path.is_file():
        raise StudioError(
            "the split file does not exist", where=str(path), hint="build the dataset first"
        )
    metadata = _plain_metadata(path)
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        messages = _messages(line, path, number)
        examples.append(_example(len(examples), messages, metadata))
        if limit is not None and len(examples) >= limit:
            break
    if not examples:
        raise StudioError(
            "the split has no prompts",
            where=str(path),
            hint="build the dataset with a test share above 0",
        )
    return examples


def _messages(line: str, path: Path, number: int) -> list[dict]:
    try:
        record = json.loads(line)
        messages = record["messages"]
        ok = isinstance(messages, list) and messages and messages[-1]["role"] == "assistant"
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise StudioError(f"line {number}: not a Harmony record ({err})", where=str(path)) from None
    if not ok:
        raise StudioError(
            f"line {number}: the last message is not the assistant's", where=str(path)
        )
    return messages


def _plain_metadata(harmony: Path) -> list[tuple[str, dict]]:
    """(prompt, metadata) of each record of the split's plain JSONL beside the Harmony file
    (test.jsonl beside test_harmony.jsonl): data_prep converts it line for line."""
    plain = harmony.with_name(harmony.name.replace("_harmony", ""))
    if plain == harmony or not plain.is_file():
        return []
    found = []
    for line in plain.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            return []
        if isinstance(record, dict):
            found.append((str(record.get("prompt", "")).strip(), record.get("metadata") or {}))
    return found


def _example(index: int, messages: list[dict], metadata: list[tuple[str, dict]]) -> Example:
    """An Example; category and kind from the plain record of the same line when its prompt
    matches, else the prompt's `Category:` line."""
    prompt_side, reference = messages[:-1], messages[-1]["content"]
    user = next((m["content"] for m in prompt_side if m["role"] == "user"), "")
    meta = (
        metadata[index][1] if index < len(metadata) and metadata[index][0] == user.strip() else {}
    )
    found = _CATEGORY_LINE.search(user)
    category = meta.get("category") or (found.group(1).strip() if found else "uncategorised")
    kind = "text" if meta.get("record_type") == "reference" else "code"
    return Example(index, prompt_side, reference, category, kind)


# ----------------------------------------------------------------------------- the run


def eval_dir(run_dir: Path) -> Path:
    return RunFolder(run_dir).evaluation


def request_stop(run_dir: Path) -> None:
    """Ask a running evaluation to end after its current prompt (its files stay valid)."""
    folder = eval_dir(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stop").touch()


def read_summary(run_dir: Path) -> dict | None:
    """The run's eval/summary.json, or None when it was never evaluated."""
    path = eval_dir(run_dir) / "summary.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@dataclass(frozen=True)
class Results:
    """The rows of a run's eval/results.jsonl, and which version of the file they were read from."""

    rows: list[dict]
    stamp: tuple | None = None  # (path, inode, mtime_ns, size) of the file read; None: no file


def follow_results(run_dir: Path, seen: Results | None = None) -> Results:
    """The results rows, read only when eval/results.jsonl changed since `seen` was read.

    The file is replaced whole after each batch, never appended to (a new evaluation starts it
    again, shorter), so a byte offset into the old file means nothing in the new one: a file with
    the same path, inode, mtime and size as `seen`'s is `seen`, any other is read whole."""
    try:
        stamp, data = read_if_changed(
            eval_dir(run_dir) / "results.jsonl", seen.stamp if seen else None
        )
    except FileNotFoundError:
        return Results([])
    if data is None and seen is not None:
        return seen
    return Results([json.loads(line) for line in (data or "").splitlines() if line], stamp)


@dataclass(frozen=True)
class Plan:
    """What an evaluation will do, checked before any model is loaded."""

    run_dir: Path
    finetuned: str  # adapter or merged
    base: str | None  # the base model compared against, None without comparison
    source: Path
    examples: list[Example]


def plan(
    run_dir: Path,
    split: str = "test",
    limit: int | None = None,
    compare_base: bool = False,
    model: str = "auto",
    data: Path | None = None,
) -> Plan:
    """Check a run and a split (StudioError on a run without adapter, a missing or empty split).

    `model` is the fine-tuned model: adapter, merged, or auto (the adapter when there is one)."""
    run_dir = Path(run_dir)
    if limit is not None and limit < 1:
        raise StudioError(f"limit must be at least 1, got {limit}")
    models = gen.run_models(run_dir)
    kind = _finetuned_kind(models, model)
    source = Path(data) if data else split_file(run_dir, split)
    examples = load_examples(source, limit)
    return Plan(run_dir, kind, models.base if compare_base else None, source, examples)


def evaluate(
    run_dir: Path,
    split: str = "test",
    limit: int | None = None,
    compare_base: bool = False,
    settings: gen.GenerationSettings | None = None,
    model: str = "auto",
    data: Path | None = None,
    interpreter: bool = True,
    progress: bool = True,
    batch_size: int = 8,
) -> dict:
    """Generate and score on a split; return the summary (also written to eval/summary.json).

    Prompts go through the models `batch_size` at a time; eval/stop is checked between batches.
    Stopped by eval/stop or KeyboardInterrupt, it keeps what is done and records the state."""
    if batch_size < 1:
        raise StudioError(f"batch size must be at least 1, got {batch_size}")
    job = plan(run_dir, split, limit, compare_base, model, data)
    settings = settings or gen.GenerationSettings()
    folder = eval_dir(job.run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stop").unlink(missing_ok=True)
    checker = _interpreter() if interpreter else None
    state: dict = {
        "run": job.run_dir.name,
        "split": split if data is None else job.source.stem,
        "data": str(job.source),
        "models": {"finetuned": job.finetuned, **({"base": job.base} if job.base else {})},
        "adapter": provenance.model_adapter(job.run_dir, job.finetuned),
        "settings": asdict(settings),
        "interpreter": _describe(checker) if checker else None,
        "total": len(job.examples),
        "started": time.time(),
    }
    rows: list[dict] = []
    _write(folder, state, rows, "loading")
    try:
        finetuned = gen.load_model(job.run_dir, job.finetuned)
        base = _base_model(job.run_dir, finetuned, job.base is not None)
        with tqdm(
            total=len(job.examples), desc="evaluating", unit="prompt", disable=not progress
        ) as bar:
            for start in range(0, len(job.examples), batch_size):
                if (folder / "stop").exists():
                    return _write(folder, state, rows, "stopped")
                batch = job.examples[start : start + batch_size]
                rows += _evaluate_batch(
                    batch, finetuned, base, settings, bool(checker), job.run_dir
                )
                bar.update(len(batch))
                _write(folder, state, rows, "running")
    except (KeyboardInterrupt, Cancelled):
        _write(folder, state, rows, "interrupted")
        raise
    except BaseException as err:
        state["error"] = str(err)
        _write(folder, state, rows, "failed")
        raise
    return _write(folder, state, rows, "completed")


def _finetuned_kind(models: gen.RunModels, model: str) -> str:
    if model == "auto":
        model = "adapter" if models.adapter else "merged" if models.merged else "adapter"
    if model not in ("adapter", "merged"):
        raise StudioError(f"--model must be auto, adapter or merged, got {model!r}")
    if model not in models.available():
        raise gen.missing_model_error(models, model)
    return model


def _base_model(run_dir: Path, finetuned: gen.LoadedModel, compare: bool) -> gen.LoadedModel | None:
    """The base for comparison: the adapter switched off when there is one, else a fresh load."""
    if not compare:
        return None
    return finetuned if finetuned.has_adapter else gen.load_model(run_dir, "base")


def _evaluate_batch(
    batch: list[Example],
    finetuned: gen.LoadedModel,
    base: gen.LoadedModel | None,
    settings: gen.GenerationSettings,
    check_loads: bool,
    run_dir: Path,
) -> list[dict]:
    """Generate with each model, score, and return the results rows of a batch of prompts."""
    rows: list[dict[str, Any]] = [
        {
            "index": e.index,
            "category": e.category,
            "kind": e.kind,
            "prompt": e.prompt,
            "reference": e.reference,
        }
        for e in batch
    ]
    answers = {"finetuned": _answers(finetuned, batch, settings)}
    if base is finetuned:
        with base.model.disable_adapter():
            answers["base"] = _answers(base, batch, settings)
    elif base is not None:
        answers["base"] = _answers(base, batch, settings)
    for name, scored in answers.items():
        for row, answer in zip(rows, scored, strict=True):
            row[name] = answer
    if check_loads:
        _interpreter_scores([r for r in rows if r["kind"] == "code"], run_dir)
    for row in rows:
        if "base" in row:
            row["finetuned_worse"] = worse_than(row["finetuned"], row["base"])
    return rows


def _answers(
    loaded: gen.LoadedModel, batch: list[Example], settings: gen.GenerationSettings
) -> list[dict]:
    completions = gen.generate_many(loaded, [e.messages for e in batch], settings)
    return [
        {
            "output": c.text,
            **score_output(c.text, e.reference, e.kind).to_dict(),
            "new_tokens": c.new_tokens,
            "seconds": round(c.seconds, 3),
        }
        for c, e in zip(completions, batch, strict=True)
    ]


# ----------------------------------------------------------------------------- the task benchmark

EXAMPLES_SHOWN = 5


def benchmark_path(run_dir: Path) -> Path:
    return eval_dir(run_dir) / "ahkbench.json"


def benchmark(
    run_dir: Path,
    tasks: Path | None = None,
    limit: int | None = None,
    compare_base: bool = True,
    settings: gen.GenerationSettings | None = None,
    model: str = "auto",
    samples: int = 1,
) -> dict:
    """pass@1 (and pass@samples) of the fine-tuned model, and of its base, on the task benchmark;
    written to eval/ahkbench.json with per-category rows, failure classes, examples and the
    tasks whose reference solutions near-duplicate the run's training records (`leakage`).
    `limit` takes that many tasks spread over the categories (`ahkbench.spread`)."""
    from core.ahk.sandbox import require_sandbox
    from core.evaluate import ahkbench

    tasks_path = Path(tasks) if tasks else ahkbench.DEFAULT_TASKS
    task_list = ahkbench.spread(ahkbench.load_tasks(tasks_path), limit)
    require_sandbox()
    settings = settings or gen.GenerationSettings()
    check_samples(samples, settings.temperature)
    kind = _finetuned_kind(gen.run_models(run_dir), model)
    adapter = provenance.model_adapter(run_dir, kind)  # before it is loaded: what is scored
    finetuned = gen.load_model(run_dir, kind)
    base = _base_model(run_dir, finetuned, compare_base)
    conversations = [[{"role": "user", "content": t.prompt}] for t in task_list] * samples
    replies = {"finetuned": gen.generate_many(finetuned, conversations, settings)}
    if base is finetuned:
        with base.model.disable_adapter():
            replies["base"] = gen.generate_many(base, conversations, settings)
    elif base is not None:
        replies["base"] = gen.generate_many(base, conversations, settings)
    ks = tuple(sorted({1, samples}))
    reports = {}
    for name, completions in replies.items():
        answers: dict[str, list[str]] = {}
        for conv_task, completion in zip(task_list * samples, completions, strict=True):
            answers.setdefault(conv_task.id, []).append(completion.text)
        results = ahkbench.run_answers(task_list, answers)
        reports[name] = ahkbench.summarise(results, ks).to_dict()
    train = training_file(run_dir)  # the tasks' reference solutions against the run's own data
    leaks = ahkbench.train_leakage(tasks_path, train) if train.is_file() else None
    data = {"run": run_dir.name, "tasks": str(tasks_path), "samples": samples, "adapter": adapter,
            "models": reports, "examples": benchmark_examples(reports), "leakage": leaks}  # fmt: skip
    atomic_write_text(benchmark_path(run_dir), json.dumps(data, indent=1) + "\n")
    return data


def check_samples(samples: int, temperature: float) -> None:
    """StudioError unless `samples` answers per task can differ: k > 1 needs sampling."""
    if samples < 1:
        raise StudioError(f"samples per task must be at least 1, got {samples}")
    if samples > 1 and temperature <= 0:
        raise StudioError(
            f"pass@{samples} needs {samples} different answers per task, and temperature 0 "
            "gives the same answer each time",
            hint="set a temperature above 0 (0.8 is usual), or 1 sample per task for pass@1",
        )


def benchmark_examples(reports: dict) -> dict:
    """The best examples (fine-tuned passes where the base fails) and the worst (the fine-tuned
    model fails), each with the test's output beside the expected one."""
    tuned = [r for r in reports["finetuned"]["results"] if r["sample"] == 0]
    base = {r["id"]: r for r in reports.get("base", {}).get("results", []) if r["sample"] == 0}

    def shown(r: dict) -> dict:
        other = base.get(r["id"], {})
        return {k: r[k] for k in ("id", "category", "status", "stdout", "expected", "stderr",
                                  "code")} | {"base_status": other.get("status")}  # fmt: skip

    best = [shown(r) for r in tuned if r["passed"] and not base.get(r["id"], {}).get("passed")]
    worst = [shown(r) for r in tuned if not r["passed"]]
    worst.sort(key=lambda r: not base.get(r["id"], {}).get("passed", False))
    return {"best": best[:EXAMPLES_SHOWN], "worst": worst[:EXAMPLES_SHOWN]}


def read_benchmark(run_dir: Path) -> dict | None:
    """eval/ahkbench.json of a run, or None when the benchmark has not run."""
    path = benchmark_path(run_dir)
    return json.loads(path.read_text("utf-8")) if path.is_file() else None


def format_benchmark(data: dict) -> str:
    """pass@1 per category, one column per model, and pass@samples (or why it is absent)."""
    models = [m for m in MODELS if m in data["models"]]
    cats = sorted({c for m in models for c in data["models"][m]["categories"]})
    lines = ["category".ljust(14) + "".join(LABELS[m].rjust(12) for m in models)]
    for cat in cats:
        cells = [data["models"][m]["categories"].get(cat, {}).get("pass_at_1", 0.0) for m in models]
        lines.append(cat.ljust(14) + "".join(f"{v:12.3f}" for v in cells))
    lines.append(
        "pass@1".ljust(14) + "".join(f"{data['models'][m]['pass_at_1']:12.3f}" for m in models)
    )
    k = str(data.get("samples", 1))
    if k != "1":
        cells = [data["models"][m]["pass_at_k"].get(k) for m in models]
        lines.append(
            f"pass@{k}".ljust(14)
            + "".join("-".rjust(12) if v is None else f"{v:12.3f}" for v in cells)
        )
        for m in models:
            why = data["models"][m].get("pass_at_k_absent", {}).get(k)
            if why:
                lines.append(f"{LABELS[m]}: pass@{k} not computed, {why}")
    if (data.get("leakage") or {}).get("near_duplicates"):
        from core.evaluate.ahkbench import format_leakage

        lines.append(format_leakage(data["leakage"]))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- AutoHotkey itself


def _interpreter():
    """The AutoHotkey v2 interpreter engine of core/ahk/check.py, or None when it is not installed."""
    from core.ahk.interpreter import find_interpreter

    return find_interpreter()


def _describe(interpreter) -> str:
    wine = " under Wine" if interpreter.wine else ""
    return f"{interpreter.exe.name} /validate{wine}"


def _interpreter_scores(rows: list[dict], run_dir: Path) -> None:
    """Let AutoHotkey v2 load each answer's code; interpreter_ok is True when /validate passes
    without a word (an error, a timeout or a newer #Requires all count as not loaded); an
    answer with no code does not load (an empty script would)."""
    from core.ahk.answer import answer_code
    from core.ahk.interpreter import run_interpreter

    if not rows:
        return
    with tempfile.TemporaryDirectory(dir=eval_dir(run_dir)) as tmp:
        paths = {}
        for row in rows:
            for name in (m for m in MODELS if m in row):
                code = answer_code(row[name]["output"])
                if not code:
                    row[name]["interpreter_ok"] = False
                    continue
                path = (Path(tmp) / f"{row['index']}-{name}.ahk").resolve()
                path.write_text(code + "\n", encoding="utf-8")
                paths[path] = row[name]
        results = run_interpreter(list(paths), workspace=gen.run_workspace(run_dir))
    for path, scores in paths.items():
        result = results.get(path)
        scores["interpreter_ok"] = None if result is None else not result.diagnostics


# ----------------------------------------------------------------------------- summary


def summarise_rows(rows: list[dict]) -> tuple[dict, dict]:
    """(overall, per category): for each model, the means and counts of `core.evaluate.scoring.summarise`."""
    overall = {m: summarise([r[m] for r in rows]) for m in MODELS if rows and m in rows[0]}
    categories: dict[str, dict] = {}
    for category in sorted({r["category"] for r in rows}):
        picked = [r for r in rows if r["category"] == category]
        categories[category] = {m: summarise([r[m] for r in picked]) for m in overall}
    return overall, categories


def _write(folder: Path, state: dict, rows: list[dict], status: str) -> dict:
    """Rewrite results.jsonl and summary.json atomically; return the summary."""
    overall, per_category = summarise_rows(rows)
    summary = {
        **state,
        "state": status,
        "done": len(rows),
        "updated": time.time(),
        "overall": overall,
        "per_category": per_category,
        "finetuned_worse": sum(bool(r.get("finetuned_worse")) for r in rows),
    }
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    atomic_write_text(folder / "results.jsonl", lines)
    atomic_write_text(folder / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


def format_table(summary: dict) -> str:
    """The summary as a small text table, one column per model."""
    overall = summary.get("overall") or {}
    names = [m for m in MODELS if m in overall]
    lines = [f"{'metric':28}" + "".join(f"{LABELS[m]:>12}" for m in names)]
    for key, label, fmt in TABLE_ROWS:
        cells = [overall[m].get(key) for m in names]
        lines.append(
            f"{label:28}" + "".join(f"{'-' if v is None else fmt.format(v):>12}" for v in cells)
        )
    if "base" in overall:
        lines.append(
            f"fine-tuned worse than base on {summary['finetuned_worse']} of {summary['done']}"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- CLI


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.evaluate", description="Generate on held-out prompts and score them."
    )
    parser.add_argument("--run-dir", required=True, type=Path, help="the run folder")
    parser.add_argument(
        "--split", default="test", help="split beside the training file (test, val)"
    )
    parser.add_argument("--data", type=Path, help="a Harmony JSONL file instead of the split")
    parser.add_argument(
        "--limit",
        type=int,
        help="evaluate only the first N prompts (--benchmark: N tasks spread over the categories)",
    )
    parser.add_argument(
        "--compare-base", action="store_true", help="also generate with the base model"
    )
    parser.add_argument("--model", default="auto", choices=("auto", "adapter", "merged"))
    parser.add_argument("--max-new-tokens", type=int, default=512)
    parser.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=8, help="prompts generated together")
    parser.add_argument("--no-interpreter", action="store_true", help="skip AutoHotkey v2 itself")
    parser.add_argument(
        "--benchmark", action="store_true", help="run the AutoHotkey v2 task benchmark instead"
    )
    parser.add_argument("--tasks", type=Path, help="benchmark tasks JSONL (default: the bundled)")
    parser.add_argument("--samples", type=int, default=1, help="answers per task (pass@k)")
    args = parser.parse_args(argv)
    settings = gen.GenerationSettings(
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_p=args.top_p,
        seed=args.seed,
    )
    cancel_on_sigterm()  # a cancelled studio job ends like Ctrl-C: partial results are kept
    if args.benchmark:
        data = benchmark(args.run_dir, args.tasks, args.limit, args.compare_base, settings,
                         args.model, args.samples)  # fmt: skip
        print(format_benchmark(data) + f"\n-> {benchmark_path(args.run_dir)}")
        return 0
    summary = evaluate(
        args.run_dir,
        split=args.split,
        limit=args.limit,
        compare_base=args.compare_base,
        settings=settings,
        model=args.model,
        data=args.data,
        interpreter=not args.no_interpreter,
        batch_size=args.batch_size,
    )
    print(format_table(summary))
    print(
        f"{summary['state']}: {summary['done']} of {summary['total']} prompts -> {eval_dir(args.run_dir)}"
    )
    return 0
