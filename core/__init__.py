"""AHKv2 Finetune Studio core library: corpus tools, dataset pipeline, training, export, evaluation.

Nothing here imports Gradio; heavy libraries (torch, transformers) are imported inside the
functions that need them, so `import core.<module>` stays cheap.
"""

# The layers, ground first: a module may import its own layer and those before it, never one after
# (tests/core/test_layers.py checks this and that no imports go round in a circle).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core.errors", "core.fsutil", "core.workspace", "core.native", "core.reading"),
    ("core.supervise", "core.jobs"),
    ("core.ahk",),
    ("core.corpus",),
    ("core.dataset", "core.build_dataset", "core.data_prep"),
    ("core.models",),
    ("core.train",),
    ("core.export",),
    ("core.evaluate", "core.ahkbench"),
    ("core.pipeline",),
)
