"""Small AutoHotkey v2 scripts, valid and invalid, for measuring how often the built-in checker
agrees with the real interpreter. Each case is generated from a template and a few values, so
the same idiom is tried with different names, functions and shapes."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

ORACLE = Path(__file__).with_name("oracle.json")

NAMES = ("x", "pos", "total", "found", "winId", "count")
RESERVED_AS_VARS = ("class", "default", "case", "in", "is", "contains", "super", "global")

# A parenthesised call continued over lines, its last line opening a block.
CALL_BLOCK = {
    "PixelSearch": ("&{a}, &{b},", "0, 0, 100, 100, 0xFFFFFF)"),
    "ImageSearch": ("&{a}, &{b}, 0, 0,", 'A_ScreenWidth, A_ScreenHeight, "img.png")'),
    "RegExMatch": ('"abc123",', '"\\d+", &{a})'),
    "InStr": ('"haystack",', '"st")'),
    "WinExist": ('"ahk_class Notepad",', '"")'),
}
HEADS = ("if {call}", "while {call}", "if !{call}", "if ({call})")
HOTKEY_KEYS = ("*`;", "`;", "^`;", "+`,", "!`%", "~`;", "*`,", "#`;")
TAILS = (
    "",
    "    return\n",
    '    MsgBox "done"\n',
)


def _call_blocks() -> list[str]:
    out = []
    for (fn, (first, last)), head, (a, b) in itertools.product(
        CALL_BLOCK.items(), HEADS, (("x", "y"), ("px", "py"))
    ):
        call = f"{fn}({first.format(a=a, b=b)}"
        text = head.format(call=call) + "\n    " + last.format(a=a, b=b)
        if head.startswith("if ("):
            text += ")"
        out.append(f"{a} := 0, {b} := 0\n{text} {{\n    MsgBox {a}\n}}\n")
        out.append(f"{a} := 0, {b} := 0\n{text} {{\n    MsgBox {a}\n\n")  # no closing brace
    return out


def _method_spacing() -> list[str]:
    out = []
    for name, method in itertools.product(NAMES[:4], ("Push(1)", "Length", "Has(1)", "Pop()")):
        out.append(f"{name} := [1, 2]\n{name} .{method}\n")
        out.append(f"{name} := [1, 2]\nv := {name} .{method}\nMsgBox v\n")
        out.append(f'{name} := [1, 2]\nv := {name} . "{method}"\nMsgBox v\n')
        out.append(f"{name} := [1, 2]\nv := {name}..{method}\n")  # two dots: invalid
    return out


def _reserved_vars() -> list[str]:
    out = []
    for word in RESERVED_AS_VARS:
        out.append(f"WinGetClass(&{word})\n")
        out.append(f"f() {{\n    {word} := 1\n    return {word}\n}}\n")
        out.append(f"f({word}) {{\n    return {word}\n}}\n")
        out.append(f"{word} := 5\nMsgBox {word}\n")
        out.append(f"x := {{{word}: 1}}\nMsgBox x.{word}\n")
    return out


def _hotkeys() -> list[str]:
    out = []
    for key, tail in itertools.product(HOTKEY_KEYS, TAILS):
        out.append(f'{key}::\n{{\n    Send "x"\n{tail}}}\n')
        out.append(f'{key}::Send "x"\n')
        out.append(f'{key}::\n    Send "x"\n{tail}')  # v1 style: no braces
    return out


def _plain() -> list[str]:
    """Ordinary valid and invalid statements, so agreement is not measured on idioms alone."""
    return [
        'MsgBox "hello"\n',
        "MsgBox, hello\n",
        "x = 5\n",
        "x := 5\nif x > 3 {\n    MsgBox x\n}\n",
        "x := 5\nif (x > 3\n    MsgBox x\n",
        "f(a, b) {\n    return a + b\n}\nMsgBox f(1, 2)\n",
        "f(a, a) {\n    return a\n}\n",
        "class A {\n    m() => 1\n}\nMsgBox A().m()\n",
        "class A extends Nope {\n}\n",
        "#NoEnv\nMsgBox 1\n",
        "#Requires AutoHotkey v2.0\nMsgBox 1\n",
        "loop 3 {\n    MsgBox A_Index\n}\n",
        "loop 3\n",
        "try {\n    x := 1\n} catch Error as e {\n    MsgBox e.Message\n}\n",
        'x := "unterminated\n',
        "x := [1, 2, 3]\nfor i, v in x {\n    MsgBox v\n}\n",
        'x := Map("a", 1)\nMsgBox x["a"]\n',
        "Sleep 100\nSleep, 100\n",
        "x := 1 +\n",
        "else\n    MsgBox 1\n",
    ]


SNIPPETS = Path(__file__).resolve().parent.parent / "ahk_snippets"


def _snippets() -> list[str]:
    """The checker's test snippets (v2, v1, mixed, invalid) that include no other file."""
    texts = [p.read_text("utf-8", errors="replace") for p in sorted(SNIPPETS.rglob("*.ahk"))]
    return [t.removeprefix("\ufeff") for t in texts if "#include" not in t.lower()]


def all_cases() -> list[str]:
    """Every generated script and snippet, in a fixed order, without repeats."""
    seen: dict[str, None] = {}
    idioms = (*_call_blocks(), *_method_spacing(), *_reserved_vars(), *_hotkeys())
    for text in (*idioms, *_plain(), *_snippets()):
        seen.setdefault(text, None)
    return list(seen)


def case_key(text: str) -> str:
    """The key of a case in the oracle file: a hash of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_oracle() -> dict[str, bool]:
    """The interpreter's verdicts recorded so far: case key -> whether it loads."""
    if not ORACLE.exists():
        return {}
    return {k: v["loads"] for k, v in json.loads(ORACLE.read_text("utf-8")).items()}


def interpreter_verdicts(
    texts: list[str], folder: Path, workspace: Path | None = None
) -> dict[str, dict]:
    """Ask the real interpreter about each text (written under `folder`): key -> record."""
    from core.ahk.interpreter import run_interpreter

    paths = []
    for text in texts:
        path = folder / f"{case_key(text)}.ahk"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    found = run_interpreter(paths, workspace=workspace, jobs=2)
    records = {}
    for text, path in zip(texts, paths, strict=True):
        res = found[path.resolve()]
        if any(d.code in ("interpreter-timeout", "interpreter-failed") for d in res.diagnostics):
            continue  # no verdict: ask again next time
        first = next((d for d in res.diagnostics if d.severity == "error"), None)
        records[case_key(text)] = {
            "loads": res.errors == 0,
            "error": f"{first.line}: {first.message}" if first else "",
            "script": text,
        }
    return records


def record_oracle() -> int:
    """Ask the interpreter about every case the oracle file lacks and save the file."""
    import tempfile

    from core.fsutil import atomic_write_text

    known = json.loads(ORACLE.read_text("utf-8")) if ORACLE.exists() else {}
    missing = [t for t in all_cases() if case_key(t) not in known]
    with tempfile.TemporaryDirectory() as tmp:
        known.update(interpreter_verdicts(missing, Path(tmp)))
    text = json.dumps(dict(sorted(known.items())), indent=1, ensure_ascii=False) + "\n"
    atomic_write_text(ORACLE, text)
    return len(missing)


if __name__ == "__main__":
    print(f"asked the interpreter about {record_oracle()} new cases; verdicts in {ORACLE}")
