"""#Include validation and fixing: resolution order, comments and strings, the root as a fence."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from core.corpus import includes
from core.corpus.includes import apply_fix, find_directives, plan_fix, undo_fix, validate
from core.errors import StudioError


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def write(root: Path, rel: str, text: str, encoding: str = "utf-8") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def results(root: Path) -> dict[tuple[str, int], includes.IncludeResult]:
    return {(r.file, r.line): r for r in validate(root).includes}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A corpus inside tmp_path/outer, so that tmp_path/outer/.. holds files outside it."""
    corpus = tmp_path / "outer" / "corpus"
    write(corpus, "Lib/StrUtils.ahk", "Trim2(s) => Trim(s)\n")
    write(corpus, "app/Lib/Local.ahk", "Local() => 1\n")
    write(corpus, "app/helper.ahk", "Help() => 2\n")
    write(corpus, "app/parts/part.ahk", "Part() => 3\n")
    write(corpus, "shared/common.ahk", "Common() => 4\n")
    write(tmp_path / "outer", "secret.ahk", "secret\n")
    return corpus


def test_directive_forms_are_parsed():
    text = "\n".join(
        [
            "#Include <StrUtils>",
            '#Include "app\\helper.ahk"  ; the helper',
            "#include 'single quoted.ahk'",
            "#Include *i optional.ahk",
            '#Include "*i quoted optional.ahk"',
            "#IncludeAgain again.ahk",
            "  #Include %A_ScriptDir%\\lib",
            "#Include semi`;colon.ahk",
            "#Includes notadirective.ahk",
        ]
    )
    found = [(d.line, d.target, d.library, d.optional) for d in find_directives(text)]
    assert found == [
        (1, "StrUtils", True, False),
        (2, "app\\helper.ahk", False, False),
        (3, "single quoted.ahk", False, False),
        (4, "optional.ahk", False, True),
        (5, "quoted optional.ahk", False, True),
        (6, "again.ahk", False, False),
        (7, "%A_ScriptDir%\\lib", False, False),
        (8, "semi;colon.ahk", False, False),
    ]
    assert find_directives(text)[1].directive == '#Include "app\\helper.ahk"'


def test_directives_in_comments_and_strings_are_ignored():
    text = "\n".join(
        [
            "; #Include commented.ahk",
            "/*",
            "#Include in_block.ahk",
            "*/",
            "/* one-line block */",
            "#Include real.ahk",
            "text := '",
            "(",
            "#Include in_continuation_section.ahk",
            ")'",
            'MsgBox "#Include in_a_string.ahk"',
            "x := 1  /*",
            "#Include after_code.ahk",
        ]
    )
    assert [d.target for d in find_directives(text)] == ["real.ahk", "after_code.ahk"]


def test_library_resolution_order_and_function_prefix(root: Path):
    write(root, "app/main.ahk", "#Include <Local>\n#Include <StrUtils>\n#Include <strutils_Pad>\n")
    write(root, "Lib/Local.ahk", "; shadowed by app/Lib/Local.ahk\n")
    got = results(root)
    local, root_lib, prefix = got["app/main.ahk", 1], got["app/main.ahk", 2], got["app/main.ahk", 3]
    assert (local.status, local.kind, local.resolved) == ("ok", "library", "app/Lib/Local.ahk")
    assert local.reason == "Lib/ beside the script"
    assert (root_lib.resolved, root_lib.reason) == ("Lib/StrUtils.ahk", "Lib/ at the corpus root")
    assert root_lib.tried == ["app/Lib/StrUtils.ahk", "Lib/StrUtils.ahk"]
    assert prefix.resolved == "Lib/StrUtils.ahk"
    assert prefix.tried[-1] == "Lib/strutils.ahk"


def test_paths_resolve_from_the_script_case_insensitively_never_from_the_root(root: Path):
    write(
        root,
        "app/main.ahk",
        "#Include HELPER.AHK\n#Include 'shared\\common.ahk'\n#Include parts/Part.ahk\n"
        "#Include ..\\shared\\common.ahk\n",
    )
    got = results(root)
    assert got["app/main.ahk", 1].resolved == "app/helper.ahk"
    assert got["app/main.ahk", 1].reason == "relative to the script"
    root_relative = got["app/main.ahk", 2]  # AutoHotkey does not look in the corpus root
    assert (root_relative.status, root_relative.reason) == ("broken", "not found")
    assert root_relative.tried == ["app/shared/common.ahk"]
    assert got["app/main.ahk", 3].resolved == "app/parts/part.ahk"
    assert got["app/main.ahk", 4].resolved == "shared/common.ahk"


def test_variables_and_directory_includes(root: Path):
    write(
        root,
        "app/main.ahk",
        "\n".join(
            [
                "#Include %A_LineFile%\\..\\helper.ahk",
                "#Include %A_ScriptDir%\\parts",
                "#Include part.ahk",
                "#Include %a_workingdir%\\helper.ahk",
                "#Include %A_AppData%\\lib.ahk",
            ]
        ),
    )
    got = results(root)
    assert got["app/main.ahk", 1].resolved == "app/helper.ahk"
    folder = got["app/main.ahk", 2]
    assert (folder.kind, folder.status, folder.resolved) == ("directory", "ok", "app/parts")
    assert got["app/main.ahk", 3].resolved == "app/parts/part.ahk"
    assert got["app/main.ahk", 3].reason == "relative to the include folder"
    assert got["app/main.ahk", 4].resolved == "app/helper.ahk"
    assert got["app/main.ahk", 5].status == "broken"
    assert "outside the corpus root" in got["app/main.ahk", 5].reason


def test_missing_optional_include_is_not_broken(root: Path):
    write(root, "a.ahk", "#Include *i nothere.ahk\n#Include nothere.ahk\n")
    got = results(root)
    assert got["a.ahk", 1].status == "ok" and "ignored because of *i" in got["a.ahk", 1].reason
    assert got["a.ahk", 2].status == "broken" and got["a.ahk", 2].reason == "not found"


def test_includes_leaving_the_root_are_broken_and_never_opened(
    root: Path, tmp_path: Path, monkeypatch
):
    os.symlink(tmp_path / "outer", root / "escape")
    write(tmp_path / "outer", "linked.ahk", "#Include secret.ahk\n")
    os.symlink(tmp_path / "outer" / "linked.ahk", root / "linked.ahk")
    write(
        root,
        "app/evil.ahk",
        "\n".join(
            [
                "#Include ..\\..\\etc\\passwd",
                "#Include ..\\..\\secret.ahk",
                f"#Include {tmp_path / 'outer' / 'secret.ahk'}",
                "#Include /etc/passwd",
                "#Include C:\\Windows\\System32\\evil.ahk",
                "#Include \\\\server\\share\\evil.ahk",
                "#Include ..\\escape\\secret.ahk",
                "#Include <..\\..\\secret>",
            ]
        ),
    )
    opened: list[Path] = []
    real_read = includes.read_script
    monkeypatch.setattr(includes, "read_script", lambda p: opened.append(p) or real_read(p))
    got = results(root)
    for line in range(1, 9):
        result = got["app/evil.ahk", line]
        assert (result.status, result.resolved) == ("broken", None), line
        assert "outside the corpus root" in result.reason
    assert all(Path(p).resolve().is_relative_to(root.resolve()) for p in opened)
    assert not any(r.file == "linked.ahk" for r in got.values())


def test_include_loops_terminate_and_every_file_is_read_once(root: Path, monkeypatch):
    write(root, "loop/a.ahk", "#Include b.ahk\n")
    write(root, "loop/b.ahk", "#Include a.ahk\n")
    write(root, "loop/c.ahk", "#Include part1.inc\n")
    write(root, "loop/part1.inc", "#Include part2.inc\n")
    write(root, "loop/part2.inc", "#Include part1.inc\n#Include gone.inc\n")
    opened: list[str] = []
    real_read = includes.read_script
    monkeypatch.setattr(includes, "read_script", lambda p: opened.append(str(p)) or real_read(p))
    got = results(root)
    assert got["loop/a.ahk", 1].status == got["loop/b.ahk", 1].status == "ok"
    assert got["loop/part2.inc", 1].resolved == "loop/part1.inc"
    assert got["loop/part2.inc", 2].status == "broken"
    assert len(opened) == len(set(opened))


def test_utf16_crlf_and_unreadable_files(root: Path):
    write(root, "u16.ahk", "\ufeff#Include <StrUtils>\r\n#Include nope.ahk\r\n", "utf-16-le")
    os.symlink(root / "missing.ahk", root / "dangling.ahk")
    write(root, "binary.ahk", "#Include x.ahk\x00\x00")
    report = validate(root)
    assert [(r.file, r.line, r.status) for r in report.includes] == [
        ("u16.ahk", 1, "ok"),
        ("u16.ahk", 2, "broken"),
    ]


def test_reports_text_and_json(root: Path):
    write(root, "b.ahk", "#Include <StrUtils>\n\n#Include gone.ahk\n")
    write(root, "a.ahk", "#Include shared\\common.ahk\n#Include <Nope>\n")
    report = validate(root)
    data = report.to_dict()
    assert (data["total"], data["ok"], data["broken"]) == (4, 2, 2)
    assert set(data["includes"][0]) == {
        "file", "line", "directive", "target", "kind", "status", "resolved", "reason", "tried",
    }  # fmt: skip
    json.dumps(data)
    text = report.text()
    assert "Includes: 4" in text and "Valid:    2 (50.0%)" in text and "Broken:   2 (50.0%)" in text
    assert text.index("  a.ahk\n    line 2: #Include <Nope>") < text.index("  b.ahk\n    line 3:")


def test_fix_preview_apply_and_undo_are_exact(root: Path, workspace: Path, tmp_path: Path):
    write(root, "crlf.ahk", "x := 1\r\n    #Include gone.ahk ; old\r\n#Include <StrUtils>\r\n")
    write(root, "u16.ahk", "\ufeff#Include ..\\..\\..\\etc\\passwd\r\n", "utf-16-le")
    outer = snapshot(tmp_path / "outer")
    edits = plan_fix(root)
    assert snapshot(tmp_path / "outer") == outer
    assert {e.path for e in edits} == {"crlf.ahk", "u16.ahk"}
    backup = apply_fix(root, edits, workspace)
    assert backup.dir.parent == workspace / "backups" / "includes"
    assert (root / "crlf.ahk").read_bytes() == (
        b"x := 1\r\n    ; [broken include] #Include gone.ahk ; old\r\n#Include <StrUtils>\r\n"
    )
    u16 = (root / "u16.ahk").read_bytes()
    assert u16.startswith(b"\xff\xfe")
    assert u16[2:].decode("utf-16-le") == "; [broken include] #Include ..\\..\\..\\etc\\passwd\r\n"
    assert validate(root).broken == 0
    changed = snapshot(tmp_path / "outer")
    assert {k for k in changed if changed[k] != outer.get(k)} == {
        "corpus/crlf.ahk",
        "corpus/u16.ahk",
    }
    undo_fix(root, workspace)
    assert snapshot(tmp_path / "outer") == outer


def test_fix_points_a_broken_include_at_the_one_file_of_that_name(root: Path, workspace: Path):
    write(root, "tools/Widgetry.ahk", "Help() => 1\n")
    write(root, "app/main.ahk", "  #Include widgetry.ahk ; the helper\n#Include nowhere.ahk\n")
    (edit,) = plan_fix(root)
    assert edit.counts == {
        "pointed #Include at the file found": 1,
        "commented out broken #Include": 1,
    }
    apply_fix(root, [edit], workspace)
    assert (root / "app" / "main.ahk").read_text() == (
        "  #Include ..\\tools\\Widgetry.ahk ; the helper\n; [broken include] #Include nowhere.ahk\n"
    )
    fixed = results(root)[("app/main.ahk", 1)]
    assert (fixed.status, fixed.resolved) == ("ok", "tools/Widgetry.ahk")


def test_fix_skips_files_changed_since_validation(root: Path):
    write(root, "a.ahk", "#Include gone.ahk\n")
    report = validate(root)
    write(root, "a.ahk", "; rewritten\n#Include gone.ahk\n")
    skipped: dict[str, str] = {}
    assert plan_fix(root, report, on_skip=skipped.__setitem__) == []
    assert "changed since the validation" in skipped["a.ahk"]


def test_cli_reports_fix_dry_run_fix_and_undo(root: Path, workspace: Path, tmp_path: Path, capsys):
    write(root, "a.ahk", "#Include gone.ahk\n#Include <StrUtils>\n")
    before = snapshot(root)
    common = ["--root", str(root), "--workspace", str(workspace)]
    paths = ["--report", str(tmp_path / "r.txt"), "--json", str(tmp_path / "r.json")]
    assert includes.main([*common, *paths]) == 0
    assert json.loads((tmp_path / "r.json").read_text())["broken"] == 1
    assert "line 1: #Include gone.ahk -> not found" in (tmp_path / "r.txt").read_text()
    assert includes.main([*common, "--fix", "--dry-run"]) == 0
    assert "+; [broken include] #Include gone.ahk" in capsys.readouterr().out
    assert snapshot(root) == before
    assert includes.main([*common, "--fix"]) == 0
    assert snapshot(root) != before
    assert includes.main([*common, "--undo"]) == 0
    assert snapshot(root) == before
    assert includes.main([*common, "--undo"]) == 1


def test_missing_root_is_a_clear_error(tmp_path: Path):
    with pytest.raises(StudioError, match="corpus folder not found"):
        validate(tmp_path / "nope")


def test_bundled_corpus_library_include_works_and_broken_one_is_reported(corpus_copy: Path):
    report = validate(corpus_copy)
    libraries = [r for r in report.includes if r.kind == "library" and r.status == "ok"]
    assert any(r.target.lower() == "strutils" for r in libraries)
    assert report.broken >= 1
    before = snapshot(corpus_copy)
    plan_fix(corpus_copy, report)
    assert snapshot(corpus_copy) == before
