"""Loading a run's models (base, adapter, merged) and generating from them, on the tiny model.

`build_eval_run` (also used by the evaluation and tab tests) makes a real run folder: a frozen
config.yaml, a LoRA adapter trained for a few steps with peft on the tiny model (cached between
sessions), and a held-out split of Harmony conversations beside the training file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from core.errors import StudioError
from core.evaluate import generate as gen
from tests.conftest import TEST_CACHE

SYSTEM = gen.DEFAULT_SYSTEM
V2_HOTKEY = '#Requires AutoHotkey v2.0\n^j::\n{\n    MsgBox "Hello"\n}'
V2_STRINGS = '#Requires AutoHotkey v2.0\nname := StrUpper("abc")\nMsgBox name'
EXAMPLES = [
    ("Hotkeys", "snippet", "Category: Hotkeys\nWrite a hotkey.", '^j:: MsgBox "Hello"'),
    ("Strings", "snippet", "Category: Strings\nUpper-case a string.", 'MsgBox StrUpper("abc")'),
    ("Reference", "reference", "Describe MsgBox.", "Shows a message box."),
]


def conversation(prompt: str, answer: str) -> dict:
    return {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": answer},
        ]
    }


def _trained_adapter(tiny_model: Path) -> Path:
    """A LoRA adapter on the tiny model after a few AdamW steps on EXAMPLES (built once, cached)."""
    recipe = (tiny_model / "tiny.json").read_bytes() + json.dumps(EXAMPLES).encode()
    stamp = hashlib.sha256(recipe).hexdigest()[:12]
    target = TEST_CACHE / "eval-adapter" / stamp
    if (target / "adapter_model.safetensors").is_file():
        return target
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    torch.manual_seed(0)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(tiny_model),
        LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj", "up_proj"]),
    )
    texts = [
        tokenizer.apply_chat_template(conversation(p, a)["messages"], tokenize=False)
        for _, _, p, a in EXAMPLES
    ]
    batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    labels = batch.input_ids.masked_fill(batch.attention_mask == 0, -100)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-3)
    for _ in range(4):
        model(**batch, labels=labels).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def build_eval_run(root: Path, tiny_model: Path, adapter: bool = True) -> Path:
    """A workspace under `root` with prepared splits and one run folder; returns the run folder."""
    from core.train.config import TrainConfig, save_config

    workspace = root / "workspace"
    prepared = workspace / "prepared"
    run_dir = workspace / "runs" / "demo-run"
    prepared.mkdir(parents=True)
    run_dir.mkdir(parents=True)
    harmony = "".join(json.dumps(conversation(p, a)) + "\n" for _, _, p, a in EXAMPLES)
    plain = "".join(
        json.dumps({"prompt": p, "response": a, "metadata": {"category": c, "record_type": t}})
        + "\n"
        for c, t, p, a in EXAMPLES
    )
    for name in ("train", "test"):
        (prepared / f"{name}_harmony.jsonl").write_text(harmony, encoding="utf-8")
        (prepared / f"{name}.jsonl").write_text(plain, encoding="utf-8")
    cfg = TrainConfig(base_model=str(tiny_model), load_in_4bit=False)
    cfg.training.dataset_path = "workspace/prepared/train_harmony.jsonl"
    save_config(cfg, run_dir / "config.yaml")
    if adapter:
        shutil.copytree(_trained_adapter(tiny_model), run_dir / "adapter")
    return run_dir


@pytest.fixture(scope="module")
def run_dir(tiny_model, tmp_path_factory) -> Path:
    return build_eval_run(tmp_path_factory.mktemp("gen"), tiny_model)


@pytest.fixture(scope="module")
def adapter_model(run_dir) -> gen.LoadedModel:
    return gen.load_model(run_dir, "adapter")


QUICK = gen.GenerationSettings(max_new_tokens=12)
QUESTION = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Write a hotkey."}]


def test_a_run_lists_base_and_adapter_until_it_is_merged(run_dir, tiny_model):
    models = gen.run_models(run_dir)
    assert models.base == str(tiny_model)
    assert models.adapter == run_dir / "adapter"
    assert models.available() == ["base", "adapter"]


def test_a_run_without_adapter_is_a_clear_error(tiny_model, tmp_path):
    bare = build_eval_run(tmp_path, tiny_model, adapter=False)
    with pytest.raises(StudioError, match="no adapter yet") as err:
        gen.load_model(bare, "adapter")
    assert "adapter/" in str(err.value)


def test_missing_merged_model_says_how_to_merge(run_dir):
    with pytest.raises(StudioError, match="no merged model yet") as err:
        gen.load_model(run_dir, "merged")
    assert "core.export.merge" in str(err.value)


def test_a_folder_that_is_not_a_run_is_refused(tmp_path):
    with pytest.raises(StudioError, match="not a run folder"):
        gen.run_models(tmp_path)


def test_settings_out_of_range_are_refused():
    with pytest.raises(StudioError, match="top_p"):
        gen.GenerationSettings(top_p=0)
    with pytest.raises(StudioError, match="max_new_tokens"):
        gen.GenerationSettings(max_new_tokens=0)


def test_prompt_is_rendered_up_to_the_assistants_turn(adapter_model):
    text = gen.render_prompt(adapter_model.tokenizer, QUESTION)
    assert text.startswith("<|start|>system<|message|>" + SYSTEM)
    assert text.endswith("<|start|>assistant<|channel|>final<|message|>")


def test_greedy_generation_is_deterministic_and_stops_within_budget(adapter_model):
    first = gen.generate(adapter_model, QUESTION, QUICK)
    second = gen.generate(adapter_model, QUESTION, QUICK)
    assert first.text == second.text
    assert 1 <= first.new_tokens <= QUICK.max_new_tokens
    assert "<|" not in first.text


def test_a_batch_answers_like_one_prompt_at_a_time(adapter_model):
    other = [QUESTION[0], {"role": "user", "content": "Category: Strings\nA much longer request."}]
    batch = gen.generate_many(adapter_model, [QUESTION, other], QUICK)
    assert [c.text for c in batch] == [
        gen.generate(adapter_model, QUESTION, QUICK).text,
        gen.generate(adapter_model, other, QUICK).text,
    ]


def test_streaming_ends_with_the_same_answer_as_generate(adapter_model):
    pieces = list(gen.stream(adapter_model, QUESTION, QUICK))
    assert pieces, "the stream yielded nothing"
    assert pieces[-1][1] == gen.generate(adapter_model, QUESTION, QUICK).text


def test_closing_a_stream_early_stops_generation(adapter_model):
    long = gen.GenerationSettings(max_new_tokens=2000, temperature=1.0)
    stream = gen.stream(adapter_model, QUESTION, long)
    next(stream)
    stream.close()  # must return promptly: the thread sees the stop at its next token


def test_sampling_with_a_seed_is_reproducible(adapter_model):
    hot = gen.GenerationSettings(max_new_tokens=12, temperature=1.2, top_p=0.9, seed=7)
    assert (
        gen.generate(adapter_model, QUESTION, hot).text
        == gen.generate(adapter_model, QUESTION, hot).text
    )


def test_merged_model_answers_like_base_plus_adapter(run_dir, adapter_model):
    to_merge = gen.load_model(run_dir, "adapter")
    to_merge.model.merge_and_unload(safe_merge=True).save_pretrained(run_dir / "merged")
    to_merge.tokenizer.save_pretrained(run_dir / "merged")
    try:
        assert gen.run_models(run_dir).available() == ["base", "adapter", "merged"]
        merged = gen.load_model(run_dir, "merged")
        assert not merged.has_adapter
        assert (
            gen.generate(merged, QUESTION, QUICK).text
            == gen.generate(adapter_model, QUESTION, QUICK).text
        )
    finally:
        shutil.rmtree(run_dir / "merged")


def test_cached_model_is_reused_until_the_adapter_changes(run_dir):
    first = gen.cached_model(run_dir, "adapter")
    assert gen.cached_model(run_dir, "adapter") is first
    later = (run_dir / "adapter").stat().st_mtime + 5
    os.utime(run_dir / "adapter", (later, later))
    assert gen.cached_model(run_dir, "adapter") is not first


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MsgBox 1<|return|>", ("", "MsgBox 1")),
        (
            "<|channel|>analysis<|message|>think<|end|><|start|>assistant<|channel|>final"
            "<|message|>MsgBox 2<|return|>",
            ("think", "MsgBox 2"),
        ),
        ("<|channel|>analysis<|message|>still thinking", ("still thinking", "")),
        ("text<|pad|><|pad|>", ("", "text")),
    ],
)
def test_harmony_channels_are_split_and_special_tokens_removed(raw, expected):
    specials = ["<|return|>", "<|end|>", "<|start|>", "<|message|>", "<|channel|>", "<|pad|>"]
    assert gen.split_channels(raw, specials) == expected
