"""Benchmarks: `python -m bench [area ...]` (or `make bench AREAS=roadmap`) from the repository root."""
