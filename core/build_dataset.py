"""The seed's import path: `core.build_dataset` is `core.dataset.build` (same module object), and
`python -m core.build_dataset` is its CLI."""

import sys

from core.dataset import build

if __name__ == "__main__":
    raise SystemExit(build.main())
sys.modules[__name__] = build
