"""paths: see docs/architecture.md."""
