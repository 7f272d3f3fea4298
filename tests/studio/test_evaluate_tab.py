"""The Evaluate and Playground tabs' handlers, called as plain functions on a real run folder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from core import jobs
from core.errors import StudioError
from core.evaluate import compare as ev
from core.fsutil import atomic_write_text
from core.train import run_folder
from core.workspace import REPO_ROOT
from studio import render
from studio.context import StudioContext
from studio.tabs import evaluate as et
from studio.tabs import playground as pt
from tests.core.evaluate.test_generate import V2_HOTKEY, build_eval_run
from tests.core.evaluate.test_scoring import V1_SNIPPET
from tests.core.export.test_provenance import bare_run, train_more
from tests.studio.test_export_tab import by_id, wired


@pytest.fixture(scope="module")
def run_dir(tiny_model, tmp_path_factory) -> Path:
    return build_eval_run(tmp_path_factory.mktemp("tab"), tiny_model)


@pytest.fixture(scope="module")
def workspace(run_dir) -> Path:
    return run_dir.parent.parent


def row(index: int, ft_chrf: float, base_chrf: float, ft_clean: bool, base_clean: bool) -> dict:
    scores = {"exact_match": 0.0, "verdict": "v2", "errors": 0, "balance_problem": None}
    return {
        "index": index,
        "category": "Hotkeys",
        "kind": "code",
        "prompt": f"prompt {index}",
        "reference": "MsgBox 1",
        "finetuned": {**scores, "output": f"ft {index}", "chrf": ft_chrf, "clean_v2": ft_clean},
        "base": {**scores, "output": f"base {index}", "chrf": base_chrf, "clean_v2": base_clean},
        "finetuned_worse": (ft_clean, ft_chrf) < (base_clean, base_chrf),
    }


ROWS = [row(0, 80.0, 20.0, True, False), row(1, 10.0, 30.0, True, True)]


# ---------------------------------------------------------------- Evaluate


def test_runs_are_listed_with_what_they_can_evaluate(workspace):
    assert render.run_choices(workspace) == [("demo-run · failed · adapter", "demo-run")]


def test_without_a_run_the_tab_says_what_to_do(workspace):
    v = et.refresh(workspace, None, False)
    status, table, running, results = v.status, v.table, v.running, v.results
    assert "Pick a run" in status
    assert list(table.columns) == et.TABLE_COLUMNS and table.empty
    assert not running and results == ev.Results([])


def test_a_run_never_evaluated_says_so(workspace):
    v = et.refresh(workspace, "demo-run", False)
    status, totals, table, running, results = v.status, v.totals, v.table, v.running, v.results
    assert "not been evaluated yet" in status and totals == "" and table.empty and not running
    assert results == ev.Results([])


def test_results_of_an_older_adapter_say_stale_and_re_evaluate(tmp_path):
    run_dir = bare_run(tmp_path, "resumed")
    scored = run_folder.adapter_fingerprint(run_dir)
    summary = {"state": "completed", "done": 1, "total": 1, "split": "test", "adapter": scored,
               "models": {"finetuned": "adapter"}}  # fmt: skip
    atomic_write_text(run_dir / "eval" / "summary.json", json.dumps(summary))
    bench = {"adapter": scored, "samples": 1, "examples": {}, "models": {}}
    bench["models"] = {
        "finetuned": {"tasks": 3, "pass_at_1": 0.5, "categories": {}, "statuses": {}}
    }
    atomic_write_text(run_dir / "eval" / "ahkbench.json", json.dumps(bench))
    status = et.refresh(tmp_path, "resumed", False).status
    assert "fine-tuned = adapter of step 8" in status and "STALE" not in status
    train_more(run_dir, 16, b"weights after a resume")
    status = et.refresh(tmp_path, "resumed", False).status
    assert "STALE: these results scored an older adapter (step 8)" in status
    assert status.endswith("re-evaluate.</div>")
    bench_note = et.benchmark_views(tmp_path, "resumed")[0]
    assert "scored an older adapter" in bench_note and "re-run the task benchmark" in bench_note


def test_the_examples_table_shows_both_outputs_and_filters_the_worse(workspace):
    table = et.examples_table(ROWS, worse_only=False)
    assert list(table["fine-tuned"]) == ["ft 0", "ft 1"]
    assert list(table["base"]) == ["base 0", "base 1"]
    assert list(table["v2 (ft / base)"]) == ["✓ / ✗", "✓ / ✓"]
    worse = et.examples_table(ROWS, worse_only=True)
    assert list(worse["#"]) == [1] and list(worse["worse"]) == ["yes"]


def test_the_tab_reads_the_results_again_only_when_a_batch_replaced_them(tiny_model, tmp_path):
    run_dir = build_eval_run(tmp_path, tiny_model)
    workspace, path = run_dir.parent.parent, ev.eval_dir(run_dir) / "results.jsonl"
    atomic_write_text(path, json.dumps(ROWS[0]) + "\n")
    v = et.refresh(workspace, "demo-run", False)
    table, first = v.table, v.results
    assert list(table["#"]) == [0] and first.rows == ROWS[:1]
    v = et.refresh(workspace, "demo-run", True, first)  # a tick: nothing new
    table, again = v.table, v.results
    assert again is first and table.empty  # the filter applied to the rows kept
    atomic_write_text(path, "".join(json.dumps(r) + "\n" for r in ROWS))  # the next batch
    v = et.refresh(workspace, "demo-run", False, first)
    table, second = v.table, v.results
    assert list(table["#"]) == [0, 1] and second.rows == ROWS


def test_the_detail_puts_reference_and_both_answers_side_by_side():
    html = et.example_detail(ROWS, 1)
    assert "prompt 1" in html and "MsgBox 1" in html and "ft 1" in html and "base 1" in html
    assert "chrF 10.0" in html and "chrF 30.0" in html


def test_the_chart_has_one_bar_group_per_metric_for_each_model():
    overall, _ = ev.summarise_rows(ROWS)
    figure = et.metrics_figure({"overall": overall})
    bars = {trace.name: dict(zip(trace.x, trace.y, strict=True)) for trace in figure.data}
    assert set(bars) == {"base", "fine-tuned"}
    assert bars["fine-tuned"]["clean v2"] == 100.0 and bars["base"]["clean v2"] == 50.0
    assert bars["fine-tuned"]["chrF"] == 45.0
    assert "loads in AutoHotkey v2" not in bars["base"]  # not measured: no bar


def test_building_the_tab_leaves_plotly_unloaded(tmp_path):
    script = f"""
import sys
from pathlib import Path
import gradio as gr
from studio.tabs import evaluate as evaluate_tab
from studio.context import StudioContext
with gr.Blocks():
    evaluate_tab.build(StudioContext(workspace=Path({str(tmp_path)!r})))
assert "plotly" not in sys.modules, "plotly was imported before the first figure"
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_run_without_adapter_is_refused_before_a_job_starts(tiny_model, tmp_path):
    bare = build_eval_run(tmp_path, tiny_model, adapter=False)
    workspace = bare.parent.parent
    with pytest.raises(StudioError, match="no adapter yet"):
        et.start_evaluation(workspace, "demo-run", "test", 0, 64, True)
    with pytest.raises(StudioError, match="pick a run"):
        et.start_evaluation(workspace, None, "test", 0, 64, True)
    assert jobs.list_jobs(workspace) == []


def test_an_evaluation_that_cannot_start_says_why_in_its_status_line(tiny_model, tmp_path):
    bare = build_eval_run(tmp_path, tiny_model, adapter=False)
    with gr.Blocks() as demo:
        et.build(StudioContext(workspace=bare.parent.parent))
    start, _, _, _ = wired(demo, "eval-start")
    shown = by_id(start("demo-run", "test", 0, 64, True, False, ev.Results([])))
    assert list(shown) == ["eval-status"] and "no adapter yet" in shown["eval-status"]
    bench, _, _, _ = wired(demo, "eval-bench")
    shown = by_id(bench(None, 0, 64, True, 1, 0.0, False, ev.Results([])))
    assert list(shown) == ["eval-bench-status"] and "pick a run" in shown["eval-bench-status"]


def test_stop_without_a_running_evaluation_says_so(workspace):
    assert "No evaluation of this run is running" in et.stop_evaluation(workspace, "demo-run")


@pytest.mark.slow
def test_evaluation_job_runs_and_the_tab_shows_base_and_fine_tuned(workspace):
    job_id = et.start_evaluation(workspace, "demo-run", "test", 2, 8, True)
    with pytest.raises(StudioError, match="being evaluated already"):
        et.start_evaluation(workspace, "demo-run", "test", 2, 8, True)
    status = jobs.wait_job(workspace, job_id, timeout=300)
    assert status.state == "completed", jobs.read_log(workspace, job_id)
    v = et.refresh(workspace, "demo-run", False)
    assert "completed: 2 of 2 prompts" in v.status and not v.running
    assert "clean v2 · fine-tuned" in v.totals and "clean v2 · base" in v.totals
    assert {trace.name for trace in v.figure.data} == {"base", "fine-tuned"}
    assert len(v.table) == 2 and v.table["base"].notna().all()
    assert "fine-tuned" in v.log and "base" in v.log  # the CLI's table
    assert list(v.table["#"]) == [r["index"] for r in v.results.rows]
    results = v.results
    again = et.refresh(workspace, "demo-run", True, results).results  # a tick, or the filter
    assert again is results  # the results read before, not read again


# ---------------------------------------------------------------- Playground


def test_the_playground_offers_the_models_of_the_run(workspace):
    choices, default = pt.model_options(workspace, "demo-run")
    assert [value for _, value in choices] == ["base", "adapter"]
    assert default == "adapter"
    assert "merged" in pt.model_note(workspace, "demo-run")  # named as missing


def test_a_chat_answer_streams_and_ends_with_the_checkers_verdict(workspace):
    steps = list(
        pt.respond(workspace, "demo-run", "adapter", "Be brief.", 0.0, 1.0, 8, 1.0, "Hi", [])
    )
    shown, history = steps[-1]
    assert len(steps) >= 3  # the question at once, then tokens, then the verdict
    assert [t["role"] for t in history] == ["user", "assistant"]
    assert history[1]["verdict"] == pt.verdict_note(history[1]["content"])  # of what it said
    assert shown[-1]["content"].endswith(history[1]["verdict"])
    assert shown[0] == {"role": "user", "content": "Hi"}


def test_stop_ends_the_answer_early(workspace):
    chat = pt.respond(
        workspace, "demo-run", "base", "", 1.0, 1.0, 4000, 1.0, "Hi", [], session="s1"
    )
    next(chat)  # the question is shown
    next(chat)  # the first token arrived
    pt.stop_answer("s1")
    *_, (_, history) = list(chat)
    assert history[-1]["role"] == "assistant" and "verdict" in history[-1]


def test_chat_inputs_are_checked(workspace):
    with pytest.raises(StudioError, match="pick a run"):
        next(pt.respond(workspace, None, None, "", 0.0, 1.0, 8, 1.0, "Hi", []))
    with pytest.raises(StudioError, match="type a message"):
        next(pt.respond(workspace, "demo-run", "adapter", "", 0.0, 1.0, 8, 1.0, "  ", []))


def test_the_verdict_of_a_clean_v2_answer_is_one_line():
    clean = "**v2 checker: ✓ clean AutoHotkey v2** · 0 errors · 0 warnings"
    assert pt.verdict_note(V2_HOTKEY) == clean
    assert pt.verdict_note(f"Here it is:\n```ahk\n{V2_HOTKEY}\n```\nPress Ctrl+J.") == clean


def test_an_answer_without_code_says_so():
    for answer in ("", "\n\n", "```ahk\n\n```"):
        assert pt.verdict_note(answer) == "*v2 checker: no code in this answer*"


def test_the_verdict_tells_v1_from_clean_v2():
    head, blank, *details = pt.verdict_note(V1_SNIPPET).split("\n")
    assert head.startswith("**v2 checker: ✗ AutoHotkey v1 syntax** · ") and blank == ""
    assert len(details) == pt.MAX_DIAGNOSTICS  # the first diagnostics are listed, no more
    assert details[0].startswith("- line 1: #NoEnv is AutoHotkey v1 only")


def test_answers_are_fenced_and_reasoning_is_folded_away():
    assert pt.answer_markdown("MsgBox 1") == "```autohotkey\nMsgBox 1\n```"
    assert pt.answer_markdown("Use:\n```ahk\nMsgBox 1\n```") == "Use:\n```ahk\nMsgBox 1\n```"
    shown = pt.display(
        [
            {"role": "user", "content": "Q"},
            {"role": "assistant", "content": "MsgBox 1", "analysis": "think", "verdict": "ok"},
        ]
    )
    assert shown[1] == {"role": "assistant", "content": "think", "metadata": {"title": "Reasoning"}}
    assert shown[2]["content"].endswith("\n\nok")
    assert pt.conversation(" ", [{"role": "user", "content": "Q", "verdict": "x"}]) == [
        {"role": "user", "content": "Q"}
    ]


def test_opening_the_playground_reads_the_runs_again_and_keeps_the_choice(workspace, run_dir):
    ui = SimpleNamespace(run="run", kind="kind", note="note")  # the components, as dict keys
    shown = pt.shown_models(ui, workspace, None, None)
    assert shown["run"].value == "demo-run" and shown["kind"].value == "adapter"
    assert "not yet: merged" in shown["note"]
    shown = pt.shown_models(ui, workspace, "demo-run", "base")
    assert (shown["run"].value, shown["kind"].value) == ("demo-run", "base")  # the choice stays
    assert [value for _, value in shown["kind"].choices] == ["base", "adapter"]
    shown = pt.shown_models(ui, workspace, "deleted-run", "merged")
    assert (shown["run"].value, shown["kind"].value) == ("demo-run", "adapter")  # gone: the first


def test_a_run_picker_keeps_the_chosen_run_while_it_exists():
    choices = [("new · running · no adapter yet", "new"), ("old · completed · adapter", "old")]
    assert render.pick_run(choices, "old") == "old"
    assert render.pick_run(choices, "deleted") == "new"  # the newest
    assert render.pick_run(choices, "deleted", default="old") == "old"
    assert render.pick_run(choices, None, default="deleted") == "new"
    assert render.pick_run([], "old") is None
    assert render.run_picker(choices, "old").value == "old"


def bench_report(passed: int, statuses: dict, results: list[dict]) -> dict:
    counts = {
        s: 0 for s in ("pass", "wrong-output", "load-error", "runtime-error", "timeout", "no-code")
    }
    counts.update(statuses)
    return {"tasks": 2, "pass_at_1": passed / 2, "statuses": counts, "results": results,
            "categories": {"math": {"tasks": 2, "pass_at_1": passed / 2, **counts}}}  # fmt: skip


def test_the_benchmark_shows_pass_at_1_failure_classes_and_examples(workspace):
    tuned = [{"id": "add", "sample": 0, "passed": True, "status": "pass", "category": "math",
              "stdout": "5", "expected": "5", "stderr": "", "code": "Add(a, b) => a + b"},
             {"id": "up", "sample": 0, "passed": False, "status": "wrong-output", "category": "math",
              "stdout": "ab", "expected": "AB", "stderr": "", "code": "Up(s) => s"}]  # fmt: skip
    base = [dict(r, passed=False, status="no-code", stdout="", code="") for r in tuned]
    reports = {"finetuned": bench_report(1, {"pass": 1, "wrong-output": 1}, tuned),
               "base": bench_report(0, {"no-code": 2}, base)}  # fmt: skip
    data = {"run": "demo-run", "models": reports, "examples": ev.benchmark_examples(reports)}
    path = ev.benchmark_path(workspace / "runs" / "demo-run")
    atomic_write_text(path, json.dumps(data))
    try:
        note, html, figure = et.benchmark_views(workspace, "demo-run")
    finally:
        path.unlink()
    assert "2 tasks" in note
    assert "pass@1 · fine-tuned" in html and "50%" in html and "0%" in html
    assert (
        "add · pass (base: no-code)" in html and "expected:\nAB" in html and "output:\nab" in html
    )
    bars = {bar.name: list(bar.y) for bar in figure.data}
    assert bars == {"fine-tuned": [1, 1, 0, 0, 0, 0], "base": [0, 0, 0, 0, 0, 2]}
    assert "Press Task benchmark" in et.benchmark_views(workspace, "demo-run")[0]


def test_the_headline_leads_with_the_benchmarks_pass_at_1_and_never_rewards_no_code(tmp_path):
    run_dir = bare_run(tmp_path, "benched")
    gibberish = {"clean_v2_share": 0.0, "no_code_share": 1.0, "chrf": 3.0}
    tuned = {"clean_v2_share": 1.0, "no_code_share": 0.0, "chrf": 40.0}
    summary = {"state": "completed", "done": 2, "total": 2, "split": "test", "finetuned_worse": 0,
               "overall": {"finetuned": tuned, "base": gibberish}}  # fmt: skip
    atomic_write_text(run_dir / "eval" / "summary.json", json.dumps(summary))
    assert "task pass@1" not in et.refresh(tmp_path, "benched", False).totals  # no benchmark yet
    reports = {"finetuned": bench_report(1, {"pass": 1, "wrong-output": 1}, []),
               "base": bench_report(0, {"no-code": 2}, [])}  # fmt: skip
    bench = {"models": reports, "adapter": run_folder.adapter_fingerprint(run_dir)}
    atomic_write_text(ev.benchmark_path(run_dir), json.dumps(bench))
    totals = et.refresh(tmp_path, "benched", False).totals
    cards = re.findall(
        r'class="stat ([a-z]*)"><div class="value">([^<]*)</div><div class="label">([^<]*)', totals
    )
    assert cards[:2] == [
        ("good", "50%", "task pass@1 · fine-tuned"),
        ("warn", "0%", "task pass@1 · base"),
    ]
    assert ("bad", "100%", "no code (gibberish) · base") in cards
    assert ("warn", "0%", "clean v2 · base") in cards  # answers without code are never clean
    train_more(run_dir, 16, b"weights after a resume")
    totals = et.refresh(tmp_path, "benched", False).totals
    assert "task pass@1 · fine-tuned (older adapter)" in totals
    assert "task pass@1 · base" in et.totals_html(None, bench)  # a benchmark alone has cards too


def test_the_benchmark_button_asks_for_k_samples_at_the_temperature_given(workspace, monkeypatch):
    import core.ahk.sandbox

    started: list[list[str]] = []
    monkeypatch.setattr(core.ahk.sandbox, "require_sandbox", lambda: None)
    monkeypatch.setattr(jobs, "start_job", lambda ws, kind, argv, meta: started.append(argv))
    et.start_benchmark(workspace, "demo-run", 12, 64, True, 5, 0.8)
    argv = started[0]
    assert argv[argv.index("--samples") + 1] == "5"
    assert argv[argv.index("--temperature") + 1] == "0.8"
    assert argv[argv.index("--limit") + 1] == "12" and "--compare-base" in argv
    with pytest.raises(StudioError, match="pass@5 needs 5 different answers"):
        et.start_benchmark(workspace, "demo-run", 0, 64, True, 5, 0.0)
    assert len(started) == 1  # refused before a job starts


def test_the_benchmark_shows_pass_at_k_of_both_models_with_k_samples(workspace):
    tuned = [{"id": "add", "sample": s, "passed": s == 0, "status": "pass" if s == 0 else
              "wrong-output", "category": "math", "stdout": "5", "expected": "5", "stderr": "",
              "code": "Add(a, b) => a + b"} for s in range(3)]  # fmt: skip
    base = [dict(r, passed=False, status="no-code", stdout="", code="") for r in tuned]
    reports = {"finetuned": bench_report(1, {"pass": 1, "wrong-output": 2}, tuned),
               "base": bench_report(0, {"no-code": 3}, base)}  # fmt: skip
    reports["finetuned"]["pass_at_k"] = {"1": 0.1667, "3": 0.5}
    reports["base"]["pass_at_k"] = {"1": 0.0}
    reports["base"]["pass_at_k_absent"] = {"3": "1 of 2 answered tasks have fewer than 3 answers"}
    data = {"run": "demo-run", "samples": 3, "models": reports,
            "examples": ev.benchmark_examples(reports)}  # fmt: skip
    html = et.benchmark_html(data)
    assert "pass@1 · fine-tuned" in html and "pass@1 · base" in html
    cards = re.findall(r'class="value">([^<]*)</div><div class="label">pass@3 · ([^<]*)<', html)
    assert cards == [("50%", "fine-tuned"), ("–", "base")]
    assert "base: no pass@3, 1 of 2 answered tasks have fewer than 3 answers" in html
    assert "pass@3" not in et.benchmark_html(dict(data, samples=1))  # greedy: pass@1 only
    assert "Leakage" not in html
    leaks = {"near_duplicates": [{"id": "add", "line": 4, "similarity": 0.9}]}
    assert "near copies of the solutions of add" in et.benchmark_html(dict(data, leakage=leaks))
