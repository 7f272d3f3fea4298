"""Base models: the registry, the miniature twins, the demo model, this machine's hardware, hub
downloads and the models already on this machine."""
