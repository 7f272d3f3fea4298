"""Build tasks.jsonl, solutions/ and wrong/ from the task sheets in sheets/ (run from anywhere).

A sheet holds tasks as `@@ id`, then `Q:` (prompt), `S:` (reference solution), optional `W:` (a
wrong variant), `T:` (the test) and `E:` (expected output); each field runs to the next marker.
The sheet's file name is the category. tests/core/evaluate/test_ahkbench.py checks the built files are current.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = re.compile(r"^(Q|S|W|T|E):[ ]?(.*)$")


def parse_sheet(path: Path) -> list[dict]:
    """The tasks of one sheet, as dicts with id, category, prompt, solution, wrong, test, expected."""
    tasks: list[dict] = []
    key = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("@@ "):
            tasks.append({"id": line[3:].strip(), "category": path.stem})
            key = None
            continue
        mark = MARK.match(line)
        if mark and tasks:
            key = {"Q": "prompt", "S": "solution", "W": "wrong", "T": "test", "E": "expected"}[
                mark.group(1)
            ]
            tasks[-1][key] = mark.group(2)
        elif key is not None:
            tasks[-1][key] = (tasks[-1][key] + "\n" + line) if tasks[-1][key] else line
    for task in tasks:
        for name in ("prompt", "solution", "test", "expected"):
            if name not in task:
                raise SystemExit(f"{path}: task {task['id']} has no {name}")
            task[name] = task[name].strip("\n")
        if "wrong" in task:
            task["wrong"] = task["wrong"].strip("\n")
    return tasks


def build_files(sheets: Path = HERE / "sheets") -> dict[str, str]:
    """Relative path -> text of every built file."""
    files: dict[str, str] = {}
    lines = []
    for sheet in sorted(sheets.glob("*.txt")):
        for task in parse_sheet(sheet):
            keys = ("id", "category", "prompt", "test", "expected")
            lines.append(json.dumps({k: task[k] for k in keys}, ensure_ascii=False))
            files[f"solutions/{task['id']}.ahk"] = task["solution"] + "\n"
            if "wrong" in task:
                files[f"wrong/{task['id']}.ahk"] = task["wrong"] + "\n"
    files["tasks.jsonl"] = "\n".join(lines) + "\n"
    return files


def main() -> int:
    for folder in ("solutions", "wrong"):
        for old in (HERE / folder).glob("*.ahk"):
            old.unlink()
    for rel, text in build_files().items():
        target = HERE / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"{build_files()['tasks.jsonl'].count(chr(10))} tasks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
