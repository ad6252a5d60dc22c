"""The Dagster code location (definitions.py) and its assets, jobs, schedules and sensors."""

import warnings

from dagster import BetaWarning

# backfill_policy (single-run backfills of the daily partitions) is marked beta in the pinned dagster
# 1.13; the warning would print on every command that loads the definitions.
warnings.filterwarnings("ignore", category=BetaWarning)
