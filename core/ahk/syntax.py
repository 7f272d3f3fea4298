"""AutoHotkey v2 load-time checks: statements, blocks, expressions and names.

The checker walks the logical lines of core.ahk.lexer once. Each line is one statement
(or a directive, hotkey or hotstring); expressions go to core.ahk.expr. Blocks and control
statements are tracked the way the loader does: a stack of open `{`, controls waiting for
their body (an `if` without braces takes the next statement), and the just-finished ones
an else/catch/finally/until may extend. Names are collected on the way (functions, classes,
labels, variables assigned per scope, calls with their argument counts) and checked at the
end, as the interpreter does when it loads a script. Evidence for the v1/v2 verdict is
counted in `marks`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

from core.ahk import builtins as B
from core.ahk.expr import (
    ASSIGN_OPS,
    BINARY_OPS,
    RESERVED,
    check_expression,
    is_name,
    match_bracket,
    next_token,
    skip_space,
    skip_space_back,
)
from core.ahk.include_resolver import OUTSIDE, IncludeResolver, parse_argument
from core.ahk.lexer import TOKEN_RE, Diagnostic, LogicalLine, split_logical_lines
from core.ahk.lexer import WHITESPACE_START as WS

EXPR_STATEMENT_OPS = ASSIGN_OPS | {"++", "--", "?", "??"}
NAME_WORDS = frozenset(("class", "default"))  # statement words that may also name a variable
LOOP_KINDS = frozenset(("loop", "while", "for"))
LOOP_SUBCOMMANDS = frozenset(("files", "parse", "read", "reg"))
_lex = TOKEN_RE.findall
Offset = int | tuple[list[str], int]  # a character offset, or (tokens, index) of a token


# ----------------------------------------------------------------------------- scopes


class Scope:
    """A function-like scope: a function, method, hotkey body or the global auto-execute."""

    __slots__ = ("assume", "declared", "funcs", "kind", "labels", "line", "parent", "refs")

    def __init__(self, kind: str, parent: Scope | None, line: int = 0) -> None:
        self.kind = kind  # 'global', 'func', 'method', 'hotkey'
        self.parent = parent
        self.line = line
        self.assume = "global" if parent is None else "local"
        self.declared: dict[str, str] = {}  # lower name -> 'global' | 'local' | 'static' | 'param'
        self.funcs: dict[str, Func] = {}  # nested functions by lower name
        self.labels: set[str] = set()
        self.refs: list[tuple[str, LogicalLine, Offset]] = []  # goto/break/continue targets

    def is_global(self, low: str) -> bool:
        """Whether an assignment to `low` here writes a global variable."""
        how = self.declared.get(low)
        if how is not None:
            return how == "global"
        return self.assume == "global"


class Func:
    """A user-defined function: its parameter counts (max None = variadic)."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: int, hi: int | None) -> None:
        self.lo, self.hi = lo, hi


class Block:
    """An open `{`: what it belongs to and what it allows inside."""

    __slots__ = ("kind", "line", "loop", "members", "note", "owner", "scope")

    def __init__(self, kind: str, scope: Scope, loop: bool, line: int, owner: Ctl | None) -> None:
        self.kind = kind  # 'block', 'func', 'class', 'prop', 'switch'
        self.scope = scope
        self.loop = loop
        self.line = line  # where to report it: its line, or the #Include that brought it in
        self.note = ""  # "<file> line <n>: " when it was opened in an included file
        self.owner = owner
        self.members: set[str] = set()  # class bodies: declared member names (lower)


class Ctl:
    """A control statement (if, else, loop...) waiting for, or done with, its body."""

    __slots__ = ("has_block", "kind", "level", "line")

    def __init__(self, kind: str, level: int, line: int) -> None:
        self.kind, self.level, self.line, self.has_block = kind, level, line, False


# ----------------------------------------------------------------------------- checker


class Checker:
    """Checks one script (and the files it includes) the way AutoHotkey v2 loads it."""

    def __init__(
        self,
        path: Path | None = None,
        reader: Callable[[Path], str | None] | None = None,
        resolver: IncludeResolver | None = None,
    ) -> None:
        self.reader = reader
        self.resolver = resolver
        self.diags: list[Diagnostic] = []
        self.marks: dict[str, float] = {}
        self.statements = 0
        self.glob = Scope("global", None)
        self.blocks: list[Block] = []
        self.pending: list[Ctl] = []
        self.done: list[Ctl] = []
        self.wait_hotkey: LogicalLine | None = None
        self.wait_def: tuple[str, Scope | None] | None = None  # block kind awaiting its "{"
        self.funcs: dict[str, Func] = {}
        self.classes: set[str] = set()
        self.hotkeys: set[str] = set()
        self.hotif = ""
        self.calls: list[tuple[str, int, bool, Scope, LogicalLine, Offset, bool]] = []
        self.assigns: list[tuple[str, Scope, LogicalLine, Offset, bool]] = []
        self.class_refs: list[tuple[str, LogicalLine, Offset, str]] = []
        self.unresolved_include = False
        self.newer_version = False
        self.included: set[Path] = set()
        self.file_stack: list[Path] = [Path(os.path.realpath(path))] if path else []
        self.folders = [str(f.parent) for f in self.file_stack]  # where relative includes resolve
        self.site: LogicalLine | None = None  # the #Include line while inside an included file
        self.lines: list[LogicalLine] = []
        self.idx = 0
        self.in_action = False

    # -- reporting ------------------------------------------------------------------

    def err(self, ll: LogicalLine, offset: Offset, code: str, msg: str, sev: str = "error") -> None:
        """Report at an offset of a logical line (inside an included file: at the #Include).

        The offset may be given as (tokens, index): it is only added up when reported."""
        if isinstance(offset, tuple):
            offset = sum(map(len, offset[0][: offset[1]]))
        if self.newer_version and sev == "error":
            sev = "warning"
        if self.site is not None:
            if sev != "error":
                return
            name = self.file_stack[-1].name if self.file_stack else "?"
            line, col = self.site.line, self.site.col
            msg = f"{name} line {ll.position(offset)[0]}: {msg}"
        else:
            line, col = ll.position(offset)
        self.diags.append(Diagnostic(line, col, sev, code, msg))

    def err_at(
        self, ll: LogicalLine, toks: list[str], k: int, code: str, msg: str, sev: str = "error"
    ) -> None:
        """Report at token k of a logical line."""
        self.err(ll, (toks, k), code, msg, sev)

    def mark(self, key: str, weight: float) -> None:
        """Count evidence for the verdict; keys start with 'v1:' or 'v2:'."""
        self.marks[key] = self.marks.get(key, 0.0) + weight

    # -- driver ---------------------------------------------------------------------

    def run(self, text: str) -> list[Diagnostic]:
        """Check a whole script; return every diagnostic."""
        lines, diags = split_logical_lines(text)
        self.diags.extend(diags)
        self.process(lines)
        self.finish()
        return self.diags

    def process(self, lines: list[LogicalLine]) -> None:
        """Walk logical lines (of the script or of an included file)."""
        saved = self.lines, self.idx
        self.lines, self.idx = lines, 0
        while self.idx < len(lines):
            ll = lines[self.idx]
            self.idx += 1
            self.logical_line(ll)
        self.lines, self.idx = saved

    def next_is_brace(self) -> bool:
        """Whether the next logical line starts with `{`."""
        return self.idx < len(self.lines) and self.lines[self.idx].text[:1] == "{"

    def scope(self) -> Scope:
        """The innermost function-like scope."""
        return self.blocks[-1].scope if self.blocks else self.glob

    def in_loop(self) -> bool:
        """Whether a break/continue here is inside a loop of the same function."""
        level = len(self.blocks)
        for ctl in reversed(self.pending):
            if ctl.level < level:
                break
            if ctl.kind in LOOP_KINDS:
                return True
        return bool(self.blocks) and self.blocks[-1].loop

    def logical_line(self, ll: LogicalLine) -> None:
        """One logical line: a directive, a hotkey/hotstring, or `}`s and a statement."""
        waiting = self.wait_hotkey is not None and ll.kind not in ("hotkey", "hotstring")
        if waiting and ll.text[:1] != "{":
            self.err(ll, 0, "hotkey-brace", "Hotkey or hotstring is missing its opening brace")
            self.mark("v1:hotkey-return", 1.5)
            self.wait_hotkey = None
        if ll.kind == "directive":
            self.directive(ll)
            return
        if ll.kind != "code":
            self.hotkey_line(ll)
            return
        toks = _lex(ll.text)
        n = len(toks)
        k = 0
        while k < n and (toks[k] == "}" or toks[k][0] in WS):
            if toks[k] == "}":
                self.close_block(ll, toks, k)
            k += 1
        if k < n:
            self.statement(ll, toks, k, n)

    def finish(self) -> None:
        """End of file: what is still open, then the checks that need every name."""
        last = self.lines[-1] if self.lines else LogicalLine("", 1, 1)
        if self.wait_hotkey is not None:
            self.err(
                self.wait_hotkey,
                0,
                "hotkey-brace",
                "Hotkey or hotstring is missing its opening brace",
            )
        for ctl in self.pending:
            if not ctl.has_block:
                self.diags.append(
                    Diagnostic(
                        ctl.line, 1, "error", "missing-body", f'"{ctl.kind.title()}" has no body'
                    )
                )
        for blk in self.blocks:
            self.diags.append(
                Diagnostic(blk.line, 1, "error", "unbalanced-bracket", blk.note + 'Missing "}"')
            )
        if self.wait_def is not None:
            self.err(last, 0, "syntax", "Missing the opening brace of a definition")
        self.check_names()

    # -- blocks and control flow ----------------------------------------------------------

    def complete(self) -> None:
        """A statement finished at the current level: controls whose body it was are done."""
        level = len(self.blocks)
        done = []
        pending = self.pending
        while pending and pending[-1].level == level and not pending[-1].has_block:
            done.append(pending.pop())
        self.done = done

    def begin(self) -> None:
        """A statement that is not else/catch/finally/until starts: nothing can extend earlier ones."""
        self.done = []
        self.statements += 1

    def open_block(self, ll: LogicalLine, kind: str, scope: Scope | None = None) -> None:
        """Open a `{`: a control's body when one waits for it, else a block of its own."""
        level = len(self.blocks)
        owner = None
        if kind == "block" and self.pending and self.pending[-1].level == level:
            owner = self.pending[-1]
            if owner.has_block:
                owner = None
            else:
                owner.has_block = True
        if scope is None:
            scope = self.scope()
        loop = kind in ("block", "switch") and self.in_loop()
        blk = Block(kind, scope, loop, ll.line, owner)
        if self.site is not None:
            blk.line, blk.note = self.site.line, f"{self.file_stack[-1].name} line {ll.line}: "
        self.blocks.append(blk)

    def close_block(self, ll: LogicalLine, toks: list[str], k: int) -> None:
        """A `}`: controls inside still waiting for a body are errors; the block's owner is done."""
        if not self.blocks:
            self.err_at(ll, toks, k, "unbalanced-bracket", 'Unexpected "}"')
            return
        level = len(self.blocks)
        while self.pending and self.pending[-1].level >= level and not self.pending[-1].has_block:
            ctl = self.pending.pop()
            self.err_at(ll, toks, k, "missing-body", f'"{ctl.kind.title()}" has no body')
        blk = self.blocks.pop()
        if blk.kind in ("func", "prop", "class"):
            if blk.kind == "func":
                self.check_labels(blk.scope)
            self.done = []
            return
        if blk.owner is not None:
            blk.owner.has_block = False
        self.complete()

    def attach_body(self, ll: LogicalLine, toks: list[str], ctl: Ctl, k: int, n: int) -> None:
        """After a control's header: a `{`, a statement on the same line, or the next line."""
        self.pending.append(ctl)
        k = skip_space(toks, k, n)
        if k >= n:
            return
        if toks[k] == "{" and skip_space(toks, k + 1, n) >= n:
            self.open_block(ll, "block")
            return
        self.statement(ll, toks, k, n)

    def extend(
        self, ll: LogicalLine, toks: list[str], k: int, kinds: tuple[str, ...], word: str
    ) -> bool:
        """Bind else/catch/finally/until to the statement they extend; False when there is none."""
        for i, ctl in enumerate(self.done):
            if ctl.kind in kinds:
                outer = self.done[i + 1 :]
                self.pending.extend(reversed(outer))
                self.done = []
                return True
        self.err_at(ll, toks, k, "misplaced", f'Unexpected "{word}"')
        self.done = []
        return False

    # -- statements ---------------------------------------------------------------

    def statement(self, ll: LogicalLine, toks: list[str], k: int, n: int) -> None:
        """One statement from token k: a block, a class member, a control statement, a label,
        a definition, or an expression / call statement."""
        t = toks[k]
        if self.wait_def is not None:
            kind, scope = self.wait_def
            self.wait_def = None
            if t == "{":
                self.open_block(ll, kind, scope)
                self.rest_after_brace(ll, toks, k, n)
                return
        if t == "{":
            if self.wait_hotkey is not None:
                self.wait_hotkey = None
                self.open_block(ll, "func", Scope("hotkey", self.glob, ll.line))
            else:
                self.begin_if_plain()
                self.open_block(ll, "block")
            self.rest_after_brace(ll, toks, k, n)
            return
        blk = self.blocks[-1] if self.blocks else None
        if blk is not None and blk.kind in ("class", "prop"):
            if blk.kind == "class":
                self.class_member(ll, toks, k, n, blk)
            else:
                self.prop_member(ll, toks, k, n)
            return
        if is_name(t):
            low = t.lower()
            handler = CONTROL.get(low)
            if handler is not None:
                nxt = toks[k + 1] if k + 1 < n else ""
                assigned = next_token(toks, k + 1, n) in ASSIGN_OPS
                if assigned and low not in NAME_WORDS:  # `default := 1` assigns a variable
                    self.err_at(ll, toks, k, "syntax", f"Reserved word used as a name: {t}")
                    return
                if not assigned and (not nxt or nxt[0] in WS or nxt in ("(", "{", ",", ":")):
                    if blk is not None and blk.kind == "switch" and low not in ("case", "default"):
                        self.check_case_seen(ll, toks, k, blk)
                    handler(self, ll, toks, k, n, low)
                    return
            if blk is not None and blk.kind == "switch":
                self.check_case_seen(ll, toks, k, blk)
            after = k + 1
            if after < n and toks[after] == ":" and skip_space(toks, after + 1, n) >= n:
                self.label(ll, toks, k, low)
                return
            if after < n and toks[after] == "(" and self.try_definition(ll, toks, k, n, t):
                return
        elif blk is not None and blk.kind == "switch":
            self.check_case_seen(ll, toks, k, blk)
        self.begin()
        self.simple(ll, toks, k, n)
        self.complete()

    def begin_if_plain(self) -> None:
        """A `{` that is no control's body starts a statement of its own."""
        level = len(self.blocks)
        if not (
            self.pending and self.pending[-1].level == level and not self.pending[-1].has_block
        ):
            self.begin()

    def rest_after_brace(self, ll: LogicalLine, toks: list[str], k: int, n: int) -> None:
        """A statement after a block's `{` on the same line (not allowed in a class body)."""
        k = skip_space(toks, k + 1, n)
        if k >= n:
            return
        if self.blocks[-1].kind in ("class", "prop"):
            self.err_at(ll, toks, k, "syntax", "Not a valid method, class or property definition")
            return
        self.statement(ll, toks, k, n)

    def check_case_seen(self, ll: LogicalLine, toks: list[str], k: int, blk: Block) -> None:
        """A statement in a switch before its first case (a switch block records "case")."""
        if "case" not in blk.members:
            self.err_at(ll, toks, k, "misplaced", "Expected Case/Default")
            blk.members.add("case")

    def label(self, ll: LogicalLine, toks: list[str], k: int, low: str) -> None:
        """`Name:` records a label in its scope (once)."""
        scope = self.scope()
        if low in scope.labels:
            self.err_at(ll, toks, k, "duplicate", f"Duplicate label: {toks[k]}")
        scope.labels.add(low)

    # -- control statements (handlers in CONTROL: line, tokens, keyword index, end, keyword) --

    def c_if(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        end = self.header_end(toks, k + 1, n)
        if skip_space(toks, k + 1, end) >= end:
            self.err_at(ll, toks, k, "syntax", f'"{toks[k]}" needs a condition')
        else:
            self.legacy_if(ll, toks, k + 1, end)
            self.condition(ll, toks, k, end)
        self.attach_body(ll, toks, Ctl(low, len(self.blocks), ll.line), end, n)

    def c_while(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.c_if(ll, toks, k, n, low)

    def c_loop(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        end = self.header_end(toks, k + 1, n)
        j = k + 1
        if j < end and toks[j] == ",":
            self.legacy_command(ll, toks, k)
            self.complete()
            return
        j = skip_space(toks, j, end)
        if j < end:
            if toks[j].lower() in LOOP_SUBCOMMANDS and (
                j + 1 >= end or toks[j + 1][0] in WS or toks[j + 1] == ","
            ):
                a = j + 1
                if a < end and toks[a] == ",":
                    a += 1
                if skip_space(toks, a, end) < end:
                    self.expr(ll, toks, a, end, args=True, command=True)
            else:
                self.expr(ll, toks, j, end)
        self.attach_body(ll, toks, Ctl("loop", len(self.blocks), ll.line), end, n)

    def c_for(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        end = self.header_end(toks, k + 1, n)
        j = skip_space(toks, k + 1, end)
        paren = j < end and toks[j] == "("
        if paren:
            j += 1
        m = j
        while m < end and toks[m].lower() != "in":
            m += 1
        if m >= end:
            self.err_at(ll, toks, k, "syntax", 'For needs "in"')
        else:
            self.for_variables(ll, toks, j, m)
            stop = end
            if paren:
                stop = skip_space_back(toks, m, end)
                if stop < end and toks[stop] != ")":
                    self.err_at(ll, toks, stop, "unbalanced-bracket", 'Missing ")"')
            self.expr(ll, toks, m + 1, stop)
        self.attach_body(ll, toks, Ctl("for", len(self.blocks), ll.line), end, n)

    def for_variables(self, ll: LogicalLine, toks: list[str], j: int, m: int) -> None:
        """`k, v` of `for k, v in`: names separated by commas (a name may be left out)."""
        want_name = True
        for v in range(j, m):
            t = toks[v]
            if t[0] in WS:
                continue
            if want_name and is_name(t):
                self.assign(t, ll, toks, v)
                want_name = False
            elif t == ",":
                want_name = True
            else:
                self.err_at(ll, toks, v, "syntax", "Invalid For variable")
                return

    def c_else(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        if self.extend(ll, toks, k, ("if",), "Else"):
            self.attach_body(ll, toks, Ctl("else", len(self.blocks), ll.line), k + 1, n)

    def c_try(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        self.attach_body(ll, toks, Ctl("try", len(self.blocks), ll.line), k + 1, n)

    def c_catch(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        if not self.extend(ll, toks, k, ("try", "catch"), "Catch"):
            return
        end = self.header_end(toks, k + 1, n)
        j = skip_space(toks, k + 1, end)
        while j < end:
            t = toks[j]
            if t.lower() == "as":
                v = skip_space(toks, j + 1, end)
                if v < end and is_name(toks[v]):
                    self.assign(toks[v], ll, toks, v)
                    self.mark("v2:catch-as", 2.0)
                    j = skip_space(toks, v + 1, end)
                break
            if is_name(t):
                name = t
                while j + 2 < end and toks[j + 1] == "." and is_name(toks[j + 2]):
                    j += 2
                self.class_refs.append((name.lower(), ll, (toks, j), "Invalid class"))
            elif t != ",":
                break
            j = skip_space(toks, j + 1, end)
        if j < end:
            self.err_at(ll, toks, j, "syntax", "Unexpected text after Catch")
        self.attach_body(ll, toks, Ctl("catch", len(self.blocks), ll.line), end, n)

    def c_finally(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        if self.extend(ll, toks, k, ("try", "catch"), "Finally"):
            self.attach_body(ll, toks, Ctl("finally", len(self.blocks), ll.line), k + 1, n)

    def c_until(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        if self.extend(ll, toks, k, ("loop", "for"), "Until"):
            self.condition(ll, toks, k, n)
            self.complete()

    def condition(self, ll: LogicalLine, toks: list[str], k: int, end: int) -> None:
        """The expression after if/while/until: exactly one (a top-level comma is an error)."""
        if self.expr(ll, toks, k + 1, end, args=True) > 1:
            self.err_at(ll, toks, k, "syntax", f'"{toks[k]}" accepts at most 1 parameter')

    def c_switch(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        end = self.header_end(toks, k + 1, n)
        if skip_space(toks, k + 1, end) < end:
            self.expr(ll, toks, k + 1, end, args=True)
        if end < n:
            self.open_block(ll, "switch")
        elif self.next_is_brace():
            self.wait_def = ("switch", None)
        else:
            self.err_at(ll, toks, k, "syntax", "Switch needs a block")

    def c_case(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        blk = self.blocks[-1] if self.blocks else None
        if blk is None or blk.kind != "switch":
            self.err_at(ll, toks, k, "misplaced", f'Unexpected "{toks[k]}"')
            return
        level = len(self.blocks)
        while self.pending and self.pending[-1].level >= level and not self.pending[-1].has_block:
            ctl = self.pending.pop()
            self.err_at(ll, toks, k, "missing-body", f'"{ctl.kind.title()}" has no body')
        blk.members.add("case")
        self.done = []
        colon = _top_level(toks, k + 1, n, ":")
        if colon >= n:
            self.err_at(ll, toks, k, "syntax", f'"{toks[k]}" needs a ":"')
            return
        if low == "case":
            if skip_space(toks, k + 1, colon) >= colon:
                self.err_at(ll, toks, k, "syntax", "Case needs a value")
            else:
                self.expr(ll, toks, k + 1, colon, args=True)
        rest = skip_space(toks, colon + 1, n)
        if rest < n:
            self.statement(ll, toks, rest, n)

    def c_return(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        j = skip_space(toks, k + 1, n)
        if any(t.lower() == "unset" for t in toks[j:n]):
            self.err_at(ll, toks, k, "syntax", "Syntax error: Return cannot return unset")
        if j < n:
            if self.scope() is self.glob:
                self.err_at(
                    ll,
                    toks,
                    k,
                    "syntax",
                    "Return's parameter should be blank except inside a function",
                )
            self.expr(ll, toks, j, n)
        self.complete()

    def c_throw(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        if skip_space(toks, k + 1, n) < n:
            self.expr(ll, toks, k + 1, n)
        self.complete()

    def c_break(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        j = skip_space(toks, k + 1, n)
        if not self.in_loop():
            self.err_at(ll, toks, k, "misplaced", "Break/Continue must be enclosed by a Loop")
        elif j < n and is_name(toks[j]) and skip_space(toks, j + 1, n) >= n:
            self.scope().refs.append((toks[j].lower(), ll, (toks, j)))
        elif j < n:
            self.err_at(ll, toks, j, "syntax", f'"{toks[k]}" takes only a loop label')
        self.complete()

    def c_goto(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        j = skip_space(toks, k + 1, n)
        if j < n and is_name(toks[j]) and skip_space(toks, j + 1, n) >= n:
            self.scope().refs.append((toks[j].lower(), ll, (toks, j)))
        elif j < n:
            self.expr(ll, toks, j, n)
        self.complete()

    def c_declare(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        scope = self.scope()
        j = skip_space(toks, k + 1, n)
        if j >= n:
            if scope is not self.glob:
                scope.assume = low
            self.complete()
            return
        self.declarations(ll, toks, j, n, scope, low)
        self.complete()

    def declarations(
        self, ll: LogicalLine, toks: list[str], j: int, n: int, scope: Scope, how: str
    ) -> None:
        """`global a, b := 1` and friends: record each name, check each initialiser."""
        start = j
        while start < n:
            end = _top_level(toks, start, n, ",")
            v = skip_space(toks, start, end)
            if v < end and is_name(toks[v]):
                low = toks[v].lower()
                if scope is not self.glob:
                    scope.declared[low] = "global" if how == "global" else "local"
                a = skip_space(toks, v + 1, end)
                if a < end:
                    if toks[a] not in ASSIGN_OPS:
                        self.err_at(ll, toks, a, "syntax", "Invalid declaration")
                    else:
                        self.expr(ll, toks, v, end)
            elif v < end:
                self.err_at(ll, toks, v, "syntax", "Invalid declaration")
            start = end + 1

    def c_class(self, ll: LogicalLine, toks: list[str], k: int, n: int, low: str) -> None:
        self.begin()
        j = skip_space(toks, k + 1, n)
        end = self.header_end(toks, k + 1, n)
        if j >= end or not is_name(toks[j]):
            self.err_at(ll, toks, k, "syntax", "Invalid class definition")
            return
        name = toks[j]
        blk = self.blocks[-1] if self.blocks else None
        if blk is None:
            self.define(ll, toks, j, name, "class")
        elif blk.kind == "class":
            self.member(ll, toks, j, blk, name.lower())
        e = skip_space(toks, j + 1, end)
        if e < end:
            if toks[e].lower() != "extends":
                self.err_at(ll, toks, e, "syntax", "Invalid class definition")
            else:
                b = skip_space(toks, e + 1, end)
                if b >= end or not is_name(toks[b]):
                    self.err_at(ll, toks, e, "syntax", "Invalid class definition")
                else:
                    self.class_refs.append((toks[b].lower(), ll, (toks, b), "Unknown class"))
                    self.mark("v2:class", 0.5)
        if end < n:
            self.open_block(ll, "class", Scope("class", self.glob, ll.line))
        elif self.next_is_brace():
            self.wait_def = ("class", Scope("class", self.glob, ll.line))
        else:
            self.err_at(ll, toks, k, "syntax", "Class needs a block")

    def header_end(self, toks: list[str], k: int, n: int) -> int:
        """Where a control header ends: before a trailing block-opening `{`, else n."""
        last = skip_space_back(toks, k, n)
        if last >= k and toks[last] == "{":
            before = skip_space_back(toks, k, last)
            if before < k:
                return last
            b = toks[before]
            if b in ASSIGN_OPS or b in BINARY_OPS or b in ("(", "[", ",", "?", ":"):
                return n
            return last
        return n

    # -- definitions ------------------------------------------------------------------

    def try_definition(self, ll: LogicalLine, toks: list[str], k: int, n: int, name: str) -> bool:
        """`name(params) {`, `name(params)` + `{` on the next line, or `name(params) => expr`."""
        close = match_bracket(toks, k + 1, n)
        if close >= n or self.in_action:
            return False
        after = skip_space(toks, close + 1, n)
        if after >= n:
            if not self.next_is_brace():
                return False
            kind = "brace-next"
        elif toks[after] == "{" and skip_space(toks, after + 1, n) >= n:
            kind = "brace"
        elif toks[after] == "=>":
            kind = "arrow"
        else:
            return False
        self.begin()
        self.function(ll, toks, k, close, name)
        scope = self.new_scope("func", ll)
        self.params(ll, toks, k + 1, close, scope)
        if kind == "brace":
            self.open_block(ll, "func", scope)
        elif kind == "brace-next":
            self.wait_def = ("func", scope)
        else:
            self.mark("v2:fat-arrow", 3.0)
            self.with_scope(ll, scope, lambda: self.expr(ll, toks, after + 1, n))
        return True

    def new_scope(self, kind: str, ll: LogicalLine) -> Scope:
        """A function's scope: nested in the enclosing function's (a method's sees globals)."""
        outer = self.scope()
        parent = outer if outer.kind != "class" else self.glob
        return Scope(kind, parent, ll.line)

    def with_scope(self, ll: LogicalLine, scope: Scope, fn: Callable[[], object]) -> None:
        """Run `fn` (a one-line body: fat arrow, initialiser, #HotIf) inside `scope`."""
        self.blocks.append(Block("func", scope, False, ll.line, None))
        fn()
        self.blocks.pop()
        self.check_labels(scope)

    def function(self, ll: LogicalLine, toks: list[str], k: int, close: int, name: str) -> None:
        """Record a function definition in its namespace; report a conflicting one."""
        lo, hi = self.param_counts(toks, k + 2, close)
        low = name.lower()
        outer = self.scope()
        if outer is self.glob:
            self.define(ll, toks, k, name, "func", Func(lo, hi))
        else:
            if low in outer.funcs:
                self.err_at(
                    ll,
                    toks,
                    k,
                    "duplicate",
                    f"This function declaration conflicts with an existing Func: {name}",
                )
            outer.funcs[low] = Func(lo, hi)

    def define(
        self,
        ll: LogicalLine,
        toks: list[str],
        k: int,
        name: str,
        what: str,
        func: Func | None = None,
    ) -> None:
        """Record a global function or class; report a name that is already taken."""
        low = name.lower()
        if low in self.funcs:
            self.err_at(
                ll,
                toks,
                k,
                "duplicate",
                f"This {what} declaration conflicts with an existing Func: {name}",
            )
        elif low in self.classes:
            self.err_at(
                ll,
                toks,
                k,
                "duplicate",
                f"This {what} declaration conflicts with an existing Class: {name}",
            )
        elif what == "class" and low in B.CLASSES:
            self.err_at(
                ll,
                toks,
                k,
                "duplicate",
                f"This class declaration conflicts with an existing Class: {name}",
            )
        if func is not None:
            self.funcs[low] = func
        else:
            self.classes.add(low)

    def param_counts(self, toks: list[str], k: int, close: int) -> tuple[int, int | None]:
        """(minimum, maximum) arguments of a parameter list; maximum None when variadic."""
        count = lo = 0
        variadic = False
        start = k
        while start < close:
            end = _top_level(toks, start, close, ",")
            first = skip_space(toks, start, end)
            if first < end:
                count += 1
                last = skip_space_back(toks, start, end)
                seg = [t for t in toks[first : last + 1] if t[0] not in WS]
                if seg[-1] == "*":
                    variadic = True
                    count -= 1
                elif not (seg[-1] == "?" or ":=" in seg):
                    lo = count
            start = end + 1
        return lo, None if variadic else count

    def params(self, ll: LogicalLine, toks: list[str], k: int, close: int, scope: Scope) -> None:
        """Check a parameter list: names, `&ref`, `opt?`, `opt := default`, a last `rest*`."""
        start = k + 1
        seen: set[str] = set()
        optional = variadic = False
        while start < close:
            end = _top_level(toks, start, close, ",")
            seg = [m for m in range(start, end) if toks[m][0] not in WS]
            start = end + 1
            if not seg:
                if end < close:
                    self.err_at(ll, toks, end, "syntax", "Missing parameter name")
                continue
            if variadic:
                self.err_at(ll, toks, seg[0], "unbalanced-bracket", 'Missing ")"')
                return
            i = 0
            if toks[seg[0]] == "&":
                i = 1
            if i >= len(seg):
                self.err_at(ll, toks, seg[0], "syntax", "Missing parameter name")
                continue
            name = toks[seg[i]]
            if name == "*" and len(seg) == i + 1:
                variadic = True
                continue
            if not is_name(name):
                self.err_at(ll, toks, seg[i], "syntax", "Invalid parameter")
                continue
            low = name.lower()
            if low == "byref" and len(seg) > i + 1 and is_name(toks[seg[i + 1]]):
                self.err_at(
                    ll, toks, seg[i + 1], "syntax", "Missing comma (ByRef is v1 syntax; use &name)"
                )
                self.mark("v1:byref", 2.0)
                continue
            if low in seen:
                self.err_at(
                    ll,
                    toks,
                    seg[i],
                    "duplicate",
                    f"This parameter declaration conflicts with an existing parameter: {name}",
                )
            seen.add(low)
            scope.declared[low] = "param"
            rest = seg[i + 1 :]
            if not rest:
                if optional:
                    self.err_at(ll, toks, seg[i], "syntax", f"Parameter default required: {name}")
                continue
            r0 = toks[rest[0]]
            if r0 == "*" and len(rest) == 1:
                variadic = True
            elif r0 == "?" and len(rest) == 1:
                optional = True
            elif r0 == ":=":
                optional = True
                if len(rest) == 1:
                    self.err_at(ll, toks, rest[0], "syntax", "Missing operand")
                else:
                    self.expr(ll, toks, rest[1], end)
            else:
                self.err_at(ll, toks, rest[0], "syntax", "Missing comma")

    # -- classes ----------------------------------------------------------------------

    def member(self, ll: LogicalLine, toks: list[str], k: int, blk: Block, key: str) -> None:
        """Record a class member (method, property or variable); report a duplicate."""
        if key in blk.members:
            self.err_at(ll, toks, k, "duplicate", f"Duplicate declaration: {toks[k]}")
        blk.members.add(key)

    def class_member(self, ll: LogicalLine, toks: list[str], k: int, n: int, blk: Block) -> None:
        """Inside `class X { }`: methods, properties, variables, nested classes."""
        t = toks[k]
        prefix = ""
        if t.lower() == "static" and k + 1 < n and toks[k + 1][0] in WS:
            prefix = "static "
            k = skip_space(toks, k + 1, n)
            t = toks[k] if k < n else ""
        if not t or not is_name(t):
            self.err_at(
                ll,
                toks,
                k if k < n else 0,
                "syntax",
                "Not a valid method, class or property definition",
            )
            return
        low = t.lower()
        if low == "class" and not prefix:
            self.c_class(ll, toks, k, n, low)
            return
        j = k + 1
        if j < n and toks[j] == "(":
            close = match_bracket(toks, j, n)
            after = skip_space(toks, close + 1, n) if close < n else n
            if close < n and (
                (after >= n and self.next_is_brace()) or (after < n and toks[after] in ("{", "=>"))
            ):
                self.member(ll, toks, k, blk, prefix + low + "()")
                scope = Scope("method", self.glob, ll.line)
                self.params(ll, toks, j, close, scope)
                self.open_member(ll, toks, after, n, scope, "func")
                return
            self.err_at(ll, toks, k, "syntax", "Not a valid method, class or property definition")
            return
        if j < n and toks[j] == "[":
            close = match_bracket(toks, j, n)
            after = skip_space(toks, close + 1, n) if close < n else n
            self.member(ll, toks, k, blk, prefix + low)
            scope = Scope("method", self.glob, ll.line)
            if close < n:
                self.params(ll, toks, j, close, scope)
            self.open_member(ll, toks, after, n, scope, "prop")
            return
        a = skip_space(toks, j, n)
        if a >= n:
            if self.next_is_brace():
                self.member(ll, toks, k, blk, prefix + low)
                self.wait_def = ("prop", Scope("method", self.glob, ll.line))
                return
            self.err_at(ll, toks, k, "syntax", "This line does not contain a recognized action")
            return
        nt = toks[a]
        if nt in ("{", "=>"):
            self.member(ll, toks, k, blk, prefix + low)
            self.open_member(ll, toks, a, n, Scope("method", self.glob, ll.line), "prop")
            return
        if nt == ":=":
            self.class_vars(ll, toks, k, n, blk, prefix)
            return
        self.err_at(ll, toks, k, "syntax", "Not a valid method, class or property definition")

    def class_vars(
        self, ll: LogicalLine, toks: list[str], k: int, n: int, blk: Block, prefix: str
    ) -> None:
        """`x := 1, y := 2` in a class body (instance or static variables)."""
        start = k
        scope = Scope("method", self.glob, ll.line)
        while start < n:
            end = _top_level(toks, start, n, ",")
            v = skip_space(toks, start, end)
            if v < end and is_name(toks[v]):
                self.member(ll, toks, v, blk, prefix + toks[v].lower())
                a = skip_space(toks, v + 1, end)
                if a < end and toks[a] == ":=":
                    self.with_scope(ll, scope, functools.partial(self.expr, ll, toks, a + 1, end))
                elif a < end:
                    self.err_at(
                        ll, toks, a, "syntax", "Not a valid method, class or property definition"
                    )
            start = end + 1

    def open_member(
        self, ll: LogicalLine, toks: list[str], a: int, n: int, scope: Scope, kind: str
    ) -> None:
        """The body of a method or property: `{` here, `{` on the next line, or `=> expr`."""
        if a >= n:
            self.wait_def = (kind, scope)
        elif toks[a] == "{":
            self.open_block(ll, kind, scope)
            self.rest_after_brace(ll, toks, a, n)
        else:
            self.mark("v2:fat-arrow", 3.0)
            self.with_scope(ll, scope, lambda: self.expr(ll, toks, a + 1, n))

    def prop_member(self, ll: LogicalLine, toks: list[str], k: int, n: int) -> None:
        """Inside a property: `get`/`set` with a block or a fat arrow."""
        t = toks[k].lower()
        if t not in ("get", "set"):
            self.err_at(ll, toks, k, "syntax", "Expected get or set")
            return
        a = skip_space(toks, k + 1, n)
        scope = Scope("method", self.glob, ll.line)
        if a >= n and not self.next_is_brace():
            self.err_at(ll, toks, k, "syntax", "Expected get or set")
            return
        self.open_member(ll, toks, a, n, scope, "func")

    # -- directives and hotkeys -------------------------------------------------------

    def directive(self, ll: LogicalLine) -> None:
        """A #directive: v1-only, unknown, or checked by its handler in DIRECTIVES."""
        text = ll.text
        name, _, arg = text.partition(" ")
        if "\t" in name:
            name, _, rest = name.partition("\t")
            arg = rest + " " + arg
        arg = arg.strip()
        low = name.lower()
        if low in B.V1_DIRECTIVES:
            self.err(ll, 0, "removed-directive", f"{name} is AutoHotkey v1 only (removed in v2)")
            self.mark("v1:directive", 3.0)
            return
        if low not in B.DIRECTIVES:
            self.err(ll, 0, "unknown-directive", f"Unknown directive: {name}")
            return
        handler = DIRECTIVES.get(low)
        if handler is not None:
            handler(self, ll, name, arg)

    def d_requires(self, ll: LogicalLine, name: str, arg: str) -> None:
        parts = arg.split()
        if not parts or parts[0].lower() != "autohotkey":
            self.err(ll, 0, "requires", f"This script requires {arg or 'something unnamed'}")
            return
        version = " ".join(parts[1:])
        need = B.required_version(version)
        if need is None:
            if version:
                self.err(ll, 0, "requires", f"This script requires AutoHotkey {version}")
            return
        if need[0] == 1:
            self.err(ll, 0, "requires-v1", f"This script requires AutoHotkey {version} (v1)")
            self.mark("v1:requires", 10.0)
            return
        self.mark("v2:requires", 10.0)
        if need > B.INTERPRETER_VERSION:
            self.err(
                ll,
                0,
                "needs-v2.1",
                f"This script requires AutoHotkey {version}; checked as v2.0",
                "info",
            )
            self.newer_version = True

    def d_include(self, ll: LogicalLine, name: str, arg: str) -> None:
        if not arg:
            self.err(ll, 0, "syntax", "Parameter #1 required")
            return
        if self.resolver is None or not self.file_stack:
            return
        wanted = parse_argument(arg)
        script, current = str(self.file_stack[0]), str(self.file_stack[-1])
        found = self.resolver.resolve(wanted, script, current, self.folders[-1])
        if found.path is None:
            outside = found.problem.startswith(OUTSIDE)
            self.unresolved_include = self.unresolved_include or outside
            if outside and not wanted.optional:
                self.err(ll, 0, "include-outside", f"#Include {arg} is {found.problem}: not opened")
            elif not wanted.optional:
                self.err(ll, 0, "include-missing", f"#Include file {arg} cannot be opened")
        elif found.kind == "directory":
            self.folders[-1] = found.path
        else:
            self.include_file(ll, Path(found.path), name.lower() == "#includeagain")

    def d_single(self, ll: LogicalLine, name: str, arg: str) -> None:
        if arg and arg.lower() not in ("force", "ignore", "prompt", "off"):
            self.err(ll, 0, "syntax", f"Parameter #1 invalid: {arg}")

    def d_warn(self, ll: LogicalLine, name: str, arg: str) -> None:
        if not arg:
            return
        kind, _, mode = arg.partition(",")
        kind, mode = kind.strip().lower(), mode.strip().lower()
        if kind and kind not in ("varunset", "localsameasglobal", "unreachable", "all"):
            self.err(ll, 0, "syntax", f"Parameter #1 invalid: {kind}")
        elif mode and mode not in ("msgbox", "stdout", "outputdebug", "off"):
            self.err(ll, 0, "syntax", f"Parameter #2 invalid: {mode}")

    def d_hotif(self, ll: LogicalLine, name: str, arg: str) -> None:
        self.mark("v2:hotif", 3.0)
        self.hotif = " ".join(arg.lower().split())
        if arg:
            toks = _lex(ll.text)
            k = skip_space(toks, 2, len(toks))
            scope = Scope("hotkey", self.glob, ll.line)
            self.with_scope(ll, scope, lambda: self.expr(ll, toks, k, len(toks)))

    def hotkey_line(self, ll: LogicalLine) -> None:
        """A hotkey or hotstring: its trigger, then its action (a remap, a one-line statement,
        literal replacement text, a `{` block, or nothing: the next line must be `{`)."""
        self.statements += 1
        self.done = []
        action = ll.text[ll.body_at :]
        stripped = action.strip()
        remap = ll.kind == "hotkey" and stripped != "{" and B.is_remap_target(stripped)
        if ll.kind == "hotkey":
            self.check_hotkey(ll, remap)
        is_x = ll.kind == "hotstring" and "x" in ll.head.split(":")[1].lower()
        if ll.kind == "hotstring" and not is_x and stripped:
            self.wait_hotkey = None
            return
        if not stripped:
            self.wait_hotkey = ll
            return
        self.wait_hotkey = None
        if remap:
            return
        toks = _lex(action)
        k = skip_space(toks, 0, len(toks))
        scope = Scope("hotkey", self.glob, ll.line)
        base = ll.body_at
        shifted = _Shifted(ll, base)
        if toks[k] == "{" and skip_space(toks, k + 1, len(toks)) >= len(toks):
            self.open_block(ll, "func", scope)
            return
        self.blocks.append(Block("func", scope, False, ll.line, None))
        depth = len(self.blocks)
        self.in_action = True  # a hotkey's one-line action cannot define a function
        self.statement(shifted, toks, k, len(toks))
        self.in_action = False
        if len(self.blocks) == depth and self.blocks[-1].scope is scope:
            self.blocks.pop()
            self.pending = [c for c in self.pending if c.level < depth]
            self.check_labels(scope)

    def check_hotkey(self, ll: LogicalLine, remap: bool) -> None:
        """A valid trigger, defined once per #HotIf context (a remap may repeat)."""
        head = ll.head
        problem = B.hotkey_problem(head)
        if problem:
            self.err(ll, 0, "invalid-hotkey", problem)
            return
        if remap:
            return
        key = self.hotif + "|" + B.normalize_hotkey(head)
        if key in self.hotkeys:
            self.err(ll, 0, "duplicate", f"Duplicate hotkey: {head}")
        self.hotkeys.add(key)

    # -- include files ----------------------------------------------------------------

    def include_file(self, ll: LogicalLine, target: Path, again: bool) -> None:
        """Check an included file in place, as the loader does (once, unless #IncludeAgain)."""
        key = target.resolve()
        if (
            (key in self.included and not again)
            or key in self.file_stack
            or len(self.file_stack) > 32
        ):
            return
        self.included.add(key)
        text = self.reader(target) if self.reader else None
        if text is None:
            self.err(ll, 0, "include-missing", f"#Include file {target.name} cannot be read")
            return
        lines, diags = split_logical_lines(text)
        outer_site = self.site
        self.site = self.site or ll
        self.file_stack.append(key)
        self.folders.append(str(key.parent))
        for d in diags:
            if d.severity == "error":
                self.diags.append(
                    Diagnostic(
                        self.site.line,
                        self.site.col,
                        "error",
                        d.code,
                        f"{target.name} line {d.line}: {d.message}",
                    )
                )
        self.process(lines)
        self.file_stack.pop()
        self.folders.pop()
        self.site = outer_site

    # -- simple statements ------------------------------------------------------------

    def simple(self, ll: LogicalLine, toks: list[str], k: int, n: int) -> None:
        """An expression statement or a function call statement (`Name arg, arg`)."""
        t = toks[k]
        if not is_name(t):
            if t in ("(", "++", "--", "%", "["):
                self.expr(ll, toks, k, n)
            elif t in ('"', "'") or t[0] in "\"'0123456789-+!~.":
                self.err_at(ll, toks, k, "syntax", "This line does not contain a recognized action")
            else:
                self.err_at(ll, toks, k, "syntax", f"Unexpected {t!r}")
            return
        m = k + 1
        depth = 0
        while m < n:
            x = toks[m]
            c = x[0]
            if c in WS and depth == 0:
                break
            if x in ("(", "["):
                depth += 1
            elif x in (")", "]"):
                depth -= 1
            elif x == "," and depth == 0:
                break
            m += 1
        if t.lower() in RESERVED:
            self.err_at(ll, toks, k, "syntax", f"Reserved word used as a name: {t}")
            return
        if m > k + 1 and _operator_in_name_chain(toks, k, m):
            self.err_at(ll, toks, k, "syntax", "This line does not contain a recognized action")
            return
        if m < n and toks[m] == ",":
            if m == k + 1:
                self.legacy_command(ll, toks, k)
                return
            if (
                is_name(toks[m - 1]) and toks[m - 2] == "."
            ):  # obj.prop, x: neither call nor expression
                self.err_at(ll, toks, k, "syntax", "This line does not contain a recognized action")
                return
        a = skip_space(toks, m, n)
        legacy = (m == k + 1 and a < n and toks[a] == "=") or (k + 1 < n and toks[k + 1] == "=")
        if legacy:
            if self.has_ternary(toks, a, n):
                self.expr(ll, toks, k, n)  # x = a ? b : c is a (pointless) expression
            else:
                self.legacy_assign(ll, toks, k)
            return
        if a >= n:
            if m == k + 1:
                self.call_statement(ll, toks, k, n, 0)
            else:
                self.expr(ll, toks, k, n)
            return
        nt = toks[a]
        method = nt == "." and a + 1 < n and is_name(toks[a + 1])  # `obj .Method()`
        if nt in EXPR_STATEMENT_OPS or method or (m > k + 1 and _has_bracket(toks, k, m)):
            self.expr(ll, toks, k, n)
            return
        if m > k + 1:
            self.expr(ll, toks, k, m)
            if self.expr(ll, toks, a, n, args=True, command=True) > 0 and toks[a][0] in "\"'":
                self.mark("v2:quoted-arg", 0.5)
            return
        self.call_statement(ll, toks, k, n, a)

    def has_ternary(self, toks: list[str], k: int, n: int) -> bool:
        """Whether a `?` appears: AutoHotkey then reads `x = a ? b : c` as an expression."""
        return "?" in toks[k:n]

    def call_statement(self, ll: LogicalLine, toks: list[str], k: int, n: int, a: int) -> None:
        """`Name args`: check the arguments, note v1 commands, record the call."""
        name = toks[k]
        low = name.lower()
        argc = self.expr(ll, toks, a, n, args=True, command=True) if a else 0
        if argc < 0:
            if a and toks[a] == "{":
                self.mark("v1:send-braces", 2.0)
            return
        if low in B.V1_COMMANDS_REMOVED and low not in self.funcs:
            self.err_at(
                ll,
                toks,
                k,
                "removed-command",
                f"{name} is an AutoHotkey v1 command that v2 does not have",
                "warning",
            )
            self.mark("v1:removed-command", 2.0)
        if a and toks[a][0] in "\"'" and low in B.V1_COMMANDS:
            self.mark("v2:quoted-arg", 1.0)
        self.calls.append((low, argc, False, self.scope(), ll, (toks, k), False))

    def legacy_command(self, ll: LogicalLine, toks: list[str], k: int) -> None:
        """`Name, args`: v1 command syntax (an error in v2)."""
        name = toks[k]
        self.err_at(
            ll,
            toks,
            k,
            "legacy-command",
            f'v1 command syntax "{name}, ...": v2 function calls need a space or "(" (use a comma only between parameters)',
        )
        self.mark("v1:legacy-command", 3.0)

    def legacy_assign(self, ll: LogicalLine, toks: list[str], k: int) -> None:
        """`var = value`: v1 legacy assignment (an error in v2)."""
        self.err_at(
            ll, toks, k, "legacy-assignment", 'v1 legacy assignment "var = value": v2 needs ":="'
        )
        self.mark("v1:legacy-assignment", 3.0)

    def legacy_if(self, ll: LogicalLine, toks: list[str], k: int, end: int) -> None:
        """`If var = value` with unquoted text (v1's legacy If); valid but suspicious in v2."""
        j = skip_space(toks, k, end)
        if j >= end or not is_name(toks[j]):
            return
        op = skip_space(toks, j + 1, end)
        if op >= end or toks[op] not in ("=", "!=", "<>", ">", "<", ">=", "<="):
            return
        rest = [t for t in toks[op + 1 : end] if t[0] not in WS]
        if not rest:
            return
        words = sum(1 for t in rest if is_name(t))
        if "%" in rest or (words >= 2 and words == len(rest)) or (toks[op] == "=" and "," in rest):
            self.err_at(
                ll, toks, j, "legacy-if", "v1 legacy If: compares with unquoted text", "warning"
            )
            self.mark("v1:legacy-if", 1.5)

    # -- names --------------------------------------------------------------------------

    def assign(
        self, name: str, ll: LogicalLine, toks: list[str], k: int, ref: bool = False
    ) -> None:
        """Record an assignment (or `&ref`); inside a function a new name becomes local."""
        low = name.lower()
        scope = self.scope()
        if scope is not self.glob and scope.assume != "global" and low not in scope.declared:
            scope.declared[low] = "local"
        self.assigns.append((low, scope, ll, (toks, k), ref))

    def check_labels(self, scope: Scope) -> None:
        """goto/break/continue targets of a scope must be labels of that scope."""
        for low, ll, offset in scope.refs:
            if low not in scope.labels:
                self.err(ll, offset, "undefined-label", f"Label not found in current scope: {low}")
        scope.refs = []

    def check_names(self) -> None:
        """After the whole script: labels, assignments, calls and class names."""
        self.check_labels(self.glob)
        for low, scope, ll, offset, ref in self.assigns:
            self.check_assign(low, scope, ll, offset, ref)
        for low, argc, star, scope, ll, offset, paren in self.calls:
            self.check_call(low, argc, star, scope, ll, offset, paren)
        if not self.unresolved_include:
            for low, ll, offset, msg in self.class_refs:
                if low not in self.classes and low not in B.CLASSES:
                    self.err(ll, offset, "unknown-class", f"{msg}: {low}")

    def check_assign(
        self, low: str, scope: Scope, ll: LogicalLine, offset: Offset, ref: bool
    ) -> None:
        """A global cannot share a class's or function's name; built-ins may be read-only."""
        if low in B.READONLY_VARS:
            self.err(
                ll,
                offset,
                "readonly",
                f"This built-in variable cannot be used as an output variable: {low}",
            )
            return
        if scope is not self.glob and not scope.is_global(low):
            return
        what = ""
        if low in self.classes or (low in B.CLASSES and low not in self.funcs):
            what = "Class"
        elif low in self.funcs or low in B.FUNCS:
            what = "Func"
        if what:
            verb = "have its reference taken" if ref else "be used as an output variable"
            self.err(ll, offset, "readonly", f"This {what} cannot {verb}: {low}")

    def check_call(
        self,
        low: str,
        argc: int,
        star: bool,
        scope: Scope,
        ll: LogicalLine,
        offset: Offset,
        paren: bool,
    ) -> None:
        """A call to a known function must pass between its fewest and most parameters."""
        if paren and low not in self.funcs:
            if low in B.V2_CALL_MARKS:
                self.mark("v2:call:" + low, B.V2_CALL_MARKS[low])
            elif low in B.V1_FUNCS_REMOVED:
                self.err(
                    ll,
                    offset,
                    "removed-function",
                    f"{low}() is an AutoHotkey v1 function that v2 does not have",
                    "warning",
                )
                self.mark("v1:removed-function", 2.0)
        func = None
        s: Scope | None = scope
        while s is not None:
            if s is not self.glob and s.declared.get(low) in ("local", "param", "static"):
                return
            f = s.funcs.get(low)
            if f is not None:
                func = f
                break
            s = s.parent
        if func is None:
            func = self.funcs.get(low)
        if func is None:
            arity = B.FUNCS.get(low)
            if arity is None or low in self.classes:
                return
            lo, hi = arity
        else:
            lo, hi = func.lo, func.hi
        if hi is not None and argc > hi:
            self.err(
                ll,
                offset,
                "arity",
                f"Too many parameters passed to function {low} ({argc} given, at most {hi})",
            )
        elif argc < lo and not star:
            self.err(
                ll,
                offset,
                "arity",
                f"Too few parameters passed to function {low} ({argc} given, at least {lo})",
            )

    # -- expressions --------------------------------------------------------------------

    def expr(
        self,
        ll: LogicalLine,
        toks: list[str],
        k: int,
        n: int,
        args: bool = False,
        command: bool = False,
    ) -> int:
        """Check tokens k..n as one expression (with `args`, a comma-separated argument list;
        with `command`, the arguments of a call statement, where v1 habits show). Records calls
        and assignments; returns the top-level argument count, -1 after an error."""
        return check_expression(self, ll, toks, k, n, args, command)


def _top_level(toks: list[str], k: int, n: int, sep: str) -> int:
    """Index of the first `sep` (`,` or `:`) outside brackets in k..n, n when none; a `:` that
    closes a `? :` does not count (the `:` ending `case a ? b : c:` is the last one)."""
    depth = q = 0
    for m in range(k, n):
        t = toks[m]
        if t in ("(", "[", "{"):
            depth += 1
        elif t in (")", "]", "}"):
            depth -= 1
        elif depth:
            continue
        elif t == "?":
            q += 1
        elif t == ":" and q:
            q -= 1
        elif t == sep:
            return m
    return n


def _has_bracket(toks: list[str], k: int, m: int) -> bool:
    return any(t in ("(", "[") for t in toks[k:m])


def _operator_in_name_chain(toks: list[str], k: int, m: int) -> bool:
    """`a+b := 1`: an operator straight after a name (not an assignment) starts no statement."""
    for j in range(k + 1, m):
        t = toks[j]
        if t in ("(", "[", "%"):
            return False
        if t == "." or is_name(t):
            continue
        return t in BINARY_OPS and t not in ("?", "??")
    return False


class _Shifted(LogicalLine):
    """A view of a logical line from an offset (the action of a hotkey line)."""

    __slots__ = ("base", "inner")

    def __init__(self, inner: LogicalLine, base: int) -> None:
        super().__init__(inner.text[base:], inner.line, inner.col)
        self.inner = inner
        self.base = base

    def position(self, offset: int) -> tuple[int, int]:
        return self.inner.position(offset + self.base)


CONTROL = {
    "if": Checker.c_if,
    "while": Checker.c_while,
    "loop": Checker.c_loop,
    "for": Checker.c_for,
    "else": Checker.c_else,
    "try": Checker.c_try,
    "catch": Checker.c_catch,
    "finally": Checker.c_finally,
    "until": Checker.c_until,
    "switch": Checker.c_switch,
    "case": Checker.c_case,
    "default": Checker.c_case,
    "return": Checker.c_return,
    "throw": Checker.c_throw,
    "break": Checker.c_break,
    "continue": Checker.c_break,
    "goto": Checker.c_goto,
    "global": Checker.c_declare,
    "local": Checker.c_declare,
    "static": Checker.c_declare,
    "class": Checker.c_class,
}

DIRECTIVES = {
    "#requires": Checker.d_requires,
    "#include": Checker.d_include,
    "#includeagain": Checker.d_include,
    "#singleinstance": Checker.d_single,
    "#warn": Checker.d_warn,
    "#hotif": Checker.d_hotif,
}
