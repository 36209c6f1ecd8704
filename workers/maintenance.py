"""Housekeeping jobs."""

from __future__ import annotations


def noop() -> None:
    """Do nothing: the baseline for job-rate benchmarks and a queue health probe."""
