"""The studio: a header and one tab per stage, each tab a module with `build(ctx)`.

Adding a tab is one line in TABS. Gradio 6 takes theme, css and head at launch(), so
`launch_options(ctx)` returns them with the security settings (allowed paths, no footer links).
"""

from __future__ import annotations

import gradio as gr

from studio import render
from studio.context import StudioContext
from studio.tabs import corpus as corpus_tab
from studio.tabs import dataset as dataset_tab
from studio.tabs import evaluate as evaluate_tab
from studio.tabs import export as export_tab
from studio.tabs import includes as includes_tab
from studio.tabs import normalize as normalize_tab
from studio.tabs import playground as playground_tab
from studio.tabs import train as train_tab
from studio.theme import CSS, HEAD, JS, studio_theme

TITLE = "AHKv2 Finetune Studio"
TABS = [
    corpus_tab,
    normalize_tab,
    includes_tab,
    dataset_tab,
    train_tab,
    export_tab,
    evaluate_tab,
    playground_tab,
]


def build_app(ctx: StudioContext) -> gr.Blocks:
    """The whole studio for `ctx` (not launched), its queue set up."""
    with gr.Blocks(title=TITLE, fill_width=True, analytics_enabled=False) as demo:
        # Set up the queue before the tabs: queue() rebuilds the server app from what exists,
        # which is nothing yet here and a quarter of a second of start-up after the last tab.
        demo.queue(default_concurrency_limit=4)
        ctx.header = gr.HTML(
            render.header_html(ctx, ready=False), elem_id="studio-header-block", padding=False
        )
        render.on_page_load(lambda: render.header_html(ctx), ctx.header)
        with gr.Tabs(elem_id="studio-tabs"):
            for tab in TABS:
                tab.build(ctx)
    return demo


def launch_options(ctx: StudioContext) -> dict:
    """Keyword arguments for `demo.launch()`: look and behaviour (Gradio 6 takes theme, css, js
    and head here), and the only folders the file route may serve."""
    return {
        "theme": studio_theme(),
        "css": CSS,
        "js": JS,
        "head": HEAD,
        "footer_links": [],
        "allowed_paths": [str(ctx.corpus.resolve()), str(ctx.workspace.resolve())],
        "show_error": False,
        "favicon_path": None,
    }
