"""The built-in AutoHotkey v2 checker (no Wine needed): lexer, diagnostics, verdicts, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.ahk.check import (
    CheckResult,
    Diagnostic,
    check_file,
    check_source,
    strip_comments,
    strip_comments_and_strings,
    tokenize,
)
from core.ahk.cli import main
from core.ahk.interpreter import find_interpreter, parse_interpreter_output, run_interpreter
from core.errors import StudioError

SNIPPETS = Path(__file__).parents[2] / "ahk_snippets"
EXPECTED_VERDICT = {"v2": "v2", "v1": "v1", "mixed": "mixed"}


def _snippets(label: str) -> list[Path]:
    return sorted((SNIPPETS / label).glob("*.ahk"))


def codes(result: CheckResult, severity: str | None = None) -> list[str]:
    return [d.code for d in result.diagnostics if severity is None or d.severity == severity]


def test_there_are_at_least_120_labelled_snippets():
    assert sum(len(_snippets(label)) for label in ("v2", "v2_invalid", "v1", "mixed")) >= 120


@pytest.mark.parametrize("path", _snippets("v2"), ids=lambda p: p.stem)
def test_valid_v2_snippets_have_no_errors_and_are_judged_v2(path):
    result = check_file(path)
    assert codes(result, "error") == []
    assert result.verdict == "v2"


@pytest.mark.parametrize("path", _snippets("v2_invalid"), ids=lambda p: p.stem)
def test_v2_snippets_with_load_errors_have_an_error_diagnostic(path):
    assert check_file(path).errors >= 1


@pytest.mark.parametrize("label", ["v1", "mixed"])
def test_v1_and_mixed_snippets_get_their_verdict(label):
    wrong = {p.name: check_file(p).verdict for p in _snippets(label)}
    wrong = {name: v for name, v in wrong.items() if v != EXPECTED_VERDICT[label]}
    assert wrong == {}


# ----------------------------------------------------------------------------- no false alarms


@pytest.mark.parametrize(
    "source",
    [
        'MsgBox("a, b")\n',
        'MsgBox "a, b"\n',
        'x := "100% done, %name% stays text"\n',
        's := StrReplace(x, ",", ";")\n',
        "::btw::by the way, friend\n",
        "; MsgBox, v1 in a comment\nx := 1 ; x = 5 in a comment\n",
        "/*\nMsgBox, v1 in a block comment\nx = 5\n*/\ny := 2\n",
        'text := "\n(\nLine with 100% and %var% and a, comma\n)"\n',
        "x := 'single, quoted %s'\n",
    ],
)
def test_no_v1_alarm_inside_strings_and_comments(source):
    result = check_source(source)
    assert result.diagnostics == []
    assert result.verdict == "v2"


# ----------------------------------------------------------------------------- v1 constructs


@pytest.mark.parametrize(
    ("source", "code", "severity"),
    [
        ("MsgBox, text\n", "legacy-command", "error"),
        ("Send, {Enter}\n", "legacy-command", "error"),
        ("Sleep, 100\n", "legacy-command", "error"),
        ("IfWinExist, Untitled\n", "legacy-command", "error"),
        ("Loop, Parse, x, `,\n    y := 1\n", "legacy-command", "error"),
        ("x = 5\n", "legacy-assignment", "error"),
        ("MsgBox % x\n", "forced-expression", "error"),
        ("Run %ComSpec%\n", "legacy-deref", "warning"),
        ("#NoEnv\n", "removed-directive", "error"),
        ("SetBatchLines -1\n", "removed-command", "warning"),
        ("Gosub Setup\nSetup:\n", "removed-command", "warning"),
        ('x := ComObjCreate("Scripting.Dictionary")\n', "removed-function", "warning"),
        ("#Requires AutoHotkey v1.1.33+\n", "requires-v1", "error"),
        ("x := 1\nIf x = hello world\n    y := 2\n", "legacy-if", "warning"),
        ("obj := new Foo()\n", "legacy-new", "warning"),
    ],
)
def test_each_v1_construct_has_its_code(source, code, severity):
    result = check_source(source)
    assert (code, severity) in [(d.code, d.severity) for d in result.diagnostics]
    assert result.verdict in ("v1", "mixed")


def test_requires_v2_1_is_info_not_error():
    result = check_source("#Requires AutoHotkey v2.1-alpha.9\nx := 1\n")
    assert codes(result) == ["needs-v2.1"]
    assert result.diagnostics[0].severity == "info"
    assert result.verdict == "v2"


# ----------------------------------------------------------------------------- v2 load errors


@pytest.mark.parametrize(
    ("source", "code", "line", "column"),
    [
        ("x := (1 + 2\n", "unbalanced-bracket", 1, 6),
        ("f() {\n    return 1\n", "unbalanced-bracket", 1, 1),
        ("x := 1\n}\n", "unbalanced-bracket", 2, 1),
        ('x := "abc\n', "unterminated-string", 1, 6),
        ('s := "\n(\nnever closed\n', "unterminated-continuation", 2, 1),
        ("n := StrLen()\n", "arity", 1, 6),
        ("Sleep 1, 2\n", "arity", 1, 1),
        ("f(a) {\n}\nf(1, 2)\n", "arity", 3, 1),
        ("f() {\n}\nF() {\n}\n", "duplicate", 3, 1),
        ("class C {\n}\nC := 1\n", "readonly", 3, 1),
        ("^j::x := 1\n^j::y := 1\n", "duplicate", 2, 1),
        ("^foo::x := 1\n", "invalid-hotkey", 1, 1),
        ("x := 1\nelse\n    y := 2\n", "misplaced", 2, 1),
        ("class A extends Missing {\n}\n", "unknown-class", 1, 17),
        ('x := {"a": 1}\n', "syntax", 1, 7),
        ("x := 1 ? 2\n", "syntax", 1, 1),
    ],
)
def test_load_errors_have_code_and_position(source, code, line, column):
    result = check_source(source)
    found = [(d.code, d.line, d.column) for d in result.diagnostics if d.severity == "error"]
    assert (code, line, column) in found


def test_unterminated_block_comment_is_a_warning():
    result = check_source("x := 1\n/* never closed\nMsgBox, hidden\n")
    assert [(d.code, d.severity, d.line) for d in result.diagnostics] == [
        ("unterminated-comment", "warning", 2)
    ]


def test_a_global_variable_may_not_share_a_class_name_but_a_local_may():
    assert codes(check_source("class Foo {\n}\nFoo := 1\n"), "error") == ["readonly"]
    assert codes(check_source("class Foo {\n}\ng() {\n    Foo := 1\n}\n"), "error") == []
    assert codes(check_source("class Foo {\n}\ng() {\n    global Foo\n    Foo := 1\n}\n")) == [
        "readonly"
    ]


def test_names_are_case_insensitive():
    assert codes(check_source("Add(a, b) {\n    return a + b\n}\nx := add(1)\n")) == ["arity"]
    assert codes(check_source("MAP := 1\n")) == ["readonly"]


def test_user_function_overrides_builtin_arity():
    source = "StrLen(a, b) {\n    return 0\n}\nx := StrLen(1, 2)\n"
    assert check_source(source).diagnostics == []


def test_continuation_lines_join_before_checking():
    source = 'x := Format("{1} {2}"\n    , "a"\n    , "b")\ny := 1\n    + 2\nz := [1,\n    2]\n'
    assert check_source(source).diagnostics == []


def test_semicolon_after_space_ends_the_line_even_inside_quotes():
    result = check_source('path := "C:\\dir ;not a string part"\n')
    assert codes(result) == ["unterminated-string"]


# ----------------------------------------------------------------------------- files and includes


def test_check_file_reads_utf16_with_bom(tmp_path):
    path = tmp_path / "wide.ahk"
    path.write_bytes('\ufeffMsgBox("é")\r\n'.encode("utf-16-le"))
    result = check_file(path)
    assert result.diagnostics == []
    assert result.verdict == "v2"


def test_missing_include_is_an_error_with_its_own_code(tmp_path):
    path = tmp_path / "main.ahk"
    path.write_text("#Include helpers\\nothere.ahk\n#Include *i optional.ahk\nx := 1\n")
    assert [(d.code, d.line) for d in check_file(path).diagnostics] == [("include-missing", 1)]


def test_included_files_are_checked_with_the_script(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "util.ahk").write_text("Twice(x) {\n    return x * 2\n}\n")
    (tmp_path / "main.ahk").write_text("#Include lib\\util.ahk\nMsgBox Twice(1, 2)\n")
    assert codes(check_file(tmp_path / "main.ahk")) == ["arity"]
    (tmp_path / "lib" / "util.ahk").write_text("Twice(x) {\n    return x * 2\n")
    result = check_file(tmp_path / "main.ahk")
    assert result.diagnostics[0].code == "unbalanced-bracket"
    assert "util.ahk" in result.diagnostics[0].message


def test_include_loop_terminates(tmp_path):
    (tmp_path / "a.ahk").write_text("#Include b.ahk\nx := 1\n")
    (tmp_path / "b.ahk").write_text("#Include a.ahk\ny := 2\n")
    assert check_file(tmp_path / "a.ahk").diagnostics == []


def test_unreadable_file_is_reported(tmp_path):
    result = check_file(tmp_path / "missing.ahk")
    assert codes(result) == ["unreadable"]


# ----------------------------------------------------------------------------- results and helpers


def test_result_to_dict_round_trips_through_json():
    result = check_source("MsgBox, hi\n")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["verdict"] == "v1"
    assert data["errors"] == 1
    assert (
        data["diagnostics"][0]
        == Diagnostic(1, 1, "error", "legacy-command", data["diagnostics"][0]["message"]).to_dict()
    )


def test_tokenize_skips_comments_and_keeps_positions():
    toks = tokenize('x := "a ; b" ; comment\n/* block */\nMsgBox(x)\n')
    assert [(t.kind, t.text, t.line, t.column) for t in toks] == [
        ("name", "x", 1, 1),
        ("op", ":=", 1, 3),
        ("string", '"a', 1, 6),
        ("name", "MsgBox", 3, 1),
        ("op", "(", 3, 7),
        ("name", "x", 3, 8),
        ("op", ")", 3, 9),
    ]


def test_strip_helpers_keep_lines_and_columns():
    source = 'x := "keep" ; drop\n/*\nall gone\n*/\n#Include "a.ahk"\n'
    stripped = strip_comments(source)
    assert stripped.splitlines() == [
        'x := "keep"       ',
        "  ",
        "        ",
        "  ",
        '#Include "a.ahk"',
    ]
    blanked = strip_comments_and_strings(source)
    assert blanked.splitlines()[0] == 'x := "    "       '


# ----------------------------------------------------------------------------- CLI


def test_cli_prints_a_table_for_a_folder(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "old.AHK").write_text("MsgBox, hi\n")
    (tmp_path / "new.ahk").write_text('MsgBox("hi")\n')
    assert main([str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["path", "verdict", "score"]
    assert [line.split()[:2] for line in out[1:]] == [["new.ahk", "v2"], ["sub/old.AHK", "v1"]]


def test_cli_json_lines(tmp_path, capsys):
    path = tmp_path / "one.ahk"
    path.write_text("x = 1\n")
    assert main([str(path), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) >= {"path", "verdict", "score", "diagnostics"}
    assert record["path"] == "one.ahk"
    assert record["diagnostics"][0]["code"] == "legacy-assignment"


def test_cli_missing_path_is_a_one_line_error(tmp_path, capsys):
    assert main([str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err.startswith("error: no such file or folder")


# ----------------------------------------------------------------------------- interpreter output


def test_interpreter_output_is_parsed_into_diagnostics():
    path = Path("/corpus/demo.ahk")
    ok = parse_interpreter_output(path, 0, "")
    assert (ok.verdict, ok.diagnostics) == ("v2", [])
    syntax = parse_interpreter_output(
        path,
        2,
        'Z:\\corpus\\demo.ahk (3) : ==> Missing "}"\n     Specifically: f() {\n',
    )
    assert [(d.line, d.severity, d.code) for d in syntax.diagnostics] == [
        (3, "error", "interpreter")
    ]
    assert syntax.diagnostics[0].message == 'Missing "}" (Specifically: f() {)'
    include = parse_interpreter_output(
        path, 2, 'Z:\\corpus\\demo.ahk (1) : ==> #Include file "x.ahk" cannot be opened.\n'
    )
    assert [(d.code, d.severity) for d in include.diagnostics] == [("interpreter-include", "error")]
    newer = parse_interpreter_output(
        path,
        2,
        "Z:\\corpus\\demo.ahk (1) : ==> This script requires AutoHotkey v2.1-alpha.9.\n\n"
        "Current interpreter: AutoHotkey v2.0.18 64-bit\n",
    )
    assert [(d.code, d.severity) for d in newer.diagnostics] == [("needs-v2.1", "warning")]
    assert newer.errors == 0
    elsewhere = parse_interpreter_output(
        path, 2, 'Z:\\corpus\\lib\\util.ahk (7) : ==> Unexpected "}"\n'
    )
    assert elsewhere.diagnostics[0].line == 1
    assert elsewhere.diagnostics[0].message.startswith("in util.ahk line 7:")


def test_interpreter_failures_are_warnings_not_errors():
    timeout = parse_interpreter_output(Path("a.ahk"), -1, "no answer within 20 s")
    crashed = parse_interpreter_output(Path("a.ahk"), 1, "")
    assert [d.code for d in timeout.diagnostics] == ["interpreter-timeout"]
    assert [d.code for d in crashed.diagnostics] == ["interpreter-failed"]
    assert timeout.errors == crashed.errors == 0


def test_missing_interpreter_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AHK_V2_EXE", str(tmp_path / "nowhere" / "AutoHotkeyV2.exe"))
    assert find_interpreter() is None
    with pytest.raises(StudioError, match="AutoHotkey v2 interpreter not found"):
        run_interpreter([tmp_path / "x.ahk"], workspace=tmp_path)


def test_strip_helpers_treat_continuation_sections_as_text():
    source = 'x := "\n(\nsecret ; not a comment\n)" . y ; comment\n'
    assert strip_comments(source).splitlines() == [
        'x := "',
        "(",
        "secret ; not a comment",
        ')" . y          ',
    ]
    assert strip_comments_and_strings(source).splitlines()[2] == " " * 22
