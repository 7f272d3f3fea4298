"""The studio: a header and one tab per stage, each tab a module with `build(ctx)`.

Adding a tab is one line in TABS. Gradio 6 takes theme, css and head at launch(), so
`launch_options(ctx)` returns them with the security settings (allowed paths, no footer links).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import gradio as gr

from studio import dataset_tab, includes_tab, normalize_tab
from studio.context import StudioContext
from studio.theme import CSS, HEAD, studio_theme

TITLE = "AHKv2 Finetune Studio"
TABS = [normalize_tab, includes_tab, dataset_tab]


def header_html(ctx: StudioContext) -> str:
    """The header: name, what it does, and the folders it works on."""

    def show(path: Path) -> str:
        return f"<code>{escape(_short(path))}</code>"

    return (
        '<div id="studio-header"><div class="logo">AHK</div><div>'
        f"<h1>{TITLE}</h1>"
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


def build_app(ctx: StudioContext) -> gr.Blocks:
    """The whole studio for `ctx` (not launched)."""
    with gr.Blocks(title=TITLE, fill_width=True, analytics_enabled=False) as demo:
        gr.HTML(header_html(ctx), elem_id="studio-header-block", padding=False)
        with gr.Tabs(elem_id="studio-tabs"):
            for tab in TABS:
                tab.build(ctx)
    return demo


def launch_options(ctx: StudioContext) -> dict:
    """Keyword arguments for `demo.launch()`: look, and the only folders the file route may serve."""
    return {
        "theme": studio_theme(),
        "css": CSS,
        "head": HEAD,
        "footer_links": [],
        "allowed_paths": [str(ctx.corpus.resolve()), str(ctx.workspace.resolve())],
        "show_error": False,
        "favicon_path": None,
    }
