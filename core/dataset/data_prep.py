"""Turn prompt/response JSONL into chat training files (Harmony messages, or Alpaca rows).

    python -m core.data_prep --in workspace/prepared/train.jsonl \
        --out workspace/prepared/train_harmony.jsonl [--format harmony|alpaca]

A malformed line or a missing key stops the conversion with the file and line number, and the
output is written atomically, so it is either complete or untouched.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from core.errors import StudioError, cli_main
from core.fsutil import atomic_path

SYSTEM_PROMPT = "Reasoning medium. You are a helpful assistant."


def to_harmony(prompt: str, response: str) -> dict:
    """A Harmony conversation: system, user (the prompt) and assistant (the response), stripped."""
    return {
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": prompt.strip()},
            {"role": "assistant", "content": response.strip()},
        ]
    }


def to_alpaca(prompt: str, response: str) -> dict:
    """An Alpaca row: the prompt as the instruction, no input, the response as the output."""
    return {"instruction": prompt.strip(), "input": "", "output": response.strip()}


FORMATS: dict[str, Callable[[str, str], dict]] = {"harmony": to_harmony, "alpaca": to_alpaca}


def chat_file_name(name: str, fmt: str = "harmony") -> str:
    """train.jsonl -> train_harmony.jsonl (the seed's naming)."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}_{fmt}.{suffix}" if dot else f"{name}_{fmt}"


def read_pairs(path: Path) -> Iterator[tuple[str, str]]:
    """(prompt, response) of each non-blank line of a JSONL file; StudioError on a bad line."""
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as err:
        raise StudioError(
            f"cannot read {path}: {err.strerror}", hint="check the --in path"
        ) from err
    with handle:
        for number, raw in enumerate(handle, 1):
            pair = _pair(raw, path, number)
            if pair is not None:
                yield pair


def _pair(raw: bytes, path: Path, number: int) -> tuple[str, str] | None:
    where = f"{path}:{number}"
    try:
        line = raw.decode("utf-8").lstrip("\ufeff") if number == 1 else raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise StudioError(f"not UTF-8 ({err.reason})", where=where) from err
    if not line.strip():
        return None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as err:
        raise StudioError(f"malformed JSON ({err.msg}, column {err.colno})", where=where) from err
    if not isinstance(row, dict):
        raise StudioError("expected a JSON object with prompt and response", where=where)
    for key in ("prompt", "response"):
        if key not in row:
            raise StudioError(f"missing key '{key}'", where=where)
        if not isinstance(row[key], str):
            raise StudioError(f"'{key}' must be a string", where=where)
    return row["prompt"], row["response"]


def write_chat(path: Path, pairs: Iterable[tuple[str, str]], fmt: str = "harmony") -> int:
    """Write one converted row per (prompt, response) pair, atomically; return the row count."""
    if fmt not in FORMATS:
        raise StudioError(f"unknown format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")
    convert = FORMATS[fmt]
    count = 0
    with atomic_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as out:
        for prompt, response in pairs:
            out.write(json.dumps(convert(prompt, response), ensure_ascii=False) + "\n")
            count += 1
    return count


def convert_file(in_path: Path, out_path: Path, fmt: str = "harmony") -> int:
    """Convert a prompt/response JSONL file; return the number of rows written."""
    return write_chat(out_path, read_pairs(in_path), fmt)


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Convert prompt/response JSONL to chat format.")
    parser.add_argument("--in", dest="inp", type=Path, required=True, help="prompt/response JSONL")
    parser.add_argument("--out", dest="outp", type=Path, required=True, help="file to write")
    parser.add_argument("--format", choices=sorted(FORMATS), default="harmony")
    args = parser.parse_args(argv)
    count = convert_file(args.inp, args.outp, args.format)
    print(f"Wrote {count} {args.format} rows to {args.outp}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
