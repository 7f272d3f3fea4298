"""From scripts to training data: the seed's build (records, dedupe, split, JSONL), prompts and
chat conversations (data_prep)."""
