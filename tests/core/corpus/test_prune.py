"""Prune: choose scripts by verdict, errors, duplicates or a list; quarantine them; undo exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.corpus import prune
from core.corpus.prune import apply_prune, plan_prune, undo_prune
from core.corpus.scan import VerdictCache
from core.errors import StudioError
from core.reading import read_script

V1 = b"#NoEnv\r\nSetBatchLines, -1\r\nMsgBox, Hello from v1\r\nStringReplace, out, in, a, b, All\r\nreturn\r\n"
V2 = '#Requires AutoHotkey v2.0\nGreet(name) {\n    MsgBox "Hello, " name "!"\n}\nGreet("you")\n'
UNBALANCED = '#Requires AutoHotkey v2.0\nGreet(name) {\n    MsgBox("Hi " name\n}\n'
LONG_V2 = "".join(
    f'Step{i}() {{\n    MsgBox "step number {i} of the tour"\n}}\n' for i in range(30)
)


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "Old").mkdir(parents=True)
    (root / "New").mkdir()
    (root / "Old" / "legacy.ahk").write_bytes(V1)
    (root / "New" / "hello.ahk").write_text(V2)
    (root / "New" / "hello_copy.ahk").write_text(V2)
    (root / "New" / "broken.ahk").write_text(UNBALANCED)
    (root / "New" / "tour.ahk").write_text(LONG_V2)
    (root / "New" / "tour_again.ahk").write_text(LONG_V2 + "; one more line\n")
    (root / "New" / "utf16.ahk").write_bytes(("\ufeff" + V2).encode("utf-16-le"))
    return root


def reasons(items: list[prune.PruneItem]) -> dict[str, tuple[str, ...]]:
    return {item.path: item.reasons for item in items}


def test_verdict_selects_v1_scripts_only(corpus: Path):
    assert reasons(plan_prune(corpus, verdicts=["v1", "mixed"])) == {
        "Old/legacy.ahk": ("verdict v1",)
    }


def test_invalid_selects_scripts_with_error_diagnostics(corpus: Path):
    chosen = reasons(plan_prune(corpus, invalid=True))
    assert "New/broken.ahk" in chosen and chosen["New/broken.ahk"][0].endswith("diagnostic(s)")
    assert "New/hello.ahk" not in chosen and "New/tour.ahk" not in chosen


def test_exact_duplicates_keep_the_first_in_walk_order(corpus: Path):
    assert reasons(plan_prune(corpus, duplicates=True)) == {
        "New/hello_copy.ahk": ("duplicate of New/hello.ahk",)
    }


def test_near_duplicates_keep_the_first_of_each_cluster(corpus: Path):
    chosen = reasons(plan_prune(corpus, near_duplicates=0.8))
    assert chosen["New/tour_again.ahk"][0].startswith("near-duplicate of New/tour.ahk")
    assert "New/tour.ahk" not in chosen and "Old/legacy.ahk" not in chosen
    with pytest.raises(StudioError, match="threshold"):
        plan_prune(corpus, near_duplicates=1.5)


def known_facts(root: Path, cache_dir: Path) -> dict[str, list]:
    """What the Corpus tab knows after a scan: the checker's facts by SHA256 of the bytes."""
    cache = VerdictCache(cache_dir)
    reads = [read_script(path) for path in sorted(root.rglob("*.ahk"))]
    list(cache.fill({hashlib.sha256(r.data).hexdigest(): r.text for r in reads}))
    return cache.results


def refuse(*args, **kwargs):
    raise AssertionError("worked out again what the caller already knew")


def test_known_checker_facts_stand_in_for_the_checker(corpus: Path, tmp_path: Path, monkeypatch):
    checked = known_facts(corpus, tmp_path / "cache")
    monkeypatch.setattr(prune, "check_sources", refuse)
    assert reasons(plan_prune(corpus, ["v1", "mixed"], invalid=True, checked=checked)) == {
        "New/broken.ahk": ("2 error diagnostic(s)",),
        "Old/legacy.ahk": ("verdict v1", "4 error diagnostic(s)"),
    }


def test_a_script_changed_since_its_facts_is_checked_afresh(
    corpus: Path, tmp_path: Path, monkeypatch
):
    checked = known_facts(corpus, tmp_path / "cache")
    changed = V1 + b"; edited since the scan\r\n"
    (corpus / "New" / "tour.ahk").write_bytes(changed)  # its old verdict (v2) must not be used
    seen = []
    real = prune.check_sources
    monkeypatch.setattr(prune, "check_sources", lambda texts: seen.extend(texts) or real(texts))
    assert reasons(plan_prune(corpus, ["v1"], checked=checked)) == {
        "New/tour.ahk": ("verdict v1",),
        "Old/legacy.ahk": ("verdict v1",),
    }
    assert seen == [changed.decode()]


def test_known_near_duplicate_marks_stand_in_for_the_minhash_search(corpus: Path, monkeypatch):
    expected = plan_prune(corpus, near_duplicates=0.8)
    scripts = sorted(corpus.rglob("*.ahk"))
    texts = {p.relative_to(corpus).as_posix(): read_script(p).text for p in scripts}
    marks = prune.near_duplicate_marks(texts, 0.8)
    monkeypatch.setattr(prune, "near_duplicate_clusters", refuse)
    assert plan_prune(corpus, near_duplicates=0.8, near_marks=marks) == expected
    assert reasons(expected) == {
        "New/hello_copy.ahk": ("near-duplicate of New/hello.ahk (similarity 1.0)",),
        "New/tour_again.ahk": ("near-duplicate of New/tour.ahk (similarity 0.9922)",),
        "New/utf16.ahk": ("near-duplicate of New/hello.ahk (similarity 1.0)",),
    }
    stale = {
        "New/tour_again.ahk": ("New/tour.ahk", 0.9),
        "New/gone.ahk": ("New/tour.ahk", 0.95),  # no longer in the corpus
        "New/hello_copy.ahk": ("New/gone_too.ahk", 0.99),  # its kept script is gone
    }
    assert reasons(plan_prune(corpus, near_duplicates=0.8, near_marks=stale)) == {
        "New/tour_again.ahk": ("near-duplicate of New/tour.ahk (similarity 0.9)",)
    }


def test_listed_paths_must_lie_inside_the_root_and_exist(corpus: Path, tmp_path: Path):
    (tmp_path / "outside.ahk").write_text(V2)
    assert reasons(plan_prune(corpus, paths=["New\\hello.ahk"])) == {"New/hello.ahk": ("listed",)}
    for bad, message in [
        ("../outside.ahk", "refusing path outside"),
        (str(tmp_path / "outside.ahk"), "refusing path outside"),
        ("New/none.ahk", "no such file"),
    ]:
        with pytest.raises(StudioError, match=message):
            plan_prune(corpus, paths=[bad])


def test_reasons_accumulate(corpus: Path):
    chosen = reasons(plan_prune(corpus, ["v1"], duplicates=True, paths=["Old/legacy.ahk"]))
    assert chosen["Old/legacy.ahk"] == ("listed", "verdict v1")


def test_apply_moves_to_the_quarantine_and_undo_restores_every_byte(corpus: Path, workspace: Path):
    before = snapshot(corpus)
    items = plan_prune(corpus, ["v1"], duplicates=True, paths=["New/utf16.ahk"])
    backup = apply_prune(corpus, items, workspace)
    quarantine = workspace / "quarantine"
    assert backup.dir.parent == workspace / "backups" / "prune"
    assert (quarantine / "Old" / "legacy.ahk").read_bytes() == V1
    assert (quarantine / "New" / "utf16.ahk").read_bytes().startswith(b"\xff\xfe")
    assert not (corpus / "Old" / "legacy.ahk").exists()
    assert sorted(snapshot(corpus)) == sorted(set(before) - {i.path for i in items})
    undo_prune(corpus, workspace)
    assert snapshot(corpus) == before
    assert snapshot(quarantine) == {}


def test_quarantine_clash_is_refused_before_anything_moves(corpus: Path, workspace: Path):
    (workspace / "quarantine" / "Old").mkdir(parents=True)
    (workspace / "quarantine" / "Old" / "legacy.ahk").write_text("another file")
    before = snapshot(corpus)
    with pytest.raises(StudioError, match="already in the quarantine"):
        apply_prune(corpus, plan_prune(corpus, ["v1"], duplicates=True), workspace)
    assert snapshot(corpus) == before


def test_workspace_inside_the_corpus_is_refused(corpus: Path):
    with pytest.raises(StudioError, match="overlap"):
        apply_prune(corpus, plan_prune(corpus, ["v1"]), corpus / "workspace")


def test_cli_dry_run_moves_nothing_then_apply_and_undo(corpus: Path, workspace: Path, capsys):
    before = snapshot(corpus)
    common = ["--root", str(corpus), "--workspace", str(workspace)]
    assert prune.main([*common, "--verdict", "v1,mixed", "--duplicates", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would move Old/legacy.ahk: verdict v1" in out
    assert "would move New/hello_copy.ahk: duplicate of New/hello.ahk" in out
    assert snapshot(corpus) == before and not (workspace / "quarantine").exists()
    listing = workspace / "list.txt"
    listing.write_text("# chosen by hand\nNew/tour.ahk\n\n")
    assert prune.main([*common, "--paths", str(listing)]) == 0
    assert "moving New/tour.ahk: listed" in capsys.readouterr().out
    assert not (corpus / "New" / "tour.ahk").exists()
    assert prune.main([*common, "--undo"]) == 0
    assert snapshot(corpus) == before


def test_cli_errors_are_one_line(corpus: Path, workspace: Path, capsys):
    common = ["--root", str(corpus), "--workspace", str(workspace)]
    assert prune.main(common) == 1
    assert prune.main([*common, "--verdict", "v3"]) == 1
    assert prune.main([*common, "--undo"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: nothing chosen")
    assert err[1].startswith("error: unknown verdict(s): v3")
    assert err[2].startswith("error: nothing to undo")


def test_bundled_corpus_v1_scripts_are_found_and_clean_v2_scripts_are_not(
    corpus_copy: Path, workspace: Path
):
    before = snapshot(corpus_copy)
    items = plan_prune(corpus_copy, ["v1", "mixed"])
    assert reasons(items) == {
        "Legacy/mixed_v1_v2_syntax.ahk": ("verdict mixed",),
        "Legacy/v1_file_report_legacy.ahk": ("verdict v1",),
        "Legacy/v1_notepad_toggle_legacy.ahk": ("verdict v1",),
        "Legacy/v1_string_cleanup_legacy.ahk": ("verdict v1",),
    }
    apply_prune(corpus_copy, items, workspace)
    assert plan_prune(corpus_copy, ["v1", "mixed"]) == []
    undo_prune(corpus_copy, workspace)
    assert snapshot(corpus_copy) == before
