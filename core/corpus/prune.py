"""Move flagged scripts out of a corpus into the workspace's quarantine, and back.

Scripts are chosen by the checker's verdict (`v1`, `mixed`...), by error diagnostics, by being
an exact duplicate (same SHA256 of the bytes) of an earlier script in walk order, or by a list of
paths. Each moves to `<workspace>/quarantine/<its relative path>`; the original bytes are backed
up as for every destructive tool (core.corpus.backup), so undo puts every file back byte for byte.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.ahk.check import check_sources
from core.corpus.backup import (
    Backup,
    Change,
    add_undo_arguments,
    commit,
    sha256_bytes,
    sha256_file,
    undo_from_cli,
    undo_hint,
    undo_last,
)
from core.corpus.minhash import near_duplicate_clusters
from core.errors import StudioError, cli_main
from core.fsutil import inside, safe_join
from core.reading import find_relative, read_script
from core.workspace import subdir, workspace_root

TOOL = "prune"
VERDICTS = ("v2", "v1", "mixed", "unknown")


@dataclass(frozen=True)
class PruneItem:
    """A script chosen for the quarantine and why."""

    path: str  # POSIX, relative to the root
    reasons: tuple[str, ...]
    sha256: str  # of its bytes when planned


def _listed(root: Path, paths: Iterable[str]) -> list[str]:
    """The user's paths as relative POSIX paths, each checked to be a file inside the root."""
    chosen = []
    for given in paths:
        given = given.strip().replace("\\", "/")
        target = safe_join(root, given)
        if target.is_symlink() or not target.is_file():
            raise StudioError(f"no such file in the corpus: {given}", where=str(root))
        chosen.append(Path(os.path.normpath(given)).as_posix())
    return chosen


def plan_prune(
    root: Path,
    verdicts: Iterable[str] = (),
    invalid: bool = False,
    duplicates: bool = False,
    paths: Iterable[str] = (),
    near_duplicates: float | None = None,
    *,
    checked: Mapping[str, Sequence] | None = None,
    near_marks: Mapping[str, tuple[str, float]] | None = None,
) -> list[PruneItem]:
    """The scripts to quarantine, each with its reasons, in path order (pure: nothing moves).

    `verdicts`: checker verdicts to remove (v1, mixed...); `invalid`: scripts with error
    diagnostics; `duplicates`: exact copies (SHA256 of the bytes) of an earlier script;
    `near_duplicates`: a MinHash similarity threshold (e.g. 0.85), all but the first of each
    cluster; `paths`: relative paths chosen by hand.

    What a caller has already worked out need not be worked out again:
    `checked` maps the SHA256 of a script's bytes to its checker facts `[verdict, errors, ...]`
    (VerdictCache.results fits), so a script that changed since is checked afresh, never judged
    by a stale verdict; `near_marks` ({relative path: (the kept script it nearly duplicates,
    similarity)}, as near_duplicate_marks gives at the `near_duplicates` threshold) is used in
    place of the MinHash search; a mark whose script or kept script is no longer a readable
    script of the corpus is ignored.
    """
    root = Path(root)
    if not root.is_dir():
        raise StudioError(f"corpus folder not found: {root}")
    verdicts = set(verdicts)
    if verdicts - set(VERDICTS):
        wrong = ", ".join(sorted(verdicts - set(VERDICTS)))
        raise StudioError(f"unknown verdict(s): {wrong}", hint=f"use {', '.join(VERDICTS)}")
    reasons: dict[str, list[str]] = {rel: ["listed"] for rel in _listed(root, paths)}
    hashes: dict[str, str] = {}
    texts: dict[str, str] = {}
    for rel in find_relative(root):
        if os.path.islink(os.path.join(root, rel)):
            continue  # a link, not a script: moving it could not be undone exactly
        result = read_script(os.path.join(root, rel))
        if result.text is not None and result.data is not None:
            hashes[rel], texts[rel] = sha256_bytes(result.data), result.text
    facts = _checker_facts(texts, hashes, checked) if verdicts or invalid else {}
    first_of: dict[str, str] = {}
    for rel, sha in hashes.items():
        why = reasons.setdefault(rel, [])
        if rel in facts:
            why += _checker_reasons(facts[rel], verdicts, invalid)
        first = first_of.setdefault(sha, rel)
        if duplicates and first != rel:
            why.append(f"duplicate of {first}")
    if near_duplicates is not None:
        if near_marks is None:
            near_marks = near_duplicate_marks(texts, near_duplicates)
        for rel, (first, similarity) in near_marks.items():
            if rel in hashes and first in hashes and first != rel:
                reasons[rel].append(f"near-duplicate of {first} (similarity {similarity})")
    return [
        PruneItem(rel, tuple(why), hashes.get(rel) or sha256_file(root / rel) or "")
        for rel, why in sorted(reasons.items())
        if why
    ]


def _checker_facts(
    texts: dict[str, str], hashes: dict[str, str], checked: Mapping[str, Sequence] | None
) -> dict[str, Sequence]:
    """[verdict, errors, ...] of each script: from `checked` by the SHA256 of its bytes where
    the caller knows it, else from the checker now (over several processes)."""
    known = checked or {}
    facts = {rel: known[hashes[rel]] for rel in texts if hashes[rel] in known}
    todo = [rel for rel in texts if rel not in facts]
    results = check_sources([texts[rel] for rel in todo]) if todo else []
    for rel, result in zip(todo, results, strict=True):
        facts[rel] = [result.verdict, result.errors]
    return facts


def _checker_reasons(facts: Sequence, verdicts: set[str], invalid: bool) -> list[str]:
    """Why the checker's facts ([verdict, errors, ...]) choose a script."""
    verdict, errors = facts[0], facts[1]
    found = [f"verdict {verdict}"] if verdict in verdicts else []
    if invalid and errors:
        found.append(f"{errors} error diagnostic(s)")
    return found


def near_duplicate_marks(texts: dict[str, str], threshold: float) -> dict[str, tuple[str, float]]:
    """{relative path: (the first script of its cluster, similarity)} for every near-duplicate
    but the first of each MinHash cluster; `texts` in walk order, by relative path."""
    try:
        clusters = near_duplicate_clusters(list(texts.values()), threshold)
    except ValueError as err:
        raise StudioError(str(err), where="near-duplicates", hint="use e.g. 0.85") from err
    names = list(texts)
    return {
        names[index]: (names[cluster.members[0]], cluster.similarity)
        for cluster in clusters
        for index in cluster.members[1:]
    }


def quarantine_dir(workspace: Path | None = None) -> Path:
    return subdir(workspace_root(workspace), "quarantine")


def apply_prune(root: Path, items: list[PruneItem], workspace: Path | None = None) -> Backup:
    """Move every item to <workspace>/quarantine/<relative path>, after backing it up."""
    root = Path(root)
    quarantine = quarantine_dir(workspace)
    if inside(root, quarantine) or inside(quarantine, root):
        raise StudioError(
            f"the quarantine {quarantine} and the corpus {root} overlap",
            hint="choose a workspace outside the corpus folder",
        )
    clashes = [
        item.path
        for item in items
        if sha256_file(quarantine / item.path) not in (None, item.sha256)
    ]
    if clashes:
        raise StudioError(
            f"{len(clashes)} file(s) already in the quarantine with other content: "
            + ", ".join(clashes[:5]),
            where=str(quarantine),
            hint="undo the earlier prune or move those files away",
        )
    changes = [Change(i.path, i.sha256, moved_to=quarantine / i.path) for i in items]
    summary = {"files": len(items), "reasons": {i.path: list(i.reasons) for i in items}}
    return commit(root, changes, TOOL, workspace, summary)


def undo_prune(
    root: Path | None = None, workspace: Path | None = None, force: bool = False
) -> Backup:
    """Put every file of the last prune (for `root`) back, byte for byte."""
    return undo_last(workspace, TOOL, root, force=force)


# ---------------------------------------------------------------- CLI


def read_path_list(path: Path) -> list[str]:
    """Relative paths, one a line; blank lines and lines starting with # are ignored."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise StudioError(f"cannot read the path list: {err}", where=str(path)) from err
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.corpus.prune",
        description="Move flagged scripts into the workspace's quarantine folder (undoable).",
    )
    parser.add_argument("--root", required=True, type=Path, help="corpus folder")
    parser.add_argument("--verdict", default="", help="comma-separated verdicts, e.g. v1,mixed")
    parser.add_argument("--invalid", action="store_true", help="scripts with error diagnostics")
    parser.add_argument("--duplicates", action="store_true", help="exact duplicates (SHA256)")
    parser.add_argument(
        "--near-duplicates",
        type=float,
        nargs="?",
        const=0.85,
        metavar="THRESHOLD",
        help="near-duplicates (MinHash similarity, default 0.85): all but the first of a cluster",
    )
    parser.add_argument("--paths", type=Path, help="file listing relative paths, one a line")
    parser.add_argument("--dry-run", action="store_true", help="list what would move")
    add_undo_arguments(parser, "prune")
    return parser


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.undo:
        return undo_from_cli(args, TOOL)
    verdicts = [v.strip() for v in args.verdict.split(",") if v.strip()]
    paths = read_path_list(args.paths) if args.paths else []
    chosen = verdicts or args.invalid or args.duplicates or paths
    chosen = chosen or args.near_duplicates is not None
    if not chosen:
        raise StudioError(
            "nothing chosen",
            hint="give --verdict, --invalid, --duplicates, --near-duplicates or --paths",
        )
    items = plan_prune(
        args.root, verdicts, args.invalid, args.duplicates, paths, args.near_duplicates
    )
    verb = "would move" if args.dry_run else "moving"
    for item in items:
        print(f"{verb} {item.path}: {'; '.join(item.reasons)}")
    if args.dry_run or not items:
        print(f"{len(items)} file(s) would move to the quarantine; nothing moved")
        return 0
    backup = apply_prune(args.root, items, args.workspace)
    print(f"moved {len(items)} file(s) to {quarantine_dir(args.workspace)}")
    print(f"backup in {backup.dir}; {undo_hint('core.corpus.prune', args.root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
