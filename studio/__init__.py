"""The Gradio studio: one module per tab, each a thin face over core."""

from studio.gradio_import import skip_import_docs

skip_import_docs()
