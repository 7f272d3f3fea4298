"""Training: the config and its estimates, backends, the run folder, runs (start, stop, resume) and
the training process itself (`python -m core.train`)."""
