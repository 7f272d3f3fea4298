"""A corpus of scripts: scanning, edits with backup and undo, normalising, includes, pruning and
near-duplicates."""
