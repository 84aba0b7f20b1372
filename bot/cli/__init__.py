"""The `smolcord` command line. Each module in this package adds one command group."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import logging
import pkgutil
import sys
from typing import Sequence

from agents.loading import ModelError
from bot.settings import SettingsError
from sml_config import ModelConfigError, UnknownModelError


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


def configure_logging(level: int) -> None:
    """The one logging setup of every command: one stderr handler on the root logger. Calling it again (as
    `smolcord run` does once its settings give the level) only changes the level, so no line is printed twice."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
    root.setLevel(level)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smolcord",
        description="A self-hosted Discord bot that summarizes, finds tasks and chats with small local models.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    configure_logging(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        result = args.func(args)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except SettingsError as exc:
        print(f"smolcord: setting error: {exc}", file=sys.stderr)
        return 2
    except ModelConfigError as exc:
        print(f"smolcord: model configuration error: {exc}", file=sys.stderr)
        return 2
    except (ModelError, UnknownModelError) as exc:
        print(f"smolcord: {str(exc).strip(chr(39))}", file=sys.stderr)
        return 1
    except CliError as exc:
        print(f"smolcord: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` or similar: stop quietly, like other Unix tools.
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
