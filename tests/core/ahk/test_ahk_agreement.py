"""How often the built-in checker agrees with the real AutoHotkey v2 interpreter on whether a
script loads, over generated idioms (multi-line calls opening a block, `obj .Method()`, words
like `default` as names, escaped hotkeys) and the test snippets. The interpreter's verdicts are
recorded in tests/ahk_agreement/oracle.json (`python -m tests.ahk_agreement.cases` adds the
missing ones); a sample is checked against the interpreter again when it is installed.

    .venv/bin/python -m pytest tests/core/ahk/test_ahk_agreement.py -s
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from core.ahk.check import check_source
from core.ahk.interpreter import find_interpreter
from core.workspace import REPO_ROOT
from tests.ahk_agreement.cases import ORACLE, all_cases, case_key, interpreter_verdicts, load_oracle

WINE_WORKSPACE = REPO_ROOT / "workspace" / ".test-cache" / "ahk"
TARGET = 0.97


def test_every_case_has_a_recorded_verdict() -> None:
    oracle = load_oracle()
    missing = [t for t in all_cases() if case_key(t) not in oracle]
    assert not missing, f"{len(missing)} cases lack a verdict in {ORACLE.name}: run " + (
        "python -m tests.ahk_agreement.cases with the interpreter installed"
    )


def test_agreement_with_the_interpreter() -> None:
    oracle = load_oracle()
    cases = [t for t in all_cases() if case_key(t) in oracle]
    wrong = [t for t in cases if (check_source(t).errors == 0) != oracle[case_key(t)]]
    share = 1 - len(wrong) / len(cases)
    loads = sum(oracle[case_key(t)] for t in cases)
    print(
        f"\nbuilt-in checker vs interpreter: {share:.1%} agree on {len(cases)} scripts "
        f"({loads} load, {len(cases) - loads} do not); {len(wrong)} disagree"
    )
    for text in wrong[:10]:
        print(f"  interpreter loads={oracle[case_key(text)]}: {text[:80]!r}")
    assert len(cases) >= 400
    assert share >= TARGET


def test_known_idioms_are_accepted() -> None:
    texts = [
        "x := 0, y := 0\nif PixelSearch(&x, &y,\n    0, 0, 9, 9, 0xFFFFFF) {\n    MsgBox x\n}\n",
        "x := [1]\nx .Push(2)\n",
        "f() {\n    default := 1\n    return default\n}\n",
        'WinGetClass(&default)\n*`;::Send "x"\n',
    ]
    for text in texts:
        assert check_source(text).errors == 0, text


def test_the_idioms_still_catch_errors() -> None:
    texts = [
        "x := 0\nif PixelSearch(&x, &x,\n    0, 0, 9, 9, 0xFFFFFF) {\n    MsgBox x\n",  # no }
        "x := [1]\nv := x..Push(2)\n",
        "f() {\n    case := 1\n}\n",
        "class := 5\n",
        '+`,::Send "x"\n',
    ]
    for text in texts:
        assert check_source(text).errors > 0, text


@pytest.mark.interpreter
@pytest.mark.skipif(find_interpreter() is None, reason="AutoHotkey v2 (and Wine) not installed")
def test_recorded_verdicts_match_the_interpreter(tmp_path: Path) -> None:
    oracle = load_oracle()
    sample = random.Random(0).sample([t for t in all_cases() if case_key(t) in oracle], 24)
    fresh = interpreter_verdicts(sample, tmp_path, WINE_WORKSPACE)
    stale = [
        t
        for t in sample
        if case_key(t) in fresh and fresh[case_key(t)]["loads"] != oracle[case_key(t)]
    ]
    assert len(fresh) >= 20
    assert not stale, f"the interpreter now answers differently: {stale[:3]}"
