"""Benchmarks run as commands (``python -m benchmarks.engine``), never as timed tests."""
