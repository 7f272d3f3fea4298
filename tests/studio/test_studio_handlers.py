"""The studio's handlers and renderers called as plain functions, on the bundled corpus."""

from __future__ import annotations

import inspect
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pandas as pd
import pytest
from gradio.helpers import special_args

import core.ahk.check
import core.corpus.scan
from core.corpus import prune
from core.corpus import table as corpus_table
from core.dataset import build as bd
from core.errors import StudioError
from core.reading import read_script
from core.workspace import CONFIG_DIR
from studio import plots, render
from studio.context import StudioContext
from studio.tabs import corpus as corpus_tab
from studio.tabs import dataset as dataset_tab
from studio.tabs import includes as includes_tab
from studio.tabs import normalize as normalize_tab
from tests.gradio_events import event

RULES = normalize_tab.RULE_COLUMNS

# ---------------------------------------------------------------- render


def test_guard_turns_a_studio_error_into_a_readable_message() -> None:
    @render.guard("Dry run")
    def handler() -> None:
        raise StudioError("bad regex", where="rule 3", hint="escape the bracket")

    with pytest.raises(gr.Error) as caught:
        handler()
    assert caught.value.title == "Dry run"
    assert str(caught.value.message) == "rule 3: bad regex (escape the bracket)"


def test_guard_hides_the_traceback_of_an_unexpected_error_in_a_generator() -> None:
    @render.guard("Build")
    def handler():
        yield 1
        raise KeyError("split")

    gen = handler()
    assert next(gen) == 1
    with pytest.raises(gr.Error) as caught:
        next(gen)
    assert "unexpected KeyError" in caught.value.message
    assert "Traceback" not in caught.value.message


def test_code_view_numbers_lines_marks_diagnostics_and_escapes_html() -> None:
    html = render.code_view("a := 1\nMsgBox, <b>hi</b>", {2: ("error", "v1 command syntax")})
    assert '<td class="ln">1</td>' in html and '<td class="ln">2</td>' in html
    assert '<tr class="error" title="v1 command syntax">' in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html and "<b>" not in html


def test_diff_view_colours_added_and_removed_lines() -> None:
    html = render.diff_view("--- a/x.ahk\n+++ b/x.ahk\n@@ -1 +1 @@\n-old\n+new\n")
    assert '<tr class="del"><td class="src">-old</td>' in html
    assert '<tr class="add"><td class="src">+new</td>' in html
    assert "No changes" in render.diff_view("")


def test_diagnostics_table_lists_each_diagnostic_or_says_none() -> None:
    html = render.diagnostics_table(
        [
            {
                "line": 3,
                "column": 7,
                "severity": "error",
                "code": "v1-command",
                "message": "MsgBox, …",
            }
        ]
    )
    assert "<td>3</td><td>7</td>" in html and "v1-command" in html
    assert "No diagnostics" in render.diagnostics_table([])


def test_token_view_shows_trained_and_masked_tokens_in_two_classes() -> None:
    html = render.token_view([("<user>", False), ("MsgBox", True), ("(", True)], cut_from=2)
    assert '<span class="masked">&lt;user&gt;</span>' in html
    assert '<span class="trained">MsgBox</span>' in html
    assert '<span class="trained cut">(</span>' in html


def test_human_size() -> None:
    assert [render.human_size(n) for n in (12, 1536, 5 << 20)] == ["12 B", "1.5 KB", "5.0 MB"]


# ---------------------------------------------------------------- plots


def test_figures_have_transparent_backgrounds_and_the_data() -> None:
    fig = plots.category_bars({"GUI": 4, "Strings": 9})
    assert fig.layout.template.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert list(fig.data[0].y) == ["GUI", "Strings"] and list(fig.data[0].x) == [4, 9]
    verdicts = plots.verdict_bars({"v1": 2, "v2": 80})
    assert list(verdicts.data[0].x) == ["v2", "v1"]
    split = plots.split_bars({"GUI": {"train": 8, "test": 1}})
    assert [t.name for t in split.data] == ["train", "test"]


def test_empty_inputs_give_a_figure_with_a_note() -> None:
    fig = plots.length_histogram([])
    assert fig.layout.annotations[0].text == "Nothing to show yet"


def test_loss_figure_smooths_and_switches_to_log_scale() -> None:
    rows = [{"step": s, "loss": 4.0 / s} for s in range(1, 6)] + [{"step": 5, "eval_loss": 1.1}]
    fig = plots.loss_figure({"run-1": rows}, smoothing=0.5, log_y=True)
    assert [t.name for t in fig.data] == ["run-1 loss", "run-1 loss (smoothed)", "run-1 eval loss"]
    assert fig.layout.yaxis.type == "log"
    assert plots.smooth([2.0, 2.0, 2.0], 0.9) == pytest.approx([2.0, 2.0, 2.0])


def test_curves_with_few_points_are_marked_so_a_single_step_shows() -> None:
    one = plots.loss_figure({"run-1": [{"step": 1, "loss": 3.0}]})
    assert {t.mode for t in one.data} == {"lines+markers"}
    many = [{"step": s, "loss": 1.0, "grad_norm": 1.0} for s in range(1, plots.FEW_POINTS + 2)]
    assert {t.mode for t in plots.loss_figure({"run-1": many}).data} == {"lines"}
    assert plots.metric_figure(many[:1], "grad_norm", "g").data[0].mode == "lines+markers"
    assert plots.metric_figure(many, "grad_norm", "g").data[0].mode == "lines"


# ---------------------------------------------------------------- wiring


def _built(ctx: StudioContext) -> tuple[gr.Blocks, dict[str, int]]:
    """The Corpus and Dataset tabs as the studio builds them, and their components' ids."""
    with gr.Blocks() as demo, gr.Tabs():
        corpus_tab.build(ctx)
        dataset_tab.build(ctx)
    ids = {b.elem_id: b._id for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    return demo, ids


def test_scan_and_folder_submit_start_one_run_that_cancel_stops(corpus_copy, workspace) -> None:
    demo, ids = _built(StudioContext(workspace=workspace, corpus=corpus_copy))
    fns = list(demo.fns.values())
    [busy] = [f for f in fns if (ids["corpus-scan"], "click") in f.targets]
    assert busy.targets == [(ids["corpus-scan"], "click"), (ids["corpus-folder"], "submit")]
    run = fns[fns.index(busy) + 1]
    assert run.fn.__name__ == "on_scan"
    [cancelling] = [f for f in fns if f.cancels and run._id in f.cancels]
    assert cancelling.targets == [(ids["corpus-cancel"], "click")]


def test_preview_and_build_grey_each_other_and_share_one_cancel(corpus_copy, workspace) -> None:
    demo, ids = _built(StudioContext(workspace=workspace, corpus=corpus_copy))
    fns = list(demo.fns.values())
    buttons = [ids["dataset-cancel"], ids["dataset-preview"], ids["dataset-build"]]
    runs = {}
    for name in ("preview", "build"):
        [busy] = [f for f in fns if f.targets == [(ids[f"dataset-{name}"], "click")]]
        assert [o._id for o in busy.outputs] == buttons
        runs[name] = fns[fns.index(busy) + 1]
        assert runs[name].fn.__name__ == f"on_{name}"
    stopped = {
        run_id
        for f in fns
        if f.targets == [(ids["dataset-cancel"], "click")] and f.cancels
        for run_id in f.cancels
    }
    assert stopped == {runs["preview"]._id, runs["build"]._id}


def test_every_handler_that_reports_progress_is_given_a_live_progress_bar(
    corpus_copy, workspace
) -> None:
    demo, _ids = _built(StudioContext(workspace=workspace, corpus=corpus_copy))
    reporting = [
        f.fn
        for f in demo.fns.values()
        if f.fn is not None
        and any(
            isinstance(p.default, gr.Progress) for p in inspect.signature(f.fn).parameters.values()
        )
    ]
    expected = {"on_scan", "rescan", "on_preview", "on_build", "on_tokens"}
    assert {fn.__name__ for fn in reporting} == expected
    for fn in reporting:  # Gradio tracks a gr.Progress only when it finds it (not after *args)
        assert special_args(fn)[1] is not None, fn.__name__


# ---------------------------------------------------------------- normalise tab


def _ctx(workspace: Path, corpus: Path, tmp_path: Path) -> StudioContext:
    config_dir = tmp_path / "config"
    config_dir.mkdir(exist_ok=True)
    shutil.copy(CONFIG_DIR / "normalize.yaml", config_dir / "normalize.yaml")
    return StudioContext(workspace=workspace, corpus=corpus, config_dir=config_dir)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_rule_check_names_each_bad_rule_as_you_type() -> None:
    table = pd.DataFrame([["ok", "fine"], ["(unclosed", "x"], ["(a)", r"\2"]], columns=RULES)
    note = normalize_tab.check_rules(table)
    assert "rule 2 (&#x27;(unclosed&#x27;): bad regex" in note
    assert "rule 3" in note and "bad replacement" in note
    assert "all valid" in normalize_tab.check_rules(table.iloc[:1])
    assert "bad regex" in normalize_tab.check_new_rule("MsgBox(", "")
    assert "Valid rule" in normalize_tab.check_new_rule(r"MsgBox\(", "")


def test_add_and_remove_rules() -> None:
    table = pd.DataFrame([["a", "b"]], columns=RULES)
    table = normalize_tab.add_rule(table, r"Issue #(\d+)", r"Ticket \1")
    assert table.values.tolist() == [["a", "b"], [r"Issue #(\d+)", r"Ticket \1"]]
    with pytest.raises(StudioError, match="new rule"):
        normalize_tab.add_rule(table, "[", "x")
    assert normalize_tab.remove_rule(table, 0).values.tolist() == [[r"Issue #(\d+)", r"Ticket \1"]]
    with pytest.raises(StudioError, match="click a rule"):
        normalize_tab.remove_rule(table, None)


def test_save_rules_writes_yaml_that_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    table = pd.DataFrame([["x+", "y"], ["", ""]], columns=RULES)
    assert "Saved 1 rule(s)" in normalize_tab.save_rules(table, path)
    assert normalize_tab.rules_table(path).values.tolist() == [["x+", "y"]]


def test_dry_run_lists_changed_files_and_writes_nothing(corpus_copy, workspace, tmp_path) -> None:
    ctx = _ctx(workspace, corpus_copy, tmp_path)
    before = _snapshot(corpus_copy)
    expected = {
        rel
        for rel in before
        if rel.endswith(".ahk") and "MsgBox" in (read_script(corpus_copy / rel).text or "")
    }
    table = pd.DataFrame([["MsgBox", "MsgBoxW"]], columns=RULES)
    edits, totals, files, report = normalize_tab.dry_run(ctx, table)
    assert sorted(files["file"]) == sorted(e.path for e in edits)
    assert set(files["file"]) <= expected and len(edits) >= 1
    assert f'<div class="value">{len(edits)}</div><div class="label">files would change' in totals
    assert json.loads(Path(report).read_text())[0]["replacements"][0].startswith("'MsgBox' -> ")
    assert "+" in normalize_tab.diff_of(edits, edits[0].path)
    assert _snapshot(corpus_copy) == before
    assert f"change {len(edits)} file(s)" in normalize_tab.confirm_text(edits)


def test_apply_then_undo_restores_every_byte(corpus_copy, workspace, tmp_path) -> None:
    ctx = _ctx(workspace, corpus_copy, tmp_path)
    before = _snapshot(corpus_copy)
    edits = normalize_tab.dry_run(ctx, pd.DataFrame([["MsgBox", "MsgBoxW"]], columns=RULES))[0]
    assert not normalize_tab.undo(ctx).ready()
    assert f"Changed {len(edits)} file(s)" in normalize_tab.apply_plan(ctx, edits)
    assert _snapshot(corpus_copy) != before
    assert normalize_tab.undo(ctx).ready()
    assert f"Restored {len(edits)} file(s)" in normalize_tab.undo(ctx)()
    assert _snapshot(corpus_copy) == before
    with pytest.raises(StudioError):
        normalize_tab.apply_plan(ctx, [])


# ---------------------------------------------------------------- includes tab


@pytest.fixture
def corpus_with_includes(corpus_copy: Path) -> Path:
    """The bundled corpus plus a script with one working and two broken includes."""
    (corpus_copy / "Lib").mkdir(exist_ok=True)
    (corpus_copy / "Lib" / "Greeter.ahk").write_text("Greet() {\n    return 'hi'\n}\n")
    folder = corpus_copy / "Includes"
    folder.mkdir(exist_ok=True)
    (folder / "uses_lib.ahk").write_bytes(
        b"#Requires AutoHotkey v2.0\r\n#Include <Greeter>\r\n#Include missing.ahk\r\n"
        b"#Include ..\\..\\etc\\passwd\r\nMsgBox(Greet())\r\n"
    )
    return corpus_copy


def test_includes_validate_counts_lists_broken_and_writes_reports(
    corpus_with_includes, workspace, tmp_path
) -> None:
    ctx = _ctx(workspace, corpus_with_includes, tmp_path)
    report, totals, text_path, json_path = includes_tab.validate(ctx)
    broken = includes_tab.include_table(report)
    mine = broken[broken["file"] == "Includes/uses_lib.ahk"]
    assert mine[["line", "reason"]].values.tolist() == [
        [3, "not found"],
        [4, "outside the corpus root"],
    ]
    assert len(includes_tab.include_table(report, broken_only=False)) == report.total
    assert f'<div class="value">{report.broken}</div><div class="label">broken' in totals
    assert "Broken:" in Path(text_path).read_text()
    assert json.loads(Path(json_path).read_text())["broken"] == report.broken


def test_includes_fix_preview_apply_and_undo(corpus_with_includes, workspace, tmp_path) -> None:
    ctx = _ctx(workspace, corpus_with_includes, tmp_path)
    before = _snapshot(corpus_with_includes)
    report = includes_tab.validate(ctx)[0]
    edits, table, note = includes_tab.preview_fix(ctx, report)
    assert "Includes/uses_lib.ahk" in set(table["file"])
    assert "Nothing is written until you apply it" in note
    assert "; [broken include] #Include missing.ahk" in includes_tab.diff_of(
        edits, "Includes/uses_lib.ahk"
    )
    assert _snapshot(corpus_with_includes) == before
    assert "Apply will comment out" in includes_tab.confirm_text(edits)
    assert f"Fixed {len(edits)} file(s)" in includes_tab.apply_fix(ctx, edits)
    fixed = (corpus_with_includes / "Includes" / "uses_lib.ahk").read_bytes()
    assert b"\r\n; [broken include] #Include missing.ahk\r\n" in fixed
    assert includes_tab.validate(ctx)[0].broken == 0
    assert includes_tab.undo(ctx).ready()
    includes_tab.undo(ctx)()
    assert _snapshot(corpus_with_includes) == before
    with pytest.raises(StudioError, match="validate"):
        includes_tab.preview_fix(ctx, None)


# ---------------------------------------------------------------- dataset tab


def _form(corpus: Path, **changes) -> list:
    values = {
        "corpus": str(corpus),
        "csvs": "",
        "prompt_style": "seed",
        "exclude_verdicts": [],
        "exclude_invalid": False,
        "near_dedupe": False,
        "near_threshold": 0.85,
        "val_ratio": 0.1,
        "test_ratio": 0.1,
        "seed": 2025,
        "stratify": False,
        "fix_leakage": False,
        "no_eval": False,
    }
    values.update(changes)
    return list(values.values())


@pytest.fixture
def corpus_with_near_duplicate(corpus_copy: Path) -> tuple[Path, str, str]:
    original = sorted(corpus_copy.rglob("*.ahk"))[0]
    twin = original.with_name("near_twin.ahk")
    twin.write_text(original.read_text(encoding="utf-8") + "\n; one extra line\n", encoding="utf-8")
    rel = lambda p: p.relative_to(corpus_copy).as_posix()  # noqa: E731
    return corpus_copy, rel(original), rel(twin)


def test_shares_are_refused_at_their_field_never_corrected(corpus_copy: Path) -> None:
    with pytest.raises(StudioError, match=r"validation share 0\.9 and test share 0\.9") as err:
        dataset_tab.make_options(*_form(corpus_copy, val_ratio=0.9, test_ratio=0.9))
    assert err.value.where == "val_ratio / test_ratio"
    with pytest.raises(StudioError, match="each must be at least 0"):
        dataset_tab.make_options(*_form(corpus_copy, val_ratio=-0.2))
    with pytest.raises(StudioError, match="the test share is 0") as err:
        dataset_tab.make_options(*_form(corpus_copy, test_ratio=0))
    assert err.value.where == "test_ratio"
    options = dataset_tab.make_options(*_form(corpus_copy, val_ratio=0, test_ratio=0, no_eval=True))
    assert (options.val_ratio, options.test_ratio) == (0, 0)  # asked for: evaluation off
    tiny = dataset_tab.make_options(*_form(corpus_copy, val_ratio=0.001))
    with pytest.raises(StudioError, match="the val split would have no records") as err:
        bd.preview(tiny)
    assert err.value.where == "val_ratio"
    assert bd.train_share(0.1, 0.15) == 0.75


def dataset_blocks(workspace: Path) -> gr.Blocks:
    with gr.Blocks() as demo:
        dataset_tab.build(StudioContext(workspace=workspace))
    return demo


def by_id(demo: gr.Blocks, elem_id: str):
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id)


def test_a_share_out_of_range_or_too_big_is_marked_at_its_field_at_once(workspace: Path) -> None:
    demo = dataset_blocks(workspace)
    shares, outputs = event(demo, "dataset-val", "change")
    assert list(outputs) == ["dataset-train-share"]  # the fields stay the bounded ones
    val, test = by_id(demo, "dataset-val"), by_id(demo, "dataset-test")
    assert (val.minimum, val.maximum, test.minimum, test.maximum) == (0, 0.9, 0, 0.9)
    assert val.preprocess(-0.2) == -0.2  # reaches the handler, which says what is wrong

    def line(*values) -> str:
        return next(iter(shares(*values).values()))

    both = line(0.9, 0.9, False)
    assert "⚠ Validation share and Test share: validation share 0.9 and test share 0.9" in both
    assert "<style>#dataset-val input, #dataset-test input {" in both
    negative = line(-0.2, 0.1, False)
    assert "⚠ Validation share: validation share -0.2" in negative
    assert "#dataset-val input {" in negative and "#dataset-test" not in negative
    assert "⚠ Validation share: the validation share is 0: evaluation" in line(0, 0, False)
    off = line(0, 0, True)  # evaluation turned off: allowed, and said plainly
    assert 'class="msg warn"' in off and "eval loss have no data" in off
    assert "Train share: 75% of the records" in line(0.1, 0.15, False)


def test_the_gates_drop_v1_mixed_and_broken_scripts_by_default(workspace: Path) -> None:
    demo = dataset_blocks(workspace)
    assert by_id(demo, "dataset-exclude-verdicts").value == ["v1", "mixed"]
    assert by_id(demo, "dataset-exclude-invalid").value is True
    assert bd.BuildOptions().exclude_verdicts == () and not bd.BuildOptions().exclude_invalid


def test_prompt_preview_shows_seed_and_instruction_prompts(corpus_copy: Path) -> None:
    relative = dataset_tab.script_choices(str(corpus_copy))[0]
    seed, instruction = dataset_tab.prompt_pair(str(corpus_copy), relative)
    assert seed.startswith("You are maintaining a knowledge base of AutoHotkey examples.")
    assert f"Source Path: {relative}" in seed
    assert instruction.startswith("Write an AutoHotkey v2 script")
    assert (seed, instruction) == bd.prompt_preview(corpus_copy, relative)
    (corpus_copy / "Empty.ahk").write_bytes(b"")
    assert dataset_tab.prompt_pair(str(corpus_copy), "Empty.ahk") == ("(skipped: empty)",) * 2
    assert dataset_tab.prompt_pair(str(corpus_copy), None) == ("", "")
    assert dataset_tab.script_choices("/nonexistent") == []


def test_preview_counts_stages_and_compares_a_near_duplicate_cluster(
    corpus_with_near_duplicate,
) -> None:
    corpus, original, twin = corpus_with_near_duplicate
    options = dataset_tab.make_options(*_form(corpus))
    plan = bd.preview(options)
    shown = dataset_tab.render_preview(plan)
    assert (
        f'<div class="value">{plan.stages["records"]}</div><div class="label">records'
        in (shown["totals"])
    )
    clusters = shown["clusters"]
    row = next(i for i, s in enumerate(clusters["sources"]) if original in s and twin in s)
    html = dataset_tab.compare_cluster(plan, row)
    assert original in html and twin in html and "one extra line" in html
    assert "Click a cluster" in dataset_tab.compare_cluster(plan, None)
    per_split = {trace.name: sum(trace.x) for trace in shown["split"].data}
    assert per_split == {split: len(plan.splits[split]) for split in bd.SPLITS}
    assert sum(per_split.values()) == plan.stages["after exact dedupe"]
    assert list(shown["leaks"].columns) == dataset_tab.LEAK_COLUMNS


def test_the_preview_says_how_many_scripts_each_gate_drops(corpus_copy: Path) -> None:
    broken = '#Requires AutoHotkey v2.0\nx := StrLen("abc"\nMsgBox(x)\n'
    (corpus_copy / "Broken").mkdir()
    (corpus_copy / "Broken" / "unbalanced.ahk").write_text(broken, encoding="utf-8")
    options = dataset_tab.make_options(
        *_form(corpus_copy, exclude_verdicts=["v1", "mixed"], exclude_invalid=True)
    )
    plan = bd.preview(options)
    dropped = sum(d.stage == "verdict gate" for d in plan.dropped)
    assert dropped > 0  # the sample corpus holds v1 scripts on purpose
    totals = dataset_tab.render_preview(plan)["totals"]
    counts = plan.gate_counts
    assert counts["v1"] + counts["mixed"] + counts["unknown"] == dropped and counts["v1"] > 0
    assert counts["errors"] == sum(d.stage == "validity gate" for d in plan.dropped) > 0
    for label in ("v1", "mixed"):
        assert f'{counts[label]}</div><div class="label">dropped as {label}<' in totals
    assert f'{counts["errors"]}</div><div class="label">dropped with errors<' in totals


def test_build_writes_jsonl_harmony_and_manifest(corpus_copy: Path, workspace: Path) -> None:
    ctx = StudioContext(workspace=workspace, corpus=corpus_copy)
    result = bd.build(dataset_tab.make_options(*_form(corpus_copy)), dataset_tab.output_dir(ctx))
    note, files, manifest, paths = dataset_tab.render_build(result)
    assert set(files["file"]) == {
        "train.jsonl",
        "val.jsonl",
        "test.jsonl",
        "train_harmony.jsonl",
        "val_harmony.jsonl",
        "test_harmony.jsonl",
    }
    assert manifest["stages"]["train"] == len(result.preview.splits["train"])
    assert all(Path(p).parent == workspace / "prepared" for p in paths)
    assert "Wrote 6 files" in note


def test_tokens_through_the_chat_template_show_trained_masked_and_cut(
    corpus_copy: Path, workspace: Path, tiny_model: Path, tmp_path: Path
) -> None:
    config = tmp_path / "tiny.yaml"
    text = (CONFIG_DIR / "cpu-demo.yaml").read_text()
    text = re.sub(r"(?m)^base_model:.*$", f"base_model: {tiny_model}", text)
    text = re.sub(r"(?m)^max_seq_length:.*$", "max_seq_length: 64", text)
    config.write_text(text)
    ctx = StudioContext(workspace=workspace, corpus=corpus_copy, config_path=config)
    plan = bd.preview(dataset_tab.make_options(*_form(corpus_copy)))
    html, cut = dataset_tab.token_report(ctx, plan, 2)
    assert html.count('<span class="trained') > 0 and html.count('<span class="masked') > 0
    assert "loss on assistant tokens, max_seq_length 64" in html
    assert len(cut) > 0 and (cut["tokens"] > 64).all()
    assert (cut["over by"] == cut["tokens"] - 64).all()
    with pytest.raises(StudioError, match="preview or build"):
        dataset_tab.token_report(ctx, None, 2)


# ---------------------------------------------------------------- corpus tab


def _checked(ctx: StudioContext) -> pd.DataFrame:
    texts: dict[str, str] = {}
    table = corpus_table.scan_table(ctx.corpus, texts=texts)
    steps = list(corpus_table.check_table(ctx.workspace, table, ctx.corpus, texts))
    assert steps[-1][0] == steps[-1][1] == len(table)
    return steps[-1][2]


def test_scan_fills_facts_first_and_marks_exact_duplicates(corpus_copy: Path) -> None:
    original = sorted(corpus_copy.rglob("*.ahk"))[0]
    (original.parent / "zz_exact_copy.ahk").write_bytes(original.read_bytes())
    table = corpus_table.scan_table(corpus_copy)
    assert list(table.columns) == [*corpus_table.COLUMNS, "sha256"]
    assert len(table) == len(list(corpus_copy.rglob("*.ahk")))
    assert set(table["verdict"]) == {""}
    copy = table[table["path"].str.endswith("zz_exact_copy.ahk")]
    assert copy["duplicate"].iloc[0] == f"copy of {original.relative_to(corpus_copy).as_posix()}"


def test_check_fills_verdicts_caches_them_and_marks_near_duplicates(
    corpus_with_near_duplicate, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, original, twin = corpus_with_near_duplicate
    ctx = StudioContext(workspace=workspace, corpus=corpus)
    table = _checked(ctx)
    assert set(table["verdict"]) <= {"v2", "v1", "mixed", "unknown", ""}
    assert (table["verdict"] == "v2").sum() > len(table) / 2
    assert table.set_index("path").at[twin, "duplicate"].startswith(f"near {original}")
    cache = json.loads((workspace / "cache" / "checker-verdicts.json").read_text())
    checked = set(table.loc[table["skipped"] == "", "sha256"])
    assert set(cache["results"]) == checked

    def no_checker(texts, jobs=None):
        raise AssertionError("the checker ran although every verdict was cached")

    monkeypatch.setattr(core.ahk.check, "check_sources", no_checker)
    again = _checked(ctx)
    assert again[["path", "verdict", "errors"]].equals(table[["path", "verdict", "errors"]])


def test_a_changed_checker_checks_every_script_again(
    corpus_copy: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = StudioContext(workspace=workspace, corpus=corpus_copy)
    table = _checked(ctx)
    checked: list[str] = []

    def counting_checker(texts, jobs=None):
        for text in texts:
            checked.append(text)
            yield SimpleNamespace(verdict="unknown", errors=7, warnings=0)

    monkeypatch.setattr(core.ahk.check, "check_sources", counting_checker)
    assert _checked(ctx)[["verdict", "errors"]].equals(table[["verdict", "errors"]])
    assert checked == []  # same checker: every verdict from the cache
    monkeypatch.setattr(core.ahk.check, "checker_version", lambda: "a newer checker")
    again = _checked(ctx)
    assert len(checked) == len(set(table.loc[table["skipped"] == "", "sha256"]))
    readable = again[again["skipped"] == ""]
    assert set(readable["verdict"]) == {"unknown"} and set(readable["errors"]) == {7}


def test_a_scan_reads_each_script_once_for_facts_verdicts_and_near_duplicates(
    corpus_with_near_duplicate, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, original, twin = corpus_with_near_duplicate
    ctx = StudioContext(workspace=workspace, corpus=corpus)
    reads: list[str] = []

    def counted(path, *args, **kwargs):
        reads.append(Path(path).relative_to(corpus).as_posix())
        return read_script(path, *args, **kwargs)

    monkeypatch.setattr(core.corpus.scan, "read_script", counted)
    monkeypatch.setattr(corpus_tab, "read_script", counted)
    table = _checked(ctx)
    assert sorted(reads) == sorted(table["path"])  # every script, each once
    assert table.set_index("path").at[twin, "duplicate"].startswith(f"near {original}")
    assert (table["verdict"] != "").sum() == (table["skipped"] == "").sum()
    *_, (_, _, reread) = corpus_table.check_table(
        ctx.workspace, corpus_table.scan_table(corpus), corpus
    )
    assert reread.equals(table)  # without the texts, each script is read again: same table


def test_totals_filters_and_charts_follow_the_table(corpus_copy: Path, workspace: Path) -> None:
    ctx = StudioContext(workspace=workspace, corpus=corpus_copy)
    table = _checked(ctx)
    totals = corpus_table.summary(table)
    assert totals["files"] == len(table) and totals["v2"] + totals["v1"] + totals["mixed"] <= len(
        table
    )
    category = table["category"].iloc[0]
    view = corpus_table.filter_table(table, category, corpus_table.ALL, False)
    assert set(view["category"]) == {category}
    problems = corpus_table.filter_table(
        table, corpus_table.ALL, corpus_table.ALL, True, sort="most errors first"
    )
    assert list(problems["errors"].fillna(0)) == sorted(problems["errors"].fillna(0), reverse=True)
    legacy = corpus_table.filter_table(
        table, corpus_table.ALL, corpus_table.ALL, False, query="LEGACY/"
    )
    assert len(legacy) > 0 and legacy["path"].str.startswith("Legacy/").all()
    assert all(
        v != "v2" or (e or 0) > 0 or d or s
        for v, e, d, s in problems[["verdict", "errors", "duplicate", "skipped"]].itertuples(
            index=False
        )
    )
    categories, lengths, verdicts = corpus_tab.charts(table)
    assert sum(categories.data[0].x) == len(table)
    readable = (table["skipped"] == "").sum()
    assert len(lengths.data[0].x) == readable
    assert sum(verdicts.data[0].y) == len(table)
    assert "verdict v2" in corpus_tab.totals_html(table)


def test_big_tables_are_sent_a_page_at_a_time() -> None:
    n = corpus_tab.PAGE_SIZE * 2 + 5
    table = pd.DataFrame({c: [""] * n for c in corpus_table.COLUMNS})
    table["path"] = [f"Cat/s{i:05d}.ahk" for i in range(n)]
    table["lines"] = table["size"] = table["includes"] = list(range(n))
    shown, slider = corpus_tab.show_page(table, "All", "All", False, "", "path", page=3)
    rows = shown["value"]
    assert len(rows) == 5 and rows["path"].iloc[0] == f"Cat/s{2 * corpus_tab.PAGE_SIZE:05d}.ahk"
    assert slider["maximum"] == 3 and slider["visible"] and slider["value"] == 3
    assert f"of {n:,} (page 3 of 3)" in shown["label"]
    shown, slider = corpus_tab.show_page(table, "All", "All", False, "s0000", "path", page=9)
    assert len(shown["value"]) == 10 and not slider["visible"]
    assert "10 script(s)" in shown["label"]


def test_clicking_a_v1_script_shows_code_with_numbers_and_its_diagnostics(
    corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    legacy = corpus_copy / "Legacy"
    legacy.mkdir(exist_ok=True)
    (legacy / "old_style.ahk").write_text("#NoEnv\nMsgBox, Hello %A_UserName%\nSleep, 100\n")
    reads: list[str] = []

    def counted(path, *args, **kwargs):
        reads.append(Path(path).name)
        return read_script(path, *args, **kwargs)

    monkeypatch.setattr(corpus_tab, "read_script", counted)
    monkeypatch.setattr(core.corpus.scan, "read_script", counted)
    info, code, diagnostics = corpus_tab.show_script(corpus_copy, "Legacy/old_style.ahk")
    assert reads == ["old_style.ahk"]  # read once: the checker works on the text already read
    assert "verdict v1" in info
    assert '<td class="ln">2</td>' in code and 'class="error"' in code
    assert '<table class="diag">' in diagnostics
    with pytest.raises(StudioError):
        corpus_tab.show_script(corpus_copy, "../../etc/passwd")


def test_prune_listed_and_flagged_scripts_then_undo(corpus_copy: Path, workspace: Path) -> None:
    ctx = StudioContext(workspace=workspace, corpus=corpus_copy)
    before = _snapshot(corpus_copy)
    first = sorted(p.relative_to(corpus_copy).as_posix() for p in corpus_copy.rglob("*.ahk"))[0]
    listing = corpus_tab.add_path("", first)
    assert corpus_tab.add_path(listing, first) == first
    items = corpus_tab.plan_prune(ctx, listing, ["verdict v1"])
    reasons = dict(corpus_tab.prune_table(items).values.tolist())
    assert reasons[first] == "listed"
    assert "Moved" in corpus_tab.apply_prune(ctx, items)
    assert not (corpus_copy / first).exists()
    assert (workspace / "quarantine" / first).is_file()
    assert corpus_tab.undo(ctx).ready()
    assert f"Put back {len(items)} script(s)" in corpus_tab.undo(ctx)()
    assert _snapshot(corpus_copy) == before
    with pytest.raises(StudioError, match="nothing to quarantine"):
        corpus_tab.plan_prune(ctx, "", [])


def test_prune_plan_takes_the_scans_verdicts_and_near_duplicate_marks(
    corpus_with_near_duplicate, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, original, twin = corpus_with_near_duplicate
    ctx = StudioContext(workspace=workspace, corpus=corpus)
    rules = ["verdict v1", "error diagnostics", "near-duplicates"]
    worked_out = corpus_tab.plan_prune(ctx, "", rules)  # nothing known yet: the prune checks
    unchecked = corpus_table.scan_table(corpus)
    assert corpus_tab.plan_prune(ctx, "", rules, unchecked) == worked_out
    table = _checked(ctx)

    def recomputed(*args, **kwargs):
        raise AssertionError("the prune worked out again what the scan knew")

    monkeypatch.setattr(prune, "check_sources", recomputed)
    monkeypatch.setattr(prune, "near_duplicate_marks", recomputed)
    assert corpus_tab.plan_prune(ctx, "", rules, table) == worked_out
    reasons = dict(corpus_tab.prune_table(worked_out).values.tolist())
    assert reasons[twin].startswith(f"near-duplicate of {original} (similarity ")
    assert "Legacy/v1_notepad_toggle_legacy.ahk" in reasons


def scan_event(ctx: StudioContext):
    """The Corpus tab's Scan, as the browser runs it, with the header the app gives it."""
    with gr.Blocks() as demo:
        ctx.header = gr.HTML(render.header_html(ctx))
        corpus_tab.build(ctx)
    run = next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "on_scan")
    return lambda folder: run(folder, corpus_tab.ALL, corpus_tab.ALL, False, "", "path", noop)


def noop(*args, **kwargs) -> None:
    """A progress bar that shows nothing."""


def test_only_a_finished_scan_changes_the_corpus_and_the_header(
    corpus_copy, workspace, tmp_path
) -> None:
    ctx = StudioContext(workspace=workspace, corpus=corpus_copy.resolve())
    scan = scan_event(ctx)
    (tmp_path / "empty").mkdir()
    for bad, said in (("missing", "not found"), ("empty", r"no \.ahk scripts in")):
        (failed,) = scan(str(tmp_path / bad))  # one step: the error, in the status line
        assert [c.elem_id for c in failed] == ["corpus-status"]
        assert re.search(said, next(iter(failed.values())))
        assert ctx.corpus == corpus_copy.resolve()  # a failed scan changed nothing
    other = tmp_path / "other"
    shutil.copytree(corpus_copy / "GUI", other / "GUI")
    cancelled = scan(f"  {other}  ")
    next(cancelled), next(cancelled)  # the scripts are read and shown, then Cancel
    cancelled.close()
    assert ctx.corpus == corpus_copy.resolve()
    last = list(scan(f"  {other}  "))[-1]
    assert ctx.corpus == other.resolve() and other.name in last[ctx.header]
