"""Find and read the .ahk files of a corpus: encodings, BOMs, bad bytes, size cap, per-file facts."""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from core.errors import StudioError
from core.fsutil import atomic_write_text

DEFAULT_MAX_BYTES = 1 << 20

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_INCLUDE_WORD = re.compile(r"#[Ii][Nn][Cc][Ll][Uu][Dd][Ee]")


@dataclass(frozen=True)
class ReadResult:
    """One file as read: its text (None when skipped) and how it was encoded."""

    text: str | None
    encoding: str | None
    bom: bytes = b""
    newline: str = "\n"
    replaced: int = 0
    skip_reason: str | None = None
    size: int = 0
    data: bytes | None = field(default=None, repr=False)  # the raw bytes, when they were read


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


# ---------------------------------------------------------------- finding


def is_script_name(name: str) -> bool:
    """True for a name ending in .ahk, whatever the case."""
    return name.lower().endswith(".ahk")


def find_scripts(root: Path) -> list[Path]:
    """Every .ahk file below `root` (any case), in the order sorted(root.rglob(...)) gives.

    Like rglob, symlinked folders are not descended into, so symlink loops cannot trap the walk;
    symlinked files (even broken or looping ones) are listed and read_script reports them.
    """
    root = Path(root)
    return [root / relative for relative in find_relative(root)]


def find_relative(root: Path) -> list[str]:
    """The POSIX paths, relative to `root`, of find_scripts(root), in the same order."""
    top = os.fspath(root)
    found: list[str] = []
    for folder, _dirs, files in os.walk(top):  # followlinks=False: symlinked folders not entered
        prefix = os.path.relpath(folder, top).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        found.extend(prefix + name for name in files if is_script_name(name))
    found.sort(key=lambda relative: relative.split("/"))
    return found


# ---------------------------------------------------------------- reading

_counter = threading.local()


def _count_and_replace(err: UnicodeDecodeError) -> tuple[str, int]:
    _counter.n += 1
    return "\ufffd", err.end


codecs.register_error("ahkstudio.count", _count_and_replace)


def decode_bytes(data: bytes) -> tuple[str, str, bytes, int]:
    """Decode script bytes: (text without BOM, encoding, bom, bad bytes replaced).

    The text equals what `bytes.decode(encoding, errors="replace")` gives.
    """
    encoding, bom = "utf-8", b""
    for mark, name in _BOMS:
        if data.startswith(mark):
            encoding, bom = name, mark
            break
    body = data[len(bom) :]
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        return body.decode(codec), encoding, bom, 0
    except UnicodeDecodeError:
        _counter.n = 0
        text = body.decode(codec, errors="ahkstudio.count")
        return text, encoding, bom, _counter.n


def _skip(reason: str, size: int = 0, data: bytes | None = None) -> ReadResult:
    return ReadResult(text=None, encoding=None, skip_reason=reason, size=size, data=data)


def _unreadable(err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "unreadable: symlink loop"
    return f"unreadable: {err.strerror or err}"


def _read_bytes(path: str | Path, size: int, max_bytes: int) -> bytes:
    """The file's bytes (at most max_bytes + 1), in as few system calls as possible."""
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, size + 1)
        while len(data) > size and len(data) <= max_bytes:  # it grew since stat: read the rest
            more = os.read(fd, 1 << 16)
            if not more:
                break
            data += more
        return data
    finally:
        os.close(fd)


def read_script(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Read one script, never raising for a bad file: problems come back as `skip_reason`."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _skip(
            "unreadable: broken symlink" if os.path.islink(path) else "unreadable: missing"
        )
    except OSError as err:
        return _skip(_unreadable(err))
    if not stat.S_ISREG(info.st_mode):
        return _skip("not a regular file")
    if info.st_size > max_bytes:
        return _skip(f"over size cap ({info.st_size} bytes > {max_bytes})", info.st_size)
    try:
        data = _read_bytes(path, info.st_size, max_bytes)
    except OSError as err:
        return _skip(_unreadable(err), info.st_size)
    size = len(data)
    if size > max_bytes:
        return _skip(f"over size cap ({size} bytes > {max_bytes})", size)
    text, encoding, bom, replaced = decode_bytes(data)
    if "\x00" in text:
        return _skip("binary (NUL bytes)", size, data)
    if not text or text.isspace():
        return _skip("empty" if not text else "whitespace only", size, data)
    newline = "\r\n" if "\r\n" in text else "\n"
    return ReadResult(text, encoding, bom, newline, replaced, None, size, data)


# ---------------------------------------------------------------- scanning


def count_includes(text: str) -> int:
    """Number of #Include / #IncludeAgain directives (outside comments and strings)."""
    if not _INCLUDE_WORD.search(text):  # fast path: most scripts include nothing
        return 0
    from core.includes import find_directives  # lazily: core.includes imports this module

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
        from core.ahk import check_sources  # lazily: the checker is optional for reading

        for (info, _), result in zip(
            readable, check_sources([t for _, t in readable]), strict=True
        ):
            info.verdict, info.errors, info.warnings = (
                result.verdict,
                result.errors,
                result.warnings,
            )
    return infos


def checker_version() -> str:
    """Changes whenever the checker's code changes, so cached verdicts never outlive it."""
    parts = sorted(Path(__file__).parent.glob("ahk*.py"))
    return "-".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in parts)


class VerdictCache:
    """The checker's [verdict, errors, warnings] remembered by the SHA256 of a script's bytes, in
    <cache_dir>/checker-verdicts.json, so a rescan only checks what changed; a change to the
    checker's code starts it afresh."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = Path(cache_dir) / "checker-verdicts.json"
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
        from core.ahk import check_sources  # lazily: the checker is optional for reading

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


def to_dataframe(infos: list[ScriptInfo]):
    """The scan as a table, one row per file, columns in ScriptInfo's field order."""
    import pandas as pd

    columns = [f.name for f in fields(ScriptInfo)]
    return pd.DataFrame([asdict(info) for info in infos], columns=columns)
