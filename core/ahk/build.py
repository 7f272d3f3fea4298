"""python -m core.ahk.build: compile the built-in checker with mypyc (see core.ahk.compiled).

Nothing is done when a build of this source exists; older builds of this checkout are removed.
A failed build says why and leaves the pure-Python checker in use."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from core.ahk.compiled import BUILDS, HERE, MODULES, build_dir


def build() -> Path:
    """Compile this source into build_dir(); return it."""
    target = build_dir()
    if target.is_dir():
        return target
    BUILDS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ahk-checker-") as tmp:
        package = Path(tmp) / "core" / "ahk"
        package.mkdir(parents=True)
        for init in (package.parent / "__init__.py", package / "__init__.py"):
            init.write_text("")
        for name in MODULES:
            shutil.copy2(HERE / f"{name}.py", package / f"{name}.py")
        _mypyc(Path(tmp), [f"core/ahk/{name}.py" for name in MODULES])
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=BUILDS))
        (staging / "core" / "ahk").mkdir(parents=True)
        for so in Path(tmp).glob("*.so"):
            shutil.copy2(so, staging / so.name)
        for so in package.glob("*.so"):
            shutil.copy2(so, staging / "core" / "ahk" / so.name)
    for old in BUILDS.iterdir():
        if old != staging:
            shutil.rmtree(old, ignore_errors=True)
    staging.rename(target)
    return target


def _mypyc(folder: Path, sources: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypyc", *sources], cwd=folder, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(
            "mypyc could not compile the checker; the pure-Python one stays in use "
            f"(needs a C compiler and Python's headers):\n{(done.stdout + done.stderr)[-2000:]}"
        )


def main(argv: list[str] | None = None) -> int:
    """Build; print where the build is."""
    parser = argparse.ArgumentParser(
        prog="python -m core.ahk.build",
        description="Compile the built-in checker with mypyc (see core.ahk.compiled).",
    )
    parser.parse_args(argv)
    print(f"compiled checker: {build()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
