"""The `newsdedup` command line: scan, eval, worker, replay, dashboard, demo and the local Kafka helper."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from newsdedup.errors import NewsdedupError

# command -> (module, help); each module has add_<command>_arguments(parser) and run_<command>(args).
# Only the module of the command being run is imported, for its options and to run it: `scan` starts
# without faust, aiokafka, the settings or the security code, and `newsdedup --help` imports none of them.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("newsdedup.scan", "run the detection over a JSON Lines file, without Kafka"),
    "eval": ("newsdedup.commands.eval", "run the detection over a labelled corpus and score it (docs/EVALUATION.md)"),
    "worker": ("newsdedup.app.run", "run the streaming worker (KAFKA_BOOTSTRAP_SERVERS, NEWSDEDUP_*)"),
    "replay": ("newsdedup.commands.replay", "produce a JSON Lines file into the raw topic at a chosen rate"),
    "dashboard": ("newsdedup.commands.dashboard", "the live web page over the stories, stats and events topics"),
    "demo": ("newsdedup.commands.demo", "broker + worker + the sample feed, findings printed live, until Ctrl-C"),
    "kafka": ("newsdedup.commands.kafka", "the local Kafka broker without Docker: fetch jars, start"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser: every command listed, with the options of `command` (of all when None)."""
    parser = argparse.ArgumentParser(prog="newsdedup", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        subparser = sub.add_parser(name, help=help_text)
        if command is None or name == command:
            getattr(importlib.import_module(_arguments_module(module)), f"add_{name}_arguments")(subparser)
    return parser


def chosen_command(argv: Sequence[str]) -> str:
    """The command named on a command line, or "" when there is none (the top-level parser has no options but -h)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return ""


def _arguments_module(module: str) -> str:
    # The worker's options live beside it without importing faust.
    return "newsdedup.app.worker_args" if module == "newsdedup.app.run" else module


def main(argv: Sequence[str] | None = None) -> None:
    """Run the newsdedup command line."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(chosen_command(arguments)).parse_args(arguments)
    runner: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(COMMANDS[args.command][0]), f"run_{args.command}"
    )
    try:
        code = runner(args)
    except NewsdedupError as exc:
        print(f"newsdedup {args.command}: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
