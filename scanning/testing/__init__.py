"""Helpers for testing and benchmarking the scanner (a generated photo corpus)."""
