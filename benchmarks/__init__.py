"""Benchmarks: ``python -m benchmarks`` (or ``nox -s bench``) runs every ``bench_*`` module.

See ``docs/explanation/performance.md`` for what is measured and why.
"""
