"""Benchmarks: each compares the project's path with a baseline measured in the same run.

Run with ``make bench`` (all) or ``make bench NAME=village_list_api``. They are not tests:
figures go to stdout as ``name: project X unit, baseline Y unit, ratio R (goal G)``.
"""
