"""The local demo model: offline loading, Harmony chat template, determinism, caching."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.errors import StudioError
from core.models.tiny import build_tiny_model, ensure_tiny_model
from core.train.config import LoraSettings
from core.train.estimate import architecture_from_config, trainable_params

MESSAGES = [
    {"role": "system", "content": "Reasoning medium. You are a helpful assistant."},
    {"role": "user", "content": "Write a hotkey that shows a message."},
    {"role": "assistant", "content": 'F1::MsgBox("Hello")'},
]


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus" / "raw_scripts"
    (root / "Hotkeys").mkdir(parents=True)
    (root / "Hotkeys" / "hello.ahk").write_text('#Requires AutoHotkey v2.0\nF1::MsgBox("Hi")\n')
    (root / "Hotkeys" / "bye.ahk").write_text('#Requires AutoHotkey v2.0\nF2::MsgBox("Bye")\n')
    return root


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_tiny_model_loads_offline_as_a_normal_hf_folder(tiny_model):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)
    assert model.config.model_type == "llama"
    assert 0.5e6 < model.num_parameters() < 5e6
    assert model.config.vocab_size >= len(tokenizer)
    assert tokenizer.eos_token == "<|return|>" and tokenizer.pad_token == "<|pad|>"
    assert tokenizer.decode(tokenizer('MsgBox("é")\r\n')["input_ids"]) == 'MsgBox("é")\r\n'


def test_every_quantisable_layer_width_is_a_multiple_of_32(tiny_model):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    linears = [m for m in model.model.layers.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and all(m.in_features % 32 == 0 == m.out_features % 32 for m in linears)


def test_chat_template_renders_harmony_and_marks_the_answer(tiny_model):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    text = tokenizer.apply_chat_template(MESSAGES, tokenize=False)
    assert text == (
        "<|start|>system<|message|>Reasoning medium. You are a helpful assistant.<|end|>"
        "<|start|>user<|message|>Write a hotkey that shows a message.<|end|>"
        '<|start|>assistant<|channel|>final<|message|>F1::MsgBox("Hello")<|return|>'
    )
    prompt = tokenizer.apply_chat_template(MESSAGES[:2], tokenize=False, add_generation_prompt=True)
    assert text.startswith(prompt) and text[len(prompt) :] == 'F1::MsgBox("Hello")<|return|>'
    out = tokenizer.apply_chat_template(
        MESSAGES, return_dict=True, return_assistant_tokens_mask=True
    )
    answer = [i for i, keep in zip(out["input_ids"], out["assistant_masks"], strict=True) if keep]
    assert tokenizer.decode(answer) == 'F1::MsgBox("Hello")<|return|>'


def test_the_lora_estimate_matches_peft_on_the_tiny_model(tiny_model):
    import json

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    lora = LoraSettings(r=4)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(tiny_model),
        LoraConfig(r=lora.r, lora_alpha=lora.alpha, target_modules=lora.target_modules),
    )
    trainable, _ = model.get_nb_trainable_parameters()
    arch = architecture_from_config(json.loads((tiny_model / "config.json").read_text()))
    assert trainable_params(arch, lora) == trainable


def test_same_seed_same_files_other_seed_other_weights(tmp_path, small_corpus):
    a = build_tiny_model(tmp_path / "a", small_corpus, seed=1)
    b = build_tiny_model(tmp_path / "b", small_corpus, seed=1)
    c = build_tiny_model(tmp_path / "c", small_corpus, seed=2)
    assert digests(a) == digests(b)
    assert digests(a)["model.safetensors"] != digests(c)["model.safetensors"]
    assert digests(a)["tokenizer.json"] == digests(c)["tokenizer.json"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_ensure_builds_once_and_rebuilds_when_the_corpus_changes(tmp_path, small_corpus):
    first = ensure_tiny_model(tmp_path, small_corpus)
    assert first == tmp_path / "models" / "tiny-ahk"
    mtime = (first / "model.safetensors").stat().st_mtime_ns
    assert ensure_tiny_model(tmp_path, small_corpus) == first
    assert (first / "model.safetensors").stat().st_mtime_ns == mtime
    before = digests(first)["tokenizer.json"]
    (small_corpus / "Hotkeys" / "more.ahk").write_text("Loop 3\n    Send('{Tab}')\n" * 20)
    ensure_tiny_model(tmp_path, small_corpus)
    assert digests(first)["tokenizer.json"] != before


def test_a_corpus_without_scripts_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(StudioError, match=r"no readable \.ahk scripts"):
        build_tiny_model(tmp_path / "m", tmp_path / "empty")
    assert not (tmp_path / "m").exists()
