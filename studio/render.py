"""Small HTML renderers shared by the tabs, and the guard that turns core errors into readable messages."""

from __future__ import annotations

import functools
import html
import inspect
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import gradio as gr

from core.errors import StudioError
from studio.context import StudioContext

log = logging.getLogger("studio")

MAX_CODE_LINES = 4000


# ---------------------------------------------------------------- errors


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127) if c not in (9, 10, 13)}


def escape(text: str) -> str:
    """`text` for HTML, with control characters written as \\xNN (never drawn as boxes)."""
    return html.escape(text.translate(_CONTROL))


def guard(action: str) -> Callable:
    """Decorate a handler: a StudioError becomes a readable error toast titled `action`; anything
    else is logged with its traceback on the console and shown as one line, never a stack trace."""

    def wrap(fn: Callable) -> Callable:
        def to_gr_error(err: Exception) -> gr.Error:
            if isinstance(err, gr.Error):
                return err
            if isinstance(err, StudioError):
                return gr.Error(str(err), title=action, print_exception=False)
            log.exception("%s failed", action)
            return gr.Error(
                f"unexpected {type(err).__name__}: {err} (details in the studio's console)",
                title=action,
                print_exception=False,
            )

        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                try:
                    yield from fn(*args, **kwargs)
                except Exception as err:
                    raise to_gr_error(err) from None

            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as err:
                raise to_gr_error(err) from None

        return wrapper

    return wrap


def on_page_load(fn: Callable, outputs, inputs=None) -> None:
    """Run `fn` each time the page loads (fresh values after a reload), as a private event.

    Used instead of callable component values, which Gradio would expose as public endpoints.
    """
    root = gr.context.Context.root_block
    if root is None:
        raise RuntimeError("on_page_load must be called while the studio is being built")
    root.load(fn, inputs, outputs, api_visibility="private", show_progress="hidden")


def cancellable(
    start: gr.Button | Sequence,
    cancel: gr.Button,
    fn: Callable,
    inputs,
    outputs,
    *,
    status: gr.HTML,
    cancelled: str,
    show_progress_on=None,
    busy: Sequence[gr.Button] | None = None,
    reset: dict | None = None,
):
    """Wire `start` to run `fn` with a Cancel button beside it: while `fn` runs, the `busy`
    buttons are greyed out and `cancel` shows; pressing `cancel` stops the run, restores the
    buttons and writes `cancelled` (HTML) into `status`. Returns the running event, for
    `.success(...)` chains.

    `start` is a button, or a list of buttons and events (e.g. `[scan, folder.submit]`) that all
    start the same run. `busy` defaults to the buttons of `start`; name more when several runs
    share one Cancel button (each greys all their start buttons, and Cancel stops whichever runs).
    `reset` ({component: value}) is what Cancel also puts back: views a half-done run filled.
    """
    if status not in (outputs if isinstance(outputs, list | set | tuple) else [outputs]):
        raise ValueError(
            "cancellable: `status` must be one of the outputs (errors are shown there)"
        )
    starts = list(start) if isinstance(start, Sequence) else [start]
    triggers = [s.click if isinstance(s, gr.Button) else s for s in starts]
    greyed = list(busy) if busy is not None else [s for s in starts if isinstance(s, gr.Button)]
    quiet = {"api_visibility": "private", "show_progress": "hidden"}

    def buttons(running: bool) -> dict:
        return {cancel: gr.update(visible=running)} | {
            b: gr.update(interactive=not running) for b in greyed
        }

    running = gr.on(triggers, lambda: buttons(True), None, [cancel, *greyed], **quiet).then(
        settled(fn, status),
        inputs,
        outputs,
        show_progress_on=show_progress_on,
        api_visibility="private",
    )
    running.then(lambda: buttons(False), None, [cancel, *greyed], **quiet)
    undone = {status: cancelled, **(reset or {})}
    cancel.click(
        lambda: buttons(False) | undone,
        None,
        [cancel, *greyed, *undone],
        cancels=[running],
        api_visibility="private",
    )
    return running


def settled(fn: Callable, status: gr.HTML) -> Callable:
    """`fn` that never ends in an exception: its error (a StudioError turned into a gr.Error by
    `guard`, or any other) is written into `status` as an error message that stays, and shown
    as a toast; the other outputs keep what they showed. So the events chained after it (the
    buttons' idle state) always run, whatever way it ended."""

    def failed(err: Exception) -> dict:
        text = err.message if isinstance(err, gr.Error) else f"{type(err).__name__}: {err}"
        gr.Warning(text)
        return {status: message("error", text)}

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as err:
                yield failed(err)

        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as err:
            return failed(err)

    return wrapper


def run_choices(workspace: Path) -> list[tuple[str, str]]:
    """(label, id) of every run of the workspace, newest first; the label says its state and
    which of its models exist (adapter, merged: "merged (stale)" when it holds an older adapter
    than the run has now)."""
    from core.export.provenance import merged_source
    from core.train.run_folder import list_runs

    choices = []
    for info in list_runs(workspace):
        merged = (
            "merged (stale)" if info.has_merged and merged_source(info.path).stale else "merged"
        )
        has = [k for k, yes in (("adapter", info.has_adapter), (merged, info.has_merged)) if yes]
        choices.append((f"{info.id} · {info.state} · {'+'.join(has) or 'no adapter yet'}", info.id))
    return choices


def pick_run(
    choices: list[tuple[str, str]], run_id: str | None, default: str | None = None
) -> str | None:
    """The run to show from fresh `choices`: the chosen one while it exists, else `default`,
    else the first (newest)."""
    ids = [value for _, value in choices]
    if run_id in ids:
        return run_id
    return default if default in ids else (ids[0] if ids else None)


def run_picker(
    choices: list[tuple[str, str]], run_id: str | None, default: str | None = None
) -> gr.Dropdown:
    """A run dropdown with fresh `choices` and pick_run's run chosen."""
    return gr.Dropdown(choices=choices, value=pick_run(choices, run_id, default))


def throttled(progress: gr.Progress, desc: str, every: int = 500) -> Callable[[int, int], None]:
    """A (done, total) callback that updates a gr.Progress bar every `every` items, not each one
    (each update is a message to the browser)."""

    def report(done: int, total: int) -> None:
        if done % every == 0 or done == total:
            progress((done, total), desc=desc, unit="files")

    return report


# ---------------------------------------------------------------- header, messages and totals


def header_html(ctx: StudioContext, ready: bool = True) -> str:
    """The header: name, what it does, and the folders it works on. The page-load event sends it
    again with `data-ready`, which tells a browser test that the page's events are wired."""

    def show(path: Path) -> str:
        return f"<code>{escape(_short(path))}</code>"

    return (
        f'<div id="studio-header"{" data-ready" if ready else ""}><div class="logo">AHK</div><div>'
        "<h1>AHKv2 Finetune Studio</h1>"
        '<p class="tagline">From a folder of AutoHotkey v2 scripts to a fine-tuned model that '
        "writes AutoHotkey v2 — clean the corpus, build the dataset, train, export.</p></div>"
        f'<div class="paths"><span>corpus {show(ctx.corpus)}</span>'
        f"<span>workspace {show(ctx.workspace)}</span>"
        f"<span>config {show(ctx.config_path)}</span></div></div>"
    )


def _short(path: Path) -> str:
    """A path with the home folder written as ~."""
    try:
        return "~/" + Path(path).resolve().relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def message(kind: str, text: str, hint: str | None = None) -> str:
    """A coloured one-line note: kind is ok, info, warn or error."""
    extra = f'<div class="hint">{escape(hint)}</div>' if hint else ""
    return f'<div class="msg {kind}">{escape(text)}{extra}</div>'


def totals(stats: Iterable[tuple[str, object, str]]) -> str:
    """A strip of big numbers: (label, value, kind) with kind '', 'good', 'warn' or 'bad'."""
    cells = "".join(
        f'<div class="stat {kind}"><div class="value">{escape(_fmt(value))}</div>'
        f'<div class="label">{escape(label)}</div></div>'
        for label, value, kind in stats
    )
    return f'<div class="totals">{cells}</div>'


def _fmt(value: object) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def human_size(size: int) -> str:
    """1536 -> '1.5 KB'."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


# ---------------------------------------------------------------- code, diffs, diagnostics


def code_view(text: str | None, marks: dict[int, tuple[str, str]] | None = None) -> str:
    """Source with line numbers; `marks` maps a 1-based line to (severity, tooltip) to highlight it."""
    if text is None:
        return '<div class="codeview"><div class="empty">No text to show.</div></div>'
    marks = marks or {}
    lines = text.splitlines() or [""]
    rows = []
    for number, line in enumerate(lines[:MAX_CODE_LINES], start=1):
        severity, tip = marks.get(number, ("", ""))
        title = f' title="{escape(tip)}"' if tip else ""
        rows.append(
            f'<tr class="{severity}"{title}><td class="ln">{number}</td>'
            f'<td class="src">{escape(line) or " "}</td></tr>'
        )
    more = len(lines) - MAX_CODE_LINES
    tail = f'<div class="empty">… {more:,} more lines not shown</div>' if more > 0 else ""
    return f'<div class="codeview"><table>{"".join(rows)}</table>{tail}</div>'


def diff_view(diff: str) -> str:
    """A unified diff with added, removed and hunk lines coloured."""
    if not diff.strip():
        return '<div class="codeview"><div class="empty">No changes.</div></div>'
    rows = []
    for line in diff.splitlines()[:MAX_CODE_LINES]:
        if line.startswith(("+++", "---", "@@")):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = ""
        rows.append(f'<tr class="{kind}"><td class="src">{escape(line) or " "}</td></tr>')
    return f'<div class="codeview"><table>{"".join(rows)}</table></div>'


def diagnostics_table(diagnostics: Iterable[dict]) -> str:
    """Diagnostics ({line, column, severity, code, message}) as a table; a note when there are none."""
    rows = [
        f"<tr><td>{d.get('line', '')}</td><td>{d.get('column', '')}</td>"
        f'<td><span class="sev {escape(str(d.get("severity", "")))}">'
        f"{escape(str(d.get('severity', '')))}</span></td>"
        f"<td><code>{escape(str(d.get('code', '')))}</code></td>"
        f"<td>{escape(str(d.get('message', '')))}</td></tr>"
        for d in diagnostics
    ]
    if not rows:
        return message("ok", "No diagnostics: the checker found nothing to report in this file.")
    head = "<tr><th>Line</th><th>Col</th><th>Severity</th><th>Code</th><th>Message</th></tr>"
    return f'<table class="diag">{head}{"".join(rows)}</table>'


def side_by_side(items: Iterable[tuple[str, str]]) -> str:
    """Several texts next to each other, each with its title and line numbers."""
    cells = "".join(
        f"<div><h4>{escape(title)}</h4>{code_view(text)}</div>" for title, text in items
    )
    return f'<div class="side-by-side">{cells}</div>'


def token_view(pieces: Iterable[tuple[str, bool]], cut_from: int | None = None) -> str:
    """Tokens as text spans, trained ones and masked ones in two colours; tokens from index
    `cut_from` on (beyond max_seq_length) struck through."""
    spans = []
    for index, (text, trained) in enumerate(pieces):
        cls = "trained" if trained else "masked"
        if cut_from is not None and index >= cut_from:
            cls += " cut"
        spans.append(f'<span class="{cls}">{escape(text)}</span>')
    legend = (
        '<div class="legend"><span class="trained">trained on</span>'
        '<span class="masked">masked (prompt, template)</span></div>'
    )
    return f'{legend}<div class="tokens">{"".join(spans)}</div>'
