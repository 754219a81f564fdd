"""Benchmarks (run by hand; their figures go in the README) and the server harness they share
with the tests."""
