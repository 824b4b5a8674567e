"""Benchmarks: `python -m bench.<area>` from the repository root."""
