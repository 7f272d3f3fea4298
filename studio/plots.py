"""Plotly figures for the tabs, with a template that reads well in light and dark mode.

Backgrounds are transparent and the text and grid colours are set by the theme's CSS (see
studio/theme.py), so a figure follows the page when it switches between light and dark.
Plotly is imported on the first figure, not at start-up.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go

PALETTE = ["#6366f1", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#a855f7", "#14b8a6", "#64748b"]
VERDICT_COLOURS = {
    "v2": "#10b981",
    "mixed": "#f59e0b",
    "v1": "#ef4444",
    "unknown": "#94a3b8",
    "skipped": "#64748b",
}
SPLIT_COLOURS = {"train": "#6366f1", "val": "#0ea5e9", "test": "#f59e0b"}
FEW_POINTS = 30  # a curve of at most this many points marks each one (a lone point shows)

TEMPLATE = {
    "layout": {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "IBM Plex Sans, ui-sans-serif, system-ui, sans-serif", "size": 12},
        "colorway": PALETTE,
        "margin": {"l": 48, "r": 16, "t": 40, "b": 40},
        "xaxis": {"gridcolor": "rgba(148,163,184,.25)", "zeroline": False, "automargin": True},
        "yaxis": {"gridcolor": "rgba(148,163,184,.25)", "zeroline": False, "automargin": True},
        "legend": {"orientation": "h", "y": -0.2, "bgcolor": "rgba(0,0,0,0)"},
        "hoverlabel": {"bgcolor": "white", "font": {"color": "#111"}},
        "bargap": 0.25,
    }
}


def _figure(title: str, height: int = 320) -> go.Figure:
    import plotly.graph_objects as go

    layout = {"template": _template(), "title": {"text": title, "x": 0.01, "font": {"size": 14}}}
    return go.Figure(layout={**layout, "height": height})


@functools.cache
def _template() -> go.layout.Template:
    """TEMPLATE as a plotly object, built once (building it is most of a figure's cost)."""
    import plotly.graph_objects as go

    return go.layout.Template(TEMPLATE)


def empty_figure(title: str, note: str = "Nothing to show yet") -> go.Figure:
    """A blank figure with a note in the middle (before the first scan, or when filtered empty)."""
    fig = _figure(title)
    fig.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def category_bars(
    counts: Mapping[str, int], title: str = "Files per category", height: int | None = None
) -> go.Figure:
    """Horizontal bars, largest category on top (height grows with the categories unless given)."""
    if not counts:
        return empty_figure(title)
    items = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))
    fig = _figure(title, height=height or max(260, 24 * len(items) + 80))
    fig.add_bar(
        x=[v for _, v in items],
        y=[k for k, _ in items],
        orientation="h",
        marker_color=PALETTE[0],
        hovertemplate="%{y}: %{x} files<extra></extra>",
    )
    return fig


def length_histogram(lines: Sequence[int], title: str = "Script length (lines)") -> go.Figure:
    """Distribution of script lengths."""
    if not len(lines):
        return empty_figure(title)
    fig = _figure(title)
    fig.add_histogram(
        x=list(lines),
        nbinsx=40,
        marker_color=PALETTE[1],
        hovertemplate="%{x} lines: %{y} files<extra></extra>",
    )
    fig.update_xaxes(title_text="lines")
    fig.update_yaxes(title_text="files")
    return fig


def verdict_bars(counts: Mapping[str, int], title: str = "Checker verdicts") -> go.Figure:
    """One bar per verdict (v2, mixed, v1, unknown, skipped) in traffic-light colours."""
    if not counts:
        return empty_figure(title)
    order = [v for v in VERDICT_COLOURS if v in counts] + sorted(set(counts) - set(VERDICT_COLOURS))
    fig = _figure(title)
    fig.add_bar(
        x=order,
        y=[counts[v] for v in order],
        marker_color=[VERDICT_COLOURS.get(v, PALETTE[7]) for v in order],
        text=[counts[v] for v in order],
        textposition="auto",
        hovertemplate="%{x}: %{y} files<extra></extra>",
    )
    fig.update_yaxes(title_text="files")
    return fig


def split_bars(
    per_category: Mapping[str, Mapping[str, int]], title: str = "Split per category"
) -> go.Figure:
    """Stacked bars: for each category, how many records go to train, val and test."""
    if not per_category:
        return empty_figure(title)
    categories = sorted(per_category)
    fig = _figure(title, height=max(300, 22 * len(categories) + 100))
    splits = [s for s in SPLIT_COLOURS if any(s in per_category[c] for c in categories)]
    for split in splits:
        fig.add_bar(
            name=split,
            y=categories,
            x=[per_category[c].get(split, 0) for c in categories],
            orientation="h",
            marker_color=SPLIT_COLOURS[split],
            hovertemplate=f"%{{y}} · {split}: %{{x}}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    return fig


def stage_funnel(
    stages: Sequence[tuple[str, int]], title: str = "Records after each stage"
) -> go.Figure:
    """How many records remain after each stage of the dataset build."""
    if not stages:
        return empty_figure(title)
    fig = _figure(title)
    fig.add_bar(
        x=[n for n, _ in stages],
        y=[c for _, c in stages],
        marker_color=PALETTE[2],
        text=[c for _, c in stages],
        textposition="auto",
        hovertemplate="%{x}: %{y}<extra></extra>",
    )
    return fig


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """Exponential moving average with bias correction (weight 0 = raw)."""
    out, avg = [], 0.0
    for i, value in enumerate(values, start=1):
        avg = weight * avg + (1 - weight) * value
        out.append(avg / (1 - weight**i) if weight < 1 else value)
    return out


def _curve(points: int) -> dict:
    """Scatter settings for a curve: lines, with each point marked while there are few."""
    if points <= FEW_POINTS:
        return {"mode": "lines+markers", "marker": {"size": 5}}
    return {"mode": "lines"}


def loss_figure(
    runs: Mapping[str, Iterable[Mapping]],
    smoothing: float = 0.8,
    log_y: bool = False,
    title: str = "Loss",
) -> go.Figure:
    """Training loss (raw, faint, and smoothed) and eval loss against step, one colour per run;
    while a curve has few points, each is marked so that the first steps show."""
    fig = _figure(title, height=360)
    drawn = False
    for index, (name, rows) in enumerate(runs.items()):
        colour = PALETTE[index % len(PALETTE)]
        rows = list(rows)
        train = [(r["step"], r["loss"]) for r in rows if r.get("loss") is not None]
        evals = [(r["step"], r["eval_loss"]) for r in rows if r.get("eval_loss") is not None]
        if train:
            steps, losses = zip(*train, strict=True)
            fig.add_scatter(
                x=steps,
                y=losses,
                name=f"{name} loss",
                line={"color": colour, "width": 1},
                opacity=0.3,
                showlegend=False,
                **_curve(len(steps)),
            )
            fig.add_scatter(
                x=steps,
                y=smooth(losses, smoothing),
                name=f"{name} loss (smoothed)",
                line={"color": colour, "width": 2},
                **_curve(len(steps)),
            )
        if evals:
            steps, losses = zip(*evals, strict=True)
            fig.add_scatter(
                x=steps,
                y=losses,
                mode="lines+markers",
                name=f"{name} eval loss",
                line={"color": colour, "width": 2, "dash": "dot"},
            )
        drawn = drawn or bool(train or evals)
    if not drawn:
        return empty_figure(title, "Waiting for the first logged step")
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="loss", type="log" if log_y else "linear")
    return fig


def metric_figure(rows: Iterable[Mapping], key: str, title: str, log_y: bool = False) -> go.Figure:
    """One logged metric (learning rate, grad norm, tokens/s) against step (points marked while
    there are few)."""
    points = [(r["step"], r[key]) for r in rows if r.get(key) is not None]
    if not points:
        return empty_figure(title, "Not logged yet")
    fig = _figure(title, height=240)
    steps, values = zip(*points, strict=True)
    fig.add_scatter(
        x=steps,
        y=values,
        line={"color": PALETTE[1], "width": 2},
        showlegend=False,
        **_curve(len(steps)),
    )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(type="log" if log_y else "linear")
    return fig
