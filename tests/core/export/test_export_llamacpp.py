"""llama.cpp, the real consumer of the exported files: each type loads, F32/F16 continue greedily
like the merged model, chat works through the embedded template, Q4_K_M/Q4_0 come from the quantiser."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.export import gguf as export
from core.export import modelfile
from core.export import verify as gguf_verify
from tests.core.export.test_export import export_each

pytestmark = [pytest.mark.llamacpp, pytest.mark.slow]

_why_not = gguf_verify.llama_cpp_available()
if _why_not:
    pytest.skip(_why_not, allow_module_level=True)

TYPES = ("f32", "f16", "q8_0", "q4_k_m", "q4_0")
CONTINUE_PROMPTS = ["#Requires AutoHotkey v2.0\n", "Loop 3 {\n", 'MsgBox "']
STEPS = 8


@pytest.fixture(scope="module")
def exports(tiny_model: Path, tmp_path_factory) -> dict[str, export.ExportResult]:
    return export_each(tiny_model, tmp_path_factory.mktemp("llamacpp-exports"), TYPES)


@pytest.mark.parametrize("quant", TYPES)
def test_each_type_loads_in_llama_cpp_and_matches_the_merged_model(exports, tiny_model, quant):
    result = exports[quant]
    check = next(c for c in result.checks if c.backend == "llama.cpp")
    print(f"{quant}: {result.size_bytes} bytes, {result.method}; {check.line()}")
    assert check.passed and check.tokens_match
    llm = gguf_verify.load_llama(result.gguf_path)
    try:
        assert llm.metadata["general.architecture"] == "llama"
        assert llm.n_vocab() == gguf_verify.read_back(result.gguf_path)[1]["tokenizer.ggml.tokens"]
    finally:
        llm.close()


def test_quantiser_types_are_smaller_and_marked(exports):
    sizes = {q: r.size_bytes for q, r in exports.items()}
    assert sizes["q4_0"] < sizes["q8_0"] and sizes["q4_k_m"] < sizes["q8_0"]
    for quant, file_type in (("q4_k_m", 15), ("q4_0", 2)):
        meta = gguf_verify.read_back(exports[quant].gguf_path)[1]
        assert meta["general.file_type"] == file_type
        assert exports[quant].method == "built-in writer + llama.cpp quantiser"


def _hf_greedy(tiny_model: Path, ids: list[int], steps: int) -> list[int]:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32)
    out = list(ids)
    with torch.no_grad():
        for _ in range(steps):
            out.append(int(model(torch.tensor([out])).logits[0, -1].argmax()))
    return out[len(ids) :]


def _llama_greedy(gguf_path: Path, ids: list[int], steps: int) -> list[int]:
    llm = gguf_verify.load_llama(gguf_path, n_ctx=128, logits_all=True)
    try:
        out = list(ids)
        for _ in range(steps):
            out.append(int(gguf_verify.llama_cpp_logits(llm, out).argmax()))
        return out[len(ids) :]
    finally:
        llm.close()


@pytest.mark.parametrize("quant", ["f32", "f16"])
def test_greedy_continuation_is_the_merged_models(exports, tiny_model, quant):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    for prompt in CONTINUE_PROMPTS:
        ids = tokenizer(prompt)["input_ids"]
        assert _llama_greedy(exports[quant].gguf_path, ids, STEPS) == _hf_greedy(
            tiny_model, ids, STEPS
        )


def test_chat_completion_goes_through_the_embedded_template(exports, tiny_model):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    llm = gguf_verify.load_llama(exports["f16"].gguf_path)
    try:
        assert llm.chat_format == "chat_template.default"
        formatter = Jinja2ChatFormatter(llm.metadata["tokenizer.chat_template"], "", "")
        for messages in modelfile.SAMPLE_CONVERSATIONS:
            expected = tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
            assert formatter(messages=messages).prompt == expected
        reply = llm.create_chat_completion(
            messages=[{"role": "user", "content": "A hotkey for Ctrl+J"}],
            max_tokens=16,
            temperature=0.0,
        )
    finally:
        llm.close()
    choice = reply["choices"][0]
    assert choice["message"]["role"] == "assistant" and isinstance(
        choice["message"]["content"], str
    )
    assert choice["finish_reason"] in ("stop", "length")


def test_the_smoke_test_uses_llama_cpp_when_it_is_installed(exports):
    report = exports["f16"].smoke
    assert report.backend == "llama.cpp" and len(report.answers) == len(gguf_verify.SMOKE_PROMPTS)
