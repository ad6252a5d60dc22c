"""`make bench`: the warehouse phases timed against their floors (`python -m devtools.bench.run`)."""
