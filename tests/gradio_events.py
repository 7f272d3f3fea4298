"""Find the function an event of a built studio runs, to call it as the browser would."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr


def event(demo: gr.Blocks, elem_id: str, trigger: str = "click") -> tuple[Callable, dict]:
    """The function `trigger` on the component `elem_id` runs, and that event's outputs by
    elem_id."""
    for fn in demo.fns.values():
        if any(
            getattr(demo.blocks.get(b), "elem_id", None) == elem_id and t == trigger
            for b, t in fn.targets
        ):
            return fn.fn, {o.elem_id: o for o in fn.outputs}
    raise AssertionError(f"no {trigger} event on {elem_id}")
