"""Benchmarks of MIL CLICKS served for real: launches, quiz saves, grade delivery, memory.

``bench/run`` (or ``.venv/bin/python -m bench``) runs them; ``bench/README.md`` says what
is measured and how.
"""
