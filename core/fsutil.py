"""Safe file writes: temp file beside the target, then an atomic rename; paths kept inside a root."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from core.errors import StudioError


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success rename it over `target`, else delete it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, _mode_for(target))
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """The permissions the new file should have: the old file's, else the umask's default."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that readers see the old file or the new one, never half."""
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Write `text` atomically; newlines are written exactly as given (no translation)."""
    atomic_write_bytes(target, text.encode(encoding))


def inside(root: Path, path: Path) -> bool:
    """True when `path` (resolved, symlinks followed) lies within `root`."""
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
        return True
    except ValueError:
        return False


def safe_join(root: Path, relative: str | Path) -> Path:
    """Join `relative` under `root`, refusing absolute paths and `..` that leave the root."""
    candidate = Path(root) / relative
    if Path(relative).is_absolute() or not inside(root, candidate):
        raise StudioError(
            f"refusing path outside {root}: {relative}", hint="use a path inside the chosen folder"
        )
    return candidate


def read_if_changed(path: Path, stamp: tuple | None = None) -> tuple[tuple, bytes | None]:
    """A file's stamp (path, inode, mtime, size) and bytes; the bytes are None when the stamp
    equals `stamp`, i.e. the file is the one read before. For files replaced whole (atomic
    writes), where a byte offset into the old file means nothing in the new one."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())  # the file opened, even if replaced since
        now = (str(path), info.st_ino, info.st_mtime_ns, info.st_size)
        return now, None if now == stamp else handle.read()
