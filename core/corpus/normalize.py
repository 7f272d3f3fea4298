"""Normalise a corpus with ordered regex rules: dry-run diffs, atomic apply with a backup, undo.

Rules come from config/normalize.yaml (a list of `pattern` / `replacement` pairs) and from the
command line as `--pattern "regex=replacement"`. Such a spec is split on the first `=` that is
not escaped by a backslash (`\\=` in the regex matches a literal `=`) and that is not part of a
lookaround or named back-reference (`(?=`, `(?<=`, `(?P=`); the replacement is everything after
it and may contain `=` freely.

A file is rewritten in its own encoding, with its BOM and its line endings: a CRLF file is
matched as if its lines ended in LF (so `$` and `\\n` behave) and written back with CRLF.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.corpus.backup import Backup, add_undo_arguments, undo_from_cli, undo_hint, undo_last
from core.corpus.edits import SYMLINK, Edit, commit_edits, source_of, working_text
from core.errors import StudioError, cli_main
from core.fsutil import atomic_write_text
from core.reading import find_relative, read_script
from core.workspace import CONFIG_DIR

DEFAULT_RULES = CONFIG_DIR / "normalize.yaml"
TOOL = "normalize"

# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """One ordered regex -> replacement rule, compiled."""

    pattern: str
    replacement: str
    regex: re.Pattern = field(compare=False, repr=False)

    @property
    def label(self) -> str:
        """The rule as the seed's report writes it: 'pattern' -> 'replacement'."""
        return f"'{self.pattern}' -> '{self.replacement}'"


def rule_error(pattern: str, replacement: str) -> str | None:
    """Why a rule is invalid (bad regex, bad group reference in the replacement), or None."""
    if not pattern:
        return "empty pattern"
    try:
        compiled = re.compile(pattern)
    except re.error as err:
        return f"bad regex: {err}"
    try:
        compiled.sub(replacement, "")  # parses the replacement template against the groups
    except (re.error, IndexError) as err:
        return f"bad replacement: {err}"
    return None


def compile_rule(pattern: str, replacement: str, where: str | None = None) -> Rule:
    """A Rule, or StudioError naming the rule and what is wrong with it."""
    problem = rule_error(pattern, replacement)
    if problem:
        raise StudioError(f"rule {pattern!r} -> {replacement!r}: {problem}", where=where)
    return Rule(pattern, replacement, re.compile(pattern))


def split_pattern(spec: str) -> tuple[str, str]:
    """Split "regex=replacement" on the first `=` that is not escaped nor part of `(?=` & co."""
    escaped = False
    for i, char in enumerate(spec):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "=" and not re.search(r"\(\?(?:<|P)?$", spec[:i]):
            return spec[:i], spec[i + 1 :]
    raise StudioError(
        f"pattern {spec!r} has no '='", hint='write it as "regex=replacement" (\\= for a literal =)'
    )


def parse_pattern(spec: str) -> Rule:
    """A rule from a command-line spec "regex=replacement"."""
    pattern, replacement = split_pattern(spec)
    return compile_rule(pattern, replacement, where="--pattern")


def load_rules(path: Path = DEFAULT_RULES) -> list[Rule]:
    """The ordered rules of a YAML file: `rules: [{pattern, replacement}, ...]`."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as err:
        raise StudioError(f"cannot read rules: {err.strerror}", where=str(path)) from err
    except yaml.YAMLError as err:
        raise StudioError(f"not valid YAML: {err}", where=str(path)) from err
    items = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise StudioError("expected a 'rules:' list", where=str(path))
    rules = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("pattern"), str):
            raise StudioError(f"rule {n} needs a 'pattern' string", where=str(path))
        replacement = item.get("replacement", "")
        rules.append(compile_rule(item["pattern"], str(replacement), where=f"{path} rule {n}"))
    return rules


def save_rules(rules: list[Rule], path: Path) -> None:
    """Write rules as YAML (atomically), in the format load_rules reads."""
    items = [{"pattern": r.pattern, "replacement": r.replacement} for r in rules]
    atomic_write_text(Path(path), yaml.safe_dump({"rules": items}, sort_keys=False))


# ---------------------------------------------------------------- reading and planning


def apply_rules(text: str, rules: list[Rule]) -> tuple[str, dict[str, int]]:
    """The text after every rule, in order, and the replacements each rule made."""
    counts: dict[str, int] = {}
    for rule in rules:
        text, n = rule.regex.subn(rule.replacement, text)
        if n:
            counts[rule.label] = counts.get(rule.label, 0) + n
    return text, counts


def plan(
    root: Path, rules: list[Rule], on_skip: Callable[[str, str], None] | None = None
) -> list[Edit]:
    """The edit each script under `root` would get (files the rules leave alone are absent).

    Pure: reads, never writes. Files that cannot be rewritten exactly (unreadable, undecodable
    bytes, symlinks) are reported to `on_skip(relative_path, reason)` and left out.
    """
    root = Path(root)
    if not root.is_dir():
        raise StudioError(f"corpus folder not found: {root}")
    skip = on_skip or (lambda rel, why: None)
    edits = []
    for rel in find_relative(root):
        full = os.path.join(root, rel)
        result = None if os.path.islink(full) else read_script(full)
        working = SYMLINK if result is None else working_text(result)
        if isinstance(working, str):
            skip(rel, working)
            continue
        after, counts = apply_rules(working[0], rules)
        if after == working[0]:
            continue
        assert result is not None  # a symlink (no result) was skipped above
        source = source_of(result, *working)
        if isinstance(source, str):
            skip(rel, source)
        else:
            edits.append(Edit(rel, counts, source, after))
    return edits


def report(edits: list[Edit]) -> list[dict]:
    """The JSON report: one entry per changed file, in the seed's shape."""
    return [edit.report_entry() for edit in edits]


def write_report(edits: list[Edit], path: Path) -> None:
    atomic_write_text(Path(path), json.dumps(report(edits), indent=2, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- writing


def apply(root: Path, edits: list[Edit], workspace: Path | None = None) -> Backup:
    """Write every edit atomically in its file's encoding, after backing the originals up.

    Returns the backup (in <workspace>/backups/normalize/<timestamp>/); `undo` restores it.
    Raises StudioError, before writing anything, if a file changed since the plan.
    """
    return commit_edits(root, edits, TOOL, workspace, "replacements")


def undo(root: Path | None = None, workspace: Path | None = None, force: bool = False) -> Backup:
    """Restore the files of the last normalise apply (for `root`) byte for byte."""
    return undo_last(workspace, TOOL, root, force=force)


# ---------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.corpus.normalize",
        description="Apply ordered regex rules to every .ahk script under a folder.",
    )
    parser.add_argument("--root", required=True, type=Path, help="corpus folder")
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="YAML rules file")
    parser.add_argument(
        "--pattern",
        action="append",
        default=[],
        metavar='"REGEX=REPLACEMENT"',
        help="extra rule after the file's (split on the first unescaped =; \\= is a literal =)",
    )
    parser.add_argument("--dry-run", action="store_true", help="show counts and diffs only")
    parser.add_argument("--report", type=Path, help="write the JSON report here")
    add_undo_arguments(parser, "apply")
    return parser


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.undo:
        return undo_from_cli(args, TOOL)
    rules = load_rules(args.rules) + [parse_pattern(spec) for spec in args.pattern]
    skipped: list[tuple[str, str]] = []
    edits = plan(args.root, rules, on_skip=lambda rel, why: skipped.append((rel, why)))
    for edit in edits:
        counts = ", ".join(f"{label} ({n}x)" for label, n in edit.counts.items())
        print(f"{edit.path}: {counts}")
        if args.dry_run:
            sys.stdout.write(edit.diff())
    for rel, why in skipped:
        print(f"skipped {rel}: {why}")
    if args.report:
        write_report(edits, args.report)
        print(f"report written to {args.report}")
    total = sum(e.total for e in edits)
    if args.dry_run or not edits:
        print(f"{len(edits)} file(s) would change ({total} replacements); nothing written")
        return 0
    backup = apply(args.root, edits, args.workspace)
    print(f"changed {len(edits)} file(s) ({total} replacements); backup in {backup.dir}")
    print(undo_hint("core.corpus.normalize", args.root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
