"""What the trainer will see of each record: its tokens through the base model's chat template,
which of them the loss counts, and which records max_seq_length cuts (the Dataset tab's token
view; it loads the tokenizer, so the studio runs it in the model worker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Example:
    """One record to render: where it comes from, its split and its prompt/answer pair."""

    source: str
    split: str
    prompt: str
    response: str


@dataclass
class TokenReport:
    """Sampled records token by token, and every record longer than max_seq_length."""

    base_model: str
    mode: str  # which tokens the loss counts: assistant, completion or full
    limit: int  # max_seq_length
    system: str = ""  # what the family's template makes of the system message, where known
    samples: list[tuple[str, list[tuple[str, bool]]]] = field(default_factory=list)
    cuts: list[tuple[str, str, int]] = field(default_factory=list)  # (split, source, tokens)


def token_report(
    config_path: Path, workspace: Path, samples: list[Example], records: list[Example]
) -> TokenReport:
    """Render `samples` token by token and measure every record of `records` (local files only)."""
    from core.dataset.data_prep import to_harmony
    from core.train.config import load_config
    from core.train.estimate import find_family
    from core.train.inputs import base_tokenizer
    from core.train.trainer import loss_mode, loss_tokens

    cfg = load_config(config_path)
    tokenizer = base_tokenizer(cfg, workspace)
    report = TokenReport(cfg.base_model, loss_mode(cfg, tokenizer), cfg.max_seq_length)
    family = find_family(cfg, workspace)
    report.system = family.system if family else ""
    for ex in samples:
        messages = to_harmony(ex.prompt, ex.response)["messages"]
        report.samples.append((ex.source, loss_tokens(tokenizer, messages, report.mode)))
    texts = [
        tokenizer.apply_chat_template(
            to_harmony(ex.prompt, ex.response)["messages"], tokenize=False
        )
        for ex in records
    ]
    lengths = tokenizer(texts, add_special_tokens=False)["input_ids"] if texts else []
    report.cuts = [
        (ex.split, ex.source, len(ids))
        for ex, ids in zip(records, lengths, strict=True)
        if len(ids) > report.limit
    ]
    return report
