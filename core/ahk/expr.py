"""AutoHotkey v2 expressions: a small state machine over the tokens of one expression.

It alternates two states: expecting an operand (a name, literal, prefix operator or opening
bracket) and expecting an operator (binary/postfix operator, call, member access, index,
closing bracket, comma). Whitespace matters: `a b` is a concatenation, `f (x)` is not a call.
Object literals add two states (a key, then ":"). Each open bracket is a frame:
[closer, kind, commas, pending "?", call name, index, variadic]. What it learns about names
(calls with their argument counts, assignments) goes to the checker that called it.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from core.ahk.lexer import WHITESPACE_START as WS
from core.ahk.lexer import LogicalLine, string_closed


class Reporter(Protocol):
    """What an expression check needs of the statement checker (core.ahk.syntax.Checker)."""

    calls: list

    def err_at(
        self, ll: LogicalLine, toks: list[str], k: int, code: str, msg: str, sev: str = "error"
    ) -> None: ...

    def mark(self, key: str, weight: float) -> None: ...

    def scope(self) -> Any: ...

    def assign(
        self, name: str, ll: LogicalLine, toks: list[str], k: int, ref: bool = False
    ) -> None: ...


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ASSIGN_OPS = _words(":= += -= *= /= //= .= |= &= ^= >>= <<= >>>=")  # no ??= in v2.0
BINARY_OPS = _words("+ - * / // ** . < > <= >= = == != !== && || ?? & | ^ << >> >>> ~=")
WORD_OPS = _words("and or is")
FUTURE_WORDS = _words("in contains as")  # reserved in v2.0, not operators (as: in catch)
PREFIX_OPS = _words("- + ! ~ & ++ --")
# Words that may not name a variable (or be called as a function). `class` and `default` may:
# a `class` variable is the built-in Class at global level (read-only), a local in a function.
RESERVED = _words(
    "and or is in contains if else loop while for until try catch finally switch case "
    "return break continue goto throw global local static as"
)
NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
SPECIAL_WORDS = RESERVED | _words("not super unset new")  # all shorter than 9 letters
STRING_BAD_OPS = _words("+ - * / // ** ??")
DEREF_KINDS = ("%", "member%", "key%")
AFTER_UNSET = _words(", ) ] } :")
OPERAND, OPERATOR, KEY, COLON = 0, 1, 2, 3
_NUMBER = re.compile(r"(?i)0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")


# ----------------------------------------------------------------------------- token helpers


def skip_space(toks: list[str], k: int, n: int) -> int:
    """Index of the first non-whitespace token at or after k (n when there is none)."""
    while k < n and toks[k][0] in WS:
        k += 1
    return k


def next_token(toks: list[str], k: int, n: int) -> str:
    """The first non-whitespace token at or after k ('' when there is none)."""
    k = skip_space(toks, k, n)
    return toks[k] if k < n else ""


def skip_space_back(toks: list[str], k: int, n: int) -> int:
    """Index of the last non-whitespace token before n (k - 1 when there is none)."""
    n -= 1
    while n >= k and toks[n][0] in WS:
        n -= 1
    return n


def is_name(tok: str) -> bool:
    """Whether a token is a name (letters, digits, underscore, not starting with a digit)."""
    c = tok[0]
    return c in NAME_START or (c > "\x7f" and not c.isspace())


def match_bracket(toks: list[str], k: int, n: int) -> int:
    """Index of the bracket closing the one at k (n when it is not closed on this line)."""
    depth = 0
    for m in range(k, n):
        t = toks[m]
        if t in "([{" and t:
            depth += 1
        elif t in ")]}" and t:
            depth -= 1
            if depth == 0:
                return m
    return n


# ----------------------------------------------------------------------------- the machine


class ExprError(Exception):
    """An expression is malformed at token index `at`."""

    def __init__(self, at: int, code: str, message: str) -> None:
        super().__init__(message)
        self.at, self.code, self.message = at, code, message


def check_expression(
    ck: Reporter, ll: LogicalLine, toks: list[str], k: int, n: int, args: bool, command: bool
) -> int:
    """Check one expression (see core.ahk.syntax.Checker.expr); report the first problem through the checker."""
    try:
        return _scan_expr(ck, ll, toks, k, n, args, command)
    except ExprError as e:
        ck.err_at(ll, toks, e.at, e.code, e.message)
        return -1


def _scan_expr(
    ck: Reporter, ll: LogicalLine, toks: list[str], k: int, n: int, args: bool, command: bool
) -> int:
    """The state machine itself; raises ExprError at the first problem."""
    state = OPERAND
    stack: list[list] = []
    q_top = commas = 0
    started = ws = False
    last, last_name, last_k = "", "", k
    space, binary, names = WS, BINARY_OPS, NAME_START  # locals: the loop runs per token
    i = k
    while i < n:
        t = toks[i]
        c = t[0]
        if c in space:
            ws = True
            i += 1
            continue
        if state == OPERATOR:
            if t == "*" and stack and next_token(toks, i + 1, n) in (")", "]"):
                stack[-1][6] = True  # f(args*): a variadic call
            elif t in binary and (t != "." or ws):
                if last == "str" and t in STRING_BAD_OPS:
                    raise ExprError(i, "syntax", "Unexpected operator following literal string")
                if t == "??" and last != "var":
                    raise ExprError(i, "syntax", 'Syntax error: "??" needs a variable on its left')
                state = OPERAND
            elif t == ",":
                if stack:
                    top = stack[-1]
                    if top[3]:
                        raise ExprError(i, "syntax", 'A "?" is missing its ":"')
                    if top[1] == "object":
                        state = KEY
                    elif top[1] in DEREF_KINDS:
                        raise ExprError(i, "syntax", 'Missing ending "%"')
                    else:
                        top[2] += 1
                        state = OPERAND
                else:
                    if q_top:
                        raise ExprError(i, "syntax", 'A "?" is missing its ":"')
                    commas += 1
                    state = OPERAND
            elif t == "." or (t == "(" and not ws) or (t == "[" and not ws):
                i, state, last = _postfix(ck, toks, i, n, stack)
                continue
            elif t in ASSIGN_OPS:
                if last == "var":
                    if last_name:
                        ck.assign(last_name, ll, toks, last_k)
                elif last != "member":
                    raise ExprError(i, "syntax", "Invalid assignment target")
                state = OPERAND
            elif t in (")", "]", "}") or (t == "%" and stack and stack[-1][1] in DEREF_KINDS):
                last = _close(ck, ll, toks, i, stack)
                if last == "key":
                    state = COLON
                last_name, last_k = "", i
            elif t == "?" or t == ":":
                state, q_top = _question_colon(toks, i, n, stack, q_top)
            elif t in ("++", "--"):
                pass
            elif t == "=>":
                if toks[skip_space_back(toks, k, i)] == ")":
                    _arrow_params(toks, k, i)
                ck.mark("v2:fat-arrow", 3.0)
                state = OPERAND
            elif t == "%":
                if ws:  # concatenation with a %dynamic% name
                    state = OPERAND
                    continue
                stack.append(["%", "%", 0, 0, "", i, False])  # name%part%: one dynamic name
                state = OPERAND
            elif ws:  # implicit concatenation, or a word operator
                state = OPERAND
                low = t.lower()
                if low in FUTURE_WORDS:
                    raise ExprError(i, "syntax", f"Unexpected reserved word: {t}")
                if low not in WORD_OPS:
                    continue
            elif c in NAME_START and toks[i - 1] == "%" and last == "var":
                pass  # %part%name: still one dynamic name
            else:
                msg = (
                    "Illegal character in expression"
                    if t == ";"
                    else "Missing space or operator before this"
                )
                raise ExprError(i, "syntax", msg)
            ws = False
            i += 1
            continue
        if state == OPERAND:
            started = True
            if c in names or (c > "\x7f" and not c.isspace()):
                last, last_name, last_k = "var", t, i
                if len(t) < 9 and t.lower() in SPECIAL_WORDS:
                    low = t.lower()
                    if low == "not":
                        i += 1
                        ws = False
                        continue
                    _special_word(ck, ll, toks, i, n, low)
                    last = "other" if low == "unset" else "var"
                state = OPERATOR
                if i + 1 < n and toks[i + 1] == "(":
                    stack.append([")", "call", 0, 0, t.lower(), i + 1, False])
                    state = OPERAND
                    i += 1
            elif c == '"' or c == "'":
                if not string_closed(t):
                    raise ExprError(i, "unterminated-string", f"Missing closing {c}")
                if c == "'":
                    ck.mark("v2:single-quote", 0.5)
                state, last = OPERATOR, "str"
            elif c.isdigit() or (c == "." and len(t) > 1):
                if not _NUMBER.fullmatch(t):
                    raise ExprError(i, "syntax", f"A name may not start with a digit: {t}")
                state, last = OPERATOR, "other"
            elif t in PREFIX_OPS:
                if t == "&":
                    _reference(ck, ll, toks, i, n)
            elif t == "(":
                stack.append([")", "group", 0, 0, "", i, False])
            elif t == "[":
                stack.append(["]", "array", 0, 0, "", i, False])
            elif t == "{":
                stack.append(["}", "object", 0, 0, "", i, False])
                state = KEY
            elif t == "%":
                _legacy_deref(ck, ll, toks, i, n, command)
                stack.append(["%", "%", 0, 0, "", i, False])
            elif t == "," and _omitted(toks, k, i, stack, args):
                if stack:  # an omitted argument: f(a,, c)  [a,, c]  MsgBox , "text"
                    stack[-1][2] += 1
                else:
                    commas += 1
            else:
                state, last = _operand_punct(ck, ll, toks, i, n, stack)
            ws = False
            i += 1
            continue
        if state == KEY:
            if t == "}":
                stack.pop()
                state, last = OPERATOR, "other"
            elif c in NAME_START or c.isdigit() or (c > "\x7f" and not c.isspace()):
                state = COLON
            elif t == "%":
                stack.append(["%", "key%", 0, 0, "", i, False])
                state = OPERAND
            elif c in "\"'":
                ck.mark("v1:quoted-key", 1.0)
                raise ExprError(i, "syntax", "Invalid property name in object literal")
            else:
                raise ExprError(i, "syntax", 'Missing "propertyname:" in object literal')
        elif t == ":":  # COLON: after an object literal key
            state = OPERAND
        else:
            raise ExprError(i, "syntax", 'Missing "propertyname:" in object literal')
        i += 1
    return _end_expr(toks, k, n, state, stack, q_top, commas, started, args)


def _end_expr(
    toks: list[str],
    k: int,
    n: int,
    state: int,
    stack: list[list],
    q_top: int,
    commas: int,
    started: bool,
    args: bool,
) -> int:
    """Checks at the end of an expression; the number of top-level arguments."""
    trailing_comma = _ends_with_comma(toks, k, n)
    if state != OPERATOR and started and not (args and not stack and trailing_comma):
        raise ExprError(skip_space_back(toks, k, n), "syntax", "Missing operand")
    if stack:
        top = stack[-1]
        if top[1] in DEREF_KINDS:
            raise ExprError(top[5], "unbalanced-bracket", 'Missing ending "%"')
        raise ExprError(top[5], "unbalanced-bracket", f'Missing "{top[0]}"')
    if q_top:
        raise ExprError(k, "syntax", 'A "?" is missing its ":"')
    if not started:
        return 0
    return commas if trailing_comma else commas + 1


def _postfix(
    ck: Reporter, toks: list[str], i: int, n: int, stack: list[list]
) -> tuple[int, int, str]:
    """`.member`, `.%name%`, `(` call or `[` index right after an operand (no space)."""
    t = toks[i]
    if t == "(":
        stack.append([")", "call", 0, 0, "", i, False])
        return i + 1, OPERAND, "other"
    if t == "[":
        stack.append(["]", "index", 0, 0, "", i, False])
        return i + 1, OPERAND, "other"
    j = i + 1
    nxt = toks[j] if j < n else ""
    if nxt and (
        nxt[0] in NAME_START or nxt[0].isdigit() or (nxt[0] > "\x7f" and not nxt[0].isspace())
    ):
        if j + 1 < n and toks[j + 1] == "(":
            stack.append([")", "call", 0, 0, "", j + 1, False])
            return j + 2, OPERAND, "other"
        return j + 1, OPERATOR, "member"
    if nxt == "%":
        stack.append(["%", "member%", 0, 0, "", j, False])
        return j + 1, OPERAND, "other"
    raise ExprError(i, "syntax", "Syntax error")


def _question_colon(
    toks: list[str], i: int, n: int, stack: list[list], q_top: int
) -> tuple[int, int]:
    """A ternary's `?` or `:` (counted per bracket), or `x?` (maybe unset). (state, q_top)."""
    top = stack[-1] if stack else None
    pending = top[3] if top is not None else q_top
    if toks[i] == "?":
        j = skip_space(toks, i + 1, n)
        if j >= n or toks[j] in (")", ",", "]", "}"):
            return OPERATOR, q_top  # `x?`: a maybe-unset argument
        pending += 1
    elif pending > 0:
        pending -= 1
    elif top is not None and top[1] == "object":
        raise ExprError(i, "syntax", "Invalid property name in object literal")
    else:
        raise ExprError(i, "syntax", "Syntax error")
    if top is not None:
        top[3] = pending
        return OPERAND, q_top
    return OPERAND, pending


def _special_word(ck: Reporter, ll: LogicalLine, toks: list[str], i: int, n: int, low: str) -> None:
    """Reserved words, `super` outside a class, `unset` misused, v1's `new`."""
    if low in RESERVED:
        msg = "Missing operand" if low in WORD_OPS else f"Reserved word used as a name: {toks[i]}"
        if low in FUTURE_WORDS:
            msg = f"Unexpected reserved word: {toks[i]}"
        raise ExprError(i, "syntax", msg)
    if low == "super":
        if ck.scope().kind != "method":
            raise ExprError(i, "syntax", '"Super" is valid only inside a class')
        if i + 1 >= n or toks[i + 1] not in (".", "(", "["):
            raise ExprError(i, "syntax", "Syntax error: super must be followed by . ( or [")
    elif low == "unset":
        j = skip_space(toks, i + 1, n)
        if j < n and toks[j] not in AFTER_UNSET:
            raise ExprError(j, "syntax", "Syntax error: unset cannot be used here")
    elif low == "new" and i + 2 < n and toks[i + 1][0] in WS and is_name(toks[i + 2]):
        ck.err_at(
            ll,
            toks,
            i,
            "legacy-new",
            'v1 "new ClassName()": v2 calls the class, ClassName()',
            "warning",
        )
        ck.mark("v1:new", 2.0)


def _reference(ck: Reporter, ll: LogicalLine, toks: list[str], i: int, n: int) -> None:
    """`&var` needs a variable: a name (recorded as assigned), `(...)` or `%dynamic%`."""
    j = skip_space(toks, i + 1, n)
    nxt = toks[j] if j < n else ""
    if nxt in ("(", "%"):
        return
    if not nxt or not is_name(nxt) or (j + 1 < n and toks[j + 1] in ("(", ".", "[")):
        raise ExprError(i, "syntax", '"&" requires a variable')
    ck.assign(nxt, ll, toks, j, ref=True)
    ck.mark("v2:ref", 0.5)


def _legacy_deref(
    ck: Reporter, ll: LogicalLine, toks: list[str], i: int, n: int, command: bool
) -> None:
    """`% expr` (v1's forced expression) is an error; `%name%` in command arguments looks v1."""
    j = i + 1
    if j < n and toks[j][0] in WS:
        ck.mark("v1:forced-expression", 3.0)
        raise ExprError(i, "forced-expression", 'v1 forced expression "% expr": v2 needs no "%"')
    if command and j + 1 < n and is_name(toks[j]) and toks[j + 1] == "%":
        msg = f"%{toks[j]}% dereference (v1 style; valid in v2 only as a dynamic name)"
        ck.err_at(ll, toks, i, "legacy-deref", msg, "warning")
        ck.mark("v1:deref", 1.0)


def _operand_punct(
    ck: Reporter, ll: LogicalLine, toks: list[str], i: int, n: int, stack: list[list]
) -> tuple[int, str]:
    """Punctuation where an operand is expected: `()`, `[]`, `f(a,)`, `(*) =>`, `{}`, or an error."""
    t = toks[i]
    top = stack[-1] if stack else None
    if (
        t in (")", "]")
        and top is not None
        and top[1] in ("call", "array", "index")
        and _empty_slot(toks, top[5], i)
    ):
        return OPERATOR, _close(ck, ll, toks, i, stack)
    if t == ")" and top is not None and top[1] == "group" and skip_space(toks, top[5] + 1, i) == i:
        after = skip_space(toks, i + 1, n)
        if after >= n or toks[after] != "=>":
            raise ExprError(i, "syntax", "Syntax error: empty ()")
        stack.pop()
        return OPERATOR, "other"
    if t == "*" and top is not None and top[1] == "group":
        close = skip_space(toks, i + 1, n)
        after = skip_space(toks, close + 1, n)
        if close < n and toks[close] == ")" and after < n and toks[after] == "=>":
            return OPERATOR, "other"  # (*) => ...: a parameter list that takes anything
    if t == "}" and top is not None and top[1] == "object":
        stack.pop()
        return OPERATOR, "other"
    raise ExprError(
        i, "syntax", "Illegal character in expression" if t == ";" else "Missing operand"
    )


def _arrow_params(toks: list[str], k: int, arrow: int) -> None:
    """`(a, b?, c := 1, &d, rest*) =>`: every parameter named, none left empty."""
    close = skip_space_back(toks, k, arrow)
    depth = 0
    start = close
    while start > k:
        t = toks[start]
        if t in (")", "]", "}"):
            depth += 1
        elif t in ("(", "[", "{"):
            depth -= 1
            if depth == 0:
                break
        start -= 1
    depth = 0
    expect = True  # a parameter must come next
    for m in range(start + 1, close):
        t = toks[m]
        if t[0] in WS:
            continue
        if t in ("(", "[", "{"):
            depth += 1
        elif t in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and t == ",":
            if expect:
                raise ExprError(m, "syntax", "Missing parameter name")
            expect = True
        elif expect and depth == 0:
            if t not in ("&", "*") and not is_name(t):
                raise ExprError(m, "syntax", "Invalid parameter")
            expect = t == "&"
    if expect and start + 1 < close and skip_space(toks, start + 1, close) < close:
        raise ExprError(close, "syntax", "Missing parameter name")


def _omitted(toks: list[str], k: int, i: int, stack: list[list], args: bool) -> bool:
    """Whether the comma at i follows an empty argument slot (not an operator)."""
    if stack:
        return stack[-1][1] in ("call", "array", "index") and _empty_slot(toks, stack[-1][5], i)
    j = i - 1
    while j >= k and toks[j][0] in WS:
        j -= 1
    return args and (j < k or toks[j] == ",")


def _ends_with_comma(toks: list[str], k: int, n: int) -> bool:
    last = skip_space_back(toks, k, n)
    return last >= k and toks[last] == ","


def _empty_slot(toks: list[str], opened: int, i: int) -> bool:
    """Whether the tokens just before i (inside a bracket opened at `opened`) leave an empty slot."""
    j = i - 1
    while j > opened and toks[j][0] in WS:
        j -= 1
    return j == opened or toks[j] == ","


def _close(ck: Reporter, ll: LogicalLine, toks: list[str], i: int, stack: list[list]) -> str:
    """Close the innermost bracket with toks[i]; record a finished call.

    Returns what the closed bracket is as an operand: 'var' (a %dynamic% name), 'member'
    (an index or a %dynamic% member), 'key' (a %dynamic% object-literal key) or 'other'."""
    t = toks[i]
    if not stack or stack[-1][0] != t:
        raise ExprError(i, "unbalanced-bracket", f'Unexpected "{t}"')
    top = stack.pop()
    if top[3]:
        raise ExprError(i, "syntax", 'A "?" is missing its ":"')
    kind = top[1]
    if kind == "call":
        if top[4]:
            opened = top[5]
            argc = (
                0
                if skip_space(toks, opened + 1, i) == i
                else top[2] + (0 if _empty_slot(toks, opened, i) else 1)
            )
            ck.calls.append((top[4], argc, top[6], ck.scope(), ll, (toks, opened - 1), True))
        return "other"
    if kind in ("index", "member%"):
        return "member"
    if kind == "%":
        return "var"
    return "key" if kind == "key%" else "other"
