"""AHKv2 Finetune Studio core library: corpus tools, dataset pipeline, training, export, evaluation.

Nothing here imports Gradio; heavy libraries (torch, transformers) are imported inside the
functions that need them, so `import core.<module>` stays cheap.
"""
