"""The Ollama Modelfile and README.txt written beside an exported GGUF.

Ollama's TEMPLATE is a Go template, the tokenizer's chat template is Jinja: the turn format (what
wraps a system, user and assistant message, and what opens the reply) is found by rendering the
Jinja template on marker conversations, then written as a Go template. A small renderer for the
Go-template subset emitted here checks that both render sample conversations identically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# render(messages, add_generation_prompt) -> text, e.g. a tokenizer's apply_chat_template
Render = Callable[[list[dict], bool], str]

_SYS, _USER1, _ASST, _USER2 = "Qz7systemQz", "Qz7firstQz", "Qz7answerQz", "Qz7secondQz"

SAMPLE_CONVERSATIONS: list[list[dict]] = [
    [{"role": "user", "content": "Write a hotkey that shows a message box."}],
    [
        {"role": "system", "content": "You write AutoHotkey v2."},
        {"role": "user", "content": "Show the time in a tooltip."},
    ],
    [
        {"role": "system", "content": "You write AutoHotkey v2."},
        {"role": "user", "content": "A hotkey for Ctrl+J."},
        {"role": "assistant", "content": '^j:: MsgBox "Hi"'},
        {"role": "user", "content": "Now for Ctrl+K.\nKeep it short."},
    ],
    [
        {"role": "user", "content": "Loop five times."},
        {"role": "assistant", "content": "Loop 5 {\n    ToolTip A_Index\n}"},
        {"role": "user", "content": "Thanks"},
    ],
]


class TemplateError(ValueError):
    """The chat template's turn format could not be found or does not render consistently."""


@dataclass(frozen=True)
class TurnFormat:
    """The literal text around each message of a conversation."""

    header: str  # before the first message when it is not a system message
    system: tuple[str, str] | None  # (prefix incl. anything always at the start, suffix)
    user: tuple[str, str]
    assistant: tuple[str, str]
    generation: str  # opens the assistant's reply (add_generation_prompt)


def _split_once(text: str, marker: str) -> tuple[str, str]:
    if text.count(marker) != 1:
        raise TemplateError(f"the template does not show each message's content once ({marker})")
    before, after = text.split(marker)
    return before, after


def _common_suffix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[len(a) - 1 - n] == b[len(b) - 1 - n]:
        n += 1
    return a[len(a) - n :]


def _after_prefix(text: str, prefix: str) -> str:
    if not text.startswith(prefix):
        raise TemplateError("a longer conversation does not extend the shorter one's rendering")
    return text[len(prefix) :]


def derive_turn_format(render: Render) -> TurnFormat:
    """Find the turn format of a chat template by rendering marker conversations."""
    user1 = [{"role": "user", "content": _USER1}]
    r_u = render(user1, False)
    generation = _after_prefix(render(user1, True), r_u)
    before_u, user_suffix = _split_once(r_u, _USER1)

    three = [*user1, {"role": "assistant", "content": _ASST}, {"role": "user", "content": _USER2}]
    asst_prefix, tail = _split_once(_after_prefix(render(three, False), r_u), _ASST)
    between, user_suffix2 = _split_once(tail, _USER2)
    if user_suffix2 != user_suffix:
        raise TemplateError("user messages end differently depending on their position")
    user_prefix = _common_suffix(before_u, between)
    header = before_u[: len(before_u) - len(user_prefix)]
    asst_suffix = between[: len(between) - len(user_prefix)]

    system = None
    try:
        r_su = render([{"role": "system", "content": _SYS}, *user1], False)
    except Exception:  # a template that rejects system messages has no system turn
        r_su = None
    if r_su is not None:
        sys_prefix, tail = _split_once(r_su, _SYS)
        rest = user_prefix + _USER1 + user_suffix
        if not tail.endswith(rest):
            raise TemplateError("the system message changes how the first user message is written")
        system = (sys_prefix, tail[: len(tail) - len(rest)])
    return TurnFormat(
        header, system, (user_prefix, user_suffix), (asst_prefix, asst_suffix), generation
    )


# --- the Go template ---------------------------------------------------------------------------


def _lit(text: str) -> str:
    """A Go-template action printing `text` (JSON string escapes are valid Go escapes)."""
    return "{{ " + json.dumps(text, ensure_ascii=False) + " }}" if text else ""


def go_template(fmt: TurnFormat) -> str:
    """An Ollama TEMPLATE (over .Messages) that writes conversations in `fmt`'s turn format."""
    last = "(eq (len (slice $.Messages $i)) 1)"
    lines = ["{{- range $i, $m := .Messages }}"]
    if fmt.system:
        lines.append(
            '{{- if eq $m.Role "system" }}{{ if eq $i 0 }}'
            + _lit(fmt.system[0])
            + "{{ $m.Content }}"
            + _lit(fmt.system[1])
            + "{{ end }}"
        )
        lines.append("{{- else }}")
    else:
        lines.append('{{- if ne $m.Role "system" }}')
    if fmt.header:
        lines.append("{{- if eq $i 0 }}" + _lit(fmt.header) + "{{ end }}")
    lines.append(
        '{{- if eq $m.Role "user" }}' + _lit(fmt.user[0]) + "{{ $m.Content }}" + _lit(fmt.user[1])
    )
    asst_suffix = (
        f"{{{{ if not {last} }}}}{_lit(fmt.assistant[1])}{{{{ end }}}}" if fmt.assistant[1] else ""
    )
    lines.append(
        '{{- else if eq $m.Role "assistant" }}'
        + _lit(fmt.assistant[0])
        + "{{ $m.Content }}"
        + asst_suffix
    )
    lines.append("{{- end }}")
    lines.append("{{- end }}")
    if fmt.generation:
        lines.append(
            f'{{{{- if and {last} (ne $m.Role "assistant") }}}}{_lit(fmt.generation)}{{{{ end }}}}'
        )
    lines.append("{{- end }}")
    return "\n".join(lines)


def stop_strings(fmt: TurnFormat, eos_token: str | None) -> list[str]:
    """Strings that end the assistant's turn: EOS, the turn's closing text, the next user turn."""
    candidates = [eos_token or "", fmt.assistant[1].strip(), fmt.user[0].strip()]
    return list(dict.fromkeys(c for c in candidates if c))


# --- a renderer for the emitted subset of Go templates ---------------------------------------------

_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)
_EXPR_TOKEN = re.compile(r'\s*("(?:\\.|[^"\\])*"|\(|\)|[^\s()]+)')


def _go_tokens(template: str) -> list[tuple[str, str]]:
    """Split into ("text", s) and ("action", s) parts, applying {{- and -}} whitespace trimming."""
    parts: list[tuple[str, str]] = []
    pos, trim_next = 0, False
    for match in _ACTION.finditer(template):
        text = template[pos : match.start()]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if match.group(1):
            text = text.rstrip(" \t\r\n")
        parts += [("text", text), ("action", match.group(2))]
        pos, trim_next = match.end(), bool(match.group(3))
    tail = template[pos:]
    parts.append(("text", tail.lstrip(" \t\r\n") if trim_next else tail))
    return [p for p in parts if p != ("text", "")]


def _parse_expr(tokens: list[str]) -> object:
    """Parse `fn arg...` or a single operand into nested lists (calls) and leaf strings."""
    items = []
    while tokens and tokens[0] != ")":
        tok = tokens.pop(0)
        if tok == "(":
            items.append(_parse_expr(tokens))
            tokens.pop(0)
        else:
            items.append(tok)
    return items[0] if len(items) == 1 else items


def _truthy(value: object) -> bool:
    return value not in (None, False, 0, "") and not (isinstance(value, list) and not value)


def _eval(node: object, scope: dict) -> Any:
    if isinstance(node, list):
        fn, args = node[0], [_eval(arg, scope) for arg in node[1:]]
        funcs: dict[str, Callable[..., Any]] = {
            "eq": lambda a, b: a == b,
            "ne": lambda a, b: a != b,
            "not": lambda a: not _truthy(a),
            "and": lambda *a: next((x for x in a if not _truthy(x)), a[-1]),
            "or": lambda *a: next((x for x in a if _truthy(x)), a[-1]),
            "len": len,
            "slice": lambda seq, start: seq[start:],
        }
        return funcs[fn](*args)
    token = str(node)
    if token.startswith('"'):
        return json.loads(token)
    if token.lstrip("-").isdigit():
        return int(token)
    head, *fields = token.split(".")
    value = scope[head or "."]
    for name in fields:
        value = value[name]
    return value


def render_go_template(template: str, messages: list[dict]) -> str:
    """Render the Go-template subset that `go_template` emits (range, if/else if/else, eq, ne,
    not, and, or, len, slice, string literals, $vars and fields) over `.Messages`."""
    data = {"Messages": [{"Role": m["role"], "Content": m["content"]} for m in messages]}
    parts = _go_tokens(template)
    out, _ = _run(parts, 0, {".": data, "$": data}, out=[])
    return "".join(out)


def _run(parts: list, i: int, scope: dict, out: list, emit: bool = True) -> tuple[list, int]:
    """Execute parts from i until an `end`/`else` at this level; return (out, index of it)."""
    while i < len(parts):
        kind, text = parts[i]
        if kind == "text":
            if emit:
                out.append(text)
            i += 1
            continue
        word = text.split(" ", 1)[0]
        if word in ("end", "else"):
            return out, i
        if word == "range":
            i = _run_range(parts, i, scope, out, emit)
        elif word == "if":
            i = _run_if(parts, i, scope, out, emit)
        else:
            if emit:
                out.append(str(_eval(_parse_expr(_EXPR_TOKEN.findall(text)), scope)))
            i += 1
    return out, i


def _run_range(parts: list, i: int, scope: dict, out: list, emit: bool) -> int:
    match = re.fullmatch(r"range \$(\w+), \$(\w+) := (\S+)", parts[i][1])
    if not match:
        raise TemplateError(f"unsupported range: {parts[i][1]}")
    index_var, item_var, source = match.groups()
    items: list = _eval(source, scope) if emit else []
    end = _run(parts, i + 1, scope, [], emit=False)[1]
    for n, item in enumerate(items):
        inner = {**scope, f"${index_var}": n, f"${item_var}": item, ".": item}
        _run(parts, i + 1, inner, out, emit=True)
    return end + 1


def _run_if(parts: list, i: int, scope: dict, out: list, emit: bool) -> int:
    """Run an if / else if / else chain; return the index after its `end`."""
    taken = False
    condition = parts[i][1][len("if ") :]
    while True:
        chosen = (
            emit
            and not taken
            and _truthy(_eval(_parse_expr(_EXPR_TOKEN.findall(condition)), scope))
        )
        taken = taken or chosen
        _, i = _run(parts, i + 1, scope, out, emit=chosen)
        text = parts[i][1]
        if text == "end":
            return i + 1
        condition = text[len("else if ") :] if text.startswith("else if ") else '"else"'


# --- the files -----------------------------------------------------------------------------------


def check_go_template(template: str, render: Render, conversations=SAMPLE_CONVERSATIONS) -> None:
    """Raise TemplateError unless the Go template renders each conversation like `render`."""
    for messages in conversations:
        expected = render(messages, messages[-1]["role"] != "assistant")
        got = render_go_template(template, messages)
        if got != expected:
            raise TemplateError(f"the Go template renders {got!r}, the chat template {expected!r}")


def modelfile_text(
    gguf_name: str,
    modelfile_name: str,
    template: str | None,
    stops: list[str],
    context_length: int,
    note: str = "",
) -> str:
    """The Ollama Modelfile: FROM the GGUF beside it, TEMPLATE, stop tokens and sampling."""
    lines = [
        "# Ollama Modelfile written by AHKv2 Finetune Studio.",
        f"#   ollama create ahk-model -f {modelfile_name}",
        "#   ollama run ahk-model",
    ]
    lines += [f"# {line}" for line in note.splitlines()]
    lines.append(f"FROM ./{gguf_name}")
    if template is not None:
        lines.append(f'TEMPLATE """{template}"""')
    lines += [f"PARAMETER stop {json.dumps(stop, ensure_ascii=False)}" for stop in stops]
    lines += [
        "PARAMETER temperature 0.2",
        "PARAMETER top_p 0.9",
        "PARAMETER repeat_penalty 1.1",
        f"PARAMETER num_ctx {min(context_length, 4096)}",
    ]
    return "\n".join(lines) + "\n"


def readme_text(gguf_name: str, modelfile_name: str, quant: str, summary_lines: list[str]) -> str:
    """README.txt: how to run the GGUF in LM Studio, llama.cpp and Ollama, and how it was checked."""
    verification = "\n".join(f"  {line}" for line in summary_lines)
    return f"""{gguf_name} — an AutoHotkey v2 model exported by AHKv2 Finetune Studio ({quant.upper()}).

LM Studio
  lms import {gguf_name}
  (or copy the file to ~/.lmstudio/models/local/ahk-model/{gguf_name}), then pick it in the
  chat tab; it uses the chat template embedded in the file.

llama.cpp
  llama-cli -m {gguf_name} -cnv            chat in the terminal with the embedded template
  llama-server -m {gguf_name} --jinja      OpenAI-compatible server on http://127.0.0.1:8080
  llama-cli -m {gguf_name} -p "#Requires AutoHotkey v2.0" -n 128    plain completion

Ollama
  ollama create ahk-model -f {modelfile_name}
  ollama run ahk-model "Write a hotkey that opens Notepad."

Python (llama-cpp-python)
  from llama_cpp import Llama
  llm = Llama(model_path="{gguf_name}")
  llm.create_chat_completion(messages=[{{"role": "user", "content": "A hotkey for Ctrl+J"}}])

How this file was checked
{verification}
"""
