"""`smolcord bench` on a tiny local model: every row, the files it writes, and the ROUGE it reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.summarize.rouge import rouge
from bot.cli import main


def test_rouge_matches_hand_counts():
    scores = rouge("the cat sat on the mat", "the cat lay on the mat")
    # 5 of 6 unigrams shared; bigrams: "the cat", "on the", "the mat" of 5; LCS 5 of 6.
    assert scores["rouge1"] == pytest.approx(5 / 6)
    assert scores["rouge2"] == pytest.approx(3 / 5)
    assert scores["rougeL"] == pytest.approx(5 / 6)
    assert rouge("", "anything")["rouge1"] == 0.0
    assert rouge("Same Words.", "same words")["rougeL"] == 1.0


@pytest.mark.slow
def test_bench_measures_the_old_path_and_each_quantization(tmp_path: Path, tiny_bart_dir: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMOLCORD_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(
        json.dumps({"text": "Alice: the deploy failed\nBob: I will fix the migration", "summary": "Bob will fix the failed deploy."})
        + "\n"
        + json.dumps({"messages": [{"author": "Carol", "content": "meeting moved to wednesday"}], "summary": "The meeting moved."})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "results"
    argv = [
        "bench",
        "--model-path",
        f"tiny={tiny_bart_dir}",
        "--messages",
        "60",
        "--quantize",
        "int8,none",
        "--labelled",
        str(labelled),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    rows = json.loads((out / "summaries-bench.json").read_text())
    assert [(r["profile"], r.get("backend")) for r in rows] == [
        ("old", None),
        ("fast", "transformers"),
        ("fast", "transformers"),
        ("fast", "ctranslate2"),
    ]
    baseline, int8, plain, ct2 = rows
    assert int8["dtype"] == "int8" and plain["dtype"] != "int8" and ct2["dtype"] == "int8"
    assert all(r["load_peak_mib"] >= 0 and r["load_resident_mib"] is not None for r in (int8, plain, ct2))
    assert baseline["tokens_read"] <= 1024 < baseline["window_tokens"]
    assert baseline["messages_read"] < 60
    for row in (int8, plain, ct2):
        assert row["messages_read"] == row["window_messages"] == 60
        assert row["rerun_messages"] == 63 and row["rerun_fraction"] > 0
        assert row["chunks"] >= 2 and row["input_tokens_per_s"] > 0
        assert row["peak_rss_mib"] >= row["rss_loaded_mib"] > 0
        assert set(row["rouge"]) == {"rouge1", "rouge2", "rougeL"}
    assert (out / "summaries-bench.md").read_text().startswith("| variant |")
    assert (out / "summaries-bench.png").stat().st_size > 1000
    assert "baseline: tiny fp32, 4 beams" in printed and "| ctranslate2 |" in printed


def test_bench_rejects_bad_options_in_one_line(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path / "data"))
    assert main(["bench", "--model-path", "nothing-here"]) == 1
    assert "expected KEY=PATH" in capsys.readouterr().err
    assert main(["bench", "--models", "extractive"]) == 1
    assert "no model to benchmark" in capsys.readouterr().err
    assert main(["bench", "--quantize", "fp4"]) == 1
    assert "--quantize" in capsys.readouterr().err
