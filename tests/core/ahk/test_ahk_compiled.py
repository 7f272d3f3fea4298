"""The compiled checker (core.ahk.compiled): the same results as the pure-Python one, and never a
build of other source."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.ahk import compiled
from core.ahk.check import check_source
from core.workspace import REPO_ROOT, SAMPLE_CORPUS

SNIPPETS = Path(__file__).parents[2] / "ahk_snippets"


def _check_json(folder: Path, pure: bool) -> tuple[bool, list[dict]]:
    """(whether the checker ran compiled, the CLI's JSON lines) in a fresh process."""
    env = {"PATH": "/usr/bin:/bin", **({"AHK_CHECKER_PURE": "1"} if pure else {})}
    code = (
        "import sys; from core.ahk.compiled import is_compiled; from core.ahk.cli import main; "
        "print(is_compiled()); main(sys.argv[1:])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder), "--json", "--jobs", "1"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    return out[0] == "True", [json.loads(line) for line in out[1:]]


@pytest.mark.skipif(
    not compiled.build_dir().is_dir(),
    reason="no compiled checker for this source: `make setup` (python -m core.ahk.build) builds it",
)
@pytest.mark.parametrize("folder", [SNIPPETS, SAMPLE_CORPUS], ids=["snippets", "sample corpus"])
def test_compiled_and_pure_checkers_give_the_same_output(folder: Path):
    ran_compiled, fast = _check_json(folder, pure=False)
    ran_pure, plain = _check_json(folder, pure=True)
    assert (ran_compiled, ran_pure) == (True, False)
    assert len(fast) > 100
    assert fast == plain


def test_an_edited_source_has_a_hash_of_its_own(tmp_path: Path, monkeypatch):
    copy = tmp_path / "ahk"
    shutil.copytree(compiled.HERE, copy)
    monkeypatch.setattr(compiled, "HERE", copy)
    before = compiled.source_hash()
    with open(copy / "expr.py", "a") as source:
        source.write("\n# edited\n")
    assert compiled.source_hash() != before


def test_without_a_build_of_this_source_nothing_is_loaded(tmp_path: Path, monkeypatch):
    stale = tmp_path / "ahk-checker" / "0123456789abcdef" / "core" / "ahk"
    stale.mkdir(parents=True)
    for name in compiled.MODULES:
        (stale / f"{name}.cpython-311-x86_64-linux-gnu.so").write_bytes(b"not this source")
    monkeypatch.setattr(compiled, "BUILDS", tmp_path / "ahk-checker")
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if not _ours(f)])
    assert compiled.use_compiled() is False
    assert not any(_ours(f) for f in sys.meta_path)


def _ours(finder: object) -> bool:
    return isinstance(finder, compiled._Finder)


def test_diagnostics_survive_pickling_to_and_from_workers():
    result = check_source("MsgBox, hi\n")
    assert pickle.loads(pickle.dumps(result)) == result
