"""Miniature twins of every registry family: real classes, vocabularies and templates; a few real
training steps, LoRA on the right modules (gpt-oss's experts too), merge, and export through
llama.cpp's own converter (no checkout given)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import StudioError
from core.models.registry import FAMILIES
from core.models.twins import FP4_VALUES, RECIPES, ensure_twin, quantise_mxfp4
from core.train.config import save_config
from core.train.run_folder import STOP, list_checkpoints
from tests.conftest import TEST_CACHE
from tests.train_fixtures import tiny_config, write_harmony

EXPORTED = [  # every family with a hub model
    "gpt-oss",
    "qwen3",
    "qwen3-moe",
    "mistral",
    "llama",
    "gemma",
    "phi",
]


def dequantise_mxfp4(blocks, scales):
    """The float32 tensor [..., out, in] that (blocks, scales) hold: the oracle the packing is
    checked against (llama.cpp and transformers read the same layout)."""
    import torch

    lut = torch.tensor(FP4_VALUES)
    low, high = lut[(blocks & 0x0F).long()], lut[(blocks >> 4).long()]
    values = torch.stack((low, high), dim=-1).flatten(-2)
    values = values * torch.exp2(scales.float() - 127).unsqueeze(-1)
    return values.flatten(-2)


def twin(family: str) -> Path:
    return ensure_twin(family, TEST_CACHE)


def test_mxfp4_round_trips_values_it_can_hold():
    import torch

    values = torch.tensor([0.0, 0.5, -1.0, 1.5, 2.0, -3.0, 4.0, 6.0] * 8).reshape(2, 32) * 0.25
    blocks, scales = quantise_mxfp4(values)
    assert blocks.shape == (2, 1, 16) and blocks.dtype == torch.uint8 and scales.shape == (2, 1)
    assert torch.equal(dequantise_mxfp4(blocks, scales), values)


def test_the_gpt_oss_twin_ships_mxfp4_experts_that_transformers_dequantises():
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    folder = twin("gpt-oss")
    config = json.loads((folder / "config.json").read_text())
    assert config["architectures"] == ["GptOssForCausalLM"]
    assert config["quantization_config"]["quant_method"] == "mxfp4"
    tensors = load_file(folder / "model.safetensors")
    blocks = tensors["model.layers.0.mlp.experts.gate_up_proj_blocks"]
    scales = tensors["model.layers.0.mlp.experts.gate_up_proj_scales"]
    assert blocks.dtype == torch.uint8 and blocks.shape == (4, 128, 2, 16)  # experts, 2I, H/32, 16
    assert "model.layers.0.mlp.experts.gate_up_proj" not in tensors
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    loaded = model.model.layers[0].mlp.experts.gate_up_proj
    assert torch.equal(loaded, dequantise_mxfp4(blocks, scales).transpose(-1, -2))


@pytest.mark.parametrize("family", list(RECIPES))
def test_each_twin_is_its_familys_class_with_the_real_template(family):
    from transformers import AutoTokenizer

    folder = twin(family)
    config = json.loads((folder / "config.json").read_text())
    assert config["architectures"] == [FAMILIES[family].architecture_class]
    layers = (FAMILIES[family].twin_shape or {}).get("num_hidden_layers", 2)
    assert config["num_hidden_layers"] == layers and config["hidden_size"] == 64
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert len(tokenizer) > 30000  # a real vocabulary, not a toy one
    assert config["vocab_size"] >= len(tokenizer)
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "MsgBox 1"}],
        tokenize=False,
    )
    assert "MsgBox 1" in text and tokenizer.eos_token in text


def _train(family: str, tmp_path: Path, **values):
    from core.train.trainer import train

    data = write_harmony(tmp_path / "train.jsonl", 8, lines=4)
    cfg = tiny_config(
        twin(family),
        data,
        training__max_steps=3,
        training__save_steps=50,
        max_seq_length=256,  # gpt-oss's template writes a long system message
        **{"lora.target_modules": list(FAMILIES[family].lora_modules)},
        **{"lora.target_parameters": list(FAMILIES[family].lora_parameters)},
        **values,
    )
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    save_config(cfg, run_dir / "config.yaml")
    (run_dir / STOP).touch()  # asked to stop: it checkpoints after its first step and ends
    assert train(cfg, run_dir, tmp_path / "ws", None) == "stopped"
    assert [c.step for c in list_checkpoints(run_dir)] == [1]
    assert train(cfg, run_dir, tmp_path / "ws", "last") == "completed"
    return run_dir


def _lora_tensors(run_dir: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(run_dir / "adapter" / "adapter_model.safetensors")


@pytest.mark.slow
@pytest.mark.parametrize("family", ["gpt-oss", "qwen3-moe"])
def test_the_adapter_reaches_the_experts_and_they_change(family, tmp_path):
    run_dir = _train(family, tmp_path)
    adapter = json.loads((run_dir / "adapter" / "adapter_config.json").read_text())
    assert sorted(adapter["target_parameters"]) == sorted(FAMILIES[family].lora_parameters)
    tensors = _lora_tensors(run_dir)
    # PEFT wraps the fused weights one inside the other: experts.base_layer.lora_* is one,
    # experts.lora_* the other; lora_A is (r × experts, in), lora_B (out, r × experts)
    prefix = "base_model.model.model.layers.0.mlp.experts."
    outs = {tensors[prefix + f"{wrap}lora_B.weight"].shape for wrap in ("", "base_layer.")}
    config = json.loads((twin(family) / "config.json").read_text())
    width = config.get("moe_intermediate_size") or config["intermediate_size"]
    assert outs == {(2 * width, 8 * 4), (64, 8 * 4)}  # gate_up_proj: 2I out; down_proj: H out
    for wrap in ("", "base_layer."):  # lora_B starts at zero: non-zero means it was trained
        assert tensors[prefix + f"{wrap}lora_B.weight"].abs().max() > 0


@pytest.mark.slow
@pytest.mark.parametrize("family", EXPORTED)
def test_train_merge_and_export_f16_and_q4_k_m(family, tmp_path):
    from core.export.gguf import export_run
    from core.export.merge import merge_run

    run_dir = _train(family, tmp_path)
    merged = merge_run(run_dir, run_dir / "merged", workspace=tmp_path / "ws")
    assert merged.max_abs_diff <= merged.tolerance  # merged equals base + adapter
    for quant in ("f16", "q4_k_m"):
        result = export_run(run_dir, quant, smoke=False)
        assert result.checks and all(check.passed for check in result.checks)
        assert (
            "convert_hf_to_gguf.py" in result.method
            and result.architecture == FAMILIES[family].model_types[0]
        )
    assert not [p.name for p in (run_dir / "exports").glob(".model-*.tmp")]
    _answers(run_dir)


def _answers(run_dir: Path) -> None:
    """Evaluation's batched answers (base + adapter, padded) and the Playground's stream."""
    from core.evaluate.generate import GenerationSettings, generate_many, load_model, stream

    settings = GenerationSettings(max_new_tokens=4)
    ask = [{"role": "user", "content": "Write an AutoHotkey v2 hotkey."}]
    longer = [{"role": "user", "content": "Show a MsgBox with the time, in AutoHotkey v2."}]
    answers = generate_many(load_model(run_dir, "adapter"), [ask, longer], settings)
    assert [0 < a.new_tokens <= 4 for a in answers] == [True, True]
    streamed = list(stream(load_model(run_dir, "merged"), ask, settings))
    assert streamed and all(isinstance(final, str) for _, final in streamed)


def test_a_target_the_model_lacks_names_the_ones_it_has(tmp_path):
    from core.train.backends import Backend, load_model

    cfg = tiny_config(twin("gpt-oss"), tmp_path / "unused.jsonl")  # gate/up/down_proj: not there
    with pytest.raises(StudioError) as err:
        load_model(cfg, Backend("cpu", "test"), str(twin("gpt-oss")))
    text = str(err.value)
    assert "gate_proj, up_proj, down_proj" in text and "q_proj" in text
    assert "mlp.experts.gate_up_proj" in text  # where the experts are to be named instead


def test_the_training_tokenizer_renders_a_fixed_date_and_the_configs_effort(tmp_path):
    from core.train.backends import load_tokenizer

    cfg = tiny_config(twin("gpt-oss"), tmp_path / "unused.jsonl", reasoning_effort="low")
    tokenizer = load_tokenizer(cfg, str(twin("gpt-oss")))
    text = tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
    assert "Current date: 2025-08-05" in text and "Reasoning: low" in text
    llama = load_tokenizer(cfg, str(twin("llama")))
    text = llama.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
    assert "Today Date: 05 Aug 2025" in text


def test_answer_only_loss_without_generation_markers(tmp_path):
    from core.train.backends import load_tokenizer
    from core.train.trainer import loss_mode, loss_tokens

    cfg = tiny_config(twin("llama"), tmp_path / "unused.jsonl")
    tokenizer = load_tokenizer(cfg, str(twin("llama")))
    assert loss_mode(cfg, tokenizer) == "completion"
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "MsgBox 1"}]
    trained = "".join(
        text for text, counted in loss_tokens(tokenizer, messages, "completion") if counted
    )
    # only the answer and the end of its turn count (single tokens decode without their space;
    # the separator the template writes before the answer belongs to the answer's turn)
    assert "".join(trained.split()) == "MsgBox1<|eot_id|>"


@pytest.mark.parametrize("family", list(RECIPES))
def test_the_system_message_lands_where_the_registry_says(family):
    from transformers import AutoTokenizer

    from core.models.registry import deterministic_template

    tokenizer = AutoTokenizer.from_pretrained(twin(family))
    tokenizer.chat_template = deterministic_template(tokenizer.chat_template)
    messages = [
        {"role": "system", "content": "SYSTEM-TEXT"},
        {"role": "user", "content": "USER-TEXT"},
        {"role": "assistant", "content": "ANSWER"},
    ]
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    said = FAMILIES[family].system
    asked = tokenizer.apply_chat_template(messages[:2], tokenize=False, add_generation_prompt=True)
    assert asked.index("SYSTEM-TEXT") < asked.index("USER-TEXT")  # at generation too
    assert text.index("SYSTEM-TEXT") < text.index("USER-TEXT") < text.index("ANSWER")
    assert ("SYSTEM-TEXT\n\nUSER-TEXT" in text) == said.startswith("folded"), text
    if said.startswith("developer"):
        assert "developer<|message|>" in text.split("SYSTEM-TEXT")[0]
