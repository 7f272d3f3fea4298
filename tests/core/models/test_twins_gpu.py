"""The twins on a CUDA GPU: the hf backend in bf16 and in bitsandbytes 4-bit, and unsloth, a few
steps each, printing tokens per second. Skipped with a reason where there is no GPU."""

from __future__ import annotations

import json
import time

import pytest

from core.models.registry import FAMILIES
from tests.core.models.test_twins import _train

pytestmark = [pytest.mark.gpu, pytest.mark.slow]

GPU_FAMILIES = ["gpt-oss", "qwen3", "qwen3-moe", "llama", "gemma", "phi", "mistral"]


@pytest.fixture(scope="module", autouse=True)
def cuda():
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU on this machine: the gpu tests run wherever one exists")


def _tokens_per_second(run_dir, seconds: float) -> float:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    seen = max((r.get("num_input_tokens_seen") or 0 for r in rows), default=0)
    return seen / seconds


@pytest.mark.parametrize("four_bit", [False, True], ids=["bf16", "nf4"])
@pytest.mark.parametrize("family", GPU_FAMILIES)
def test_hf_backend_trains_each_twin(family, four_bit, tmp_path):
    started = time.perf_counter()
    values = {"backend": "hf", "load_in_4bit": four_bit, "training.bf16": True}
    run_dir = _train(family, tmp_path, **values)
    print(
        f"{family} hf {'nf4' if four_bit else 'bf16'}: {_tokens_per_second(run_dir, time.perf_counter() - started):.0f} tok/s"
    )


@pytest.mark.parametrize("family", GPU_FAMILIES)
def test_unsloth_backend_trains_each_twin(family, tmp_path):
    pytest.importorskip("unsloth", reason="unsloth is not installed (requirements-gpu.txt)")
    started = time.perf_counter()
    run_dir = _train(
        family, tmp_path, backend="unsloth", load_in_4bit=True, **{"training.bf16": True}
    )
    assert FAMILIES[family].architecture_class
    print(
        f"{family} unsloth: {_tokens_per_second(run_dir, time.perf_counter() - started):.0f} tok/s"
    )
