"""The one #Include resolver: AutoHotkey v2's rules (checked against the interpreter), fenced to
a corpus root. The checker (core.ahk.syntax) and the Includes tool (core.corpus.includes) both
resolve with it.

- `#Include File`: relative to the folder of the file that holds the directive, or to the
  folder a `#Include Folder` earlier in that file chose; `%A_ScriptDir%`, `%A_LineFile%`,
  `%A_ScriptFullPath%`, `%A_ScriptName%`, `%A_WorkingDir%`, `%A_Space%`, `%A_Tab%` filled in
  (the working folder is the script's, as when it is run from there); other A_ variables
  (`%A_AppData%`, `%A_MyDocuments%`...) name folders of a machine, off the corpus; a `%name%`
  that is no built-in variable is literal text, as in AutoHotkey.
- `#Include <Name>`: Name.ahk in the script's Lib folder (A_ScriptDir\\Lib), then in Lib/ at the
  corpus root (the corpus's stand-in for the user and standard libraries); then, for
  `<Name_Function>`, Name.ahk in the same folders.
- `*i` (before or inside the quotes) ignores a failure; quotes may surround the argument.
- File names match case-insensitively, as on Windows.

A target outside the root (`..`, an absolute or drive path, a symlink out, a machine folder) is
reported as such and never opened.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

OUTSIDE = "outside the corpus root"

_VARIABLE = re.compile(r"%(A_\w+)%", re.IGNORECASE)
_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:|\\\\)")
_IGNORE_FAILURE = re.compile(r"^\*i\s+", re.IGNORECASE)


@dataclass(frozen=True)
class IncludeArg:
    """What an #Include names: the file, folder or library, quotes and `*i` removed."""

    target: str
    library: bool
    optional: bool  # *i: a failure to include is ignored


@dataclass(frozen=True)
class Resolved:
    """Where an #Include leads: kind library | file | directory; the real path when found."""

    kind: str
    path: str | None  # absolute, inside the root; None when not found
    problem: str  # "" when found, else why not ("not found", OUTSIDE...)
    how: str  # where it was found ("relative to the script", "Lib/ beside the script"...)
    tried: tuple[str, ...]  # absolute candidates, in order


def parse_argument(argument: str) -> IncludeArg:
    """The argument of #Include as written (after the directive, comment removed)."""
    target, optional = argument.strip(), False
    for _ in range(2):  # `*i "file"` and `"*i file"` are both written
        if _IGNORE_FAILURE.match(target):
            target, optional = _IGNORE_FAILURE.sub("", target, count=1).strip(), True
        if len(target) >= 2 and target[0] == target[-1] and target[0] in "\"'":
            target = target[1:-1].strip()
    target = target.replace("`;", ";")
    library = len(target) > 2 and target.startswith("<") and target.endswith(">")
    if library:
        target = target[1:-1].strip()
    return IncludeArg(target, library, optional)


class IncludeResolver:
    """Resolves #Include targets of scripts under `root`, case-insensitively, never outside it."""

    def __init__(self, root: Path | str) -> None:
        self.root = os.path.realpath(root)
        self._listings: dict[str, dict[str, str] | None] = {}

    def resolve(self, arg: IncludeArg, script: str, current: str, folder: str) -> Resolved:
        """Resolve `arg` written in `current` (a file of the script `script`), whose relative
        includes resolve from `folder` (the file's own, or one a directory include chose)."""
        if arg.library:
            return self._library(arg.target, script)
        if not arg.target:
            return Resolved("file", None, "no file named", "", ())
        expanded = _expand(arg.target, script, current)
        if expanded is None or _WINDOWS_ABSOLUTE.match(expanded):
            return Resolved("file", None, f"{OUTSIDE} ({arg.target})", "", ())
        expanded = expanded.replace("\\", "/")
        if os.path.isabs(expanded):
            how = "absolute path"
        else:
            moved = folder != os.path.dirname(current)
            how = "relative to the include folder" if moved else "relative to the script"
        candidate = os.path.normpath(os.path.join(folder, expanded))
        found, actual = self.locate(candidate)
        if actual is None:
            return Resolved(
                "file", None, OUTSIDE if found == "outside" else "not found", "", (candidate,)
            )
        kind = "directory" if found == "directory" else "file"
        return Resolved(kind, actual, "", how, (candidate,))

    def _library(self, name: str, script: str) -> Resolved:
        names = [name] + ([name.split("_", 1)[0]] if "_" in name.strip("_") else [])
        folders = [
            (os.path.join(os.path.dirname(script), "Lib"), "Lib/ beside the script"),
            (os.path.join(self.root, "Lib"), "Lib/ at the corpus root"),
        ]
        tried: list[str] = []
        outside = False
        for lib_name in names:
            for lib, how in folders:
                candidate = os.path.normpath(
                    os.path.join(lib, lib_name.replace("\\", "/") + ".ahk")
                )
                if candidate in tried:
                    continue
                tried.append(candidate)
                found, actual = self.locate(candidate)
                outside = outside or found == "outside"
                if found == "file" and actual is not None:
                    return Resolved("library", actual, "", how, tuple(tried))
        problem = OUTSIDE if outside else "library not found"
        return Resolved("library", None, problem, "", tuple(tried))

    # -- the fence ---------------------------------------------------------------------

    def inside(self, path: str) -> bool:
        """Whether a normalised absolute path lies in the root."""
        return path == self.root or path.startswith(self.root.rstrip(os.sep) + os.sep)

    def relative(self, path: str) -> str:
        """A path inside the root as POSIX, relative to it; one outside as given."""
        return Path(os.path.relpath(path, self.root)).as_posix() if self.inside(path) else path

    def locate(self, path: str) -> tuple[str, str | None]:
        """('file' | 'directory' | 'missing' | 'outside', actual path) for a normalised path."""
        if not self.inside(path):
            return "outside", None
        actual = path if os.path.lexists(path) else self._case_insensitive(path)
        if actual is None:
            return "missing", None
        if not self.inside(os.path.realpath(actual)):
            return "outside", None  # a symlink out of the root: never followed
        if os.path.isdir(actual):
            return "directory", actual
        return ("file", actual) if os.path.isfile(actual) else ("missing", None)

    def _case_insensitive(self, path: str) -> str | None:
        current = self.root
        for part in Path(os.path.relpath(path, self.root)).parts:
            listing = self._listing(current)
            name = listing.get(part.lower()) if listing else None
            if name is None:
                return None
            current = os.path.join(current, name)
        return current

    def _listing(self, folder: str) -> dict[str, str] | None:
        if folder not in self._listings:
            try:
                names = sorted(os.listdir(folder), reverse=True)  # first name wins on a clash
                self._listings[folder] = {name.lower(): name for name in names}
            except OSError:
                self._listings[folder] = None
        return self._listings[folder]


def _expand(target: str, script: str, current: str) -> str | None:
    """The target with AutoHotkey's variables filled in; None if one names a place off the corpus."""
    values = {
        "a_scriptdir": os.path.dirname(script),
        "a_workingdir": os.path.dirname(script),
        "a_initialworkingdir": os.path.dirname(script),
        "a_linefile": current,
        "a_scriptfullpath": script,
        "a_scriptname": os.path.basename(script),
        "a_space": " ",
        "a_tab": "\t",
    }
    if any(m.group(1).lower() not in values for m in _VARIABLE.finditer(target)):
        return None
    return _VARIABLE.sub(lambda m: values[m.group(1).lower()], target)
