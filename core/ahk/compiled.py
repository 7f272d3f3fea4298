"""The built-in checker compiled to C by mypyc (part of mypy, a pinned dev requirement): about
2.5 times its speed, from the very same source.

`python -m core.ahk.build` (run by `make setup`) compiles the lexer, expr, syntax, builtins and
include_resolver modules into build/ahk-checker/<hash of their source>/ in the checkout.
`use_compiled()`, called when core.ahk is imported, loads those modules from there only when a
build of exactly this source exists; otherwise (no C compiler, a failed build, a source edited
since) the pure-Python modules run, with the same results. AHK_CHECKER_PURE=1 forces the pure-Python ones.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

MODULES = ("builtins", "lexer", "expr", "include_resolver", "syntax")
HERE = Path(__file__).parent
BUILDS = HERE.parent.parent / "build" / "ahk-checker"


def source_hash() -> str:
    """A hash of the compiled modules' source and of this Python's version."""
    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for name in MODULES:
        digest.update(name.encode() + b"\0" + (HERE / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def build_dir() -> Path:
    """Where the build of this source lives (it may not exist)."""
    return BUILDS / source_hash()


class _Finder:
    """Finds the compiled modules (and mypyc's shared library) by their full names (a meta path
    finder; not derived from importlib.abc, whose import alone costs 30 ms)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def use_compiled() -> bool:
    """Load the checker's modules from the build of this source, if there is one."""
    if os.environ.get("AHK_CHECKER_PURE") or any(isinstance(f, _Finder) for f in sys.meta_path):
        return False
    folder = build_dir()
    files = {f"core.ahk.{p.name.split('.')[0]}": p for p in folder.glob("core/ahk/*.so")}
    if sorted(files) != sorted(f"core.ahk.{name}" for name in MODULES):
        return False
    files.update({p.name.split(".")[0]: p for p in folder.glob("*__mypyc.*.so")})
    sys.meta_path.insert(0, _Finder(files))
    return True


def is_compiled() -> bool:
    """Whether the checker now running is the compiled one."""
    from core.ahk import syntax

    return not syntax.__file__.endswith(".py")
