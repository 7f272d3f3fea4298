"""Only the seed's steps, written plainly (no project import): the yardstick of bench_seed.

walk *.ahk in sorted(rglob) order, read, build the seed prompt and metadata, the reference rows of
the elements CSV, SHA-256 dedupe, seeded shuffle, 80/10/10 split, JSONL write.
Usage: python bench/seed_steps.py INPUT_DIR ELEMENTS_CSV OUTPUT_DIR
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import sys
from pathlib import Path


def records(root: Path) -> list[dict]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() == ".ahk" and p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        if not text:
            continue
        relative = path.relative_to(root)
        category = relative.parts[0] if len(relative.parts) > 1 else ""
        prompt = "\n".join(
            [
                "You are maintaining a knowledge base of AutoHotkey examples.",
                f"Category: {category}",
                f"Example ID: {path.stem}",
                f"Source Path: {relative.as_posix()}",
                "Return the exact AutoHotkey snippet associated with this reference.",
            ]
        )
        metadata = {
            "source_path": relative.as_posix(),
            "category": category,
            "filename": path.name,
            "line_count": len(text.splitlines()),
            "record_type": "snippet",
        }
        found.append({"prompt": prompt, "response": text + "\n", "metadata": metadata})
    return found


def references(csv_path: Path) -> list[dict]:
    rows = []
    with open(csv_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            prompt = [
                "You are maintaining a knowledge base of AutoHotkey reference entries.",
                f"Element Type: {row['ElementType'] or 'Unknown'}",
                f"Element Name: {row['Name']}",
                f"Source File: {row['SourceFile']}",
                f"Category Path: {row['Path']}",
                "Provide the official description and any pertinent usage details.",
            ]
            response = [row["Description"]] + [
                f"{label}: {row[key]}" for key, label in (("Type", "Signature Type"),
                ("ReturnType", "Return Type"), ("Symbol", "Symbol"), ("Parameters", "Parameters"))
                if row[key]
            ]  # fmt: skip
            metadata = {"record_type": "reference", "name": row["Name"], "path": row["Path"]}
            rows.append(
                {
                    "prompt": "\n".join(prompt),
                    "response": "\n".join(response) + "\n",
                    "metadata": metadata,
                }
            )
    return rows


def main(root: Path, elements: Path, out: Path) -> None:
    seen, kept = set(), []
    for record in records(root) + references(elements):
        digest = hashlib.sha256(record["response"].encode()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            kept.append({**record, "metadata": {**record["metadata"], "sha256": digest}})
    random.Random(42).shuffle(kept)
    n_val = n_test = int(len(kept) * 0.1)
    n_train = len(kept) - n_val - n_test
    parts = kept[:n_train], kept[n_train : n_train + n_val], kept[n_train + n_val :]
    out.mkdir(parents=True, exist_ok=True)
    for name, part in zip(("train", "val", "test"), parts, strict=True):
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in part)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
