"""core.build_dataset: the seed's functions exactly, then each opt-in extension."""

from __future__ import annotations

import codecs
import hashlib
import json
import random
import re
import types
from pathlib import Path

import numpy as np
import pytest

from core.ahk import check, interpreter
from core.corpus import includes, minhash
from core.corpus.minhash import near_duplicate_clusters
from core.dataset import build as bd
from core.dataset.build import (
    BuildOptions,
    Dropped,
    SnippetRecord,
    build,
    build_prompt,
    dedupe,
    humanise_title,
    instruction_prompt,
    iterate_reference_elements,
    iterate_snippets,
    preview,
    split_records,
    write_jsonl,
)
from core.errors import StudioError


def test_the_validity_gate_resolves_includes_as_the_includes_tab_does(tmp_path: Path):
    root = tmp_path / "corpus"
    write(root / "Lib" / "StrUtils.ahk", "Shout(s) => StrUpper(s)\n")
    write(root / "A" / "helper.ahk", "Twice(x) => x * 2\n")
    write(root / "A" / "library.ahk", "#Include <StrUtils>\n" + script("Library"))
    write(root / "A" / "beside.ahk", "#Include HELPER.AHK\n" + script("Beside"))
    write(root / "A" / "missing.ahk", "#Include gone.ahk\n" + script("Missing"))
    write(root / "A" / "outside.ahk", "#Include ..\\..\\secret.ahk\n" + script("Outside"))
    write(tmp_path / "secret.ahk", "Secret() => 1\n")
    plan = preview(BuildOptions(input_dir=root, exclude_invalid=True, engine="builtin"))
    gate = {d.source: d.reason for d in plan.dropped if d.stage == "validity gate"}
    assert set(gate) == {"A/missing.ahk", "A/outside.ahk"}, gate
    assert "[include-missing]" in gate["A/missing.ahk"]
    assert set(includes.validate(root).broken_by_file()) == {"A/missing.ahk", "A/outside.ahk"}


HEADER = "SourceFile,ElementType,Name,Type,ReturnType,Symbol,Path,Description,Parameters\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def script(topic: str, n: int = 12) -> str:
    """A distinct, realistic v2 script about `topic`."""
    lines = [f"; Show {topic} facts in a message box.", "#Requires AutoHotkey v2.0", ""]
    for i in range(n):
        lines.append(f"{topic}Value{i} := {i * 7 + len(topic)}  ; {topic} number {i}")
    lines += [f"Show{topic}()", "{", f'    MsgBox("{topic} " {topic}Value0)', "}"]
    return "\n".join(lines) + "\n"


def rec(text: str, category: str = "C", path: str | None = None) -> SnippetRecord:
    path = path or f"{category}/{hashlib.md5(text.encode()).hexdigest()[:8]}.ahk"
    meta = {"source_path": path, "category": category, "filename": path.rsplit("/", 1)[-1]}
    return SnippetRecord("p", text, {**meta, "record_type": "snippet"})


# ================================================================ the seed's functions


@pytest.mark.parametrize(
    ("stem", "title"),
    [
        ("Hotkey_CtrlJ", "Hotkey CtrlJ"),
        ("  a__b--c  ", "a b c"),
        ("plain", "plain"),
        ("_-_", ""),
        ("tab\tand  spaces", "tab and spaces"),
    ],
)
def test_humanise_title(stem: str, title: str):
    assert humanise_title(stem) == title


def test_build_prompt_is_the_seed_text():
    assert build_prompt("Hotkeys", "Hotkey_CtrlJ", "Hotkeys/Hotkey_CtrlJ.ahk") == (
        "You are maintaining a knowledge base of AutoHotkey examples.\n"
        "Category: Hotkeys\n"
        "Example ID: Hotkey_CtrlJ\n"
        "Source Path: Hotkeys/Hotkey_CtrlJ.ahk\n"
        "Return the exact AutoHotkey snippet associated with this reference."
    )


def test_iterate_snippets_walks_in_sorted_rglob_order_with_seed_metadata(tmp_path: Path):
    root = tmp_path / "raw"
    write(root / "b" / "x.ahk", "  MsgBox(1)\n\n")
    write(root / "a" / "deep" / "y.ahk", "y := 1\r\nz := 2\r\n")
    write(root / "a-c" / "z.AHK", "z := 3")
    write(root / "top.ahk", "t := 4\n")
    records = list(iterate_snippets(root))
    assert [r.metadata["source_path"] for r in records] == [
        "a/deep/y.ahk",
        "a-c/z.AHK",
        "b/x.ahk",
        "top.ahk",
    ]
    first = records[0]
    assert first.metadata == {
        "source_path": "a/deep/y.ahk",
        "category": "a",
        "filename": "y.ahk",
        "line_count": 2,
        "record_type": "snippet",
    }
    assert first.response == "y := 1\nz := 2\n"  # read as text: CRLF becomes LF, like the seed
    assert first.prompt == build_prompt("a", "y", "a/deep/y.ahk")
    assert records[2].response == "MsgBox(1)\n"  # stripped, exactly one trailing newline
    top = records[3]  # directly under the root: the seed's empty category (rel_path.parent.name)
    assert top.metadata["category"] == ""
    assert top.prompt == build_prompt("", "top", "top.ahk")
    assert "Category: \n" in top.prompt


def test_iterate_snippets_decodes_boms_and_utf16_and_keeps_replaced_bytes(tmp_path: Path):
    write(tmp_path / "c" / "bom.ahk", codecs.BOM_UTF8 + b"MsgBox(1)\n")
    write(tmp_path / "c" / "u16.ahk", codecs.BOM_UTF16_LE + "MsgBox('ü')\r\n".encode("utf-16-le"))
    write(tmp_path / "c" / "bad.ahk", b"x := 1 ; caf\xe9\n")
    by_name = {r.metadata["filename"]: r.response for r in iterate_snippets(tmp_path)}
    assert by_name == {
        "bad.ahk": "x := 1 ; caf\ufffd\n",
        "bom.ahk": "MsgBox(1)\n",
        "u16.ahk": "MsgBox('ü')\n",
    }


def test_prompt_preview_gives_the_prompts_a_build_writes_for_that_script(tmp_path: Path):
    root = tmp_path / "raw"
    write(root / "GUI" / "deep" / "my-tool.v2.ahk", "; Toggle the window.\r\nx := 1\r\r\n")
    write(root / "Hotkeys" / "u16.ahk", codecs.BOM_UTF16_LE + "\ufeffy := 2\r".encode("utf-16-le"))
    write(root / "top_level.ahk", "  " + script("Clipboard"))
    write(root / "Empty" / "blank.ahk", " \n")
    by_style = {
        style: {
            bd.record_source(r): r.prompt
            for part in preview(
                BuildOptions(input_dir=root, elements_csv=[], prompt_style=style)
            ).splits.values()
            for r in part
        }
        for style in ("seed", "instruction")
    }
    for record in iterate_snippets(root):
        relative = record.metadata["source_path"]
        seed, instruction = bd.prompt_preview(root, relative)
        assert seed == record.prompt == by_style["seed"][relative]
        assert instruction == by_style["instruction"][relative]
    assert len(by_style["seed"]) == 3
    assert "Category: \n" in bd.prompt_preview(root, "top_level.ahk")[0]  # the seed: empty
    with pytest.raises(StudioError, match="skipped: whitespace only") as caught:
        bd.prompt_preview(root, "Empty/blank.ahk")
    assert caught.value.where == "Empty/blank.ahk"
    with pytest.raises(StudioError, match="refusing path outside"):
        bd.prompt_preview(root / "GUI", "../top_level.ahk")


def test_iterate_snippets_skips_and_reports_bad_files(tmp_path: Path):
    write(tmp_path / "c" / "ok.ahk", "MsgBox(1)\n")
    write(tmp_path / "c" / "empty.ahk", "")
    write(tmp_path / "c" / "blank.ahk", " \n\t\n")
    write(tmp_path / "c" / "bin.ahk", b"MZ\x00\x00\x90")
    write(tmp_path / "c" / "big.ahk", "x := 1\n" * 50)
    skipped: list[Dropped] = []
    records = list(iterate_snippets(tmp_path, max_bytes=200, skipped=skipped))
    assert [r.metadata["filename"] for r in records] == ["ok.ahk"]
    assert {(d.source, d.reason) for d in skipped} == {
        ("c/big.ahk", "over size cap (350 bytes > 200)"),
        ("c/bin.ahk", "binary (NUL bytes)"),
        ("c/blank.ahk", "whitespace only"),
        ("c/empty.ahk", "empty"),
    }


def test_iterate_snippets_of_a_missing_folder_yields_nothing(tmp_path: Path):
    assert list(iterate_snippets(tmp_path / "missing")) == []


def test_iterate_reference_elements_builds_seed_prompts_and_responses(tmp_path: Path):
    csv_path = write(
        tmp_path / "el.csv",
        codecs.BOM_UTF8
        + (
            HEADER + "lib.ahk,Function,StrSplit,Func,Array,StrSplit,Strings/Split,Splits a string.,"
            '"String, Delimiters"\n'
            ",,MsgBox,,,,,Shows a message box.,\n"
            ",Function,NoDescription,,,,,,\n"
            ",Function,,,,,,Has no name.,\n"
        ).encode(),
    )
    first, second = iterate_reference_elements(csv_path)
    assert first.prompt == (
        "You are maintaining a knowledge base of AutoHotkey reference entries.\n"
        "Element Type: Function\nElement Name: StrSplit\nSource File: lib.ahk\n"
        "Category Path: Strings/Split\n"
        "Provide the official description and any pertinent usage details."
    )
    assert first.response == (
        "Splits a string.\nSignature Type: Func\nReturn Type: Array\nSymbol: StrSplit\n"
        "Parameters: String, Delimiters\n"
    )
    assert first.metadata == {
        "record_type": "reference",
        "element_type": "Function",
        "name": "StrSplit",
        "source_csv": csv_path.as_posix(),
        "source_file": "lib.ahk",
        "category_path": "Strings/Split",
    }
    assert "Element Type: Unknown" in second.prompt and "Source File" not in second.prompt
    assert second.response == "Shows a message box.\n"


def test_iterate_reference_elements_needs_only_name_and_description(tmp_path: Path):
    csv_path = write(tmp_path / "el.csv", "Name,Description\nA,Does a.\n")
    [only] = iterate_reference_elements(csv_path)
    assert only.response == "Does a.\n" and "Element Type: Unknown" in only.prompt


def test_an_empty_reference_csv_gives_no_rows(tmp_path: Path):
    assert list(iterate_reference_elements(write(tmp_path / "el.csv", ""))) == []


def test_missing_reference_csv_raises_file_not_found(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        list(iterate_reference_elements(tmp_path / "nope.csv"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'Name,Description\nA,ok\nB,"' + b"x" * 200_000 + b'"\n', r"line 3: malformed CSV"),
        (b"Name,Description\nA,caf\xe9\n", r"malformed CSV"),
        (b"Title,Text\nA,B\n", r"lacks the column\(s\) Description, Name"),
        (b"Name,Descr\xe9ption\nA,B\n", r"line 1: malformed CSV"),
    ],
)
def test_malformed_reference_csv_is_a_studio_error(tmp_path: Path, data: bytes, message: str):
    with pytest.raises(StudioError, match=message):
        list(iterate_reference_elements(write(tmp_path / "el.csv", data)))


def test_dedupe_keeps_the_first_and_adds_sha256_to_a_copy():
    a, b, c = rec("same\n"), rec("other\n"), rec("same\n", category="D")
    kept = dedupe([a, b, c])
    assert [k.metadata["source_path"] for k in kept] == [
        a.metadata["source_path"],
        b.metadata["source_path"],
    ]
    assert kept[0].metadata["sha256"] == hashlib.sha256(b"same\n").hexdigest()
    assert "sha256" not in a.metadata  # the input records are untouched


@pytest.mark.parametrize(
    ("val", "test"), [(-0.1, 0.1), (1.0, 0.0), (0.1, 1.0), (0.5, 0.5), (0.6, 0.5)]
)
def test_split_records_rejects_bad_ratios(val: float, test: float):
    with pytest.raises(ValueError):
        split_records([rec("x")], val, test, seed=1)


def test_split_records_sizes_and_determinism():
    records = [rec(f"r{i}\n") for i in range(57)]
    train, val, test = split_records(records, 0.1, 0.2, seed=7)
    assert (len(train), len(val), len(test)) == (57 - 5 - 11, 5, 11)
    assert split_records(records, 0.1, 0.2, seed=7) == (train, val, test)
    assert split_records(records, 0.1, 0.2, seed=8) != (train, val, test)
    assert [r.response for r in records] == [f"r{i}\n" for i in range(57)]  # input unshuffled


def seed_split(records: list, val_ratio: float, test_ratio: float, seed: int) -> tuple:
    """The seed's split, re-written here from the issue's description."""
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    n_val, n_test = int(len(shuffled) * val_ratio), int(len(shuffled) * test_ratio)
    n_train = len(shuffled) - n_val - n_test
    return shuffled[:n_train], shuffled[n_train : n_train + n_val], shuffled[n_train + n_val :]


@pytest.mark.parametrize("seed", [0, 2025, 99])
@pytest.mark.parametrize("total", [0, 1, 9, 10, 123])
def test_split_records_matches_the_seed_split(seed: int, total: int):
    records = [rec(f"r{i}\n") for i in range(total)]
    assert split_records(records, 0.1, 0.15, seed) == seed_split(records, 0.1, 0.15, seed)


def test_write_jsonl_writes_one_object_per_line_atomically(tmp_path: Path):
    path = tmp_path / "new" / "dir" / "out.jsonl"
    write_jsonl(path, [SnippetRecord("p", "ü\n", {"k": 1}), SnippetRecord("q", "r", {})])
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 3
    assert json.loads(lines[0]) == {"prompt": "p", "response": "ü\n", "metadata": {"k": 1}}
    assert "ü" in lines[0]

    def broken():
        yield SnippetRecord("p", "r", {})
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_jsonl(path, broken())
    assert json.loads(path.read_text().splitlines()[0])["response"] == "ü\n"  # old file intact
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.jsonl"]  # no temp file left


# ================================================================ near duplicates


def shingle_jaccard(a: str, b: str) -> float:
    def shingles(text: str) -> set:
        tokens = re.findall(r"[A-Za-z0-9_\x80-\uffff]+|[^\sA-Za-z0-9_]", text.lower())
        return {tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4)}

    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def test_minhash_similarity_estimates_the_shingle_jaccard():
    rng = random.Random(3)
    base = script("Alpha", 30)
    texts = [base]
    for _ in range(30):
        lines = base.splitlines()
        for _ in range(rng.randrange(0, 12)):
            i = rng.randrange(len(lines))
            lines[i] = lines[i].replace("Value", f"V{rng.randrange(99)}")
        texts.append("\n".join(lines))
    sig = minhash.minhash_signatures(texts)
    errors = [
        abs((sig[0] == sig[i]).mean() - shingle_jaccard(texts[0], texts[i])) for i in range(1, 31)
    ]
    assert max(errors) < 0.15 and float(np.mean(errors)) < 0.06


def test_minhash_is_case_insensitive_and_deterministic():
    a = "MsgBox('Hello World')\nx := StrLen(name) + 1\n" * 3
    sig = minhash.minhash_signatures([a, a.upper(), a])
    assert (sig[0] == sig[1]).all() and (sig[0] == sig[2]).all()
    assert (minhash.minhash_signatures([a])[0] == sig[0]).all()


def test_minhash_does_not_depend_on_chunking(monkeypatch):
    texts = [script(t, 5) for t in ("Alpha", "Beta", "Gamma", "Delta")] + ["x", ""]
    whole = minhash.minhash_signatures(texts)
    monkeypatch.setattr(minhash, "_CHUNK_BYTES", 50)
    assert (minhash.minhash_signatures(texts) == whole).all()


def test_near_duplicate_clusters_find_planted_copies_only():
    topics = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"]
    texts = [script(t, 20) for t in topics]
    texts.append(texts[1].replace("number 3", "number three"))  # near copy of Beta
    texts.append(texts[4] + "; one more comment line\n")  # near copy of Epsilon
    texts.append(texts[1].replace("number 5", "number five"))  # another near copy of Beta
    clusters = near_duplicate_clusters(texts, 0.85)
    assert [c.members for c in clusters] == [[1, 6, 8], [4, 7]]
    assert all(0.85 <= c.similarity <= 1 for c in clusters)
    assert near_duplicate_clusters(texts, 1.0) == []


def test_near_duplicate_clusters_handle_tiny_and_empty_texts():
    assert near_duplicate_clusters([], 0.85) == []
    assert near_duplicate_clusters(["only one"], 0.85) == []
    clusters = near_duplicate_clusters(["a b", "a b", "", "", "c d e"], 0.85)
    assert [c.members for c in clusters] == [[0, 1]]
    with pytest.raises(ValueError):
        near_duplicate_clusters(["a", "b"], 0)


def test_connected_components_agree_with_a_plain_union_find():
    rng = np.random.default_rng(5)
    n = 300
    left, right = rng.integers(0, n, 250), rng.integers(0, n, 250)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    label = minhash.connected_components(n, left, right)
    expected = [min(i for i in range(n) if find(i) == find(j)) for j in range(n)]
    assert label.tolist() == expected


# ================================================================ instruction prompts


def test_instruction_prompt_from_an_imperative_leading_comment():
    text = (
        "#Requires AutoHotkey v2.0\n; Toggle always-on-top for the active window.\n"
        "; Shows a tooltip.\n#SingleInstance Force\n\n^!t::\n{\n    Pin()\n}\n"
        "Pin()\n{\n    WinSetAlwaysOnTop(-1, 'A')\n}\n"
    )
    assert instruction_prompt(text, "toggle_on_top") == (
        "Write an AutoHotkey v2 script to toggle always-on-top for the active window. "
        "Shows a tooltip. Define the function Pin. Use the hotkey Ctrl+Alt+T."
    )


def test_instruction_prompt_from_a_third_person_block_comment_with_classes_and_hotstrings():
    text = (
        "/*\n * Author: someone\n * Creates a stack class.\n */\n"
        "class Stack extends Array {\n    Peek() => this[this.Length]\n}\n"
        "::btw::by the way\n:*:omw::on my way\n"
    )
    assert instruction_prompt(text, "stack") == (
        "Write an AutoHotkey v2 script that creates a stack class. Define the class Stack. "
        "Include the hotstrings btw and omw."
    )


def test_instruction_prompt_prefers_a_description_line_and_falls_back_to_the_title():
    described = "x := 1\n; Description: Counts the words of a file\nCountWords(path) {\n}\n"
    assert instruction_prompt(described, "wc") == (
        "Write an AutoHotkey v2 script that counts the words of a file. "
        "Define the function CountWords."
    )
    bare = "#Requires AutoHotkey v2.0\nx := 1\nif (x)\n{\n}\n"
    assert instruction_prompt(bare, "clipboard_history-v2") == (
        "Write an AutoHotkey v2 script: clipboard history v2."
    )


def test_instruction_prompt_keeps_a_non_verb_description_whole():
    text = "; A tiny autocorrect list: typos fixed as you type.\n::teh::the\n"
    assert instruction_prompt(text, "t") == (
        "Write an AutoHotkey v2 script. A tiny autocorrect list: typos fixed as you type. "
        "Include the hotstring teh."
    )


# ================================================================ preview and build


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A small corpus: 12 distinct scripts in 3 categories, one exact copy, two near copies."""
    root = tmp_path / "raw"
    topics = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota",
              "Kappa", "Lambda", "Mu"]  # fmt: skip
    for i, topic in enumerate(topics):
        write(
            root / ["Hotkeys", "GUI", "Files"][i % 3] / f"{topic.lower()}_demo.ahk", script(topic)
        )
    write(root / "Hotkeys" / "zz_copy.ahk", script("Alpha"))
    write(root / "GUI" / "beta_variant.ahk", script("Beta").replace("number 3", "number three"))
    write(root / "Files" / "gamma_variant.ahk", script("Gamma") + "; extra\n")
    write(root / "Files" / "empty.ahk", "")
    return root


@pytest.fixture
def elements(tmp_path: Path) -> Path:
    return write(
        tmp_path / "elements.csv",
        HEADER + "".join(f",Function,F{i},,,,,Does thing {i}.,\n" for i in range(5)),
    )


def test_preview_counts_every_stage_and_says_why_files_were_dropped(corpus: Path, elements: Path):
    plan = preview(BuildOptions(input_dir=corpus, elements_csv=[elements], val_ratio=0.2))
    assert plan.stages == {
        "scripts found": 16,
        "snippets read": 15,
        "reference rows (elements.csv)": 5,
        "records": 20,
        "after exact dedupe": 19,
        "train": 15,
        "val": 3,
        "test": 1,
    }
    reasons = {(d.source, d.stage, d.reason) for d in plan.dropped}
    assert reasons == {
        ("Files/empty.ahk", "read", "empty"),
        ("Hotkeys/zz_copy.ahk", "exact dedupe", "exact duplicate of Hotkeys/alpha_demo.ahk"),
    }
    assert [c.members for c in plan.clusters] == [
        ["Files/gamma_demo.ahk", "Files/gamma_variant.ahk"],
        ["GUI/beta_demo.ahk", "GUI/beta_variant.ahk"],
    ]
    assert plan.table.set_index("category").loc["(reference)", "total"] == 5
    assert plan.table["total"].sum() == 19
    assert set(plan.seconds) >= {"read", "exact dedupe", "near duplicates", "split"}


def test_default_preview_is_the_seed_pipeline(corpus: Path, elements: Path):
    options = BuildOptions(input_dir=corpus, elements_csv=[elements])
    plan = preview(options)
    records = list(iterate_snippets(corpus)) + list(iterate_reference_elements(elements))
    expected = split_records(dedupe(records), 0.1, 0.1, 2025)
    assert tuple(plan.splits.values()) == expected


def test_near_dedupe_keeps_one_per_cluster(corpus: Path):
    plan = preview(BuildOptions(input_dir=corpus, near_dedupe=True))
    assert plan.stages["after near dedupe"] == plan.stages["after exact dedupe"] - 2
    near = {(d.source, d.reason) for d in plan.dropped if d.stage == "near dedupe"}
    assert near == {
        ("Files/gamma_variant.ahk", "near-duplicate of Files/gamma_demo.ahk"),
        ("GUI/beta_variant.ahk", "near-duplicate of GUI/beta_demo.ahk"),
    }
    assert all(c.dropped for c in plan.clusters) and plan.leaks == []


def leaky_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "leaky"
    for i in range(20):
        base = script(f"Topic{i}x", 15)
        write(root / "A" / f"s{i}.ahk", base)
        write(root / "A" / f"s{i}_copy.ahk", base.replace("number 2", "number two"))
    return root


def test_leakage_check_reports_clusters_that_straddle_splits(tmp_path: Path):
    plan = preview(BuildOptions(input_dir=leaky_corpus(tmp_path), val_ratio=0.2, test_ratio=0.2))
    assert len(plan.clusters) == 20 and plan.leaks
    for leak in plan.leaks:
        assert len({split for _, split in leak.members}) == 2 and leak.moved_to is None
        assert {s for s, _ in leak.members} == set(plan.clusters[leak.cluster].members)


def test_fix_leakage_moves_each_cluster_into_one_split(tmp_path: Path):
    options = BuildOptions(
        input_dir=leaky_corpus(tmp_path), val_ratio=0.2, test_ratio=0.2, fix_leakage=True
    )
    plan = preview(options)
    assert plan.leaks and all(leak.moved_to in bd.SPLITS for leak in plan.leaks)
    where = {r.metadata["source_path"]: s for s, part in plan.splits.items() for r in part}
    for cluster in plan.clusters:
        assert len({where[m] for m in cluster.members}) == 1
    assert sum(plan.stages[s] for s in bd.SPLITS) == 40


def test_stratified_split_splits_each_category_by_the_ratios():
    records = [
        rec(f"{c}{i}\n", category=c) for c, n in (("A", 50), ("B", 20), ("C", 1)) for i in range(n)
    ]
    train, val, test = bd.stratified_split(records, 0.1, 0.2, seed=3)
    count = lambda part, c: sum(r.metadata["category"] == c for r in part)  # noqa: E731
    assert [(count(train, c), count(val, c), count(test, c)) for c in "ABC"] == [
        (35, 5, 10),
        (14, 2, 4),
        (1, 0, 0),
    ]
    assert bd.stratified_split(records, 0.1, 0.2, seed=3) == (train, val, test)


def test_stratify_option_changes_the_split(corpus: Path):
    plan = preview(BuildOptions(input_dir=corpus, stratify=True, val_ratio=0.25, test_ratio=0.25))
    table = plan.table.set_index("category")
    assert (table["val"] >= 1).all() and (table["test"] >= 1).all()


def test_instruction_style_rewrites_snippet_prompts_only(corpus: Path, elements: Path):
    options = BuildOptions(input_dir=corpus, elements_csv=[elements], prompt_style="instruction")
    plan = preview(options)
    records = [r for part in plan.splits.values() for r in part]
    snippets = [r for r in records if r.metadata["record_type"] == "snippet"]
    assert all(r.prompt.startswith("Write an AutoHotkey v2 script") for r in snippets)
    refs = [r for r in records if r.metadata["record_type"] == "reference"]
    assert all(r.prompt.startswith("You are maintaining") for r in refs)


def test_preview_shows_both_prompt_styles_for_a_sample_script(corpus: Path):
    plan = preview(BuildOptions(input_dir=corpus, sample="GUI/beta_demo.ahk"))
    assert plan.sample.source == "GUI/beta_demo.ahk"
    assert plan.sample.seed == build_prompt("GUI", "beta_demo", "GUI/beta_demo.ahk")
    assert plan.sample.instruction.startswith(
        "Write an AutoHotkey v2 script to show Beta facts in a message box."
    )
    assert preview(BuildOptions(input_dir=corpus)).sample.source == "Files/gamma_demo.ahk"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"val_ratio": 0.7, "test_ratio": 0.3}, "must be less than 1"),
        ({"prompt_style": "fancy"}, "prompt_style must be one of"),
        ({"engine": "magic"}, "engine must be one of"),
        ({"exclude_verdicts": ("v3",)}, "unknown verdict"),
        ({"near_threshold": 1.5}, "near_threshold"),
        ({"input_dir": Path("/nonexistent/raw")}, "input folder not found"),
        ({"elements_csv": [Path("/nonexistent.csv")]}, "reference CSV not found"),
        ({"train_file": "val.jsonl"}, "distinct plain file names"),
        ({"test_file": "../escape.jsonl"}, "distinct plain file names"),
        ({"chat_format": "xml"}, "chat_format"),
    ],
)
def test_bad_options_are_studio_errors(corpus: Path, change: dict, message: str):
    options = BuildOptions(input_dir=corpus)
    for key, value in change.items():
        setattr(options, key, value)
    with pytest.raises(StudioError, match=message):
        preview(options)


def test_an_empty_corpus_is_a_studio_error(tmp_path: Path):
    write(tmp_path / "raw" / "empty.ahk", "")
    with pytest.raises(StudioError, match="nothing to build"):
        preview(BuildOptions(input_dir=tmp_path / "raw"))


def test_build_writes_splits_chat_files_and_manifest(corpus: Path, elements: Path, tmp_path: Path):
    out = tmp_path / "prepared"
    options = BuildOptions(input_dir=corpus, elements_csv=[elements], chat_format="harmony")
    result = build(options, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "test.jsonl",
        "test_harmony.jsonl",
        "train.jsonl",
        "train_harmony.jsonl",
        "val.jsonl",
        "val_harmony.jsonl",
    ]
    for split in bd.SPLITS:
        rows = [json.loads(line) for line in (out / f"{split}.jsonl").read_text().splitlines()]
        chats = [json.loads(x) for x in (out / f"{split}_harmony.jsonl").read_text().splitlines()]
        assert len(rows) == len(chats) == result.preview.stages[split]
        assert [c["messages"][1]["content"] for c in chats] == [r["prompt"] for r in rows]
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["seed"] == 2025 and manifest["ratios"] == {"val": 0.1, "test": 0.1}
    assert manifest["inputs"] == {"input_dir": str(corpus), "elements_csv": [str(elements)]}
    assert manifest["stages"] == result.preview.stages
    assert manifest["dropped"]["read"] == [{"source": "Files/empty.ahk", "reason": "empty"}]
    assert manifest["dropped"]["exact dedupe"][0]["source"] == "Hotkeys/zz_copy.ahk"
    assert len(manifest["near_duplicates"]["clusters"]) == 2
    assert manifest["splits"]["train"]["count"] == result.preview.stages["train"]
    assert manifest["outputs"]["val_harmony"] == "val_harmony.jsonl"


# ================================================================ checker gates (issue 3 §5)


@pytest.fixture
def fake_checker(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """A stand-in core.ahk: 'MsgBox,' marks v1, 'BROKEN' an error; the interpreter is scripted."""

    def diagnostic(line, message, severity="error", code="syntax"):
        return types.SimpleNamespace(line=line, message=message, severity=severity, code=code)

    def check_source(text: str):
        v1 = "MsgBox," in text
        diags = [diagnostic(2, "unbalanced (")] if "BROKEN" in text else []
        errors = len(diags)
        return types.SimpleNamespace(
            verdict="v1" if v1 else "v2", errors=errors, warnings=0, diagnostics=diags
        )

    fake = types.SimpleNamespace(
        check_sources=lambda texts, **_: map(check_source, texts), calls=[]
    )
    fake.find_interpreter = lambda: object()

    def run_interpreter(paths, workspace=None, jobs=2, timeout=20, progress=None):
        fake.calls.append([Path(p).name for p in paths])
        bad = diagnostic(1, "Call to nonexistent function.", code="interpreter")
        return {
            Path(p): types.SimpleNamespace(diagnostics=[bad] if "load_error" in str(p) else [])
            for p in paths
        }

    fake.run_interpreter = run_interpreter
    monkeypatch.setattr(check, "check_sources", fake.check_sources)
    monkeypatch.setattr(interpreter, "find_interpreter", fake.find_interpreter)
    monkeypatch.setattr(interpreter, "run_interpreter", run_interpreter)
    return fake


@pytest.fixture
def gated_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "gated"
    write(root / "A" / "good.ahk", script("Good"))
    write(root / "A" / "legacy.ahk", "MsgBox, hello\n")
    write(root / "A" / "broken.ahk", script("Broken") + "BROKEN(\n")
    write(root / "A" / "load_error.ahk", script("Loads"))
    return root


def test_exclude_verdict_and_invalid_drop_scripts_and_the_manifest_lists_them(
    fake_checker, gated_corpus: Path, tmp_path: Path
):
    options = BuildOptions(input_dir=gated_corpus, exclude_verdicts=("v1",), exclude_invalid=True)
    result = build(options, tmp_path / "out")
    plan = result.preview
    assert plan.stages["after checker gates"] == 2
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["dropped"]["verdict gate"] == [
        {"source": "A/legacy.ahk", "reason": "verdict v1"}
    ]
    assert manifest["dropped"]["validity gate"] == [
        {"source": "A/broken.ahk", "reason": "invalid: line 2: unbalanced ( [syntax]"}
    ]
    assert fake_checker.calls == []  # the built-in engine never starts the interpreter


def test_exclude_invalid_with_the_interpreter_engine(fake_checker, gated_corpus: Path):
    options = BuildOptions(input_dir=gated_corpus, exclude_invalid=True, engine="interpreter")
    plan = preview(options)
    gate = {d.source: d.reason for d in plan.dropped if d.stage == "validity gate"}
    assert gate == {
        "A/load_error.ahk": "invalid: line 1: Call to nonexistent function. [interpreter]"
    }
    assert sorted(fake_checker.calls[0]) == [
        "broken.ahk",
        "good.ahk",
        "legacy.ahk",
        "load_error.ahk",
    ]
    both = preview(BuildOptions(input_dir=gated_corpus, exclude_invalid=True, engine="both"))
    assert {d.source for d in both.dropped} == {"A/load_error.ahk", "A/broken.ahk"}


def test_the_interpreter_engine_without_an_interpreter_is_a_studio_error(
    fake_checker, gated_corpus: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(interpreter, "find_interpreter", lambda: None)
    options = BuildOptions(input_dir=gated_corpus, exclude_invalid=True, engine="interpreter")
    with pytest.raises(StudioError, match="interpreter is not installed"):
        preview(options)


def test_gates_use_the_real_checker_when_it_is_there(gated_corpus: Path):
    plan = preview(BuildOptions(input_dir=gated_corpus, exclude_verdicts=("v1", "mixed")))
    assert "A/legacy.ahk" in {d.source for d in plan.dropped if d.stage == "verdict gate"}
    assert "A/good.ahk" not in {d.source for d in plan.dropped}


@pytest.mark.interpreter
def test_exclude_invalid_with_the_real_interpreter(tmp_path: Path, monkeypatch):
    from core.ahk.interpreter import find_interpreter

    if find_interpreter() is None:
        pytest.skip("AutoHotkey v2 under Wine is not installed")
    monkeypatch.chdir(tmp_path)  # a relative input folder must still match the results
    write(tmp_path / "raw" / "A" / "good.ahk", script("Good"))
    write(tmp_path / "raw" / "A" / "missing_paren.ahk", script("Bad") + "MsgBox((1\n")
    options = BuildOptions(
        input_dir=Path("raw"), exclude_invalid=True, engine="interpreter", workspace=tmp_path / "ws"
    )
    plan = preview(options)
    assert [(d.source, d.stage) for d in plan.dropped] == [("A/missing_paren.ahk", "validity gate")]
    assert "[interpreter]" in plan.dropped[0].reason


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_split_table_prints_as_pandas_prints_it(seed: int):
    pd = pytest.importorskip("pandas")
    rnd = random.Random(seed)
    rows = [
        {
            "category": rnd.choice(["a", "(reference)", "Gui-Forms", ""]) + str(i),
            "train": rnd.randint(0, 5000),
            "val": rnd.randint(0, 9),
            "test": rnd.randint(0, 123),
            "total": rnd.randint(0, 99999),
        }
        for i in range(rnd.randint(1, 6))
    ]
    frame = pd.DataFrame(rows, columns=list(bd.TABLE_COLUMNS))
    assert bd.text_table(rows) == frame.to_string(index=False)


@pytest.mark.parametrize(
    "text",
    ["", "a", "a\n", "a\nb", "a\n\nb\n", "x\x0by\x0cz", "é\x85f\u2028g", "ü\nv", "\x1cA\x1d\x1e"],
)
def test_line_count_is_the_seeds_len_of_splitlines(text: str):
    assert bd.line_count(text) == len(text.splitlines())
