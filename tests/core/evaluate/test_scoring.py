"""Scores of known outputs: the numbers evaluation reports must mean what they say."""

from __future__ import annotations

import pytest

from core.ahk.answer import answer_code, extract_code, judge_answer, shown_verdict
from core.evaluate.scoring import (
    balance_problem,
    chrf,
    exact_match,
    score_output,
    summarise,
    worse_than,
)

V2_SNIPPET = """#Requires AutoHotkey v2.0
^j::
{
    MsgBox "Hello from v2"
}
"""

V1_SNIPPET = """#NoEnv
SendMode Input
^j::
MsgBox, Hello from v1
StringReplace, out, in, a, b, All
return
"""


def test_identical_output_scores_exact_match_1_and_chrf_100():
    scores = score_output(V2_SNIPPET, V2_SNIPPET)
    assert scores.exact_match == 1.0
    assert scores.chrf == 100.0


def test_exact_match_ignores_line_endings_and_trailing_spaces_only():
    assert exact_match("a := 1  \r\nb := 2\r\n", "a := 1\nb := 2") == 1.0
    assert exact_match("a := 1\nb := 3", "a := 1\nb := 2") == 0.0


def test_chrf_of_different_text_is_below_100_and_of_empty_output_0():
    assert 0.0 < chrf('MsgBox "Hello"', 'MsgBox "Hello there"') < 100.0
    assert chrf("", V2_SNIPPET) == 0.0
    assert chrf("", "") == 100.0


def test_v1_snippet_scores_as_not_clean_v2():
    scores = score_output(V1_SNIPPET, V2_SNIPPET)
    assert scores.verdict != "v2"
    assert scores.clean_v2 is False
    assert scores.diagnostics and scores.diagnostics > 0


def test_v2_snippet_scores_as_clean_v2_and_balanced():
    scores = score_output(V2_SNIPPET, V2_SNIPPET)
    assert scores.verdict == "v2"
    assert scores.clean_v2 is True
    assert scores.balanced is True
    assert scores.errors == 0


def test_prose_records_get_text_scores_only():
    scores = score_output("Shows a message box.", "Shows a message box.", kind="text")
    assert scores.exact_match == 1.0
    assert scores.verdict is None and scores.clean_v2 is None and scores.balanced is None


def test_code_is_taken_from_the_ahk_fence_when_the_answer_has_prose_around_it():
    answer = "Sure:\n```python\nprint(1)\n```\nand\n```ahk\nMsgBox 1\n```\nDone."
    assert extract_code(answer) == "MsgBox 1"
    assert extract_code("```\nx := 1\n") == "x := 1"  # an unclosed fence (cut by max tokens)
    assert extract_code("MsgBox 2\n") == "MsgBox 2"


@pytest.mark.parametrize(
    "code",
    [
        'x := (1 + [2, 3][1]) ; a comment with ( and "',
        '^j:: {\n    MsgBox "a(b"\n}',
        's := "quote `" inside"',
        'text := "\n(\nfree text with " and ( inside\n)"',
        "::(c)::©",
        "/* a block comment (\n*/\nx := 1",
        "MsgBox 'single ; not a comment'",
        "#Include <Lib(x>\nx := 1",
    ],
)
def test_balanced_code_has_no_problem(code):
    assert balance_problem(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("x := (1 + 2", "line 1: '(' never closed"),
        ("f(a)\nx := ]", "line 2: unexpected ']'"),
        ('MsgBox "abc\nx := 1', "line 1: string not closed"),
        ("if (x {\n)\n}", "line 2: unexpected ')'"),
    ],
)
def test_unbalanced_code_names_the_line(code, problem):
    assert balance_problem(code) == problem


def test_truncated_output_is_unbalanced():
    scores = score_output('^j:: {\n    MsgBox "Hello', V2_SNIPPET)
    assert scores.balanced is False
    assert scores.exact_match == 0.0


def test_summary_means_skip_unmeasured_metrics():
    rows = [
        {"exact_match": 1.0, "chrf": 100.0, "clean_v2": True, "verdict": "v2", "diagnostics": 0},
        {"exact_match": 0.0, "chrf": 50.0, "clean_v2": False, "verdict": "v1", "diagnostics": 4},
        {"exact_match": 0.0, "chrf": 20.0, "clean_v2": None, "verdict": None, "diagnostics": None},
    ]
    summary = summarise(rows)
    assert summary["n"] == 3
    assert summary["exact_match"] == pytest.approx(1 / 3, abs=1e-4)
    assert summary["chrf"] == pytest.approx(170 / 3, abs=1e-4)
    assert summary["clean_v2_share"] == 0.5
    assert summary["mean_diagnostics"] == 2.0
    assert summary["interpreter_ok_share"] is None
    assert summary["verdicts"] == {"v1": 1, "v2": 1}


def test_worse_than_puts_validity_before_similarity():
    clean = {"clean_v2": True, "exact_match": 0.0, "chrf": 10.0}
    similar_but_v1 = {"clean_v2": False, "exact_match": 0.0, "chrf": 90.0}
    assert worse_than(similar_but_v1, clean)
    assert not worse_than(clean, similar_but_v1)
    assert not worse_than(clean, dict(clean))


def test_gibberish_is_no_code_never_clean_v2():
    scores = score_output("pecpecpecpecpecpec", "x := 1")
    assert (scores.verdict, scores.clean_v2, scores.balanced) == ("no code", False, False)
    summary = summarise([scores.to_dict(), score_output("x := 1", "x := 1").to_dict()])
    assert summary["clean_v2_share"] == 0.5 and summary["no_code_share"] == 0.5


def test_a_verdict_never_contradicts_its_error_count():
    assert shown_verdict("v2", 3) == "v2 with errors"
    assert shown_verdict("v2", 0) == "v2" and shown_verdict("v1", 2) == "v1"


def test_code_is_found_inside_prose():
    text = "Here is the function:\nAdd(a, b) {\n    return a + b\n}\nIt adds two numbers."
    assert answer_code(text) == "Add(a, b) {\n    return a + b\n}"
    assert answer_code("I cannot help with that. Please ask again.") == ""


@pytest.mark.parametrize(
    "line",
    [
        'MsgBox "hi"',
        'Run "notepad.exe"',
        "Sleep 100",
        "ToolTip A_Index",
        'WinActivate "ahk_exe notepad.exe"',
        "ExitApp",
        "x := 1",
        '^!n::Run "notepad.exe"',
        "#Requires AutoHotkey v2.0",
    ],
)
def test_an_unfenced_line_of_ahk_v2_is_code(line):
    assert answer_code(line) == line
    assert score_output(line, line).verdict == "v2"


def test_an_unfenced_hotkey_without_its_action_is_code_not_gibberish():
    assert answer_code("^!n::") == "^!n::"
    assert judge_answer("^!n::").verdict not in ("no code", "v2")  # code, but not a whole hotkey


@pytest.mark.parametrize("line", ["MsgBox, hi", "Send, ^c", "StringReplace, out, in, a, b, All"])
def test_an_unfenced_v1_command_line_is_code_the_checker_calls_v1(line):
    assert answer_code(line) == line
    assert score_output(line, line).verdict == "v1"


@pytest.mark.parametrize(
    "text",
    [
        "pecpecpec pecpec",
        "pecpecpecpecpecpec",
        "I cannot help with that. Please ask again.",
        "Run the script and press the hotkey.",
        "Sleep is important.",
        "# Solution",
        "Sure",
        "",
    ],
)
def test_prose_and_gibberish_stay_no_code(text):
    assert answer_code(text) == ""
    assert judge_answer(text).verdict == "no code" and not judge_answer(text).clean_v2


def test_a_call_cut_short_is_broken_code_not_no_code():
    judged = judge_answer('Here you go:\nMsgBox("hi"')
    assert judged.code == 'MsgBox("hi"' and judged.errors > 0 and not judged.clean_v2
