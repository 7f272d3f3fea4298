"""Checking many scripts at once: worker processes, results in order, stopping early."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from core.ahk import check as ahk
from core.ahk import cli

SNIPPETS = Path(__file__).parents[2] / "ahk_snippets"


@pytest.fixture
def texts() -> list[str]:
    """The labelled snippets (v1, v2, mixed, broken) three times over: 100+ texts."""
    found = [p.read_text(encoding="utf-8") for p in sorted(SNIPPETS.rglob("*.ahk"))]
    assert len(found) > 30
    return found * 3


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers start from 10 scripts on, 4 to a batch, so a small test runs the parallel path."""
    monkeypatch.setattr(ahk, "PARALLEL_MIN", 10)
    monkeypatch.setattr(ahk, "CHUNK", 4)


def wait_for_no_workers(seconds: float = 20.0) -> list:
    deadline = time.monotonic() + seconds
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children()


@pytest.mark.usefixtures("small_batches")
def test_many_scripts_are_checked_by_worker_processes_in_order(texts: list[str]) -> None:
    results = ahk.check_sources(texts, jobs=2)
    first = next(results)
    assert len(multiprocessing.active_children()) == 2
    checked = [first, *results]
    assert checked == [ahk.check_source(text) for text in texts]
    assert {r.verdict for r in checked} >= {"v1", "v2", "mixed"}
    assert any(r.errors for r in checked)
    assert wait_for_no_workers() == []


@pytest.mark.usefixtures("small_batches")
def test_stopping_early_shuts_the_workers_down(texts: list[str]) -> None:
    results = ahk.check_sources(texts, jobs=2)
    assert next(results) == ahk.check_source(texts[0])
    results.close()
    assert wait_for_no_workers() == []


@pytest.mark.usefixtures("small_batches")
def test_one_job_or_few_scripts_stay_in_this_process(texts: list[str]) -> None:
    for results, count in (
        (ahk.check_sources(texts, jobs=1), len(texts)),
        (ahk.check_sources(texts[:9], jobs=2), 9),
    ):
        assert next(results) == ahk.check_source(texts[0])
        assert multiprocessing.active_children() == []
        assert len(list(results)) == count - 1


@pytest.mark.usefixtures("small_batches")
def test_files_are_read_and_checked_by_the_workers(tmp_path: Path) -> None:
    paths = []
    for n in range(12):
        path = tmp_path / f"s{n:02}.ahk"
        body = f"MsgBox, legacy {n}\n" if n % 3 == 0 else f'MsgBox "modern {n}"\n'
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    checked = list(ahk.check_files(paths, jobs=2))
    assert checked == [ahk.check_file(p) for p in paths]
    assert [r.verdict for r in checked][:3] == ["v1", "v2", "v2"]


def test_worker_count_defaults_to_the_usable_cpus() -> None:
    assert ahk.worker_count(3) == 3
    assert ahk.worker_count(0) == 1
    assert 1 <= ahk.worker_count() <= (multiprocessing.cpu_count() or 1)


@pytest.mark.usefixtures("small_batches")
def test_the_cli_checks_a_folder_the_same_with_one_job_or_several(capsys) -> None:
    outputs = []
    for jobs in ("1", "2"):
        assert cli.main([str(SNIPPETS), "--json", "--jobs", jobs]) == 0
        outputs.append(capsys.readouterr().out)
    one, several = ([json.loads(line) for line in out.splitlines()] for out in outputs)
    assert one == several
    assert len(one) == len(list(SNIPPETS.rglob("*.ahk")))


@pytest.mark.usefixtures("small_batches")
def test_workers_run_at_a_lower_priority_than_the_studio() -> None:
    mine = os.nice(0)
    assert set(ahk._map_checks(os.nice, [0] * 12, jobs=2)) == {min(mine + 10, 19)}
