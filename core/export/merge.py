"""Adapter + base model -> full weights: `python -m core.export.merge --run-dir DIR`.

Loads the run's base model and its LoRA adapter, folds the adapter into the weights
(`merge_and_unload`), checks that the merged model gives the same logits as base + adapter on a
sample prompt, and only then writes safetensors, the tokenizer and provenance.json (which adapter
it holds: core/export/provenance.py) to `<run>/merged/` (through a temporary folder renamed into
place, so a failed merge never leaves half a model; the next merge removes what a killed one
left there).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import StudioError, cli_main
from core.export import provenance
from core.train.backends import model_source, ships_mxfp4
from core.train.config import TrainConfig, load_config, resolve_path
from core.train.run_folder import (
    ACTIVE,
    RunFolder,
    adapter_fingerprint,
    adapter_stamp,
    atomic_folder,
    read_status,
    write_status,
)
from core.workspace import workspace_root

SAMPLE_PROMPT = "Write an AutoHotkey v2 script that shows a message box when F1 is pressed."
TOLERANCE = {"float32": 1e-3, "float16": 5e-2, "bfloat16": 1e-1}


@dataclass(frozen=True)
class MergeResult:
    """Where the merged model went and how closely it matches base + adapter."""

    merged_dir: Path
    base_model: str
    dtype: str
    max_abs_diff: float  # merged vs base + adapter, on the sample prompt
    tolerance: float
    seconds: float


def merge_run(
    run_dir: RunFolder | Path,
    out_dir: Path | None = None,
    workspace: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> MergeResult:
    """Merge the run's adapter into its base model and write the result (default <run>/merged)."""
    started, say = time.monotonic(), progress or (lambda _message: None)
    run_dir = RunFolder.of(run_dir).path
    cfg, adapter = _check_run(run_dir)
    source = adapter_fingerprint(run_dir)  # before the adapter is read: what gets merged
    base = model_source(cfg, workspace)
    target = Path(out_dir) if out_dir else resolve_path(cfg.output.merged_dir, workspace)
    dtype = _dtype_name(cfg)
    _clear_leftovers(target)
    say(f"loading {base} ({dtype}) with the adapter")
    model, tokenizer = _load_with_adapter(base, adapter, dtype)
    say("merging the adapter into the weights")
    merged, diff = _merge_and_compare(model, _sample_ids(tokenizer, cfg, workspace))
    if not diff <= TOLERANCE[dtype]:
        raise StudioError(
            f"the merged model's logits differ from base + adapter by {diff:.3g} "
            f"(more than {TOLERANCE[dtype]:g}); nothing was written",
            where=str(run_dir),
        )
    say(f"writing {target}")
    _save_atomically(merged, tokenizer, target, base, source, dequantised=ships_mxfp4(base))
    result = MergeResult(
        target, base, dtype, diff, TOLERANCE[dtype], round(time.monotonic() - started, 2)
    )
    merged = {"path": str(target), "max_abs_diff": diff, "at": time.time()}
    write_status(run_dir, merged=merged | {"adapter_stamp": adapter_stamp(run_dir)})
    return result


def _merge_and_compare(model, ids):
    """(merged model, max |logits(merged) - logits(base + adapter)|) on `ids`."""
    import torch

    with torch.no_grad():
        expected = model(input_ids=ids.to(model.device)).logits
        merged = model.merge_and_unload()
        diff = (merged(input_ids=ids.to(merged.device)).logits - expected).abs().max().item()
    return merged, diff


def _check_run(run_dir: Path) -> tuple[TrainConfig, Path]:
    run = RunFolder.of(run_dir)
    if not run.config.is_file():
        raise StudioError(f"not a run folder (no {run.config.name}): {run.path}")
    if read_status(run).get("state") in ACTIVE:
        raise StudioError(f"run {run.id} is still training", hint="merge when it has ended")
    if not run.has_adapter:
        raise StudioError(
            f"run {run.id} has no adapter yet", hint="train it to the end, or stop it, first"
        )
    return load_config(run.config), run.adapter


def _dtype_name(cfg: TrainConfig) -> str:
    if cfg.training.bf16:
        return "bfloat16"
    return "float16" if cfg.training.fp16 else "float32"


def _load_with_adapter(base: str, adapter: Path, dtype: str):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device_map = "auto" if torch.cuda.is_available() else None
    model: Any = AutoModelForCausalLM.from_pretrained(
        base, dtype=getattr(torch, dtype), device_map=device_map
    )
    if device_map is None:  # dequantised MXFP4 experts arrive in bf16 whatever dtype was asked
        model = model.to(getattr(torch, dtype))
    model = PeftModel.from_pretrained(model, adapter).eval()
    tokenizer_dir = adapter if (adapter / "tokenizer_config.json").is_file() else base
    return model, AutoTokenizer.from_pretrained(tokenizer_dir)


def _sample_ids(tokenizer, cfg: TrainConfig, workspace: Path | None):
    """Token ids of a prompt from the training data (or a fixed one), as the model will see it."""
    messages = [{"role": "user", "content": SAMPLE_PROMPT}]
    data = resolve_path(cfg.training.dataset_path, workspace)
    if data.is_file():
        with open(data, encoding="utf-8-sig") as handle:
            first = next((line for line in handle if line.strip()), "")
        conversation = json.loads(first).get("messages", []) if first else []
        messages = conversation[:-1] or messages  # the first conversation, without its answer
    if tokenizer.chat_template:
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    else:
        text = messages[-1]["content"]
    ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
    return ids[:, -256:]


def _clear_leftovers(target: Path) -> None:
    """Remove the half-written folders (`.merged.*`) that killed merges left beside `target`
    (the studio merges a run once at a time, so none of them is being written now)."""
    for path in target.parent.glob(f".{target.name}.*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def _save_atomically(
    model, tokenizer, target: Path, base: str, source: dict | None, dequantised: bool = False
) -> None:
    with atomic_folder(target) as tmp:
        provenance.write_merged(tmp, source)
        if dequantised:
            _save_dequantised(model, tmp)
        else:
            model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        _keep_sentencepiece(base, tmp)


def _keep_sentencepiece(base: str, folder: Path) -> None:
    """Copy the base model's SentencePiece tokenizer.model beside the saved tokenizer.json (which
    is all save_pretrained writes): llama.cpp's converter reads it for Phi-3, Gemma and Llama 2."""
    from transformers.utils import cached_file

    found = cached_file(
        base,
        "tokenizer.model",
        local_files_only=True,
        _raise_exceptions_for_missing_entries=False,
        _raise_exceptions_for_connection_errors=False,
    )
    if found and not (folder / "tokenizer.model").exists():
        shutil.copyfile(found, folder / "tokenizer.model")


def _save_dequantised(model, folder: Path) -> None:
    """Save a model loaded from MXFP4 (gpt-oss) with plain weights: save_pretrained would map
    the dequantised experts back to the quantised names and drop them."""
    from safetensors.torch import save_file

    tensors = {name: t.detach().contiguous() for name, t in model.state_dict().items()}
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.save_pretrained(folder)
    model.generation_config.save_pretrained(folder)


@cli_main
def main(argv: list[str] | None = None) -> int:
    """CLI: merge a run's adapter; prints the logit difference and the folder."""
    parser = argparse.ArgumentParser(
        prog="python -m core.export.merge", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--run-dir", type=Path, required=True, help="the run folder")
    parser.add_argument("--out", type=Path, help="where to write (default: the run's merged/)")
    parser.add_argument("--workspace", type=Path, help="workspace for workspace/... paths")
    args = parser.parse_args(argv)
    workspace = workspace_root(args.workspace)
    result = merge_run(args.run_dir, args.out, workspace, progress=lambda m: print(m, flush=True))
    print(f"max abs logit difference vs base + adapter: {result.max_abs_diff:.3g}")
    print(f"merged model: {result.merged_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
