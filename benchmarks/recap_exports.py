"""Builds the labelled recap conversations (tests/data/recaps/*.json) from their hand-written sources (*.txt).

    python benchmarks/recap_exports.py          # rewrite every export from its source

A source is a header, `---`, then one message a line, as a person reads a channel:

    channel: payments-incident           kind: GuildTextChat (default) or DirectGroupTextChat
    start: 2026-10-14                    tz: +02:00 (the exporter's offset; a later `tz:` line changes it: DST)
    people: ana=Ana Ruiz | raj | gh*=GitHub     (`*`: a bot or webhook)
    ---
    09:00 ana: the api is 500ing for everyone @{raj} can you look
    09:02 raj ^1: on it                  (`^N`: a reply to message N, counting from 1)
    = 2026-10-15                         (the next messages are on this day)

`@{key}` becomes a `<@id>` mention (listed in `mentions`, as DiscordChatExporter writes it);
`#{name}` a `<#id>` channel mention. The output is DiscordChatExporter's JSON with `--markdown false`.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "tests" / "data" / "recaps"
_LINE = re.compile(r"^(\d{1,2}):(\d{2}) ([\w.-]+)(?: \^(\d+))?: (.*)$")


def _snowflake(*parts: object) -> str:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return str(1_100_000_000_000_000_000 + int(digest[:15], 16) % 10**17)


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text.lstrip("+-").split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _stamp(moment: datetime) -> str:
    return moment.isoformat()  # DCE writes ±HH:MM, never Z, and no zero fraction


def build(source: Path) -> dict:
    header, _, body = source.read_text(encoding="utf-8").partition("\n---\n")
    meta = dict(line.split(":", 1) for line in header.strip().splitlines() if ":" in line)
    meta = {k.strip(): v.strip() for k, v in meta.items()}
    name = meta["channel"]
    kind = meta.get("kind", "GuildTextChat")
    is_dm = kind.startswith("Direct")
    guild = (
        {"id": "0", "name": "Direct Messages", "iconUrl": "https://cdn.discordapp.com/embed/avatars/0.png"}
        if is_dm
        else {"id": _snowflake("guild", meta.get("guild", "Recaps")), "name": meta.get("guild", "Recaps"), "iconUrl": ""}
    )
    channel_id = _snowflake("channel", name)
    people: dict[str, dict] = {}
    for entry in meta["people"].split("|"):
        key, _, display = entry.strip().partition("=")
        bot = key.endswith("*")
        key = key.rstrip("*")
        people[key] = {
            "id": _snowflake("user", key),
            "name": key.lower(),
            "discriminator": "0000",
            "nickname": display or key,
            "color": None,
            "isBot": bot,
            "roles": [],
            "avatarUrl": "https://cdn.discordapp.com/embed/avatars/1.png",
        }
    day = date.fromisoformat(meta["start"])
    tz = _offset(meta.get("tz", "+00:00"))
    messages: list[dict] = []
    for raw in body.splitlines():
        line = raw.rstrip()
        if not line.strip() or line.startswith("//"):
            continue
        if line.startswith("= "):
            day = date.fromisoformat(line[2:].strip())
            continue
        if line.startswith("tz:"):
            tz = _offset(line[3:].strip())
            continue
        match = _LINE.match(line)
        if not match:
            raise SystemExit(f"{source.name}: cannot read {line!r}")
        hour, minute, who, reply, text = match.groups()
        author = people[who]
        moment = datetime(day.year, day.month, day.day, int(hour), int(minute), tzinfo=tz)
        mentioned = [people[k] for k in re.findall(r"@\{([\w.-]+)\}", text)]
        text = re.sub(r"@\{([\w.-]+)\}", lambda m: f"<@{people[m.group(1)]['id']}>", text)
        text = re.sub(r"#\{([\w.-]+)\}", lambda m: f"<#{_snowflake('channel', m.group(1))}>", text)
        message = {
            "id": _snowflake(name, len(messages)),
            "type": "Reply" if reply else "Default",
            "timestamp": _stamp(moment),
            "timestampEdited": None,
            "callEndedTimestamp": None,
            "isPinned": False,
            "content": text.replace("\\n", "\n"),
            "author": author,
            "attachments": [],
            "embeds": [],
            "stickers": [],
            "reactions": [],
            "mentions": [],
        }
        if reply:
            target = messages[int(reply) - 1]
            message["reference"] = {
                "type": "Default",
                "messageId": target["id"],
                "channelId": channel_id,
                "guildId": None if is_dm else guild["id"],
            }
            target_author = next(p for p in people.values() if p["id"] == target["author"]["id"])
            if target_author not in mentioned:
                mentioned.append(target_author)  # a reply pings the replied-to author
        message["mentions"] = [dict(p) for p in mentioned]
        message["inlineEmojis"] = []
        messages.append(message)
    # Snowflakes grow with time: order ids as the messages are ordered.
    ordered_ids = sorted(int(m["id"]) for m in messages)
    renamed = {m["id"]: str(i) for m, i in zip(messages, ordered_ids, strict=False)}
    for message in messages:
        message["id"] = renamed[message["id"]]
        if "reference" in message:
            message["reference"]["messageId"] = renamed[message["reference"]["messageId"]]
    return {
        "guild": guild,
        "channel": {
            "id": channel_id,
            "type": kind,
            "categoryId": None if is_dm else _snowflake("category", name),
            "category": None if is_dm else "Text Channels",
            "name": name,
            "topic": None,
        },
        "dateRange": {"after": None, "before": None},
        "exportedAt": messages[-1]["timestamp"] if messages else None,
        "messages": messages,
        "messageCount": len(messages),
    }


def main() -> int:
    sources = sorted(FOLDER.glob("*.txt"))
    for source in sources:
        export = build(source)
        target = source.with_suffix(".json")
        target.write_text(json.dumps(export, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"{target.relative_to(FOLDER.parents[2])}: {export['messageCount']} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
