"""The interpreter engine (AutoHotkey v2 /validate under Wine) and the built-in engine's
agreement with it. Run with -s to see the figures:

    .venv/bin/python -m pytest tests/core/ahk/test_ahk_interpreter.py -s
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.ahk.check import CheckResult, check_file
from core.ahk.cli import main
from core.ahk.interpreter import find_interpreter, run_interpreter
from core.workspace import REPO_ROOT, SAMPLE_CORPUS

pytestmark = [
    pytest.mark.interpreter,
    pytest.mark.skipif(
        find_interpreter() is None,
        reason="AutoHotkey v2 not found: needs `pip install ahk-binary` and Wine "
        "(apt-get install wine), or AHK_V2_EXE naming AutoHotkeyV2.exe",
    ),
]

SNIPPETS = Path(__file__).parents[2] / "ahk_snippets"
# The Wine prefix is kept between sessions (creating one takes ~15 s).
WINE_WORKSPACE = REPO_ROOT / "workspace" / ".test-cache" / "ahk"


def _rejects(result: CheckResult) -> bool:
    return result.errors > 0


@pytest.fixture(scope="module")
def files() -> dict[str, list[Path]]:
    """Labelled files: snippets by folder; the sample corpus split into Legacy (v1) and the rest."""
    corpus = sorted(p for p in SAMPLE_CORPUS.rglob("*") if p.suffix.lower() == ".ahk")
    groups = {
        label: sorted((SNIPPETS / label).glob("*.ahk"))
        for label in ("v2", "v2_invalid", "v1", "mixed")
    }
    groups["corpus_v1"] = [p for p in corpus if p.relative_to(SAMPLE_CORPUS).parts[0] == "Legacy"]
    groups["corpus_v2"] = [p for p in corpus if p not in groups["corpus_v1"]]
    return groups


@pytest.fixture(scope="module")
def both(files) -> dict[Path, tuple[CheckResult, CheckResult]]:
    """(built-in, interpreter) results for every labelled file."""
    every = [p for group in files.values() for p in group]
    interp = run_interpreter(every, workspace=WINE_WORKSPACE, jobs=2, timeout=30)
    return {p: (check_file(p), interp[p.resolve()]) for p in every}


def test_valid_invalid_v1_and_needs_v21_outputs_become_diagnostics(tmp_path):
    cases = {
        "ok.ahk": 'MsgBox("fine")\n',
        "v1.ahk": "MsgBox, old\n",
        "inc.ahk": "#Include nothere.ahk\n",
        "new.ahk": "#Requires AutoHotkey v2.1-alpha.9\nx := 1\n",
        "deep.ahk": "x := 1\ny := (2\n",
    }
    for name, source in cases.items():
        (tmp_path / name).write_text(source)
    got = run_interpreter([tmp_path / n for n in cases], workspace=WINE_WORKSPACE)
    got = {p.name: r for p, r in got.items()}
    assert got["ok.ahk"].diagnostics == [] and got["ok.ahk"].verdict == "v2"
    assert [(d.code, d.severity, d.line) for d in got["v1.ahk"].diagnostics] == [
        ("interpreter", "error", 1)
    ]
    assert [(d.code, d.severity) for d in got["inc.ahk"].diagnostics] == [
        ("interpreter-include", "error")
    ]
    assert [(d.code, d.severity) for d in got["new.ahk"].diagnostics] == [("needs-v2.1", "warning")]
    assert "needs v2.1" in got["new.ahk"].diagnostics[0].message
    assert got["deep.ahk"].diagnostics[0].line == 2
    assert "Missing" in got["deep.ahk"].diagnostics[0].message


def test_snippet_labels_match_the_interpreter(files, both):
    wrong = [p.name for p in files["v2"] if _rejects(both[p][1])]
    for label in ("v2_invalid", "v1", "mixed"):
        wrong += [p.name for p in files[label] if not _rejects(both[p][1])]
    assert wrong == []


def _percent(hits: int, total: int) -> float:
    return 100.0 * hits / total if total else 100.0


def test_builtin_agrees_with_the_interpreter(files, both):
    """The three targets of issue 3, printed and asserted."""
    v1_rejected = [
        p for g in ("v1", "mixed", "corpus_v1") for p in files[g] if _rejects(both[p][1])
    ]
    v2_loaded = [p for g in ("v2", "corpus_v2") for p in files[g] if not _rejects(both[p][1])]
    v2_real = files["v2"] + files["v2_invalid"] + files["corpus_v2"]
    not_v2 = sum(both[p][0].verdict != "v2" for p in v1_rejected)
    judged_v2 = sum(both[p][0].verdict == "v2" for p in v2_loaded)
    agree = [p for p in v2_real if _rejects(both[p][0]) == _rejects(both[p][1])]
    snippets = [p for g in ("v2", "v2_invalid", "v1", "mixed") for p in files[g]]
    snippet_agree = sum(_rejects(both[p][0]) == _rejects(both[p][1]) for p in snippets)
    corpus = files["corpus_v1"] + files["corpus_v2"]
    corpus_agree = sum(_rejects(both[p][0]) == _rejects(both[p][1]) for p in corpus)
    figures = {
        "v1 rejected -> not judged v2": (not_v2, len(v1_rejected)),
        "v2 loaded -> judged v2": (judged_v2, len(v2_loaded)),
        "v2 files: error <-> rejected": (len(agree), len(v2_real)),
        "labelled snippets: error <-> rejected": (snippet_agree, len(snippets)),
        "data/raw_scripts: error <-> rejected": (corpus_agree, len(corpus)),
    }
    print()
    for name, (hits, total) in figures.items():
        print(f"  {name:40s} {hits:4d}/{total:<4d} {_percent(hits, total):6.1f}%")
    for p in v2_real:
        if p not in agree:
            b, i = both[p]
            print(
                f"  disagree: {p.name}: builtin {[d.code for d in b.diagnostics]} interpreter {[d.message for d in i.diagnostics]}"
            )
    assert _percent(not_v2, len(v1_rejected)) >= 95
    assert _percent(judged_v2, len(v2_loaded)) >= 95
    assert _percent(len(agree), len(v2_real)) >= 95


def test_cli_engine_both_merges_the_diagnostics(tmp_path, capsys):
    (tmp_path / "bad.ahk").write_text("MsgBox, hi\n")
    args = [str(tmp_path), "--engine", "both", "--json", "--workspace", str(WINE_WORKSPACE)]
    assert main(args) == 0
    codes = {d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert codes == {"legacy-command", "interpreter"}
