"""Skip the documentation work Gradio does at every import: over half of `import gradio` here.

Gradio 6 does two things at import that only editors and its docs need, never a running app:
its component metaclass re-parses each component's source file and rewrites the `.pyi` stub
inside site-packages (`component_meta.create_or_modify_pyi`), and it renders every event
listener's docstring through a Jinja template (`events.EventListener.set_doc`). On this 2-core
machine they take about 1.4 s and 0.5 s of a 3.2 s import. `skip_import_docs()` installs an
import hook that, as each of those two modules finishes loading, swaps that function for a
no-op; nothing else changes (a listener's docstring keeps its `{{ component }}` placeholder).
It must run before gradio is first imported (launch.py calls it first thing) and does
nothing if gradio is already loaded or a later Gradio lacks the functions.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType


def _skipped(*_args: object, **_kwargs: object) -> None:
    """Stand-in for Gradio's import-time documentation work: does nothing."""


def _skip_stub(module: ModuleType) -> None:
    if callable(getattr(module, "create_or_modify_pyi", None)):
        module.create_or_modify_pyi = _skipped  # type: ignore[attr-defined]


def _skip_listener_docs(module: ModuleType) -> None:
    listener = getattr(module, "EventListener", None)
    if listener is not None and callable(getattr(listener, "set_doc", None)):
        listener.set_doc = _skipped


PATCHES = {"gradio.component_meta": _skip_stub, "gradio.events": _skip_listener_docs}


class _DocSkipper(importlib.abc.MetaPathFinder):
    """Finds the patched modules through the normal finders and patches each once loaded."""

    def __init__(self) -> None:
        self.pending = dict(PATCHES)

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        patch = self.pending.pop(name, None)
        if patch is None:
            return None
        if not self.pending:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_module(module)
            patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def skip_import_docs() -> bool:
    """Install the hook; False when gradio is already imported (too late) or it is installed."""
    if "gradio" in sys.modules or any(isinstance(f, _DocSkipper) for f in sys.meta_path):
        return False
    sys.meta_path.insert(0, _DocSkipper())
    return True
