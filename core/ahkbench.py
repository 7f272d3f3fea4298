"""`python -m core.ahkbench`: the executable AutoHotkey v2 task benchmark (core/evaluate/ahkbench.py)."""

import sys

from core.evaluate.ahkbench import main

if __name__ == "__main__":
    sys.exit(main())
