"""From adapter to file: merge, GGUF, verification and the Ollama Modelfile
(`python -m core.export`, `python -m core.export.merge`)."""
