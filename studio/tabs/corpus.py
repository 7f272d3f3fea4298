"""Corpus tab: the scripts of the corpus with the checker's verdict, one script's code and
diagnostics, charts and totals, and pruning to the quarantine with undo.

A scan fills the table in two steps: first the file facts (fast), then the checker's verdicts
(core.corpus.scan.VerdictCache, in <workspace>/cache/, so a rescan after a prune or a normalise only
checks what changed) and the near-duplicate marks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from core.ahk import check as ahk
from core.corpus import prune
from core.corpus.scan import VerdictCache
from core.corpus.table import (
    ALL,
    COLUMNS,
    NEAR_THRESHOLD,
    SORTS,
    check_table,
    filter_table,
    scan_table,
    summary,
)
from core.errors import StudioError
from core.fsutil import safe_join
from core.reading import read_script
from core.workspace import subdir
from studio import plots, render, widgets
from studio.context import StudioContext

PRUNE_COLUMNS = ["file", "reasons"]
PAGE_SIZE = 1000  # rows sent to the browser at once: a 20,000-row table takes seconds to draw
PRUNE_CHOICES = {
    "verdict v1": "v1",
    "verdict mixed": "mixed",
    "error diagnostics": "invalid",
    "exact duplicates": "duplicates",
    "near-duplicates": "near",
}


# ---------------------------------------------------------------- what the page shows


def totals_html(table: pd.DataFrame) -> str:
    s = summary(table)
    checked = bool((table["verdict"] != "").any()) or table.empty
    flag = lambda n, kind="bad": kind if n else "good"  # noqa: E731
    stats = [
        ("scripts", s["files"], ""),
        ("categories", s["categories"], ""),
        ("lines", s["lines"], ""),
        ("verdict v2", s["v2"] if checked else "…", "good"),
        ("v1 / mixed", f"{s['v1']} / {s['mixed']}" if checked else "…", flag(s["v1"] + s["mixed"])),
        ("with errors", s["with errors"] if checked else "…", flag(s["with errors"])),
        (
            "duplicates (exact / near)",
            f"{s['exact duplicates']} / {s['near-duplicates']}",
            flag(s["exact duplicates"] + s["near-duplicates"], "warn"),
        ),
        ("skipped", s["skipped"], flag(s["skipped"], "warn")),
    ]
    return render.totals(stats)


def charts(table: pd.DataFrame) -> tuple:
    """Files per category, length distribution, verdicts."""
    readable = table[table["skipped"] == ""]
    verdicts = table["verdict"].replace("", "skipped" if table.empty else "not checked")
    verdicts = verdicts.where(table["skipped"] == "", "skipped")
    return (
        plots.category_bars(table["category"].value_counts().to_dict(), height=320),
        plots.length_histogram(readable["lines"].tolist()),
        plots.verdict_bars(verdicts.value_counts().to_dict()),
    )


def page_of(view: pd.DataFrame, page: float | None) -> tuple[pd.DataFrame, str, int]:
    """One page of a filtered table: (rows, a caption, the number of pages)."""
    pages = max(1, -(-len(view) // PAGE_SIZE))
    page = min(max(1, int(page or 1)), pages)
    start = (page - 1) * PAGE_SIZE
    rows = view.iloc[start : start + PAGE_SIZE]
    if len(view) <= PAGE_SIZE:
        caption = f"{len(view):,} script(s)"
    else:
        caption = (
            f"scripts {start + 1:,}–{start + len(rows):,} of {len(view):,} (page {page} of {pages})"
        )
    return rows, caption, pages


def show_page(
    table: pd.DataFrame | None,
    category: str,
    verdict: str,
    problems: bool,
    query: str,
    sort: str,
    page: float | None = 1,
) -> tuple[dict, dict]:
    """The table's rows (labelled with what they are) and the page slider, for the filters."""
    rows, caption, pages = page_of(
        filter_table(table, category, verdict, problems, query, sort), page
    )
    table_update = gr.update(value=rows, label=f"Scripts: {caption} (click one to read it)")
    slider = gr.update(
        maximum=max(pages, 2), value=min(max(1, int(page or 1)), pages), visible=pages > 1
    )
    return table_update, slider


def show_script(root: Path, relative: str | None) -> tuple[str, str, str]:
    """One script: a header line, its code with line numbers, and its diagnostics."""
    if not relative:
        return "", render.code_view(None), ""
    path = safe_join(root, relative)
    read = read_script(path)
    if read.text is None:
        return (
            render.message("warn", f"{relative} is skipped: {read.skip_reason}"),
            render.code_view(None),
            "",
        )
    result = ahk.check_source(read.text, path, root)
    marks: dict[int, tuple[str, str]] = {}
    for d in result.diagnostics:
        severity, tip = marks.get(d.line, ("", ""))
        worst = "error" if "error" in (severity, d.severity) else d.severity
        marks[d.line] = (worst, "; ".join(filter(None, [tip, f"{d.code}: {d.message}"])))
    info = (
        f"{relative} — {read.encoding}, {render.human_size(read.size)}, "
        f"verdict {result.verdict} (score {result.score:.2f}), "
        f"{result.errors} error(s), {result.warnings} warning(s)"
    )
    kind = "ok" if result.verdict == "v2" and not result.errors else "warn"
    return (
        render.message(kind, info),
        render.code_view(read.text, marks),
        render.diagnostics_table(d.to_dict() for d in result.diagnostics),
    )


# ---------------------------------------------------------------- pruning


def add_path(listing: str, relative: str | None) -> str:
    """The quarantine list with one more path (no repeats)."""
    if not relative:
        raise StudioError("click a script in the table first")
    paths = [line.strip() for line in listing.splitlines() if line.strip()]
    return "\n".join(paths if relative in paths else [*paths, relative])


def plan_prune(
    ctx: StudioContext, listing: str, rules: list[str], table: pd.DataFrame | None = None
) -> list[prune.PruneItem]:
    """What would move to the quarantine: the listed paths plus the chosen kinds of script.

    The prune is handed what the scan already knows: the checker's cached verdicts (by SHA256,
    so a script changed since is checked afresh) and, once `table` is checked, its near-duplicate
    marks; without them it works them out itself."""
    chosen = {PRUNE_CHOICES[r] for r in rules or []}
    paths = [line.strip() for line in listing.splitlines() if line.strip()]
    judged = chosen & {"v1", "mixed", "invalid"}
    near = "near" in chosen and table is not None and "near" in table
    items = prune.plan_prune(
        ctx.corpus,
        verdicts=[v for v in ("v1", "mixed") if v in chosen],
        invalid="invalid" in chosen,
        duplicates="duplicates" in chosen,
        paths=paths,
        near_duplicates=NEAR_THRESHOLD if "near" in chosen else None,
        checked=VerdictCache(subdir(ctx.workspace, "cache")).results if judged else None,
        near_marks=_near_marks(table) if near else None,
    )
    if not items:
        raise StudioError("nothing to quarantine", hint="list scripts or tick a kind of script")
    return items


def _near_marks(table: pd.DataFrame) -> dict[str, tuple[str, float]]:
    """{path: (the script it nearly duplicates, similarity)} from a checked table."""
    return {path: mark for path, mark in zip(table["path"], table["near"], strict=True) if mark}


def prune_table(items: list[prune.PruneItem]) -> pd.DataFrame:
    return pd.DataFrame([[i.path, "; ".join(i.reasons)] for i in items], columns=PRUNE_COLUMNS)


def apply_prune(ctx: StudioContext, items: list[prune.PruneItem]) -> str:
    if not items:
        raise StudioError("nothing to quarantine", hint="plan the prune first")
    backup = prune.apply_prune(ctx.corpus, items, ctx.workspace)
    return render.message(
        "ok",
        f"Moved {len(backup.entries)} script(s) to {prune.quarantine_dir(ctx.workspace)}.",
        "Scan again to refresh the table; Undo puts them back.",
    )


def undo(ctx: StudioContext) -> widgets.Undo:
    """Undo of the last apply on this corpus."""
    return widgets.Undo(
        ctx, prune.TOOL, prune.undo_prune, "Put back {n} script(s) from the quarantine."
    )


def open_corpus(
    folder: str,
    progress: Callable[[int, int], None] | None = None,
    texts: dict[str, str] | None = None,
) -> tuple[Path, pd.DataFrame]:
    """Read the folder typed in the box (a scan's step one); it becomes the corpus every tab
    works on only once its scan finished (make_current): a failed or cancelled one changes
    nothing."""
    path = Path(folder.strip()).expanduser().resolve()
    if not path.is_dir():
        raise StudioError(f"corpus folder not found: {path}", hint="give a folder of .ahk files")
    return path, scan_table(path, progress, texts)


def make_current(ctx: StudioContext, root: Path) -> dict:
    """`root` becomes the corpus of every tab; the header says so (the updates to show)."""
    ctx.corpus = root
    return {} if ctx.header is None else {ctx.header: render.header_html(ctx)}


# ---------------------------------------------------------------- layout


def build(ctx: StudioContext) -> None:
    """The Corpus tab."""
    with gr.Tab("Corpus", id="corpus", elem_id="tab-corpus"):
        gr.Markdown(
            "Every `.ahk` script of the corpus with the checker's verdict. Click a script to read "
            "it with its diagnostics; move bad ones to the quarantine (undo puts them back).",
            elem_classes="tab-intro",
        )
        ui = SimpleNamespace(table=gr.State(None), selected=gr.State(None), items=gr.State([]))
        with gr.Row(equal_height=True):
            ui.folder = gr.Textbox(
                str(ctx.corpus),
                label="Corpus folder",
                scale=6,
                elem_id="corpus-folder",
                info="a folder of AutoHotkey scripts; subfolders are categories",
            )
            ui.scan = gr.Button("Scan corpus", variant="primary", scale=1, elem_id="corpus-scan")
            ui.cancel = gr.Button("Cancel", scale=1, visible=False, elem_id="corpus-cancel")
        ui.status = gr.HTML(
            render.message("info", "Press Scan corpus to list and check every script."),
            elem_id="corpus-status",
        )
        with gr.Column(visible=False, elem_id="corpus-results") as ui.results:
            ui.totals = gr.HTML(elem_id="corpus-totals")
            with gr.Row():
                ui.plot_categories = gr.Plot(show_label=False, elem_id="corpus-plot-categories")
                ui.plot_lengths = gr.Plot(show_label=False, elem_id="corpus-plot-lengths")
                ui.plot_verdicts = gr.Plot(show_label=False, elem_id="corpus-plot-verdicts")
            _table_panel(ui)
            _script_panel(ui)
        _prune_panel(ui, ctx)

        # Inside the tab: Gradio 6 mislabels the tab bar when gr.api sits directly in gr.Tabs.
        def corpus_summary_endpoint() -> dict:
            """Scan and check the studio's corpus; return its totals."""
            return corpus_summary(ctx)

        gr.api(corpus_summary_endpoint, api_name="corpus_summary")
    _wire_scan(ui, ctx)
    _wire_browse(ui, ctx)
    _wire_prune(ui, ctx)


def _table_panel(ui: SimpleNamespace) -> None:
    with gr.Row(equal_height=True):
        ui.query = gr.Textbox(
            label="Search paths",
            placeholder="part of a path, e.g. GUI/ or legacy",
            elem_id="corpus-search",
            scale=3,
        )
        ui.category = gr.Dropdown(
            [ALL], value=ALL, label="Category", elem_id="corpus-filter-category", scale=2
        )
        ui.verdict = gr.Dropdown(
            [ALL, "v2", "v1", "mixed", "unknown"],
            value=ALL,
            label="Verdict",
            elem_id="corpus-filter-verdict",
            scale=2,
        )
        ui.sort = gr.Dropdown(
            list(SORTS), value="path", label="Order", elem_id="corpus-sort", scale=2
        )
        ui.problems = gr.Checkbox(
            False,
            label="Problems only",
            elem_id="corpus-filter-problems",
            scale=2,
            info="not v2, errors, duplicates or skipped",
        )
    ui.view = gr.Dataframe(
        headers=COLUMNS,
        interactive=False,
        max_height=520,
        label="Scripts (click one to read it)",
        elem_id="corpus-table",
        column_widths=["22%", "8%", "6%", "6%", "7%", "7%", "7%", "8%", "8%", "13%", "8%"],
        wrap=False,
    )
    ui.page = gr.Slider(
        1,
        2,
        value=1,
        step=1,
        label=f"Page ({PAGE_SIZE:,} scripts a page)",
        elem_id="corpus-page",
        visible=False,
    )


def _script_panel(ui: SimpleNamespace) -> None:
    ui.info = gr.HTML(
        render.message("info", "Click a script in the table to read it here."),
        elem_id="corpus-file-info",
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=7):
            ui.code = gr.HTML(render.code_view(None), elem_id="corpus-code")
        with gr.Column(scale=5):
            ui.diagnostics = gr.HTML(elem_id="corpus-diagnostics")
            ui.add = gr.Button(
                "Add this script to the quarantine list",
                elem_id="corpus-add-selected",
                interactive=False,
                size="md",
            )


def _prune_panel(ui: SimpleNamespace, ctx: StudioContext) -> None:
    with (
        gr.Accordion("Quarantine (prune)", open=True, elem_id="corpus-prune"),
        gr.Row(equal_height=False),
    ):
        with gr.Column(scale=5):
            ui.listing = gr.Textbox(
                label="Scripts to quarantine (one relative path a line)",
                lines=4,
                elem_id="corpus-prune-list",
            )
            ui.rules = gr.CheckboxGroup(
                list(PRUNE_CHOICES),
                label="Also quarantine every script with",
                elem_id="corpus-prune-rules",
            )
            with gr.Row():
                ui.plan = gr.Button(
                    "Plan prune", variant="primary", elem_id="corpus-prune-plan", size="md"
                )
                ui.change = widgets.change_buttons(
                    "corpus-prune", "Move to quarantine…", "Undo last prune", undo(ctx).ready()
                )
                ui.apply, ui.undo = ui.change.apply, ui.change.undo
        with gr.Column(scale=5):
            widgets.confirm_box(ui.change, "corpus", "Yes, move them")
            ui.prune_status = gr.HTML(elem_id="corpus-prune-status")
            ui.prune_items = gr.Dataframe(
                headers=PRUNE_COLUMNS,
                interactive=False,
                max_height=240,
                wrap=True,
                label="Would move",
                visible=False,
                elem_id="corpus-prune-items",
            )


def _wire_scan(ui: SimpleNamespace, ctx: StudioContext) -> None:
    render.on_page_load(lambda: str(ctx.corpus), ui.folder)  # a reload shows the current corpus

    def table_shown(table: pd.DataFrame, options: tuple, status: str) -> dict:
        category, verdict, problems, query, sort = options
        rows, slider = show_page(table, category, verdict, problems, query, sort, page=1)
        return {
            ui.table: table,
            ui.view: rows,
            ui.page: slider,
            ui.totals: totals_html(table),
            ui.status: status,
            ui.results: gr.update(visible=True),
        }

    def charts_shown(table: pd.DataFrame) -> dict:
        figures = (ui.plot_categories, ui.plot_lengths, ui.plot_verdicts)
        return dict(zip(figures, charts(table), strict=True))

    @render.guard("Scan corpus")
    def on_scan(folder, category, verdict, problems, query, sort, progress=gr.Progress()):
        # Named parameters, not *options: Gradio finds a gr.Progress only before any *args.
        options = (category, verdict, problems, query, sort)
        texts: dict[str, str] = {}
        reading = render.throttled(progress, "Reading scripts", every=2000)
        root, table = open_corpus(folder, reading, texts)
        read = render.message("info", f"{len(table):,} scripts read; checking them…")
        categories = [ALL, *sorted(table["category"].unique())]
        yield {**table_shown(table, options, read), ui.category: gr.update(choices=categories)}
        yield charts_shown(table)
        for done, total, checked in check_table(ctx.workspace, table, root, texts):
            if checked is None:
                progress((done, total), desc="Checking scripts", unit="files")
                note = f"Checking… {done:,} of {total:,} new or changed scripts"
                yield {ui.status: render.message("info", note)}
                continue
            finished = render.message("ok", f"{total:,} scripts scanned and checked in {root}.")
            shown = {**table_shown(checked, options, finished), **charts_shown(checked)}
            yield {**shown, **make_current(ctx, root)}

    outputs = [
        ui.table,
        ui.view,
        ui.page,
        ui.totals,
        ui.plot_categories,
        ui.plot_lengths,
        ui.plot_verdicts,
        ui.status,
        ui.category,
        ui.results,
        *([ctx.header] if ctx.header is not None else []),
    ]
    filters = [ui.category, ui.verdict, ui.problems, ui.query, ui.sort]
    render.cancellable(
        [ui.scan, ui.folder.submit],
        ui.cancel,
        on_scan,
        [ui.folder, *filters],
        outputs,
        status=ui.status,
        cancelled=render.message(
            "warn",
            "Scan cancelled: the corpus is still the one in the header.",
            "press Scan to list it again",
        ),
        show_progress_on=[ui.totals],
        reset={ui.table: None, ui.view: [], ui.results: gr.update(visible=False)},
    )

    def rescan(category, verdict, problems, query, sort, progress=gr.Progress()):
        """The current corpus scanned again (after a prune or its undo), with the same filters."""
        yield from on_scan(str(ctx.corpus), category, verdict, problems, query, sort, progress)

    ui.rescan = (rescan, filters, outputs)


def _wire_browse(ui: SimpleNamespace, ctx: StudioContext) -> None:
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    filters = [ui.table, ui.category, ui.verdict, ui.problems, ui.query, ui.sort]

    def page_shown(*values) -> dict:
        rows, slider = show_page(*values)
        return {ui.view: rows, ui.page: slider}

    for control in (ui.category, ui.verdict, ui.problems, ui.sort):
        control.change(page_shown, filters, [ui.view, ui.page], **quiet)
    ui.query.submit(page_shown, filters, [ui.view, ui.page], **quiet)
    ui.query.change(page_shown, filters, [ui.view, ui.page], trigger_mode="always_last", **quiet)
    ui.page.release(page_shown, [*filters, ui.page], [ui.view, ui.page], **quiet)

    @render.guard("Open script")
    def on_select(evt: gr.SelectData):
        relative = evt.row_value[0] if evt.row_value else None
        info, code, diagnostics = show_script(ctx.corpus, relative)
        return {
            ui.selected: relative,
            ui.info: info,
            ui.code: code,
            ui.diagnostics: diagnostics,
            ui.add: gr.update(interactive=bool(relative)),
        }

    ui.view.select(
        on_select, None, [ui.selected, ui.info, ui.code, ui.diagnostics, ui.add], **quiet
    )


def _wire_prune(ui: SimpleNamespace, ctx: StudioContext) -> None:
    private = {"api_visibility": "private"}
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    ui.add.click(
        render.guard("Add to list")(add_path), [ui.listing, ui.selected], ui.listing, **quiet
    )

    @render.guard("Plan prune")
    def on_plan(listing: str, rules: list[str], table: pd.DataFrame | None):
        items = plan_prune(ctx, listing, rules, table)
        note = render.message(
            "info", f"{len(items)} script(s) would move to the quarantine. Nothing has moved yet."
        )
        return {
            ui.items: items,
            ui.prune_items: gr.update(value=prune_table(items), visible=True),
            ui.prune_status: note,
            ui.apply: gr.update(interactive=True),
        }

    ui.plan.click(
        on_plan,
        [ui.listing, ui.rules, ui.table],
        [ui.items, ui.prune_items, ui.prune_status, ui.apply],
        **private,
    )

    def ask(items) -> str:
        if not items:
            raise StudioError("nothing to quarantine", hint="plan the prune first")
        return render.message(
            "warn",
            f"Move {len(items)} script(s) out of the corpus into the quarantine?",
            "A backup is kept; Undo last prune puts them back.",
        )

    widgets.wire_change(
        ui.change,
        ui.items,
        ui.prune_status,
        widgets.ChangeActions(
            action="Quarantine",
            ask=ask,
            apply=lambda items: apply_prune(ctx, items),
            undo=undo(ctx),
        ),
        cleared={ui.prune_items: gr.update(visible=False), ui.listing: ""},
        refresh=ui.rescan,
    )


def corpus_summary(ctx: StudioContext) -> dict:
    """Totals of the current corpus (a public API endpoint for scripts)."""
    texts: dict[str, str] = {}
    table = scan_table(ctx.corpus, texts=texts)
    for _done, _total, checked in check_table(ctx.workspace, table, ctx.corpus, texts):
        if checked is not None:
            table = checked
    return {"corpus": str(ctx.corpus), **summary(table)}
