"""Background jobs: start, finish, fail, cancel, survive their starter, refuse path tricks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import jobs
from core.errors import StudioError


def _py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_completed_job_records_exit_code_and_log(workspace: Path) -> None:
    job_id = jobs.start_job(workspace, "merge", _py("print('merged 3 tensors')"), {"run": "r1"})
    status = jobs.wait_job(workspace, job_id, timeout=30)
    assert status.state == "completed"
    assert status.returncode == 0
    assert status.meta == {"run": "r1"}
    assert "merged 3 tensors" in jobs.read_log(workspace, job_id)
    assert (workspace / "jobs" / job_id / "status.json").is_file()


def test_failed_job_reports_the_error_line_of_the_cli(workspace: Path) -> None:
    code = "import sys; print('working'); print('error: no adapter in run r1', file=sys.stderr); sys.exit(1)"
    status = jobs.wait_job(workspace, jobs.start_job(workspace, "export", _py(code)), timeout=30)
    assert status.state == "failed"
    assert status.returncode == 1
    assert status.error == "error: no adapter in run r1"


def test_a_command_that_cannot_start_fails_with_a_reason(workspace: Path) -> None:
    job_id = jobs.start_job(workspace, "export", ["/nonexistent/tool"])
    status = jobs.wait_job(workspace, job_id, timeout=30)
    assert status.state == "failed"
    assert "cannot start" in status.error


def test_cancel_stops_a_running_job(workspace: Path) -> None:
    job_id = jobs.start_job(workspace, "evaluate", _py("import time; time.sleep(120)"))
    _wait_for(lambda: jobs.job_status(workspace, job_id).child_pid is not None)
    assert jobs.cancel_job(workspace, job_id).state in ("cancelling", "cancelled")
    status = jobs.wait_job(workspace, job_id, timeout=30)
    assert status.state == "cancelled"
    assert status.elapsed < 30


def test_job_outlives_the_process_that_started_it(workspace: Path) -> None:
    starter = (
        "import sys; from pathlib import Path; from core import jobs; "
        f"print(jobs.start_job(Path({str(workspace)!r}), 'merge', "
        f"[sys.executable, '-c', 'import time; time.sleep(1); print(42)']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", starter],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(jobs.__file__).parent.parent,
    )
    job_id = out.stdout.strip()
    status = jobs.wait_job(workspace, job_id, timeout=30)
    assert status.state == "completed"
    assert "42" in jobs.read_log(workspace, job_id)


def test_a_job_whose_supervisor_died_is_reported_failed(workspace: Path) -> None:
    job_id = jobs.start_job(workspace, "export", _py("import time; time.sleep(120)"))
    _wait_for(lambda: jobs.job_status(workspace, job_id).child_pid is not None)
    status = jobs.job_status(workspace, job_id)
    os.kill(status.supervisor_pid, signal.SIGKILL)
    os.killpg(status.child_pid, signal.SIGKILL)
    _wait_for(lambda: jobs.job_status(workspace, job_id).finished)
    status = jobs.job_status(workspace, job_id)
    assert status.state == "failed"
    assert "supervisor" in status.error


def test_list_jobs_newest_first_and_by_kind(workspace: Path) -> None:
    first = jobs.start_job(workspace, "merge", _py("pass"))
    jobs.wait_job(workspace, first)
    second = jobs.start_job(workspace, "export", _py("pass"))
    jobs.wait_job(workspace, second)
    assert [j.id for j in jobs.list_jobs(workspace)] == [second, first]
    assert [j.id for j in jobs.list_jobs(workspace, kind="merge")] == [first]


@pytest.mark.parametrize(
    "bad", ["../../etc", "/etc/passwd", "merge-1", "", "merge-20250101-120000-zzzz"]
)
def test_ids_that_are_not_job_ids_are_refused(workspace: Path, bad: str) -> None:
    with pytest.raises(StudioError):
        jobs.job_dir(workspace, bad)


def test_bad_kind_or_empty_command_is_refused(workspace: Path) -> None:
    with pytest.raises(StudioError):
        jobs.start_job(workspace, "../x", _py("pass"))
    with pytest.raises(StudioError):
        jobs.start_job(workspace, "merge", [])


def test_log_shows_the_last_frame_of_a_progress_bar(workspace: Path) -> None:
    code = (
        "import sys\n"
        "for p in (10, 50, 100): sys.stderr.write(f'\\rconvert: {p:3d}%|###| {p}/100')\n"
        "sys.stderr.write('\\ndone\\n')\n"
    )
    job_id = jobs.start_job(workspace, "export", _py(code))
    jobs.wait_job(workspace, job_id)
    log = jobs.read_log(workspace, job_id)
    assert log.splitlines()[0] == "convert: 100%|###| 100/100"
    assert jobs.log_progress(log) == 1.0
    assert jobs.log_progress("no bar here") is None


def test_the_cli_waits_for_a_job_and_exits_with_its_outcome(workspace: Path) -> None:
    done = jobs.start_job(workspace, "merge", _py("import time; time.sleep(0.5)"))
    failed = jobs.start_job(
        workspace, "export", _py("import sys; print('error: no room'); sys.exit(3)")
    )
    assert jobs.main(["--workspace", str(workspace), "--wait", done]) == 0
    assert jobs.main(["--workspace", str(workspace), "--wait", failed]) == 1
    assert jobs.job_status(workspace, failed).error == "error: no room"
