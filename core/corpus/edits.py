"""File edits the corpus tools plan and apply: a script's text read so it can be written back
byte for byte, the change planned for it, and the backed-up atomic write of a batch of them.

Normalise (regex rules) and the include fix both plan `Edit`s here and apply them with
`commit_edits`, so they read, diff, back up and undo alike.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from core.corpus.backup import Backup, Change, commit, sha256_bytes
from core.reading import ReadResult, read_script

SYMLINK = "a symlink: left alone (edit the file it points to)"


@dataclass(frozen=True)
class SourceText:
    """A script's text as the tools see it, and how to turn edited text back into its bytes."""

    text: str
    encoding: str
    bom: bytes
    crlf: bool  # every line ended in CRLF: text holds LF, encode() writes CRLF back
    sha256: str  # of the original bytes

    def encode(self, text: str) -> bytes:
        if self.crlf:
            text = text.replace("\n", "\r\n")
        codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        return self.bom + text.encode(codec)


def read_source(path: Path) -> SourceText | str:
    """The script's SourceText, or the reason it cannot be rewritten safely."""
    if os.path.islink(path):
        return SYMLINK
    result = read_script(path)
    working = working_text(result)
    return working if isinstance(working, str) else source_of(result, *working)


def working_text(result: ReadResult) -> tuple[str, bool] | str:
    """(text as the tools see it, whether it was CRLF), or why the file must be left alone."""
    if result.text is None or result.data is None:
        return result.skip_reason or "unreadable"
    if result.replaced:
        return f"{result.replaced} undecodable byte(s); rewriting would lose them"
    text = result.text
    if "\r\n" in text and text.count("\n") == text.count("\r\n"):
        return text.replace("\r\n", "\n"), True
    return text, False


def source_of(result: ReadResult, text: str, crlf: bool) -> SourceText | str:
    """The SourceText of a read file's working text, or why its bytes would not survive."""
    assert result.encoding is not None and result.data is not None  # working_text checked it
    source = SourceText(text, result.encoding, result.bom, crlf, sha256_bytes(result.data))
    if source.encode(text) != result.data:
        return "its bytes do not survive a decode and encode; left alone"
    return source


@dataclass(frozen=True)
class Edit:
    """The change planned for one file (nothing is written until it is committed)."""

    path: str  # POSIX, relative to the corpus root
    counts: dict[str, int]  # what changed -> how many times, in order, only what matched
    source: SourceText
    after: str

    @property
    def before(self) -> str:
        return self.source.text

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def diff(self, context: int = 3) -> str:
        """A unified diff of the change (LF line endings, whatever the file uses)."""
        lines = difflib.unified_diff(
            self.before.splitlines(),
            self.after.splitlines(),
            f"a/{self.path}",
            f"b/{self.path}",
            n=context,
            lineterm="",
        )
        return "\n".join(lines) + "\n"

    def report_entry(self) -> dict:
        """The seed's report shape: {path, replacements: ["'p' -> 'r' (Nx)", ...]}."""
        return {"path": self.path, "replacements": [f"{k} ({n}x)" for k, n in self.counts.items()]}


def commit_edits(
    root: Path, edits: list[Edit], tool: str, workspace: Path | None, counted: str
) -> Backup:
    """Write every edit atomically in its file's encoding, after backing the originals up in
    <workspace>/backups/<tool>/<timestamp>/ (the summary counts `counted`: the edits' totals).
    Raises StudioError, before writing anything, if a file changed since the plan."""
    changes = [Change(e.path, e.source.sha256, data=e.source.encode(e.after)) for e in edits]
    summary = {"files": len(edits), counted: sum(e.total for e in edits)}
    return commit(root, changes, tool, workspace, summary)
