"""The export's smoke test judges answers as the Evaluate tab does: the answers here are given, so
no model is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.evaluate.scoring import score_output
from core.export import verify as gguf_verify

ANSWERS = {
    "gibberish": "pecpecpec pecpec",
    "v2 with errors": '^j::\n{\n    MsgBox "hi"\n}\n^j::\n{\n    MsgBox "again"\n}',  # one hotkey twice
    "v2": '^!n::Run "notepad.exe"',
}


def smoke_with(monkeypatch, answers: list[str]) -> gguf_verify.SmokeReport:
    """The real smoke test, with llama.cpp's answers replaced by `answers`."""
    monkeypatch.setattr(gguf_verify, "llama_cpp_available", lambda: None)
    monkeypatch.setattr(gguf_verify, "_answers_llama_cpp", lambda path, prompts, tokens: answers)
    prompts = [f"prompt {i}" for i in range(len(answers))]
    return gguf_verify.smoke_test(Path("model.gguf"), Path("merged"), prompts)


def test_a_smoke_answer_gets_the_verdict_evaluate_gives_it(monkeypatch):
    report = smoke_with(monkeypatch, list(ANSWERS.values()))
    for answer in report.answers:
        scores = score_output(answer.answer, "")
        assert (answer.verdict, answer.errors, answer.clean_v2) == (
            scores.verdict,
            scores.errors,
            scores.clean_v2,
        )
    assert [a.verdict for a in report.answers] == ["no code", "v2 with errors", "v2"]
    assert report.answers[1].errors > 0 and not report.answers[1].clean_v2


def test_gibberish_answers_are_no_code_never_clean_v2_and_the_summary_says_so(monkeypatch):
    report = smoke_with(monkeypatch, ["pecpecpec pecpec", "pecpecpecpecpec", "x := 1"])
    assert [a.verdict for a in report.answers] == ["no code", "no code", "v2"]
    lines = report.lines()
    assert "1/3 answers are clean v2" in lines[0]
    assert "2 of 3 answers are not code at all (gibberish or prose)" in lines[1]


@pytest.mark.parametrize(
    "verdicts, warned",
    [(["no code", "no code", "v2"], True), (["no code", "v2", "v1"], False), ([], False)],
)
def test_the_no_code_warning_comes_only_when_most_answers_are_not_code(verdicts, warned):
    assert (gguf_verify.no_code_warning(verdicts) is not None) == warned
