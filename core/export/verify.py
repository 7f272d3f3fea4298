"""Checks of an exported GGUF: read it back, compare its logits with the merged model, smoke-test it.

- `check_structure`: gguf's reader sees the tensors and metadata that were meant to be written.
- `llama_cpp_check` / `transformers_check`: next-token logits of the GGUF (through llama.cpp, the
  runtime the file is for; through transformers' GGUF loader only where llama-cpp-python is
  missing) against the merged model, on a few prompts, with a tolerance that fits the
  quantisation, scaled by the size of the reference logits.
- `smoke_test`: a few AutoHotkey v2 requests answered by the GGUF, each answer judged by
  core/ahk/answer.py, the rule the Evaluate tab scores with: an answer without code is
  "no code", and one with error diagnostics is never clean.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.ahk.answer import NO_CODE, is_clean_v2, judge_answer
from core.errors import StudioError
from core.native import run_native

VERIFY_PROMPTS = [
    '#Requires AutoHotkey v2.0\n^j::MsgBox "Hello"\n',
    "Loop 5 {\n    ToolTip A_Index\n",
    "MyFunc(x, y) {\n    return",
]
SMOKE_PROMPTS = [
    "Write an AutoHotkey v2 hotkey: Ctrl+Alt+N opens Notepad.",
    "Write an AutoHotkey v2 function that returns the sum of the numbers in an array.",
    "Show the current time in a MsgBox with AutoHotkey v2.",
]
# Largest allowed |logit difference| per type, as a fraction of max(1, largest |reference logit|).
TOLERANCES = {
    "f32": 1e-3,
    "f16": 2e-2,
    "bf16": 6e-2,
    "q8_0": 0.1,
    "q6_k": 0.3,
    "q5_k_m": 0.4,
    "q4_k_m": 0.6,
    "q4_0": 0.6,
}


@dataclass
class LogitCheck:
    """Next-token logits of the GGUF against the merged model."""

    backend: str  # "transformers" or "llama.cpp"
    max_diff: float
    limit: float
    prompts: int
    argmax_agree: int
    tokens_match: bool  # the GGUF's own tokenizer gives the merged tokenizer's ids

    @property
    def passed(self) -> bool:
        return self.max_diff <= self.limit

    def line(self) -> str:
        verdict = "ok" if self.passed else "FAILED"
        tokens = "same token ids" if self.tokens_match else "DIFFERENT token ids"
        return (
            f"{self.backend}: max logit difference {self.max_diff:.3g} (limit {self.limit:.3g}) "
            f"over {self.prompts} prompts, same top token on {self.argmax_agree}/{self.prompts}, "
            f"{tokens}: {verdict}"
        )


@dataclass
class SmokeAnswer:
    """One answer and the checker's verdict on it as Evaluate shows it (core.ahk.answer): "no code",
    "v2", "v2 with errors", "v1", "mixed" or "unknown"; None when it was not checked."""

    prompt: str
    answer: str
    verdict: str | None
    errors: int
    warnings: int

    @property
    def clean_v2(self) -> bool:
        return is_clean_v2(self.verdict, self.errors)


@dataclass
class SmokeReport:
    """A few AutoHotkey v2 requests answered by the exported file."""

    backend: str
    checker: str  # "core.ahk" or "checker unavailable: <why>"
    answers: list[SmokeAnswer] = field(default_factory=list)

    def lines(self) -> list[str]:
        v2 = sum(a.clean_v2 for a in self.answers)
        head = f"smoke test ({self.backend}, {self.checker}): {v2}/{len(self.answers)} answers are clean v2"
        warning = no_code_warning([a.verdict for a in self.answers])
        heads = [head, f"  {warning}"] if warning else [head]
        return heads + [
            f"  {a.prompt[:50]!r}: {a.verdict or 'unchecked'}, {a.errors} errors -> {a.answer[:60]!r}"
            for a in self.answers
        ]

    def to_dict(self) -> dict:
        return asdict(self)


# --- reading back --------------------------------------------------------------------------------


def read_back(path: Path) -> tuple[dict[str, tuple[tuple[int, ...], str]], dict[str, object]]:
    """(tensors {name: (numpy-order shape, type name)}, scalar and string metadata) of a GGUF."""
    import gguf

    try:
        reader = gguf.GGUFReader(str(path))
    except (OSError, ValueError) as err:
        raise StudioError(f"gguf cannot read the exported file: {err}", where=str(path)) from err
    tensors = {
        t.name: (tuple(int(d) for d in reversed(t.shape)), t.tensor_type.name)
        for t in reader.tensors
    }
    meta = {}
    for key, value in reader.fields.items():
        meta[key] = value.contents() if len(value.types) == 1 else len(value.data)
    return tensors, meta


def check_structure(
    path: Path,
    expected_tensors: dict[str, tuple[tuple[int, ...], str | None]] | None,
    expected_meta: dict[str, object],
) -> int:
    """Raise StudioError unless the file holds the expected tensors and metadata; return the count.

    A tensor's expected type None accepts any type (the quantiser picks types itself). Array
    metadata compares by length (e.g. tokenizer.ggml.tokens -> the vocabulary size).
    """
    tensors, meta = read_back(path)
    if not tensors:
        raise StudioError("the exported file holds no tensors", where=str(path))
    if expected_tensors is not None:
        missing = sorted(set(expected_tensors) ^ set(tensors))
        wrong = sorted(
            name
            for name, (shape, qtype) in expected_tensors.items()
            if name in tensors
            and (tensors[name][0] != shape or qtype not in (None, tensors[name][1]))
        )
        if missing or wrong:
            raise StudioError(
                f"the exported tensors differ from the plan: missing or extra {missing[:5]}, "
                f"wrong shape or type {wrong[:5]}",
                where=str(path),
            )
    for key, want in expected_meta.items():
        got = meta.get(key)
        if isinstance(want, float) and isinstance(got, float):
            same = abs(got - want) <= 1e-6 * max(1.0, abs(want))
        else:
            same = got == want
        if not same:
            raise StudioError(f"metadata {key} is {got!r}, expected {want!r}", where=str(path))
    return len(tensors)


# --- logits --------------------------------------------------------------------------------------


def fits_in_memory(source_dir: Path, factor: float = 3.0) -> bool:
    """Whether float32 copies of the model fit in the free memory `factor` times over."""
    import psutil

    weights = sum(p.stat().st_size for p in Path(source_dir).glob("*.safetensors"))
    return psutil.virtual_memory().available > factor * 2 * weights  # bf16/f16 on disk -> f32


def reference_logits(source_dir: Path, prompts: list[str]):
    """(token ids per prompt, last-position logits per prompt) of the merged model, in float32."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source_dir, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(
        source_dir, dtype=torch.float32, local_files_only=True
    )
    ids = [tokenizer(p, add_special_tokens=True)["input_ids"] for p in prompts]
    with torch.no_grad():
        logits = [model(torch.tensor([i])).logits[0, -1].float() for i in ids]
    return ids, logits


def _compare(backend: str, quant: str, ref, got, tokens_match: bool) -> LogitCheck:
    import torch

    scale = max(1.0, max(float(r.abs().max()) for r in ref))
    diffs = [
        float((r - torch.as_tensor(g, dtype=torch.float32)).abs().max())
        for r, g in zip(ref, got, strict=True)
    ]
    agree = sum(
        int(r.argmax()) == int(torch.as_tensor(g).argmax()) for r, g in zip(ref, got, strict=True)
    )
    return LogitCheck(backend, max(diffs), TOLERANCES[quant] * scale, len(ref), agree, tokens_match)


def transformers_check(gguf_path: Path, quant: str, prompts: list[str], ids, ref) -> LogitCheck:
    """Load the GGUF with transformers' GGUF loader and compare its logits with `ref`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf_path.parent), gguf_path.name
    try:
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        raise StudioError(
            f"transformers cannot load the exported file: {err}", where=str(gguf_path)
        ) from err
    same = all(
        tokenizer(p, add_special_tokens=True)["input_ids"] == i
        for p, i in zip(prompts, ids, strict=True)
    )
    with torch.no_grad():
        got = [model(torch.tensor([i])).logits[0, -1] for i in ids]
    return _compare("transformers", quant, ref, got, same)


def llama_cpp_available() -> str | None:
    """None when llama-cpp-python loads, else why not. Its native library is tried in a child
    process (once per process, unless this one has loaded it already), so that a build for
    another CPU cannot take the studio down when the Export tab asks."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (pip install llama-cpp-python)"
    return None if "llama_cpp" in sys.modules else _llama_cpp_loads()


@functools.cache
def _llama_cpp_loads() -> str | None:
    try:
        run_native(_load_llama_cpp, what="loading llama-cpp-python", where="llama_cpp")
    except (ImportError, OSError, StudioError) as err:
        return f"llama-cpp-python does not load: {err}"
    return None


def _load_llama_cpp() -> None:
    """Load llama-cpp-python and its native library (in the child of llama_cpp_available)."""
    import llama_cpp  # noqa: F401


def load_llama(gguf_path: Path, n_ctx: int = 512, logits_all: bool = False):
    """The GGUF loaded in llama.cpp (CPU, quiet); logits_all keeps every position's logits."""
    import os

    from llama_cpp import Llama

    try:
        return Llama(
            model_path=str(gguf_path),
            n_ctx=n_ctx,
            n_threads=max(1, min(4, os.cpu_count() or 1)),
            logits_all=logits_all,
            verbose=False,
        )
    except (ValueError, RuntimeError) as err:
        raise StudioError(
            f"llama.cpp cannot load the exported file: {err}", where=str(gguf_path)
        ) from err


def llama_cpp_logits(llm, ids: list[int]):
    """Last-position logits of llama.cpp for a token sequence (`llm` loaded with logits_all)."""
    import numpy as np

    llm.reset()
    llm.eval(ids)
    return np.array(llm.scores[len(ids) - 1], dtype=np.float32)


def llama_cpp_check(gguf_path: Path, quant: str, prompts: list[str], ids, ref) -> LogitCheck:
    """Load the GGUF in llama.cpp (in a child process) and compare its logits with `ref`."""
    same, got = run_native(
        _llama_cpp_tokens_and_logits,
        gguf_path,
        prompts,
        [list(map(int, i)) for i in ids],
        what="comparing the exported file's logits",
        where=str(gguf_path),
    )
    return _compare("llama.cpp", quant, ref, got, same)


def _llama_cpp_tokens_and_logits(gguf_path: Path, prompts: list[str], ids: list[list[int]]):
    """(llama.cpp tokenises every prompt as `ids`, its last-position logits for each)."""
    llm = load_llama(gguf_path, n_ctx=max(64, 2 * max(map(len, ids))), logits_all=True)
    try:
        # add_bos=True adds BOS only where the file's tokenizer.ggml.add_bos_token asks for it
        same = all(
            llm.tokenize(p.encode(), add_bos=True, special=True) == i
            for p, i in zip(prompts, ids, strict=True)
        )
        return same, [llama_cpp_logits(llm, i) for i in ids]
    finally:
        llm.close()


# --- smoke test ----------------------------------------------------------------------------------


def no_code_warning(verdicts: list[str | None]) -> str | None:
    """A plain warning when most answers hold no code at all (gibberish or prose), else None."""
    no_code = sum(v == NO_CODE for v in verdicts)
    if no_code * 2 <= len(verdicts):
        return None
    return (
        f"{no_code} of {len(verdicts)} answers are not code at all (gibberish or prose): "
        "the model does not write AutoHotkey yet"
    )


def _answers_llama_cpp(gguf_path: Path, prompts: list[str], max_tokens: int) -> list[str]:
    """Greedy chat answers of the GGUF in llama.cpp, in a child process."""
    return run_native(
        _llama_cpp_answers,
        gguf_path,
        prompts,
        max_tokens,
        what="answering the smoke-test prompts",
        where=str(gguf_path),
    )


def _llama_cpp_answers(gguf_path: Path, prompts: list[str], max_tokens: int) -> list[str]:
    llm = load_llama(gguf_path, n_ctx=1024)
    try:
        return [
            llm.create_chat_completion(
                messages=[{"role": "user", "content": p}], max_tokens=max_tokens, temperature=0.0
            )["choices"][0]["message"]["content"]
            or ""
            for p in prompts
        ]
    finally:
        llm.close()


def _answers_transformers(
    gguf_path: Path, source_dir: Path, prompts: list[str], max_tokens: int
) -> list[str]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model: Any = AutoModelForCausalLM.from_pretrained(
        str(gguf_path.parent), gguf_file=gguf_path.name, dtype=torch.float32
    )
    tokenizer: Any = AutoTokenizer.from_pretrained(source_dir, local_files_only=True)
    answers = []
    for prompt in prompts:
        ids = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )["input_ids"]
        with torch.no_grad():
            out = model.generate(
                ids, max_new_tokens=max_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id
            )
        answers.append(tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True))
    return answers


def smoke_test(
    gguf_path: Path, source_dir: Path, prompts: list[str] = SMOKE_PROMPTS, max_tokens: int = 64
) -> SmokeReport:
    """Answer `prompts` with the exported file and judge each answer as Evaluate does."""
    if llama_cpp_available() is None:
        backend, answers = "llama.cpp", _answers_llama_cpp(gguf_path, prompts, max_tokens)
    else:
        backend = "transformers GGUF loader"
        answers = _answers_transformers(gguf_path, source_dir, prompts, max_tokens)
    try:
        import core.ahk.check  # noqa: F401
    except ImportError as err:
        report = SmokeReport(backend, f"checker unavailable: {err}")
        report.answers = [
            SmokeAnswer(p, a, None, 0, 0) for p, a in zip(prompts, answers, strict=True)
        ]
        return report
    report = SmokeReport(backend, "core.ahk")
    for prompt, answer in zip(prompts, answers, strict=True):
        judged = judge_answer(answer)
        report.answers.append(
            SmokeAnswer(prompt, answer, judged.verdict, judged.errors, judged.warnings)
        )
    return report
