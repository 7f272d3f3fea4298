"""The Playground tab's Send, called as the browser calls it: an error stays in the tab."""

from __future__ import annotations

import gradio as gr

from studio.context import StudioContext
from studio.tabs import playground
from tests.gradio_events import event


def test_send_without_a_model_says_so_in_the_status_and_keeps_the_message(workspace):
    with gr.Blocks() as demo:
        playground.build(StudioContext(workspace=workspace))
    send, _ = event(demo, "play-send")
    earlier = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    steps = list(send(None, None, None, "", 0.7, 0.95, 64, 1.1, "a hotkey", earlier))
    last = {o.elem_id: value for o, value in steps[-1].items()}
    assert 'class="msg error"' in last["play-status"]
    assert "pick a run and a model first" in last["play-status"]
    shown = {o.elem_id: value for step in steps for o, value in step.items()}
    assert shown["play-message"] == "a hotkey"  # kept, to send again
    assert shown["play-chat"] == playground.display(earlier)
