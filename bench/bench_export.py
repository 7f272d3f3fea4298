"""Benchmark the GGUF export: seconds, size and logit difference per type.

    python -m bench.bench_export [--model DIR] [--types f32,f16,q8_0,q4_k_m,q4_0] [--smoke]

Exports the model (default: the local demo model, built once into <workspace>/models/tiny-ahk)
to a temporary folder in each type and prints, per type: seconds to write the file, seconds for
the whole export (read-back, logit checks, companions; the smoke test only with --smoke), the
file size and the largest logit difference against the merged model through transformers and
through llama.cpp (when llama-cpp-python is installed; Q4 types need it). Figures only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.export import QUANTISER_TYPES, QUANTS, ExportResult, export_gguf
from core.gguf_verify import llama_cpp_available
from core.tiny import ensure_tiny_model
from core.workspace import workspace_root


def run(model: Path, types: list[str], smoke: bool) -> dict[str, ExportResult]:
    """Export `model` once per type into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        return {
            quant: export_gguf(model, Path(folder) / f"model-{quant}.gguf", quant, smoke=smoke)
            for quant in types
        }


def report(results: dict[str, ExportResult]) -> None:
    """One line per type."""
    print(
        f"{'type':<8}{'write s':>9}{'total s':>9}{'MiB':>9}{'Δ transformers':>16}{'Δ llama.cpp':>13}"
    )
    for quant, result in results.items():
        diffs = {c.backend: f"{c.max_diff:.2e}" for c in result.checks}
        print(
            f"{quant:<8}{result.write_seconds:>9.2f}{result.seconds:>9.2f}"
            f"{result.size_bytes / 2**20:>9.2f}{diffs.get('transformers', '-'):>16}"
            f"{diffs.get('llama.cpp', '-'):>13}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", type=Path, help="a merged Llama model folder (default: demo model)"
    )
    parser.add_argument("--types", default=",".join(QUANTS), help="comma-separated export types")
    parser.add_argument("--smoke", action="store_true", help="include the smoke test in the timing")
    args = parser.parse_args(argv)
    types = [t.strip().lower() for t in args.types.split(",") if t.strip()]
    if llama_cpp_available() is not None:
        skipped = [t for t in types if t in QUANTISER_TYPES]
        types = [t for t in types if t not in QUANTISER_TYPES]
        if skipped:
            print(f"skipping {', '.join(skipped)}: {llama_cpp_available()}")
    model = args.model or ensure_tiny_model(workspace_root())
    print(f"model: {model}")
    report(run(model, types, args.smoke))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
