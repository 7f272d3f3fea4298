"""Skip Gradio's type-stub regeneration at import, which is half of `import gradio` here.

Gradio 6's component metaclass re-parses each component's source file and rewrites its `.pyi`
stub inside site-packages every time gradio is imported (`component_meta.create_or_modify_pyi`):
stubs are for editors, not for a running app, and on this 2-core machine the work takes about
1.4 s of the 3.2 s import. `skip_stub_regeneration()` installs an import hook that, once
`gradio.component_meta` has run, swaps that function for a no-op; nothing else changes. It must
run before gradio is first imported (the `studio` package calls it on import) and does nothing
if gradio is already loaded or the function is gone from a later Gradio.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

TARGET = "gradio.component_meta"
HOOKED = "create_or_modify_pyi"


def _no_stub(*_args: object, **_kwargs: object) -> None:
    """Stand-in for Gradio's stub writer: writes nothing."""


class _StubSkipper(importlib.abc.MetaPathFinder):
    """Finds gradio.component_meta through the normal finders and patches it once loaded."""

    def find_spec(self, name: str, path, target=None) -> importlib.machinery.ModuleSpec | None:
        if name != TARGET:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_module(module)
            if callable(getattr(module, HOOKED, None)):
                setattr(module, HOOKED, _no_stub)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def skip_stub_regeneration() -> bool:
    """Install the hook; False when gradio is already imported (too late) or it is installed."""
    if TARGET in sys.modules or any(isinstance(f, _StubSkipper) for f in sys.meta_path):
        return False
    sys.meta_path.insert(0, _StubSkipper())
    return True


def stub_regeneration_skipped() -> bool:
    """True when the loaded gradio writes no stubs at import."""
    module = sys.modules.get(TARGET)
    return module is not None and getattr(module, HOOKED, None) is _no_stub
