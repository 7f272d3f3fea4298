"""The Gradio studio: one module per tab under studio/tabs, each a thin face over core; shared
widgets, forms, plots and theme beside them. launch.py starts it."""
