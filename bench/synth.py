"""A synthetic corpus for the benches: N files that vary the bundled scripts.

Each file takes a bundled v2 script and renames its own identifiers, shuffles and rewrites its
comments, and changes its numbers and the words of its strings, so files look like real scripts
but differ. A few are exact copies and a few are near copies of earlier files, so the dedupe
stages have work to do. Same seed, same corpus.

    python -m bench.synth OUT_DIR [--files N] [--seed S]
"""

from __future__ import annotations

import argparse
import compileall
import random
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.reading import find_scripts, read_script
from core.workspace import REPO_ROOT, SAMPLE_CORPUS

WORDS = (
    "alpha", "amber", "apple", "arrow", "badge", "basket", "beacon", "berry", "blade", "board",
    "branch", "breeze", "bridge", "cabin", "candle", "canvas", "cargo", "castle", "cedar",
    "chalk", "charm", "cipher", "cliff", "cloud", "comet", "copper", "coral", "crane", "crystal",
    "delta", "desert", "dune", "eagle", "ember", "falcon", "fern", "field", "flame", "forest",
    "frost", "garden", "glacier", "harbor", "hazel", "island", "ivory", "jade", "jungle",
    "kettle", "lagoon", "lantern", "lemon", "maple", "marble", "meadow", "meteor", "mint",
    "mirror", "moss", "nectar", "nova", "oak", "ocean", "olive", "orbit", "pebble", "pepper",
    "pine", "planet", "prism", "quartz", "raven", "reef", "ridge", "river", "rocket", "saffron",
    "sage", "shadow", "silver", "spark", "spruce", "stone", "summit", "thunder", "tide", "timber",
    "topaz", "tulip", "valley", "velvet", "willow", "winter", "zephyr",
)  # fmt: skip
COMMENTS = (
    "Keep this section short and readable.",
    "Values below can be tuned to taste.",
    "Runs once when the script starts.",
    "The helper functions live at the end of the file.",
    "Change the hotkey here if it clashes with another program.",
    "Nothing here touches the registry.",
    "Tested with AutoHotkey v2.0.",
    "Press the hotkey again to undo.",
)
_ASSIGNED = re.compile(r"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*:=", re.MULTILINE)
_DEFINED = re.compile(
    r"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)\(([^()\n]*)\)[ \t]*(?:\{|=>|\n[ \t]*\{)", re.MULTILINE
)
_PARAM = re.compile(r"(?:&|\*)?([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"^([ \t]*;[ \t]*)(.+)$", re.MULTILINE)
_NUMBER = re.compile(r"(?<![\w.#])\d+(?![\w.])")
_STRING = re.compile(r'"([^"\n]* [^"\n]*)"')
_WORD = re.compile(r"\b[a-z]{4,}\b")
_KEYWORDS = {
    "if", "else", "while", "for", "loop", "return", "switch", "case", "try", "catch", "finally",
    "throw", "class", "static", "global", "local", "until", "break", "continue", "in", "and", "or",
    "not", "is", "this", "super", "true", "false", "unset", "goto",
}  # fmt: skip


@dataclass
class Base:
    """A bundled script and the names it defines (the ones safe to rename)."""

    category: str
    stem: str
    text: str
    names: re.Pattern | None  # matches any of the names it defines


def _names_pattern(names: set[str]) -> re.Pattern | None:
    keep = sorted(n for n in names if n.lower() not in _KEYWORDS and not n.startswith("A_"))
    if not keep:
        return None
    return re.compile(r"\b(" + "|".join(map(re.escape, keep)) + r")\b", re.IGNORECASE)


def load_bases(source: Path = SAMPLE_CORPUS) -> list[Base]:
    """The readable scripts of `source`, each with the identifiers it assigns or defines."""
    bases = []
    for path in find_scripts(source):
        text = read_script(path).text
        if text is None:
            continue
        names = set(_ASSIGNED.findall(text))
        for name, params in _DEFINED.findall(text):
            names.add(name)
            names.update(_PARAM.findall(params))
        relative = path.relative_to(source)
        category = relative.parts[0] if len(relative.parts) > 1 else "Misc"
        bases.append(Base(category, path.stem, text, _names_pattern(names)))
    if not bases:
        raise ValueError(f"no readable .ahk scripts in {source}")
    return bases


def _new_name(rng: random.Random) -> str:
    return rng.choice(WORDS) + rng.choice(WORDS).capitalize() + str(rng.randrange(100))


def vary(base: Base, rng: random.Random) -> str:
    """A variant of `base`: renamed identifiers, shuffled comments, new numbers and string words."""
    text = base.text
    if base.names is not None:
        renames: dict[str, str] = {}

        def rename(m: re.Match) -> str:
            key = m.group(1).lower()
            if key not in renames:
                renames[key] = _new_name(rng) if rng.random() < 0.7 else m.group(1)
            return renames[key]

        text = base.names.sub(rename, text)
    comments = [m.group(2) for m in _COMMENT.finditer(text)]
    rng.shuffle(comments)
    pool = iter(comments)

    def comment(m: re.Match) -> str:
        body = next(pool, m.group(2))
        return m.group(1) + (rng.choice(COMMENTS) if rng.random() < 0.3 else body)

    text = _COMMENT.sub(comment, text)
    text = _NUMBER.sub(lambda m: str(rng.randrange(1, 10 ** max(1, len(m.group(0))))), text)
    words = lambda m: rng.choice(WORDS) if rng.random() < 0.4 else m.group(0)  # noqa: E731
    text = _STRING.sub(lambda m: '"' + _WORD.sub(words, m.group(1)) + '"', text)
    return f"; {rng.choice(COMMENTS)}\n{text}"


def synthesize(
    out_dir: Path,
    n_files: int = 20_000,
    seed: int = 0,
    source: Path = SAMPLE_CORPUS,
    dup_rate: float = 0.03,
    near_rate: float = 0.03,
) -> list[Path]:
    """Write `n_files` synthetic scripts under out_dir/<Category>/; return their paths."""
    rng = random.Random(seed)
    bases = load_bases(source)
    out_dir = Path(out_dir)
    written: list[tuple[Path, str]] = []
    for i in range(n_files):
        roll = rng.random()
        if written and roll < dup_rate:
            _, text = rng.choice(written)
        elif written and roll < dup_rate + near_rate:
            _, text = rng.choice(written)
            text = text + f"\n; revision {rng.randrange(10_000)}\n"
        else:
            text = vary(bases[i % len(bases)], rng)
        base = bases[i % len(bases)]
        path = out_dir / base.category / f"{base.stem}_{i:05d}.ahk"
        written.append((path, text))
    for folder in {path.parent for path, _ in written}:
        folder.mkdir(parents=True, exist_ok=True)
    for path, text in written:
        path.write_bytes(text.encode("utf-8"))
    return [path for path, _ in written]


def compile_project() -> None:
    """Compile core/ and studio/ to bytecode, as any earlier run or install leaves them, so a
    bench that starts fresh processes (the studio, checker workers) does not time compiling them
    (where PYTHONDONTWRITEBYTECODE is set, Python would otherwise compile them every time)."""
    for package in ("core", "studio"):
        compileall.compile_dir(REPO_ROOT / package, quiet=1)


@contextmanager
def bench_corpus(doc: str, argv: list[str] | None) -> Iterator[tuple[Path, Path, int]]:
    """The command line of a corpus bench (--files N, --seed S, --keep DIR; `doc` is its help).

    Generates the corpus, untimed, unless --keep names a folder that is already there, and
    yields (corpus, scratch folder, files); the scratch folder is removed afterwards.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    corpus = args.keep or work / "corpus"
    try:
        started = time.perf_counter()
        if not corpus.exists():
            synthesize(corpus, args.files, args.seed)
        print(f"corpus: {args.files} files in {corpus} ({time.perf_counter() - started:.1f} s)")
        yield corpus, work, args.files
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=SAMPLE_CORPUS)
    args = parser.parse_args(argv)
    paths = synthesize(args.out_dir, args.files, args.seed, args.source)
    print(f"wrote {len(paths)} scripts to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
