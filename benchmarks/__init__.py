"""Benchmarks: ``python -m benchmarks [--json] [--quick]`` prints one table.

Speed goals live here and in the README, never as timed assertions in the test suite.
"""
