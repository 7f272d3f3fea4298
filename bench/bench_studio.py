"""Benchmark the studio: start-up, idle memory, and filling the corpus table for a big corpus.

    python -m bench.bench_studio [--files N] [--runs R] [--no-browser]

1. start-up: seconds from `python launch.py --no-browser` to the first page served (median of R),
   with the project's bytecode compiled first, as it is after any earlier start (where
   PYTHONDONTWRITEBYTECODE is set, Python would otherwise compile core/ and studio/ every time);
2. idle memory: resident set size of the studio process once the page has been served;
3. the corpus table for a synthetic corpus of N scripts (default 20,000, from bench.synth):
   in the browser (Debian's Chromium, when present): from the Scan click (on a page whose load
   events have finished) until the table shows rows, and until the checker's verdicts are in, with a cold and then a warm verdict cache;
   in-process: the scan (facts), the table serialised as Gradio sends it, and the check.
Targets: start-up under 3 s, idle memory under 300 MB, the table filled in under 2 s.
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import compile_project
from core.workspace import REPO_ROOT

# Debian's Chromium and its flags; the browser tests (tests/e2e) launch it the same way.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


SETTLE_MS = 1500  # after the page is ready, before Scan is clicked: its load events end


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BARE_APP = (
    "import os, sys; os.environ['GRADIO_ANALYTICS_ENABLED'] = 'False'; import gradio as gr; "
    "gr.Interface(lambda text: text, 'textbox', 'textbox').launch(server_port=int(sys.argv[1]))"
)


def start(
    workspace: Path, corpus: Path | None = None, bare: bool = False
) -> tuple[subprocess.Popen, str, float, float]:
    """Start launch.py (or, with `bare`, a one-textbox Gradio app for comparison); return
    (process, url, wall and CPU seconds until the first page was served)."""
    import psutil

    port = free_port()
    argv = [sys.executable, "launch.py", "--no-browser", "--port", str(port)]
    argv += ["--workspace", str(workspace)]
    if corpus is not None:
        argv += ["--corpus", str(corpus)]
    if bare:
        argv = [sys.executable, "-c", BARE_APP, str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise RuntimeError("the studio exited during start-up")
        try:
            with urllib.request.urlopen(url + "/", timeout=1) as page:
                page.read()
                seconds = time.perf_counter() - started
                cpu = psutil.Process(proc.pid).cpu_times()
                return proc, url, seconds, cpu.user + cpu.system
        except OSError:
            time.sleep(0.02)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def bench_startup(
    runs: int, scratch: Path, bare: bool = False
) -> tuple[list[tuple[float, float]], float]:
    """Start-up (wall, CPU) seconds of each run, and the idle RSS in MB after the last one.

    The CPU seconds are what the start-up costs without other load on the machine."""
    import psutil

    times, rss = [], 0.0
    for n in range(runs):
        proc, url, seconds, cpu = start(scratch / f"ws-start-{n}", bare=bare)
        times.append((seconds, cpu))
        if n == runs - 1:
            urllib.request.urlopen(url + "/config", timeout=10).read()
            time.sleep(2)
            rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        stop(proc)
    return times, rss


def bench_table_in_process(corpus: Path, workspace: Path) -> dict[str, float]:
    """The corpus tab's two steps, called as functions, plus the Dataframe serialisation."""
    import gradio as gr

    from core.corpus import table as corpus_table
    from studio.context import StudioContext
    from studio.tabs import corpus as corpus_tab

    ctx = StudioContext(workspace=workspace, corpus=corpus)
    figures = {}
    t0 = time.perf_counter()
    table = corpus_table.scan_table(corpus)
    figures["scan (facts)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    gr.Dataframe(headers=corpus_table.COLUMNS).postprocess(
        corpus_tab.show_page(table, "All", "All", False, "", "path")[0]["value"]
    )
    figures["serialise table"] = time.perf_counter() - t0
    for label in ("check, cold cache", "check, warm cache"):
        t0 = time.perf_counter()
        for _step in corpus_table.check_table(ctx.workspace, table, corpus):
            pass
        figures[label] = time.perf_counter() - t0
    figures["files"] = len(table)
    return figures


def bench_table_in_browser(corpus: Path, workspace: Path) -> dict[str, float]:
    """Click Scan in a real browser; time until rows show, and until the verdicts are in."""
    from playwright.sync_api import expect, sync_playwright

    proc, url, *_ = start(workspace, corpus)
    figures = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            for label in ("cold cache", "warm cache"):
                # As a person would: open the page, let its load events finish, then click.
                page.goto(url + "/")
                page.wait_for_selector("#studio-header[data-ready]", timeout=120_000)
                page.wait_for_timeout(SETTLE_MS)
                t0 = time.perf_counter()
                page.locator("#corpus-scan").click()
                expect(page.locator("#corpus-table [role=gridcell]").first).to_be_visible(
                    timeout=600_000
                )
                figures[f"table filled ({label})"] = time.perf_counter() - t0
                expect(page.locator("#corpus-status")).to_contain_text(
                    "scanned and checked", timeout=600_000
                )
                figures[f"verdicts in ({label})"] = time.perf_counter() - t0
            browser.close()
    finally:
        stop(proc)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000, help="scripts in the synthetic corpus")
    parser.add_argument("--runs", type=int, default=3, help="start-ups to time")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser timing")
    args = parser.parse_args(argv)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    scratch = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    compile_project()
    try:
        for name, bare in (("a bare one-textbox Gradio app", True), ("the studio", False)):
            times, rss = bench_startup(args.runs, scratch, bare)
            wall = statistics.median(t for t, _ in times)
            cpu = statistics.median(c for _, c in times)
            runs = ", ".join(f"{t:.2f}/{c:.2f}" for t, c in times)
            print(
                f"{name}: first page after {wall:.2f} s wall, {cpu:.2f} s CPU (median; "
                f"runs wall/CPU: {runs}); idle memory {rss:.0f} MB"
            )
        print("targets: start-up < 3 s, idle memory < 300 MB")
        load = os.getloadavg()[0]
        print(f"machine load average: {load:.1f} on {os.cpu_count()} cores")

        from bench.synth import synthesize

        corpus = scratch / "corpus"
        synthesize(corpus, args.files)
        figures = bench_table_in_process(corpus, scratch / "ws-table")
        print(f"corpus table, {figures.pop('files'):,} scripts, in-process:")
        for label, seconds in figures.items():
            print(f"  {label:22} {seconds:6.2f} s")
        if CHROMIUM.exists() and not args.no_browser:
            print("corpus table in the browser (target: filled in < 2 s):")
            for label, seconds in bench_table_in_browser(corpus, scratch / "ws-browser").items():
                print(f"  {label:26} {seconds:6.2f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
