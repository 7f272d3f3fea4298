"""The Gradio studio: one module per tab, each a thin face over core."""
