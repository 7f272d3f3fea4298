"""The shared backup and undo: originals kept byte for byte, undo walks back, nothing is lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.corpus.backup import (
    Change,
    commit,
    last_backup,
    list_backups,
    sha256_bytes,
    undo,
    undo_last,
)
from core.errors import StudioError


def _corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.ahk").write_bytes(b'MsgBox "a"\r\n')
    (root / "sub" / "b.ahk").write_bytes(b"\xef\xbb\xbfb := 1\n")
    return root


def _change(root: Path, rel: str, data: bytes) -> Change:
    return Change(rel, sha256_bytes((root / rel).read_bytes()), data=data)


def test_commit_backs_up_then_writes_and_undo_restores_bytes(tmp_path: Path, workspace: Path):
    root = _corpus(tmp_path)
    os.chmod(root / "a.ahk", 0o640)
    before = {p: p.read_bytes() for p in root.rglob("*.ahk")}
    backup = commit(root, [_change(root, "a.ahk", b"new\r\n")], "demo", workspace, {"files": 1})
    assert (root / "a.ahk").read_bytes() == b"new\r\n"
    assert (root / "a.ahk").stat().st_mode & 0o777 == 0o640
    assert backup.dir.parent == workspace / "backups" / "demo"
    manifest = json.loads((backup.dir / "manifest.json").read_text())
    assert manifest["status"] == "applied" and manifest["root"] == str(root.resolve())
    assert (backup.dir / manifest["entries"][0]["blob"]).read_bytes() == b'MsgBox "a"\r\n'
    undo_last(workspace, "demo", root)
    assert {p: p.read_bytes() for p in root.rglob("*.ahk")} == before
    assert (root / "a.ahk").stat().st_mode & 0o777 == 0o640
    assert last_backup(workspace, "demo", root) is None


def test_repeated_undo_walks_back_through_applies(tmp_path: Path, workspace: Path):
    root = _corpus(tmp_path)
    commit(root, [_change(root, "a.ahk", b"one")], "demo", workspace)
    commit(root, [_change(root, "a.ahk", b"two")], "demo", workspace)
    assert len(list_backups(workspace, "demo")) == 2
    undo_last(workspace, "demo", root)
    assert (root / "a.ahk").read_bytes() == b"one"
    undo_last(workspace, "demo", root)
    assert (root / "a.ahk").read_bytes() == b'MsgBox "a"\r\n'
    with pytest.raises(StudioError, match="nothing to undo"):
        undo_last(workspace, "demo", root)


def test_undo_is_per_root(tmp_path: Path, workspace: Path):
    root = _corpus(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.ahk").write_bytes(b"x")
    commit(root, [_change(root, "a.ahk", b"changed")], "demo", workspace)
    commit(other, [_change(other, "x.ahk", b"y")], "demo", workspace)
    undo_last(workspace, "demo", root)
    assert (root / "a.ahk").read_bytes() == b'MsgBox "a"\r\n'
    assert (other / "x.ahk").read_bytes() == b"y"


def test_stale_plan_is_refused_before_anything_is_written(tmp_path: Path, workspace: Path):
    root = _corpus(tmp_path)
    stale = Change("sub/b.ahk", sha256_bytes(b"something else"), data=b"oops")
    fresh = _change(root, "a.ahk", b"new")
    with pytest.raises(StudioError, match="changed since the dry run"):
        commit(root, [fresh, stale], "demo", workspace)
    assert (root / "a.ahk").read_bytes() == b'MsgBox "a"\r\n'
    assert list_backups(workspace, "demo") == []


def test_paths_outside_the_root_are_refused(tmp_path: Path, workspace: Path):
    root = _corpus(tmp_path)
    (tmp_path / "secret.ahk").write_bytes(b"secret")
    for rel in ("../secret.ahk", str(tmp_path / "secret.ahk")):
        with pytest.raises(StudioError, match="outside the corpus root"):
            commit(root, [Change(rel, sha256_bytes(b"secret"), data=b"x")], "demo", workspace)
    assert (tmp_path / "secret.ahk").read_bytes() == b"secret"


def test_symlinks_are_never_written_through(tmp_path: Path, workspace: Path):
    root = _corpus(tmp_path)
    (tmp_path / "target.ahk").write_bytes(b"outside")
    os.symlink(tmp_path / "target.ahk", root / "link.ahk")
    with pytest.raises(StudioError, match=r"outside the corpus root|symlink"):
        commit(root, [Change("link.ahk", sha256_bytes(b"outside"), data=b"x")], "demo", workspace)
    os.symlink(root / "a.ahk", root / "inner.ahk")
    digest = sha256_bytes((root / "a.ahk").read_bytes())
    with pytest.raises(StudioError, match="symlink"):
        commit(root, [Change("inner.ahk", digest, data=b"x")], "demo", workspace)
    assert (tmp_path / "target.ahk").read_bytes() == b"outside"


def test_undo_keeps_hand_edits_unless_forced(tmp_path: Path, workspace: Path):
    root = _corpus(tmp_path)
    backup = commit(root, [_change(root, "a.ahk", b"applied")], "demo", workspace)
    (root / "a.ahk").write_bytes(b"edited by hand")
    with pytest.raises(StudioError, match="changed since the apply"):
        undo(backup)
    assert (root / "a.ahk").read_bytes() == b"edited by hand"
    undo(backup, force=True)
    assert (root / "a.ahk").read_bytes() == b'MsgBox "a"\r\n'


def test_move_out_of_the_root_and_back(tmp_path: Path, workspace: Path):
    root = _corpus(tmp_path)
    target = workspace / "quarantine" / "sub" / "b.ahk"
    digest = sha256_bytes((root / "sub" / "b.ahk").read_bytes())
    commit(root, [Change("sub/b.ahk", digest, moved_to=target)], "demo", workspace)
    assert not (root / "sub" / "b.ahk").exists()
    assert target.read_bytes() == b"\xef\xbb\xbfb := 1\n"
    undo_last(workspace, "demo", root)
    assert (root / "sub" / "b.ahk").read_bytes() == b"\xef\xbb\xbfb := 1\n"
    assert not target.exists()


def test_nothing_to_apply_is_an_error(tmp_path: Path, workspace: Path):
    with pytest.raises(StudioError, match="nothing to apply"):
        commit(_corpus(tmp_path), [], "demo", workspace)
