"""`smolcord import`: DiscordChatExporter files land in the store whole, once, or not at all."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.exports import ExportError, export_records, read_export
from bot.storage import db
from bot.storage import messages as store
from tests.exports import chat_export, export_message, make_export, write_export


@pytest.fixture
def cli_env(monkeypatch, tmp_path: Path, database_url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return database_url


async def stored(database_url: str, channel_id: int = 200) -> list:
    engine = db.create_engine(database_url)
    async with db.session_factory(engine)() as session:
        records = await store.load_window(session, channel_id)
    await engine.dispose()
    return records


def test_reimporting_the_same_export_adds_nothing_twice(cli_env, tmp_path, capsys):
    path = write_export(tmp_path / "general.json", chat_export(50))
    assert main(["import", "--no-progress", str(path)]) == 0
    assert "50 new messages" in capsys.readouterr().out
    assert main(["import", "--no-progress", str(path)]) == 0
    assert "0 new messages (50 already stored" in capsys.readouterr().out
    assert len(asyncio.run(stored(cli_env))) == 50


def test_import_keeps_names_replies_mentions_attachments_and_edits(cli_env, tmp_path):
    messages = [
        export_message(0, "can you review the PR?", mentions=[{"id": "1002", "name": "bob", "nickname": "Bob", "isBot": False}]),
        export_message(
            1,
            "",
            reply_to=0,
            timestampEdited="2026-11-02T09:05:00+00:00",
            attachments=[{"id": "1", "url": "https://cdn/x/diagram.png", "fileName": "diagram.png", "fileSizeBytes": 204800}],
        ),
    ]
    assert main(["import", "--no-progress", str(write_export(tmp_path / "e.json", make_export(messages)))]) == 0
    first, second = asyncio.run(stored(cli_env))
    assert first.author_name == "Alice" and first.mention_names == {1002: "Bob"}
    assert second.reply_to_id == first.id
    assert second.attachments == ("diagram.png (200 kB)",)
    assert second.edited_at is not None


def test_malformed_export_is_named_and_nothing_of_it_is_written(cli_env, tmp_path, capsys):
    broken = chat_export(20)
    del broken["messages"][13]["timestamp"]
    bad = write_export(tmp_path / "broken.json", broken)
    good = write_export(tmp_path / "good.json", chat_export(5, channel_id="201"))
    assert main(["import", "--no-progress", str(bad), str(good)]) == 1
    err = capsys.readouterr().err
    assert "broken.json: message #14 timestamp must be an ISO 8601 timestamp" in err
    assert "Traceback" not in err
    assert asyncio.run(stored(cli_env, 200)) == []
    assert len(asyncio.run(stored(cli_env, 201))) == 5


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON (line 1"),
        ("[]", "the top level must be an object"),
        ('{"guild": {"id": "1"}, "channel": {"id": "2"}}', "missing top-level 'messages'"),
        ('{"guild": {"id": "x"}, "channel": {"id": "2"}, "messages": []}', "guild.id must be a Discord id"),
    ],
)
def test_bad_files_get_one_clear_line(tmp_path, content, problem):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ExportError) as caught:
        read_export(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match="no such file"):
        read_export(tmp_path / "nope.json")


def test_thread_exports_keep_their_parent_channel(cli_env, tmp_path):
    path = write_export(
        tmp_path / "t.json",
        make_export([export_message(0, "in a thread")], channel_id="300", channel_name="bug 42", thread_of=("200", "general")),
    )
    assert main(["import", "--no-progress", str(path)]) == 0
    export = read_export(path)
    assert [(c.id, c.parent_id) for c in export.channels] == [(200, None), (300, 200)]
    assert [r.content for r in asyncio.run(stored(cli_env, 300))] == ["in a thread"]


def test_export_records_are_oldest_first_with_display_names(tmp_path):
    data = chat_export(3)
    data["messages"].reverse()
    records = export_records(read_export(write_export(tmp_path / "x.json", data)))
    assert [r.id for r in records] == sorted(r.id for r in records)
    assert records[0].author_name == "Alice" and records[2].author_name == "carol"


def test_a_large_export_imports_completely(cli_env, tmp_path):
    path = write_export(tmp_path / "big.json", chat_export(12_000))
    assert main(["import", "--no-progress", str(path)]) == 0
    assert len(asyncio.run(stored(cli_env))) == 12_000
