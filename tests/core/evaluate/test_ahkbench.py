"""The AutoHotkey v2 task benchmark: every reference solution passes in the real interpreter,
every wrong variant fails, each failure gets its status, and the CLI writes pass@1."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from core.ahk.sandbox import RunResult, missing_tools
from core.errors import StudioError
from core.evaluate import ahkbench
from core.evaluate.ahkbench import (
    DEFAULT_TASKS,
    Result,
    Task,
    format_table,
    load_answers,
    load_tasks,
    pass_at_k,
    reference_solutions,
    run_answers,
    spread,
    summarise,
)
from core.workspace import REPO_ROOT, SAMPLE_CORPUS

DATA = DEFAULT_TASKS.parent
needs_sandbox = pytest.mark.skipif(bool(missing_tools()), reason=f"needs {missing_tools()}")
CATEGORIES = {"strings", "arrays-maps", "classes", "closures", "regex", "math", "control-flow",
              "errors", "dates", "files", "gui", "hotkeys"}  # fmt: skip


def test_task_files_are_built_from_the_sheets() -> None:
    sys.path.insert(0, str(DATA))
    try:
        import build
    finally:
        sys.path.remove(str(DATA))
    for rel, text in build.build_files().items():
        assert (DATA / rel).read_text("utf-8") == text, (
            f"{rel} is stale: run data/ahkbench/build.py"
        )


def test_at_least_150_tasks_in_every_category_with_references_and_wrong_variants() -> None:
    tasks = load_tasks(DEFAULT_TASKS)
    assert len(tasks) >= 150 and {t.category for t in tasks} == CATEGORIES
    assert set(reference_solutions()) == {t.id for t in tasks}
    assert len(list((DATA / "wrong").glob("*.ahk"))) >= 60


@pytest.mark.interpreter
@needs_sandbox
def test_every_reference_passes_and_every_wrong_variant_fails() -> None:
    tasks = load_tasks(DEFAULT_TASKS)
    refs = {tid: [code] for tid, code in reference_solutions().items()}
    wrong = {p.stem: [p.read_text("utf-8")] for p in (DATA / "wrong").glob("*.ahk")}
    answers = {tid: refs[tid] + wrong.get(tid, []) for tid in refs}
    results = run_answers(tasks, answers)
    failed_refs = [
        (r.id, r.status, r.stderr or r.stdout) for r in results if r.sample == 0 and not r.passed
    ]
    passed_wrong = [r.id for r in results if r.sample == 1 and r.passed]
    assert failed_refs == [] and passed_wrong == []
    report = summarise(results)
    assert report.pass_at_1 == pytest.approx(1 - 0.5 * len(wrong) / len(tasks), abs=1e-3)


@pytest.mark.interpreter
@needs_sandbox
def test_cli_scores_statuses_and_writes_json(tmp_path: Path, capsys) -> None:
    tasks = tmp_path / "tasks.jsonl"
    rows = [
        {
            "id": "add",
            "category": "math",
            "prompt": "Add(a, b)",
            "test": 'FileAppend(Add(2, 3), "*")',
            "expected": "5",
        },
        {"id": "loop", "category": "math", "prompt": "Spin()", "test": "Spin()", "expected": ""},
    ]
    tasks.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    answers = tmp_path / "answers.jsonl"
    replies = [
        ("add", "Here you go:\n```ahk\nAdd(a, b) => a + b\n```\nIt adds."),
        ("add", "Add(a, b) {\n    return a - b\n}"),
        ("add", "The function adds two numbers.\nAdd(a, b) => (a + b\n"),
        ("add", "Add(a, b) => a + [][1]"),
        ("add", "pecpecpecpec"),
        ("loop", "Spin() {\n    Loop\n        Sleep 10\n}"),
    ]
    answers.write_text(
        "".join(json.dumps({"id": i, "answer": a}) + "\n" for i, a in replies), "utf-8"
    )
    out = tmp_path / "r.json"
    code = ahkbench.main(["--tasks", str(tasks), "--answers", str(answers), "--json", str(out),
                          "--timeout", "3", "-k", "2"])  # fmt: skip
    assert code == 0
    data = json.loads(out.read_text())
    statuses = [r["status"] for r in data["results"]]
    assert statuses == ["pass", "wrong-output", "load-error", "runtime-error", "no-code", "timeout"]
    assert data["pass_at_1"] == pytest.approx((0.2 + 0) / 2)
    assert data["results"][1]["stdout"] == "-1" and "IndexError" in data["results"][3]["stderr"]
    table = capsys.readouterr().out
    assert "math" in table and "pass@1" in table


@pytest.mark.interpreter
@needs_sandbox
def test_answers_that_keep_the_script_alive_pass_once_their_test_has_run() -> None:
    add = 'FileAppend(Add(2, 3), "*")'
    tasks = [Task("hotkey", "Add(a, b), and Ctrl+J shows it", add, "5", "hotkeys"),
             Task("persistent", "Add(a, b), staying alive", add, "5", "math"),
             Task("slow-exit", "Add(a, b), waiting on exit", add, "5", "math"),
             Task("spin", "Spin()", "Spin()", "", "control-flow")]  # fmt: skip
    answers = {
        "hotkey": ["Add(a, b) => a + b\n\n^j::MsgBox Add(2, 3)"],
        "persistent": ["Persistent\n\nAdd(a, b) {\n    return a + b\n}"],
        "slow-exit": ["OnExit((*) => (Sleep(60000), 0))\n\nAdd(a, b) => a + b"],
        "spin": ["Spin() {\n    Loop\n        Sleep 10\n}"],
    }
    results = run_answers(tasks, answers, jobs=2, timeout=5)
    assert [(r.id, r.status) for r in results] == [
        ("hotkey", "pass"), ("persistent", "pass"),
        ("slow-exit", "pass"),  # out of time after its test had run to the end: its output counts
        ("spin", "timeout"),  # out of time inside the test: its (empty) output is not judged
    ]  # fmt: skip
    assert results[0].seconds < 5 and results[1].seconds < 5
    assert all(ahkbench.END_MARK not in r.stderr for r in results)


def test_a_timed_out_script_is_judged_by_its_output_only_once_its_test_ran_to_the_end() -> None:
    mark = ahkbench.END_MARK + "\n"
    assert ahkbench.classify(RunResult(None, "5", mark, 5.0, True), "5") == "pass"
    assert ahkbench.classify(RunResult(None, "4", mark, 5.0, True), "5") == "wrong-output"
    assert ahkbench.classify(RunResult(None, "5", "", 5.0, True), "5") == "timeout"
    assert ahkbench.classify(RunResult(None, "", "", 5.0, True), "") == "timeout"
    assert ahkbench.classify(RunResult(0, "5", mark, 0.1), "5") == "pass"
    failure = RunResult(None, "", "sandbox failure: gone", 0.0)  # not a timeout, no exit code
    assert ahkbench.classify(failure, "") == "runtime-error"
    script = ahkbench.build_script("Add(a, b) => a + b", 'FileAppend(Add(2, 3), "*")')
    assert script.endswith(
        f'FileAppend(Add(2, 3), "*")\n\nFileAppend("{mark[:-1]}`n", "**")\nExitApp\n'
    )


def result(task: str, passed: bool, sample: int = 0, answered: bool = True) -> Result:
    status = "pass" if passed else "wrong-output" if answered else "no-code"
    return Result(task, "math", passed, status, sample=sample, answered=answered)


def test_a_partial_answers_file_says_how_many_tasks_had_no_answer_and_why_pass_at_k_is_absent():
    three = [result("a", i == 0, i) for i in range(3)]
    report = summarise([*three, result("b", True), result("c", False, answered=False)], (1, 3))
    assert report.pass_at_1 == pytest.approx((1 / 3 + 1 + 0) / 3, abs=1e-4)
    assert report.unanswered == 1 and report.categories["math"]["unanswered"] == 1
    assert report.pass_at_k == {1: report.pass_at_1}
    why = "1 of 2 answered tasks have fewer than 3 answers (fewest: 1)"
    assert report.pass_at_k_absent == {3: why}
    data = json.loads(json.dumps(report.to_dict()))
    assert data["unanswered"] == 1 and data["pass_at_k_absent"] == {"3": why}
    table = format_table(report)
    assert f"pass@3: not computed, {why}" in table
    assert "no answer for 1 of 3 tasks (counted as failed, no-code)" in table
    b_three = [result("b", True, i) for i in range(3)]
    full = summarise([*three, *b_three, result("c", False, answered=False)], (1, 3))
    assert full.pass_at_k[3] == pytest.approx((1 + 1 + 0) / 3, abs=1e-4)  # c fails at every k
    assert full.pass_at_k_absent == {} and "not computed" not in format_table(full)


def test_tasks_missing_from_the_answers_file_are_counted_as_unanswered() -> None:
    tasks = [Task("a", "p", "t", "x", "math"), Task("b", "p", "t", "x", "math")]
    results = run_answers(tasks, {"a": ["no code here", "none here either"]})  # nothing runs
    assert [(r.id, r.status, r.answered) for r in results] == [
        ("a", "no-code", True), ("a", "no-code", True), ("b", "no-code", False),
    ]  # fmt: skip
    report = summarise(results, (1, 2))
    assert report.unanswered == 1 and set(report.pass_at_k) == {1, 2}


def test_a_limit_takes_the_tasks_of_every_category_in_turn() -> None:
    tasks = load_tasks(DEFAULT_TASKS)
    twelve = spread(tasks, 12)
    assert {t.category for t in twelve} == CATEGORIES and spread(tasks, 12) == twelve
    order = {t.id: i for i, t in enumerate(tasks)}
    assert [order[t.id] for t in twelve] == sorted(order[t.id] for t in twelve)  # file order
    firsts: dict[str, Task] = {}
    for task in tasks:
        firsts.setdefault(task.category, task)
    assert twelve == sorted(firsts.values(), key=lambda t: order[t.id])
    thirty = [t.category for t in spread(tasks, 30)]
    assert sorted(thirty.count(c) for c in CATEGORIES) == [2] * 6 + [3] * 6
    assert spread(tasks, None) == tasks and spread(tasks, 10_000) == tasks
    with pytest.raises(StudioError, match="at least 1"):
        spread(tasks, 0)


def test_pass_at_k_is_the_unbiased_estimate() -> None:
    assert pass_at_k(5, 1, 1) == pytest.approx(0.2)
    assert pass_at_k(5, 1, 2) == pytest.approx(1 - (4 * 3) / (5 * 4))
    assert pass_at_k(3, 0, 2) == 0.0 and pass_at_k(2, 1, 2) == 1.0


def test_bad_task_line_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "t.jsonl"
    bad.write_text('{"id": "a", "prompt": "p", "test": "t"}\n', "utf-8")
    with pytest.raises(StudioError, match=r"t\.jsonl:1.*'expected'"):
        load_tasks(bad)
    bad.write_text('{"id": "a", "answer": 3}\n', "utf-8")
    with pytest.raises(StudioError, match="'answer'"):
        load_answers(bad)


def test_reference_solutions_do_not_leak_from_the_training_corpus() -> None:
    train = [p.read_text("utf-8", "replace") for p in sorted(SAMPLE_CORPUS.rglob("*.ahk"))]
    solutions = reference_solutions()
    leaks = ahkbench.leakage(solutions, train)
    print(
        f"\nleakage: {len(leaks)} of {len(solutions)} references near-duplicate {len(train)} train scripts"
    )
    assert leaks == []
    planted = ahkbench.leakage(solutions, [solutions["cls-stack"] + "\n; copy"])
    assert [hit[0] for hit in planted] == ["cls-stack"]


def _copy_tasks(folder: Path, ids: list[str]) -> Path:
    """A task file of some bundled tasks with their reference solutions beside it."""
    (folder / "solutions").mkdir(parents=True)
    chosen = [t for t in load_tasks(DEFAULT_TASKS) if t.id in ids]
    for task in chosen:
        name = f"{task.id}.ahk"
        (folder / "solutions" / name).write_text((DATA / "solutions" / name).read_text("utf-8"))
    path = folder / "tasks.jsonl"
    path.write_text("".join(json.dumps(vars(t)) + "\n" for t in chosen), "utf-8")
    return path


def test_leakage_against_a_training_file_names_the_planted_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    tasks = _copy_tasks(tmp_path, ["cls-stack", "str-reverse"])
    solution = (tmp_path / "solutions" / "cls-stack.ahk").read_text("utf-8")
    chat = [{"role": "user", "content": "Write a stack class."},
            {"role": "assistant", "content": f"```ahk\n{solution}```"}]  # fmt: skip
    train = tmp_path / "train_harmony.jsonl"
    records = [{"messages": [{"role": "assistant", "content": s}]} for s in SAMPLE_TEXTS]
    records.insert(1, {"messages": chat})
    train.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    leaks = ahkbench.train_leakage(tasks, train)
    assert (leaks["records"], leaks["references"]) == (len(SAMPLE_TEXTS) + 1, 2)
    assert [(h["id"], h["line"]) for h in leaks["near_duplicates"]] == [("cls-stack", 2)]
    assert "leakage: 1 of 2 reference solutions" in ahkbench.format_leakage(leaks)
    # The CLI reports it beside the scores (the scoring itself is not what this test is about).
    monkeypatch.setattr(ahkbench, "evaluate", lambda *a: summarise([Result("x", "", True, "pass")]))
    out = tmp_path / "r.json"
    answers = tmp_path / "a.jsonl"
    answers.write_text('{"id": "x", "answer": "x"}\n', "utf-8")
    argv = ["--tasks", str(tasks), "--answers", str(answers), "--train", str(train)]
    assert ahkbench.main([*argv, "--json", str(out)]) == 0
    assert json.loads(out.read_text())["leakage"] == leaks
    assert "cls-stack: line 2" in capsys.readouterr().out
    train.write_text('{"prompt": "p"}\n', "utf-8")
    with pytest.raises(StudioError, match=r"train_harmony\.jsonl:1.*`messages`"):
        ahkbench.train_leakage(tasks, train)


SAMPLE_TEXTS = [p.read_text("utf-8", "replace") for p in sorted(SAMPLE_CORPUS.rglob("*.ahk"))[:20]]


@pytest.mark.interpreter
@needs_sandbox
def test_cli_scores_hostile_answers_as_failures_and_the_host_stays_untouched(
    tmp_path: Path,
) -> None:
    name = f"ahkbench-hostile-{uuid.uuid4().hex}"
    secret = REPO_ROOT / "workspace" / ".test-cache" / f"{name}.txt"
    secret.write_text(uuid.uuid4().hex, "utf-8")
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.5)
    port = server.getsockname()[1]
    win = str(secret).replace("/", "\\")
    bodies = [
        f'FileAppend("x", "Z:\\tmp\\{name}-z")',
        f'FileAppend("x", "C:\\..\\..\\tmp\\{name}-dots")',
        # A shell's write does not fail the script: the answer says whether it got through.
        f'RunWait(A_ComSpec " /c echo x > Z:\\tmp\\{name}-cmd")\n'
        f'    return FileExist("Z:\\tmp\\{name}-cmd") ? "ok" : "contained"',
        f'RunWait("cmd /c echo x > \\\\?\\unix{win}-unix")\n'
        f'    return FileExist("\\\\?\\unix{win}-unix") ? "ok" : "contained"',
        f'Download("http://127.0.0.1:{port}/x", "got.txt")',
        f'return FileRead("Z:{win}")',
        f'return FileRead("\\\\?\\unix{win}")',
    ]
    tasks = tmp_path / "tasks.jsonl"
    rows = [{"id": f"h{i}", "prompt": "F()", "test": 'FileAppend(F(), "*")', "expected": "ok"}
            for i in range(len(bodies))]  # fmt: skip
    tasks.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    answers = tmp_path / "answers.jsonl"
    replies = [{"id": f"h{i}", "answer": f"F() {{\n    {b}\n    return 'ok'\n}}"} for i, b in enumerate(bodies)]  # fmt: skip
    answers.write_text("".join(json.dumps(r) + "\n" for r in replies), "utf-8")
    out = tmp_path / "r.json"
    connected: list[object] = []
    listening = threading.Event()
    thread = threading.Thread(target=_listen, args=(server, connected, listening))
    thread.start()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "core.ahkbench", "--tasks", str(tasks), "--answers",
             str(answers), "--json", str(out), "--timeout", "8"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=240,
        )  # fmt: skip
    finally:
        listening.set()
        thread.join()
        server.close()
        content = secret.read_text("utf-8")
        secret.unlink()
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())["results"]
    assert [r["passed"] for r in results] == [False] * len(bodies)
    assert all(r["status"] in ("runtime-error", "wrong-output") for r in results), results
    assert all(content not in r["stdout"] for r in results) and connected == []
    assert [
        p for p in [*Path("/tmp").iterdir(), *secret.parent.iterdir()] if p.name.startswith(name)
    ] == []


def _listen(server: socket.socket, connected: list[object], stop: threading.Event) -> None:
    """Accept (and record) connections until told to stop."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            connected.append(server.accept())
