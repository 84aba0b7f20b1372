"""Import throughput: a DiscordChatExporter export of N messages through `smolcord import`'s code path.

Usage: python benchmarks/bench_import.py [--messages 100000] [--database-url URL]
Prints a markdown table row set for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.exports import read_export  # noqa: E402
from bot.importer import import_file  # noqa: E402
from bot.storage import db  # noqa: E402
from bot.storage import messages as store  # noqa: E402
from tests.exports import export_message, make_export  # noqa: E402

WORDS = ["the", "release", "notes", "need", "a", "review", "before", "friday", "and", "the", "deploy", "pipeline", "is", "flaky", "again"]


def build_export(count: int) -> dict:
    messages = []
    for i in range(count):
        text = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(8 + i % 25))
        messages.append(export_message(i, text, reply_to=i - 3 if i % 9 == 0 and i > 3 else None))
    return make_export(messages)


async def run(count: int, url: str | None, folder: Path) -> list[tuple[str, float, float]]:
    path = folder / "export.json"
    path.write_text(json.dumps(build_export(count)))
    url = url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    engine, sessions = await db.open_database(url)
    rows = []

    start = time.perf_counter()
    read_export(path)
    parse = time.perf_counter() - start
    rows.append(("parse + validate only", parse, count / parse))

    start = time.perf_counter()
    result = await import_file(sessions, path)
    first = time.perf_counter() - start
    assert result.messages_added == count, result
    rows.append(("first import (parse + write)", first, count / first))

    start = time.perf_counter()
    again = await import_file(sessions, path)
    second = time.perf_counter() - start
    assert again.messages_added == 0
    rows.append(("re-import (nothing new)", second, count / second))

    async with sessions() as session:
        assert await store.count_messages(session) == count
    await engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = asyncio.run(run(args.messages, args.database_url, Path(folder)))
    backend = (args.database_url or "sqlite").split(":")[0]
    print(f"| step ({args.messages:,} messages, {backend}) | seconds | messages/s |")
    print("|---|---:|---:|")
    for name, seconds, rate in rows:
        print(f"| {name} | {seconds:.2f} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
