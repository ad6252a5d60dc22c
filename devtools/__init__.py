"""Tooling around the product, never imported by it: a local Spark cluster for tests and benchmarks."""
