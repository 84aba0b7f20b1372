"""Exports people actually have, written byte for byte as DiscordChatExporter writes them: DMs and group DMs,
system notices, forwards, numeric kinds, older files without late fields, local-time offsets."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.exports import DIRECT_MESSAGES_GUILD_ID, ExportError, export_records, read_export
from bot.storage import db
from bot.storage import messages as store
from bot.storage.tables import Channel, Guild, Message
from tests.exports import (
    DIRECT_MESSAGES_GUILD,
    chat_export,
    dce_dm_channel,
    dce_export,
    dce_forwarded,
    dce_message,
    dce_reference,
    dce_timestamp,
    dce_user,
    write_dce,
    write_export,
)

AT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
RHEA = dce_user("7001", "rhea", "Rhea")
OMAR = dce_user("7002", "omar_k", "عمر")
YUKI = dce_user("7003", "yuki", "ゆき")
GROUP_ID, DM_ID = "880000000000000001", "880000000000000002"
FIRST = 1_310_000_000_000_000_000


def group_dm_messages(*, late_fields: bool = True) -> list[dict]:
    ist, pst = timedelta(hours=5, minutes=30), timedelta(hours=-8)
    minute = timedelta(minutes=1)
    return [
        dce_message(FIRST + 1, RHEA, "Added Omar to the group.", AT, kind="RecipientAdd", mentions=[OMAR], late_fields=late_fields),
        dce_message(FIRST + 2, OMAR, "the venue for saturday is booked \U0001f389", AT + minute, offset=ist, late_fields=late_fields),
        dce_message(
            FIRST + 3,
            YUKI,
            "I'll bring the projector",
            AT + 2 * minute + timedelta(microseconds=20_000),
            offset=pst,
            late_fields=late_fields,
        ),
        dce_message(
            FIRST + 4,
            RHEA,
            "Pinned a message.",
            AT + 3 * minute,
            kind="ChannelPinnedMessage",
            reference=dce_reference(str(FIRST + 2), GROUP_ID, None),
            late_fields=late_fields,
        ),
        dce_message(
            FIRST + 5,
            RHEA,
            "",
            AT + 4 * minute,
            reference=dce_reference("1309000000000000009", "1200000000000000001", "1100000000000000001", kind="Forward"),
            forwarded=dce_forwarded(
                "Server maintenance tonight 22:00-23:00 UTC",
                AT - timedelta(days=1),
                attachments=[
                    {
                        "id": "9",
                        "url": "https://cdn.discordapp.com/x/plan.pdf?ex=1&is=2&hm=3&",
                        "fileName": "plan.pdf",
                        "fileSizeBytes": 4096,
                    }
                ],
            ),
            late_fields=late_fields,
        ),
        dce_message(
            FIRST + 6,
            dce_user("7100", "Quiz Bot", is_bot=True),
            "Question 1: what is 2+2?",
            AT + 5 * minute,
            kind="20",
            interaction={"id": "5", "name": "quiz", "user": YUKI},
            late_fields=late_fields,
        ),
        dce_message(FIRST + 7, OMAR, "", AT + 6 * minute, kind="46", late_fields=late_fields),
    ]


def group_dm_export(**kwargs) -> dict:
    return dce_export(DIRECT_MESSAGES_GUILD, dce_dm_channel(GROUP_ID, "Rhea, عمر, ゆき", group=True), group_dm_messages(**kwargs))


@pytest.fixture
def cli_env(monkeypatch, tmp_path: Path, database_url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMOLCORD_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)  # no stray .env
    return database_url


async def stored_rows(url: str, channel_id: int | None = None) -> list[Message]:
    engine = db.create_engine(url)
    async with db.session_factory(engine)() as session:
        query = select(Message).order_by(Message.id)
        if channel_id is not None:
            query = query.where(Message.channel_id == channel_id)
        rows = list((await session.scalars(query)).all())
    await engine.dispose()
    return rows


async def stored_records(url: str, channel_id: int) -> list:
    engine = db.create_engine(url)
    async with db.session_factory(engine)() as session:
        records = await store.load_window(session, channel_id)
    await engine.dispose()
    return records


def test_the_fixture_bytes_are_what_dce_writes(tmp_path):
    raw = write_dce(tmp_path / "g.json", group_dm_export()).read_text(encoding="utf-8")
    assert '"id": "0",\n    "name": "Direct Messages"' in raw
    assert "\\uD83C\\uDF89" in raw and "\U0001f389" not in raw  # supplementary characters as escaped surrogate pairs
    assert "عمر" in raw and "ゆき" in raw  # BMP text raw
    assert '"timestamp": "2026-11-20T21:31:00+05:30"' in raw
    assert '"timestamp": "2026-11-20T08:02:00.02-08:00"' in raw  # trimmed fraction, negative offset
    assert '"type": "20"' in raw and '"type": "ChannelPinnedMessage"' in raw
    assert dce_timestamp(AT) == "2026-11-20T16:00:00+00:00"


def test_a_group_dm_export_imports_under_direct_messages_apart_from_every_server(cli_env, tmp_path, capsys):
    server = write_export(tmp_path / "server.json", chat_export(3))
    group = write_dce(tmp_path / "group.json", group_dm_export())
    assert main(["import", "--no-progress", str(server), str(group)]) == 0
    out = capsys.readouterr().out
    assert "group.json: #Rhea, عمر, ゆき: 7 new messages" in out

    rows = asyncio.run(stored_rows(cli_env, int(GROUP_ID)))
    assert len(rows) == 7 and {r.guild_id for r in rows} == {DIRECT_MESSAGES_GUILD_ID}
    server_rows = asyncio.run(stored_rows(cli_env, 200))
    assert len(server_rows) == 3 and {r.guild_id for r in server_rows} == {100}

    async def places():
        engine = db.create_engine(cli_env)
        async with db.session_factory(engine)() as session:
            guilds = dict((await session.execute(select(Guild.id, Guild.name))).all())
            channel = await session.get(Channel, int(GROUP_ID))
        await engine.dispose()
        return guilds, channel

    guilds, channel = asyncio.run(places())
    assert guilds == {0: "Direct Messages", 100: "Test Guild"}
    assert (channel.guild_id, channel.kind, channel.parent_id) == (0, "group", None)


def test_a_one_to_one_dm_export_imports(cli_env, tmp_path):
    messages = [dce_message(FIRST + 20 + i, (RHEA, OMAR)[i % 2], f"line {i}", AT + timedelta(minutes=i)) for i in range(4)]
    path = write_dce(tmp_path / "dm.json", dce_export(DIRECT_MESSAGES_GUILD, dce_dm_channel(DM_ID, "omar_k", group=False), messages))
    assert main(["import", "--no-progress", str(path)]) == 0
    records = asyncio.run(stored_records(cli_env, int(DM_ID)))
    assert [r.content for r in records] == ["line 0", "line 1", "line 2", "line 3"]
    assert [r.author_name for r in records[:2]] == ["Rhea", "عمر"] and {r.guild_id for r in records} == {0}
    assert read_export(path).channel.kind == "private"


def test_system_notices_are_stored_marked_with_their_text_and_what_they_refer_to(cli_env, tmp_path):
    assert main(["import", "--no-progress", str(write_dce(tmp_path / "g.json", group_dm_export()))]) == 0
    records = {r.id - FIRST: r for r in asyncio.run(stored_records(cli_env, int(GROUP_ID)))}
    assert (records[1].kind, records[1].content, records[1].author_name) == ("system", "Added Omar to the group.", "Rhea")
    pin = records[4]
    assert (pin.kind, pin.content, pin.author_name) == ("system", "Pinned a message.", "Rhea")
    assert pin.reply_to_id == FIRST + 2  # the pinned message, so a summary can say what was pinned
    assert records[6].kind == "default" and records[6].content == "Question 1: what is 2+2?"  # "20": a slash-command reply
    assert records[7].kind == "system"  # a kind the enum does not name and that is not a member's words
    assert records[2].kind == records[3].kind == "default"


def test_a_forward_is_stored_as_forwarded_content_never_as_the_forwarders_words(cli_env, tmp_path):
    assert main(["import", "--no-progress", str(write_dce(tmp_path / "g.json", group_dm_export()))]) == 0
    forward = next(r for r in asyncio.run(stored_records(cli_env, int(GROUP_ID))) if r.id == FIRST + 5)
    assert forward.kind == "forward"
    assert forward.content == "Server maintenance tonight 22:00-23:00 UTC"
    assert forward.reply_to_id is None  # the reference points at the original elsewhere, not at a message it answers
    assert forward.attachments == ("plan.pdf (4 kB)",)
    row = next(r for r in asyncio.run(stored_rows(cli_env, int(GROUP_ID))) if r.id == FIRST + 5)
    assert row.forwarded_from == "https://discord.com/channels/1100000000000000001/1200000000000000001/1309000000000000009"


def test_records_read_straight_from_a_file_carry_kinds_too(tmp_path):
    records = {r.id - FIRST: r for r in export_records(read_export(write_dce(tmp_path / "g.json", group_dm_export())))}
    assert [records[i].kind for i in sorted(records)] == ["system", "default", "default", "system", "forward", "default", "system"]
    assert {r.guild_id for r in records.values()} == {0}


def test_timestamps_in_the_exporters_local_time_are_stored_in_utc(tmp_path):
    records = export_records(read_export(write_dce(tmp_path / "g.json", group_dm_export())))
    by_id = {r.id - FIRST: r for r in records}
    assert by_id[2].created_at == AT + timedelta(minutes=1)  # written as +05:30
    assert by_id[3].created_at == AT + timedelta(minutes=2, microseconds=20_000)  # written as .02-08:00
    assert all(r.created_at.utcoffset() == timedelta(0) for r in records)


def test_an_older_export_without_late_fields_imports(tmp_path):
    data = group_dm_export(late_fields=False)
    for message in data["messages"]:
        for person in (message["author"], *message["mentions"]):
            for key in ("color", "roles", "avatarUrl"):
                person.pop(key, None)
    records = export_records(read_export(write_dce(tmp_path / "old.json", data)))
    assert len(records) == 7
    # Before DCE wrote reference.type and forwardedMessage, a forward looked like an empty message: nothing to mark.
    assert next(r for r in records if r.id == FIRST + 5).kind == "default"


def test_a_thread_starter_copy_is_not_stored_twice(tmp_path):
    data = group_dm_export()
    data["messages"].append(dce_message(FIRST + 8, RHEA, "", AT + timedelta(minutes=9), kind="21"))
    assert FIRST + 8 not in {r.id for r in export_records(read_export(write_dce(tmp_path / "t.json", data)))}


def test_summarize_and_tasks_read_a_group_dm_file(cli_env, tmp_path, capsys):
    path = write_dce(tmp_path / "group.json", group_dm_export())
    assert main(["summarize", str(path), "--model", "extractive", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["messages_total"] >= 5
    valid = {str(FIRST + i) for i in range(1, 8)}
    assert all(set(b["message_ids"]) <= valid for b in summary["bullets"])
    assert main(["tasks", str(path), "--json"]) == 0
    tasks = json.loads(capsys.readouterr().out)
    assert isinstance(tasks, list)


def test_a_channel_already_stored_under_a_server_is_never_mixed_with_direct_messages(cli_env, tmp_path, capsys):
    server = write_export(tmp_path / "server.json", chat_export(2, channel_id=GROUP_ID))
    assert main(["import", "--no-progress", str(server)]) == 0
    capsys.readouterr()
    assert main(["import", "--no-progress", str(write_dce(tmp_path / "group.json", group_dm_export()))]) == 1
    err = capsys.readouterr().err
    assert f"group.json: channel {GROUP_ID} is already stored as part of server 100, not of direct messages" in err
    assert "Traceback" not in err
    rows = asyncio.run(stored_rows(cli_env, int(GROUP_ID)))
    assert len(rows) == 2 and {r.guild_id for r in rows} == {100}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["messages"][4].update(forwardedMessage="not an object"), "message #5 forwardedMessage must be an object"),
        (lambda d: d["messages"][4]["forwardedMessage"].update(content=7), "message #5 forwardedMessage.content must be text"),
        (lambda d: d["messages"][2].update(type=["Default"]), "message #3 type must be a message kind name or number"),
        (lambda d: d["messages"][3].update(reference="x"), "message #4 reference must be an object"),
        (lambda d: d["guild"].update(id="-3"), "guild.id must be a positive Discord id, not '-3'"),
        (lambda d: d["messages"][1].update(timestamp="20/11/2026 16:01"), "message #2 timestamp must be an ISO 8601 timestamp"),
    ],
)
def test_a_malformed_dce_file_gets_one_line_and_nothing_is_written(cli_env, tmp_path, capsys, change, problem):
    data = group_dm_export()
    change(data)
    path = write_dce(tmp_path / "bad.json", data)
    with pytest.raises(ExportError, match=problem):
        read_export(path)
    assert main(["import", "--no-progress", str(path)]) == 1
    err = capsys.readouterr().err
    assert problem in err and "Traceback" not in err and len(err.strip().splitlines()) == 2
    assert asyncio.run(stored_rows(cli_env)) == []


def test_rows_stored_before_kinds_existed_read_as_default(tmp_path):
    url = f"sqlite+aiosqlite:///{(tmp_path / 'old.db').as_posix()}"
    db.upgrade(url, "0002")
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO guilds (id, name) VALUES (100, 'g')"))
        connection.execute(text("INSERT INTO channels (id, guild_id, name, kind) VALUES (200, 100, 'general', 'text')"))
        connection.execute(
            text(
                "INSERT INTO messages (id, guild_id, channel_id, author_id, content, created_at, mention_ids, attachments, embeds, is_bot)"
                " VALUES (1, 100, 200, 5, 'hi', '2026-11-01 10:00:00', '[]', '[]', '[]', 0)"
            )
        )
    engine.dispose()
    db.upgrade(url)
    [record] = asyncio.run(stored_records(url, 200))
    assert (record.content, record.kind) == ("hi", "default")
