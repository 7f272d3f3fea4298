"""The hardware section: refusals in plain words, accelerate's and DeepSpeed's configs as their own
parsers read them, memory per strategy, steps by the global batch, how a lost rank is named."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from core.train import launch
from core.train.config import TrainConfig, check_values, with_values
from core.train.estimate import estimate_memory, planned_steps


def hardware(**values) -> dict:
    return {f"hardware.{key}": value for key, value in values.items()}


REFUSALS = [
    (hardware(processes=2), "hardware.strategy", "single trains one process, not 2: pick ddp"),
    (hardware(strategy="ddp"), "hardware.strategy", "ddp needs 2 or more processes"),
    (hardware(processes=2, strategy="ddp", cpu_offload=True), "hardware.cpu_offload", "only fsdp"),
    (
        {"load_in_4bit": True, **hardware(processes=2, strategy="deepspeed-zero3")},
        "hardware.strategy",
        "ZeRO-3 cannot split 4-bit (QLoRA) weights: pick deepspeed-zero2 or fsdp",
    ),
    (
        {"backend": "unsloth", **hardware(processes=2, strategy="fsdp")},
        "hardware.strategy",
        "Unsloth does not train under fsdp: pick backend hf",
    ),
    (
        {"backend": "cpu", "load_in_4bit": False, **hardware(strategy="deepspeed-zero2")},
        "hardware.strategy",
        "DeepSpeed runs on CUDA GPUs only: on the CPU pick ddp or fsdp",
    ),
    (
        hardware(strategy="ddp", machines=2, machine_rank=2, main_address="10.0.0.1"),
        "hardware.machine_rank",
        "must be below the number of machines (2)",
    ),
    (hardware(strategy="ddp", machines=2), "hardware.main_address", "that the other machines"),
]


@pytest.mark.parametrize(("values", "key", "message"), REFUSALS)
def test_impossible_hardware_is_refused_with_what_to_pick_instead(values, key, message):
    cfg, problems = check_values(values)
    assert cfg is None
    assert [p.key for p in problems] == [key] and message in problems[0].message


def test_possible_hardware_passes():
    for values in (
        hardware(processes=2, strategy="ddp"),
        hardware(processes=4, strategy="fsdp", cpu_offload=True),
        {"load_in_4bit": False, **hardware(strategy="deepspeed-zero3", cpu_offload=True)},
        hardware(processes=8, strategy="ddp", machines=2, machine_rank=1, main_address="10.0.0.1"),
    ):
        assert check_values(values)[1] == [], values


def cluster(strategy: str, **values) -> TrainConfig:
    base = {"load_in_4bit": False, "training.per_device_train_batch_size": 4}
    return with_values(TrainConfig(), base | hardware(strategy=strategy, **values))


@pytest.mark.parametrize(
    ("strategy", "kind"),
    [("ddp", "MULTI_GPU"), ("fsdp", "FSDP"), ("deepspeed-zero2", "DEEPSPEED")],
)
def test_the_run_folder_holds_an_accelerate_config_accelerate_reads(tmp_path, strategy, kind):
    from accelerate.commands.config.config_args import load_config_from_file

    cfg = cluster(strategy, processes=4, machines=2, machine_rank=1, main_address="10.0.0.1")
    path = launch.write_launch_files(tmp_path, cfg, on_cpu=False)
    read = load_config_from_file(str(path))
    assert (read.distributed_type.value, read.num_processes, read.num_machines) == (kind, 8, 2)
    assert (read.machine_rank, read.main_process_ip, read.main_process_port) == (
        1,
        "10.0.0.1",
        29500,
    )
    assert read.use_cpu is False  # True would make accelerate start a single process
    if strategy == "fsdp":
        assert read.fsdp_config["fsdp_version"] == 2
        assert read.fsdp_config["fsdp_state_dict_type"] == "SHARDED_STATE_DICT"
    if kind == "DEEPSPEED":
        assert read.deepspeed_config["deepspeed_config_file"] == str(tmp_path / "deepspeed.json")
    argv = launch.launch_argv(tmp_path, tmp_path, "last")
    assert argv[1:5] == ["-m", "accelerate.commands.launch", "--config_file", str(path)]
    assert argv[-3:] == ["--worker", "--resume", "last"]


@pytest.mark.parametrize("stage", ["deepspeed-zero2", "deepspeed-zero3"])
@pytest.mark.parametrize("offload", [False, True])
def test_the_deepspeed_config_passes_deepspeeds_own_parser(stage, offload):
    cfg = cluster(stage, cpu_offload=offload)  # one process: DeepSpeed's parser counts one
    ds = launch.deepspeed_config(cfg)
    assert ds["zero_optimization"]["stage"] == (3 if stage.endswith("3") else 2)
    assert ("offload_optimizer" in ds["zero_optimization"]) is offload
    assert ("offload_param" in ds["zero_optimization"]) is (offload and stage.endswith("3"))
    assert ds["train_batch_size"] == 4 * cfg.training.gradient_accumulation_steps
    deepspeed = pytest.importorskip(
        "deepspeed.runtime.config",
        reason="DeepSpeed is not installed (GPU-only; not in requirements.txt)",
    )
    parsed = deepspeed.DeepSpeedConfig(ds)
    assert parsed.zero_optimization_stage == ds["zero_optimization"]["stage"]
    assert parsed.train_batch_size == ds["train_batch_size"]


def test_each_strategy_divides_what_it_shards():
    llama = {"base_model": "meta-llama/Llama-3.1-8B-Instruct"}

    def memory(strategy: str, processes: int, offload: bool = False):
        return estimate_memory(
            with_values(cluster(strategy, processes=processes, cpu_offload=offload), llama)
        )

    single, ddp = memory("single", 1), memory("ddp", 4)
    assert (ddp.weights, ddp.adapter, ddp.optimizer) == (
        single.weights,
        single.adapter,
        single.optimizer,
    )
    zero2, fsdp = memory("deepspeed-zero2", 4), memory("fsdp", 4)
    assert zero2.weights == single.weights and zero2.optimizer == -(-single.optimizer // 4)
    assert zero2.adapter < single.adapter  # the gradients half of it is split
    layers = 32
    assert fsdp.weights == -(-single.weights // 4) + -(-single.weights // layers)
    assert fsdp.optimizer == zero2.optimizer and any("split over 4" in n for n in fsdp.notes)
    offloaded = memory("fsdp", 4, offload=True)
    assert offloaded.weights == -(-single.weights // layers) and offloaded.optimizer == 0
    assert offloaded.offloaded > 0 and offloaded.total < fsdp.total
    zero3 = memory("deepspeed-zero3", 4, offload=True)
    assert zero3.adapter > 0 and zero3.offloaded > 0  # ZeRO-3 offload keeps the gradients


def test_the_steps_follow_the_global_batch():
    cfg = with_values(TrainConfig(), {"training.per_device_train_batch_size": 4})
    assert planned_steps(cfg, 100) == 7  # 25 batches of 4, 4 per step
    two = with_values(cfg, hardware(processes=2, strategy="ddp"))
    assert planned_steps(two, 100) == 4  # 2 × 4 × 4 = 32 examples a step
    machines = with_values(
        cfg, hardware(processes=2, strategy="ddp", machines=2, main_address="10.0.0.1")
    )
    assert planned_steps(machines, 100) == 2


def rank_record(run_dir: Path, number: int, **fields) -> None:
    path = launch.rank_file(run_dir, number)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"rank": number, "pid": 1000 + number, "host": "h"} | fields))


def test_a_rank_that_vanished_without_a_word_is_named_before_those_that_reported(tmp_path):
    rank_record(tmp_path, 0, error="RuntimeError: connection closed", error_at=2.0)
    rank_record(tmp_path, 1)
    launch.rank_file(tmp_path, 1, "log").write_text("step 3\nstep 4\n")
    message, lines = launch.lost_rank(tmp_path, {1: time.time()})
    assert message == "rank 1 (pid 1001) ended without reporting: killed or crashed"
    assert lines == ["step 3", "step 4"]
    rank_record(tmp_path, 1, error="OutOfMemoryError: CUDA", error_at=1.0, error_tail=["oom"])
    assert launch.lost_rank(tmp_path, {}) == ("rank 1: OutOfMemoryError: CUDA", ["oom"])
    launch.clear_ranks(tmp_path)
    assert launch.lost_rank(tmp_path, {}) is None
