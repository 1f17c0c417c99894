"""curate: see docs/architecture.md."""
