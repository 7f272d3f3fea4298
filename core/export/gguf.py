"""Export: a merged model folder -> one verified GGUF file, an Ollama Modelfile and a README.

    python -m core.export --run-dir workspace/runs/cpu-demo --quant q8_0

Every model goes through llama.cpp's own convert_hf_to_gguf.py, from the
sdist of the compiled llama-cpp-python (unpacked into .venv/share/llama.cpp by
scripts/install-llama-cpp.sh; --llama-cpp DIR or $AHKSTUDIO_LLAMA_CPP name another checkout), which
writes F32, F16, BF16 or Q8_0; gpt-oss's experts stay MXFP4 whatever the type when the checkpoint
ships them so, and a merged (dequantised) gpt-oss has its experts written at the chosen type.
A Llama model whose tokenizer the converter does not recognise (the demo's own byte-level BPE) is
written by core/export/writer.py instead, as is any Llama model when no converter is found.
Q6_K, Q5_K_M, Q4_K_M and Q4_0 are made from an F16 file by llama.cpp's quantiser. Every file is
read back and its logits compared with the merged model before it takes its final name; an
interrupted or crashed export leaves no file under it (the next export into that folder clears
what a killed one left).
Beside the GGUF go <name>.Modelfile, <name>.README.txt and <name>.result.json (the result, as
--json prints it, with the adapter the merged model holds: core/export/provenance.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.errors import StudioError, cancel_on_sigterm, cli_main
from core.export import modelfile, provenance
from core.export import verify as gguf_verify
from core.export.writer import (
    NATIVE_TYPES,
    Progress,
    read_chat_template,
    reads_tokenizer,
    strip_generation_tags,
)
from core.fsutil import atomic_path, atomic_write_text, read_if_changed
from core.native import NativeCrash, run_native
from core.train.run_folder import RunFolder

QUANTS = ("f32", "f16", "bf16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0")
CONVERTER_TYPES = ("f32", "f16", "bf16", "q8_0")  # what convert_hf_to_gguf.py writes itself
QUANTISER_TYPES = {
    "bf16": "LLAMA_FTYPE_MOSTLY_BF16",  # for the built-in writer, which has no BF16
    "q6_k": "LLAMA_FTYPE_MOSTLY_Q6_K",
    "q5_k_m": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "q4_k_m": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0",
}
LLAMA_CPP_ENV = "AHKSTUDIO_LLAMA_CPP"
_CONVERT_SCRIPT = "convert_hf_to_gguf.py"


@dataclass
class ExportResult:
    """One exported GGUF and everything known about it."""

    gguf_path: Path
    modelfile_path: Path
    readme_path: Path
    quant: str
    method: str  # how the file was made
    architecture: str  # the Hugging Face model_type
    tensor_count: int
    size_bytes: int
    write_seconds: float  # making the file
    seconds: float  # making, checking and smoke-testing it
    checks: list[gguf_verify.LogitCheck] = field(default_factory=list)
    smoke: gguf_verify.SmokeReport | None = None
    warnings: list[str] = field(default_factory=list)
    adapter: dict | None = None  # the adapter the merged model holds (its provenance.json)

    def summary_lines(self) -> list[str]:
        lines = [
            f"wrote {self.gguf_path} ({self.quant.upper()}, {self.size_bytes / 2**20:.1f} MiB, "
            f"{self.tensor_count} tensors) with the {self.method} in {self.write_seconds:.1f} s",
            *(check.line() for check in self.checks),
        ]
        if self.smoke:
            lines += self.smoke.lines()
        lines += [f"warning: {w}" for w in self.warnings]
        lines.append(f"Ollama: ollama create ahk-model -f {self.modelfile_path}")
        return lines

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("gguf_path", "modelfile_path", "readme_path"):
            data[key] = str(data[key])
        data["checks"] = [{**asdict(c), "passed": c.passed, "line": c.line()} for c in self.checks]
        return data


# --- inputs --------------------------------------------------------------------------------------


def available_quants() -> dict[str, str | None]:
    """Each export type -> None when it can be made here, else why not (for the export tab)."""
    why_not = gguf_verify.llama_cpp_available()
    return {q: why_not if q in QUANTISER_TYPES else None for q in QUANTS}


def result_path(gguf_path: Path) -> Path:
    """<name>.result.json beside a GGUF: the result of the export that wrote it."""
    return Path(gguf_path).with_suffix(".result.json")


@dataclass(frozen=True)
class SavedResult:
    """An export's result as read from <name>.result.json (None: no file, or not readable), and
    the file's stamp when it was read."""

    report: dict | None
    stamp: tuple | None = None  # (path, inode, mtime, size)


def follow_result(gguf_path: Path, seen: SavedResult | None = None) -> SavedResult:
    """The result written beside `gguf_path`, read again only when the file changed since `seen`
    was read: a file with the same path, inode, mtime and size as `seen`'s is `seen`."""
    try:
        stamp, data = read_if_changed(result_path(gguf_path), seen.stamp if seen else None)
    except OSError:
        return SavedResult(None)
    if data is None and seen is not None:
        return seen
    try:
        return SavedResult(json.loads(data or b""), stamp)
    except ValueError:  # cut short, or not JSON: read again once it changes
        return SavedResult(None, stamp)


def default_output(run_dir: RunFolder | Path, quant: str) -> Path:
    """Where a run's export goes unless told otherwise: <run-dir>/exports/model-<quant>.gguf."""
    return RunFolder.of(run_dir).exports / f"model-{quant}.gguf"


def _source_config(source_dir: Path) -> dict:
    config = Path(source_dir) / "config.json"
    if not config.is_file():
        raise StudioError(
            f"no merged model in {source_dir} (config.json missing)",
            where=str(source_dir),
            hint="merge the run first: python -m core.export.merge --run-dir <run-dir>",
        )
    try:
        return json.loads(config.read_text(encoding="utf-8"))
    except ValueError as err:
        raise StudioError(f"config.json is not valid JSON: {err}", where=str(config)) from err


def _check_request(source_dir: Path, out_path: Path, quant: str, overwrite: bool) -> None:
    if quant not in QUANTS:
        raise StudioError(
            f"unknown quantisation {quant!r}", hint=f"choose one of {', '.join(QUANTS)}"
        )
    if out_path.suffix.lower() != ".gguf":
        raise StudioError(
            f"the output must be a .gguf file, got {out_path.name}", where=str(out_path)
        )
    if out_path.exists() and not overwrite:
        raise StudioError(
            f"{out_path} already exists", where=str(out_path), hint="pass --overwrite to replace it"
        )
    if Path(source_dir).resolve() == out_path.parent.resolve():
        raise StudioError("write the GGUF outside the merged model's folder", where=str(out_path))
    if quant not in CONVERTER_TYPES + tuple(NATIVE_TYPES) and gguf_verify.llama_cpp_available():
        raise StudioError(
            f"{quant.upper()} needs llama.cpp's quantiser: {gguf_verify.llama_cpp_available()}",
            hint="pip install llama-cpp-python (compiles llama.cpp, about 8 minutes), "
            "or export f16 / q8_0",
        )


def find_llama_cpp(explicit: str | Path | None) -> Path | None:
    """The llama.cpp converter folder: the argument, else $AHKSTUDIO_LLAMA_CPP, else the one
    unpacked from llama-cpp-python's sdist (None when none is there)."""
    from core.models.registry import llama_cpp_share

    chosen = explicit or os.environ.get(LLAMA_CPP_ENV)
    if not chosen:
        share = llama_cpp_share()
        return share if (share / _CONVERT_SCRIPT).is_file() else None
    path = Path(chosen).expanduser()
    if not (path / _CONVERT_SCRIPT).is_file():
        raise StudioError(
            f"no {_CONVERT_SCRIPT} in {path}",
            where=str(path),
            hint="point --llama-cpp at a clone of https://github.com/ggml-org/llama.cpp",
        )
    return path


def _needs_llama_cpp(model_type: str, source_dir: Path, out_path: Path, quant: str) -> StudioError:
    outtype = quant if quant in NATIVE_TYPES else "f16"
    return StudioError(
        f"the built-in GGUF writer handles Llama models; this one is {model_type!r}",
        where=str(source_dir),
        hint=(
            "unpack llama.cpp's converter from the llama-cpp-python sdist: "
            "bash scripts/install-llama-cpp.sh .venv/bin/python (or rerun with --llama-cpp DIR, "
            f"or convert by hand: python DIR/{_CONVERT_SCRIPT} {source_dir} --outfile {out_path} "
            f"--outtype {outtype})"
        ),
    )


# --- making the file -----------------------------------------------------------------------------


@contextlib.contextmanager
def _scratch_file(beside: Path, suffix: str) -> Iterator[Path]:
    """A temporary file name in `beside`'s folder, removed afterwards."""
    fd, name = tempfile.mkstemp(prefix=f".{beside.name}.", suffix=suffix, dir=beside.parent)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


@contextlib.contextmanager
def _captured_stderr() -> Iterator[list[str]]:
    """Collect what native code writes to file descriptor 2 (llama.cpp's log) into a list."""
    lines: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines += sink.read().decode("utf-8", "replace").splitlines()


def quantise(source: Path, target: Path, quant: str) -> list[str]:
    """Quantise an F16/F32 GGUF with llama.cpp's quantiser (Q4_K_M, Q4_0), in a child process;
    return its warnings."""
    return run_native(
        _quantise_here,
        source,
        target,
        quant,
        what=f"quantising to {quant.upper()}",
        where=str(source),
    )


def _quantise_here(source: Path, target: Path, quant: str) -> list[str]:
    import ctypes

    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, QUANTISER_TYPES[quant])
    params.nthread = max(1, min(4, os.cpu_count() or 1))
    params.allow_requantize = True  # gpt-oss's MXFP4 experts, when the file kept them so
    with _captured_stderr() as log:
        status = llama_cpp.llama_model_quantize(
            str(source).encode(), str(target).encode(), ctypes.byref(params)
        )
    if status != 0:
        raise StudioError(
            f"llama.cpp's quantiser failed (status {status}): {' | '.join(log[-3:])}",
            where=str(source),
        )
    warnings = [
        "llama.cpp: " + line.split("WARNING:", 1)[1].strip()
        for line in log
        if "WARNING:" in line and "fallback" in line
    ]
    if any("type =  mxfp4" in line for line in log):
        warnings.append(f"the MXFP4 expert weights were requantised to {quant.upper()}")
    return warnings


@contextlib.contextmanager
def _staged_source(source_dir: Path) -> Iterator[Path]:
    """The source folder as llama.cpp's converter should see it: links to every file, with the
    chat template's transformers-only {% generation %} markers removed."""
    template = read_chat_template(source_dir)
    if not template or strip_generation_tags(template) == template:
        yield source_dir
        return
    with tempfile.TemporaryDirectory(prefix="export-src-") as staged:
        staged_dir = Path(staged)
        for item in source_dir.iterdir():
            if item.name not in ("chat_template.jinja", "tokenizer_config.json"):
                (staged_dir / item.name).symlink_to(item.resolve())
        config_path = source_dir / "tokenizer_config.json"
        config = (
            json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
        )
        config.pop("chat_template", None)
        (staged_dir / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
        (staged_dir / "chat_template.jinja").write_text(
            strip_generation_tags(template), encoding="utf-8"
        )
        yield staged_dir


_UNKNOWN_TOKENIZER = "pre-tokenizer was not recognized"  # what the converter says of a new vocab


class UnknownTokenizer(StudioError):
    """llama.cpp's converter does not know the model's BPE pre-tokenizer."""


def convert_with_llama_cpp(
    llama_cpp_dir: Path, source_dir: Path, target: Path, outtype: str, progress: Progress | None
) -> None:
    """Run llama.cpp's convert_hf_to_gguf.py on `source_dir`, writing `target`."""
    with _staged_source(source_dir) as staged:
        command = [
            sys.executable,
            str(llama_cpp_dir / _CONVERT_SCRIPT),
            str(staged),
            "--outfile",
            str(target),
            "--outtype",
            outtype,
        ]
        if progress:
            progress(0, 0, f"running {_CONVERT_SCRIPT} --outtype {outtype}")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = done.stderr or done.stdout
        tail = " | ".join(output.strip().splitlines()[-3:])
        error = UnknownTokenizer if _UNKNOWN_TOKENIZER in output else StudioError
        raise error(
            f"{_CONVERT_SCRIPT} failed (exit {done.returncode}): {tail}",
            where=str(llama_cpp_dir),
            hint="it needs the packages of llama.cpp/requirements/requirements-convert_hf_to_gguf.txt "
            "and knows only the BPE pre-tokenizers listed in its convert_hf_to_gguf_update.py",
        )


def _write(
    source_dir: Path,
    target: Path,
    quant: str,
    converter: Path | None,
    name: str,
    progress: Progress | None,
) -> tuple[str, dict | None, dict, list[str]]:
    """Make the GGUF at `target` with the built-in writer, or with the llama.cpp checkout
    `converter` when given; return (method, expected tensors, expected metadata, warnings)."""
    from core.export.writer import write_llama_gguf

    direct = NATIVE_TYPES if converter is None else CONVERTER_TYPES
    base_quant = quant if quant in direct else "f16"
    with contextlib.ExitStack() as stack:
        first = (
            target if base_quant == quant else stack.enter_context(_scratch_file(target, ".f16"))
        )
        if converter is None:
            summary = write_llama_gguf(source_dir, first, base_quant, name=name, progress=progress)
            method, warnings = "built-in writer", summary.warnings
            same = quant == base_quant  # else the quantiser picks each tensor's type itself
            tensors: dict[str, tuple[tuple[int, ...], str | None]] | None = {
                t.gguf_name: (t.shape, t.qtype if same else None) for t in summary.planned
            }
            meta = {
                "general.architecture": "llama",
                "llama.block_count": summary.hparams["blocks"],
                "llama.embedding_length": summary.hparams["hidden"],
                "tokenizer.ggml.tokens": summary.vocab_size,
                "tokenizer.chat_template": summary.chat_template,
            }
        else:
            convert_with_llama_cpp(converter, source_dir, first, base_quant, progress)
            method, warnings, tensors, meta = f"llama.cpp {_CONVERT_SCRIPT}", [], None, {}
        if quant != base_quant:
            if progress:
                progress(0, 0, f"quantising to {quant.upper()} with llama.cpp")
            warnings = warnings + quantise(first, target, quant)
            method += " + llama.cpp quantiser"
    return method, tensors, meta, warnings


def _write_either(
    source_dir: Path,
    target: Path,
    quant: str,
    model_type: str,
    checkout: Path | None,
    name: str,
    progress: Progress | None,
) -> tuple[str, dict | None, dict, list[str]]:
    """llama.cpp's converter; the built-in writer for a Llama model when there is no converter or
    it does not know the model's tokenizer (the demo's own vocabulary) and the writer reads it."""
    if checkout is not None:
        try:
            return _write(source_dir, target, quant, checkout, name, progress)
        except UnknownTokenizer:
            if model_type != "llama" or not reads_tokenizer(source_dir):
                raise
    return _write(source_dir, target, quant, None, name, progress)


# --- checking ------------------------------------------------------------------------------------


def _verify(
    path: Path,
    source_dir: Path,
    quant: str,
    model_type: str,
    tensors,
    meta,
    progress: Progress | None,
) -> tuple[int, list[gguf_verify.LogitCheck], list[str]]:
    """Read back and compare logits; raise StudioError (naming every figure) if a check fails."""
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    if progress:
        progress(0, 0, "reading the file back")
    count = gguf_verify.check_structure(path, tensors, meta)
    warnings: list[str] = []
    if not gguf_verify.fits_in_memory(source_dir):
        return count, [], ["logits not compared: the model does not fit in memory three times over"]
    if progress:
        progress(0, 0, "computing the merged model's logits")
    prompts = gguf_verify.VERIFY_PROMPTS
    ids, ref = gguf_verify.reference_logits(source_dir, prompts)
    checks = []
    why_not = gguf_verify.llama_cpp_available()
    if why_not is None:  # the runtime the file is for (llama.cpp, LM Studio, Ollama) checks it
        if progress:
            progress(0, 0, "comparing logits through llama.cpp")
        checks.append(gguf_verify.llama_cpp_check(path, quant, prompts, ids, ref))
    elif (
        model_type in GGUF_SUPPORTED_ARCHITECTURES
        or model_type.replace("_", "-") in GGUF_SUPPORTED_ARCHITECTURES
    ):  # without llama.cpp, transformers' GGUF loader (slow: it dequantises the whole file)
        if progress:
            progress(0, 0, "comparing logits through transformers' GGUF loader")
        try:
            checks.append(gguf_verify.transformers_check(path, quant, prompts, ids, ref))
        except (TypeError, ValueError, KeyError, RuntimeError) as err:
            # transformers' GGUF reader lags llama.cpp's files (gpt-oss's array fields, MXFP4);
            # what it has no reader for raises a subclass of RuntimeError
            why_not += f"; transformers cannot read this {model_type!r} file ({err})"
    else:
        why_not += f"; transformers cannot load {model_type!r} GGUF files"
    if not checks:
        raise StudioError(
            f"no way to check the exported {model_type!r} file: {why_not}",
            hint="pip install llama-cpp-python",
        )
    failed = [c for c in checks if not c.passed]
    if failed:
        raise StudioError(
            "the exported file does not answer like the merged model: "
            + "; ".join(c.line() for c in failed),
            where=str(source_dir),
        )
    for check in checks:
        if not check.tokens_match:
            warnings.append(f"{check.backend}'s tokenizer for this file gives other token ids")
    return count, checks, warnings


def _readable(path: Path) -> None:
    """Give a finished file the usual permissions (temp files are created private)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _modelfile_parts(source_dir: Path) -> tuple[str | None, list[str], str, list[str]]:
    """(Go TEMPLATE or None, stop strings, a note for the Modelfile, warnings)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source_dir, local_files_only=True)
    eos = [tokenizer.eos_token] if tokenizer.eos_token else []
    original = read_chat_template(source_dir)
    if original is None:
        note = "The tokenizer has no chat template, so there is no TEMPLATE."
        return (
            None,
            eos,
            note,
            ["the tokenizer has no chat template: the Modelfile has no TEMPLATE"],
        )

    def render(messages: list[dict], generation: bool, template: str | None = None) -> str:
        text = tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=generation, chat_template=template
        )
        return str(text)

    try:
        stripped = strip_generation_tags(original)
        for messages in modelfile.SAMPLE_CONVERSATIONS:
            if render(messages, True) != render(messages, True, stripped):
                raise modelfile.TemplateError("without {% generation %} it renders differently")
        fmt = modelfile.derive_turn_format(render)
        template = modelfile.go_template(fmt)
        modelfile.check_go_template(template, render)
    except modelfile.TemplateError as err:
        note = "The chat template could not be translated to a Go template: no TEMPLATE."
        return None, eos, note, [f"no TEMPLATE in the Modelfile: {err}"]
    stops = modelfile.stop_strings(fmt, tokenizer.eos_token) + _extra_stops(source_dir, tokenizer)
    return template, list(dict.fromkeys(stops)), "", []


def _extra_stops(source_dir: Path, tokenizer) -> list[str]:
    """Token texts of generation_config.json's eos ids (a model may stop on several)."""
    path = source_dir / "generation_config.json"
    if not path.is_file():
        return []
    ids = json.loads(path.read_text(encoding="utf-8")).get("eos_token_id")
    ids = ids if isinstance(ids, list) else [ids] if isinstance(ids, int) else []
    return [t for t in tokenizer.convert_ids_to_tokens(ids) if t]


def _write_companions(result: ExportResult, source_dir: Path, context_length: int) -> None:
    """Write the Modelfile and README.txt beside the GGUF."""
    template, stops, note, warnings = _modelfile_parts(source_dir)
    result.warnings += warnings
    name = result.gguf_path.name
    text = modelfile.modelfile_text(
        name, result.modelfile_path.name, template, stops, context_length, note
    )
    atomic_write_text(result.modelfile_path, text)
    checked = [
        f"{result.quant.upper()}, {result.size_bytes / 2**20:.1f} MiB, {result.tensor_count} tensors, "
        f"written by the {result.method}",
        *result.summary_lines()[1:-1],
    ]
    readme = modelfile.readme_text(name, result.modelfile_path.name, result.quant, checked)
    atomic_write_text(result.readme_path, readme)
    _readable(result.modelfile_path)
    _readable(result.readme_path)


# --- the stage -----------------------------------------------------------------------------------


def _make_and_check(
    source_dir: Path,
    tmp: Path,
    quant: str,
    model_type: str,
    checkout: Path | None,
    name: str,
    progress: Progress | None,
    smoke: bool,
    final: Path,
) -> ExportResult:
    """Write the GGUF to `tmp`, check it and smoke-test it (the caller renames it into place as
    `final`; a check that crashes keeps it as final's unverified name)."""
    started = time.perf_counter()
    method, tensors, meta, warnings = _write_either(
        source_dir, tmp, quant, model_type, checkout, name, progress
    )
    write_seconds = time.perf_counter() - started
    try:
        count, checks, more = _verify(tmp, source_dir, quant, model_type, tensors, meta, progress)
    except NativeCrash as err:
        raise _kept_unverified(err, tmp, final) from err
    report = None
    if smoke:
        if progress:
            progress(0, 0, "smoke test: AutoHotkey v2 prompts")
        try:
            report = gguf_verify.smoke_test(tmp, source_dir)
        except (StudioError, ValueError, RuntimeError) as err:  # informative only: keep the file
            more.append(f"the smoke test could not run: {err}")
    return ExportResult(
        gguf_path=tmp,
        modelfile_path=tmp,
        readme_path=tmp,
        quant=quant,
        method=method,
        architecture=model_type,
        tensor_count=count,
        size_bytes=tmp.stat().st_size,
        write_seconds=write_seconds,
        seconds=0.0,
        checks=checks,
        smoke=report,
        warnings=warnings + more,
    )


def _try_lock(lock: Path) -> int | None:
    """An open descriptor holding `lock` (created when missing), or None when another holds it."""
    import fcntl

    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _exporting(lock: Path) -> bool:
    """Whether an export holds `lock` now."""
    if not lock.exists():
        return False
    fd = _try_lock(lock)
    if fd is None:
        return True
    os.close(fd)
    return False


def _clear_leftovers(folder: Path, mine: str) -> None:
    """Remove the temporary files (`.<name>.*.tmp`, `..<name>.*.f16`) that killed exports left
    in `folder`: those of `mine` (whose lock the caller holds) and of every name no export
    holds the lock of now."""
    owners: dict[str, list[Path]] = {}
    for path in folder.glob(".*.gguf.*"):
        if path.suffix in (".tmp", ".f16"):
            name = path.name.lstrip(".").split(".gguf.", 1)[0] + ".gguf"
            owners.setdefault(name, []).append(path)
    for name, leftovers in owners.items():
        if name == mine or not _exporting(folder / f".{name}.lock"):
            for path in leftovers:
                path.unlink(missing_ok=True)


@contextlib.contextmanager
def _export_lock(out_path: Path) -> Iterator[None]:
    """Hold `.<name>.lock` beside the output while exporting it; once held, the temporary files
    that killed exports left in the folder are removed (`_clear_leftovers`). The lock file goes
    when the export ends (a second exporter is refused at once, never waits; the studio also
    runs one export of a run at a time)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    lock = out_path.parent / f".{out_path.name}.lock"
    fd = _try_lock(lock)
    if fd is None:
        raise StudioError(f"{out_path.name} is being exported by another process")
    try:
        _clear_leftovers(out_path.parent, out_path.name)
        yield
    finally:
        lock.unlink(missing_ok=True)  # still held: nothing of the export stays in exports/
        os.close(fd)


def unverified_path(out_path: Path) -> Path:
    """Where a written file whose check crashed is kept: model-q8_0.unverified.gguf."""
    return out_path.with_name(f"{out_path.stem}.unverified{out_path.suffix}")


def _kept_unverified(err: NativeCrash, tmp: Path, final: Path) -> NativeCrash:
    """Keep the written file under its unverified name (nothing is lost) and say so in `err`."""
    kept = unverified_path(final)
    os.replace(tmp, kept)
    _readable(kept)
    err.message += f"; the file was written and is kept, unverified, as {kept.name}"
    return err


def export_gguf(
    source_dir: str | Path,
    out_path: str | Path,
    quant: str = "f16",
    overwrite: bool = False,
    progress: Progress | None = None,
    *,
    llama_cpp_dir: str | Path | None = None,
    smoke: bool = True,
    name: str | None = None,
) -> ExportResult:
    """Export the merged model in `source_dir` to a verified GGUF at `out_path`.

    quant: f32, f16, q8_0, q4_k_m or q4_0. progress(done, total, message) hears each tensor
    written (total > 0) and each later phase (total 0). The file takes its final name only once
    it has been read back and its logits compared; then <name>.Modelfile, <name>.README.txt and
    <name>.result.json are written beside it. Raises StudioError for anything a person can fix.
    """
    started = time.perf_counter()
    source_dir, out_path, quant = Path(source_dir), Path(out_path), quant.lower()
    config = _source_config(source_dir)
    _check_request(source_dir, out_path, quant, overwrite)
    adapter = provenance.merged_adapter(source_dir)  # read before the weights are
    model_type = str(config.get("model_type", "unknown"))
    checkout = find_llama_cpp(llama_cpp_dir)
    if model_type != "llama" and checkout is None:
        raise _needs_llama_cpp(model_type, source_dir, out_path, quant)
    name = name or (source_dir.parent.name if source_dir.name == "merged" else source_dir.name)
    try:
        with _export_lock(out_path), atomic_path(out_path) as tmp:
            result = _make_and_check(
                source_dir, tmp, quant, model_type, checkout, name, progress, smoke, out_path
            )
            _readable(tmp)
        result.gguf_path = out_path
        result.adapter = adapter
        result.modelfile_path = out_path.with_suffix(".Modelfile")
        result.readme_path = out_path.with_suffix(".README.txt")
        _write_companions(result, source_dir, int(config.get("max_position_embeddings") or 4096))
        result.seconds = time.perf_counter() - started
        atomic_write_text(result_path(out_path), json.dumps(result.to_dict(), indent=2) + "\n")
    except OSError as err:
        raise StudioError(
            f"cannot write {out_path}: {err.strerror or err}",
            where=str(out_path.parent),
            hint="choose a folder you can write to, with room for the file",
        ) from err
    return result


def export_run(
    run_dir: RunFolder | str | Path,
    quant: str = "f16",
    out_path: str | Path | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    llama_cpp_dir: str | Path | None = None,
    smoke: bool = True,
) -> ExportResult:
    """Export a run's merged/ folder (default output: <run-dir>/exports/model-<quant>.gguf)."""
    run = RunFolder.of(run_dir)
    merged = run.merged
    if not run.has_merged:
        raise StudioError(
            f"run {run.id} has no merged model",
            where=str(merged),
            hint=f"merge it first: python -m core.export.merge --run-dir {run_dir}",
        )
    target = Path(out_path) if out_path else default_output(run.path, quant.lower())
    return export_gguf(
        merged,
        target,
        quant,
        overwrite,
        progress,
        llama_cpp_dir=llama_cpp_dir,
        smoke=smoke,
        name=run.id,
    )


# --- CLI -----------------------------------------------------------------------------------------


def _cli_progress() -> Progress:
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def report(done: int, total: int, message: str) -> None:
        if total:
            if "bar" not in bar:
                bar["bar"] = tqdm(total=total, desc="tensors", unit="tensor")
            bar["bar"].set_postfix_str(message, refresh=False)
            bar["bar"].update(done - bar["bar"].n)
            return
        if "bar" in bar:
            bar.pop("bar").close()
        print(message, file=sys.stderr, flush=True)

    return report


@cli_main
def main(argv: list[str] | None = None) -> int:
    cancel_on_sigterm()  # a cancelled job unwinds: no temporary file is left behind
    parser = argparse.ArgumentParser(
        prog="python -m core.export", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--run-dir", required=True, type=Path, help="a run folder with merged/")
    parser.add_argument(
        "--quant", default="f16", choices=QUANTS, type=str.lower, help="tensor type (default f16)"
    )
    parser.add_argument(
        "--out", type=Path, help="the .gguf to write (default <run-dir>/exports/model-<quant>.gguf)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing file")
    parser.add_argument(
        "--llama-cpp",
        type=Path,
        help=f"a llama.cpp checkout, to convert architectures other than Llama (else ${LLAMA_CPP_ENV})",
    )
    parser.add_argument("--no-smoke", action="store_true", help="skip the AutoHotkey v2 smoke test")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = export_run(
        args.run_dir,
        args.quant,
        args.out,
        args.overwrite,
        _cli_progress(),
        args.llama_cpp,
        not args.no_smoke,
    )
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print("\n".join(result.summary_lines()))
    return 0
