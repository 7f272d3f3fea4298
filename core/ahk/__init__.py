"""AutoHotkey v2 itself: lexer, expressions, syntax and builtins of the built-in checker, and the
real interpreter under Wine. `python -m core.ahk PATH` checks scripts from the shell.

The lexer, expressions, syntax and builtins load compiled (core.ahk.compiled) where a build of
this very source exists, and as plain Python otherwise."""

from core.ahk.compiled import use_compiled

use_compiled()
