"""No command takes an option that faust would read from the command line of the process importing it.

faust's package import scans sys.argv for --loop / -L (the event loop to install) and --datadir / -D; a
command that imports faust (worker, replay, demo, dashboard) and had such an option would have its value
taken as an event-loop module name and fail before parsing its own arguments.
"""

from __future__ import annotations

import argparse

import pytest

from newsdedup import cli

FAUST_READS = ("--loop", "--datadir")  # prefixes: faust matches with str.startswith
FAUST_SHORT = ("-L", "-D")


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_no_option_is_one_faust_reads_from_argv(command: str) -> None:
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    options = [s for action in subparsers.choices[command]._actions for s in action.option_strings]
    assert options  # the command's options were registered
    clashing = [o for o in options if o.startswith(FAUST_READS) or o in FAUST_SHORT]
    assert not clashing, f"`newsdedup {command}` option(s) {clashing} would be read by faust at import"
