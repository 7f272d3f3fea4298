"""The corpus as a table, as the Corpus tab shows it: one row per script with its facts, the
checker's verdicts (cached by content), exact and near-duplicate marks; totals, filters, sorting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from core.corpus import prune
from core.corpus.scan import VerdictCache, scan_corpus
from core.errors import StudioError
from core.reading import read_script
from core.workspace import subdir

COLUMNS = [
    "path",
    "category",
    "lines",
    "size",
    "encoding",
    "verdict",
    "errors",
    "warnings",
    "includes",
    "duplicate",
    "skipped",
]
NEAR_THRESHOLD = 0.85
ALL = "All"
SORTS = {
    "path": ("path", True),
    "most errors first": ("errors", False),
    "verdict": ("verdict", True),
    "longest first": ("lines", False),
    "largest first": ("size", False),
}
CHECK_BATCH = 1000


def scan_table(
    root: Path,
    progress: Callable[[int, int], None] | None = None,
    texts: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Step one: the facts of every script (no verdicts yet), exact duplicates marked; with
    `texts`, the scripts' texts by path too, for step two (so no file is read twice)."""
    infos = scan_corpus(Path(root), progress=progress, texts=texts)
    if not infos:
        raise StudioError(
            f"no .ahk scripts in {root}",
            hint="choose the folder that holds your AutoHotkey scripts",
        )
    table = pd.DataFrame(
        {
            "path": [i.path for i in infos],
            "category": [i.category for i in infos],
            "lines": [i.lines for i in infos],
            "size": [i.size for i in infos],
            "encoding": [i.encoding or "" for i in infos],
            "verdict": ["" for _ in infos],
            "errors": [None for _ in infos],
            "warnings": [None for _ in infos],
            "includes": [i.includes for i in infos],
            "duplicate": ["" for _ in infos],
            "skipped": [i.skip_reason or "" for i in infos],
            "sha256": [i.sha256 for i in infos],  # kept in the state, never shown
        },
    )
    first: dict[str, int] = {}
    duplicate = []
    for index, sha in enumerate(table["sha256"]):
        if sha is not None and sha in first:
            duplicate.append(f"copy of {infos[first[sha]].path}")
        else:
            duplicate.append("")
            if sha is not None:
                first[sha] = index
    table["duplicate"] = duplicate
    return table


def check_table(
    workspace: Path, table: pd.DataFrame, root: Path, texts: dict[str, str] | None = None
) -> Iterator[tuple[int, int, pd.DataFrame | None]]:
    """Step two, as a generator of (done, to do, None) progress and finally (n, n, table):
    the checker's verdict for each script (cached by SHA256, so only new scripts are checked,
    over several processes) and near-duplicate marks.

    `texts` are the scripts' texts as step one read them (scan_table's `texts`); without them,
    each script is read again from `root`."""
    cache = VerdictCache(subdir(workspace, "cache"))
    table = table.copy()
    readable: dict[str, str] = {}
    by_sha: dict[str, str] = {}
    for rel, sha in zip(table["path"], table["sha256"], strict=True):
        if sha is None:
            continue
        text = texts.get(rel) if texts is not None else read_script(root / rel).text
        if text is not None:
            readable[rel] = by_sha[sha] = text
    for done, todo in cache.fill(by_sha, every=CHECK_BATCH):
        if done < todo:
            yield done, todo, None
    cache.save()
    found = [
        cache.results[sha] if rel in readable else ["", None, None]
        for rel, sha in zip(table["path"], table["sha256"], strict=True)
    ]
    for column, values in zip(
        ("verdict", "errors", "warnings"), zip(*found, strict=True), strict=True
    ):
        table[column] = pd.Series(values, index=table.index, dtype=object)
    _mark_near_duplicates(table, prune.near_duplicate_marks(readable, NEAR_THRESHOLD))
    n = len(table)
    yield n, n, table


def _mark_near_duplicates(table: pd.DataFrame, near: dict[str, tuple[str, float]]) -> None:
    """Mark all but the first script of each near-duplicate cluster (an exact copy keeps its
    "copy of" mark); the marks themselves stay in the hidden `near` column, for the prune."""
    paths, marks = table["path"].tolist(), table["duplicate"].tolist()
    table["duplicate"] = [
        mark or (f"near {near[path][0]} ({near[path][1]:.2f})" if path in near else "")
        for path, mark in zip(paths, marks, strict=True)
    ]
    table["near"] = pd.Series([near.get(path) for path in paths], index=table.index, dtype=object)


def summary(table: pd.DataFrame) -> dict[str, int]:
    """Totals of a scanned (and possibly checked) table."""
    verdicts = table["verdict"].value_counts()
    duplicate = table["duplicate"].fillna("").astype(str)
    return {
        "files": len(table),
        "categories": int(table["category"].nunique()),
        "lines": int(table["lines"].sum()),
        "v2": int(verdicts.get("v2", 0)),
        "v1": int(verdicts.get("v1", 0)),
        "mixed": int(verdicts.get("mixed", 0)),
        "unknown": int(verdicts.get("unknown", 0)),
        "with errors": int((table["errors"].fillna(0) > 0).sum()),
        "exact duplicates": int(duplicate.str.startswith("copy of").sum()),
        "near-duplicates": int(duplicate.str.startswith("near ").sum()),
        "skipped": int((table["skipped"] != "").sum()),
        "includes": int(table["includes"].sum()),
    }


def filter_table(
    table: pd.DataFrame | None,
    category: str,
    verdict: str,
    problems: bool,
    query: str | None = "",
    sort: str | None = "path",
) -> pd.DataFrame:
    """The rows matching the filters and the path search, in the chosen order."""
    if table is None:
        return pd.DataFrame(columns=COLUMNS)
    view = table[COLUMNS]
    if category and category != ALL:
        view = view[view["category"] == category]
    if verdict and verdict != ALL:
        view = view[view["verdict"] == verdict]
    if problems:
        bad = (
            (view["verdict"].isin(["v1", "mixed", "unknown"]))
            | (view["errors"].fillna(0) > 0)
            | (view["duplicate"] != "")
            | (view["skipped"] != "")
        )
        view = view[bad]
    query = (query or "").strip()
    if query:
        view = view[view["path"].str.contains(query, case=False, regex=False)]
    column, ascending = SORTS.get(sort or "path", SORTS["path"])
    view = view.sort_values(column, ascending=ascending, kind="stable", na_position="last")
    return view.reset_index(drop=True)
