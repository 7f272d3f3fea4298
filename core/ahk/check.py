"""The built-in AutoHotkey v2 checker: a verdict and diagnostics per script, over several processes
for a big corpus."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.ahk.include_resolver import IncludeResolver
from core.ahk.lexer import Diagnostic, Token, strip_comments, strip_comments_and_strings, tokenize
from core.ahk.syntax import Checker

__all__ = [
    "CODES",
    "CheckResult",
    "Diagnostic",
    "Token",
    "check_file",
    "check_files",
    "check_source",
    "check_sources",
    "strip_comments",
    "strip_comments_and_strings",
    "tokenize",
]


@dataclass(frozen=True)
class CheckResult:
    """A verdict ('v2', 'v1', 'mixed', 'unknown'), a score (0 = surely v1, 1 = surely v2)
    and the diagnostics, sorted by position."""

    verdict: str
    score: float
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Number of error diagnostics."""
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        """Number of warning diagnostics."""
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    def to_dict(self) -> dict:
        """Verdict, score, counts and diagnostics as plain values (for JSON)."""
        return {
            "verdict": self.verdict,
            "score": self.score,
            "errors": self.errors,
            "warnings": self.warnings,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


# Every diagnostic code, what it means. Errors are what stops AutoHotkey v2 loading a script;
# warnings are v1 habits that still load (or problems of the tools); info is for the reader.
CODES = {
    "syntax": "error: a malformed statement or expression",
    "unbalanced-bracket": "error: a ( [ { or % never closed, or a closing one without an opener",
    "unterminated-string": "error: a quoted string that does not end on its line",
    "unterminated-continuation": 'error: a continuation section "(" never closed by ")"',
    "continuation": "error: an invalid continuation-section option",
    "missing-body": "error: if/else/loop/while/for/try/catch/finally without a statement",
    "misplaced": "error: else/catch/finally/until/case/break where it cannot be",
    "duplicate": "error: a function, class, method, label, hotkey or parameter defined twice",
    "readonly": "error: assigning a class, a function or a read-only built-in variable",
    "arity": "error: too many or too few parameters for a known function",
    "unknown-class": "error: extends or catch names a class that does not exist",
    "undefined-label": "error: goto, break or continue names a label that does not exist",
    "invalid-hotkey": "error: a hotkey with an unknown key name",
    "hotkey-brace": "error: a multi-line hotkey or hotstring without braces (v1 style)",
    "unknown-directive": "error: a #directive AutoHotkey v2 does not know",
    "removed-directive": "error: a v1-only #directive (#NoEnv, #If, #Persistent...)",
    "requires-v1": "error: #Requires names AutoHotkey v1",
    "requires": "error: #Requires names something other than AutoHotkey",
    "include-missing": "error: an #Include whose file does not exist",
    "include-outside": "error: an #Include whose target lies outside the corpus root (never opened)",
    "legacy-command": 'error: v1 command syntax "Name, args"',
    "legacy-assignment": 'error: v1 legacy assignment "var = value"',
    "forced-expression": 'error: v1 forced expression "% expr"',
    "unreadable": "error: the file could not be read",
    "legacy-deref": "warning: a v1-style %var% in command arguments (loads as a dynamic name)",
    "legacy-if": "warning: v1 legacy If comparing with unquoted text",
    "legacy-new": 'warning: v1 "new ClassName()"',
    "removed-command": "warning: a v1 command v2 does not have, called like a function",
    "removed-function": "warning: a v1 function v2 does not have (ComObjCreate, IsFunc...)",
    "unterminated-comment": "warning: /* never closed (the rest of the file is a comment)",
    "needs-v2.1": "info (built-in) / warning (interpreter): #Requires a newer AutoHotkey than 2.0",
    "interpreter": "error: the interpreter refused to load the script",
    "interpreter-include": "error: the interpreter could not open an #Include",
    "interpreter-timeout": "warning: the interpreter did not answer in time",
    "interpreter-failed": "warning: the interpreter could not be run",
}


_CAPS = {"v2:requires": 10.0, "v1:requires": 10.0, "v1:deref": 2.0}


_DEFAULT_CAP = 6.0


def _verdict(marks: dict[str, float], statements: int, errors: int) -> tuple[str, float]:
    """Weigh the v1 and v2 evidence (each kind capped) into a verdict and a score."""
    v1 = v2 = 0.0
    for key, weight in marks.items():
        capped = min(weight, _CAPS.get(key, _DEFAULT_CAP))
        if key.startswith("v1:"):
            v1 += capped
        else:
            v2 += capped
    if errors == 0 and statements:
        v2 += 1.0  # it loads under v2's rules: that is evidence too
    score = round((v2 + 0.5) / (v1 + v2 + 1.0), 3)
    if v1 == 0 and v2 == 0:
        return "unknown", score
    if v1 >= 3 and v2 >= 3:
        return "mixed", score
    if v1 > v2:
        return "v1", score
    if v2 > v1:
        return "v2", score
    return "mixed", score


def check_source(text: str, path: Path | None = None, root: Path | None = None) -> CheckResult:
    """Check AutoHotkey source with the built-in engine.

    With `path` (the file the text came from), #Include targets are resolved as AutoHotkey
    does (core.ahk.include_resolver) inside `root` (the corpus; default: the file's folder):
    a missing one is an error, one outside the root is an error and is never opened, and
    included files are checked as part of the script."""
    if text.startswith("\ufeff"):
        text = text[1:]
    resolver = IncludeResolver(root if root is not None else Path(path).parent) if path else None
    checker = Checker(Path(path) if path else None, reader=_read_included, resolver=resolver)
    diags = checker.run(text)
    errors = sum(1 for d in diags if d.severity == "error")
    verdict, score = _verdict(checker.marks, checker.statements, errors)
    diags.sort(key=lambda d: (d.line, d.column))
    return CheckResult(verdict, score, diags)


def check_file(path: Path, root: Path | None = None) -> CheckResult:
    """Check a script file (any of the encodings core.corpus reads) with the built-in engine;
    its includes resolve inside `root` (default: its folder)."""
    path = Path(path)
    text, reason = _read(path)
    if text is None:
        diag = Diagnostic(1, 1, "error", "unreadable", f"cannot read {path.name}: {reason}")
        return CheckResult("unknown", 0.5, [diag])
    return check_source(text, path, root)


# Below this many scripts one process checks them all: starting workers costs about 0.2 s.
PARALLEL_MIN = 1000


CHUNK = 500  # scripts handed to a worker at a time, at most (fewer: four chunks per worker)


def worker_count(jobs: int | None = None) -> int:
    """Processes to check with: `jobs`, or one per CPU this process may run on."""
    if jobs is not None:
        return max(1, jobs)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def check_sources(
    texts: Sequence[str],
    jobs: int | None = None,
    paths: Sequence[Path | None] | None = None,
    root: Path | None = None,
) -> Iterator[CheckResult]:
    """check_source of each text, yielded in order as they are done, spread over `jobs`
    processes (default: one per CPU, at a lower priority) when there are enough texts to pay
    for starting them. With `paths` (the file each text came from, None for a text without
    one), #Include targets resolve inside `root` as check_source does. The workers start fresh
    (spawn), so a script calling this needs the usual `if __name__ == "__main__":` guard."""
    if paths is None:
        return _map_checks(check_source, texts, jobs)
    if len(paths) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(paths)} paths")
    pairs = list(zip(texts, paths, strict=True))
    return _map_checks(functools.partial(_check_pair, root=root), pairs, jobs)


def _check_pair(pair: tuple[str, Path | None], root: Path | None) -> CheckResult:
    return check_source(pair[0], pair[1], root)


def check_files(
    paths: Sequence[Path], jobs: int | None = None, root: Path | None = None
) -> Iterator[CheckResult]:
    """check_file of each path (includes resolved inside `root`, default: each file's folder),
    in order, over several processes like check_sources."""
    return _map_checks(functools.partial(check_file, root=root), paths, jobs)


def _map_checks(fn: Callable, items: Sequence, jobs: int | None) -> Iterator[CheckResult]:
    workers = min(worker_count(jobs), -(-len(items) // CHUNK))
    if workers < 2 or len(items) < PARALLEL_MIN:
        yield from map(fn, items)
        return
    import concurrent.futures as cf
    import multiprocessing

    context = multiprocessing.get_context(_start_method(multiprocessing.get_all_start_methods()))
    pool = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_background)
    chunk = min(CHUNK, -(-len(items) // (4 * workers)))  # small enough that both end together
    try:
        yield from pool.map(fn, items, chunksize=chunk)
    finally:  # also when the caller stops early: queued chunks are dropped
        pool.shutdown(wait=False, cancel_futures=True)


def _start_method(available: list[str]) -> str:
    """fork when this process has a single thread (the CLI: the workers then need not import
    the checker again); spawn otherwise, as the studio's threads would be copied half-way."""
    if "fork" in available and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _background() -> None:
    """In a worker: yield the CPU to the studio and the browser while checking a big corpus."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(10)


def _read(path: Path) -> tuple[str | None, str | None]:
    from core.reading import read_script

    result = read_script(path)
    return result.text, result.skip_reason


def _read_included(path: Path) -> str | None:
    return _read(path)[0]


def checker_version() -> str:
    """A hash of the checker's code (every module of core.ahk), so cached verdicts never outlive
    a change to it, whatever the files' times say."""
    import hashlib

    digest = hashlib.sha256()
    for part in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    return digest.hexdigest()[:16]
