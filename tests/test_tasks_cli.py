"""`smolcord tasks` on a DiscordChatExporter file and on a stored channel: JSON, text, overview, saving, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

GUILD, CHANNEL = "900", "901"
ALICE = {"id": "11", "name": "alice", "nickname": "Alice", "isBot": False}
BOB = {"id": "12", "name": "bob", "nickname": "Bob", "isBot": False}
CAROL = {"id": "13", "name": "carol", "nickname": None, "isBot": False}
CI = {"id": "19", "name": "ci", "nickname": None, "isBot": True}


def dce_message(message_id: int, at: str, author: dict, content: str, *, mentions=(), reply_to: int | None = None, attachments=()) -> dict:
    message = {
        "id": str(message_id),
        "type": "Reply" if reply_to else "Default",
        "timestamp": at,
        "timestampEdited": None,
        "isPinned": False,
        "content": content,
        "author": {**author, "discriminator": "0000"},
        "attachments": [{"id": "1", "url": "https://cdn/x", "fileName": name, "fileSizeBytes": 1200} for name in attachments],
        "embeds": [],
        "reactions": [],
        "mentions": [{"id": m["id"], "name": m["name"], "nickname": m["nickname"], "isBot": False} for m in mentions],
    }
    if reply_to:
        message["reference"] = {"messageId": str(reply_to), "channelId": CHANNEL, "guildId": GUILD}
    return message


def write_export(path: Path) -> Path:
    # Saturday 2 Nov 2024, evening in New York (EDT, UTC-4); clocks go back the next night.
    messages = [
        dce_message(101, "2024-11-02T21:00:00-04:00", ALICE, "@Bob can you update the release notes by Monday?", mentions=[BOB]),
        dce_message(102, "2024-11-02T21:05:00-04:00", BOB, "sure, will do", reply_to=101),
        dce_message(103, "2024-11-02T21:06:00-04:00", CI, "I'll deploy main now (build #42)"),
        dce_message(104, "2024-11-02T23:30:00-04:00", CAROL, "I'll send the invoice to the client tomorrow EOD"),
        dce_message(105, "2024-11-02T23:31:00-04:00", ALICE, "should we also update the docs?"),
        dce_message(106, "2024-11-02T23:40:00-04:00", CAROL, "I'll book the venue for the offsite"),
        dce_message(107, "2024-11-02T23:50:00-04:00", ALICE, "@carol never mind the venue, the offsite is cancelled", mentions=[CAROL]),
    ]
    export = {
        "guild": {"id": GUILD, "name": "Test Guild", "iconUrl": ""},
        "channel": {"id": CHANNEL, "type": "GuildTextChat", "categoryId": "1", "category": "Text", "name": "planning", "topic": None},
        "dateRange": {"after": None, "before": None},
        "messages": messages,
        "messageCount": len(messages),
    }
    path.write_text(json.dumps(export), encoding="utf-8")
    return path


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    return write_export(tmp_path / "planning.json")


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMOLCORD_OFFLINE", "1")


def run_json(capsys, *argv: str) -> list[dict]:
    assert main(["tasks", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_on_an_export_file_lists_owner_task_due_status_and_sources(export_file, capsys):
    tasks = run_json(capsys, str(export_file), "--timezone", "America/New_York")
    assert [(t["owner_id"], t["owner_name"], t["status"]) for t in tasks] == [
        (12, "Bob", "open"),
        (13, "carol", "open"),
        (13, "carol", "cancelled"),
    ]
    notes, invoice, venue = tasks
    assert "release notes" in notes["task"].lower()
    assert notes["due"] == "2024-11-04T17:00:00-05:00"  # Monday, after DST ended
    assert notes["source_message_ids"] == [101, 102]
    assert invoice["due"] == "2024-11-03T17:00:00-05:00"  # said at 23:30 EDT: "tomorrow" is the 3rd, in EST
    assert venue["source_message_ids"] == [106, 107]
    assert all(set(t) >= {"owner_id", "owner_name", "task", "due", "status", "source_message_ids"} for t in tasks)


def test_the_timezone_decides_what_tomorrow_means(export_file, capsys):
    in_utc = run_json(capsys, str(export_file))  # default UTC: 23:30 EDT is already the 3rd
    assert in_utc[1]["due"] == "2024-11-04T17:00:00+00:00"


def test_status_filter_and_readable_text(export_file, capsys):
    assert [t["status"] for t in run_json(capsys, str(export_file), "--status", "cancelled")] == ["cancelled"]
    assert main(["tasks", str(export_file), "--timezone", "America/New_York"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("#planning: 3 tasks (2 open) in 7 messages")
    assert out[1].startswith("[open] Bob: ") and out[1].endswith("(due Mon 04 Nov 17:00)")
    assert out[3].startswith("[cancelled] carol: ")


def test_overview_without_a_model_is_the_template(export_file, capsys):
    assert main(["tasks", str(export_file), "--overview", "--timezone", "America/New_York"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2 open tasks for 2 people."
    assert out[1].startswith("\u2022 Bob: ") and out[2].startswith("\u2022 carol: ")
    assert out[-1] == "Closed in this window: 0 done, 1 cancelled."


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "give either an export FILE or --channel ID"),
        (["missing.json"], "missing.json: no such file"),
        (["{file}", "--channel", "5"], "give either an export FILE or --channel ID"),
        (["{file}", "--save"], "--save stores tasks of a stored channel"),
        (["{file}", "--timezone", "Mars/Base"], "unknown timezone 'Mars/Base'"),
        (["{file}", "--since", "last tuesday"], "--since 'last tuesday'"),
        (["{file}", "--limit", "0"], "--limit must be a positive number"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_1(argv, message, export_file, capsys, cli_env):
    argv = [str(export_file) if arg == "{file}" else arg for arg in argv]
    assert main(["tasks", *argv]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err


def test_stored_channel_json_and_save_twice_creates_nothing_new(export_file, capsys, cli_env):
    assert main(["import", str(export_file), "--no-progress"]) == 0
    capsys.readouterr()
    tasks = run_json(capsys, "--channel", CHANNEL, "--timezone", "America/New_York")
    assert [t["owner_name"] for t in tasks] == ["Bob", "carol", "carol"]
    assert main(["tasks", "--channel", CHANNEL, "--save"]) == 0
    assert "saved: 3 new, 0 updated" in capsys.readouterr().err
    assert main(["tasks", "--channel", CHANNEL, "--save"]) == 0
    assert "saved: 0 new, 0 updated" in capsys.readouterr().err
    assert main(["tasks", "--channel", "424242"]) == 1
    assert "channel 424242 has no stored messages" in capsys.readouterr().err
