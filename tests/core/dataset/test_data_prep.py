"""core.data_prep: the seed's to_harmony, the converter, and its errors with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.dataset.data_prep import (
    SYSTEM_PROMPT,
    chat_file_name,
    convert_file,
    main,
    to_alpaca,
    to_harmony,
    write_chat,
)
from core.errors import StudioError


def jsonl(path: Path, rows: list) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_to_harmony_builds_system_user_assistant_with_stripped_text():
    assert to_harmony("  Write a hotkey\n", "\n^j::Send('x')\n\n") == {
        "messages": [
            {"role": "system", "content": "Reasoning medium. You are a helpful assistant."},
            {"role": "user", "content": "Write a hotkey"},
            {"role": "assistant", "content": "^j::Send('x')"},
        ]
    }
    assert SYSTEM_PROMPT == "Reasoning medium. You are a helpful assistant."


def test_to_alpaca_builds_instruction_input_output():
    assert to_alpaca(" do it ", "done\n") == {"instruction": "do it", "input": "", "output": "done"}


def test_chat_file_name_follows_the_seed_naming():
    assert chat_file_name("train.jsonl") == "train_harmony.jsonl"
    assert chat_file_name("val.jsonl", "alpaca") == "val_alpaca.jsonl"
    assert chat_file_name("noext") == "noext_harmony"


def test_convert_file_skips_blank_lines_and_keeps_unicode(tmp_path: Path):
    source = jsonl(
        tmp_path / "in.jsonl",
        [
            {"prompt": "p1", "response": "r1", "metadata": {}},
            "",
            "   ",
            {"prompt": "ü", "response": "é"},
        ],
    )
    out = tmp_path / "deep" / "out.jsonl"
    assert convert_file(source, out) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [to_harmony("p1", "r1"), to_harmony("ü", "é")]
    assert "ü" in lines[1]  # ensure_ascii=False, like the seed


def test_convert_file_alpaca_format(tmp_path: Path):
    source = jsonl(tmp_path / "in.jsonl", [{"prompt": "p", "response": "r"}])
    convert_file(source, tmp_path / "out.jsonl", "alpaca")
    row = json.loads((tmp_path / "out.jsonl").read_text())
    assert row == {"instruction": "p", "input": "", "output": "r"}


def test_a_bom_on_the_first_line_is_accepted(tmp_path: Path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + json.dumps({"prompt": "p", "response": "r"}).encode())
    assert convert_file(source, tmp_path / "out.jsonl") == 1


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", r"in\.jsonl:2: malformed JSON"),
        ('{"prompt": "p"}', r"in\.jsonl:2: missing key 'response'"),
        ('{"response": "r"}', r"in\.jsonl:2: missing key 'prompt'"),
        ('["p", "r"]', r"in\.jsonl:2: expected a JSON object"),
        ('{"prompt": 1, "response": "r"}', r"in\.jsonl:2: 'prompt' must be a string"),
    ],
)
def test_a_bad_line_stops_with_file_and_line_and_leaves_no_output(
    tmp_path: Path, bad_line: str, message: str
):
    source = jsonl(tmp_path / "in.jsonl", [{"prompt": "p", "response": "r"}, bad_line])
    out = tmp_path / "out.jsonl"
    with pytest.raises(StudioError, match=message):
        convert_file(source, out)
    assert list(tmp_path.iterdir()) == [source]  # no output, no temp file


def test_non_utf8_bytes_name_the_line(tmp_path: Path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"prompt": "p", "response": "r"}\n{"prompt": "\xff", "response": "r"}\n')
    with pytest.raises(StudioError, match=r"in\.jsonl:2: not UTF-8"):
        convert_file(source, tmp_path / "out.jsonl")


def test_a_failed_conversion_leaves_an_existing_output_untouched(tmp_path: Path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    source = jsonl(tmp_path / "in.jsonl", [{"prompt": "p", "response": "r"}, "{oops"])
    with pytest.raises(StudioError):
        convert_file(source, out)
    assert out.read_text() == "previous\n"


def test_a_missing_input_is_a_studio_error(tmp_path: Path):
    with pytest.raises(StudioError, match="cannot read"):
        convert_file(tmp_path / "nope.jsonl", tmp_path / "out.jsonl")


def test_unknown_format_is_a_studio_error(tmp_path: Path):
    with pytest.raises(StudioError, match="unknown format"):
        write_chat(tmp_path / "out.jsonl", [("p", "r")], "sharegpt")


def test_cli_converts_and_reports(tmp_path: Path, capsys):
    source = jsonl(tmp_path / "in.jsonl", [{"prompt": "p", "response": "r"}] * 3)
    assert main(["--in", str(source), "--out", str(tmp_path / "o.jsonl")]) == 0
    assert "Wrote 3 harmony rows" in capsys.readouterr().out
    assert (
        main(["--in", str(source), "--out", str(tmp_path / "a.jsonl"), "--format", "alpaca"]) == 0
    )
    assert json.loads((tmp_path / "a.jsonl").read_text().splitlines()[0])["output"] == "r"


def test_cli_error_is_one_line_and_exit_1(tmp_path: Path, capsys):
    source = jsonl(tmp_path / "in.jsonl", ['{"prompt": "p"}'])
    assert main(["--in", str(source), "--out", str(tmp_path / "o.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "in.jsonl:1" in err
    assert not (tmp_path / "o.jsonl").exists()
