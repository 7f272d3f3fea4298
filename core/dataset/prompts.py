"""Instruction prompts: what a user would type to get a script, read from the script itself."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#
# The seed's prompt asks the model to recall a snippet by its file path. An instruction prompt
# asks for what the script does, in the words of its own leading comment (or description line),
# naming its functions, classes, hotkeys and hotstrings; with no comment, its humanised title.

_VERBS = frozenset((
    "add", "adjust", "append", "apply", "arrange", "ask", "assign", "automate", "beep", "bind",
    "block", "build", "calculate", "cancel", "center", "change", "check", "clean", "clear",
    "close", "collect", "combine", "compare", "compute", "convert", "copy", "count", "create",
    "cycle", "define", "delete", "demonstrate", "detect", "disable", "display", "download",
    "draw", "duplicate", "enable", "exit", "expand", "export", "extract", "fetch", "fill",
    "filter", "find", "fix", "format", "generate", "get", "group", "hide", "highlight", "hold",
    "implement", "import", "insert", "invert", "join", "keep", "kill", "launch", "list", "load",
    "lock", "log", "make", "manage", "map", "maximize", "measure", "merge", "minimize", "monitor",
    "move", "mute", "open", "parse", "paste", "pause", "pick", "pin", "play", "print", "prompt",
    "provide", "put", "read", "record", "reload", "remap", "remember", "remind", "remove",
    "rename", "reorder", "repeat", "replace", "report", "reset", "resize", "restart", "restore",
    "return", "reverse", "run", "save", "scan", "search", "select", "send", "serialise",
    "serialize", "set", "show", "shuffle", "snap", "sort", "split", "start", "stop", "store",
    "swap", "switch", "sync", "tidy", "tile", "time", "toggle", "track", "translate", "trim",
    "turn", "type", "undo", "unpin", "update", "use", "validate", "wait", "walk", "watch", "wrap",
    "write", "zip",
))  # fmt: skip
_THIRD_PERSON = frozenset(
    v[:-1] + "ies"
    if v.endswith("y") and v[-2] not in "aeiou"
    else v + "es"
    if v.endswith(("s", "sh", "ch", "x", "z", "o"))
    else v + "s"
    for v in _VERBS
)
_KEY_WORDS = {"^": "Ctrl", "!": "Alt", "+": "Shift", "#": "Win"}
_NOT_FUNCTIONS = {
    "if", "while", "for", "loop", "switch", "catch", "return", "until", "else", "try", "throw",
}  # fmt: skip
_DESCRIPTION_LINE = re.compile(
    r"^[ \t]*;+[ \t]*@?(?:description|purpose|summary)[ \t]*[:=-][ \t]*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_METADATA_LINE = re.compile(
    r"^(?:author|version|date|created|updated|license|requires|link|url|email|credits?)\b\s*[:=]",
    re.IGNORECASE,
)
_FUNCTION = re.compile(  # top-level only: methods are indented inside their class
    r"^([A-Za-z_]\w*)\(([^()\n]*)\)[ \t]*(?:\{|=>|\n[ \t]*\{)", re.MULTILINE
)
_CLASS = re.compile(r"^[ \t]*class[ \t]+([A-Za-z_]\w*)", re.IGNORECASE | re.MULTILINE)
_HOTKEY = re.compile(
    r"^[ \t]*([~*$]*(?:[<>]?[#!^+])*(?:\w+|[^\s\w:;])(?:[ \t]+&[ \t]+~?\w+)?(?:[ \t]+up)?)::",
    re.IGNORECASE | re.MULTILINE,
)
_HOTSTRING = re.compile(r"^[ \t]*:[^:\n]*:([^:\n]+)::", re.MULTILINE)


@dataclass(frozen=True)
class ScriptSummary:
    """What a script says about itself."""

    description: str
    functions: list[str]
    classes: list[str]
    hotkeys: list[str]
    hotstrings: list[str]


def _leading_comment(text: str) -> str:
    """The script's first comment block (line comments or /* */), directives skipped."""
    lines: list[str] = []
    in_block = False
    for raw in text.splitlines()[:60]:
        line = raw.strip()
        if in_block:
            in_block = "*/" not in line
            lines.append(line.split("*/")[0].lstrip("*").strip())
        elif line.startswith("/*"):
            in_block = "*/" not in line[2:]
            lines.append(line[2:].split("*/")[0].strip())
        elif line.startswith(";"):
            lines.append(line.lstrip(";").strip())
        elif line.startswith("#") or (not line and not lines):
            continue
        else:
            break
    kept = [ln for ln in lines if re.search(r"[A-Za-z]{2}", ln) and not _METADATA_LINE.match(ln)]
    return " ".join(" ".join(kept).split())


def _first_sentences(text: str, limit: int = 400) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[: cut + 1] if cut > 0 else text[:limit].rsplit(" ", 1)[0] + "…"


def _hotkey_label(hotkey: str) -> str:
    keys = hotkey.lstrip("~*$")
    words = []
    while len(keys) > 1 and keys[0] in "<>#!^+":
        if keys[0] in _KEY_WORDS:
            words.append(_KEY_WORDS[keys[0]])
        keys = keys[1:]
    key = keys.upper() if len(keys) == 1 else keys
    return "+".join([*words, key])


def _unique(names: Iterable[str], limit: int = 6) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return list(seen.values())[:limit]


def summarise_script(text: str) -> ScriptSummary:
    """The description, functions, classes, hotkeys and hotstrings a script declares."""
    explicit = _DESCRIPTION_LINE.search(text)
    description = explicit.group(1).strip() if explicit else _leading_comment(text)
    functions = [
        name
        for name, _ in _FUNCTION.findall(text)
        if name.lower() not in _NOT_FUNCTIONS and not name.startswith("__")
    ]
    return ScriptSummary(
        description=_first_sentences(description),
        functions=_unique(functions),
        classes=_unique(_CLASS.findall(text)),
        hotkeys=_unique(_hotkey_label(h) for h in _HOTKEY.findall(text)),
        hotstrings=_unique(h.strip() for h in _HOTSTRING.findall(text)),
    )


def _request(description: str, title: str) -> str:
    """'Write … that shows …' for 'Shows …', 'Write … to show …' for 'Show …', else the text."""
    if not description:
        return f"Write an AutoHotkey v2 script: {title}."
    first, _, rest = description.partition(" ")
    if first.lower() in ("this", "the") and rest.lower().startswith("script "):
        first, _, rest = rest[len("script ") :].partition(" ")
    word = first.lower().rstrip(",:")
    if word in _VERBS:
        return f"Write an AutoHotkey v2 script to {word} {rest}".rstrip()
    if word in _THIRD_PERSON:
        return f"Write an AutoHotkey v2 script that {word} {rest}".rstrip()
    return f"Write an AutoHotkey v2 script. {description}"


def _listing(label: str, names: list[str]) -> str:
    """'function F', 'functions F, G and H'."""
    plural = label + ("s" if len(names) > 1 else "")
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{plural} {joined}"


def write_request(text: str, title: str) -> str:
    """A request a user would type for this script; `title` (humanised) is the fallback."""
    summary = summarise_script(text)
    request = _request(summary.description, title)
    if not request.endswith((".", "!", "?", "…")):
        request += "."
    defines = [
        _listing(label, names)
        for label, names in (("function", summary.functions), ("class", summary.classes))
        if names
    ]
    details = [f"Define the {' and the '.join(defines)}."] if defines else []
    if summary.hotkeys:
        details.append(f"Use the {_listing('hotkey', summary.hotkeys)}.")
    if summary.hotstrings:
        details.append(f"Include the {_listing('hotstring', summary.hotstrings)}.")
    return " ".join([request, *details])
