"""Benchmarks for the matcher, run as modules (python -m bench.match)."""
