"""The training config: the seed's YAML, validation messages, form values, presets, estimates."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import StudioError
from core.train.config import (
    GROUPS,
    PRESETS,
    SCHEMA,
    TrainConfig,
    apply_preset,
    check_config,
    check_values,
    config_schema,
    config_to_dict,
    config_values,
    list_configs,
    load_config,
    load_values,
    local_model_path,
    resolve_path,
    save_config,
    with_values,
)
from core.train.estimate import estimate_memory, find_architecture, planned_steps
from core.workspace import CONFIG_DIR, REPO_ROOT

SEED_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_sft_yaml_loads_with_the_seed_settings():
    cfg = load_config(CONFIG_DIR / "sft.yaml")
    assert (cfg.base_model, cfg.max_seq_length, cfg.load_in_4bit) == (
        "openai/gpt-oss-20b",
        1024,
        True,
    )
    assert (cfg.lora.r, cfg.lora.alpha, cfg.lora.dropout) == (8, 16, 0.0)
    # the seed's gate/up/down_proj do not exist in gpt-oss: its experts are fused weights
    assert cfg.lora.target_modules == SEED_MODULES[:4]
    assert cfg.lora.target_parameters == ["mlp.experts.gate_up_proj", "mlp.experts.down_proj"]
    assert cfg.reasoning_effort == "medium"
    t = cfg.training
    assert (t.num_train_epochs, t.per_device_train_batch_size, t.gradient_accumulation_steps) == (
        1,
        1,
        4,
    )
    assert (t.learning_rate, t.optimizer, t.lr_scheduler_type) == (2e-4, "adamw_8bit", "linear")
    assert (t.warmup_ratio, t.weight_decay, t.max_grad_norm) == (0.05, 0.01, 1.0)
    assert (t.logging_steps, t.save_steps, t.save_total_limit, t.fp16) == (10, 100, 3, True)
    assert cfg.output.merged_dir == "outputs/gpt-oss-20b-ahk-merged"


def test_cpu_demo_names_the_local_tiny_model_built_on_demand():
    cfg = load_config(CONFIG_DIR / "cpu-demo.yaml")
    assert cfg.base_model == "workspace/models/tiny-ahk" and cfg.build_tiny_if_missing
    assert cfg.training.dataset_path.startswith("workspace/prepared/")
    assert not cfg.load_in_4bit


@pytest.mark.parametrize("name", ["sft.yaml", "cpu-demo.yaml"])
def test_load_save_load_round_trip_is_lossless(tmp_path, name):
    cfg = load_config(CONFIG_DIR / name)
    save_config(cfg, tmp_path / "a.yaml")
    again = load_config(tmp_path / "a.yaml")
    assert again == cfg
    save_config(again, tmp_path / "b.yaml")
    assert (tmp_path / "a.yaml").read_bytes() == (tmp_path / "b.yaml").read_bytes()


def test_out_of_range_value_gives_a_field_level_message(tmp_path):
    path = write(tmp_path, "training:\n  learning_rate: -1\n")
    with pytest.raises(StudioError) as err:
        load_config(path)
    assert err.value.message == "training.learning_rate: must be > 0, got -1"
    assert err.value.where == str(path)


def test_every_problem_is_reported_at_once_with_suggestions_for_unknown_keys():
    cfg, problems = check_config(
        {
            "backend": "gpu",
            "lora": {"r": 0, "dropout": 1.0},
            "training": {"learning_rte": 1e-4, "fp16": True, "bf16": True, "max_steps": "many"},
            "extra": 1,
        }
    )
    assert cfg is None
    assert {str(p) for p in problems} == {
        "backend: must be one of auto, unsloth, hf, cpu; got 'gpu'",
        "lora.r: must be >= 1, got 0",
        "lora.dropout: must be < 1, got 1",
        "training.learning_rte: unknown key (did you mean learning_rate?)",
        "training.max_steps: must be a whole number, got 'many'",
        "training.bf16: fp16 and bf16 cannot both be on",
        "extra: unknown key",
    }


def test_a_section_that_is_not_a_mapping_is_reported():
    _, problems = check_config({"lora": 5})
    assert [str(p) for p in problems] == ["lora: must be a section of `key: value` lines"]


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "base_model: x\nlora:\n  r: [1\n")
    with pytest.raises(StudioError, match=r"line \d+: not valid YAML"):
        load_config(path)


def test_missing_and_empty_config_files_are_clear_errors(tmp_path):
    with pytest.raises(StudioError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(StudioError, match="empty"):
        load_config(write(tmp_path, "# nothing\n"))


def test_form_strings_are_coerced_to_the_field_types():
    cfg = with_values(
        TrainConfig(),
        {
            "training.learning_rate": "3e-4",
            "training.per_device_train_batch_size": "8",
            "training.num_train_epochs": "2",
            "training.packing": "yes",
            "training.eval_dataset_path": "",
            "lora.target_modules": "q_proj, v_proj",
            "backend": "CPU",
        },
    )
    t = cfg.training
    assert (t.learning_rate, t.per_device_train_batch_size, t.num_train_epochs) == (3e-4, 8, 2.0)
    assert t.packing is True and t.eval_dataset_path is None
    assert cfg.lora.target_modules == ["q_proj", "v_proj"] and cfg.backend == "cpu"


def test_form_values_are_checked_field_by_field():
    values = config_values(TrainConfig()) | {"training.max_steps": 12.0, "lora.r": "32"}
    cfg, problems = check_values(values)
    assert problems == [] and cfg.training.max_steps == 12 and cfg.lora.r == 32
    values |= {"training.warmup_ratio": 1.5, "training.eval_dataset_path": ""}
    cfg, problems = check_values(values)
    assert cfg is None and [str(p) for p in problems] == [
        "training.warmup_ratio: must be < 1, got 1.5"
    ]


def test_only_training_configs_are_listed(tmp_path):
    (tmp_path / "sft.yaml").write_text("base_model: m\n")
    (tmp_path / "a-schedule.yaml").write_text("training:\n  max_steps: 3\n")
    (tmp_path / "bad-field.yaml").write_text("base_model: m\nlora:\n  r: wide\n")
    (tmp_path / "normalize.yaml").write_text("rules: []\n")
    (tmp_path / "broken.yaml").write_text("base_model: [\n")
    (tmp_path / "empty.yaml").write_text("# nothing\n")
    (tmp_path / "list.yaml").write_text("- base_model\n")
    (tmp_path / "latin1.yaml").write_bytes(b"base_model: caf\xe9\n")
    (tmp_path / "notes.txt").write_text("base_model: m\n")
    (tmp_path / "folder.yaml").mkdir()
    names = [p.name for p in list_configs(tmp_path)]
    assert names == ["a-schedule.yaml", "bad-field.yaml", "sft.yaml"]
    assert [p.name for p in list_configs(CONFIG_DIR)] == ["cpu-demo.yaml", "sft.yaml"]


def test_load_values_of_a_valid_file_are_its_config_values():
    path = CONFIG_DIR / "cpu-demo.yaml"
    assert load_values(path) == (config_values(load_config(path)), [])


def test_load_values_keeps_bad_values_raw_and_names_every_problem(tmp_path):
    path = write(
        tmp_path,
        "base_model: m\nlora: 5\ntraining:\n  learning_rate: -1\n  epochs: 3\n"
        "  max_steps: many\n  seed: 7\n",
    )
    values, problems = load_values(path)
    defaults = config_values(TrainConfig())
    assert values == defaults | {
        "base_model": "m",
        "training.learning_rate": -1,
        "training.max_steps": "many",
        "training.seed": 7,
    }  # the section that is no mapping keeps its defaults; the unknown key has no field
    assert [str(p) for p in problems] == [
        "lora: must be a section of `key: value` lines",
        "training.learning_rate: must be > 0, got -1",
        "training.epochs: unknown key",
        "training.max_steps: must be a whole number, got 'many'",
    ]


def test_load_values_refuses_files_that_are_no_config(tmp_path):
    with pytest.raises(StudioError, match="config file not found"):
        load_values(tmp_path / "nope.yaml")
    with pytest.raises(StudioError, match=r"line \d+: not valid YAML"):
        load_values(write(tmp_path, "base_model: [\n"))
    with pytest.raises(StudioError, match="the config file is empty"):
        load_values(write(tmp_path, "# nothing\n"))
    with pytest.raises(StudioError, match="config: must be a mapping") as err:
        load_values(write(tmp_path, "- base_model\n"))
    assert err.value.where == str(tmp_path / "config.yaml")


def test_form_values_round_trip_through_config_values():
    cfg = load_config(CONFIG_DIR / "cpu-demo.yaml")
    values = {k: str(v) if isinstance(v, int | float) else v for k, v in config_values(cfg).items()}
    assert with_values(TrainConfig(), values) == cfg


def test_schema_covers_every_field_with_help_group_and_ranges():
    specs = config_schema()
    assert [s.key for s in specs] == list(SCHEMA)
    assert len(specs) == len(config_values(TrainConfig()))
    assert all(s.help and s.group in GROUPS for s in specs)
    lr = SCHEMA["training.learning_rate"]
    assert (lr.kind, lr.range_text(), lr.default) == ("float", "> 0 and <= 1", 2e-4)
    assert SCHEMA["backend"].choices == ("auto", "unsloth", "hf", "cpu")
    assert SCHEMA["training.eval_dataset_path"].optional
    assert SCHEMA["lora.target_modules"].kind == "list"


def test_presets_are_valid_and_apply():
    cfg = load_config(CONFIG_DIR / "cpu-demo.yaml")
    for name in PRESETS:
        changed = apply_preset(cfg, name)
        assert config_values(changed) != config_values(cfg)
        assert changed.base_model == cfg.base_model
    assert apply_preset(cfg, "quick").training.max_steps == 20
    with pytest.raises(StudioError, match="unknown preset"):
        apply_preset(cfg, "fastest")


def test_paths_resolve_in_the_workspace_or_the_repository(tmp_path):
    assert resolve_path("workspace/prepared/a.jsonl", tmp_path) == tmp_path / "prepared/a.jsonl"
    assert resolve_path("data/raw_scripts") == REPO_ROOT / "data/raw_scripts"
    assert resolve_path(tmp_path / "x") == tmp_path / "x"
    assert local_model_path("openai/gpt-oss-20b") is None
    assert local_model_path("workspace/models/nope", tmp_path) == tmp_path / "models/nope"


def test_planned_steps_follow_epochs_batch_and_accumulation():
    cfg = with_values(
        TrainConfig(),
        {"training.per_device_train_batch_size": 4, "training.gradient_accumulation_steps": 2},
    )
    assert planned_steps(cfg, 100) == 13  # 25 batches -> 13 updates
    assert planned_steps(with_values(cfg, {"training.num_train_epochs": 2.5}), 100) == 33
    assert planned_steps(cfg, 100, world_size=2) == 7
    assert planned_steps(with_values(cfg, {"training.max_steps": 5}), 100) == 5


def test_memory_estimate_for_the_seed_config():
    cfg = load_config(CONFIG_DIR / "sft.yaml")
    est = estimate_memory(cfg, backend="unsloth")
    attention = 3_981_312  # r 8 on q/k/v/o of gpt-oss-20b's 24 blocks
    experts = 24 * 8 * 32 * ((2880 + 2 * 2880) + (2880 + 2880))  # r × experts × (in + out)
    assert est.trainable_params == attention + experts
    assert 20.8e9 < est.total_params < 21e9  # openai/gpt-oss-20b: 20.9B parameters
    assert 10 < est.total / 2**30 < 20  # unsloth: NF4, fits a 16 GB GPU
    assert [name for name, _ in est.rows()][-1] == "total"
    hf = estimate_memory(cfg, backend="hf")  # MXFP4 experts dequantised to bf16
    assert hf.weights > 3 * est.weights and any("dequantised" in n for n in hf.notes)
    full = estimate_memory(with_values(cfg, {"load_in_4bit": False}))
    assert full.weights > 3 * est.weights


def test_every_registry_model_has_the_sizes_of_its_published_config():
    from core.models.registry import FAMILIES, find_hub_model

    assert find_hub_model("openai/gpt-oss-120b")[1].arch.total_params() // 10**9 == 116
    qwen_moe = find_hub_model("qwen/qwen3-coder-30b-a3b-instruct")[1].arch
    assert (qwen_moe.total_params() // 10**9, qwen_moe.active_params() // 10**9) == (30, 3)
    assert round(find_hub_model("openai/gpt-oss-20b")[1].download_bytes / 1e9, 1) == 13.7
    assert all(family.models for key, family in FAMILIES.items() if key != "demo")
    for family in FAMILIES.values():
        cfg = with_values(
            TrainConfig(), {"base_model": family.default.hub_id} if family.models else {}
        )
        assert (family.lora_parameters != ()) == (
            family.default.arch.experts > 0 if family.models else False
        )
        if family.models:
            assert estimate_memory(cfg).total_params == family.default.arch.total_params()


def test_a_fixed_date_and_the_reasoning_effort_reach_the_gpt_oss_template():
    from core.models.registry import FAMILIES, deterministic_template, template_path

    template = template_path(FAMILIES["gpt-oss"]).read_text(encoding="utf-8")
    fixed = deterministic_template(template, "high")
    assert "strftime_now" not in fixed
    from transformers.utils.chat_template_utils import render_jinja_template

    messages = [{"role": "user", "content": "Hi"}]
    text = render_jinja_template([messages], chat_template=fixed)[0][0]
    assert "Current date: 2025-08-05" in text and "Reasoning: high" in text
    low = render_jinja_template([messages], chat_template=fixed, reasoning_effort="low")[0][0]
    assert "Reasoning: low" in low


def test_memory_estimate_grows_with_batch_and_shrinks_with_checkpointing():
    cfg = with_values(TrainConfig(), {"base_model": "meta-llama/Llama-3.1-8B-Instruct"})
    assert 7.9e9 < estimate_memory(cfg).total_params < 8.1e9
    base = estimate_memory(cfg).activations
    double = estimate_memory(with_values(cfg, {"training.per_device_train_batch_size": 2}))
    assert double.activations == 2 * base
    no_ckpt = estimate_memory(with_values(cfg, {"training.gradient_checkpointing": False}))
    assert no_ckpt.activations > base


def test_memory_estimate_of_an_unknown_model_says_so():
    cfg = with_values(TrainConfig(), {"base_model": "someone/unheard-of-7b"})
    assert find_architecture(cfg) is None
    with pytest.raises(StudioError, match="cannot estimate memory"):
        estimate_memory(cfg)


def test_config_to_dict_keeps_the_seed_layout():
    data = config_to_dict(TrainConfig())
    assert list(data)[:3] == ["base_model", "build_tiny_if_missing", "max_seq_length"]
    assert list(data)[-4:] == ["lora", "training", "output", "hardware"]
