"""Build prompt/response JSONL datasets from a folder of AutoHotkey scripts and reference CSVs.

The seed pipeline, kept exactly: snippets in walk order, then each reference CSV's rows in file
order, then `dedupe`, then `split_records`; the same corpus, CSVs and seed give the same splits.
Everything else is opt-in: checker gates, instruction prompts, near-duplicate detection (MinHash
over token shingles), a stratified split, a train/test leakage check, Harmony or Alpaca copies.
Every build writes a manifest.json beside its outputs, and every file is written atomically.

    python -m core.build_dataset --input-dir data/raw_scripts --elements-csv data/elements.csv \
        --output-dir workspace/prepared
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import importlib
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.dataset.data_prep import chat_file_name, write_chat
from core.errors import StudioError, cli_main
from core.fsutil import atomic_path, safe_join
from core.reading import DEFAULT_MAX_BYTES, find_relative, read_script
from core.workspace import SAMPLE_CORPUS

Progress = Callable[[str, int, int], None]  # (stage, done, total)
SPLITS = ("train", "val", "test")
REFERENCE_CATEGORY = "(reference)"
TOP_LEVEL_CATEGORY = "(top level)"


# ================================================================ the seed's functions


@dataclass
class SnippetRecord:
    """One training example: a prompt, the response to learn, and where it came from."""

    prompt: str
    response: str
    metadata: dict


@dataclass(frozen=True)
class Dropped:
    """A script or record that was left out: which, at what stage, and why."""

    source: str
    reason: str
    stage: str = "read"


def humanise_title(stem: str) -> str:
    """A readable label from a file stem: `_` and `-` become spaces, runs collapse, ends trimmed."""
    return re.sub(r"\s+", " ", stem.replace("_", " ").replace("-", " ")).strip()


def stem_of(filename: str) -> str:
    """A file name without its last suffix, as Path.stem gives it."""
    dot = filename.rfind(".")
    return filename[:dot] if dot > 0 else filename


def instruction_prompt(text: str, stem: str) -> str:
    """The instruction-style prompt for a script: what it says about itself, else its title."""
    from core.dataset.prompts import write_request  # only for the instruction style

    return write_request(text, humanise_title(stem))


def build_prompt(category: str, title: str, source_path: str) -> str:
    """The seed's recall prompt for a snippet."""
    return "\n".join(
        [
            "You are maintaining a knowledge base of AutoHotkey examples.",
            f"Category: {category}",
            f"Example ID: {title}",
            f"Source Path: {source_path}",
            "Return the exact AutoHotkey snippet associated with this reference.",
        ]
    )


def iterate_snippets(
    root: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    skipped: list[Dropped] | None = None,
    progress: Progress | None = None,
) -> Iterator[SnippetRecord]:
    """One record per readable script below `root`, in sorted(rglob) order.

    Files are read through core.corpus (UTF-16 decoded, BOM stripped, bad bytes replaced, line
    endings made `\\n`); empty, binary and over-cap files are skipped and, when `skipped` is
    given, appended to it with the reason.
    """
    root = Path(root)
    relatives = find_relative(root) if root.is_dir() else []
    prefix = os.path.join(root, "")
    for done, relative in enumerate(relatives, 1):
        if progress is not None and (done % 512 == 0 or done == len(relatives)):
            progress("read", done, len(relatives))
        result = read_script(prefix + relative, max_bytes)
        record = _snippet_record(relative, result.text)
        if record is None:
            if skipped is not None:
                skipped.append(Dropped(relative, result.skip_reason or "empty"))
            continue
        yield record


def _snippet_record(relative: str, text: str | None) -> SnippetRecord | None:
    """The seed's record of one script as read (None when there is nothing to learn from).

    Its category is the first folder below the root; a script directly under the root has the
    empty category, as in the seed."""
    if text is not None:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.lstrip("\ufeff").strip()
    if not text:
        return None
    _, slash, filename = relative.rpartition("/")
    category = relative.split("/", 1)[0] if slash else ""
    metadata = {
        "source_path": relative,
        "category": category,
        "filename": filename,
        "line_count": line_count(text),
        "record_type": "snippet",
    }
    return SnippetRecord(build_prompt(category, stem_of(filename), relative), text + "\n", metadata)


_ASCII_LINE_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e")  # \r is gone already


def line_count(text: str) -> int:
    """len(text.splitlines()) for a text without \r, without splitting it where it can."""
    if not text:
        return 0
    if text.isascii() and not any(c in text for c in _ASCII_LINE_BREAKS):
        return text.count("\n") + (not text.endswith("\n"))
    return len(text.splitlines())


def _instruction_of(record: SnippetRecord) -> str:
    """The instruction-style prompt of a snippet record (its response is the script)."""
    return instruction_prompt(record.response, stem_of(record.metadata["filename"]))


def prompt_preview(
    root: Path, relative: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, str]:
    """(seed prompt, instruction prompt) of one script below `root`, exactly as a build's
    record of it would carry them; a script a build would skip is a StudioError saying why."""
    root = Path(root)
    result = read_script(safe_join(root, relative), max_bytes)
    record = _snippet_record(relative, result.text)
    if record is None:
        raise StudioError(f"skipped: {result.skip_reason or 'empty'}", where=relative)
    return record.prompt, _instruction_of(record)


def iterate_reference_elements(csv_path: Path) -> Iterator[SnippetRecord]:
    """One record per row of a reference CSV that has a Name and a Description, in file order."""
    csv_path = Path(csv_path)
    if not csv_path.exists():
        raise FileNotFoundError(f"Reference CSV not found: {csv_path}")
    with csv_path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            _check_header(reader.fieldnames, csv_path)
            for row in reader:
                record = _reference_record(row, csv_path)
                if record is not None:
                    yield record
        except (csv.Error, UnicodeDecodeError) as err:
            raise StudioError(
                f"line {reader.line_num + 1}: malformed CSV ({err})",
                where=str(csv_path),
                hint="save it as UTF-8 CSV with a header row",
            ) from err


def _check_header(fieldnames: Sequence[str] | None, csv_path: Path) -> None:
    missing = {"Name", "Description"} - set(fieldnames or ())
    if fieldnames is not None and missing:
        raise StudioError(
            f"the header lacks the column(s) {', '.join(sorted(missing))}",
            where=str(csv_path),
            hint="columns: SourceFile, ElementType, Name, Type, ReturnType, Symbol, Path, "
            "Description, Parameters (Name and Description required)",
        )


def _reference_record(row: dict, csv_path: Path) -> SnippetRecord | None:
    value = {key: (row.get(key) or "").strip() for key in _REFERENCE_COLUMNS}
    name, description = value["Name"], value["Description"]
    if not name or not description:
        return None
    element_type = value["ElementType"] or "Unknown"
    prompt = [
        "You are maintaining a knowledge base of AutoHotkey reference entries.",
        f"Element Type: {element_type}",
        f"Element Name: {name}",
    ]
    if value["SourceFile"]:
        prompt.append(f"Source File: {value['SourceFile']}")
    if value["Path"]:
        prompt.append(f"Category Path: {value['Path']}")
    prompt.append("Provide the official description and any pertinent usage details.")
    response = [description]
    for column, label in _REFERENCE_DETAILS:
        if value[column]:
            response.append(f"{label}: {value[column]}")
    metadata = {
        "record_type": "reference",
        "element_type": element_type,
        "name": name,
        "source_csv": csv_path.as_posix(),
        "source_file": value["SourceFile"],
        "category_path": value["Path"],
    }
    return SnippetRecord("\n".join(prompt), "\n".join(response).strip() + "\n", metadata)


_REFERENCE_COLUMNS = (
    "SourceFile", "ElementType", "Name", "Type", "ReturnType", "Symbol", "Path", "Description",
    "Parameters",
)  # fmt: skip
_REFERENCE_DETAILS = (
    ("Type", "Signature Type"),
    ("ReturnType", "Return Type"),
    ("Symbol", "Symbol"),
    ("Parameters", "Parameters"),
)


def dedupe(records: Iterable[SnippetRecord]) -> list[SnippetRecord]:
    """Drop records whose response repeats an earlier one (SHA256); kept ones gain `sha256`."""
    return dedupe_report(records)[0]


def dedupe_report(
    records: Iterable[SnippetRecord],
) -> tuple[list[SnippetRecord], list[tuple[SnippetRecord, SnippetRecord]]]:
    """`dedupe`, plus the dropped records each paired with the kept record it repeats."""
    kept: list[SnippetRecord] = []
    first: dict[str, SnippetRecord] = {}
    dropped: list[tuple[SnippetRecord, SnippetRecord]] = []
    for record in records:
        digest = hashlib.sha256(record.response.encode("utf-8")).hexdigest()
        if digest in first:
            dropped.append((record, first[digest]))
            continue
        enriched = SnippetRecord(
            record.prompt, record.response, {**record.metadata, "sha256": digest}
        )
        first[digest] = enriched
        kept.append(enriched)
    return kept, dropped


def check_ratios(val_ratio: float, test_ratio: float) -> None:
    """ValueError unless both ratios are in [0, 1) and their sum is below 1."""
    if not 0 <= val_ratio < 1:
        raise ValueError("val-ratio must be in [0, 1)")
    if not 0 <= test_ratio < 1:
        raise ValueError("test-ratio must be in [0, 1)")
    if val_ratio + test_ratio >= 1:
        raise ValueError("val-ratio + test-ratio must be less than 1")


def split_records(
    records: Sequence[SnippetRecord], val_ratio: float, test_ratio: float, seed: int
) -> tuple[list[SnippetRecord], list[SnippetRecord], list[SnippetRecord]]:
    """Shuffle a copy with random.Random(seed); val and test get int(total * ratio), train the rest."""
    check_ratios(val_ratio, test_ratio)
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    total = len(shuffled)
    n_val, n_test = int(total * val_ratio), int(total * test_ratio)
    n_train = total - n_val - n_test
    return shuffled[:n_train], shuffled[n_train : n_train + n_val], shuffled[n_train + n_val :]


def write_jsonl(path: Path, records: Iterable[SnippetRecord]) -> None:
    """One {"prompt", "response", "metadata"} object per line, UTF-8, written atomically."""
    with atomic_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as out:
        out.writelines(
            json.dumps(
                {"prompt": r.prompt, "response": r.response, "metadata": r.metadata},
                ensure_ascii=False,
            )
            + "\n"
            for r in records
        )


# ================================================================ the build: options and stages


@dataclass
class BuildOptions:
    """Everything a build depends on; the defaults are the seed's pipeline."""

    input_dir: Path = field(default=SAMPLE_CORPUS, metadata={"help": "Folder of .ahk scripts."})
    elements_csv: list[Path] = field(
        default_factory=list, metadata={"help": "Reference CSVs (rows become records)."}
    )
    val_ratio: float = field(default=0.1, metadata={"help": "Share of records for validation."})
    test_ratio: float = field(default=0.1, metadata={"help": "Share of records for testing."})
    seed: int = field(
        default=2025, metadata={"help": "Seed of the shuffle: same seed, same split."}
    )
    max_bytes: int = field(
        default=DEFAULT_MAX_BYTES, metadata={"help": "Scripts larger than this are skipped."}
    )
    prompt_style: str = field(
        default="seed",
        metadata={"help": "seed: recall by path; instruction: a request built from the script."},
    )
    exclude_verdicts: tuple[str, ...] = field(
        default=(), metadata={"help": "Drop scripts the checker judges so (v1, mixed, unknown)."}
    )
    exclude_invalid: bool = field(
        default=False, metadata={"help": "Drop scripts with error diagnostics."}
    )
    require_eval: bool = field(
        default=False,
        metadata={"help": "Refuse a split without validation or test records (the studio)."},
    )
    engine: str = field(
        default="builtin",
        metadata={"help": "Checker for exclude_invalid: builtin, interpreter or both."},
    )
    workspace: Path | None = field(
        default=None, metadata={"help": "Workspace for the interpreter's Wine prefix."}
    )
    near_dedupe: bool = field(
        default=False, metadata={"help": "Keep one record of each near-duplicate cluster."}
    )
    near_threshold: float = field(
        default=0.85, metadata={"help": "MinHash Jaccard similarity that makes a near-duplicate."}
    )
    check_leakage: bool = field(
        default=True, metadata={"help": "Report near-duplicates that straddle splits."}
    )
    fix_leakage: bool = field(
        default=False, metadata={"help": "Move each straddling cluster into one split."}
    )
    stratify: bool = field(default=False, metadata={"help": "Split each category by the ratios."})
    train_file: str = "train.jsonl"
    val_file: str = "val.jsonl"
    test_file: str = "test.jsonl"
    chat_format: str | None = field(
        default=None, metadata={"help": "Also write <split>_<format>.jsonl: harmony or alpaca."}
    )
    sample: str | None = field(
        default=None, metadata={"help": "Script (relative path) whose prompts the preview shows."}
    )


PROMPT_STYLES = ("seed", "instruction")
ENGINES = ("builtin", "interpreter", "both")
VERDICTS = ("v2", "v1", "mixed", "unknown")
# The gates the studio starts with (BuildOptions keeps the seed's: none): v1 and mixed scripts
# teach the wrong language, and scripts with checker errors teach broken code.
RECOMMENDED_GATES: dict[str, Any] = {"exclude_verdicts": ("v1", "mixed"), "exclude_invalid": True}


def check_shares(val_ratio: float, test_ratio: float, require_eval: bool = False) -> None:
    """StudioError unless a build can split by these shares (`where` names the option)."""
    try:
        check_ratios(val_ratio, test_ratio)
    except ValueError as err:
        raise StudioError(
            f"validation share {val_ratio:g} and test share {test_ratio:g}: "
            f"each must be at least 0, and together below 1 ({err})",
            where="val_ratio / test_ratio",
            hint="e.g. 0.1 and 0.1 (the train share is what is left: 0.8)",
        ) from err
    for field_name, label, share in (
        ("val_ratio", "validation", val_ratio),
        ("test_ratio", "test", test_ratio),
    ):
        if require_eval and share <= 0:
            raise StudioError(
                f"the {label} share is 0: evaluation and the eval loss would have no data",
                where=field_name,
                hint="give it a share such as 0.1, or turn evaluation off",
            )


def share_problems(
    val_ratio: float, test_ratio: float, require_eval: bool = False
) -> dict[str, str]:
    """check_shares's refusal by the option it concerns (an out-of-range share alone, else
    both): what a form shows at each field before any build; {} when both can be used."""
    try:
        check_shares(val_ratio, test_ratio, require_eval)
    except StudioError as err:
        shares = (("val_ratio", val_ratio), ("test_ratio", test_ratio))
        outside = [name for name, share in shares if not 0 <= share < 1]
        return dict.fromkeys(outside or (err.where or "").split(" / "), err.message)
    return {}


def train_share(val_ratio: float, test_ratio: float) -> float:
    """The share of records left for training."""
    return round(1 - val_ratio - test_ratio, 4)


def validate_options(options: BuildOptions) -> None:
    """StudioError for any option a build cannot use, naming the option."""
    check_shares(options.val_ratio, options.test_ratio, options.require_eval)
    choices = (
        ("prompt_style", options.prompt_style, PROMPT_STYLES),
        ("engine", options.engine, ENGINES),
        ("chat_format", options.chat_format, (None, "harmony", "alpaca")),
    )
    for name, value, allowed in choices:
        if value not in allowed:
            raise StudioError(
                f"{name} must be one of {', '.join(map(str, allowed))}, got {value!r}"
            )
    unknown = set(options.exclude_verdicts) - set(VERDICTS)
    if unknown:
        raise StudioError(
            f"unknown verdict(s) {', '.join(sorted(unknown))}", hint=f"use {', '.join(VERDICTS)}"
        )
    if not 0 < options.near_threshold <= 1:
        raise StudioError(f"near_threshold must be in (0, 1], got {options.near_threshold}")
    if not Path(options.input_dir).is_dir():
        raise StudioError(
            f"input folder not found: {options.input_dir}",
            hint="check the corpus folder (--input-dir on the command line)",
        )
    for csv_path in options.elements_csv:
        if not Path(csv_path).is_file():
            raise StudioError(
                f"reference CSV not found: {csv_path}",
                hint="check the path in Reference CSVs (--elements-csv on the command line)",
            )
    names = [options.train_file, options.val_file, options.test_file]
    if len(set(names)) < 3 or any(Path(n).name != n or not n for n in names):
        raise StudioError("train, val and test file names must be distinct plain file names")


def is_reference(record: SnippetRecord) -> bool:
    """Whether a record is a row of the reference CSV (it has no script file)."""
    return record.metadata.get("record_type") == "reference"


def record_source(record: SnippetRecord) -> str:
    """Where a record came from: a script's relative path, or csv-name:element-name."""
    meta = record.metadata
    if is_reference(record):
        return f"{Path(meta.get('source_csv', '')).name}:{meta.get('name', '')}"
    return meta.get("source_path", "")


def record_category(record: SnippetRecord) -> str:
    """A snippet's category ("(top level)" for one directly under the root in the seed style),
    or "(reference)" for a reference row."""
    if is_reference(record):
        return REFERENCE_CATEGORY
    return record.metadata.get("category") or TOP_LEVEL_CATEGORY


# ---------------------------------------------------------------- checker gates (issue 3 §5)


def _checker_module():
    """core.ahk, imported when a gate needs it (so the build works without the checker)."""
    try:
        return importlib.import_module("core.ahk.check")
    except ImportError as err:
        raise StudioError("the AutoHotkey checker (core.ahk) is not available") from err


def apply_gates(
    records: list[SnippetRecord], options: BuildOptions, progress: Progress | None = None
) -> tuple[list[SnippetRecord], list[Dropped]]:
    """Drop scripts whose verdict is excluded, then (exclude_invalid) those with load errors."""
    if not options.exclude_verdicts and not options.exclude_invalid:
        return records, []
    ahk = _checker_module()
    root = Path(options.input_dir).resolve()
    paths = [None if is_reference(r) else root / record_source(r) for r in records]
    builtin = []  # includes resolved inside the corpus, as the Includes tab resolves them
    checks = ahk.check_sources([r.response for r in records], paths=paths, root=root)
    for done, result in enumerate(checks, 1):
        builtin.append(result)
        if progress is not None and (done % 512 == 0 or done == len(records)):
            progress("check", done, len(records))
    interpreted = _interpreter_results(records, options, progress)
    kept, dropped = [], []
    for record, result in zip(records, builtin, strict=True):
        source = record_source(record)
        if result.verdict in options.exclude_verdicts:
            dropped.append(Dropped(source, f"verdict {result.verdict}", "verdict gate"))
            continue
        if options.exclude_invalid:
            checks = [result] if options.engine != "interpreter" else []
            checks += [interpreted[source]] if source in interpreted else []
            error = next((d for c in checks for d in c.diagnostics if d.severity == "error"), None)
            if error is not None:
                reason = f"invalid: line {error.line}: {error.message} [{error.code}]"
                dropped.append(Dropped(source, reason, "validity gate"))
                continue
        kept.append(record)
    return kept, dropped


def _interpreter_results(
    records: list[SnippetRecord], options: BuildOptions, progress: Progress | None
) -> dict:
    """The interpreter's CheckResult per record source (empty unless the engine asks for it)."""
    if not options.exclude_invalid or options.engine == "builtin":
        return {}
    from core.ahk.interpreter import find_interpreter, run_interpreter

    if find_interpreter() is None:
        raise StudioError(
            "the AutoHotkey v2 interpreter is not installed (needs Wine and AutoHotkeyV2.exe)",
            hint="install it (see README) or use --engine builtin",
        )
    root = Path(options.input_dir)
    paths = {(root / record_source(r)).resolve(): record_source(r) for r in records}
    report = (lambda done, total: progress("interpreter", done, total)) if progress else None
    results = run_interpreter(
        list(paths), workspace=options.workspace, jobs=2, timeout=20, progress=report
    )
    return {paths[Path(path)]: result for path, result in results.items() if Path(path) in paths}


# ---------------------------------------------------------------- split and leakage


def _check_eval_records(splits: dict[str, list], options: BuildOptions) -> None:
    """With require_eval, a share that rounds to no record at all is an error, not an empty set."""
    for split, name in (("val", "val_ratio"), ("test", "test_ratio")):
        if options.require_eval and not splits[split]:
            total = sum(len(part) for part in splits.values())
            raise StudioError(
                f"the {split} split would have no records ({total} records x "
                f"{getattr(options, name):g} rounds to 0)",
                where=name,
                hint="raise that share, or turn evaluation off",
            )


def stratified_split(
    records: Sequence[SnippetRecord], val_ratio: float, test_ratio: float, seed: int
) -> tuple[list[SnippetRecord], list[SnippetRecord], list[SnippetRecord]]:
    """Split each category by the ratios (rounded, train keeps at least one), then mix."""
    check_ratios(val_ratio, test_ratio)
    rng = random.Random(seed)
    groups: dict[str, list[SnippetRecord]] = {}
    for record in records:
        groups.setdefault(record_category(record), []).append(record)
    parts: tuple[list, list, list] = ([], [], [])
    for category in sorted(groups):
        group = groups[category]
        rng.shuffle(group)
        n_val, n_test = round(len(group) * val_ratio), round(len(group) * test_ratio)
        while n_val + n_test >= len(group) and n_val + n_test > 0:
            n_val, n_test = (n_val - 1, n_test) if n_val >= n_test else (n_val, n_test - 1)
        n_train = len(group) - n_val - n_test
        parts[0].extend(group[:n_train])
        parts[1].extend(group[n_train : n_train + n_val])
        parts[2].extend(group[n_train + n_val :])
    for part in parts:
        rng.shuffle(part)
    return parts


@dataclass
class ClusterReport:
    """A near-duplicate cluster: its members (sources), the one kept, and how similar."""

    members: list[str]
    kept: str
    similarity: float
    dropped: bool = False  # near_dedupe dropped all members but `kept`


@dataclass
class Leak:
    """A near-duplicate cluster whose members sit in different splits."""

    cluster: int  # index into the build's clusters
    members: list[tuple[str, str]]  # (source, split)
    moved_to: str | None = None  # where fix_leakage moved them all


def find_leaks(
    clusters: list[list[SnippetRecord]], splits: dict[str, list[SnippetRecord]]
) -> list[Leak]:
    """The clusters whose members sit in more than one split."""
    where = {id(record): name for name, part in splits.items() for record in part}
    leaks = []
    for index, members in enumerate(clusters):
        placed = [(record_source(r), where[id(r)]) for r in members if id(r) in where]
        if len({split for _, split in placed}) > 1:
            leaks.append(Leak(index, placed))
    return leaks


def fix_leaks(
    leaks: list[Leak], clusters: list[list[SnippetRecord]], splits: dict[str, list[SnippetRecord]]
) -> None:
    """Move each straddling cluster into the split that holds most of it (train on a tie)."""
    for leak in leaks:
        counts = Counter(split for _, split in leak.members)
        target = max(SPLITS, key=lambda name: (counts[name], name == "train"))
        moving = {id(record) for record in clusters[leak.cluster]}
        for name in SPLITS:
            splits[name][:] = [r for r in splits[name] if id(r) not in moving]
        splits[target].extend(r for r in clusters[leak.cluster])
        leak.moved_to = target


TABLE_COLUMNS = ("category", *SPLITS, "total")


def split_rows(splits: dict[str, list[SnippetRecord]]) -> list[dict]:
    """Records per category (one dict a category) and split, with totals."""
    counts = {name: Counter(map(record_category, part)) for name, part in splits.items()}
    categories = sorted(set().union(*counts.values()))
    rows = [{"category": c, **{s: counts[s][c] for s in SPLITS}} for c in categories]
    return [{**row, "total": sum(row[s] for s in SPLITS)} for row in rows]


def text_table(rows: list[dict], columns: Sequence[str] = TABLE_COLUMNS) -> str:
    """`rows` as pandas' DataFrame.to_string(index=False) writes them, without pandas."""
    cells = [[str(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]
    lines = [list(columns), *cells]
    return "\n".join("  ".join(map(str.rjust, line, widths)) for line in lines)


# ---------------------------------------------------------------- preview and build


@dataclass
class PromptSample:
    """Both prompt styles for one script."""

    source: str
    seed: str
    instruction: str


@dataclass
class BuildPreview:
    """Everything a build would do, before anything is written."""

    options: BuildOptions
    stages: dict[str, int]  # record counts after each stage, in order
    dropped: list[Dropped]
    clusters: list[ClusterReport]
    leaks: list[Leak]
    rows: list[dict]  # records per category and split (split_rows)
    sample: PromptSample | None
    splits: dict[str, list[SnippetRecord]] = field(default_factory=dict, repr=False)
    seconds: dict[str, float] = field(default_factory=dict)  # time each stage took

    @property
    def gate_counts(self) -> dict[str, int]:
        """Scripts each checker gate dropped: per verdict (v1, mixed, unknown) and with errors."""
        counts = dict.fromkeys(("v1", "mixed", "unknown", "errors"), 0)
        for dropped in self.dropped:
            if dropped.stage == "verdict gate":
                verdict = dropped.reason.removeprefix("verdict ")
                counts[verdict] = counts.get(verdict, 0) + 1
            elif dropped.stage == "validity gate":
                counts["errors"] += 1
        return counts

    @property
    def table(self):
        """The rows as a DataFrame (category, train, val, test, total); imports pandas."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=list(TABLE_COLUMNS))


@dataclass
class BuildResult:
    """What a build wrote."""

    output_dir: Path
    files: dict[str, Path]  # train/val/test (and <split>_<format>) -> path
    manifest_path: Path
    preview: BuildPreview


class _Clock:
    """Times each stage and tells the progress callback when one ends."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.last = progress, time.perf_counter()
        self.seconds: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + now - self.last, 4)
        self.last = now
        if self.progress is not None:
            self.progress(stage, 1, 1)


def preview(options: BuildOptions, progress: Progress | None = None) -> BuildPreview:
    """Run every stage in memory: read, gates, prompts, dedupe, near-duplicates, split, leakage."""
    validate_options(options)
    clock = _Clock(progress)
    dropped: list[Dropped] = []
    stages: dict[str, int] = {}
    snippets, sample = _read_stage(options, stages, dropped, clock)
    records = snippets
    for csv_path in options.elements_csv:
        references = list(iterate_reference_elements(Path(csv_path)))
        stages[f"reference rows ({Path(csv_path).name})"] = len(references)
        records = records + references
    stages["records"] = len(records)
    if not records:
        raise StudioError(
            "nothing to build: no readable scripts or reference rows",
            where=str(options.input_dir),
            hint="check the input folder and the CSVs",
        )
    clock.lap("references")
    records, groups, clusters = _dedupe_stage(records, options, stages, dropped, clock)
    parts = (stratified_split if options.stratify else split_records)(
        records, options.val_ratio, options.test_ratio, options.seed
    )
    splits = dict(zip(SPLITS, parts, strict=True))
    _check_eval_records(splits, options)
    clock.lap("split")
    leaks = find_leaks(groups, splits) if options.check_leakage else []
    if options.fix_leakage:
        fix_leaks(leaks, groups, splits)
    clock.lap("leakage check")
    stages.update({name: len(part) for name, part in splits.items()})
    plan = BuildPreview(options, stages, dropped, clusters, leaks, split_rows(splits), sample)
    plan.splits, plan.seconds = splits, clock.seconds
    return plan


def _read_stage(
    options: BuildOptions, stages: dict[str, int], dropped: list[Dropped], clock: _Clock
) -> tuple[list[SnippetRecord], PromptSample | None]:
    """Read the scripts, apply the checker gates, choose the prompt style."""
    snippets = list(
        iterate_snippets(
            options.input_dir, max_bytes=options.max_bytes, skipped=dropped, progress=clock.progress
        )
    )
    stages["scripts found"] = len(snippets) + len(dropped)
    stages["snippets read"] = len(snippets)
    clock.lap("read")
    snippets, gated = apply_gates(snippets, options, clock.progress)
    dropped += gated
    if options.exclude_verdicts or options.exclude_invalid:
        stages["after checker gates"] = len(snippets)
        clock.lap("checker gates")
    sample = _prompt_sample(snippets, options.sample)
    if options.prompt_style == "instruction":
        root_name = Path(options.input_dir).resolve().name
        for record in snippets:
            record.prompt = _instruction_of(record)
            record.metadata["category"] = record.metadata["category"] or root_name
        clock.lap("instruction prompts")
    return snippets, sample


def _dedupe_stage(
    records: list[SnippetRecord],
    options: BuildOptions,
    stages: dict[str, int],
    dropped: list[Dropped],
    clock: _Clock,
) -> tuple[list[SnippetRecord], list[list[SnippetRecord]], list[ClusterReport]]:
    """Exact dedupe, then near-duplicate clusters (dropped with near_dedupe, else kept)."""
    records, repeats = dedupe_report(records)
    dropped += [
        Dropped(record_source(r), f"exact duplicate of {record_source(k)}", "exact dedupe")
        for r, k in repeats
    ]
    stages["after exact dedupe"] = len(records)
    clock.lap("exact dedupe")
    groups, clusters = _near_duplicates(records, options)
    if options.near_dedupe:
        gone = {id(r) for group in groups for r in group[1:]}
        dropped += [
            Dropped(record_source(r), f"near-duplicate of {record_source(g[0])}", "near dedupe")
            for g in groups
            for r in g[1:]
        ]
        records = [r for r in records if id(r) not in gone]
        groups = []
        stages["after near dedupe"] = len(records)
    clock.lap("near duplicates")
    return records, groups, clusters


def _near_duplicates(
    records: list[SnippetRecord], options: BuildOptions
) -> tuple[list[list[SnippetRecord]], list[ClusterReport]]:
    if not (options.near_dedupe or options.check_leakage):
        return [], []
    from core.corpus.minhash import near_duplicate_clusters  # numpy: only when asked for

    found = near_duplicate_clusters([r.response for r in records], options.near_threshold)
    groups = [[records[i] for i in cluster.members] for cluster in found]
    reports = [
        ClusterReport(
            members=[record_source(r) for r in group],
            kept=record_source(group[0]),
            similarity=cluster.similarity,
            dropped=options.near_dedupe,
        )
        for cluster, group in zip(found, groups, strict=True)
    ]
    return groups, reports


def _prompt_sample(snippets: list[SnippetRecord], wanted: str | None) -> PromptSample | None:
    chosen = next((r for r in snippets if r.metadata["source_path"] == wanted), None)
    chosen = chosen or (snippets[0] if snippets else None)
    if chosen is None:
        return None
    return PromptSample(
        source=chosen.metadata["source_path"],
        seed=chosen.prompt,
        instruction=_instruction_of(chosen),
    )


def output_files(options: BuildOptions, output_dir: Path) -> dict[str, Path]:
    """The files a build writes: train/val/test (and <split>_<format> chat copies)."""
    names = (options.train_file, options.val_file, options.test_file)
    files = {split: Path(output_dir) / name for split, name in zip(SPLITS, names, strict=True)}
    if options.chat_format:
        for split, name in zip(SPLITS, names, strict=True):
            chat = chat_file_name(name, options.chat_format)
            files[f"{split}_{options.chat_format}"] = Path(output_dir) / chat
    return files


def build(options: BuildOptions, output_dir: Path, progress: Progress | None = None) -> BuildResult:
    """Preview, then write the splits, their chat copies and manifest.json.

    Every file is written to a temporary file first and all are renamed into place only when
    all are complete, so an interrupted build leaves the previous outputs as they were.
    """
    plan = preview(options, progress)
    started = time.perf_counter()
    files = output_files(options, output_dir)
    manifest_path = Path(output_dir) / "manifest.json"
    with contextlib.ExitStack() as stack:  # unwinds last-in first-out: the manifest goes last
        manifest_tmp = stack.enter_context(atomic_path(manifest_path))
        staged = {key: stack.enter_context(atomic_path(path)) for key, path in files.items()}
        for split, records in plan.splits.items():
            write_jsonl(staged[split], records)
            if options.chat_format:
                pairs = ((r.prompt, r.response) for r in records)
                write_chat(staged[f"{split}_{options.chat_format}"], pairs, options.chat_format)
        plan.seconds["write"] = round(time.perf_counter() - started, 4)
        manifest = build_manifest(plan, files)
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        manifest_tmp.write_text(text, encoding="utf-8")
    return BuildResult(Path(output_dir), files, manifest_path, plan)


def build_manifest(plan: BuildPreview, files: dict[str, Path]) -> dict:
    """The manifest: inputs, options, counts per stage, what was dropped and why, outputs."""
    options = plan.options
    by_stage: dict[str, list[dict]] = {}
    for item in plan.dropped:
        by_stage.setdefault(item.stage, []).append({"source": item.source, "reason": item.reason})
    settings = {
        key: value
        for key, value in asdict(options).items()
        if key not in ("input_dir", "elements_csv", "workspace", "sample")
    }
    return {
        "tool": "core.build_dataset",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": {
            "input_dir": str(options.input_dir),
            "elements_csv": [str(p) for p in options.elements_csv],
        },
        "seed": options.seed,
        "ratios": {"val": options.val_ratio, "test": options.test_ratio},
        "options": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()},
        "stages": plan.stages,
        "dropped": by_stage,
        "near_duplicates": {
            "threshold": options.near_threshold,
            "clusters": [asdict(c) for c in plan.clusters],
        },
        "leakage": [
            {"cluster": k.cluster, "members": [list(m) for m in k.members], "moved_to": k.moved_to}
            for k in plan.leaks
        ],
        "splits": {
            split: {
                "file": files[split].name,
                "count": len(records),
                "by_category": dict(Counter(map(record_category, records))),
            }
            for split, records in plan.splits.items()
        },
        "outputs": {key: path.name for key, path in files.items()},
    }


# ================================================================ command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Build JSONL datasets from AutoHotkey scripts (the seed's pipeline by default)."
    )
    seed = parser.add_argument_group("the seed's options")
    seed.add_argument("--input-dir", type=Path, default=SAMPLE_CORPUS)
    seed.add_argument("--output-dir", type=Path, help="default: <workspace>/prepared")
    seed.add_argument("--train-file", default="train.jsonl")
    seed.add_argument("--val-file", default="val.jsonl")
    seed.add_argument("--test-file", default="test.jsonl")
    seed.add_argument("--val-ratio", type=float, default=0.1)
    seed.add_argument("--test-ratio", type=float, default=0.1)
    seed.add_argument("--seed", type=int, default=2025)
    seed.add_argument(
        "--elements-csv", type=Path, action="append", default=[], help="reference CSV (repeatable)"
    )
    seed.add_argument("--dry-run", action="store_true", help="print counts, write nothing")
    more = parser.add_argument_group("extensions (opt-in)")
    more.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="size cap per file")
    more.add_argument("--prompt-style", choices=PROMPT_STYLES, default="seed")
    more.add_argument("--near-dedupe", action="store_true", help="keep one per near-dup cluster")
    more.add_argument("--near-threshold", type=float, default=0.85, help="MinHash Jaccard")
    more.add_argument(
        "--check-leakage",
        action="store_true",
        help="report near-duplicate clusters that straddle splits (on with --near-dedupe)",
    )
    more.add_argument("--no-leakage-check", action="store_true", help="never check for leakage")
    more.add_argument("--fix-leakage", action="store_true", help="move straddling clusters")
    more.add_argument("--stratify", action="store_true", help="split each category by the ratios")
    more.add_argument("--exclude-verdict", default="", help="e.g. v1,mixed (the checker's verdict)")
    more.add_argument("--exclude-invalid", action="store_true", help="drop scripts with errors")
    more.add_argument("--engine", choices=ENGINES, default="builtin", help="for --exclude-invalid")
    more.add_argument("--workspace", type=Path, help="workspace (the interpreter's Wine prefix)")
    more.add_argument("--chat-format", choices=("harmony", "alpaca"), help="also write chat files")
    more.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def options_from_args(args: argparse.Namespace) -> BuildOptions:
    """BuildOptions from parsed command-line arguments."""
    return BuildOptions(
        input_dir=args.input_dir,
        elements_csv=list(args.elements_csv),
        val_ratio=args.val_ratio,
        test_ratio=args.test_ratio,
        seed=args.seed,
        max_bytes=args.max_bytes,
        prompt_style=args.prompt_style,
        exclude_verdicts=tuple(v.strip() for v in args.exclude_verdict.split(",") if v.strip()),
        exclude_invalid=args.exclude_invalid,
        engine=args.engine,
        workspace=args.workspace,
        near_dedupe=args.near_dedupe,
        near_threshold=args.near_threshold,
        check_leakage=(args.check_leakage or args.near_dedupe or args.fix_leakage)
        and not args.no_leakage_check,
        fix_leakage=args.fix_leakage,
        stratify=args.stratify,
        train_file=args.train_file,
        val_file=args.val_file,
        test_file=args.test_file,
        chat_format=args.chat_format,
    )


_REASON_DETAIL = re.compile(r" of | \(|: line ")


class _Bars:
    """A tqdm bar per stage, for the command line."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.stage: str | None = None
        self.bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total < 1000:
            return
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage, self.bar = stage, tqdm(total=total, desc=stage, unit="file", leave=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.stage, self.bar = None, None


def _report(plan: BuildPreview) -> None:
    """Counts per stage, drops by kind, the split table, clusters and leaks (the full lists are
    in manifest.json)."""
    options = plan.options
    for stage, count in plan.stages.items():
        print(f"{stage:>34}: {count}")
    kinds = Counter(f"{d.stage}: {_REASON_DETAIL.split(d.reason)[0]}" for d in plan.dropped)
    for kind, count in sorted(kinds.items()):
        print(f"{'dropped':>34}: {count} × {kind}")
    print(text_table(plan.rows))
    if plan.clusters:
        action = "dropped all but one of" if options.near_dedupe else "found"
        print(f"Near-duplicates: {action} {len(plan.clusters)} cluster(s).")
    if plan.leaks:
        fixed = (
            "; moved each into one split" if options.fix_leakage else " (--fix-leakage moves them)"
        )
        print(f"Leakage: {len(plan.leaks)} cluster(s) straddle splits{fixed}.")


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    options = options_from_args(args)
    bars = _Bars(not args.no_progress and sys.stderr.isatty())
    try:
        if args.dry_run:
            plan = preview(options, bars)
        else:
            from core.workspace import subdir, workspace_root

            output_dir = args.output_dir or subdir(workspace_root(args.workspace), "prepared")
            result = build(options, output_dir, bars)
            plan = result.preview
    finally:
        bars.close()
    _report(plan)
    if args.dry_run:
        print("Dry run complete; no files written.")
    else:
        print(f"Wrote datasets and {result.manifest_path.name} to {result.output_dir}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
