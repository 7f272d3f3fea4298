"""Export: the tiny model to GGUF in each type, read back, logits compared, Modelfile, bad inputs."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from core.ahk.answer import judge_answer
from core.errors import StudioError
from core.export import gguf as export
from core.export import modelfile, provenance
from core.export import verify as gguf_verify
from core.export.writer import permute_for_rope, strip_generation_tags

pytestmark = pytest.mark.slow


def export_each(tiny_model: Path, folder: Path, quants: tuple[str, ...]) -> dict:
    """The tiny model exported once per type in `quants` to folder/tiny-<quant>.gguf (the smoke
    test on the F16 file only): {quant: ExportResult}. The llama.cpp tests use it too."""
    return {
        quant: export.export_gguf(
            tiny_model, folder / f"tiny-{quant}.gguf", quant, smoke=quant == "f16"
        )
        for quant in quants
    }


@pytest.fixture(scope="module")
def exports(tiny_model: Path, tmp_path_factory) -> dict[str, export.ExportResult]:
    """The tiny model exported once per built-in type."""
    return export_each(tiny_model, tmp_path_factory.mktemp("exports"), ("f32", "f16", "q8_0"))


@pytest.fixture
def run_dir(tmp_path: Path, tiny_model: Path) -> Path:
    """A run folder whose merged/ is the tiny model (a Llama Hugging Face folder)."""
    run = tmp_path / "runs" / "run-1"
    run.mkdir(parents=True)
    (run / "merged").symlink_to(tiny_model, target_is_directory=True)
    return run


# --- the files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("quant", ["f32", "f16", "q8_0"])
def test_each_type_reads_back_and_answers_like_the_merged_model(exports, tiny_model, quant):
    result = exports[quant]
    tensors, meta = gguf_verify.read_back(result.gguf_path)
    config = json.loads((tiny_model / "config.json").read_text())
    assert result.tensor_count == len(tensors) == 2 + 9 * config["num_hidden_layers"]
    assert "output.weight" not in tensors  # tied embeddings: llama.cpp reuses token_embd
    assert tensors["blk.0.attn_k.weight"][0] == (64, 128)
    assert (
        tensors["blk.0.ffn_down.weight"][1] == {"f32": "F32", "f16": "F16", "q8_0": "Q8_0"}[quant]
    )
    assert tensors["output_norm.weight"][1] == "F32"
    assert meta["general.architecture"] == "llama"
    assert meta["llama.attention.head_count_kv"] == config["num_key_value_heads"]
    assert meta["tokenizer.ggml.tokens"] == config["vocab_size"]
    print(f"{quant}: {result.size_bytes} bytes, written in {result.write_seconds:.2f} s")
    for check in result.checks:
        print(f"  {check.line()}")
        assert check.passed and check.tokens_match
    assert [c.backend for c in result.checks] == ["llama.cpp"]  # the runtime the file is for
    check = result.checks[0]
    if quant != "q8_0":  # rounding may reorder near-tied logits of the untrained model
        assert check.argmax_agree == check.prompts


def test_file_sizes_shrink_with_the_type(exports):
    sizes = {q: r.size_bytes for q, r in exports.items()}
    assert sizes["f32"] > sizes["f16"] > sizes["q8_0"]


def test_tokenizer_metadata_works_around_transformers_bos_quirk(exports, tiny_model):
    _, meta = gguf_verify.read_back(exports["f16"].gguf_path)
    eos = json.loads((tiny_model / "config.json").read_text())["eos_token_id"]
    assert meta["tokenizer.ggml.model"] == "gpt2"
    assert meta["tokenizer.ggml.pre"] == "gpt-2"
    assert meta["tokenizer.ggml.eos_token_id"] == eos
    assert meta["tokenizer.ggml.bos_token_id"] == eos  # no BOS token: EOS stands in
    assert meta["tokenizer.ggml.add_bos_token"] is False


def test_a_tokenizer_that_adds_bos_keeps_it(tiny_model, tmp_path):
    model = tmp_path / "with-bos"
    shutil.copytree(tiny_model, model)
    data = json.loads((model / "tokenizer.json").read_text())
    bos = {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}
    data["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [
            bos,
            {"Sequence": {"id": "A", "type_id": 0}},
            {"Sequence": {"id": "B", "type_id": 1}},
        ],
        "special_tokens": {
            "<|endoftext|>": {"id": "<|endoftext|>", "ids": [0], "tokens": ["<|endoftext|>"]}
        },
    }
    (model / "tokenizer.json").write_text(json.dumps(data))
    config = json.loads((model / "tokenizer_config.json").read_text())
    (model / "tokenizer_config.json").write_text(
        json.dumps({**config, "bos_token": "<|endoftext|>"})
    )

    result = export.export_gguf(model, tmp_path / "m.gguf", "f16", smoke=False)
    meta = gguf_verify.read_back(result.gguf_path)[1]
    assert meta["tokenizer.ggml.bos_token_id"] == 0 and meta["tokenizer.ggml.add_bos_token"] is True
    assert all(check.passed for check in result.checks)
    assert [(c.backend, c.tokens_match) for c in result.checks] == [("llama.cpp", True)]


def test_without_llama_cpp_the_file_is_checked_through_transformers(
    tiny_model, tmp_path, monkeypatch
):
    monkeypatch.setattr(gguf_verify, "llama_cpp_available", lambda: "llama-cpp-python is absent")
    result = export.export_gguf(tiny_model, tmp_path / "m.gguf", "f32", smoke=False)
    [check] = result.checks
    assert check.backend == "transformers" and check.passed and check.tokens_match
    assert check.max_diff <= 1e-5 and check.argmax_agree == check.prompts  # the same f32 numbers


def test_embedded_chat_template_has_no_generation_markers_and_renders_the_same(exports, tiny_model):
    from transformers import AutoTokenizer

    _, meta = gguf_verify.read_back(exports["f16"].gguf_path)
    embedded = meta["tokenizer.chat_template"]
    assert not re.search(r"\{%-?\s*(end)?generation", embedded)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    for messages in modelfile.SAMPLE_CONVERSATIONS:
        expected = tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        assert _plain_jinja(embedded, messages) == expected


def _plain_jinja(template: str, messages: list[dict]) -> str:
    """Render as a plain Jinja2 consumer would (no transformers extensions)."""
    import jinja2.sandbox

    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(template).render(messages=messages, add_generation_prompt=True)


def test_modelfile_template_renders_conversations_like_the_tokenizer(exports, tiny_model):
    from transformers import AutoTokenizer

    result = exports["q8_0"]
    text = result.modelfile_path.read_text()
    assert f"FROM ./{result.gguf_path.name}\n" in text
    template = re.search(r'TEMPLATE """(.*?)"""', text, re.S).group(1)
    stops = re.findall(r"^PARAMETER stop (.*)$", text, re.M)
    assert [json.loads(s) for s in stops] == ["<|return|>", "<|start|>user<|message|>", "<|end|>"]
    assert re.search(r"^PARAMETER num_ctx \d+$", text, re.M)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    conversations = [
        *modelfile.SAMPLE_CONVERSATIONS,
        [{"role": "user", "content": 'Quotes " and {{ braces }} and \\ backslash\n\ttab'}],
    ]
    for messages in conversations:
        expected = tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        assert modelfile.render_go_template(template, messages) == expected


def test_readme_explains_lm_studio_llama_cpp_and_ollama(exports):
    result = exports["f16"]
    text = result.readme_path.read_text()
    for needle in (
        "LM Studio",
        "llama-cli -m tiny-f16.gguf",
        "llama-server",
        "ollama create",
        result.modelfile_path.name,
        "max logit difference",
    ):
        assert needle in text
    assert result.gguf_path.stat().st_mode & 0o044 == 0o044  # readable like any other file


def test_smoke_test_answers_ahk_prompts_with_the_exported_file(exports):
    result = exports["f16"]
    report = result.smoke
    expected_backend = (
        "llama.cpp" if gguf_verify.llama_cpp_available() is None else "transformers GGUF loader"
    )
    assert (report.backend, report.checker) == (expected_backend, "core.ahk")
    assert [answer.prompt for answer in report.answers] == gguf_verify.SMOKE_PROMPTS
    for answer in report.answers:  # each verdict is the one Evaluate gives the answer
        judged = judge_answer(answer.answer)
        assert (answer.verdict, answer.errors, answer.warnings) == (
            judged.verdict,
            judged.errors,
            judged.warnings,
        )
    clean = sum(a.clean_v2 for a in report.answers)
    head = f"smoke test ({expected_backend}, core.ahk): {clean}/3 answers are clean v2"
    assert head in result.summary_lines()
    saved = export.follow_result(result.gguf_path).report  # the file beside the GGUF says the same
    assert saved == json.loads(json.dumps(result.to_dict()))


def test_a_smoke_test_that_cannot_run_is_a_warning_not_a_failure(tiny_model, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the chat template uses strftime_now")

    monkeypatch.setattr(gguf_verify, "smoke_test", broken)
    result = export.export_gguf(tiny_model, tmp_path / "m.gguf", "q8_0")
    assert result.gguf_path.is_file() and result.smoke is None
    assert result.warnings == ["the smoke test could not run: the chat template uses strftime_now"]


# --- the writer's pieces -------------------------------------------------------------------------


def test_rope_permutation_interleaves_each_heads_halves():
    # one head of 4 rows (2 rotary pairs), HF order [x0, x1, y0, y1] -> llama.cpp [x0, y0, x1, y1]
    rows = np.array([[10.0], [11.0], [20.0], [21.0], [30.0], [31.0], [40.0], [41.0]])
    assert permute_for_rope(rows, heads=2).ravel().tolist() == [10, 20, 11, 21, 30, 40, 31, 41]


def test_an_export_without_the_rope_permutation_fails_loudly(tiny_model, tmp_path, monkeypatch):
    monkeypatch.setattr("core.export.writer.permute_for_rope", lambda weights, heads: weights)
    out = tmp_path / "broken.gguf"
    with pytest.raises(StudioError, match="does not answer like the merged model"):
        export.export_gguf(tiny_model, out, "f32", smoke=False)
    assert list(tmp_path.iterdir()) == []


def test_strip_generation_tags_keeps_the_rendered_whitespace():
    template = "A\n  {% generation %}\nB{%- endgeneration -%}  \nC{% generation %}D"
    assert strip_generation_tags(template) == "A\nBC" + "D"
    assert strip_generation_tags("x{%- generation %}y") == "xy"


def test_turn_format_of_a_chatml_template():
    import jinja2.sandbox

    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    chatml = env.from_string(
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )

    def render(messages, generation):
        return chatml.render(messages=messages, add_generation_prompt=generation)

    fmt = modelfile.derive_turn_format(render)
    assert fmt.user == ("<|im_start|>user\n", "<|im_end|>\n")
    assert fmt.generation == "<|im_start|>assistant\n"
    template = modelfile.go_template(fmt)
    modelfile.check_go_template(template, render)
    assert modelfile.stop_strings(fmt, "<|im_end|>") == ["<|im_end|>", "<|im_start|>user"]


def test_a_template_that_cannot_be_translated_is_reported():
    def render(messages, generation):  # the content appears twice: no literal turn format
        return "".join(m["content"] * 2 for m in messages)

    with pytest.raises(modelfile.TemplateError):
        modelfile.derive_turn_format(render)


def test_go_renderer_trims_whitespace_like_go():
    template = 'a  \n{{- "b" -}}\n  c{{ if eq 1 1 }}d{{ else }}e{{ end }}'
    assert modelfile.render_go_template(template, []) == "abcd"


# --- requests that must be refused ---------------------------------------------------------------


def test_refuses_to_overwrite_unless_asked(exports, tiny_model):
    existing = exports["q8_0"].gguf_path
    before = existing.read_bytes()
    with pytest.raises(StudioError, match=r"already exists.*--overwrite"):
        export.export_gguf(tiny_model, existing, "q8_0")
    assert existing.read_bytes() == before


def test_overwrite_replaces_the_file(tiny_model, tmp_path):
    out = tmp_path / "m.gguf"
    out.write_bytes(b"old")
    result = export.export_gguf(tiny_model, out, "f16", overwrite=True, smoke=False)
    assert result.size_bytes == out.stat().st_size > 3


def test_available_quants_name_why_q4_needs_llama_cpp(monkeypatch, tiny_model, tmp_path):
    monkeypatch.setattr(gguf_verify, "llama_cpp_available", lambda: "not installed")
    assert export.available_quants() == {
        "f32": None,
        "f16": None,
        "bf16": "not installed",  # the built-in writer has no BF16: the quantiser makes it
        "q8_0": None,
        "q6_k": "not installed",
        "q5_k_m": "not installed",
        "q4_k_m": "not installed",
        "q4_0": "not installed",
    }
    with pytest.raises(StudioError, match=r"Q4_0 needs llama\.cpp's quantiser: not installed"):
        export.export_gguf(tiny_model, tmp_path / "m.gguf", "q4_0")


def test_a_run_without_merged_model_is_a_clear_error(tmp_path):
    run = tmp_path / "run-2"
    run.mkdir()
    with pytest.raises(StudioError, match=r"has no merged model.*core.export.merge"):
        export.export_run(run, "f16")


@pytest.mark.parametrize("quant", ["q3_k", "fp8", ""])
def test_an_unknown_quant_type_is_a_clear_error(tiny_model, tmp_path, quant):
    with pytest.raises(
        StudioError, match=r"unknown quantisation.*f32, f16, bf16, q8_0, q6_k, q5_k_m, q4_k_m, q4_0"
    ):
        export.export_gguf(tiny_model, tmp_path / "m.gguf", quant)


def test_the_output_must_be_a_gguf_file(tiny_model, tmp_path):
    with pytest.raises(StudioError, match=r"must be a \.gguf file"):
        export.export_gguf(tiny_model, tmp_path / "model.bin", "f16")


def test_a_read_only_output_folder_is_a_clear_error(tiny_model, tmp_path, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    if not immutable:  # no chattr here: fail the temp file's creation as a read-only folder would

        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr("core.fsutil.tempfile.mkstemp", refuse)
    try:
        with pytest.raises(StudioError, match=r"cannot write .*(Permission denied|not permitted)"):
            export.export_gguf(tiny_model, folder / "m.gguf", "f16", smoke=False)
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "failure",
    [KeyboardInterrupt(), OSError(28, "No space left on device")],
    ids=["interrupt", "full"],
)
def test_an_interrupted_or_full_disk_export_leaves_no_file(tiny_model, tmp_path, failure):
    def progress(done, total, message):
        if total and done == 5:
            raise failure

    out = tmp_path / "m.gguf"
    expected = KeyboardInterrupt if isinstance(failure, KeyboardInterrupt) else StudioError
    with pytest.raises(expected):
        export.export_gguf(tiny_model, out, "f16", progress=progress, smoke=False)
    assert list(tmp_path.iterdir()) == []


def test_progress_is_reported_tensor_by_tensor(tiny_model, tmp_path):
    calls = []
    export.export_gguf(
        tiny_model, tmp_path / "m.gguf", "q8_0", smoke=False, progress=lambda *a: calls.append(a)
    )
    tensor_calls = [c for c in calls if c[1]]
    assert [c[0] for c in tensor_calls] == list(range(1, 39))
    assert {c[1] for c in tensor_calls} == {38}
    assert any("through llama.cpp" in c[2] for c in calls if not c[1])  # the check, named


def test_other_architectures_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv(export.LLAMA_CPP_ENV, raising=False)
    monkeypatch.setattr("core.models.registry.llama_cpp_share", lambda: tmp_path / "nothing")
    model = tmp_path / "qwen"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "qwen2"}))
    with pytest.raises(StudioError) as err:
        export.export_gguf(model, tmp_path / "out" / "q.gguf", "f16")
    text = str(err.value)
    assert "'qwen2'" in text and "scripts/install-llama-cpp.sh" in text
    assert "convert_hf_to_gguf.py" in text and "--outtype f16" in text and "--llama-cpp" in text


def test_a_checkout_without_the_converter_is_refused(tmp_path, tiny_model):
    with pytest.raises(StudioError, match=r"no convert_hf_to_gguf\.py in"):
        export.export_gguf(tiny_model, tmp_path / "m.gguf", "f16", llama_cpp_dir=tmp_path)


FAKE_CONVERTER = """
import json, shutil, sys
from pathlib import Path
source, out, outtype = sys.argv[1], sys.argv[sys.argv.index("--outfile") + 1], sys.argv[sys.argv.index("--outtype") + 1]
record = {"argv": sys.argv[1:], "template": (Path(source) / "chat_template.jinja").read_text()}
Path(__file__).with_name("record.json").write_text(json.dumps(record))
shutil.copyfile(Path(__file__).with_name(f"prebuilt-{outtype}.gguf"), out)
"""


def test_other_architectures_run_llama_cpps_converter(tmp_path, tiny_model, exports):
    # A Mistral folder (the tiny Llama's weights: same layout and maths) and a stand-in checkout
    # whose converter records its arguments and writes the GGUF the built-in writer made.
    model = tmp_path / "mistral"
    shutil.copytree(tiny_model, model)
    config = json.loads((model / "config.json").read_text())
    config.update(model_type="mistral", architectures=["MistralForCausalLM"], sliding_window=None)
    (model / "config.json").write_text(json.dumps(config))
    checkout = tmp_path / "llama.cpp"
    checkout.mkdir()
    (checkout / "convert_hf_to_gguf.py").write_text(FAKE_CONVERTER)
    shutil.copyfile(exports["f16"].gguf_path, checkout / "prebuilt-f16.gguf")

    result = export.export_gguf(
        model, tmp_path / "out" / "m.gguf", "f16", llama_cpp_dir=checkout, smoke=False
    )
    record = json.loads((checkout / "record.json").read_text())
    assert record["argv"][1:3] == ["--outfile", record["argv"][2]] and record["argv"][-2:] == [
        "--outtype",
        "f16",
    ]
    assert not re.search(r"\{%-?\s*(end)?generation", record["template"])  # stripped for it
    assert result.method == "llama.cpp convert_hf_to_gguf.py"
    assert all(check.passed for check in result.checks) and result.checks
    assert result.modelfile_path.is_file()


def test_the_result_records_the_adapter_the_merged_model_holds(tiny_model, tmp_path):
    merged = tmp_path / "merged"
    merged.mkdir()
    for item in tiny_model.iterdir():
        (merged / item.name).symlink_to(item)
    adapter = {"sha256": "ab" * 32, "step": 12}
    provenance.write_merged(merged, adapter)
    result = export.export_gguf(merged, tmp_path / "m.gguf", "f16", smoke=False)
    assert result.adapter == adapter
    assert export.follow_result(tmp_path / "m.gguf").report["adapter"] == adapter


def test_cli_exports_a_run_and_refuses_a_second_time(run_dir, capsys):
    assert export.main(["--run-dir", str(run_dir), "--quant", "F16", "--no-smoke"]) == 0
    out = capsys.readouterr().out
    target = run_dir / "exports" / "model-f16.gguf"
    assert target.is_file() and (run_dir / "exports" / "model-f16.Modelfile").is_file()
    assert "max logit difference" in out
    assert export.main(["--run-dir", str(run_dir), "--quant", "q8_0", "--no-smoke", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gguf_path"].endswith("model-q8_0.gguf") and data["quant"] == "q8_0"
    assert (
        export.follow_result(run_dir / "exports" / "model-q8_0.gguf").report == data
    )  # kept beside it
    assert data["checks"] and all(check["passed"] for check in data["checks"])
    assert export.main(["--run-dir", str(run_dir), "--quant", "f16", "--no-smoke"]) == 1
    assert "error:" in capsys.readouterr().err


def test_the_result_file_is_read_again_only_when_it_changed(tmp_path):
    gguf = tmp_path / "model-f16.gguf"
    assert export.follow_result(gguf) == export.SavedResult(None)
    export.result_path(gguf).write_text(json.dumps({"quant": "f16"}))
    first = export.follow_result(gguf)
    assert first.report == {"quant": "f16"} and export.follow_result(gguf, first) is first
    export.result_path(gguf).write_text(json.dumps({"quant": "f16", "size_bytes": 10}))
    second = export.follow_result(gguf, first)
    assert second.report == {"quant": "f16", "size_bytes": 10} and second.stamp != first.stamp
    export.result_path(gguf).write_text('{"quant": ')  # cut short
    assert (
        export.follow_result(gguf, second).report is None
        and export.follow_result(gguf).report is None
    )


def test_cli_runs_as_a_module(run_dir):
    done = subprocess.run(
        [sys.executable, "-m", "core.export", "--run-dir", str(run_dir / "missing")],
        capture_output=True,
        text=True,
        cwd=Path(export.__file__).parents[2],
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and "merged model" in done.stderr


def cli_export(run_dir: Path, **pipes) -> subprocess.Popen:
    """`python -m core.export` of the run's F16 GGUF, started in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "core.export", "--run-dir", str(run_dir), "--quant", "f16"],
        cwd=Path(export.__file__).parents[2],
        stdout=subprocess.DEVNULL,
        **pipes,
    )


def test_a_cancelled_cli_export_leaves_nothing_behind(run_dir):
    exports = run_dir / "exports"
    child = cli_export(run_dir, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (exports.is_dir() and any(exports.iterdir())) and child.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130 and "interrupted" in err
    assert list(exports.iterdir()) == []


def test_a_killed_export_leaves_a_temporary_file_that_the_next_export_removes(run_dir):
    exports = run_dir / "exports"
    child = cli_export(run_dir, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not [p for p in exports.glob(".model-f16.gguf.*.tmp") if p.stat().st_size]:
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.01)
    child.kill()  # mid-write, as an out-of-memory kill would: nothing of its own can clean up
    child.wait(timeout=60)
    assert list(exports.glob("*.tmp")), "the killed export left no temporary file to clean up"
    export.export_run(run_dir, "q8_0", smoke=False)  # another type: it clears the f16 leftover
    assert sorted(p.name for p in exports.iterdir() if p.suffix in (".tmp", ".f16")) == []
    assert (exports / "model-q8_0.gguf").is_file()


def test_the_temporary_files_of_an_export_running_now_are_kept(tiny_model, tmp_path):
    import fcntl
    import os

    busy, left = tmp_path / ".model-f16.gguf.abc123.tmp", tmp_path / ".model-q4_0.gguf.def.tmp"
    scratch = tmp_path / "..model-q4_k_m.gguf.x1.tmp.y2.f16"
    for path in (busy, left, scratch):
        path.write_bytes(b"half a file")
    fd = os.open(tmp_path / ".model-f16.gguf.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as the f16 export holds it while it writes
    try:
        export.export_gguf(tiny_model, tmp_path / "model-q8_0.gguf", "q8_0", smoke=False)
    finally:
        os.close(fd)
    assert busy.exists() and not left.exists() and not scratch.exists()
