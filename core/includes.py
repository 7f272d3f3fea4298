"""Find, resolve and fix the #Include directives of a corpus, never looking outside its root.

A directive is a line `#Include ...` or `#IncludeAgain ...` outside block comments and
continuation sections (so one inside a comment or a multi-line string is ignored). Its target is
resolved the way AutoHotkey v2 does, adapted to a corpus folder:

- `<Name>`: Name.ahk in Lib/ beside the script, then in Lib/ at the corpus root; then, for
  `<Name_Function>`, Name.ahk in the same two folders;
- a path (bare or quoted, with `*i` to ignore a failure, and `%A_ScriptDir%`, `%A_LineFile%`,
  `%A_WorkingDir%` taken as the script's folder or file): relative to the script's folder (or to
  the folder a directory include chose), then relative to the corpus root; absolute as given;
- names match case-insensitively, as on Windows.

A target that resolves outside the root (through `..`, an absolute path, a Windows drive path or
a symlink) is broken, "outside the corpus root", and is never opened. The fix comments broken
directives out (`; [broken include] #Include ...`) with a backup and an undo, as normalise does.
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

from core.backup import Backup, Change, add_undo_arguments, commit, undo_from_cli, undo_last
from core.corpus import find_relative, read_script
from core.errors import StudioError, cli_main
from core.fsutil import atomic_write_text
from core.normalize import Edit, read_source

TOOL = "includes"
FIX_PREFIX = "; [broken include] "
OUTSIDE = "outside the corpus root"

_ANY_INCLUDE = re.compile("#include", re.IGNORECASE)
_DIRECTIVE = re.compile(r"#(include(?:again)?)(?=[\s,]|$),?\s*(.*)", re.IGNORECASE)
_COMMENT = re.compile(r"\s;")
_VARIABLE = re.compile(r"%(A_\w+)%", re.IGNORECASE)
_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:|\\\\)")
_IGNORE_FAILURE = re.compile(r"^\*i\s+", re.IGNORECASE)

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
    target, optional = argument.strip(), False
    for _ in range(2):  # `*i "file"` and `"*i file"` are both written
        if _IGNORE_FAILURE.match(target):
            target, optional = _IGNORE_FAILURE.sub("", target, count=1).strip(), True
        if len(target) >= 2 and target[0] == target[-1] and target[0] in "\"'":
            target = target[1:-1].strip()
    target = target.replace("`;", ";")
    library = len(target) > 2 and target.startswith("<") and target.endswith(">")
    if library:
        target = target[1:-1].strip()
    return Directive(number, written.rstrip(), target, library, optional)


# ---------------------------------------------------------------- resolving


class _Tree:
    """Existence checks confined to the root, case-insensitive like Windows, with a cache."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self._listings: dict[str, dict[str, str] | None] = {}

    def inside(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root.rstrip(os.sep) + os.sep)

    def relative(self, path: str) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def show(self, path: str) -> str:
        return self.relative(path) if self.inside(path) else path

    def locate(self, path: str) -> tuple[str, str | None]:
        """('file' | 'directory' | 'missing' | 'outside', actual path) for a normalised path."""
        if not self.inside(path):
            return "outside", None
        actual = path if os.path.lexists(path) else self._case_insensitive(path)
        if actual is None:
            return "missing", None
        if not self.inside(os.path.realpath(actual)):
            return "outside", None  # a symlink out of the root: never followed
        if os.path.isdir(actual):
            return "directory", actual
        return ("file", actual) if os.path.isfile(actual) else ("missing", None)

    def _case_insensitive(self, path: str) -> str | None:
        current = self.root
        for part in Path(os.path.relpath(path, self.root)).parts:
            listing = self._listing(current)
            name = listing.get(part.lower()) if listing else None
            if name is None:
                return None
            current = os.path.join(current, name)
        return current

    def _listing(self, folder: str) -> dict[str, str] | None:
        if folder not in self._listings:
            try:
                names = sorted(os.listdir(folder), reverse=True)  # first name wins on a clash
                self._listings[folder] = {name.lower(): name for name in names}
            except OSError:
                self._listings[folder] = None
        return self._listings[folder]


def _expand(target: str, script: str) -> str | None:
    """The target with AutoHotkey's variables filled in; None if one names a place off the corpus."""
    values = {
        "a_scriptdir": os.path.dirname(script),
        "a_workingdir": os.path.dirname(script),
        "a_linefile": script,
        "a_scriptfullpath": script,
        "a_scriptname": os.path.basename(script),
        "a_space": " ",
        "a_tab": "\t",
    }
    unknown = [m.group(1) for m in _VARIABLE.finditer(target) if m.group(1).lower() not in values]
    if unknown:
        return None
    return _VARIABLE.sub(lambda m: values[m.group(1).lower()], target)


def _resolve(
    tree: _Tree, script: str, base: str, directive: Directive
) -> tuple[str, str, str | None, str, list[str]]:
    """(kind, status, resolved, reason, tried) for one directive of `script`."""
    if directive.library:
        return _resolve_library(tree, script, directive.target)
    expanded = _expand(directive.target, script)
    if not directive.target:
        return "file", "broken", None, "no file named", []
    if expanded is None or _WINDOWS_ABSOLUTE.match(expanded):
        return "file", "broken", None, f"{OUTSIDE} ({directive.target})", []
    expanded = expanded.replace("\\", "/")
    if os.path.isabs(expanded):
        candidates = [(os.path.normpath(expanded), "absolute path")]
    else:
        moved = base != os.path.dirname(script)
        candidates = [
            (
                os.path.normpath(os.path.join(base, expanded)),
                "relative to the include folder" if moved else "relative to the script",
            ),
            (os.path.normpath(os.path.join(tree.root, expanded)), "relative to the corpus root"),
        ]
    tried, outside = [], False
    for candidate, how in candidates:
        if tree.show(candidate) in tried:
            continue
        found, actual = tree.locate(candidate)
        tried.append(tree.show(candidate))
        outside = outside or found == "outside"
        if actual is not None:
            kind = "directory" if found == "directory" else "file"
            reason = "later includes resolve from here" if kind == "directory" else how
            return kind, "ok", tree.relative(actual), reason, tried
    return "file", "broken", None, OUTSIDE if outside else "not found", tried


def _resolve_library(
    tree: _Tree, script: str, name: str
) -> tuple[str, str, str | None, str, list[str]]:
    names = [name] + ([name.split("_", 1)[0]] if "_" in name.strip("_") else [])
    folders = [
        (os.path.join(os.path.dirname(script), "Lib"), "Lib/ beside the script"),
        (os.path.join(tree.root, "Lib"), "Lib/ at the corpus root"),
    ]
    tried, outside = [], False
    for lib_name in names:
        for folder, how in folders:
            candidate = os.path.normpath(os.path.join(folder, lib_name.replace("\\", "/") + ".ahk"))
            if tree.show(candidate) in tried:
                continue
            tried.append(tree.show(candidate))
            found, actual = tree.locate(candidate)
            outside = outside or found == "outside"
            if found == "file":
                return "library", "ok", tree.relative(actual), how, tried
    return "library", "broken", None, OUTSIDE if outside else "library not found", tried


def _check_file(tree: _Tree, rel: str, text: str) -> list[IncludeResult]:
    """Resolve every directive of one script (a directory include moves the base folder)."""
    directives = find_directives(text)
    script = os.path.join(tree.root, rel)
    base = os.path.dirname(script)
    results = []
    for d in directives:
        kind, status, resolved, reason, tried = _resolve(tree, script, base, d)
        if status == "broken" and d.optional:
            status, reason = "ok", f"{reason}; ignored because of *i"
        if kind == "directory" and resolved is not None:
            base = os.path.join(tree.root, resolved)
        results.append(
            IncludeResult(rel, d.line, d.directive, d.target, kind, status, resolved, reason, tried)
        )
    return results


def validate(root: Path) -> IncludeReport:
    """Resolve every include of every script under `root` (and of non-.ahk files they include)."""
    root = Path(root)
    if not root.is_dir():
        raise StudioError(f"corpus folder not found: {root}")
    tree = _Tree(root)
    queue = deque(find_relative(root))
    seen = set(queue)
    results: list[IncludeResult] = []
    while queue:
        rel = queue.popleft()
        full = os.path.join(tree.root, rel)
        if os.path.islink(full) and not tree.inside(os.path.realpath(full)):
            continue  # a symlink out of the root: never read
        text = read_script(full).text
        if text is None:
            continue
        for result in _check_file(tree, rel, text):
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
    """The edits that comment out every broken include (pure: nothing is written)."""
    report = report or validate(root)
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
        for result in broken:
            line = lines[result.line - 1]
            indent = line[: len(line) - len(line.lstrip())]
            lines[result.line - 1] = f"{indent}{FIX_PREFIX}{line.lstrip()}"
        counts = {"commented out broken #Include": len(broken)}
        edits.append(Edit(rel, counts, source, "\n".join(lines)))
    return edits


def _line_at(lines: list[str], number: int) -> str | None:
    """The directive written on line `number` (1-based), or None."""
    if not 0 < number <= len(lines):
        return None
    directive = _parse_directive(lines[number - 1].strip(), number)
    return directive.directive if directive else None


def apply_fix(root: Path, edits: list[Edit], workspace: Path | None = None) -> Backup:
    """Write the fix atomically after backing the files up (<workspace>/backups/includes/...)."""
    changes = [Change(e.path, e.source.sha256, data=e.source.encode(e.after)) for e in edits]
    summary = {"files": len(edits), "commented_out": sum(e.total for e in edits)}
    return commit(root, changes, TOOL, workspace, summary)


def undo_fix(
    root: Path | None = None, workspace: Path | None = None, force: bool = False
) -> Backup:
    """Restore the files of the last include fix (for `root`) byte for byte."""
    return undo_last(workspace, TOOL, root, force=force)


# ---------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.includes",
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
    print(f"backup in {backup.dir}; undo with: python -m core.includes --root {args.root} --undo")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
