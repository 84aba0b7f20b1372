"""`smolcord models list|info|pull` through bot.cli.main, with the hub unavailable or mocked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main

DISTILBART = "sshleifer/distilbart-cnn-12-6"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models_file: Path) -> Path:
    """A clean environment: data dir in tmp_path, offline, the tiny models registered. Returns the model cache."""
    for name in list(os.environ):
        if name.upper().startswith(("SMOLCORD_", "HF_HUB_OFFLINE")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMOLCORD_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("SMOLCORD_MODELS_FILE", str(tiny_models_file))
    return tmp_path / "data" / "models"


def fake_hub_snapshot(cache: Path, repo_id: str, files: dict[str, bytes]) -> Path:
    """Lay out a Hugging Face hub cache entry the way snapshot_download leaves it."""
    repo = cache / "hub" / f"models--{repo_id.replace('/', '--')}"
    commit = "0" * 40
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    for name, data in files.items():
        (snapshot / name).write_bytes(data)
    return snapshot


def rows(output: str) -> dict[tuple[str, str], list[str]]:
    table = {}
    for line in output.splitlines()[1:]:
        cells = line.split()
        if len(cells) >= 3 and cells[0] in ("summarization", "text_generation", "classification", "embedding"):
            table[(cells[0], cells[1])] = cells
    return table


def test_models_list_shows_every_model_with_sizes_defaults_and_download_state(cli_env: Path, capsys) -> None:
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == [
        "TASK",
        "KEY",
        "DEFAULT",
        "FAMILY",
        "BACKEND",
        "PARAMS",
        "DISK",
        "RAM(fp32)",
        "DOWNLOADED",
        "SOURCE",
    ]
    table = rows(out)
    distilbart = table[("summarization", "distilbart")]
    assert {"transformers", "ctranslate2"} & set(distilbart)  # the backend column
    assert distilbart[-1] == DISTILBART and "306M" in distilbart and "no" in distilbart
    assert "*" not in distilbart  # the tiny models file made tiny-bart the default
    tiny = table[("summarization", "tiny-bart")]
    assert "*" in tiny and "local" in tiny
    assert "n/a" in table[("summarization", "extractive")]
    assert ("text_generation", "phi3-mini") in table and ("classification", "bert-tiny") in table
    assert str(cli_env) in out and "smolcord models pull KEY" in out


def test_models_list_marks_a_cached_hub_model_downloaded(cli_env: Path, capsys) -> None:
    fake_hub_snapshot(cli_env, DISTILBART, {"config.json": b"{}"})
    assert main(["models", "list", "--task", "summarization"]) == 0
    table = rows(capsys.readouterr().out)
    assert "yes" in table[("summarization", "distilbart")]
    assert all(task == "summarization" for task, _ in table)


def test_models_list_unknown_task_is_one_line(cli_env: Path, capsys) -> None:
    assert main(["models", "list", "--task", "translation"]) == 1
    err = capsys.readouterr().err.strip()
    assert "unknown task 'translation'" in err and "summarization" in err and "\n" not in err


def test_models_info_prints_every_field(cli_env: Path, capsys) -> None:
    assert main(["models", "info", "distilbart"]) == 0
    out = capsys.readouterr().out
    fields = dict(line.split(None, 1) for line in out.splitlines() if " " in line and not line.startswith(("resolves", "default")))
    assert fields["hub_id"] == DISTILBART and fields["family"] == "seq2seq"
    assert fields["params_m"] == "306.0" and fields["context_window"] == "1024"
    assert "num_beams=4" in fields["generation"]
    assert f"resolves to     {DISTILBART}" in out and "downloaded      no" in out


def test_models_info_ambiguous_or_unknown_key(cli_env: Path, capsys) -> None:
    assert main(["models", "info", "gpt-4"]) == 1
    err = capsys.readouterr().err
    assert "unknown model 'gpt-4'" in err and "distilbart" in err and "minilm" in err
    assert main(["models", "info", "distilbart", "--task", "embedding"]) == 1
    assert "unknown embedding model 'distilbart'" in capsys.readouterr().err


def test_pull_offline_fails_with_one_clear_line(cli_env: Path, capsys) -> None:
    assert main(["models", "pull", "distilbart"]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err == (f"smolcord: cannot download 'distilbart' ({DISTILBART}) in offline mode: unset SMOLCORD_OFFLINE/HF_HUB_OFFLINE")
    assert "downloading" not in captured.out


def test_pull_a_local_model_has_nothing_to_do(cli_env: Path, capsys) -> None:
    assert main(["models", "pull", "tiny-bart"]) == 0
    assert "is local" in capsys.readouterr().out
    assert main(["models", "pull", "extractive"]) == 1
    assert "no weights to download" in capsys.readouterr().err


def _online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOLCORD_OFFLINE", "0")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


def test_pull_downloads_only_what_transformers_needs_into_the_cache(cli_env: Path, capsys, monkeypatch) -> None:
    import huggingface_hub
    from huggingface_hub.hf_api import RepoSibling

    _online(monkeypatch)
    calls = []

    class FakeApi:
        def model_info(self, repo_id):
            files = ["config.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5", "vocab.json"]
            return type("Info", (), {"siblings": [RepoSibling(rfilename=f) for f in files]})()

    def fake_snapshot_download(repo_id, *, cache_dir, allow_patterns, **kwargs):
        calls.append((repo_id, Path(cache_dir), allow_patterns))
        return str(fake_hub_snapshot(Path(cache_dir).parent, repo_id, {"config.json": b"{}"}))

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    assert main(["models", "pull", "distilbart"]) == 0
    out = capsys.readouterr().out
    assert "downloading 'distilbart'" in out and "is ready" in out
    [(repo_id, cache_dir, patterns)] = calls
    assert repo_id == DISTILBART and cache_dir == cli_env / "hub"
    assert "*.safetensors" in patterns and "*.bin" not in patterns and "*.h5" not in patterns


def test_pull_with_the_hub_unreachable_is_one_line(cli_env: Path, capsys, monkeypatch) -> None:
    import huggingface_hub

    _online(monkeypatch)

    class UnreachableApi:
        def model_info(self, repo_id):
            raise ConnectionError("Failed to resolve 'huggingface.co'\nmore detail that must not show")

    monkeypatch.setattr(huggingface_hub, "HfApi", UnreachableApi)
    assert main(["models", "pull", "tinyllama"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("smolcord: could not download 'tinyllama' (TinyLlama/TinyLlama-1.1B-Chat-v1.0)")
    assert "ConnectionError: Failed to resolve 'huggingface.co'" in err and "\n" not in err


def test_bad_models_file_is_one_line(cli_env: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[models.summarization.x]\nweights = 1\n")
    monkeypatch.setenv("SMOLCORD_MODELS_FILE", str(bad))
    assert main(["models", "list"]) == 1
    err = capsys.readouterr().err.strip()
    assert "unknown field(s) weights" in err and "\n" not in err
