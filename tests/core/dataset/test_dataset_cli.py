"""The dataset CLIs end to end: the bundled corpus, seed compatibility, one-line errors."""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.dataset import build as build_dataset
from core.dataset.build import main
from core.workspace import REPO_ROOT, SAMPLE_CORPUS, SAMPLE_ELEMENTS
from tests.core.dataset.test_build_dataset import seed_split

needs_bundled = pytest.mark.skipif(
    not (SAMPLE_CORPUS.is_dir() and SAMPLE_ELEMENTS.is_file()),
    reason="the bundled corpus and elements.csv are not there",
)


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- a reference seed pipeline
# Written here from the description of the seed, independently of core.build_dataset.


def reference_text(path: Path) -> str | None:
    raw = path.read_bytes()
    if len(raw) > 1 << 20:
        return None
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            text = raw[len(bom) :].decode(codec, errors="replace")
            break
    else:
        text = raw.decode("utf-8", errors="replace")
    if "\x00" in text:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").strip()


def reference_records(root: Path, csv_paths: list[Path]) -> list[dict]:
    records = []
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() == ".ahk" and p.is_file()):
        snippet = reference_text(path)
        if not snippet:
            continue
        rel = path.relative_to(root)
        category = rel.parts[0] if len(rel.parts) > 1 else rel.parent.name  # "" at the top
        prompt = (
            "You are maintaining a knowledge base of AutoHotkey examples.\n"
            f"Category: {category}\nExample ID: {path.stem}\nSource Path: {rel.as_posix()}\n"
            "Return the exact AutoHotkey snippet associated with this reference."
        )
        meta = {
            "source_path": rel.as_posix(),
            "category": category,
            "filename": path.name,
            "line_count": len(snippet.splitlines()),
            "record_type": "snippet",
        }
        records.append({"prompt": prompt, "response": snippet + "\n", "metadata": meta})
    for csv_path in csv_paths:
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                field = {k: (row.get(k) or "").strip() for k in row}
                if field.get("Name") and field.get("Description"):
                    records.append({"response": reference_response(field), "metadata": {}})
    kept, seen = [], set()
    for record in records:
        digest = hashlib.sha256(record["response"].encode()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            kept.append(record)
    return kept


def reference_response(field: dict) -> str:
    parts = [field["Description"]]
    for key, label in (("Type", "Signature Type"), ("ReturnType", "Return Type")):
        if field.get(key):
            parts.append(f"{label}: {field[key]}")
    for key in ("Symbol", "Parameters"):
        if field.get(key):
            parts.append(f"{key}: {field[key]}")
    return "\n".join(parts).strip() + "\n"


# ---------------------------------------------------------------- the bundled corpus


@needs_bundled
def test_cli_builds_the_bundled_corpus_and_data_prep_converts_it(tmp_path: Path):
    out = tmp_path / "prepared"
    done = run_module(
        "core.build_dataset",
        "--input-dir", "data/raw_scripts",
        "--elements-csv", "data/elements.csv",
        "--output-dir", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "test.jsonl",
        "train.jsonl",
        "val.jsonl",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    counts = [len(read_jsonl(out / f"{s}.jsonl")) for s in ("train", "val", "test")]
    assert counts == [manifest["stages"][s] for s in ("train", "val", "test")]
    assert manifest["stages"]["snippets read"] >= 80 and manifest["dropped"]["exact dedupe"]
    assert "Wrote datasets" in done.stdout
    converted = run_module(
        "core.data_prep",
        "--in",
        str(out / "train.jsonl"),
        "--out",
        str(out / "train_harmony.jsonl"),
    )
    assert converted.returncode == 0, converted.stderr
    chats = read_jsonl(out / "train_harmony.jsonl")
    assert len(chats) == counts[0]
    assert [m["role"] for m in chats[0]["messages"]] == ["system", "user", "assistant"]


@needs_bundled
@pytest.mark.parametrize("seed", [2025, 7])
def test_default_build_gives_the_seed_splits_on_the_bundled_corpus(tmp_path: Path, seed: int):
    out = tmp_path / "prepared"
    args = ["--input-dir", str(SAMPLE_CORPUS), "--elements-csv", str(SAMPLE_ELEMENTS)]
    assert main([*args, "--output-dir", str(out), "--seed", str(seed), "--no-progress"]) == 0
    expected = seed_split(reference_records(SAMPLE_CORPUS, [SAMPLE_ELEMENTS]), 0.1, 0.1, seed)
    for split, records in zip(("train", "val", "test"), expected, strict=True):
        rows = read_jsonl(out / f"{split}.jsonl")
        assert [r["response"] for r in rows] == [r["response"] for r in records]
        snippets = [(r["prompt"], r["metadata"]) for r in records if r["metadata"]]
        assert [
            (r["prompt"], {k: v for k, v in r["metadata"].items() if k != "sha256"})
            for r in rows
            if r["metadata"]["record_type"] == "snippet"
        ] == snippets


def test_seed_build_of_a_corpus_with_top_level_scripts_equals_the_seed(tmp_path: Path):
    root = tmp_path / "scripts"
    shutil.copytree(SAMPLE_CORPUS, root)
    for i in range(6):  # scripts directly under the input folder, as in real corpora
        (root / f"top_{i}.ahk").write_text(f"#Requires AutoHotkey v2.0\nMsgBox({i * 7})\n")
    out = tmp_path / "prepared"
    args = ["--input-dir", str(root), "--elements-csv", str(SAMPLE_ELEMENTS), "--no-progress"]
    assert main([*args, "--output-dir", str(out)]) == 0
    expected = seed_split(reference_records(root, [SAMPLE_ELEMENTS]), 0.1, 0.1, 2025)
    rows = [read_jsonl(out / f"{split}.jsonl") for split in ("train", "val", "test")]
    for got, want in zip(rows, expected, strict=True):
        assert [r["response"] for r in got] == [r["response"] for r in want]
        assert [r["prompt"] for r in got if r["metadata"]["record_type"] == "snippet"] == [
            r["prompt"] for r in want if r["metadata"]
        ]
    top = [r for part in rows for r in part if r["metadata"].get("filename", "").startswith("top_")]
    assert len(top) == 6 and {r["metadata"]["category"] for r in top} == {""}
    assert all("\nCategory: \nExample ID: top_" in r["prompt"] for r in top)


# ---------------------------------------------------------------- small corpora


@pytest.fixture
def small(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    for i in range(12):
        path = root / f"Cat{i % 3}" / f"script_{i}.ahk"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"; Show message {i}.\n#Requires AutoHotkey v2.0\nMsgBox({i * 31})\n")
    return root


def test_dry_run_prints_counts_and_writes_nothing(small: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    assert main(["--input-dir", str(small), "--output-dir", str(out), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "snippets read: 12" in printed and "Dry run complete; no files written." in printed
    assert "category" in printed and "Cat0" in printed  # the split preview table
    assert not out.exists()


def test_default_output_dir_is_the_workspace(small: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("AHKSTUDIO_WORKSPACE", str(tmp_path / "ws"))
    assert main(["--input-dir", str(small), "--no-progress"]) == 0
    assert (tmp_path / "ws" / "prepared" / "manifest.json").is_file()


def test_extension_flags_reach_the_build(small: Path, tmp_path: Path):
    out = tmp_path / "out"
    args = [
        "--input-dir", str(small), "--output-dir", str(out), "--prompt-style", "instruction",
        "--stratify", "--near-dedupe", "--near-threshold", "0.9", "--fix-leakage",
        "--chat-format", "alpaca", "--val-ratio", "0.25", "--test-ratio", "0.25",
        "--train-file", "tr.jsonl", "--val-file", "va.jsonl", "--test-file", "te.jsonl",
    ]  # fmt: skip
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "te.jsonl",
        "te_alpaca.jsonl",
        "tr.jsonl",
        "tr_alpaca.jsonl",
        "va.jsonl",
        "va_alpaca.jsonl",
    ]
    options = json.loads((out / "manifest.json").read_text())["options"]
    assert options["prompt_style"] == "instruction" and options["stratify"] is True
    assert options["near_dedupe"] is True and options["near_threshold"] == 0.9
    rows = read_jsonl(out / "tr.jsonl")
    assert rows[0]["prompt"].startswith("Write an AutoHotkey v2 script to show message")
    by_split = [read_jsonl(out / f"{s}.jsonl") for s in ("tr", "va", "te")]
    assert [len(rows) for rows in by_split] == [6, 3, 3]  # stratified: 4 per category → 2/1/1


def test_exclude_verdict_flag_parses_a_comma_list(small: Path):
    args = build_dataset._parser().parse_args(
        ["--input-dir", str(small), "--exclude-verdict", "v1, mixed", "--exclude-invalid"]
    )
    options = build_dataset.options_from_args(args)
    assert options.exclude_verdicts == ("v1", "mixed") and options.exclude_invalid
    assert options.engine == "builtin" and not options.check_leakage  # the seed's cost only
    args = build_dataset._parser().parse_args(["--input-dir", str(small), "--check-leakage"])
    assert build_dataset.options_from_args(args).check_leakage


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--elements-csv", "/nonexistent/elements.csv"], "reference CSV not found"),
        (["--val-ratio", "0.6", "--test-ratio", "0.5"], "val-ratio + test-ratio"),
        (["--test-ratio", "1.5"], "test-ratio must be in [0, 1)"),
        (["--input-dir", "/nonexistent/raw"], "input folder not found"),
        (["--exclude-verdict", "v9"], "unknown verdict"),
    ],
)
def test_errors_are_one_line_and_exit_1(small: Path, tmp_path: Path, capsys, extra, message):
    argv = ["--input-dir", str(small), "--output-dir", str(tmp_path / "out"), *extra]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert not (tmp_path / "out").exists()


def test_a_malformed_csv_is_one_line_from_a_real_process(small: Path, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Name,Description\nA,caf\xe9\n")
    done = run_module("core.build_dataset", "--input-dir", str(small), "--elements-csv", str(bad))
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
    assert "bad.csv" in done.stderr and "Traceback" not in done.stderr


def test_an_interrupted_build_leaves_the_previous_outputs_as_they_were(
    small: Path, tmp_path: Path, monkeypatch
):
    out = tmp_path / "out"
    assert main(["--input-dir", str(small), "--output-dir", str(out), "--no-progress"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real, calls = build_dataset.write_jsonl, []

    def interrupted_on_the_second_file(path, records):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(path, records)

    monkeypatch.setattr(build_dataset, "write_jsonl", interrupted_on_the_second_file)
    assert main(["--input-dir", str(small), "--output-dir", str(out), "--seed", "1"]) == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp file, no new file


def test_progress_bars_follow_the_stages(capsys):
    bars = build_dataset._Bars(enabled=True)
    for done in (512, 1024, 2000):
        bars("read", done, 2000)
    assert bars.bar.n == 2000
    bars("check", 10, 2000)
    assert bars.stage == "check" and bars.bar.n == 10
    bars("split", 1, 1)  # single-step stages draw no bar
    bars.close()
    assert bars.bar is None and "read" in capsys.readouterr().err


# ---------------------------------------------------------------- the synthetic corpus and bench


def test_synth_writes_varied_scripts_deterministically(small: Path, tmp_path: Path):
    from bench.synth import synthesize

    first = synthesize(tmp_path / "one", 60, seed=4, source=small)
    second = synthesize(tmp_path / "two", 60, seed=4, source=small)
    assert len(first) == 60 and {p.parent.name for p in first} == {"Cat0", "Cat1", "Cat2"}
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    texts = {p.read_text() for p in first}
    assert len(texts) > 40  # mostly distinct variants
    assert all("#Requires AutoHotkey v2.0" in t for t in texts)


def test_bench_dataset_runs_on_a_small_synthetic_corpus(capsys):
    if not SAMPLE_CORPUS.is_dir():
        pytest.skip("the bundled corpus is not there")
    from bench.bench_dataset import main as bench_main

    assert bench_main(["--files", "300"]) == 0
    printed = capsys.readouterr().out
    for stage in ("read", "exact dedupe", "near duplicates", "split", "leakage check", "write"):
        assert stage in printed
    assert "total" in printed and "files/s" in printed


@needs_bundled
def test_the_bundled_corpus_plants_are_found_and_gated():
    pytest.importorskip("core.ahk.check")
    options = build_dataset.BuildOptions(
        elements_csv=[SAMPLE_ELEMENTS], exclude_verdicts=("v1", "mixed"), prompt_style="instruction"
    )
    plan = build_dataset.preview(options)
    stages = {d.stage for d in plan.dropped}
    assert {"exact dedupe", "verdict gate"} <= stages
    assert sum(d.stage == "verdict gate" for d in plan.dropped) >= 2
    assert plan.clusters  # the planted near-duplicate
    assert plan.table["category"].nunique() >= 11  # 10+ script categories and (reference)
    assert plan.sample.instruction.startswith("Write an AutoHotkey v2 script")
