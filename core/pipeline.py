"""The whole pipeline in one headless command: build_dataset → data_prep → train → merge.

    python -m core.pipeline --config config/cpu-demo.yaml [--workspace DIR]

The datasets go to <workspace>/prepared/, the run to <workspace>/runs/<id>/ (the training runs
in its own process, its progress printed here), the merged model to the run's merged/ folder.
Ctrl-C stops the training cleanly at a checkpoint; it can be resumed from the studio or runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.dataset.build import PROMPT_STYLES, BuildOptions, build
from core.dataset.data_prep import chat_file_name, convert_file
from core.errors import StudioError, cli_main
from core.export.merge import merge_run
from core.train.config import TrainConfig, load_config
from core.train.run_folder import ACTIVE, progress_line, read_metrics, read_status, run_path
from core.train.runs import start_run, stop_run
from core.workspace import SAMPLE_CORPUS, SAMPLE_ELEMENTS, subdir, workspace_root

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class PipelineResult:
    """The run folder, its merged model and its first and last training loss."""

    run_dir: Path
    merged_dir: Path | None
    first_loss: float | None
    last_loss: float | None
    seconds: float


def prepare_data(
    workspace: Path,
    corpus: Path = SAMPLE_CORPUS,
    elements: list[Path] | None = None,
    prompt_style: str = "instruction",
    say: Callable[[str], None] = print,
) -> dict[str, Path]:
    """Build the splits into <workspace>/prepared and convert each to Harmony; {split: path}."""
    if elements is None:
        elements = [SAMPLE_ELEMENTS] if SAMPLE_ELEMENTS.is_file() else []
    options = BuildOptions(input_dir=corpus, elements_csv=elements, prompt_style=prompt_style)
    prepared = subdir(workspace, "prepared")
    result = build(options, prepared)
    counts = ", ".join(f"{split} {len(result.preview.splits[split])}" for split in SPLITS)
    say(f"[1/4] dataset built in {prepared}: {counts}")
    chats = {}
    for split in SPLITS:
        source = result.files[split]
        chats[split] = prepared / chat_file_name(source.name)
        convert_file(source, chats[split])
    say(f"[2/4] converted to Harmony conversations: {chats['train'].name} …")
    return chats


def train_on(cfg: TrainConfig, chats: dict[str, Path]) -> TrainConfig:
    """`cfg` training on the prepared data (and evaluating on val when it has rows)."""
    has_val = chats["val"].is_file() and chats["val"].stat().st_size > 0
    training = dataclasses.replace(
        cfg.training,
        dataset_path=str(chats["train"]),
        eval_dataset_path=str(chats["val"]) if has_val else None,
    )
    return dataclasses.replace(cfg, training=training)


def follow(run_dir: Path, say: Callable[[str], None] = print, poll: float = 1.0) -> dict:
    """Print the run's metrics as they come until it ends; its final status. Ctrl-C stops it."""
    offset = 0
    try:
        while True:
            status = read_status(run_dir)
            records, offset = read_metrics(run_dir, offset)
            for record in records:
                say("      " + progress_line(record, status.get("max_steps")))
            if status.get("state") not in ACTIVE:
                return status
            time.sleep(poll)
    except KeyboardInterrupt:
        say("stopping the run at a checkpoint …")
        stop_run(run_dir)
        while read_status(run_dir).get("state") in ACTIVE:
            time.sleep(poll)
        raise


def run_pipeline(
    config: Path,
    workspace: Path,
    corpus: Path = SAMPLE_CORPUS,
    prompt_style: str = "instruction",
    merge: bool = True,
    say: Callable[[str], None] = print,
) -> PipelineResult:
    """Build, convert, train (in a child process) and merge; the run folder and its losses."""
    started = time.monotonic()
    cfg = load_config(config)
    chats = prepare_data(workspace, corpus, prompt_style=prompt_style, say=say)
    run_id = start_run(workspace, train_on(cfg, chats), name=Path(config).stem)
    run_dir = run_path(workspace, run_id)
    say(f"[3/4] training run {run_id} (log: {run_dir / 'train.log'})")
    status = follow(run_dir, say)
    if status.get("state") != "completed":
        raise StudioError(
            f"training {status.get('state')}: {status.get('error') or 'see train.log'}",
            where=str(run_dir),
        )
    losses = [r["loss"] for r in read_metrics(run_dir)[0] if r.get("loss") is not None]
    merged = None
    if merge:
        result = merge_run(run_dir, workspace=workspace)
        merged = result.merged_dir
        say(f"[4/4] merged into {merged} (max abs logit difference {result.max_abs_diff:.2g})")
    return PipelineResult(
        run_dir,
        merged,
        losses[0] if losses else None,
        losses[-1] if losses else None,
        round(time.monotonic() - started, 1),
    )


@cli_main
def main(argv: list[str] | None = None) -> int:
    """CLI: build, prepare, train and merge; prints progress and the run folder."""
    parser = argparse.ArgumentParser(
        prog="python -m core.pipeline", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--config", type=Path, required=True, help="training config (YAML)")
    parser.add_argument("--workspace", type=Path, help="where everything is written")
    parser.add_argument("--corpus", type=Path, default=SAMPLE_CORPUS, help="folder of .ahk scripts")
    parser.add_argument("--prompt-style", choices=PROMPT_STYLES, default="instruction")
    parser.add_argument("--no-merge", action="store_true", help="stop after training")
    args = parser.parse_args(argv)
    result = run_pipeline(
        args.config,
        workspace_root(args.workspace),
        args.corpus,
        args.prompt_style,
        merge=not args.no_merge,
        say=lambda message: print(message, flush=True),
    )
    print(
        f"done in {result.seconds:.0f}s: loss {result.first_loss:.3f} -> {result.last_loss:.3f}"
        if result.first_loss is not None
        else f"done in {result.seconds:.0f}s"
    )
    print(f"run folder: {result.run_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
