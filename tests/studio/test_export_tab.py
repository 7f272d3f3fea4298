"""The Export tab's handlers, called as plain functions: what a run is ready for, the export's
result read back from the file beside its GGUF, the tables and links, and a real merge and export
as jobs."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

import gradio as gr
import pytest

from core import jobs
from core.errors import StudioError
from core.export import provenance
from core.export.gguf import SavedResult
from core.train import run_folder
from core.train.config import load_config, save_config
from studio import render
from studio.context import StudioContext
from studio.tabs import export as et
from tests.core.evaluate.test_generate import build_eval_run
from tests.core.export.test_provenance import bare_run, train_more

REPORT = {
    "gguf_path": "/w/runs/r/exports/model-f16.gguf",
    "modelfile_path": "/w/runs/r/exports/model-f16.Modelfile",
    "readme_path": "/w/runs/r/exports/model-f16.README.txt",
    "quant": "f16",
    "method": "built-in writer",
    "architecture": "llama",
    "tensor_count": 38,
    "size_bytes": 3 * 2**20,
    "write_seconds": 0.2,
    "seconds": 4.0,
    "checks": [
        {
            "backend": "transformers",
            "max_diff": 0.0016,
            "limit": 0.2,
            "prompts": 3,
            "argmax_agree": 3,
            "tokens_match": True,
            "passed": True,
            "line": "…",
        },
    ],
    "smoke": {
        "backend": "llama.cpp",
        "checker": "core.ahk",
        "answers": [
            {
                "prompt": "Write a hotkey.",
                "answer": "^j::MsgBox 1",
                "verdict": "v2",
                "errors": 0,
                "warnings": 0,
            },
            {
                "prompt": "Show the time.",
                "answer": "MsgBox, %A_Now%",
                "verdict": "v1",
                "errors": 1,
                "warnings": 0,
            },
        ],
    },
    "warnings": ["llama.cpp: a tensor fell back to Q8_0"],
}


def adapter_run(root: Path, tiny_model: Path) -> Path:
    """A finished run with a trained adapter whose merged/ goes inside the run folder."""
    run_dir = build_eval_run(root, tiny_model)
    cfg = load_config(run_dir / run_folder.CONFIG)
    cfg.output.merged_dir = str(run_dir / "merged")
    save_config(cfg, run_dir / run_folder.CONFIG)
    run_folder.write_status(run_dir, state="completed", started=time.time())
    return run_dir


@pytest.fixture(scope="module")
def run_dir(tiny_model, tmp_path_factory) -> Path:
    return adapter_run(tmp_path_factory.mktemp("export-tab"), tiny_model)


def test_every_event_of_the_tab_is_private(workspace):
    with gr.Blocks() as demo:
        et.build(StudioContext(workspace=workspace))
    ids = {block.elem_id for block in demo.blocks.values()}
    assert {"export-run", "export-merge", "export-gguf", "export-quant", "export-smoke"} <= ids
    assert all(fn.api_visibility == "private" for fn in demo.fns.values())


def test_a_run_without_an_adapter_says_so_and_cannot_be_merged(workspace):
    run_dir = run_folder.runs_dir(workspace) / "fresh"
    run_dir.mkdir(parents=True)
    (run_dir / run_folder.CONFIG).write_text("base_model: x\n")
    run_folder.write_status(run_dir, state="stopped")
    note, can_merge, can_export = et.readiness(workspace, "fresh")
    assert "no adapter yet" in note and not can_merge and not can_export
    assert render.run_choices(workspace) == [("fresh · stopped · no adapter yet", "fresh")]
    with pytest.raises(StudioError, match="cannot be merged yet"):
        et.start_merge(workspace, "fresh")
    with pytest.raises(StudioError, match="no merged model yet"):
        et.start_export(workspace, "fresh", "f16", False)


def wired(demo: gr.Blocks, elem_id: str, event: str = "click") -> tuple:
    """The handler `event` of the component `elem_id` runs, and the one chained after it (if
    any), as (fn, its outputs' elem_ids, next fn, its outputs' elem_ids)."""
    fns = list(demo.fns.values())
    block = next(b for b in demo.blocks.values() if b.elem_id == elem_id)
    index, first = next((i, f) for i, f in enumerate(fns) if (block._id, event) in f.targets)
    after = next((f for f in fns if f.trigger_after == index), None)

    def ids(fn) -> list:
        return [o.elem_id for o in fn.outputs] if fn else []

    return first.fn, ids(first), after.fn if after else None, ids(after)


def by_id(outputs: dict) -> dict:
    """A handler's {component: update} keyed by elem_id."""
    return {c.elem_id: v for c, v in outputs.items()}


def test_a_merge_or_export_that_cannot_start_says_why_in_the_tab_and_leaves_the_buttons_idle(
    workspace,
):
    run_dir = run_folder.runs_dir(workspace) / "fresh"
    run_dir.mkdir(parents=True)
    (run_dir / run_folder.CONFIG).write_text("base_model: x\n")
    with gr.Blocks() as demo:
        et.build(StudioContext(workspace=workspace))
    for elem_id, args, why in (
        ("export-merge", ("fresh", SavedResult(None)), "cannot be merged yet"),
        ("export-gguf", ("fresh", "f16", False, SavedResult(None)), "no merged model yet"),
    ):
        start, _, idle, idle_ids = wired(demo, elem_id)
        shown = by_id(start(*args))  # no exception: the error stays in the job line
        assert list(shown) == ["export-job"] and why in shown["export-job"]
        assert 'class="msg error"' in shown["export-job"]
        buttons = by_id(idle("fresh"))
        assert {"export-merge", "export-gguf", "export-cancel", "export-note"} <= set(idle_ids)
        assert buttons["export-merge"].interactive is False
        assert buttons["export-cancel"].visible is False and "no adapter" in buttons["export-note"]


def test_a_training_run_is_not_offered_for_merging(workspace):
    run_dir = run_folder.runs_dir(workspace) / "busy"
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / run_folder.CONFIG).write_text("base_model: x\n")
    (run_dir / "adapter" / "adapter_config.json").write_text("{}")
    run_folder.write_status(run_dir, state="running")
    fd = os.open(
        run_dir / run_folder.LOCK, os.O_RDWR | os.O_CREAT
    )  # held as a live trainer holds it
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        note, can_merge, _ = et.readiness(workspace, "busy")
        assert "still training" in note and not can_merge
    finally:
        os.close(fd)


def test_without_a_run_the_tab_says_what_to_do(workspace):
    view = et.refresh(workspace, None)
    assert "Train one in the Train tab" in view.note
    assert not (view.can_merge or view.can_export or view.running or view.has_results)


def test_the_export_report_is_read_back_from_the_result_file_beside_the_gguf(workspace):
    exports = run_folder.runs_dir(workspace) / "r" / "exports"
    exports.mkdir(parents=True)
    (exports.parent / run_folder.CONFIG).write_text("base_model: x\n")
    job = jobs.JobStatus(
        "export-1", "export", [], "completed", 0.0, meta={"run": "r", "quant": "f16"}
    )
    assert et.export_result(workspace, job) == SavedResult(None)  # no file yet
    (exports / "model-f16.result.json").write_text(json.dumps(REPORT, indent=2))
    read = et.export_result(workspace, job)
    assert read.report == REPORT
    assert et.export_result(workspace, job, read) is read  # unchanged: not read again
    (exports / "model-f16.result.json").write_text(json.dumps(REPORT)[:100])
    assert et.export_result(workspace, job, read).report is None
    failed = jobs.JobStatus("export-2", "export", [], "failed", 0.0, meta=job.meta)
    assert et.export_result(workspace, failed, read) == SavedResult(None)
    assert et.export_result(workspace, None) == SavedResult(None)


def start_fake_job(workspace: Path, kind: str, run_id: str, **meta) -> str:
    """A finished job of `kind` for the run, as core.jobs records one (`true` as its command)."""
    job_id = jobs.start_job(workspace, kind, ["true"], meta={"run": run_id, **meta})
    deadline = time.monotonic() + 30
    while not jobs.job_status(workspace, job_id).finished:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return job_id


def test_a_poll_lists_the_jobs_once_and_reads_the_result_only_when_it_changed(
    workspace, monkeypatch
):
    exports = run_folder.runs_dir(workspace) / "r" / "exports"
    exports.mkdir(parents=True)
    (exports.parent / run_folder.CONFIG).write_text("base_model: x\n")
    start_fake_job(workspace, "export", "r", quant="f16")
    time.sleep(0.01)
    merge_id = start_fake_job(workspace, "merge", "r")
    start_fake_job(workspace, "export", "other", quant="f16")
    (exports / "model-f16.result.json").write_text(json.dumps(REPORT))
    listings = []
    real_list = jobs.list_jobs
    monkeypatch.setattr(jobs, "list_jobs", lambda *a: listings.append(a) or real_list(*a))

    view = et.refresh(workspace, "r")
    assert len(listings) == 1  # the newest job (a merge) and the newest export from one listing
    assert "Merge: done" in view.job and view.result.report == REPORT and "F16" in view.summary
    again = et.refresh(workspace, "r", view.result)
    assert len(listings) == 2 and again.result is view.result and again.summary == view.summary
    assert et.run_jobs(workspace, "r")[0].id == merge_id


def test_the_report_becomes_totals_verification_and_smoke_tables():
    checks = et.checks_table(REPORT)
    assert checks.values.tolist() == [["transformers", "0.0016", "0.2", "3/3", "passed"]]
    smoke = et.smoke_table(REPORT)
    assert smoke["verdict"].tolist() == ["v2", "v1"] and smoke["errors"].tolist() == [0, 1]
    html = et.summary_html(REPORT)
    for text in ("F16", "3.0 MB", "38", ">yes<", "1/2", "fell back to Q8_0"):
        assert text in html
    assert (
        et.checks_table(None).empty and et.smoke_table(None).empty and et.summary_html(None) == ""
    )


def test_the_smoke_table_never_shows_v2_beside_errors_and_the_summary_names_gibberish():
    answers = [  # as a result written before the smoke test judged answers as Evaluate does
        {"prompt": "a", "answer": "pecpecpec pecpec", "verdict": "no code", "errors": 0},
        {"prompt": "b", "answer": "pecpec", "verdict": "no code", "errors": 0},
        {"prompt": "c", "answer": 'MsgBox("hi"', "verdict": "v2", "errors": 2},
    ]
    report = {**REPORT, "smoke": {**REPORT["smoke"], "answers": answers}}
    smoke = et.smoke_table(report)
    assert smoke["verdict"].tolist() == ["no code", "no code", "v2 with errors"]
    html = et.summary_html(report)
    assert "0/3" in html and "2 of 3 answers are not code at all (gibberish or prose)" in html
    assert "not code at all" not in et.summary_html(REPORT)


def test_a_merged_run_says_in_plain_words_how_close_the_merge_came(workspace):
    run_dir = run_folder.runs_dir(workspace) / "merged"
    for part in ("adapter/adapter_config.json", "merged/config.json"):
        (run_dir / part).parent.mkdir(parents=True, exist_ok=True)
        (run_dir / part).write_text("{}")
    (run_dir / run_folder.CONFIG).write_text("base_model: x\n")
    run_folder.write_status(run_dir, state="completed", merged={"max_abs_diff": 0.00123})
    note, _, can_export = et.readiness(workspace, "merged")
    assert can_export and "ready to export" in note and "logit" not in note
    assert "the same words as the base model with the adapter" in note
    assert "small rounding difference (at most 0.0012)" in note


def test_after_a_resume_the_merge_and_its_exports_are_marked_stale_with_what_to_do(workspace):
    run_dir = bare_run(workspace, "resumed")
    (run_dir / "merged").mkdir()
    (run_dir / "merged" / "config.json").write_text("{}")
    provenance.write_merged(run_dir / "merged", run_folder.adapter_fingerprint(run_dir))
    gguf = run_dir / "exports" / "model-f16.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"GGUF")
    report = {**REPORT, "gguf_path": str(gguf), "adapter": run_folder.adapter_fingerprint(run_dir)}
    (run_dir / "exports" / "model-f16.result.json").write_text(json.dumps(report))
    view = et.refresh(workspace, "resumed", None)
    assert "ready to export" in view.note and view.can_export
    assert "the run's adapter" in view.files and "STALE" not in view.files
    assert render.run_choices(workspace)[0][0].endswith("· adapter+merged")
    train_more(run_dir, 16, b"weights after a resume")
    view = et.refresh(workspace, "resumed", None)
    assert render.run_choices(workspace)[0][0].endswith("· adapter+merged (stale)")
    assert "STALE: the merged model holds an older adapter (step 8)" in view.note
    assert "(step 16, e.g. Resume trained on): re-merge (press Merge)" in view.note
    assert view.can_merge and not view.can_export
    assert "STALE</span> older adapter: re-merge, re-export" in view.files
    summary = et.summary_html(report, provenance.against(run_dir, report["adapter"]))
    assert summary.startswith('<div class="msg error">STALE: this export holds an older adapter')


def test_download_links_are_only_for_files_in_the_workspace(workspace, tmp_path):
    exports = run_folder.runs_dir(workspace) / "r" / "exports"
    exports.mkdir(parents=True)
    (exports.parent / run_folder.CONFIG).write_text("base_model: x\n")
    for name in (
        "model-q8_0.README.txt",
        "model-q8_0.gguf",
        "model-f16.gguf",
        "model-q8_0.Modelfile",
    ):
        (exports / name).write_bytes(b"x" * 10)
    outside = tmp_path / "secret.gguf"
    outside.write_bytes(b"s")
    (exports / "linked.gguf").symlink_to(outside)
    files = et.export_files(workspace, "r")
    assert [p.name for p in files] == [
        "model-f16.gguf",
        "model-q8_0.gguf",
        "model-q8_0.Modelfile",
        "model-q8_0.README.txt",
    ]
    html = et.files_html(files)
    assert f'href="gradio_api/file={exports}/model-f16.gguf"' in html and "secret" not in html
    assert "No exported files yet" in et.files_html([])


def test_quant_types_that_need_llama_cpp_are_left_out_with_the_reason(monkeypatch):
    why = "llama-cpp-python is not installed"
    monkeypatch.setattr(
        et,
        "available_quants",
        lambda: (
            {"f32": None, "f16": None, "bf16": None, "q8_0": None}
            | {q: why for q in ("q6_k", "q5_k_m", "q4_k_m", "q4_0")}
        ),
    )
    choices, note = et.quant_choices()
    assert [q for _, q in choices] == ["f32", "f16", "bf16", "q8_0"]
    assert "Q6_K, Q5_K_M, Q4_K_M, Q4_0 unavailable: llama-cpp-python is not installed" in note


def test_unknown_types_and_existing_files_are_refused(run_dir):
    workspace = run_dir.parent.parent
    (run_dir / "merged").mkdir(exist_ok=True)
    (run_dir / "merged" / "config.json").write_text("{}")
    try:
        with pytest.raises(StudioError, match="unknown type"):
            et.start_export(workspace, run_dir.name, "q2_k", False)
        target = run_dir / "exports" / "model-f16.gguf"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(b"old")
        with pytest.raises(StudioError, match="exists already"):
            et.start_export(workspace, run_dir.name, "f16", False)
    finally:
        (run_dir / "merged" / "config.json").unlink()
        (run_dir / "exports" / "model-f16.gguf").unlink(missing_ok=True)


def wait_idle(workspace: Path, run_id: str, timeout: float = 600.0) -> object:
    """Poll the tab as its timer does until no job of the run is running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = et.refresh(workspace, run_id)
        if not view.running:
            return view
        assert "running" in view.job and not view.can_merge
        time.sleep(0.5)
    raise AssertionError(f"still running: {view.job}\n{view.log}")


@pytest.mark.slow
def test_merge_then_export_run_as_jobs_and_show_the_verified_file(run_dir, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    workspace, run_id = run_dir.parent.parent, run_dir.name
    note, can_merge, can_export = et.readiness(workspace, run_id)
    assert "Merge it" in note and can_merge and not can_export
    et.start_merge(workspace, run_id)
    with pytest.raises(StudioError, match="a merge of this run is running"):
        et.start_merge(workspace, run_id)
    view = wait_idle(workspace, run_id)
    assert "Merge: done" in view.job and view.can_export, view.log
    assert "rounding difference" in view.note and "max abs logit difference" in view.log
    et.start_export(workspace, run_id, "q8_0", False)
    view = wait_idle(workspace, run_id)
    assert "Export Q8_0: done" in view.job, view.log
    assert view.has_results and "Q8_0" in view.summary
    assert view.checks["result"].tolist() and set(view.checks["result"]) == {"passed"}
    assert len(view.smoke) == 3 and view.modelfile.startswith("# Ollama Modelfile")
    assert "model-q8_0.gguf" in view.files and "model-q8_0.Modelfile" in view.files
    assert "the run's adapter" in view.files and "STALE" not in view.summary + view.note
    assert jobs.list_jobs(workspace, "export")[0].meta == {"run": run_id, "quant": "q8_0"}
    again = et.refresh(workspace, run_id)  # as after a page reload: the same report
    assert again.summary == view.summary and again.modelfile == view.modelfile
