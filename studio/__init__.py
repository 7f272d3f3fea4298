"""The Gradio studio: one module per tab, each a thin face over core."""

from studio.gradio_stubs import skip_stub_regeneration

skip_stub_regeneration()
