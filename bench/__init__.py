"""Benchmarks, run by hand (`python -m bench.NAME`): ratios against a reference in one run."""
