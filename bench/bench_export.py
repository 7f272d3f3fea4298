"""Benchmark the GGUF export: convert and quantise seconds and file size per type.

    python -m bench.bench_export [--model DIR] [--types f32,f16,bf16,q8_0,q6_k,q5_k_m,q4_k_m,q4_0]

The model defaults to the largest miniature twin (core.models.twins, built once into
<workspace>/twins/). F32, F16, BF16 and Q8_0 are written by llama.cpp's convert_hf_to_gguf.py
from the llama-cpp-python sdist; the other types are made from the F16 file by llama.cpp's
quantiser (in a child process). Prints, per type: seconds in the converter, seconds in the
quantiser, and the file size. Only the making of the file is timed (no read-back): the export's
own checks are timed by the tests. A quantised type's convert seconds are those of the F16 file it
starts from. Figures only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.export.gguf import (
    CONVERTER_TYPES,
    QUANTS,
    convert_with_llama_cpp,
    find_llama_cpp,
    quantise,
)
from core.export.verify import llama_cpp_available
from core.models.registry import architecture_from_config
from core.models.twins import RECIPES, ensure_twin
from core.workspace import workspace_root


def largest_twin(workspace: Path) -> Path:
    """The twin with the most parameters (every twin is built or taken from the cache)."""
    folders = [ensure_twin(family, workspace) for family in RECIPES]

    def size(folder: Path) -> int:
        return architecture_from_config(
            json.loads((folder / "config.json").read_text())
        ).total_params()

    return max(folders, key=size)


def run(model: Path, types: list[str]) -> list[tuple[str, float, float, int]]:
    """(type, convert seconds, quantise seconds, bytes) per type, in a temporary folder."""
    checkout = find_llama_cpp(None)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        f16, f16_seconds = Path(folder) / "model-f16.gguf", 0.0
        for quant in types:
            target = Path(folder) / f"model-{quant}.gguf"
            if quant in CONVERTER_TYPES:
                started = time.perf_counter()
                convert_with_llama_cpp(checkout, model, target, quant, None)
                rows.append((quant, time.perf_counter() - started, 0.0, target.stat().st_size))
                if quant == "f16":
                    f16_seconds = rows[-1][1]
                continue
            if not f16.is_file():
                started = time.perf_counter()
                convert_with_llama_cpp(checkout, model, f16, "f16", None)
                f16_seconds = time.perf_counter() - started
            started = time.perf_counter()
            quantise(f16, target, quant)
            rows.append((quant, f16_seconds, time.perf_counter() - started, target.stat().st_size))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", type=Path, help="a Hugging Face model folder (default: largest twin)"
    )
    parser.add_argument("--types", default=",".join(QUANTS), help="comma-separated export types")
    args = parser.parse_args(argv)
    types = [t.strip().lower() for t in args.types.split(",") if t.strip()]
    if llama_cpp_available() is not None:
        print(f"only converter types: {llama_cpp_available()}")
        types = [t for t in types if t in CONVERTER_TYPES]
    model = args.model or largest_twin(workspace_root())
    print(f"model: {model}")
    print(f"{'type':<8}{'convert s':>11}{'quantise s':>12}{'MiB':>9}")
    for quant, convert_s, quantise_s, size in run(model, types):
        print(f"{quant:<8}{convert_s:>11.2f}{quantise_s:>12.2f}{size / 2**20:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
