"""`smolcord summarize` and `smolcord demo` end to end: real settings, database, registry and models."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.demo import SAMPLE
from tests.exports import export_message, make_export, write_export
from tests.fixtures.models import TINY_BART_KEY, smollm2_cache_dir
from tests.test_summarize_agent import TOPICS

FIRST_ID = 5_000_000


@pytest.fixture
def cli_env(monkeypatch, tmp_path: Path, database_url: str) -> Path:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMOLCORD_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path


def export_file(folder: Path, count: int = 150) -> Path:
    messages = [export_message(i, f"{TOPICS[(i // 40) % len(TOPICS)]} ({i})") for i in range(count)]
    return write_export(folder / "general.json", make_export(messages))


def test_summarize_an_export_file_as_json(cli_env, tiny_registry, capsys):
    path = export_file(cli_env)
    assert main(["summarize", str(path), "--model", TINY_BART_KEY, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model_key"] == TINY_BART_KEY and result["profile"] == "fast"
    assert result["messages_read"] == result["messages_total"] == 150
    assert result["chunks_total"] >= 2 and result["coverage"].startswith("read all 150 messages")
    valid = {str(FIRST_ID + i) for i in range(150)}
    assert result["bullets"]
    for bullet in result["bullets"]:
        assert bullet["text"] and bullet["message_ids"] and set(bullet["message_ids"]) <= valid
    assert result["participants"] == ["Alice", "Bob", "carol", "Dan the PM"]


def test_summarize_a_window_of_an_export_as_text(cli_env, capsys):
    path = export_file(cli_env)
    assert main(["summarize", str(path), "--model", "extractive", "--last", "30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#general · 2026-11-02")
    assert "Participants: " in out and "• " in out
    assert "read all 30 messages" in out


def test_summarize_a_stored_channel_reuses_cached_chunks(cli_env, tiny_registry, capsys):
    assert main(["import", "--no-progress", str(export_file(cli_env))]) == 0
    capsys.readouterr()
    assert main(["summarize", "--channel", "200", "--model", TINY_BART_KEY, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["chunks_cached"] == 0 and first["messages_read"] == 150
    assert main(["summarize", "--channel", "200", "--model", TINY_BART_KEY, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["chunks_cached"] == again["chunks_total"] == first["chunks_total"]
    assert main(["summarize", "--channel", "200", "--since", "2026-11-02T10:00", "--model", "extractive"]) == 0
    assert "read all 90 messages" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, problem",
    [
        (["summarize"], "give either an export FILE or --channel ID"),
        (["summarize", "missing.json"], "missing.json: no such file"),
        (["summarize", "--channel", "999", "--model", "extractive"], "channel 999 has no stored messages"),
        (["summarize", "--channel", "1", "--since", "yesterday-ish"], "--since 'yesterday-ish'"),
        (["summarize", "--channel", "1", "--last", "0"], "--last must be a positive number"),
        (["summarize", "--channel", "1", "--model", "gpt-17"], "unknown summarization model 'gpt-17'"),
    ],
)
def test_bad_input_is_one_clear_line(cli_env, capsys, argv, problem):
    if "gpt-17" in argv:
        assert main(["import", "--no-progress", str(export_file(cli_env, 10))]) == 0
        argv = ["summarize", "--channel", "200", "--model", "gpt-17"]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert problem in err and "\n" not in err and "Traceback" not in err


def test_an_empty_window_is_one_clear_line(cli_env, capsys):
    bots = [export_message(i, "build passed") for i in range(3)]
    for message in bots:
        message["author"]["isBot"] = True
    path = write_export(cli_env / "bots.json", make_export(bots))
    assert main(["summarize", str(path), "--model", "extractive"]) == 1
    assert "only bot messages" in capsys.readouterr().err


def test_demo_works_offline_with_no_model_at_all(cli_env, monkeypatch, capsys):
    # A fresh machine: distilbart not downloaded.
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "sample: #dev (79 messages)" in out
    assert "distilbart is not downloaded (get it with: smolcord models pull distilbart); using the extractive summarizer" in out
    assert "#dev · 2026-03-10" in out and "extractive (fast)" in out
    assert out.count("• ") >= 4
    assert "\nDecisions\n" in out and "\nAction items\n" in out  # the recap's sections, in reading order
    assert out.index("\nDecisions\n") < out.index("\nAction items\n")
    assert "read all 76 messages (3 bot messages skipped)" in out
    # Imported once: a second demo finds the same messages, nothing twice.
    assert main(["demo", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["messages_total"] == 76 and result["model_key"] == "extractive"
    from bot.cli._windows import records_from_file

    assert_every_line_is_grounded(result, [r for r in records_from_file(str(SAMPLE)) if not r.is_bot])


def assert_every_line_is_grounded(result: dict, records) -> None:
    """The product's guarantees for any summarizer: cited ids exist, every shown line passes the
    grounding check against the messages it cites, nothing is cut off, the notes add up."""
    from agents.summarize.grounding import Sources, check_line, people_words

    by_id = {str(m.id): m for m in records}
    people = people_words(records)
    assert result["messages_read"] == result["messages_total"]
    for bullet in result["bullets"]:
        assert bullet["message_ids"] and set(bullet["message_ids"]) <= set(by_id), bullet
        cited = Sources.of(by_id[i] for i in bullet["message_ids"])
        assert check_line(bullet["text"], cited, people=people) == [], bullet
        assert not bullet["text"].rstrip().endswith(("…", "...")) or " " in bullet["text"]
    for note in result["notes"]:
        counted = re.match(r"(\d+) of (\d+) lines", note)
        if counted:
            assert 0 < int(counted.group(1)) <= int(counted.group(2))


@pytest.mark.slow
def test_demo_summarizes_the_sample_with_smollm2_grounded(cli_env, smollm2_gguf, monkeypatch, capsys):
    # What SmolLM2-135M writes differs between CPUs: only the guarantees are asserted, never wording.
    from bot.cli._windows import records_from_file

    monkeypatch.setenv("SMOLCORD_MODEL_CACHE", str(smollm2_cache_dir(smollm2_gguf)))
    assert main(["demo", "--json", "--model", "smollm2-135m"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model_key"] == "smollm2-135m"
    assert result["messages_read"] == result["messages_total"] == 76
    sample_ids = {m["id"] for m in json.loads(SAMPLE.read_text(encoding="utf-8"))["messages"]}
    assert result["bullets"]
    assert {i for b in result["bullets"] for i in b["message_ids"]} <= sample_ids
    assert_every_line_is_grounded(result, records_from_file(str(SAMPLE)))
