"""A model's answer judged as AutoHotkey: the code it holds (or none) and the checker's verdict.

One rule for every place that judges an answer (the Evaluate scores, the Export smoke test, the
Playground): `answer_code` finds the code, `judge_answer` runs the checker on it. An answer
without code (prose, gibberish) is "no code", never clean; "v2" is shown only without errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.ahk.builtins import FUNCS, V1_COMMANDS

FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
AHK_LANGS = {"ahk", "ahk2", "autohotkey", "autohotkey2", "autohotkeyv2"}
NO_CODE = "no code"

# Marks of code anywhere in a line: assignment, arrow, hotkey, braces, a comment, a #directive
# (a markdown heading "# Title" has a space), a call with parentheses, a keyword opening a line.
CODE_MARK = re.compile(
    r":=|=>|::|[{}]|^\s*(?:;|#[a-z])|\w\(.*\)|^\s*(?:if|else|loop|for|while|return|class|try|"
    r"catch|global|static|local|throw|switch|case)\b",
    re.IGNORECASE,
)
# A built-in called at the start of a line: then a v1 comma, a parenthesis (closed or not: a cut
# answer is broken code, not prose), an argument that starts like one (a string, a number, a
# %var%, a bracket, a built-in A_ variable, ahk_ criteria), or nothing at all. The name is checked
# against the built-ins in `_is_command`.
COMMAND = re.compile(
    r"^\s*([a-z]\w*)(?:\s*[,(]|\s+(?:[\"'%(\[{\d-]|a_\w|ahk_)|\s*$)", re.IGNORECASE
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


def _is_command(line: str) -> bool:
    """A line opening with a call of a built-in: `MsgBox "hi"`, `Sleep 100`, `MsgBox, hi` (v1),
    `MsgBox("hi"` (cut short); a bare name only for a built-in that takes no argument (`ExitApp`)."""
    match = COMMAND.match(line)
    if not match:
        return False
    name, rest = match.group(1).lower(), line[match.end(1) :].strip()
    if not rest:
        return FUNCS.get(name, (1, None))[0] == 0
    return name in FUNCS or name in V1_COMMANDS


def looks_like_code(line: str) -> bool:
    """A line that reads as AutoHotkey rather than as a sentence."""
    if not line.strip():
        return False
    marked = bool(CODE_MARK.search(line)) or _is_command(line)
    return marked and not (PROSE.match(line) and line.rstrip()[-1:] in ".!?")


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
