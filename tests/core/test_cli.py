"""Every command the README documents starts: `python -m core.<stage> --help` exits 0."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from core.workspace import REPO_ROOT

DOCUMENTED = sorted(
    set(re.findall(r"python -m (core(?:\.[a-z_]+)+)", (REPO_ROOT / "README.md").read_text()))
)


def test_the_readme_documents_the_stage_commands():
    assert {"core.ahk", "core.build_dataset", "core.train", "core.export"} <= set(DOCUMENTED)


@pytest.mark.parametrize("module", DOCUMENTED)
def test_a_documented_command_starts(module: str):
    proc = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "usage:" in proc.stdout
