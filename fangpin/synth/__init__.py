"""Synthetic counties for the demo, tests and benchmarks (no Django; numpy + polars)."""
