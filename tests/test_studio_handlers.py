"""The studio's handlers and renderers called as plain functions, on the bundled corpus."""

from __future__ import annotations

import gradio as gr
import pytest

from core.errors import StudioError
from studio import plots, render

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
