"""Campaign folders -> validated model: TOML reading, the model, the registry, the sandboxed Jinja
environment and the scaffold for a new campaign."""
