"""python -m core.ahk PATH [--json] [--engine builtin|interpreter|both]: check scripts from the shell."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.ahk.check import CheckResult, check_files, worker_count
from core.errors import StudioError, cli_main


def _scripts(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    if target.is_dir():
        from core.reading import find_scripts

        return find_scripts(target)
    raise StudioError(
        f"no such file or folder: {target}", hint="give a .ahk file or a folder of them"
    )


def _combine(builtin: CheckResult, interp: CheckResult) -> CheckResult:
    diags = sorted(builtin.diagnostics + interp.diagnostics, key=lambda d: (d.line, d.column))
    return CheckResult(builtin.verdict, builtin.score, diags)


def _check_all(
    files: list[Path], engine: str, workspace: Path | None, jobs: int, root: Path
) -> dict[Path, CheckResult]:
    """Results of the chosen engine(s) for each file (includes resolved inside `root`)."""
    results: dict[Path, CheckResult] = {}
    if engine in ("builtin", "both"):
        results = dict(zip(files, check_files(files, jobs, root), strict=True))
    if engine in ("interpreter", "both"):
        from core.ahk.interpreter import run_interpreter

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
    base = target if target.is_dir() else target.parent
    results = _check_all(files, args.engine, args.workspace, worker_count(args.jobs), base)
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
