"""core.corpus: finding and reading scripts, every bad input reported, never raised."""

from __future__ import annotations

import codecs
import hashlib
import os
import types
from pathlib import Path

import pytest

from core import reading as corpus
from core.ahk import check
from core.corpus import scan
from core.corpus.scan import ScriptInfo, scan_corpus
from core.errors import StudioError
from core.reading import find_scripts, read_script
from core.workspace import SAMPLE_CORPUS

V2 = '#Requires AutoHotkey v2.0\nMsgBox("hi")\n'


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------- find_scripts


def test_find_scripts_matches_the_extension_in_any_case_and_sorts_like_rglob(tmp_path: Path):
    for name in ("b/x.ahk", "a/Y.AHK", "a-c/z.Ahk", "a/b/deep.ahk", "top.ahk", "a/notes.txt"):
        write(tmp_path / name, V2)
    (tmp_path / "folder.ahk").mkdir()
    found = find_scripts(tmp_path)
    expected = sorted(
        p for p in tmp_path.rglob("*") if p.suffix.lower() == ".ahk" and not p.is_dir()
    )
    assert found == expected
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/Y.AHK",
        "a/b/deep.ahk",
        "a-c/z.Ahk",
        "b/x.ahk",
        "top.ahk",
    ]


def test_find_scripts_survives_a_symlinked_folder_loop(tmp_path: Path):
    write(tmp_path / "a" / "one.ahk", V2)
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [p.name for p in find_scripts(tmp_path)] == ["one.ahk"]


def test_find_scripts_of_a_missing_folder_is_empty(tmp_path: Path):
    assert find_scripts(tmp_path / "nope") == []


# ---------------------------------------------------------------- read_script


def test_read_plain_utf8_with_lf(tmp_path: Path):
    result = read_script(write(tmp_path / "a.ahk", V2))
    assert (result.text, result.encoding, result.bom, result.newline) == (V2, "utf-8", b"", "\n")
    assert result.replaced == 0 and result.skip_reason is None and result.size == len(V2)


def test_read_utf8_bom_is_stripped_and_reported(tmp_path: Path):
    result = read_script(write(tmp_path / "a.ahk", codecs.BOM_UTF8 + V2.encode()))
    assert result.text == V2
    assert (result.encoding, result.bom) == ("utf-8-sig", codecs.BOM_UTF8)


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
def test_read_utf16_with_bom(tmp_path: Path, bom: bytes, codec: str, name: str):
    text = V2.replace("\n", "\r\n") + "; ünïcödé\r\n"
    result = read_script(write(tmp_path / "a.ahk", bom + text.encode(codec)))
    assert result.text == text
    assert (result.encoding, result.bom, result.newline) == (name, bom, "\r\n")


def test_read_keeps_crlf_and_reports_it(tmp_path: Path):
    result = read_script(write(tmp_path / "a.ahk", V2.replace("\n", "\r\n")))
    assert result.text == V2.replace("\n", "\r\n") and result.newline == "\r\n"


def test_undecodable_bytes_are_replaced_and_counted(tmp_path: Path):
    data = b"x := 1 ; caf\xe9 \xff\xfe end \xef\xbf\xbd\n"  # the last one is a real U+FFFD
    result = read_script(write(tmp_path / "a.ahk", data))
    assert result.text == data.decode("utf-8", errors="replace")
    assert result.replaced == 3  # \xe9, \xff and \xfe; the real U+FFFD is not counted
    assert result.text.count("\ufffd") == 4
    assert result.skip_reason is None


def test_undecodable_utf16_bytes_are_counted(tmp_path: Path):
    data = codecs.BOM_UTF16_LE + "ok".encode("utf-16-le") + b"\x00\xd8" + "x".encode("utf-16-le")
    result = read_script(write(tmp_path / "a.ahk", data))
    assert result.replaced == 1 and "\ufffd" in result.text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n\t\n", "whitespace only"),
        (codecs.BOM_UTF8 + b"\n\n", "whitespace only"),
        (b"MsgBox(1)\x00\x01\x02", "binary (NUL bytes)"),
    ],
)
def test_empty_whitespace_and_binary_files_are_skipped(tmp_path: Path, data: bytes, reason: str):
    result = read_script(write(tmp_path / "a.ahk", data))
    assert result.text is None and result.skip_reason == reason


def test_files_over_the_size_cap_are_skipped_and_the_cap_is_configurable(tmp_path: Path):
    path = write(tmp_path / "big.ahk", "x := 1\n" * 100)
    assert read_script(path, max_bytes=699).skip_reason == "over size cap (700 bytes > 699)"
    assert read_script(path, max_bytes=700).text is not None
    assert corpus.DEFAULT_MAX_BYTES == 1 << 20


def test_symlink_loop_and_broken_symlink_are_reported(tmp_path: Path):
    (tmp_path / "loop.ahk").symlink_to(tmp_path / "loop.ahk")
    (tmp_path / "gone.ahk").symlink_to(tmp_path / "missing.ahk")
    write(tmp_path / "real.ahk", V2)
    (tmp_path / "link.ahk").symlink_to(tmp_path / "real.ahk")
    assert [p.name for p in find_scripts(tmp_path)] == [
        "gone.ahk",
        "link.ahk",
        "loop.ahk",
        "real.ahk",
    ]
    assert read_script(tmp_path / "loop.ahk").skip_reason == "unreadable: symlink loop"
    assert read_script(tmp_path / "gone.ahk").skip_reason == "unreadable: broken symlink"
    assert read_script(tmp_path / "link.ahk").text == V2


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = write(tmp_path / "locked.ahk", V2)
    if os.geteuid() != 0:  # a real permission error where chmod can block reads
        path.chmod(0)
        try:
            assert read_script(path).skip_reason == "unreadable: Permission denied"
        finally:
            path.chmod(0o644)
    real_open = os.open

    def refuse(target, *args, **kwargs):
        if os.fspath(target) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(target))
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(corpus.os, "open", refuse)
    assert read_script(path).skip_reason == "unreadable: Permission denied"
    [info] = scan_corpus(tmp_path)
    assert info.skip_reason == "unreadable: Permission denied" and info.sha256 is None


def test_a_fifo_named_like_a_script_is_skipped_without_blocking(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.ahk")
    assert read_script(tmp_path / "pipe.ahk").skip_reason == "not a regular file"


# ---------------------------------------------------------------- scan_corpus


def test_scan_corpus_gives_one_record_per_file_with_its_facts(tmp_path: Path):
    root = tmp_path / "corpus"
    body = V2 + "#Include <Lib>\n  #IncludeAgain other.ahk\n; #Include not.ahk\n"
    body += "/*\n#Include in_a_comment.ahk\n*/\n"
    write(root / "Hotkeys" / "a.ahk", body)
    write(root / "Hotkeys" / "sub" / "b.ahk", codecs.BOM_UTF8 + b"x := 1\r\ny := 2\r\n")
    write(root / "top.ahk", "MsgBox(\xff)".encode("latin-1"))
    write(root / "Empty" / "e.ahk", b"")
    infos = {i.path: i for i in scan_corpus(root)}
    a, b, top, empty = (
        infos[k] for k in ("Hotkeys/a.ahk", "Hotkeys/sub/b.ahk", "top.ahk", "Empty/e.ahk")
    )
    assert (a.category, a.lines, a.includes, a.encoding) == ("Hotkeys", 8, 2, "utf-8")
    assert a.sha256 == hashlib.sha256(body.encode()).hexdigest() and a.size == len(body)
    assert (b.category, b.lines, b.encoding) == ("Hotkeys", 2, "utf-8-sig")
    assert (top.category, top.replaced) == ("corpus", 1)  # a file at the root: the root's name
    assert (empty.skip_reason, empty.lines, empty.sha256) == (
        "empty",
        0,
        hashlib.sha256(b"").hexdigest(),
    )
    assert a.verdict is None and a.errors is None


def test_scan_corpus_hands_back_the_texts_it_read_in_walk_order(tmp_path: Path):
    write(tmp_path / "B" / "b.ahk", codecs.BOM_UTF16_LE + "y := 2\r\n".encode("utf-16-le"))
    write(tmp_path / "A" / "a.ahk", V2)
    write(tmp_path / "A" / "empty.ahk", b"")
    write(tmp_path / "A" / "binary.ahk", b"x\x00y")
    texts: dict[str, str] = {}
    infos = scan_corpus(tmp_path, texts=texts)
    assert list(texts.items()) == [("A/a.ahk", V2), ("B/b.ahk", "y := 2\r\n")]
    assert [i.path for i in infos if i.skip_reason is None] == list(texts)


def test_scan_corpus_reports_progress(tmp_path: Path):
    for i in range(3):
        write(tmp_path / f"{i}.ahk", V2)
    calls = []
    scan_corpus(tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_scan_corpus_of_a_missing_folder_is_a_studio_error(tmp_path: Path):
    with pytest.raises(StudioError, match="corpus folder not found"):
        scan_corpus(tmp_path / "missing")


def test_scan_corpus_check_fills_the_checker_fields(tmp_path: Path, monkeypatch):
    write(tmp_path / "v1.ahk", "MsgBox, hello\n")
    write(tmp_path / "v2.ahk", V2)
    write(tmp_path / "empty.ahk", "")

    def check_source(text: str):
        v1 = "MsgBox," in text
        return types.SimpleNamespace(verdict="v1" if v1 else "v2", errors=int(v1), warnings=0)

    monkeypatch.setattr(check, "check_sources", lambda texts: map(check_source, texts))
    infos = {i.path: i for i in scan_corpus(tmp_path, check=True)}
    assert (infos["v1.ahk"].verdict, infos["v1.ahk"].errors) == ("v1", 1)
    assert (infos["v2.ahk"].verdict, infos["v2.ahk"].errors, infos["v2.ahk"].warnings) == (
        "v2",
        0,
        0,
    )
    assert infos["empty.ahk"].verdict is None


def test_verdict_cache_checks_each_sha_once_and_forgets_when_the_checker_changes(
    tmp_path: Path, monkeypatch
):
    checked: list[str] = []

    def check_source(text: str):
        checked.append(text)
        return types.SimpleNamespace(verdict="v2", errors=0, warnings=1)

    monkeypatch.setattr(check, "check_sources", lambda texts: map(check_source, texts))
    cache = scan.VerdictCache(tmp_path)
    assert list(cache.fill({"abc": V2, "def": V2 + "\n"})) == [(2, 2)]
    assert list(cache.fill({"abc": V2})) == []  # known: nothing to check, no progress
    assert cache.results == {"abc": ["v2", 0, 1], "def": ["v2", 0, 1]}
    cache.save()
    assert list(scan.VerdictCache(tmp_path).fill({"abc": V2})) == []
    assert checked == [V2, V2 + "\n"]
    monkeypatch.setattr(check, "checker_version", lambda: "a newer checker")
    newer = scan.VerdictCache(tmp_path)
    assert list(newer.fill({"abc": V2})) == [(1, 1)]
    assert newer.results == {"abc": ["v2", 0, 1]}
    assert checked == [V2, V2 + "\n", V2]


def test_verdict_cache_reports_progress_every_so_many_scripts(tmp_path: Path) -> None:
    texts = {f"sha{n}": f'MsgBox "{n}"\n' for n in range(5)}
    cache = scan.VerdictCache(tmp_path)
    assert list(cache.fill(texts, every=2)) == [(2, 5), (4, 5), (5, 5)]
    assert {tuple(v) for v in cache.results.values()} == {("v2", 0, 0)}


# ---------------------------------------------------------------- the bundled corpus


@pytest.fixture(scope="module")
def bundled() -> dict[str, ScriptInfo]:
    if not SAMPLE_CORPUS.is_dir():
        pytest.skip("the bundled corpus is not there")
    return {info.path: info for info in scan_corpus(SAMPLE_CORPUS)}


def test_bundled_corpus_reads_every_script(bundled: dict[str, ScriptInfo]):
    assert len(bundled) >= 50
    assert all(i.skip_reason is None for i in bundled.values()), [
        (i.path, i.skip_reason) for i in bundled.values() if i.skip_reason
    ]
    assert len({i.category for i in bundled.values()}) >= 7


def test_bundled_corpus_has_the_planted_encodings_and_includes(bundled: dict[str, ScriptInfo]):
    encodings = {i.encoding for i in bundled.values()}
    assert {"utf-8", "utf-8-sig", "utf-16-le"} <= encodings
    [utf16] = [i for i in bundled.values() if i.encoding == "utf-16-le"]
    assert "#Requires AutoHotkey v2" in read_script(SAMPLE_CORPUS / utf16.path).text
    assert sum(i.includes > 0 for i in bundled.values()) >= 2


def test_bundled_corpus_check_flags_the_v1_scripts():
    pytest.importorskip("core.ahk")
    infos = scan_corpus(SAMPLE_CORPUS, check=True)
    verdicts = [i.verdict for i in infos]
    assert verdicts.count("v1") >= 2
    assert verdicts.count("v2") >= 0.9 * len(infos)
    assert all(i.errors is not None and i.warnings is not None for i in infos)
