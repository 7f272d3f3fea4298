"""Scores of one model output against its reference: exact match, chrF, v2 validity, balance.

Pure functions, no model: `score_output` is what core/evaluate/compare.py records for every completion,
and `summarise` turns a list of scores into the means and counts of `eval/summary.json`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from statistics import fmean

from core.ahk.answer import NO_CODE, judge_answer

HOTSTRING = re.compile(r"^\s*:([^:\s]*):.*?::(.*)$")
HOTKEY = re.compile(r"^\s*[^\s\"';]+?(?:\s+&\s+[^\s\"';]+?)?(?:\s+up)?::(.*)$", re.IGNORECASE)
OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in OPENERS.items()}


@dataclass(frozen=True)
class Scores:
    """How one output compares with its reference. v2 fields are None for prose (non-code) records."""

    exact_match: float
    chrf: float
    balanced: bool | None = None
    balance_problem: str | None = None
    verdict: str | None = None
    errors: int | None = None
    warnings: int | None = None
    diagnostics: int | None = None
    clean_v2: bool | None = None
    interpreter_ok: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def normalise_text(text: str) -> str:
    """CRLF to LF, trailing spaces of each line and blank ends removed: what exact match compares."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def exact_match(output: str, reference: str) -> float:
    """1.0 when output and reference are the same text up to line endings and trailing spaces."""
    return float(normalise_text(output) == normalise_text(reference))


def chrf(output: str, reference: str) -> float:
    """sacrebleu's sentence chrF (0-100); identical texts score 100, even when both are empty."""
    if normalise_text(output) == normalise_text(reference):
        return 100.0
    from sacrebleu.metrics import CHRF

    return float(CHRF().sentence_score(output, [reference]).score)


def _code_part(line: str) -> str:
    """The part of a line the scanner reads: hotstring replacement text and directives are literal."""
    stripped = line.lstrip()
    if stripped.startswith("#") and not stripped.lower().startswith("#hotif"):
        return ""
    hotstring = HOTSTRING.match(line)
    if hotstring:
        return hotstring.group(2) if "x" in hotstring.group(1).lower() else ""
    hotkey = HOTKEY.match(line)
    return hotkey.group(1) if hotkey else line


def _starts_continuation(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("(") and ")" not in stripped


def balance_problem(code: str) -> str | None:
    """None when brackets and strings of AutoHotkey v2 code balance, else what is wrong and where.

    Comments (`;` and `/* */`), backtick escapes, hotstring text and continuation sections are
    understood; a string may stay open at a line end only when a continuation section follows.
    """
    stack: list[tuple[str, int]] = []
    lines = code.replace("\r\n", "\n").split("\n")
    quote, in_block, in_section = "", False, False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if in_block:
            in_block = "*/" not in line
            continue
        if in_section:
            if stripped.startswith(")"):
                in_section, line = False, stripped[1:]
            else:
                continue
        elif not quote and stripped.startswith("/*"):
            in_block = "*/" not in stripped[2:]
            continue
        elif _starts_continuation(line):
            in_section = True
            continue
        problem, quote = _scan_line(_code_part(line) if not quote else line, number, stack, quote)
        if problem:
            return problem
        if quote and not (number < len(lines) and _starts_continuation(lines[number])):
            return f"line {number}: string not closed"
    if quote or in_section:
        return "string or continuation section not closed at the end"
    if stack:
        bracket, number = stack[-1]
        return f"line {number}: {bracket!r} never closed"
    return None


def _scan_line(
    line: str, number: int, stack: list[tuple[str, int]], quote: str
) -> tuple[str | None, str]:
    """Scan one line, updating the bracket stack; return (problem, quote still open)."""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "`":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == ";" and (index == 0 or line[index - 1].isspace()):
            break
        elif char in OPENERS:
            stack.append((char, number))
        elif char in CLOSERS:
            if not stack or stack[-1][0] != CLOSERS[char]:
                return f"line {number}: unexpected {char!r}", quote
            stack.pop()
        index += 1
    return None, quote


def score_output(output: str, reference: str, kind: str = "code") -> Scores:
    """Score one output. For `kind="code"` the answer's code also gets the checker's verdict by
    core.ahk.answer.judge_answer (the Export smoke test's rule too: clean v2 = verdict v2 with no
    errors) and the bracket/string balance; an answer without code gets the verdict "no code"
    and is neither clean nor balanced."""
    match, similarity = exact_match(output, reference), chrf(output, reference)
    if kind != "code":
        return Scores(exact_match=match, chrf=similarity)
    judged = judge_answer(output)
    if not judged.code:  # gibberish or prose: nothing to check, and certainly not clean v2
        return Scores(exact_match=match, chrf=similarity, balanced=False, balance_problem="no code",
                      verdict=NO_CODE, errors=0, warnings=0, diagnostics=0, clean_v2=False)  # fmt: skip
    problem = balance_problem(judged.code)
    return Scores(
        exact_match=match,
        chrf=similarity,
        balanced=problem is None,
        balance_problem=problem,
        verdict=judged.verdict,
        errors=judged.errors,
        warnings=judged.warnings,
        diagnostics=judged.diagnostics,
        clean_v2=judged.clean_v2,
    )


def rank_key(scores: dict) -> tuple[float, float, float, float]:
    """Order of merit between two outputs of one prompt: loads in AutoHotkey, clean v2, exact, chrF."""
    return (
        float(bool(scores.get("interpreter_ok"))),
        float(bool(scores.get("clean_v2"))),
        float(scores.get("exact_match") or 0.0),
        float(scores.get("chrf") or 0.0),
    )


def worse_than(scores: dict, other: dict) -> bool:
    """True when `scores` is below `other` in `rank_key` order (the "fine-tuned worse" filter)."""
    return rank_key(scores) < rank_key(other)


MEAN_FIELDS = {
    "exact_match": "exact_match",
    "chrf": "chrf",
    "clean_v2": "clean_v2_share",
    "balanced": "balanced_share",
    "interpreter_ok": "interpreter_ok_share",
    "diagnostics": "mean_diagnostics",
    "errors": "mean_errors",
}


def summarise(scores: list[dict]) -> dict:
    """Means and counts over score dicts; a metric nobody measured (all None) is None."""
    summary: dict = {"n": len(scores)}
    for field, name in MEAN_FIELDS.items():
        values = [float(s[field]) for s in scores if s.get(field) is not None]
        summary[name] = round(fmean(values), 4) if values else None
    verdicts: dict[str, int] = {}
    for s in scores:
        if s.get("verdict") is not None:
            verdicts[s["verdict"]] = verdicts.get(s["verdict"], 0) + 1
    summary["verdicts"] = dict(sorted(verdicts.items()))
    judged = sum(verdicts.values())
    summary["no_code_share"] = round(verdicts.get(NO_CODE, 0) / judged, 4) if judged else None
    return summary
