"""The `smolcord` command line. Each module in this package adds one command group."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import logging
import pkgutil
import sys
from collections.abc import Sequence

from agents.loading import ModelError
from bot.settings import SettingsError, load_settings
from sml_config import ModelConfigError, UnknownModelError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("smolcord")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def configure_logging(level: int) -> None:
    """The one logging setup of every command: one stderr handler on the root logger. Calling it again (as
    `smolcord run` does once its settings give the level) only changes the level, so no line is printed twice."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
    root.setLevel(level)


# Commands whose startup time matters: `smolcord route ...` imports only its own module (not discord, not the bot).
LIGHT_COMMANDS = ("route",)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smolcord",
        description="A self-hosted Discord bot that summarizes, finds tasks and chats with small local models.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_") or (only and module_info.name != only):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv and argv[0] in LIGHT_COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    configure_logging(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        _create_data_folder()
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
    except Exception as exc:
        # No database, no network, an unreadable file: one line, never a traceback. Anything else is a bug.
        from bot.cli._errors import known_failure

        line = known_failure(exc)
        if line is None:
            raise
        print(f"smolcord: {line}", file=sys.stderr)
        return 1


def _create_data_folder() -> None:
    """The default data folder is created on first use; a folder named in DATABASE_URL never is."""
    from bot.storage.db import create_data_folder

    try:
        settings = load_settings()
    except SettingsError:
        return  # the command reports it if it needs settings
    create_data_folder(settings.database_url, settings.data_dir)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
