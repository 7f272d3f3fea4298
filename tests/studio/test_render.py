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
            start, cancel, work, None, [out, status], status=status, cancelled="<p>Stopped.</p>"
        )

    fns = list(demo.fns.values())
    busy, run, restore, on_cancel, cancelling = fns
    assert busy.targets == [(start._id, "click")]
    assert busy.fn() == {cancel: gr.update(visible=True), start: gr.update(interactive=False)}
    assert run.fn.__wrapped__ is work and [o._id for o in run.outputs] == [out._id, status._id]
    assert restore.fn() == {cancel: gr.update(visible=False), start: gr.update(interactive=True)}
    assert on_cancel.targets == [(cancel._id, "click")]
    assert on_cancel.fn() == {
        cancel: gr.update(visible=False),
        start: gr.update(interactive=True),
        status: "<p>Stopped.</p>",
    }
    assert cancelling.cancels == [run._id]
    assert all(fn.api_visibility == "private" for fn in fns)


def test_cancellable_runs_from_several_triggers_and_runs_can_share_one_cancel() -> None:
    def preview(folder: str) -> str:
        return f"preview of {folder}"

    def build(folder: str) -> str:
        return f"built {folder}"

    with gr.Blocks() as demo:
        folder = gr.Textbox()
        go = gr.Button("Preview")
        make = gr.Button("Build")
        cancel = gr.Button("Cancel", visible=False)
        status = gr.HTML()
        out = gr.Textbox()
        for start, fn in (([go, folder.submit], preview), (make, build)):
            render.cancellable(
                start,
                cancel,
                fn,
                folder,
                [out, status],
                status=status,
                cancelled="<p>Stopped.</p>",
                busy=[go, make],
            )

    fns = list(demo.fns.values())
    assert len(fns) == 10
    for busy, run, restore, on_cancel, cancelling in (fns[:5], fns[5:]):
        assert [o._id for o in busy.outputs] == [cancel._id, go._id, make._id]
        assert busy.fn() == {
            cancel: gr.update(visible=True),
            go: gr.update(interactive=False),
            make: gr.update(interactive=False),
        }
        assert restore.fn() == {
            cancel: gr.update(visible=False),
            go: gr.update(interactive=True),
            make: gr.update(interactive=True),
        }
        assert on_cancel.targets == [(cancel._id, "click")]
        assert [o._id for o in on_cancel.outputs] == [cancel._id, go._id, make._id, status._id]
        assert on_cancel.fn()[status] == "<p>Stopped.</p>"
        assert cancelling.cancels == [run._id]
    assert fns[0].targets == [(go._id, "click"), (folder._id, "submit")]
    assert fns[1].fn.__wrapped__ is preview and fns[6].fn.__wrapped__ is build
    assert fns[5].targets == [(make._id, "click")]


def test_cancellable_greys_only_the_buttons_among_its_triggers_by_default() -> None:
    with gr.Blocks() as demo:
        folder = gr.Textbox()
        scan = gr.Button("Scan")
        cancel = gr.Button("Cancel", visible=False)
        status = gr.HTML()
        render.cancellable(
            [scan, folder.submit],
            cancel,
            lambda f: f,
            folder,
            status,
            status=status,
            cancelled="x",
        )

    busy = next(iter(demo.fns.values()))
    assert [o._id for o in busy.outputs] == [cancel._id, scan._id]
    assert busy.fn() == {cancel: gr.update(visible=True), scan: gr.update(interactive=False)}


def test_a_failed_action_writes_its_error_into_the_status_and_ends_normally() -> None:
    with gr.Blocks():
        status = gr.HTML()

    @render.guard("Scan")
    def failing_steps():
        yield {status: "working"}
        raise render.StudioError("corpus folder not found: /x", hint="give a folder")

    steps = list(render.settled(failing_steps, status)())
    assert steps[0] == {status: "working"}
    assert "corpus folder not found: /x (give a folder)" in steps[-1][status]
    assert 'class="msg error' in steps[-1][status] or "error" in steps[-1][status]

    def broken():
        raise ValueError("bad value")

    assert "ValueError: bad value" in render.settled(broken, status)()[status]


def test_control_characters_are_shown_escaped_never_as_boxes() -> None:
    html = render.diagnostics_table(
        [{"line": 1, "column": 2, "severity": "error", "code": "syntax", "message": "bad \x01 <x>"}]
    )
    assert "bad \\x01 &lt;x&gt;" in html and "\x01" not in html
    assert "\x1b" not in render.code_view("MsgBox \x1b[0m")


def test_cancel_also_puts_back_what_a_half_done_run_filled() -> None:
    with gr.Blocks() as demo:
        start, cancel = gr.Button("Scan"), gr.Button("Cancel", visible=False)
        status, rows = gr.HTML(), gr.State()
        render.cancellable(
            start,
            cancel,
            lambda: None,
            None,
            [rows, status],
            status=status,
            cancelled="x",
            reset={rows: None},
        )

    on_cancel = list(demo.fns.values())[3]
    assert [o._id for o in on_cancel.outputs] == [cancel._id, start._id, status._id, rows._id]
    assert on_cancel.fn() == {
        cancel: gr.update(visible=False),
        start: gr.update(interactive=True),
        status: "x",
        rows: None,
    }
