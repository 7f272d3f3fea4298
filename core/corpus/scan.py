"""Scan a corpus: per-file facts, include counts and the checker's verdicts (cached by content)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from core.corpus.includes import find_directives
from core.errors import StudioError
from core.fsutil import atomic_write_text
from core.reading import DEFAULT_MAX_BYTES, find_relative, read_script

_INCLUDE_WORD = re.compile(r"#[Ii][Nn][Cc][Ll][Uu][Dd][Ee]")


@dataclass
class ScriptInfo:
    """Facts about one script of a corpus; checker fields are filled by scan_corpus(check=True)."""

    path: str  # POSIX, relative to the corpus root
    category: str
    size: int
    lines: int
    sha256: str | None  # of the file's bytes; None when they could not be read
    encoding: str | None
    replaced: int
    skip_reason: str | None
    verdict: str | None = None
    errors: int | None = None
    warnings: int | None = None
    includes: int = 0


def count_includes(text: str) -> int:
    """Number of #Include / #IncludeAgain directives (outside comments and strings)."""
    if not _INCLUDE_WORD.search(text):  # fast path: most scripts include nothing
        return 0
    return len(find_directives(text))


def _scan_one(
    root: Path, relative: str, root_name: str, max_bytes: int
) -> tuple[ScriptInfo, str | None]:
    head, slash, _ = relative.partition("/")
    result = read_script(os.path.join(root, relative), max_bytes)
    text = result.text or ""
    info = ScriptInfo(
        path=relative,
        category=head if slash else root_name,
        size=result.size,
        lines=len(text.splitlines()),
        sha256=hashlib.sha256(result.data).hexdigest() if result.data is not None else None,
        encoding=result.encoding,
        replaced=result.replaced,
        skip_reason=result.skip_reason,
        includes=count_includes(text),
    )
    return info, result.text


def scan_corpus(
    root: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    check: bool = False,
    progress: Callable[[int, int], None] | None = None,
    texts: dict[str, str] | None = None,
) -> list[ScriptInfo]:
    """One ScriptInfo per .ahk file below `root`; with check=True, the checker's verdict too.

    `progress(done, total)` is called as files are read (for a progress bar). When `texts` is
    given, each readable script's text is put in it under its path, in walk order, so a later
    pass (the checker, near-duplicates) need not read the file again.
    """
    root = Path(root)
    if not root.is_dir():
        raise StudioError(f"corpus folder not found: {root}", hint="choose a folder of .ahk files")
    root_name = root.resolve().name
    relatives = find_relative(root)
    infos: list[ScriptInfo] = []
    readable: list[tuple[ScriptInfo, str]] = []
    for done, relative in enumerate(relatives, 1):
        info, text = _scan_one(root, relative, root_name, max_bytes)
        if texts is not None and text is not None:
            texts[relative] = text
        if check and text is not None:
            readable.append((info, text))
        infos.append(info)
        if progress is not None:
            progress(done, len(relatives))
    if readable:
        from core.ahk.check import check_sources  # lazily: only a checked scan needs it

        for (info, _), result in zip(
            readable, check_sources([t for _, t in readable]), strict=True
        ):
            info.verdict, info.errors, info.warnings = (
                result.verdict,
                result.errors,
                result.warnings,
            )
    return infos


class VerdictCache:
    """The checker's [verdict, errors, warnings] remembered by the SHA256 of a script's bytes, in
    <cache_dir>/checker-verdicts.json, so a rescan only checks what changed; a change to the
    checker's code starts it afresh."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = Path(cache_dir) / "checker-verdicts.json"
        from core.ahk.check import checker_version

        self.version = checker_version()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.results: dict[str, list] = (
            data.get("results", {}) if data.get("version") == self.version else {}
        )

    def fill(self, texts: dict[str, str], every: int = 500) -> Iterator[tuple[int, int]]:
        """Check the scripts (text by SHA256 of their bytes) the cache lacks, over several
        processes; yields (done, to do) every `every` scripts and at the end."""
        from core.ahk.check import check_sources  # lazily: only a checked scan needs it

        todo = {sha: text for sha, text in texts.items() if sha not in self.results}
        if not todo:
            return
        results = check_sources(list(todo.values()))
        for done, (sha, result) in enumerate(zip(todo, results, strict=True), 1):
            self.results[sha] = [result.verdict, result.errors, result.warnings]
            if done % every == 0 or done == len(todo):
                yield done, len(todo)

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps({"version": self.version, "results": self.results}))
