"""Tooling around the product, never imported by it (the CLI's `demo` and `simulate` load it on demand): the demo
(`demo/`), the benchmarks (`bench/`, `bench_spark.py`), the API simulators (`simulators/`), a local Spark cluster
and the engine comparison. Its own dependencies are the `devtools` extra, which `make demo`, `make bench` and
`make test` install."""
