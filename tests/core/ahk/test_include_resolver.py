"""The one #Include resolver: the checker and the Includes tool agree on every case, and the
rules match the real AutoHotkey v2 (the interpreter as the oracle, where Wine is installed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.ahk.check import check_file
from core.ahk.include_resolver import IncludeResolver, parse_argument
from core.ahk.interpreter import find_interpreter, run_interpreter
from core.corpus.includes import validate
from core.workspace import REPO_ROOT

WINE_WORKSPACE = REPO_ROOT / "workspace" / ".test-cache" / "ahk"
INCLUDE_CODES = {"include-missing", "include-outside"}

# case: (files, the first one being the script; whether AutoHotkey loads it)
CASES: dict[str, tuple[dict[str, str], bool]] = {
    "case": ({"main.ahk": "#Include HELPER.AHK\nx := Help()\n", "helper.ahk": "Help() => 1\n"}, True),
    "lib": ({"main.ahk": "#Include <strutils>\n", "Lib/StrUtils.ahk": "Pad() => 1\n"}, True),
    "lib prefix": ({"main.ahk": "#Include <StrUtils_Pad>\n", "Lib/StrUtils.ahk": "Pad() => 1\n"}, True),
    "lib folder": ({"main.ahk": "#Include <text\\Pad>\n", "Lib/text/Pad.ahk": "Pad() => 1\n"}, True),
    "include folder": ({"main.ahk": "#Include parts\n#Include part.ahk\n", "parts/part.ahk": "P() => 1\n"}, True),
    "optional": ({"main.ahk": "#Include *i gone.ahk\nx := 1\n"}, True),
    "optional quoted": ({"main.ahk": '#Include "*i gone.ahk"\nx := 1\n'}, True),
    "optional folder": ({"main.ahk": "#Include *i gone\\\n#Include h.ahk\n", "h.ahk": "x := 1\n"}, True),
    "missing": ({"main.ahk": "#Include gone.ahk\n"}, False),
    "missing library": ({"main.ahk": "#Include <Gone>\n"}, False),
    "beside the included file": ({"main.ahk": "#Include sub\\a.ahk\n", "sub/a.ahk": "#Include b.ahk\n", "sub/b.ahk": "B() => 1\n"}, True),
    "not beside the script": ({"main.ahk": "#Include sub\\a.ahk\n", "sub/a.ahk": "#Include b.ahk\n", "b.ahk": "B() => 1\n"}, False),
    "library of the script": ({"main.ahk": "#Include sub\\a.ahk\n", "sub/a.ahk": "#Include <L>\n", "Lib/L.ahk": "L() => 1\n"}, True),
    "no library of an included file": ({"main.ahk": "#Include sub\\a.ahk\n", "sub/a.ahk": "#Include <L>\n", "sub/Lib/L.ahk": "L() => 1\n"}, False),
    "A_LineFile": ({"main.ahk": "#Include sub\\a.ahk\n", "sub/a.ahk": "#Include %A_LineFile%\\..\\b.ahk\n", "sub/b.ahk": "B() => 1\n"}, True),
    "A_ScriptDir": ({"main.ahk": "#Include sub\\a.ahk\n", "sub/a.ahk": "#Include %A_ScriptDir%\\b.ahk\n", "b.ahk": "B() => 1\n"}, True),
    "not a variable": ({"main.ahk": "#Include %Tools%\\b.ahk\n", "%Tools%/b.ahk": "B() => 1\n"}, True),
    "folder of a subfolder": ({"main.ahk": "#Include up\\app\\main2.ahk\n", "up/app/main2.ahk": "#Include ..\\shared\\c.ahk\n", "up/shared/c.ahk": "C() => 1\n"}, True),
    "folder of the file only": ({"main.ahk": "#Include d1\n#Include %A_ScriptDir%\\sub\\a.ahk\n", "sub/a.ahk": "#Include x.ahk\n", "d1/x.ahk": "X() => 1\n"}, False),
    "folder not handed back": ({"main.ahk": "#Include sub\\a.ahk\n#Include y.ahk\n", "sub/a.ahk": "#Include %A_ScriptDir%\\d1\n", "d1/y.ahk": "Y() => 1\n"}, False),
    "folder reset": ({"main.ahk": "#Include d1\n#Include x.ahk\n#Include %A_ScriptDir%\n#Include z.ahk\n", "d1/x.ahk": "X() => 1\n", "z.ahk": "Z() => 1\n"}, True),
    "folder in a folder": ({"main.ahk": "#Include d1\n#Include d2\n#Include w.ahk\n", "d1/d2/w.ahk": "W() => 1\n"}, True),
}  # fmt: skip


def _write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder / next(iter(files))


def _builtin_loads(script: Path, root: Path) -> bool:
    return not any(d.code in INCLUDE_CODES for d in check_file(script, root).diagnostics)


def _tool_loads(root: Path, script: Path) -> bool:
    rel = script.relative_to(root).as_posix()
    return all(r.status == "ok" for r in validate(root).includes if r.file == rel)


def test_the_checker_and_the_includes_tool_agree(tmp_path: Path):
    """The cases of issue 13: case difference, <Lib> at the corpus root, an include folder, *i,
    and targets outside the root, all judged alike by both."""
    corpus = tmp_path / "corpus"
    _write(corpus, {"Lib/StrUtils.ahk": "Pad() => 1\n", "app/helper.ahk": "Help() => 1\n"})
    (tmp_path / "secret.ahk").write_text("Secret() => 1\n")
    scripts = {
        "app/case.ahk": ("#Include HELPER.AHK\n", True),
        "app/root_lib.ahk": ("#Include <StrUtils>\n", True),
        "app/folder.ahk": ("#Include %A_ScriptDir%\\..\\Lib\n#Include StrUtils.ahk\n", True),
        "app/optional.ahk": ("#Include *i gone.ahk\n", True),
        "app/missing.ahk": ("#Include gone.ahk\n", False),
        "app/up.ahk": ("#Include ..\\..\\secret.ahk\n", False),
        "app/appdata.ahk": ("#Include %A_AppData%\\lib.ahk\n", False),
        "app/absolute.ahk": (f"#Include {tmp_path / 'secret.ahk'}\n", False),
    }
    for rel, (text, _) in scripts.items():
        _write(corpus, {rel: text})
    for rel, (_, loads) in scripts.items():
        script = corpus / rel
        assert (_builtin_loads(script, corpus), _tool_loads(corpus, script)) == (loads, loads), rel
    outside = check_file(corpus / "app/up.ahk", corpus).diagnostics
    assert [d.code for d in outside] == ["include-outside"]


def test_targets_outside_the_root_are_never_opened(tmp_path: Path, monkeypatch):
    corpus = tmp_path / "corpus"
    (tmp_path / "secret.ahk").write_text("Secret(x) => x\n")
    script = _write(corpus, {"main.ahk": "#Include ..\\secret.ahk\nSecret(1, 2)\n"})
    opened: list[Path] = []
    import core.ahk.check as check

    real = check._read
    monkeypatch.setattr(check, "_read", lambda p: opened.append(Path(p)) or real(p))
    assert [d.code for d in check.check_file(script, corpus).diagnostics] == ["include-outside"]
    assert opened == [script]


def test_the_resolver_reads_the_forms_of_the_argument(tmp_path: Path):
    assert parse_argument('"*i  Helpers\\a`;b.ahk"') == parse_argument("*i 'Helpers\\a`;b.ahk'")
    assert parse_argument("*i <Lib_Func>").library
    resolver = IncludeResolver(tmp_path)
    (tmp_path / "Lib").mkdir()
    (tmp_path / "Lib" / "Str.ahk").write_text("")
    script = str(tmp_path / "main.ahk")
    found = resolver.resolve(parse_argument("<STR_pad>"), script, script, str(tmp_path))
    assert (found.path, found.how) == (str(tmp_path / "Lib" / "Str.ahk"), "Lib/ beside the script")


@pytest.mark.interpreter
@pytest.mark.skipif(
    find_interpreter() is None,
    reason="AutoHotkey v2 not found: needs `pip install ahk-binary` and Wine (apt-get install wine)",
)
def test_the_rules_are_the_interpreters(tmp_path: Path):
    scripts = {
        name: _write(tmp_path / f"case{i}", files)
        for i, (name, (files, _)) in enumerate(CASES.items())
    }
    loaded = run_interpreter(list(scripts.values()), workspace=WINE_WORKSPACE, jobs=2, timeout=60)
    for name, script in scripts.items():
        interp = not any(
            d.code == "interpreter-include" for d in loaded[script.resolve()].diagnostics
        )
        builtin = _builtin_loads(script, script.parent)
        assert (interp, builtin) == (CASES[name][1], CASES[name][1]), name
