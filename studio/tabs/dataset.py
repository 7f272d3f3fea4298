"""Dataset tab: choose inputs and settings, preview every stage before writing, then build.

The preview shows the counts after each stage, near-duplicate clusters (open one to compare its
members), the split per category and any train/test leakage. After a preview or a build, sample
records can be rendered through the base model's chat template to see which tokens are trained
on and which records max_seq_length would cut (the tokenizer loads in the model worker, a child
process: the studio's own process never imports transformers).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from core.dataset import build as bd
from core.errors import StudioError
from core.evaluate.worker import shared_worker
from core.reading import find_relative, read_script
from core.workspace import subdir
from studio import plots, render, widgets
from studio.context import StudioContext

CLUSTER_COLUMNS = ["#", "members", "similarity", "kept", "sources"]
LEAK_COLUMNS = ["cluster", "members (split)", "moved to"]
DROPPED_COLUMNS = ["source", "stage", "reason"]
CUT_COLUMNS = ["split", "source", "tokens", "over by"]
FILE_COLUMNS = ["file", "records", "size"]


# ---------------------------------------------------------------- inputs


def make_options(
    corpus: str,
    csvs: str,
    prompt_style: str,
    exclude_verdicts: list[str],
    exclude_invalid: bool,
    near_dedupe: bool,
    near_threshold: float,
    val_ratio: float,
    test_ratio: float,
    seed: float,
    stratify: bool,
    fix_leakage: bool,
    no_eval: bool = False,
    workspace: Path | None = None,
) -> bd.BuildOptions:
    """BuildOptions from the form; the build always writes the Harmony copies too."""
    options = bd.BuildOptions(
        input_dir=Path(corpus.strip()).expanduser(),
        elements_csv=[
            Path(line.strip()).expanduser() for line in csvs.splitlines() if line.strip()
        ],
        val_ratio=float(val_ratio or 0),
        test_ratio=float(test_ratio or 0),
        seed=int(seed),
        prompt_style=prompt_style,
        exclude_verdicts=tuple(exclude_verdicts or ()),
        exclude_invalid=bool(exclude_invalid),
        near_dedupe=bool(near_dedupe),
        near_threshold=float(near_threshold),
        check_leakage=True,
        fix_leakage=bool(fix_leakage),
        stratify=bool(stratify),
        chat_format="harmony",
        workspace=workspace,
        require_eval=not no_eval,
    )
    bd.validate_options(options)
    return options


def script_choices(corpus: str) -> list[str]:
    """The scripts of a corpus folder (for the prompt preview), or none if it is not a folder."""
    root = Path(corpus.strip()).expanduser()
    return find_relative(root) if root.is_dir() else []


def prompt_pair(corpus: str, relative: str | None) -> tuple[str, str]:
    """The seed prompt and the instruction prompt one script would get."""
    if not relative:
        return "", ""
    try:
        return bd.prompt_preview(Path(corpus.strip()).expanduser(), relative)
    except StudioError as err:
        return f"({err.message})", f"({err.message})"


# ---------------------------------------------------------------- preview


def render_preview(plan: bd.BuildPreview) -> dict:
    """Everything the page shows about a preview, keyed by what shows it."""
    stages = plan.stages
    leaks = len(plan.leaks)
    gates = plan.gate_counts
    dropped = [
        (f"dropped as {verdict}", gates[verdict], "warn" if gates[verdict] else "")
        for verdict in ("v1", "mixed", "unknown")
        if verdict != "unknown" or gates[verdict]
    ]
    stats = [
        ("scripts found", stages.get("scripts found", 0), ""),
        ("records", stages.get("records", 0), ""),
        *dropped,
        ("dropped with errors", gates["errors"], "warn" if gates["errors"] else ""),
        ("exact duplicates", stages.get("records", 0) - stages.get("after exact dedupe", 0), ""),
        ("near-duplicate clusters", len(plan.clusters), "warn" if plan.clusters else ""),
        ("train / val / test", "{train} / {val} / {test}".format(**stages), "good"),
        ("leaking clusters", leaks, "bad" if leaks and not plan.options.fix_leakage else "good"),
    ]
    per_category = {
        row["category"]: {s: int(row[s]) for s in bd.SPLITS} for _, row in plan.table.iterrows()
    }
    return {
        "totals": render.totals(stats),
        "stages": plots.stage_funnel(list(stages.items())),
        "split": plots.split_bars(per_category),
        "clusters": cluster_table(plan),
        "leaks": leak_table(plan),
        "dropped": pd.DataFrame(
            [[d.source, d.stage, d.reason] for d in plan.dropped], columns=DROPPED_COLUMNS
        ),
    }


def cluster_table(plan: bd.BuildPreview) -> pd.DataFrame:
    rows = [
        [n, len(c.members), c.similarity, c.kept, ", ".join(c.members)]
        for n, c in enumerate(plan.clusters)
    ]
    return pd.DataFrame(rows, columns=CLUSTER_COLUMNS)


def leak_table(plan: bd.BuildPreview) -> pd.DataFrame:
    rows = [
        [k.cluster, ", ".join(f"{src} ({split})" for src, split in k.members), k.moved_to or ""]
        for k in plan.leaks
    ]
    return pd.DataFrame(rows, columns=LEAK_COLUMNS)


def member_text(plan: bd.BuildPreview, source: str) -> str:
    """The text of a cluster member: its record if kept, else the script read again."""
    for records in plan.splits.values():
        for record in records:
            if bd.record_source(record) == source:
                return record.response
    result = read_script(Path(plan.options.input_dir) / source)
    return result.text if result.text is not None else f"(cannot read: {result.skip_reason})"


def compare_cluster(plan: bd.BuildPreview | None, index: int | None) -> str:
    """The members of one near-duplicate cluster side by side."""
    if plan is None or index is None or not 0 <= index < len(plan.clusters):
        return render.message("info", "Click a cluster to compare its members side by side.")
    cluster = plan.clusters[index]
    items = [
        (f"{src}{' (kept)' if src == cluster.kept else ''}", member_text(plan, src))
        for src in cluster.members[:4]
    ]
    more = len(cluster.members) - len(items)
    note = render.message("info", f"{more} more member(s) not shown.") if more > 0 else ""
    return render.side_by_side(items) + note


# ---------------------------------------------------------------- build


def output_dir(ctx: StudioContext) -> Path:
    return subdir(ctx.workspace, "prepared")


def render_build(result: bd.BuildResult) -> tuple[str, pd.DataFrame, dict, list[str]]:
    """A note, the files written (records, size), the manifest, and the paths to download."""
    counts = {split: len(records) for split, records in result.preview.splits.items()}
    rows = []
    for key, path in result.files.items():
        split = key.split("_", 1)[0]
        rows.append([path.name, counts.get(split, 0), render.human_size(path.stat().st_size)])
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    note = render.message(
        "ok",
        f"Wrote {len(result.files)} files and manifest.json to {result.output_dir}.",
        "The Train tab reads train_harmony.jsonl and val_harmony.jsonl from here.",
    )
    paths = [str(p) for p in result.files.values()] + [str(result.manifest_path)]
    return note, pd.DataFrame(rows, columns=FILE_COLUMNS), manifest, paths


# ---------------------------------------------------------------- tokens


def token_report(
    ctx: StudioContext, plan: bd.BuildPreview | None, count: int, progress=None
) -> tuple[str, pd.DataFrame]:
    """Sample train records rendered token by token, and every record max_seq_length cuts
    (the tokenizer loads in the model worker, not in the studio's process)."""
    if plan is None:
        raise StudioError("preview or build the dataset first")

    def example(split: str, record) -> dict:
        source = bd.record_source(record)
        return {
            "source": source,
            "split": split,
            "prompt": record.prompt,
            "response": record.response,
        }

    replies = shared_worker().request(
        "tokens",
        config_path=str(ctx.config_path),
        workspace=str(ctx.workspace),
        samples=[example("train", r) for r in plan.splits["train"][: int(count)]],
        records=[example(split, r) for split, records in plan.splits.items() for r in records],
    )
    report = next(iter(replies))["report"]
    limit = report["limit"]
    blocks = []
    for source, pieces in report["samples"]:
        trained = sum(t for _, t in pieces)
        cut = f" — cut at {limit}" if len(pieces) > limit else ""
        head = (
            f"<h4>{source} — {len(pieces)} tokens, {trained} trained, "
            f"{len(pieces) - trained} masked{cut}</h4>"
        )
        blocks.append(
            head + render.token_view(pieces, cut_from=limit if len(pieces) > limit else None)
        )
    cuts = [[split, source, n, n - limit] for split, source, n in report["cuts"]]
    intro = render.message(
        "info",
        f"Base model {report['base_model']}: loss on {report['mode']} tokens, max_seq_length "
        f"{limit}. {len(cuts)} record(s) would be cut."
        + (f" The system message becomes {report['system']}." if report.get("system") else ""),
    )
    return intro + "".join(blocks), pd.DataFrame(cuts, columns=CUT_COLUMNS)


# ---------------------------------------------------------------- layout


def build(ctx: StudioContext) -> None:
    """The Dataset tab."""
    with gr.Tab("Dataset", id="dataset", elem_id="tab-dataset") as tab:
        gr.Markdown(
            "Turn the corpus (and reference CSVs) into train / val / test records. **Preview** runs "
            "every stage in memory; **Build** writes the JSONL, the Harmony files and a manifest.",
            elem_classes="tab-intro",
        )
        ui = SimpleNamespace(plan=gr.State(None), cluster=gr.State(None))
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=360):
                _inputs_panel(ui, ctx)
            with gr.Column(scale=8):
                _results_panel(ui)
    _wire(ui, ctx)
    tab.select(
        lambda: str(ctx.corpus), None, ui.corpus, api_visibility="private", show_progress="hidden"
    ).then(_sample_choices, ui.corpus, ui.sample, api_visibility="private", show_progress="hidden")


SHARE_INFO = {"val_ratio": "checks the eval loss while training", "test_ratio": "held out"}
SHARE_FIELDS = {
    "val_ratio": ("Validation share", "dataset-val"),
    "test_ratio": ("Test share", "dataset-test"),
}


def share_outputs(
    ui: SimpleNamespace, val: float | None, test: float | None, no_eval: bool
) -> dict:
    """The line under the two share fields: the train share they leave, in words, or each
    field's problem (refused, never corrected). The fields themselves are not updated: Gradio
    would then replace them by plain gr.Numbers (see widgets.bounded_number)."""
    val, test = float(val or 0), float(test or 0)
    return {ui.train_share: share_words(val, test, bd.share_problems(val, test, not no_eval))}


def share_words(val: float, test: float, problems: dict[str, str] | None = None) -> str:
    """The train share `val` and `test` leave, in words; with `problems`, each field's problem
    instead, and those fields outlined in red."""
    if problems:  # one refusal (share_problems), of one field or of both
        fields = " and ".join(SHARE_FIELDS[name][0] for name in problems)
        marked = ", ".join(f"#{SHARE_FIELDS[name][1]} input" for name in problems)
        style = f"<style>{marked} {{ border-color: #dc2626 !important; }}</style>"
        return render.message("error", f"⚠ {fields}: {next(iter(problems.values()))}") + style
    text = (
        f"Train share: {bd.train_share(val, test):.0%} of the records; "
        f"validation {val:.0%}, test {test:.0%}."
    )
    if val and test:
        return render.message("info", text)
    return render.message(
        "warn", text + " Without both, evaluation and the eval loss have no data."
    )


def _sample_choices(corpus: str):
    """The prompt preview's script list for a corpus folder, first script chosen."""
    choices = script_choices(corpus)
    return gr.update(choices=choices, value=choices[0] if choices else None)


def _inputs_panel(ui: SimpleNamespace, ctx: StudioContext) -> None:
    with gr.Group():
        ui.corpus = gr.Textbox(
            str(ctx.corpus),
            label="Corpus folder",
            elem_id="dataset-corpus",
            interactive=False,
            info="the corpus of every tab: open another one with Scan in the Corpus tab",
        )
        ui.csvs = gr.Textbox(
            str(ctx.elements_csv),
            label="Reference CSVs (one path per line)",
            lines=2,
            elem_id="dataset-csvs",
        )
    with gr.Accordion("Prompts", open=True, elem_id="dataset-prompts"):
        ui.style = gr.Radio(
            list(bd.PROMPT_STYLES),
            value="seed",
            label="Prompt style",
            info="seed: recall a snippet by its path; instruction: a request built from the script",
            elem_id="dataset-prompt-style",
        )
    with gr.Accordion("Quality gates and duplicates", open=True, elem_id="dataset-gates"):
        ui.verdicts = gr.CheckboxGroup(
            ["v1", "mixed", "unknown"],
            value=list(bd.RECOMMENDED_GATES["exclude_verdicts"]),
            label="Drop scripts the checker judges",
            info="v1 and mixed scripts teach AutoHotkey v1: dropped unless you untick them",
            elem_id="dataset-exclude-verdicts",
        )
        ui.invalid = gr.Checkbox(
            bd.RECOMMENDED_GATES["exclude_invalid"],
            label="Drop scripts with error diagnostics",
            info="broken scripts teach broken code: dropped unless you untick this",
            elem_id="dataset-exclude-invalid",
        )
        ui.near = gr.Checkbox(
            False, label="Drop near-duplicates (keep one per cluster)", elem_id="dataset-near"
        )
        ui.threshold = gr.Slider(
            0.5,
            1.0,
            value=0.85,
            step=0.01,
            label="Near-duplicate threshold (Jaccard)",
            elem_id="dataset-threshold",
        )
    with gr.Accordion("Split", open=True, elem_id="dataset-split"):
        with gr.Row():
            ui.val, ui.test = (
                widgets.bounded_number(
                    getattr(bd.BuildOptions, name),
                    0,
                    0.9,
                    label=label,
                    step=0.01,
                    info=SHARE_INFO[name],
                    elem_id=elem_id,
                )
                for name, (label, elem_id) in SHARE_FIELDS.items()
            )
        shares = (bd.BuildOptions.val_ratio, bd.BuildOptions.test_ratio)
        ui.train_share = gr.HTML(share_words(*shares), elem_id="dataset-train-share")
        ui.no_eval = gr.Checkbox(
            False,
            label="No validation or test set (turns evaluation and the eval loss off)",
            elem_id="dataset-no-eval",
        )
        with gr.Row():
            ui.seed = gr.Number(2025, label="Seed", precision=0, elem_id="dataset-seed")
            ui.stratify = gr.Checkbox(
                False, label="Stratify by category", elem_id="dataset-stratify"
            )
        ui.fix_leak = gr.Checkbox(
            False, label="Move leaking clusters into one split", elem_id="dataset-fix-leakage"
        )
    ui.form = {  # make_options's parameters, by name
        "corpus": ui.corpus,
        "csvs": ui.csvs,
        "prompt_style": ui.style,
        "exclude_verdicts": ui.verdicts,
        "exclude_invalid": ui.invalid,
        "near_dedupe": ui.near,
        "near_threshold": ui.threshold,
        "val_ratio": ui.val,
        "test_ratio": ui.test,
        "seed": ui.seed,
        "stratify": ui.stratify,
        "fix_leakage": ui.fix_leak,
        "no_eval": ui.no_eval,
    }


def _results_panel(ui: SimpleNamespace) -> None:
    with gr.Row():
        ui.preview = gr.Button("Preview", variant="primary", elem_id="dataset-preview", size="md")
        ui.build = gr.Button("Build dataset", elem_id="dataset-build", size="md")
        ui.cancel = gr.Button("Cancel", elem_id="dataset-cancel", visible=False, size="md")
    ui.status = gr.HTML(
        render.message("info", "Press Preview: nothing is written until you press Build."),
        elem_id="dataset-status",
    )
    ui.totals = gr.HTML(elem_id="dataset-totals")
    with gr.Tabs(elem_id="dataset-results") as ui.results_tabs:
        _prompts_tab(ui)
        _overview_tab(ui)
        _clusters_tab(ui)
        _leaks_tab(ui)
        _output_tab(ui)
        _tokens_tab(ui)


def _overview_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Stages and split", id="overview", elem_id="dataset-tab-overview"):
        gr.Markdown(
            "Records left after each stage, and how each category is split (after Preview).",
            elem_classes="tab-intro",
        )
        with gr.Row():
            ui.stage_plot = gr.Plot(show_label=False, visible=False, elem_id="dataset-stage-plot")
            ui.split_plot = gr.Plot(show_label=False, visible=False, elem_id="dataset-split-plot")


def _prompts_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Prompt styles", id="prompts", elem_id="dataset-tab-prompts"):
        ui.sample = gr.Dropdown(
            label="Script",
            choices=[],
            elem_id="dataset-sample",
            filterable=True,
            info="the prompt each style would give this script (the response is the script)",
        )
        with gr.Row():
            ui.seed_prompt = gr.Textbox(
                label="seed: recall by path",
                lines=8,
                interactive=False,
                elem_id="dataset-seed-prompt",
            )
            ui.instruction_prompt = gr.Textbox(
                label="instruction: a request built from the script",
                lines=8,
                interactive=False,
                elem_id="dataset-instruction-prompt",
            )


def _clusters_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Near-duplicates", id="clusters", elem_id="dataset-tab-clusters"):
        ui.clusters = gr.Dataframe(
            headers=CLUSTER_COLUMNS,
            interactive=False,
            wrap=True,
            max_height=240,
            label="Clusters (click one to compare its members)",
            elem_id="dataset-clusters",
            column_widths=["6%", "10%", "12%", "27%", "45%"],
        )
        ui.compare = gr.HTML(compare_cluster(None, None), elem_id="dataset-compare")


def _leaks_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Leakage and dropped", id="leaks", elem_id="dataset-tab-leaks"):
        ui.leaks = gr.Dataframe(
            headers=LEAK_COLUMNS,
            interactive=False,
            wrap=True,
            max_height=220,
            label="Near-duplicate clusters that straddle splits",
            elem_id="dataset-leaks",
        )
        ui.dropped = gr.Dataframe(
            headers=DROPPED_COLUMNS,
            interactive=False,
            wrap=True,
            max_height=260,
            label="Left out, and why",
            elem_id="dataset-dropped",
            show_search="search",
        )


def _output_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Build output", id="output", elem_id="dataset-tab-output"):
        ui.files = gr.Dataframe(
            headers=FILE_COLUMNS,
            interactive=False,
            label="Files written",
            elem_id="dataset-files",
        )
        ui.downloads = gr.File(
            label="Download",
            file_count="multiple",
            interactive=False,
            elem_id="dataset-downloads",
        )
        with gr.Accordion("manifest.json", open=False, elem_id="dataset-manifest-box"):
            ui.manifest = gr.JSON(show_label=False, elem_id="dataset-manifest")


def _tokens_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Tokens", id="tokens", elem_id="dataset-tab-tokens"):
        with gr.Row(equal_height=True):
            ui.count = gr.Slider(
                1,
                10,
                value=3,
                step=1,
                label="Sample records",
                elem_id="dataset-token-count",
                scale=3,
            )
            ui.tokens_btn = gr.Button(
                "Render with the base model's chat template",
                elem_id="dataset-tokens",
                scale=2,
                size="md",
            )
        ui.tokens = gr.HTML(
            render.message(
                "info",
                "Preview or build first, then render sample records token by token "
                "(this loads the tokenizer of the config's base model).",
            ),
            elem_id="dataset-token-view",
        )
        ui.cut = gr.Dataframe(
            headers=CUT_COLUMNS,
            interactive=False,
            max_height=240,
            elem_id="dataset-cut",
            label="Records longer than max_seq_length (they would be cut)",
        )


def _preview_values(ui: SimpleNamespace, plan: bd.BuildPreview) -> dict:
    """The preview's views, as {component: update}."""
    shown = render_preview(plan)
    return {
        ui.plan: plan,
        ui.totals: shown["totals"],
        ui.stage_plot: gr.update(value=shown["stages"], visible=True),
        ui.split_plot: gr.update(value=shown["split"], visible=True),
        ui.clusters: shown["clusters"],
        ui.leaks: shown["leaks"],
        ui.dropped: shown["dropped"],
        ui.compare: compare_cluster(plan, None),
    }


def _wire(ui: SimpleNamespace, ctx: StudioContext) -> None:
    private = {"api_visibility": "private"}
    quiet = {"api_visibility": "private", "show_progress": "hidden"}

    render.on_page_load(
        lambda: (str(ctx.corpus), _sample_choices(str(ctx.corpus))), [ui.corpus, ui.sample]
    )
    gr.on(
        [ui.val.change, ui.test.change, ui.no_eval.change],
        lambda v, t, n: share_outputs(ui, v, t, n),
        [ui.val, ui.test, ui.no_eval],
        ui.train_share,
        **quiet,
    )
    ui.sample.change(
        render.guard("Prompt preview")(prompt_pair),
        [ui.corpus, ui.sample],
        [ui.seed_prompt, ui.instruction_prompt],
        **quiet,
    )

    def progress_callback(progress):
        return lambda stage, done, total: progress((done, total), desc=stage, unit="files")

    def options_of(form: dict) -> bd.BuildOptions:
        return make_options(
            **{name: form[box] for name, box in ui.form.items()}, workspace=ctx.workspace
        )

    # The form comes as one {component: value} dict (inputs given as a set), not as *values:
    # Gradio finds a gr.Progress parameter only before any *args.
    @render.guard("Preview")
    def on_preview(form: dict, progress=gr.Progress()):
        options = options_of(form)
        plan = bd.preview(options, progress_callback(progress))
        note = render.message(
            "ok",
            f"Preview done in {sum(plan.seconds.values()):.1f} s; "
            "nothing written. Press Build to write the files.",
        )
        return {
            **_preview_values(ui, plan),
            ui.status: note,
            ui.results_tabs: gr.Tabs(selected="overview"),
        }

    preview_outputs = [
        ui.plan,
        ui.status,
        ui.totals,
        ui.stage_plot,
        ui.split_plot,
        ui.clusters,
        ui.leaks,
        ui.dropped,
        ui.compare,
    ]

    @render.guard("Build")
    def on_build(form: dict, progress=gr.Progress()):
        options = options_of(form)
        result = bd.build(options, output_dir(ctx), progress_callback(progress))
        note, files, manifest, paths = render_build(result)
        return {
            **_preview_values(ui, result.preview),
            ui.status: note,
            ui.files: files,
            ui.manifest: manifest,
            ui.downloads: paths,
            ui.results_tabs: gr.Tabs(selected="output"),
        }

    build_outputs = [*preview_outputs, ui.files, ui.manifest, ui.downloads, ui.results_tabs]
    for button, handler, outputs in (
        (ui.preview, on_preview, [*preview_outputs, ui.results_tabs]),
        (ui.build, on_build, build_outputs),
    ):
        render.cancellable(
            button,
            ui.cancel,
            handler,
            set(ui.form.values()),
            outputs,
            status=ui.status,
            cancelled=render.message("info", "Cancelled."),
            show_progress_on=[ui.totals],
            busy=[ui.preview, ui.build],
        )

    def on_cluster(plan, evt: gr.SelectData):
        return compare_cluster(plan, evt.index[0])

    ui.clusters.select(on_cluster, ui.plan, ui.compare, **quiet)

    @render.guard("Render tokens")
    def on_tokens(plan, count, progress=gr.Progress()):
        progress(0, desc="Loading the tokenizer (the first time takes a while)…")
        return token_report(ctx, plan, count)

    ui.tokens_btn.click(on_tokens, [ui.plan, ui.count], [ui.tokens, ui.cut], **private)
