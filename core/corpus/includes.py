"""Find, resolve and fix the #Include directives of a corpus, never looking outside its root.

A directive is a line `#Include ...` or `#IncludeAgain ...` outside block comments and
continuation sections (so one inside a comment or a multi-line string is ignored). Each file is
validated as a script of its own, and its targets are resolved by core.ahk.include_resolver, the
resolver the checker uses too (AutoHotkey v2's rules: relative to the file's folder or to the
folder a directory include chose, `%A_ScriptDir%`-style variables, `*i`, `<Lib>` in Lib/ beside
the script and then at the corpus root, names case-insensitive as on Windows).

A target that resolves outside the root (through `..`, an absolute path, a Windows drive path,
a machine folder such as `%A_AppData%` or a symlink) is broken, "outside the corpus root", and is
never opened. The fix comments broken directives out (`; [broken include] #Include ...`), or
points one at the only file of that name in the corpus, with a backup and an undo, as normalise
does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.ahk.include_resolver import IncludeArg, IncludeResolver, parse_argument
from core.corpus.backup import Backup, add_undo_arguments, undo_from_cli, undo_hint, undo_last
from core.corpus.edits import Edit, commit_edits, read_source
from core.errors import StudioError, cli_main
from core.fsutil import atomic_write_text
from core.reading import find_relative, read_script

TOOL = "includes"
FIX_PREFIX = "; [broken include] "

_ANY_INCLUDE = re.compile("#include", re.IGNORECASE)
_DIRECTIVE = re.compile(r"#(include(?:again)?)(?=[\s,]|$),?\s*(.*)", re.IGNORECASE)
_COMMENT = re.compile(r"\s;")

# ---------------------------------------------------------------- data types


@dataclass(frozen=True)
class Directive:
    """One #Include line as written."""

    line: int  # 1-based
    directive: str  # the directive as written, without its comment
    target: str  # the file, folder or <library> named, quotes and *i removed
    library: bool
    optional: bool  # *i: a failure to include is ignored by AutoHotkey


@dataclass
class IncludeResult:
    """One directive of one file, resolved."""

    file: str  # POSIX, relative to the root
    line: int
    directive: str
    target: str
    kind: str  # library | file | directory
    status: str  # ok | broken
    resolved: str | None  # POSIX, relative to the root
    reason: str
    tried: list[str] = field(default_factory=list)


@dataclass
class IncludeReport:
    """Every directive of a corpus, resolved."""

    root: Path
    files_scanned: int
    includes: list[IncludeResult]

    @property
    def total(self) -> int:
        return len(self.includes)

    @property
    def ok(self) -> int:
        return sum(r.status == "ok" for r in self.includes)

    @property
    def broken(self) -> int:
        return self.total - self.ok

    def broken_by_file(self) -> dict[str, list[IncludeResult]]:
        grouped: dict[str, list[IncludeResult]] = {}
        for result in self.includes:
            if result.status == "broken":
                grouped.setdefault(result.file, []).append(result)
        return grouped

    def to_dict(self) -> dict:
        """The machine report: {total, ok, broken, includes: [...]}."""
        includes = [asdict(r) for r in self.includes]
        return {"total": self.total, "ok": self.ok, "broken": self.broken, "includes": includes}

    def text(self) -> str:
        """The human report: totals, valid and broken with percentages, broken by file."""

        def pct(n: int) -> str:
            return f"{100 * n / self.total:.1f}%" if self.total else "0.0%"

        with_includes = len({r.file for r in self.includes})
        lines = [
            f"Include validation of {self.root}",
            f"Files scanned: {self.files_scanned} ({with_includes} with includes)",
            f"Includes: {self.total}",
            f"Valid:    {self.ok} ({pct(self.ok)})",
            f"Broken:   {self.broken} ({pct(self.broken)})",
        ]
        grouped = self.broken_by_file()
        if grouped:
            lines += ["", "Broken includes:"]
        for file, results in grouped.items():
            lines.append(f"  {file}")
            for r in results:
                tried = f" (tried: {', '.join(r.tried)})" if r.tried else ""
                lines.append(f"    line {r.line}: {r.directive} -> {r.reason}{tried}")
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- finding directives


def find_directives(text: str) -> list[Directive]:
    """The #Include / #IncludeAgain directives of a script, outside comments and strings."""
    if not _ANY_INCLUDE.search(text):
        return []
    found = []
    in_comment = in_section = False
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if in_comment:
            in_comment = not (line.startswith("*/") or line.endswith("*/"))
        elif in_section:
            in_section = not line.startswith(")")
        elif line.startswith("/*"):
            in_comment = len(line) < 4 or not line.endswith("*/")
        elif line.startswith("(") and ")" not in line:
            in_section = True  # a continuation section: a multi-line string or expression
        elif line.startswith("#"):
            directive = _parse_directive(line, number)
            if directive is not None:
                found.append(directive)
    return found


def _parse_directive(line: str, number: int) -> Directive | None:
    match = _DIRECTIVE.match(line)
    if match is None:
        return None
    comment = _COMMENT.search(match.group(2))
    argument = match.group(2)[: comment.start()] if comment else match.group(2)
    written = line[: match.start(2)] + argument if comment else line
    arg = parse_argument(argument)
    return Directive(number, written.rstrip(), arg.target, arg.library, arg.optional)


# ---------------------------------------------------------------- resolving


def _check_file(resolver: IncludeResolver, rel: str, text: str) -> list[IncludeResult]:
    """Resolve every directive of one script (a directory include moves the include folder)."""
    script = os.path.join(resolver.root, rel)
    folder = os.path.dirname(script)
    results = []
    for d in find_directives(text):
        wanted = IncludeArg(d.target, d.library, d.optional)
        found = resolver.resolve(wanted, script, script, folder)
        status, reason = ("ok", found.how) if found.path else ("broken", found.problem)
        if found.kind == "directory" and found.path:
            folder, reason = found.path, "later includes resolve from here"
        if status == "broken" and d.optional:
            status, reason = "ok", f"{reason}; ignored because of *i"
        resolved = resolver.relative(found.path) if found.path else None
        tried = [resolver.relative(t) for t in found.tried]
        results.append(
            IncludeResult(
                rel, d.line, d.directive, d.target, found.kind, status, resolved, reason, tried
            )
        )
    return results


def validate(root: Path) -> IncludeReport:
    """Resolve every include of every script under `root` (and of non-.ahk files they include)."""
    root = Path(root)
    if not root.is_dir():
        raise StudioError(f"corpus folder not found: {root}")
    resolver = IncludeResolver(root)
    queue = deque(find_relative(root))
    seen = set(queue)
    results: list[IncludeResult] = []
    while queue:
        rel = queue.popleft()
        full = os.path.join(resolver.root, rel)
        if os.path.islink(full) and not resolver.inside(os.path.realpath(full)):
            continue  # a symlink out of the root: never read
        text = read_script(full).text
        if text is None:
            continue
        for result in _check_file(resolver, rel, text):
            results.append(result)
            target = result.resolved
            if result.kind != "directory" and target is not None and target not in seen:
                seen.add(target)  # an included file the walk did not list (.ahk2, .inc...)
                queue.append(target)
    return IncludeReport(root, len(seen), results)


# ---------------------------------------------------------------- fixing


def plan_fix(
    root: Path,
    report: IncludeReport | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> list[Edit]:
    """The edits that fix every broken include (pure: nothing is written): a directive whose
    file exists elsewhere in the corpus under the same name (one such file) is pointed at it;
    any other is commented out."""
    report = report or validate(root)
    by_name = _files_by_name(root)
    edits = []
    for rel, broken in report.broken_by_file().items():
        source = read_source(Path(root) / rel)
        if isinstance(source, str):
            if on_skip is not None:
                on_skip(rel, source)
            continue
        lines = source.text.split("\n")
        if any(_line_at(lines, r.line) != r.directive for r in broken):
            if on_skip is not None:
                on_skip(rel, "changed since the validation; validate again")
            continue
        counts: dict[str, int] = {}
        for result in broken:
            line = lines[result.line - 1]
            indent = line[: len(line) - len(line.lstrip())]
            found = _candidate(result, by_name)
            if found is None:
                lines[result.line - 1] = f"{indent}{FIX_PREFIX}{line.lstrip()}"
                kind = "commented out broken #Include"
            else:
                lines[result.line - 1] = _pointed(result, rel, found, line)
                kind = "pointed #Include at the file found"
            counts[kind] = counts.get(kind, 0) + 1
        edits.append(Edit(rel, counts, source, "\n".join(lines)))
    return edits


def _files_by_name(root: Path) -> dict[str, list[str]]:
    """The corpus's scripts by lower-case file name (relative POSIX paths)."""
    found: dict[str, list[str]] = {}
    for rel in find_relative(root):
        found.setdefault(rel.rsplit("/", 1)[-1].lower(), []).append(rel)
    return found


def _candidate(result: IncludeResult, by_name: dict[str, list[str]]) -> str | None:
    """The one corpus file a broken file include most likely meant (same name), if exactly one."""
    if result.kind != "file" or not result.target:
        return None
    name = result.target.replace("\\", "/").rsplit("/", 1)[-1].lower()
    matches = [m for m in by_name.get(name, []) if m != result.file]
    return matches[0] if len(matches) == 1 else None


def _pointed(result: IncludeResult, script: str, found: str, line: str) -> str:
    """The line with its directive rewritten to name `found`, relative to the including
    script's folder (indent, `*i` and a trailing comment kept)."""
    relative = os.path.relpath(found, os.path.dirname(script) or ".").replace("/", "\\")
    keyword, _, argument = result.directive.strip().partition(" ")
    optional = "*i " if parse_argument(argument).optional else ""
    return line.replace(result.directive.strip(), f"{keyword} {optional}{relative}", 1)


def _line_at(lines: list[str], number: int) -> str | None:
    """The directive written on line `number` (1-based), or None."""
    if not 0 < number <= len(lines):
        return None
    directive = _parse_directive(lines[number - 1].strip(), number)
    return directive.directive if directive else None


def apply_fix(root: Path, edits: list[Edit], workspace: Path | None = None) -> Backup:
    """Write the fix atomically after backing the files up (<workspace>/backups/includes/...)."""
    return commit_edits(root, edits, TOOL, workspace, "commented_out")


def undo_fix(
    root: Path | None = None, workspace: Path | None = None, force: bool = False
) -> Backup:
    """Restore the files of the last include fix (for `root`) byte for byte."""
    return undo_last(workspace, TOOL, root, force=force)


# ---------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.corpus.includes",
        description="Validate (and fix) the #Include lines of a corpus.",
    )
    parser.add_argument("--root", required=True, type=Path, help="corpus folder")
    parser.add_argument("--report", type=Path, help="write the text report here too")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    parser.add_argument("--fix", action="store_true", help="comment out broken includes")
    parser.add_argument("--dry-run", action="store_true", help="with --fix: show the diffs only")
    add_undo_arguments(parser, "fix")
    return parser


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.undo:
        return undo_from_cli(args, TOOL)
    report = validate(args.root)
    text = report.text()
    sys.stdout.write(text)
    if args.report:
        atomic_write_text(args.report, text)
    if args.json:
        atomic_write_text(args.json, json.dumps(report.to_dict(), indent=2) + "\n")
    if not args.fix:
        return 0
    edits = plan_fix(args.root, report, on_skip=lambda rel, why: print(f"skipped {rel}: {why}"))
    if args.dry_run or not edits:
        for edit in edits:
            sys.stdout.write(edit.diff())
        print(f"fix would change {len(edits)} file(s); nothing written")
        return 0
    backup = apply_fix(args.root, edits, args.workspace)
    print(f"commented out {sum(e.total for e in edits)} include(s) in {len(edits)} file(s)")
    print(f"backup in {backup.dir}; {undo_hint('core.corpus.includes', args.root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
