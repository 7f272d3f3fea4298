"""AutoHotkey v2 lexing: physical lines -> logical lines -> tokens.

AutoHotkey reads a script line by line. Before any expression is parsed, the loader
removes comments (`;` at the start of a line or after a space or tab, even inside quotes;
`/* ... */` blocks that start a line), splices continuation sections (`(` ... `)` blocks)
into the line above, and joins lines that continue an expression (a leading or trailing
operator, or an unclosed bracket). This module does the same, keeping where every piece
came from so that diagnostics point at the right physical line and column.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

# ----------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Diagnostic:
    """One finding: 1-based line and column, severity ('error'|'warning'|'info'), code, message."""

    line: int
    column: int
    severity: str
    code: str
    message: str

    def to_dict(self) -> dict:
        """The diagnostic as a plain dict (for JSON)."""
        return asdict(self)

    def __reduce__(self) -> tuple:
        """Pickled by its fields (to and from worker processes), compiled or not."""
        return Diagnostic, (self.line, self.column, self.severity, self.code, self.message)


class LogicalLine:
    """One statement line after comment removal and continuation joining.

    `kind` is 'code', 'directive', 'hotkey' or 'hotstring'; for hotkeys and hotstrings
    `head` is the trigger text and `body_at` the offset in `text` where the action starts.
    """

    __slots__ = ("body_at", "col", "head", "kind", "line", "segs", "text")

    def __init__(self, text: str, line: int, col: int) -> None:
        self.text = text
        self.line = line  # 1-based physical line of the first character
        self.col = col  # 1-based column of the first character
        self.segs: list[tuple[int, int, int]] | None = None  # (offset, line, col) of joined parts
        self.kind = "code"
        self.head = ""
        self.body_at = -1

    def position(self, offset: int) -> tuple[int, int]:
        """The physical (line, column) of an offset into `text`."""
        if not self.segs:
            return self.line, self.col + offset
        line, col, start = self.line, self.col, 0
        for seg_start, seg_line, seg_col in self.segs:
            if seg_start > offset:
                break
            line, col, start = seg_line, seg_col, seg_start
        return line, col + offset - start

    def __repr__(self) -> str:
        return f"LogicalLine({self.line}, {self.kind}, {self.text!r})"


# ----------------------------------------------------------------------------- line level

_COMMENT_AFTER_SPACE = re.compile(r"[ \t];")
_SECTION_OPTION = re.compile(r"(?i)join.*|ltrim0?|rtrim0|c|com|comment|comments|`")
# Hotkey: modifiers, then a key (one character, an escaped one such as `; or a name) or
# "key & key", optional " up", "::".
_HOTKEY = re.compile(
    r"([#!^+<>*~$]*)((?:`[^\s]|[^\s]|[\w]+)(?:[ \t]+&[ \t]+~?(?:`[^\s]|[^\s]|\w+))?)"
    r"((?i:[ \t]+up)?)::"
)
_HOTSTRING = re.compile(r":([^:\s]*):(.*?[^`]|.?)::")
_LEADING_WORD_OP = re.compile(r"(?i)(?:and|or|not|is|in|contains)(?![\w.(\[])")
_TRAILING_OP = re.compile(
    r"(?:[-+*/.<>=!~&|^?,:]|&&|\|\||\bAND|\bOR|\bNOT|\bIS)$",
    re.IGNORECASE,
)
_CONT_START = frozenset(",.&|?:+-*/<>=!~^")
_CONT_FIRST = _CONT_START | frozenset("aAoOnNiIcC")


def strip_line_comment(raw: str) -> str:
    """A physical line without its `;` comment (a `;` at the start or after a space or tab)."""
    j = raw.find(";")
    if j < 0:
        return raw
    if j == 0 or raw[j - 1] in " \t":
        return raw[:j]
    m = _COMMENT_AFTER_SPACE.search(raw, j)
    return raw[: m.start()] if m else raw


def match_hotkey(code: str) -> re.Match | None:
    """Match a hotkey trigger at the start of `code` (leading whitespace already removed)."""
    if "::" not in code or (code[0] == ":" and not code.startswith(":::")):
        return None
    m = _HOTKEY.match(code)
    if m is None:
        return None
    return m


def match_hotstring(code: str) -> re.Match | None:
    """Match `:options:abbreviation::` at the start of `code`."""
    if code[:1] != ":":
        return None
    return _HOTSTRING.match(code)


class _Section:
    """A continuation section: the lines between `(options` and `)`."""

    __slots__ = ("close_col", "close_line", "close_rest", "content", "line", "options")

    def __init__(self, line: int, options: str) -> None:
        self.line = line
        self.options = options
        self.content: list[str] = []
        self.close_line = -1
        self.close_col = 0
        self.close_rest = ""


def _physical_items(lines: list[str], diags: list[Diagnostic]) -> list:
    """Code lines as (index, column, code) and continuation sections, comments removed."""
    items: list = []
    n = len(lines)
    i = 0
    while i < n:
        raw = lines[i]
        s = raw.lstrip(" \t")
        if not s or s[0] == ";":
            i += 1
            continue
        if s[0] == "/" and s.startswith("/*"):
            i = _skip_block_comment(lines, i, diags)
            continue
        code = strip_line_comment(s).rstrip(" \t")
        if not code:
            i += 1
            continue
        indent = len(raw) - len(s)
        if code[0] == "(" and ")" not in code and not match_hotkey(code):
            i = _read_section(lines, i, code, indent, items, diags)
            continue
        items.append((i, indent + 1, code))
        i += 1
    return items


def _skip_block_comment(lines: list[str], i: int, diags: list[Diagnostic]) -> int:
    """Skip a `/* ... */` comment that starts line i; return the next line to read."""
    if lines[i].rstrip(" \t").endswith("*/") and len(lines[i].strip()) >= 4:
        return i + 1
    for k in range(i + 1, len(lines)):
        s = lines[k].lstrip(" \t")
        if s.startswith("*/"):
            rest = s[2:]
            if rest.strip():
                lines[k] = " " * (len(lines[k]) - len(rest)) + rest
                return k
            return k + 1
        if s.rstrip(" \t").endswith("*/"):
            return k + 1
    diags.append(
        Diagnostic(
            i + 1,
            len(lines[i]) - len(lines[i].lstrip(" \t")) + 1,
            "warning",
            "unterminated-comment",
            "Block comment /* is never closed with */ (the rest of the file is a comment)",
        )
    )
    return len(lines)


def _read_section(
    lines: list[str], i: int, code: str, indent: int, items: list, diags: list[Diagnostic]
) -> int:
    """Read a continuation section opened on line i; return the next line to read."""
    options = code[1:].split()
    sec = _Section(i, code[1:])
    for opt in options:
        if not _SECTION_OPTION.fullmatch(opt):
            diags.append(
                Diagnostic(i + 1, indent + 1, "error", "continuation", f"Invalid option: {opt}")
            )
            break
    comments = any(o.lower() in ("c", "com", "comment", "comments") for o in options)
    for k in range(i + 1, len(lines)):
        raw = lines[k]
        s = raw.lstrip(" \t")
        if s[:1] == ")":
            sec.close_line = k
            sec.close_col = len(raw) - len(s) + 2
            sec.close_rest = strip_line_comment(s[1:]).rstrip(" \t")
            items.append(sec)
            return k + 1
        sec.content.append(strip_line_comment(raw) if comments else raw)
    diags.append(
        Diagnostic(
            i + 1,
            indent + 1,
            "error",
            "unterminated-continuation",
            'Continuation section "(" is never closed with ")"',
        )
    )
    return len(lines)


# ----------------------------------------------------------------------------- joining


_STRINGS = re.compile(r"\"(?:[^\"`]|`.)*\"|'(?:[^'`]|`.)*'")
_TRAIL_FIRST = frozenset("-+*/.<>=!~&|^?,:dDrRtTsS")
# A `{` that opens a block although a statement follows it on the same line.
_BLOCK_START = re.compile(r"(?i)(?:(?:else|try|finally)\b[ \t]*)?\{")
_BLOCK_FIRST = frozenset("{eEtTfF")


def _close_quote(part: str, quote: str) -> int:
    """Index just after the quote that closes a string begun on an earlier line, or -1."""
    i = 0
    n = len(part)
    while i < n:
        j = part.find(quote, i)
        if j < 0:
            return -1
        k = j - 1
        while k >= i and part[k] == "`":
            k -= 1
        if (j - 1 - k) % 2 == 0:
            return j + 1
        i = j + 1
    return -1


def _bracket_depth(part: str, quote: str, depth: int) -> tuple[str, int]:
    """Open quote ('' when none) and bracket depth after `part`; brackets in strings don't count."""
    if quote:
        end = _close_quote(part, quote)
        if end < 0:
            return quote, depth
        part, quote = part[end:], ""
    if '"' in part or "'" in part:
        part = _STRINGS.sub("", part)
        cut = min((i for i in (part.find('"'), part.find("'")) if i >= 0), default=-1)
        if cut >= 0:
            quote, part = part[cut], part[:cut]
    depth += part.count("(") + part.count("[") + part.count("{")
    depth -= part.count(")") + part.count("]") + part.count("}")
    return quote, depth


def _ends_escaped(t: str) -> bool:
    """Whether the last character of a quoted token is escaped by an odd run of backticks."""
    k = len(t) - 2
    run = 0
    while k > 0 and t[k] == "`":
        run += 1
        k -= 1
    return run % 2 == 1


def _block_brace_at_end(code: str) -> bool:
    """Whether a `{` ending this statement line opens a block (not an object literal)."""
    body = code[:-1].rstrip(" \t")
    if not body:
        return True
    last = body[-1]
    if last in "=(,[?" or (last in "+-*/.<>!~&|^%" and not body.endswith(("++", "--"))):
        return False
    if last == ":" and body.endswith(":="):
        return False
    word = body.split(None, 1)[0].lower() if body[0].isalpha() else ""
    return word not in ("return", "throw")


def _is_continuation(code: str) -> bool:
    """Whether a line continues the one above because it starts with an operator."""
    c = code[0]
    if c in _CONT_START:
        if code.startswith(("++", "--")):
            return False
        if ("::" in code) and (match_hotkey(code) or match_hotstring(code)):
            return False
        return not (c == ":" and code.startswith("::"))
    if c in "aAoOnNiIcC":
        return bool(_LEADING_WORD_OP.match(code)) and not ("::" in code and match_hotkey(code))
    return False


def _classify(ll: LogicalLine) -> None:
    """Mark directive, hotkey and hotstring lines; record the trigger and the action offset."""
    text = ll.text
    c = text[0]
    if c == ":" and not text.startswith(":::"):
        m = match_hotstring(text)
        if m:
            ll.kind, ll.head, ll.body_at = "hotstring", m.group(0), m.end()
        return
    if "::" in text:
        m = match_hotkey(text)
        if m:
            ll.kind, ll.head, ll.body_at = "hotkey", m.group(0)[:-2], m.end()
            return
    if c == "#" and len(text) > 1 and text[1].isalpha():
        ll.kind = "directive"


def _scan_part(part: str, quote: str, depth: int, head: bool) -> tuple[str, int, bool]:
    """Carry the open quote and bracket depth over `part`; say whether it ends with an operator.

    `head` is true for the first part of a statement: there a leading `}` closes a block and
    a `{` may open one (at the end, or after else/try/finally or at the start with a statement
    after it), so none of them counts as an enclosure.
    """
    if not part:
        return quote, depth, False
    if head:
        if part[-1] == "{" and _block_brace_at_end(part):
            part = part[:-1]
        c = part[:1]
        if c == "}" or c == " ":
            part = part.lstrip("} \t")
            c = part[:1]
        if c in _BLOCK_FIRST:
            m = _BLOCK_START.match(part)
            if m:
                part = part[m.end() :]
    if quote or depth or "(" in part or "[" in part or "{" in part or '"' in part or "'" in part:
        quote, depth = _bracket_depth(part, quote, depth)
        if depth < 0:
            depth = 0
    if quote or depth or not part or part[-1] not in _TRAIL_FIRST:
        return quote, depth, False
    trailing = bool(_TRAILING_OP.search(part)) and not part.endswith(("++", "--"))
    return quote, depth, trailing


def _scan_continued(code: str, quote: str, depth: int) -> tuple[str, int, bool]:
    """_scan_part of a line that continues an enclosure: a `{` ending it that opens a block
    once the enclosure is closed (`if PixelSearch(&x, &y,` / `    x2, y2, c) {`) ends the
    logical line rather than opening an object literal."""
    if depth and not quote and code[-1] == "{" and _block_brace_at_end(code):
        got = _scan_part(code[:-1], quote, depth, False)
        if got[0] == "" and got[1] == 0 and got[2] is False:
            return got
    return _scan_part(code, quote, depth, False)


def _literal(ll: LogicalLine) -> bool:
    """Lines whose text is not an expression: most directives and plain hotstrings."""
    if ll.kind == "directive":
        return ll.text[:6].lower() != "#hotif"
    return ll.kind == "hotstring" and "x" not in ll.head.split(":")[1].lower()


def _ends_like_label(text: str) -> bool:
    """`Label:`, `case x:` and `default:` end with a colon without continuing."""
    if not text.endswith(":") or text.endswith("::"):
        return False
    first = text.split(None, 1)[0].lower()
    return first in ("case", "default:", "default") or " " not in text.strip()


def split_logical_lines(text: str) -> tuple[list[LogicalLine], list[Diagnostic]]:
    """The logical lines of a script, and the diagnostics found while splitting it."""
    diags: list[Diagnostic] = []
    lines = text.split("\n")
    if "\r" in text:
        lines = [raw[:-1] if raw.endswith("\r") else raw for raw in lines]
    items = _physical_items(lines, diags)
    out: list[LogicalLine] = []
    idx, n = 0, len(items)
    while idx < n:
        item = items[idx]
        idx += 1
        if item.__class__ is _Section:  # a section with no line above it stands alone
            out.append(LogicalLine(_section_text(item, False) + item.close_rest, item.line + 1, 1))
            continue
        row, col, code = item
        ll = LogicalLine(code, row + 1, col)
        out.append(ll)
        c = code[0]
        literal = False
        if c == ":" or c == "#" or "::" in code:
            _classify(ll)
            literal = ll.kind != "code" and _literal(ll)
        quote, depth, trailing = "", 0, False
        if not literal:
            part = code[ll.body_at :] if ll.body_at >= 0 else code
            quote, depth, trailing = _scan_part(part, "", 0, True)
            if trailing and ll.kind == "code" and _ends_like_label(code):
                trailing = False
        if idx < n and (quote or depth or trailing or _continues(items[idx], literal)):
            idx = _join_following(ll, items, idx, quote, depth, trailing, literal)
    return out, diags


def _continues(nxt: _Section | tuple[int, int, str], literal: bool) -> bool:
    """Whether the next item joins the line above whatever that line was: a section, or a
    line starting with an operator (not after a directive or a plain hotstring)."""
    if isinstance(nxt, _Section):
        return True
    code = nxt[2]
    return not literal and code[0] in _CONT_FIRST and _is_continuation(code)


def _join_following(
    ll: LogicalLine, items: list, idx: int, quote: str, depth: int, trailing: bool, literal: bool
) -> int:
    """Append the lines that continue `ll` (sections, enclosures, operators); next item index."""
    parts = [ll.text]
    segs = [(0, ll.line, ll.col)]
    length = len(ll.text)
    n = len(items)
    while idx < n:
        nxt = items[idx]
        if nxt.__class__ is _Section:
            sep = "" if quote or literal else " "
            pieces = [(_section_text(nxt, bool(quote) or literal), nxt.line + 2, 1)]
            if nxt.close_rest:
                pieces.append((nxt.close_rest, nxt.close_line + 1, nxt.close_col))
            for piece, line, col in pieces:
                segs.append((length + len(sep), line, col))
                parts += (sep, piece)
                length += len(sep) + len(piece)
            if not literal and nxt.close_rest:
                quote, depth, trailing = _scan_part(nxt.close_rest, quote, depth, False)
            idx += 1
            continue
        if quote or literal:
            break
        nrow, ncol, ncode = nxt
        if not (depth > 0 or trailing or (ncode[0] in _CONT_FIRST and _is_continuation(ncode))):
            break
        sep = "" if ncode[0] == "." and len(ncode) > 1 and ncode[1] not in " \t" else " "
        segs.append((length + len(sep), nrow + 1, ncol))
        parts += (sep, ncode)
        length += len(sep) + len(ncode)
        quote, depth, trailing = _scan_continued(ncode, quote, depth)
        idx += 1
    if len(parts) > 1:
        ll.text = "".join(parts)
        ll.segs = segs
    return idx


def _section_text(sec: _Section, in_string: bool) -> str:
    """The text a continuation section contributes: masked when it sits inside a string."""
    options = sec.options.lower().split()
    joiner = "\n"
    for opt in options:
        if opt.startswith("join"):
            joiner = sec.options.split()[options.index(opt)][4:]
    content = sec.content
    if "ltrim" in options:
        content = [c.lstrip(" \t") for c in content]
    body = joiner.join(content)
    if in_string:
        return "\x01" * len(body)
    return " ".join(content)


# ----------------------------------------------------------------------------- tokens

# Every character of a logical line belongs to exactly one token (the last branch catches
# anything else), so a token's offset is the sum of the lengths before it. A name starts with a
# letter, `_` or any non-ASCII character that is not a space, and goes on with digits too;
# operators are grouped by their first character (longest first), so a token is found in a few
# steps rather than by trying every operator in turn.
TOKEN_RE = re.compile(
    r"""[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f\s][^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\s]*
    |[ \t\n\r\x01]+
    |[(),\[\]{}%]
    |"(?:[^"`]|`.)*"?|'(?:[^'`]|`.)*'?
    |\d+\.?\d*(?:[eE][+-]?\d+)?\w*
    |:=?
    |\.(?:=|\d+(?:[eE][+-]?\d+)?\w*)?
    |>(?:>>=|>=|>>|=|>)?|<(?:<=|=|<)?|/(?:/=|/|=)?|\*(?:\*=|\*|=)?|\?(?:\?=|\?)?
    |\+[+=]?|-[-=]?|\|[|=]?|&[&=]?|\^=?|~=?|!(?:==|=)?|=[=>]?
    |`.?
    |.""",
    re.VERBOSE | re.DOTALL,
)
WHITESPACE_START = frozenset(" \t\n\r\x01`")


def lex(text: str) -> list[str]:
    """Split one logical line into token strings (whitespace runs included)."""
    return TOKEN_RE.findall(text)


def string_closed(tok: str) -> bool:
    """Whether a quoted-string token ends with its (unescaped) closing quote."""
    return len(tok) >= 2 and tok[-1] == tok[0] and not _ends_escaped(tok)


# ----------------------------------------------------------------------------- public helpers


@dataclass(frozen=True)
class Token:
    """A token of the whole source: kind is comment, string, number, name, op, directive,
    hotkey, hotstring or text (literal text such as a hotstring's replacement)."""

    kind: str
    text: str
    line: int
    column: int


def _token_kind(tok: str) -> str:
    c = tok[0]
    if c in "\"'":
        return "string"
    if c.isdigit() or (c == "." and len(tok) > 1):
        return "number"
    if c.isalpha() or c == "_" or ord(c) > 127:
        return "name"
    return "op"


def tokenize(text: str) -> list[Token]:
    """Tokens of a script, comments and whitespace left out, with 1-based line and column."""
    out: list[Token] = []
    lines, _ = split_logical_lines(text)
    for ll in lines:
        body = ll.text
        if ll.kind == "directive":
            name = body.split(None, 1)[0]
            out.append(Token("directive", name, ll.line, ll.col))
            if name.lower() != "#hotif":
                rest = body[len(name) :].strip()
                if rest:
                    line, col = ll.position(body.index(rest, len(name)))
                    out.append(Token("text", rest, line, col))
                continue
            start = len(name)
        elif ll.kind in ("hotkey", "hotstring"):
            out.append(Token(ll.kind, ll.head, ll.line, ll.col))
            start = ll.body_at
            if ll.kind == "hotstring" and "x" not in ll.head.split(":")[1].lower():
                rest = body[start:]
                if rest.strip():
                    line, col = ll.position(start)
                    out.append(Token("text", rest, line, col))
                continue
        else:
            start = 0
        offset = start
        for tok in lex(body[start:]):
            if tok[0] not in WHITESPACE_START:
                line, col = ll.position(offset)
                out.append(Token(_token_kind(tok), tok.replace("\x01", " "), line, col))
            offset += len(tok)
    return out


def strip_comments(text: str) -> str:
    """The source with every comment replaced by spaces; lines and columns stay where they were."""
    return _blank(text, strings=False)


def strip_comments_and_strings(text: str) -> str:
    """The source with comments and the contents of quoted strings replaced by spaces."""
    return _blank(text, strings=True)


def _blank(text: str, strings: bool) -> str:
    """Comments (and with `strings`, string contents) replaced by spaces."""
    lines = text.split("\n")
    plain = [raw[:-1] if raw.endswith("\r") else raw for raw in lines]
    items = _physical_items(plain, [])
    out = [_spaces(raw) for raw in lines]
    for item in items:
        if isinstance(item, _Section):  # its text is literal: kept, or blanked with the strings
            end = item.close_line if item.close_line >= 0 else len(lines) - 1
            for k in range(item.line, end + 1):
                inside = item.line < k < end or (k == end and item.close_line < 0)
                out[k] = out[k] if strings and inside else lines[k]
            if item.close_line >= 0:
                raw, cut = lines[end], item.close_col - 1
                kept = raw[:cut] + item.close_rest
                out[end] = kept + _spaces(raw[len(kept) :])
            continue
        row, col, code = item
        raw = lines[row]
        start = col - 1
        if not strings:
            out[row] = raw[:start] + code + _spaces(raw[start + len(code) :])
            continue
        out[row] = raw[:start] + _blank_strings(code) + _spaces(raw[start + len(code) :])
    return "\n".join(out)


def _spaces(s: str) -> str:
    return " " * len(s.rstrip("\r")) + ("\r" if s.endswith("\r") else "")


def _blank_strings(code: str) -> str:
    parts = []
    for tok in lex(code):
        if tok[0] in "\"'" and len(tok) > 1:
            inner = tok[1:-1] if string_closed(tok) else tok[1:]
            tail = tok[0] if string_closed(tok) else ""
            parts.append(tok[0] + " " * len(inner) + tail)
        else:
            parts.append(tok)
    return "".join(parts)
