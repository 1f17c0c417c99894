"""explorer: see docs/architecture.md."""
