"""The evaluation runner on the tiny model: its files, its table, stopping, and bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.ahk.sandbox import missing_tools
from core.errors import StudioError
from core.evaluate import compare as ev
from core.evaluate import generate as gen
from core.fsutil import atomic_write_text
from core.train.run_folder import adapter_fingerprint
from tests.core.evaluate.test_generate import EXAMPLES, build_eval_run

QUICK = gen.GenerationSettings(max_new_tokens=8)


@pytest.fixture
def run_dir(tiny_model, tmp_path) -> Path:
    return build_eval_run(tmp_path, tiny_model)


def echo_reference(monkeypatch, calls: list | None = None, on_call=None) -> None:
    """Make every model answer with the reference itself (the perfect model), counting calls."""
    answers = {p: a for _, _, p, a in EXAMPLES}

    def fake(loaded, conversations, settings=None):
        if calls is not None:
            calls.append((loaded.kind, adapter_switched_off(loaded), len(conversations)))
        if on_call:
            on_call(len(calls or []))
        return [gen.Completion(answers[c[-1]["content"]], "", 3, 0.01) for c in conversations]

    monkeypatch.setattr(gen, "generate_many", fake)


def adapter_switched_off(loaded: gen.LoadedModel) -> bool:
    from peft.tuners.tuners_utils import BaseTunerLayer

    layers = [m for m in loaded.model.modules() if isinstance(m, BaseTunerLayer)]
    return bool(layers) and all(layer.disable_adapters for layer in layers)


def test_runner_writes_results_and_summary_with_both_columns(run_dir):
    summary = ev.evaluate(run_dir, compare_base=True, settings=QUICK, interpreter=False)
    rows = ev.follow_results(run_dir).rows
    assert summary == ev.read_summary(run_dir)
    assert summary["state"] == "completed"
    assert summary["done"] == summary["total"] == len(rows) == 3
    assert set(summary["overall"]) == {"finetuned", "base"}
    assert set(summary["per_category"]) == {"Hotkeys", "Strings", "Reference"}
    assert summary["models"]["finetuned"] == "adapter"
    assert summary["adapter"] == adapter_fingerprint(run_dir)  # which adapter was scored
    for row in rows:
        assert {"prompt", "reference", "finetuned", "base", "finetuned_worse"} <= set(row)
        for name in ("finetuned", "base"):
            assert {"output", "exact_match", "chrf", "clean_v2", "verdict"} <= set(row[name])
    prose = next(r for r in rows if r["category"] == "Reference")
    assert prose["kind"] == "text" and prose["finetuned"]["clean_v2"] is None


def test_a_perfect_model_scores_exact_match_1_and_chrf_100(run_dir, monkeypatch):
    echo_reference(monkeypatch)
    summary = ev.evaluate(run_dir, settings=QUICK, interpreter=False, progress=False)
    overall = summary["overall"]["finetuned"]
    assert overall["exact_match"] == 1.0
    assert overall["chrf"] == 100.0
    assert overall["clean_v2_share"] == 1.0  # both code answers are clean v2
    assert "base" not in summary["overall"]


def test_base_answers_come_from_the_same_model_with_its_adapter_switched_off(run_dir, monkeypatch):
    calls: list[tuple[str, bool, int]] = []
    echo_reference(monkeypatch, calls)
    ev.evaluate(run_dir, compare_base=True, settings=QUICK, interpreter=False, batch_size=2)
    assert calls == [
        ("adapter", False, 2),
        ("adapter", True, 2),
        ("adapter", False, 1),
        ("adapter", True, 1),
    ]


def test_cli_prints_a_table_with_base_and_fine_tuned(run_dir, capsys):
    args = ["--compare-base", "--limit", "1", "--max-new-tokens", "4", "--no-interpreter"]
    code = ev.main(["--run-dir", str(run_dir), *args])
    out = capsys.readouterr().out
    assert code == 0
    header = out.splitlines()[0].split()
    assert header == ["metric", "fine-tuned", "base"]
    assert "clean v2 share" in out and "chrF" in out
    assert "completed: 1 of 1 prompts" in out


def test_stop_file_ends_the_run_after_the_current_batch(run_dir, monkeypatch):
    calls: list[str] = []
    echo_reference(monkeypatch, calls, on_call=lambda n: ev.request_stop(run_dir))
    summary = ev.evaluate(run_dir, settings=QUICK, interpreter=False, progress=False, batch_size=1)
    assert summary["state"] == "stopped"
    assert summary["done"] == 1 and summary["total"] == 3
    assert len(ev.follow_results(run_dir).rows) == 1


def test_interrupt_leaves_valid_partial_results(run_dir, monkeypatch):
    def interrupt_second(n):
        if n == 2:
            raise KeyboardInterrupt

    echo_reference(monkeypatch, [], on_call=interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        ev.evaluate(run_dir, settings=QUICK, interpreter=False, progress=False, batch_size=1)
    summary = ev.read_summary(run_dir)
    assert summary["state"] == "interrupted" and summary["done"] == 1
    lines = (run_dir / "eval" / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["index"] for line in lines] == [0]


def write_results(run_dir: Path, outputs: list[str]) -> None:
    """results.jsonl as the runner leaves it after a batch: the whole file replaced at once."""
    rows = [{"index": i, "finetuned": {"output": o}} for i, o in enumerate(outputs)]
    atomic_write_text(
        ev.eval_dir(run_dir) / "results.jsonl",
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
    )


def test_results_are_read_again_only_when_the_file_was_replaced(tmp_path):
    assert ev.follow_results(tmp_path) == ev.Results([])  # never evaluated
    write_results(tmp_path, ["a"])
    first = ev.follow_results(tmp_path)
    assert [r["finetuned"]["output"] for r in first.rows] == ["a"]
    assert ev.follow_results(tmp_path, first) is first  # nothing new: nothing read
    write_results(tmp_path, ["a", "b"])  # the next batch
    second = ev.follow_results(tmp_path, first)
    assert [r["finetuned"]["output"] for r in second.rows] == ["a", "b"]
    write_results(tmp_path, ["c", "d"])  # a new evaluation, the same size: another file
    assert [r["finetuned"]["output"] for r in ev.follow_results(tmp_path, second).rows] == [
        "c",
        "d",
    ]
    assert ev.follow_results(tmp_path / "other", second) == ev.Results([])  # another run


def test_an_output_with_a_unicode_line_separator_stays_one_row(tmp_path):
    write_results(tmp_path, ["x := 1\u2028y := 2"])  # json.dumps keeps U+2028 as it is
    assert [r["finetuned"]["output"] for r in ev.follow_results(tmp_path).rows] == [
        "x := 1\u2028y := 2"
    ]


def test_a_run_without_adapter_is_a_clear_error(tiny_model, tmp_path):
    bare = build_eval_run(tmp_path, tiny_model, adapter=False)
    with pytest.raises(StudioError, match="no adapter yet"):
        ev.evaluate(bare)
    assert ev.main(["--run-dir", str(bare)]) == 1
    assert not (bare / "eval").exists()


def test_an_empty_split_is_a_clear_error(run_dir):
    (run_dir.parent.parent / "prepared" / "test_harmony.jsonl").write_text("\n\n")
    with pytest.raises(StudioError, match="the split has no prompts"):
        ev.evaluate(run_dir)


def test_a_missing_split_names_the_file(run_dir):
    with pytest.raises(StudioError, match="does not exist") as err:
        ev.plan(run_dir, split="val")
    assert "val_harmony.jsonl" in str(err.value)


def test_a_malformed_split_line_names_the_line(run_dir):
    path = run_dir.parent.parent / "prepared" / "test_harmony.jsonl"
    path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(StudioError, match="line 4"):
        ev.plan(run_dir)


def test_merged_model_asked_for_but_missing_is_a_clear_error(run_dir):
    with pytest.raises(StudioError, match="no merged model yet"):
        ev.plan(run_dir, model="merged")


def test_examples_take_category_and_kind_from_the_plain_split(run_dir):
    examples = ev.plan(run_dir).examples
    assert [(e.category, e.kind) for e in examples] == [
        ("Hotkeys", "code"),
        ("Strings", "code"),
        ("Reference", "text"),
    ]
    (run_dir.parent.parent / "prepared" / "test.jsonl").unlink()
    fallback = ev.plan(run_dir, limit=1).examples
    assert [(e.category, e.kind) for e in fallback] == [("Hotkeys", "code")]  # the Category: line


@pytest.mark.interpreter
def test_autohotkey_itself_loads_the_answers_as_its_own_column(run_dir, monkeypatch):
    from core.ahk.interpreter import find_interpreter

    if find_interpreter() is None:
        pytest.skip("AutoHotkey v2 under Wine is not installed")
    echo_reference(monkeypatch)
    summary = ev.evaluate(run_dir, limit=2, settings=QUICK, progress=False)
    assert summary["interpreter"]
    assert summary["overall"]["finetuned"]["interpreter_ok_share"] == 1.0


BENCH_TASKS = [
    {"id": "add", "category": "math", "prompt": "Write Add(a, b).", "test": 'FileAppend(Add(2, 3), "*")', "expected": "5"},
    {"id": "up", "category": "strings", "prompt": "Write Up(s).", "test": 'FileAppend(Up("ab"), "*")', "expected": "AB"},
]  # fmt: skip
LEAKED = "; Add two numbers and show the sum.\nAdd(a, b) {\n    total := a + b\n    return total\n}\nMsgBox Add(2, 3)\n"
TUNED = {"Write Add(a, b).": "```ahk\nAdd(a, b) => a + b\n```", "Write Up(s).": "Up(s) => s"}


@pytest.mark.interpreter
@pytest.mark.skipif(bool(missing_tools()), reason="needs the AutoHotkey sandbox")
def test_benchmark_writes_pass_at_1_of_base_and_fine_tuned_with_examples(run_dir, monkeypatch):
    tasks = run_dir / "bench.jsonl"
    tasks.write_text("".join(json.dumps(t) + "\n" for t in BENCH_TASKS), "utf-8")

    def fake(loaded, conversations, settings=None):
        base = adapter_switched_off(loaded)
        texts = ["pecpecpec" if base else TUNED[c[-1]["content"]] for c in conversations]
        return [gen.Completion(t, "", 3, 0.01) for t in texts]

    monkeypatch.setattr(gen, "generate_many", fake)
    (run_dir / "solutions").mkdir()
    (run_dir / "solutions" / "add.ahk").write_text(LEAKED, "utf-8")  # and `up` has none
    with ev.training_file(run_dir).open("a", encoding="utf-8") as train:
        train.write(json.dumps({"messages": [{"role": "assistant", "content": LEAKED}]}) + "\n")
    data = ev.benchmark(run_dir, tasks, settings=QUICK)
    assert ev.read_benchmark(run_dir) == data
    assert data["adapter"] == adapter_fingerprint(run_dir)
    assert [(h["id"], h["line"]) for h in data["leakage"]["near_duplicates"]] == [("add", 4)]
    assert "leakage: 1 of 1 reference solutions" in ev.format_benchmark(data)
    tuned, base = data["models"]["finetuned"], data["models"]["base"]
    assert (tuned["pass_at_1"], base["pass_at_1"]) == (0.5, 0.0)
    assert tuned["categories"]["math"]["pass"] == 1 and base["statuses"]["no-code"] == 2
    assert [e["id"] for e in data["examples"]["best"]] == ["add"]
    worst = data["examples"]["worst"][0]
    assert (worst["id"], worst["stdout"], worst["expected"]) == ("up", "ab", "AB")
    assert "fine-tuned" in ev.format_benchmark(data)


@pytest.mark.interpreter
@pytest.mark.skipif(bool(missing_tools()), reason="needs the AutoHotkey sandbox")
def test_benchmark_with_samples_reports_pass_at_k_of_base_and_fine_tuned(run_dir, monkeypatch):
    tasks = run_dir / "bench.jsonl"
    tasks.write_text("".join(json.dumps(t) + "\n" for t in BENCH_TASKS), "utf-8")
    asked: list[tuple[int, float]] = []

    def fake(loaded, conversations, settings=None):
        asked.append((len(conversations), settings.temperature))
        base, seen = adapter_switched_off(loaded), {}
        texts = []
        for c in conversations:  # the fine-tuned model gets Add right in its first sample only
            prompt = c[-1]["content"]
            seen[prompt] = seen.get(prompt, 0) + 1
            right = not base and prompt == "Write Add(a, b)." and seen[prompt] == 1
            texts.append(TUNED[prompt] if right else "Add(a, b) => a - b\nUp(s) => s")
        return [gen.Completion(t, "", 3, 0.01) for t in texts]

    monkeypatch.setattr(gen, "generate_many", fake)
    sampled = gen.GenerationSettings(max_new_tokens=8, temperature=0.8)
    data = ev.benchmark(run_dir, tasks, settings=sampled, samples=3)
    assert asked == [(6, 0.8), (6, 0.8)] and data["samples"] == 3
    tuned, base = data["models"]["finetuned"], data["models"]["base"]
    assert tuned["pass_at_k"] == {"1": pytest.approx(1 / 6, abs=1e-4), "3": 0.5}
    assert base["pass_at_k"] == {"1": 0.0, "3": 0.0} and base["pass_at_k_absent"] == {}
    assert "pass@3" in ev.format_benchmark(data).splitlines()[-1]
    with pytest.raises(StudioError, match="temperature 0 gives the same answer"):
        ev.benchmark(run_dir, tasks, settings=QUICK, samples=3)
