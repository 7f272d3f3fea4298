"""A model's answer judged as AutoHotkey: the code it holds (or none) and the checker's verdict.

One rule for every place that judges an answer (the Evaluate scores, the Export smoke test, the
Playground): `answer_code` finds the code, `judge_answer` runs the checker on it. An answer
without code (prose, gibberish) is "no code", never clean; "v2" is shown only without errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
AHK_LANGS = {"ahk", "ahk2", "autohotkey", "autohotkey2", "autohotkeyv2"}
NO_CODE = "no code"

CODE_MARK = re.compile(
    r":=|=>|::|[{}]|^\s*[;#]|\w\(.*\)|^\s*(?:if|else|loop|for|while|return|class|try|catch|"
    r"global|static|local|throw|switch|case)\b",
    re.IGNORECASE,
)
PROSE = re.compile(r"^\s*[A-Z][a-z']*(?:,?\s+[\w'(),-]+){3,}[.:!?]?\s*$")


@dataclass(frozen=True)
class Judgement:
    """The checker's word on one answer."""

    code: str  # the code found in the answer; "" when it holds none
    verdict: str  # as shown: "no code", "v2", "v2 with errors", "v1", "mixed" or "unknown"
    errors: int
    warnings: int
    diagnostics: int

    @property
    def clean_v2(self) -> bool:
        return is_clean_v2(self.verdict, self.errors)


def extract_code(text: str) -> str:
    """The code of an answer: its first AutoHotkey-labelled fenced block, else its first fenced
    block, else the whole text (a model trained on bare snippets answers without fences)."""
    blocks = FENCE.findall(text)
    for lang, body in blocks:
        if lang.lower() in AHK_LANGS:
            return body.strip("\n")
    return blocks[0][1].strip("\n") if blocks else text.strip("\n")


def looks_like_code(line: str) -> bool:
    """A line that reads as AutoHotkey rather than as a sentence."""
    if not line.strip():
        return False
    return bool(CODE_MARK.search(line)) and not (PROSE.match(line) and line.rstrip()[-1:] in ".!?")


def answer_code(text: str) -> str:
    """The code of an answer, or "" when it holds none: a fenced block as in `extract_code`, else
    the lines from the first that looks like code to the last (prose around code is dropped)."""
    if FENCE.search(text):
        code = extract_code(text)
        return code if any(looks_like_code(line) for line in code.split("\n")) else ""
    lines = text.replace("\r\n", "\n").split("\n")
    marked = [i for i, line in enumerate(lines) if looks_like_code(line)]
    if not marked:
        return ""
    return "\n".join(lines[marked[0] : marked[-1] + 1]).strip("\n")


def shown_verdict(verdict: str, errors: int) -> str:
    """The verdict as shown: "v2" only without errors, so it never contradicts the error count."""
    return "v2 with errors" if verdict == "v2" and errors else verdict


def is_clean_v2(verdict: str | None, errors: int) -> bool:
    """Clean v2: the checker says v2 and finds no error (a raw or a shown verdict alike)."""
    return verdict == "v2" and errors == 0


def judge_answer(text: str) -> Judgement:
    """The code of an answer and the checker's verdict on it ("no code" when it holds none)."""
    code = answer_code(text)
    if not code:  # gibberish or prose: nothing to check, and certainly not clean v2
        return Judgement("", NO_CODE, 0, 0, 0)
    from core.ahk.check import check_source

    checked = check_source(code)
    verdict = shown_verdict(checked.verdict, checked.errors)
    return Judgement(code, verdict, checked.errors, checked.warnings, len(checked.diagnostics))
