"""The seed's import path: `core.data_prep` is `core.dataset.data_prep` (same module object), and
`python -m core.data_prep` is its CLI."""

import sys

from core.dataset import data_prep

if __name__ == "__main__":
    raise SystemExit(data_prep.main())
sys.modules[__name__] = data_prep
