"""Shared studio helpers: the cancellable run wiring."""

from __future__ import annotations

import gradio as gr

from studio import render


def test_cancellable_greys_start_while_running_and_cancel_stops_the_run() -> None:
    def work() -> str:
        return "done"

    with gr.Blocks() as demo:
        start = gr.Button("Go")
        cancel = gr.Button("Cancel", visible=False)
        status = gr.HTML()
        out = gr.Textbox()
        render.cancellable(
            start, cancel, work, None, [out], status=status, cancelled="<p>Stopped.</p>"
        )

    fns = list(demo.fns.values())
    busy, run, restore, on_cancel, cancelling = fns
    assert busy.targets == [(start._id, "click")]
    assert busy.fn() == (gr.update(visible=True), gr.update(interactive=False))
    assert run.fn is work and [o._id for o in run.outputs] == [out._id]
    assert restore.fn() == (gr.update(visible=False), gr.update(interactive=True))
    assert on_cancel.targets == [(cancel._id, "click")]
    assert on_cancel.fn() == (
        gr.update(visible=False),
        gr.update(interactive=True),
        "<p>Stopped.</p>",
    )
    assert cancelling.cancels == [run._id]
    assert all(fn.api_visibility == "private" for fn in fns)
