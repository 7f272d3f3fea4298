"""Is the fine-tuned model better: generation, scoring and the base-versus-fine-tuned comparison
(`python -m core.evaluate`)."""
