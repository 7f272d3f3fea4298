"""Normalise: ordered regex rules, dry runs that write nothing, exact applies and undos."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from core.corpus import normalize
from core.corpus.normalize import (
    apply,
    compile_rule,
    load_rules,
    parse_pattern,
    plan,
    rule_error,
    save_rules,
    split_pattern,
    undo,
    write_report,
)
from core.errors import StudioError

SEED_RULES = [
    ("V1toV2_GblCode_001", "GlobalInitBlock"),
    ("V1toV2_GblCode_002", "GlobalInitBlock2"),
    ("HotkeyStressTest", "HotkeyDemo"),
    ("converter stress test", "Demonstration"),
    (r"Issue #(\d+)", r"Legacy issue reference (Issue #\1)"),
]


def snapshot(root: Path) -> dict[str, str]:
    """SHA256 of every file under root (not only scripts)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    """Hand-made files: CRLF, UTF-8 with BOM, UTF-16, bad bytes, broken symlink, untouched."""
    root = tmp_path / "tricky"
    (root / "sub").mkdir(parents=True)
    (root / "crlf.ahk").write_bytes(b'x := "HotkeyStressTest"\r\n; see Issue #42\r\n')
    (root / "sub" / "bom.AHK").write_bytes(b'\xef\xbb\xbfMsgBox "converter stress test"\n')
    text = "\ufeffV1toV2_GblCode_001 := 1\r\nV1toV2_GblCode_002 := 2\r\n"
    (root / "utf16.ahk").write_bytes(text.encode("utf-16-le"))
    (root / "badbytes.ahk").write_bytes(b"HotkeyStressTest \xff\xfe\xfa\n")
    (root / "clean.ahk").write_bytes(b'MsgBox "nothing to change"\n')
    os.symlink(root / "missing-target.ahk", root / "dangling.ahk")
    return root


def test_default_rules_are_the_seeds_five_in_order():
    assert [(r.pattern, r.replacement) for r in load_rules()] == SEED_RULES


def test_dry_run_counts_replacements_per_rule_and_shows_a_diff(tricky: Path):
    edits = {e.path: e for e in plan(tricky, load_rules())}
    assert sorted(edits) == ["crlf.ahk", "sub/bom.AHK", "utf16.ahk"]
    crlf = edits["crlf.ahk"]
    assert crlf.counts == {
        "'HotkeyStressTest' -> 'HotkeyDemo'": 1,
        r"'Issue #(\d+)' -> 'Legacy issue reference (Issue #\1)'": 1,
    }
    assert crlf.after == 'x := "HotkeyDemo"\n; see Legacy issue reference (Issue #42)\n'
    diff = crlf.diff()
    assert diff.startswith("--- a/crlf.ahk\n+++ b/crlf.ahk\n")
    assert '-x := "HotkeyStressTest"\n' in diff and '+x := "HotkeyDemo"\n' in diff
    assert edits["utf16.ahk"].total == 2


def test_dry_run_never_changes_a_byte(tricky: Path, workspace: Path):
    before = snapshot(tricky)
    assert normalize.main(["--root", str(tricky), "--dry-run", "--workspace", str(workspace)]) == 0
    assert snapshot(tricky) == before
    assert not (workspace / "backups").exists()


def test_files_that_cannot_be_rewritten_exactly_are_skipped_with_a_reason(tricky: Path):
    skipped: dict[str, str] = {}
    edits = plan(tricky, load_rules(), on_skip=skipped.__setitem__)
    assert "badbytes.ahk" not in {e.path for e in edits}
    assert "undecodable" in skipped["badbytes.ahk"]
    assert "symlink" in skipped["dangling.ahk"]


def test_apply_keeps_encoding_bom_and_crlf_and_undo_restores_byte_for_byte(
    tricky: Path, workspace: Path
):
    before = snapshot(tricky)
    backup = apply(tricky, plan(tricky, load_rules()), workspace)
    assert backup.dir.parent == workspace / "backups" / "normalize"
    assert (tricky / "crlf.ahk").read_bytes() == (
        b'x := "HotkeyDemo"\r\n; see Legacy issue reference (Issue #42)\r\n'
    )
    assert (tricky / "sub" / "bom.AHK").read_bytes() == b'\xef\xbb\xbfMsgBox "Demonstration"\n'
    utf16 = (tricky / "utf16.ahk").read_bytes()
    assert utf16.startswith(b"\xff\xfe")
    assert utf16.decode("utf-16") == "GlobalInitBlock := 1\r\nGlobalInitBlock2 := 2\r\n"
    undo(tricky, workspace)
    assert snapshot(tricky) == before


def test_rules_run_in_order_each_seeing_the_previous_output(tmp_path: Path):
    (tmp_path / "a.ahk").write_text("cat\n")
    rules = [compile_rule("cat", "dog"), compile_rule("dog", "wolf")]
    [edit] = plan(tmp_path, rules)
    assert edit.after == "wolf\n"
    assert edit.counts == {"'cat' -> 'dog'": 1, "'dog' -> 'wolf'": 1}


def test_line_anchors_work_on_crlf_files(tmp_path: Path, workspace: Path):
    (tmp_path / "c.ahk").write_bytes(b"a := 1  \r\nb := 2\t\r\n")
    [edit] = plan(tmp_path, [parse_pattern(r"(?m)[ \t]+$=")])
    apply(tmp_path, [edit], workspace)
    assert (tmp_path / "c.ahk").read_bytes() == b"a := 1\r\nb := 2\r\n"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("a=b", ("a", "b")),
        ("x=y=z", ("x", "y=z")),
        (r"a\=b=c", (r"a\=b", "c")),
        ("a\\\\=b", ("a\\\\", "b")),
        ("(?=x)y=z", ("(?=x)y", "z")),
        ("(?<=x)y=z", ("(?<=x)y", "z")),
        ("(?P<q>a)(?P=q)=b", ("(?P<q>a)(?P=q)", "b")),
        ("gone=", ("gone", "")),
    ],
)
def test_pattern_splits_on_the_first_unescaped_equals(spec: str, expected: tuple[str, str]):
    assert split_pattern(spec) == expected


def test_escaped_equals_matches_a_literal_equals(tmp_path: Path):
    (tmp_path / "a.ahk").write_text("x = 1\n")
    [edit] = plan(tmp_path, [parse_pattern(r"x \= 1=x := 1")])
    assert edit.after == "x := 1\n"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no equals sign", "has no '='"),
        ("a(b=c", "bad regex"),
        ("=c", "empty pattern"),
        (r"ab=\2", "bad replacement"),
    ],
)
def test_bad_patterns_are_errors_naming_the_rule(spec: str, message: str):
    with pytest.raises(StudioError, match=message) as err:
        parse_pattern(spec)
    assert spec.split("=")[0] in str(err.value)


def test_rule_error_validates_as_you_type():
    assert rule_error(r"Issue #(\d+)", r"ref \1") is None
    assert rule_error("a[", "x").startswith("bad regex")
    assert rule_error("a", r"\1").startswith("bad replacement")
    assert rule_error("", "x") == "empty pattern"


def test_cli_bad_pattern_prints_one_line_and_exits_1(tricky: Path, capsys):
    assert normalize.main(["--root", str(tricky), "--pattern", "a(b=c"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --pattern: rule 'a(b'") and err.count("\n") == 1


def test_rules_file_errors_name_the_file_and_rule(tmp_path: Path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - pattern: ok\n    replacement: fine\n  - pattern: '(('\n")
    with pytest.raises(StudioError, match=r"rules.yaml rule 2"):
        load_rules(bad)
    bad.write_text("rules: [unclosed\n")
    with pytest.raises(StudioError, match="not valid YAML"):
        load_rules(bad)
    bad.write_text("- pattern: a\n")
    with pytest.raises(StudioError, match="'rules:' list"):
        load_rules(bad)


def test_save_rules_round_trips(tmp_path: Path):
    rules = [*load_rules(), parse_pattern("a\\=b=c=d")]
    save_rules(rules, tmp_path / "rules.yaml")
    assert load_rules(tmp_path / "rules.yaml") == rules


def test_report_has_the_seed_shape(tricky: Path, tmp_path: Path):
    write_report(plan(tricky, load_rules()), tmp_path / "report.json")
    report = json.loads((tmp_path / "report.json").read_text())
    assert report[0] == {
        "path": "crlf.ahk",
        "replacements": [
            "'HotkeyStressTest' -> 'HotkeyDemo' (1x)",
            r"'Issue #(\d+)' -> 'Legacy issue reference (Issue #\1)' (1x)",
        ],
    }
    assert [entry["path"] for entry in report] == ["crlf.ahk", "sub/bom.AHK", "utf16.ahk"]


def test_apply_refuses_a_plan_made_before_the_file_changed(tricky: Path, workspace: Path):
    edits = plan(tricky, load_rules())
    (tricky / "crlf.ahk").write_bytes(b"HotkeyStressTest edited meanwhile\n")
    with pytest.raises(StudioError, match="changed since the dry run"):
        apply(tricky, edits, workspace)
    assert (tricky / "utf16.ahk").read_bytes().decode("utf-16").startswith("V1toV2")


def test_undo_without_an_apply_is_a_clear_error(tricky: Path, workspace: Path):
    with pytest.raises(StudioError, match="nothing to undo"):
        undo(tricky, workspace)


def test_cli_apply_report_and_undo_on_the_bundled_corpus(
    corpus_copy: Path, workspace: Path, tmp_path: Path, capsys
):
    before = snapshot(corpus_copy)
    report = tmp_path / "report.json"
    common = ["--root", str(corpus_copy), "--workspace", str(workspace)]
    args = [*common, "--pattern", "AutoHotkey=AUTOHOTKEY", "--report", str(report)]
    assert normalize.main(args) == 0
    changed = json.loads(report.read_text())
    assert len(changed) >= 20
    assert all(e["replacements"][-1].startswith("'AutoHotkey' -> 'AUTOHOTKEY'") for e in changed)
    assert snapshot(corpus_copy) != before
    assert "undo with" in capsys.readouterr().out
    assert normalize.main([*common, "--undo"]) == 0
    assert snapshot(corpus_copy) == before


def test_dry_run_on_the_bundled_corpus_writes_nothing(corpus_copy: Path, workspace: Path):
    before = snapshot(corpus_copy)
    args = ["--root", str(corpus_copy), "--workspace", str(workspace), "--dry-run"]
    assert normalize.main([*args, "--pattern", "(?i)msgbox=Notify"]) == 0
    assert snapshot(corpus_copy) == before
