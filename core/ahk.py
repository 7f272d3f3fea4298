"""AutoHotkey v2 checker: a fast built-in engine and the real interpreter under Wine.

The built-in engine (core.ahk_lexer + core.ahk_syntax) reads a script the way AutoHotkey v2
loads it and reports what would stop it loading (unbalanced brackets, unterminated strings,
v1-only syntax, wrong argument counts, conflicting names...) plus v1 constructs that still
load; it then weighs v1 against v2 evidence into a verdict. The interpreter engine runs
`AutoHotkeyV2.exe /ErrorStdOut=UTF-8 /validate FILE` (under Wine off Windows) and turns its
load error into the same diagnostics; it is the ground truth the built-in engine is measured
against.

    python -m core.ahk PATH [--json] [--engine builtin|interpreter|both]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import fcntl
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.ahk_builtins import INTERPRETER_VERSION, required_version
from core.ahk_lexer import Diagnostic, Token, strip_comments, strip_comments_and_strings, tokenize
from core.ahk_syntax import Checker
from core.errors import StudioError, cli_main

__all__ = [
    "CODES",
    "CheckResult",
    "Diagnostic",
    "Interpreter",
    "Token",
    "check_file",
    "check_files",
    "check_source",
    "check_sources",
    "find_interpreter",
    "run_interpreter",
    "strip_comments",
    "strip_comments_and_strings",
    "tokenize",
]

# ----------------------------------------------------------------------------- results


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

# ----------------------------------------------------------------------------- built-in engine

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


def check_source(text: str, path: Path | None = None) -> CheckResult:
    """Check AutoHotkey source with the built-in engine.

    With `path` (the file the text came from), #Include targets are resolved beside it,
    a missing one is an error, and included files are checked as part of the script."""
    if text.startswith("\ufeff"):
        text = text[1:]
    checker = Checker(Path(path) if path else None, reader=_read_included)
    diags = checker.run(text)
    errors = sum(1 for d in diags if d.severity == "error")
    verdict, score = _verdict(checker.marks, checker.statements, errors)
    diags.sort(key=lambda d: (d.line, d.column))
    return CheckResult(verdict, score, diags)


def check_file(path: Path) -> CheckResult:
    """Check a script file (any of the encodings core.corpus reads) with the built-in engine."""
    path = Path(path)
    text, reason = _read(path)
    if text is None:
        diag = Diagnostic(1, 1, "error", "unreadable", f"cannot read {path.name}: {reason}")
        return CheckResult("unknown", 0.5, [diag])
    return check_source(text, path)


# Below this many scripts one process checks them all: starting workers costs about 0.2 s.
PARALLEL_MIN = 1000
CHUNK = 500  # scripts handed to a worker at a time


def worker_count(jobs: int | None = None) -> int:
    """Processes to check with: `jobs`, or one per CPU this process may run on."""
    if jobs is not None:
        return max(1, jobs)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def check_sources(texts: Sequence[str], jobs: int | None = None) -> Iterator[CheckResult]:
    """check_source of each text, yielded in order as they are done, spread over `jobs`
    processes (default: one per CPU, at a lower priority) when there are enough texts to pay
    for starting them. The workers start fresh (spawn), so a script calling this needs the
    usual `if __name__ == "__main__":` guard."""
    return _map_checks(check_source, texts, jobs)


def check_files(paths: Sequence[Path], jobs: int | None = None) -> Iterator[CheckResult]:
    """check_file of each path, in order, over several processes like check_sources."""
    return _map_checks(check_file, paths, jobs)


def _map_checks(fn: Callable, items: Sequence, jobs: int | None) -> Iterator[CheckResult]:
    workers = min(worker_count(jobs), -(-len(items) // CHUNK))
    if workers < 2 or len(items) < PARALLEL_MIN:
        yield from map(fn, items)
        return
    # spawn, not fork: the studio's process has threads, which a fork would copy half-way.
    context = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_background)
    try:
        yield from pool.map(fn, items, chunksize=CHUNK)
    finally:  # also when the caller stops early: queued chunks are dropped
        pool.shutdown(wait=False, cancel_futures=True)


def _background() -> None:
    """In a worker: yield the CPU to the studio and the browser while checking a big corpus."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(10)


def _read(path: Path) -> tuple[str | None, str | None]:
    from core.corpus import read_script

    result = read_script(path)
    return result.text, result.skip_reason


def _read_included(path: Path) -> str | None:
    return _read(path)[0]


# ----------------------------------------------------------------------------- interpreter engine

_ERROR_LINE = re.compile(r"^(.*?) \((\d+)\) : ==> (.*)$")
_REQUIRES = re.compile(r"This script requires AutoHotkey v?([\d.]+\S*)")


@dataclass(frozen=True)
class Interpreter:
    """The AutoHotkey v2 executable and, off Windows, the Wine that runs it."""

    exe: Path
    wine: str | None
    wineserver: str | None = None

    def command(self, script: Path) -> list[str]:
        """The command line that validates `script`."""
        target = _windows_path(script) if self.wine else str(script)
        args = [str(self.exe), "/ErrorStdOut=UTF-8", "/validate", target]
        return [self.wine, *args] if self.wine else args


def _windows_path(path: Path) -> str:
    """How Wine's Windows programs see a Unix path (drive Z: is the root)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def find_interpreter() -> Interpreter | None:
    """AutoHotkey v2 from $AHK_V2_EXE or the ahk-binary package (sys.prefix/Scripts), and
    Wine from PATH when not on Windows; None when either is missing."""
    named = os.environ.get("AHK_V2_EXE")
    exe = Path(named) if named else Path(sys.prefix) / "Scripts" / "AutoHotkeyV2.exe"
    if not exe.is_file():
        return None
    if os.name == "nt":
        return Interpreter(exe, None)
    wine = shutil.which("wine") or shutil.which("wine64")
    if wine is None:
        return None
    return Interpreter(exe, wine, shutil.which("wineserver"))


def _wine_env(prefix: Path) -> dict[str, str]:
    """Environment for Wine: our own prefix, no display (dialogs fail instead of waiting)."""
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    env["WINEPREFIX"] = str(prefix)
    env["WINEDEBUG"] = "-all"
    env["WINEDLLOVERRIDES"] = "mscoree,mshtml="  # no Mono/Gecko install prompts
    if "UTF-8" not in env.get("LC_ALL", "") + env.get("LANG", ""):
        env["LANG"] = "C.UTF-8"
    return env


def _prepare_prefix(interp: Interpreter, prefix: Path, env: dict[str, str]) -> None:
    """Create the Wine prefix once (a lock guards concurrent first runs); keep a wineserver up."""
    prefix.mkdir(parents=True, exist_ok=True)
    with open(prefix / ".ahkstudio.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = prefix / ".ahkstudio-ready"
        if not ready.exists():
            subprocess.run(
                [interp.wine, "wineboot", "--init"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=300,
                check=False,
            )
            ready.touch()
    if interp.wineserver:
        # Persistent for a minute after the last client: later files skip Wine's start-up.
        # Its own output goes nowhere: a daemon holding our stdout would keep a pipe open.
        subprocess.run(
            [interp.wineserver, "-p60"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=60,
        )


def _run_one(
    interp: Interpreter, path: Path, env: dict[str, str] | None, timeout: float
) -> tuple[int, str]:
    """Validate one file; a run that hangs or fails to start is tried again (three tries).

    The output goes to a temporary file, not a pipe: Wine's background services, started by
    whichever process needs them first, inherit its handles and would hold a pipe open."""
    last = -1, f"no answer within {timeout:g} s"
    for _attempt in range(3):
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(
                interp.command(path),
                cwd=path.parent,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                last = -1, f"no answer within {timeout:g} s"
                continue
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        if proc.returncode == 0 or (proc.returncode == 2 and "==>" in text):
            return proc.returncode, text
        last = proc.returncode, text  # Wine sometimes fails to start a process: try again
    return last


def parse_interpreter_output(path: Path, rc: int, out: str) -> CheckResult:
    """Turn a /validate exit code and its output into a CheckResult."""
    if rc == 0:
        return CheckResult("v2", 1.0, [])
    if rc == -1:
        return CheckResult(
            "unknown", 0.5, [Diagnostic(1, 1, "warning", "interpreter-timeout", out)]
        )
    lines = [line.rstrip() for line in out.replace("\r\n", "\n").split("\n")]
    for i, line in enumerate(lines):
        m = _ERROR_LINE.match(line)
        if not m:
            continue
        where, number, message = m.group(1), int(m.group(2)), m.group(3).strip()
        detail = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if detail.startswith("Specifically:"):
            message = f"{message} ({detail})"
        if not _same_file(where, path):
            message = (
                f"in {where.replace(chr(92), '/').rsplit('/', 1)[-1]} line {number}: {message}"
            )
            number = 1
        return _classify_interpreter_error(max(number, 1), message)
    tail = " ".join(out.split())[-300:] or f"exit code {rc}"
    return CheckResult("unknown", 0.5, [Diagnostic(1, 1, "warning", "interpreter-failed", tail)])


def _classify_interpreter_error(line: int, message: str) -> CheckResult:
    """One load error as a result: version, include or syntax problem."""
    version = _REQUIRES.search(message)
    if version:
        wanted = version.group(1).rstrip(".")
        need = required_version(wanted)
        if need is not None and need[0] == 1:
            return CheckResult("v1", 0.0, [Diagnostic(line, 1, "error", "interpreter", message)])
        if need is not None and need > INTERPRETER_VERSION:
            text = f"needs v{wanted} (AutoHotkey v2.0 cannot load it): {message}"
            return CheckResult("v2", 0.9, [Diagnostic(line, 1, "warning", "needs-v2.1", text)])
    if "#Include file" in message or "Script library not found" in message:
        return CheckResult(
            "unknown", 0.5, [Diagnostic(line, 1, "error", "interpreter-include", message)]
        )
    return CheckResult("unknown", 0.0, [Diagnostic(line, 1, "error", "interpreter", message)])


def _same_file(where: str, path: Path) -> bool:
    name = where.replace("\\", "/").rsplit("/", 1)[-1]
    return name.lower() == path.name.lower()


def run_interpreter(
    paths: Iterable[Path],
    workspace: Path | None = None,
    jobs: int = 2,
    timeout: float = 20,
    progress: Callable[[int, int], None] | None = None,
) -> dict[Path, CheckResult]:
    """Validate each file with the real AutoHotkey v2 (in parallel, each with a timeout).

    Wine runs in a prefix of its own under <workspace>/wine. Raises StudioError when the
    interpreter or Wine is not installed."""
    from core.workspace import subdir, workspace_root

    interp = find_interpreter()
    if interp is None:
        raise StudioError(
            "AutoHotkey v2 interpreter not found",
            hint="pip install ahk-binary and install Wine (apt-get install wine), "
            "or set AHK_V2_EXE to AutoHotkeyV2.exe",
        )
    files = [Path(p).resolve() for p in paths]
    env = None
    if interp.wine:
        prefix = subdir(workspace_root(workspace), "wine")
        env = _wine_env(prefix)
        _prepare_prefix(interp, prefix, env)
    results: dict[Path, CheckResult] = {}
    with cf.ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = {pool.submit(_run_one, interp, f, env, timeout): f for f in files}
        for done, fut in enumerate(cf.as_completed(futures), 1):
            f = futures[fut]
            rc, out = fut.result()
            results[f] = parse_interpreter_output(f, rc, out)
            if progress is not None:
                progress(done, len(files))
    return {f: results[f] for f in files}


# ----------------------------------------------------------------------------- CLI


def _scripts(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    if target.is_dir():
        from core.corpus import find_scripts

        return find_scripts(target)
    raise StudioError(
        f"no such file or folder: {target}", hint="give a .ahk file or a folder of them"
    )


def _combine(builtin: CheckResult, interp: CheckResult) -> CheckResult:
    diags = sorted(builtin.diagnostics + interp.diagnostics, key=lambda d: (d.line, d.column))
    return CheckResult(builtin.verdict, builtin.score, diags)


def _check_all(
    files: list[Path], engine: str, workspace: Path | None, jobs: int
) -> dict[Path, CheckResult]:
    """Results of the chosen engine(s) for each file."""
    results: dict[Path, CheckResult] = {}
    if engine in ("builtin", "both"):
        results = dict(zip(files, check_files(files, jobs), strict=True))
    if engine in ("interpreter", "both"):
        found = run_interpreter(files, workspace=workspace, jobs=jobs)
        for f in files:
            got = found[f.resolve()]
            results[f] = _combine(results[f], got) if f in results else got
    return results


def _table(rows: list[tuple[str, CheckResult]]) -> str:
    width = max([len(p) for p, _ in rows] + [4])
    out = [f"{'path':<{width}}  verdict  score  errors  warnings  first problem"]
    for path, res in rows:
        first = next((d for d in res.diagnostics if d.severity == "error"), None)
        first = first or (res.diagnostics[0] if res.diagnostics else None)
        note = f"{first.line}:{first.column} {first.code}: {first.message}" if first else ""
        out.append(
            f"{path:<{width}}  {res.verdict:<7}  {res.score:5.2f}  {res.errors:6d}  {res.warnings:8d}  {note}"
        )
    return "\n".join(out)


@cli_main
def main(argv: list[str] | None = None) -> int:
    """The CLI: check a file or a folder and print a table or JSON lines."""
    parser = argparse.ArgumentParser(
        prog="python -m core.ahk", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("path", type=Path, help="a .ahk file or a folder (searched recursively)")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")
    parser.add_argument("--engine", choices=("builtin", "interpreter", "both"), default="builtin")
    parser.add_argument("--workspace", type=Path, default=None, help="where the Wine prefix lives")
    parser.add_argument(
        "--jobs", type=int, default=None, help="checks in parallel (default: one per CPU)"
    )
    args = parser.parse_args(argv)
    target = args.path
    files = _scripts(target)
    results = _check_all(files, args.engine, args.workspace, worker_count(args.jobs))
    base = target if target.is_dir() else target.parent
    rows = [(_relative(f, base), results[f]) for f in files]
    if args.json:
        for path, res in rows:
            record = {"path": path, **res.to_dict()}
            print(json.dumps(record, ensure_ascii=False))
    else:
        print(_table(rows))
    return 0


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


if __name__ == "__main__":
    raise SystemExit(main())
