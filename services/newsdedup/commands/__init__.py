"""The commands a user runs, each with its options and what it does, composing the other packages.

`eval`, `replay`, `demo`, `dashboard` and `kafka` live here; `scan` (whose detector `eval` shares) and
the worker (app/run.py) are named in cli.py as well. Nothing below imports a command.
"""
