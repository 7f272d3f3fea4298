"""One backup-and-undo mechanism for every tool that changes a corpus (normalise, include fix, prune).

Before a tool changes files under a corpus root, `commit` copies each original file byte for byte
into `<workspace>/backups/<tool>/<timestamp>/files/<relative path>` and writes a `manifest.json`
naming the root, every file, and the SHA256 of its bytes before and after. Only then are the
changes made, each one atomically. `undo_last` restores the newest backup of a tool (for a root)
that has not been undone yet, exactly, and marks it undone, so repeated undos walk back in time.
`add_undo_arguments` and `undo_from_cli` give each tool's CLI the same --undo.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from core.errors import StudioError
from core.fsutil import atomic_path, atomic_write_text, inside
from core.workspace import subdir, workspace_root

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Change:
    """One file to change under the root: new bytes, or (with `moved_to`) a move out of the root."""

    path: str  # POSIX, relative to the root
    expect_sha256: str  # the bytes the caller planned from; a mismatch means the file moved on
    data: bytes | None = None  # new content; None with moved_to means "move the file away"
    moved_to: Path | None = None  # absolute destination outside the root (quarantine)


@dataclass
class BackupEntry:
    """What one file looked like before and after an apply."""

    path: str
    blob: str  # path of the original bytes inside the backup folder
    sha256_before: str
    sha256_after: str | None  # None when the apply moved the file out of the root
    mode: int
    moved_to: str | None = None


@dataclass
class Backup:
    """A backup folder and its manifest."""

    dir: Path
    tool: str
    root: Path
    created: str
    entries: list[BackupEntry] = field(default_factory=list)
    status: str = "applying"  # applying | applied | undone
    undone: str | None = None
    summary: dict = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        return [entry.path for entry in self.entries]

    def save(self) -> None:
        """Write the manifest atomically."""
        data = {
            "tool": self.tool,
            "root": str(self.root),
            "created": self.created,
            "status": self.status,
            "undone": self.undone,
            "summary": self.summary,
            "entries": [asdict(entry) for entry in self.entries],
        }
        atomic_write_text(self.dir / MANIFEST, json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path) -> Backup:
        """Read a backup folder's manifest."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            return cls(
                dir=folder,
                tool=data["tool"],
                root=Path(data["root"]),
                created=data["created"],
                entries=[BackupEntry(**entry) for entry in data["entries"]],
                status=data["status"],
                undone=data.get("undone"),
                summary=data.get("summary", {}),
            )
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise StudioError(f"unreadable backup manifest: {err}", where=str(folder)) from err


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    """The SHA256 of a file's bytes, or None when it does not exist."""
    try:
        return sha256_bytes(Path(path).read_bytes())
    except FileNotFoundError:
        return None


def write_bytes_keeping_mode(target: Path, data: bytes, mode: int | None = None) -> None:
    """Atomically replace `target` with `data`, keeping (or setting) its permission bits."""
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)


def _new_backup_dir(workspace: Path, tool: str) -> tuple[Path, str]:
    base = subdir(subdir(workspace, "backups"), tool)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder, n = base / stamp, 1
    while folder.exists():
        folder, n = base / f"{stamp}-{n}", n + 1
    folder.mkdir(parents=True)
    return folder, stamp


def _checked_target(root: Path, rel: str) -> Path:
    target = root / rel
    if Path(rel).is_absolute() or ".." in Path(rel).parts or not inside(root, target):
        raise StudioError(
            f"refusing to touch a path outside the corpus root: {rel}", where=str(root)
        )
    if target.is_symlink():
        raise StudioError(f"refusing to write through a symlink: {rel}", where=str(root))
    return target


def commit(
    root: Path,
    changes: list[Change],
    tool: str,
    workspace: Path | None = None,
    summary: dict | None = None,
) -> Backup:
    """Back up every file named in `changes`, then apply the changes atomically, file by file.

    Raises StudioError, before anything is written, when a file changed since it was planned.
    """
    root = Path(root).resolve()
    workspace = workspace_root(workspace)
    if not changes:
        raise StudioError("nothing to apply", hint="run the dry run first")
    targets: list[Path] = []
    originals: list[bytes] = []
    stale: list[str] = []
    for change in changes:
        target = _checked_target(root, change.path)
        data = target.read_bytes() if target.is_file() else None
        if data is None or sha256_bytes(data) != change.expect_sha256:
            stale.append(change.path)
        targets.append(target)
        originals.append(data or b"")
    if stale:
        raise StudioError(
            f"{len(stale)} file(s) changed since the dry run: {', '.join(stale[:5])}",
            where=str(root),
            hint="run the dry run again",
        )
    folder, stamp = _new_backup_dir(workspace, tool)
    backup = Backup(dir=folder, tool=tool, root=root, created=stamp, summary=summary or {})
    for change, target, data in zip(changes, targets, originals, strict=True):
        blob = Path("files") / change.path
        write_bytes_keeping_mode(folder / blob, data, 0o644)
        after = None if change.moved_to else sha256_bytes(change.data or b"")
        moved = str(change.moved_to) if change.moved_to else None
        mode = target.stat().st_mode & 0o7777
        backup.entries.append(
            BackupEntry(change.path, blob.as_posix(), change.expect_sha256, after, mode, moved)
        )
    backup.save()
    for change, target, data in zip(changes, targets, originals, strict=True):
        if change.moved_to:
            write_bytes_keeping_mode(change.moved_to, data)
            target.unlink()
        else:
            write_bytes_keeping_mode(target, change.data or b"")
    backup.status = "applied"
    backup.save()
    return backup


def list_backups(workspace: Path | None, tool: str, root: Path | None = None) -> list[Backup]:
    """Backups of `tool` (for `root` when given), newest first."""
    base = workspace_root(workspace) / "backups" / tool
    if not base.is_dir():
        return []
    folders = sorted((f for f in base.iterdir() if (f / MANIFEST).is_file()), reverse=True)
    found = [Backup.load(folder) for folder in folders]
    if root is not None:
        wanted = Path(root).resolve()
        found = [b for b in found if b.root == wanted]
    return found


def last_backup(workspace: Path | None, tool: str, root: Path | None = None) -> Backup | None:
    """The newest backup of `tool` (for `root` when given) that has not been undone."""
    return next((b for b in list_backups(workspace, tool, root) if b.status != "undone"), None)


def undo(backup: Backup, force: bool = False) -> Backup:
    """Put every file of `backup` back exactly as it was before its apply.

    A file changed by hand since the apply is not overwritten unless `force` is given.
    """
    if backup.status == "undone":
        raise StudioError("this change was already undone", where=str(backup.dir))
    edited = []
    for entry in backup.entries:
        current = sha256_file(_checked_target(backup.root, entry.path))
        if current not in (entry.sha256_before, entry.sha256_after):
            edited.append(entry.path)
    if edited and not force:
        raise StudioError(
            f"{len(edited)} file(s) changed since the apply: {', '.join(edited[:5])}",
            where=str(backup.root),
            hint="undo with force to overwrite them with the backup",
        )
    for entry in backup.entries:
        original = (backup.dir / entry.blob).read_bytes()
        if sha256_bytes(original) != entry.sha256_before:
            raise StudioError("backup file damaged", where=str(backup.dir / entry.blob))
        target = _checked_target(backup.root, entry.path)
        if sha256_file(target) != entry.sha256_before:
            write_bytes_keeping_mode(target, original, entry.mode)
        if entry.moved_to and sha256_file(Path(entry.moved_to)) == entry.sha256_before:
            Path(entry.moved_to).unlink()
    backup.status = "undone"
    backup.undone = datetime.now().isoformat(timespec="seconds")
    backup.save()
    return backup


def undo_last(
    workspace: Path | None, tool: str, root: Path | None = None, force: bool = False
) -> Backup:
    """Undo the newest not-yet-undone apply of `tool` (for `root` when given)."""
    backup = last_backup(workspace, tool, root)
    if backup is None:
        where = f" for {Path(root).resolve()}" if root is not None else ""
        raise StudioError(f"nothing to undo: no {tool} backup{where}")
    return undo(backup, force=force)


# ---------------------------------------------------------------- CLI


def add_undo_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """The options every corpus-changing CLI shares: --undo (the last `what`), --force, --workspace."""
    parser.add_argument("--undo", action="store_true", help=f"undo the last {what} on this root")
    parser.add_argument("--force", action="store_true", help="undo even over later hand edits")
    parser.add_argument("--workspace", type=Path, help="workspace folder (backups go there)")


def undo_hint(module: str, root: Path) -> str:
    """The command that undoes the last change a corpus CLI (`python -m module`) made on root."""
    return f"undo with: python -m {module} --root {root} --undo"


def undo_from_cli(args: argparse.Namespace, tool: str) -> int:
    """--undo: put back the files of the last `tool` apply on args.root, and say so."""
    backup = undo_last(args.workspace, tool, args.root, force=args.force)
    print(f"restored {len(backup.entries)} file(s) from {backup.dir}")
    return 0
