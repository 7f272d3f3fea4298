"""Find and read the .ahk files of a folder: encodings, BOMs, bad bytes, size cap."""

from __future__ import annotations

import codecs
import errno
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_BYTES = 1 << 20


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


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


_counter = threading.local()


def _count_and_replace(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)  # registered for decoding only
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
