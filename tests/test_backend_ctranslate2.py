"""The CTranslate2 backend on the tiny random-weight BART, registered and loaded exactly as a downloaded model:
converted once into the model cache (int8), summaries cover every message, a failed conversion leaves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("ctranslate2", reason="ctranslate2 is not installed: pip install 'smolcord[ctranslate2]'")

from agents.backends import ct2  # noqa: E402
from agents.loading import ModelLoadError  # noqa: E402
from agents.summarize import summarize_messages  # noqa: E402
from tests.fixtures.models import model_manager_with  # noqa: E402
from tests.test_summarize_agent import conversation  # noqa: E402

KEY = "tiny-bart-ct2"


def manager_for(tmp_path: Path, tiny_bart_dir: Path, **kwargs):
    return model_manager_with(tmp_path, {"summarization": {KEY: {"path": str(tiny_bart_dir), "backend": "ctranslate2"}}}, **kwargs)


def ct2_folders(cache: Path) -> list[Path]:
    root = cache / "ctranslate2"
    return sorted(root.iterdir()) if root.exists() else []


@pytest.mark.slow
async def test_summaries_run_on_ctranslate2_and_cover_every_message(tmp_path: Path, tiny_bart_dir: Path) -> None:
    manager = manager_for(tmp_path, tiny_bart_dir)
    try:
        messages = conversation(150)
        summary = await summarize_messages(messages, manager=manager, model_key=KEY, profile="fast")
        assert summary.complete and summary.messages_read == len(messages) and summary.chunks_total >= 2
        assert all(b.text.strip() for b in summary.bullets)
        loaded = await manager.get("summarization", KEY)
        assert loaded.backend_name == "ctranslate2" and loaded.quantized and loaded.memory_mb > 0
        row = manager.status()[0]
        assert row["backend"] == "ctranslate2" and row["state"] == "loaded"
        # The quality profile (beam search) runs on the same int8 model: one load serves both profiles.
        await summarize_messages(messages[:40], manager=manager, model_key=KEY, profile="quality")
        assert len(manager.status()) == 1
    finally:
        await manager.close()
    folders = ct2_folders(tmp_path / "model-cache")
    assert len(folders) == 1 and (folders[0] / ".complete").exists() and (folders[0] / "model.bin").exists()


@pytest.mark.slow
def test_the_conversion_is_done_once_and_reused(tmp_path: Path, tiny_bart_dir: Path) -> None:
    cache = tmp_path / "cache"
    first = ct2.convert(tiny_bart_dir, cache)
    stamp = (first / "model.bin").stat().st_mtime_ns
    assert ct2.convert(tiny_bart_dir, cache) == first
    assert (first / "model.bin").stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_a_conversion_that_fails_halfway_leaves_nothing_in_the_cache(
    tmp_path: Path, tiny_bart_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctranslate2.specs import model_spec

    real_save = model_spec.ModelSpec.save

    def save_then_die(self, output_dir: str) -> None:
        real_save(self, output_dir)  # the weights are written...
        raise OSError(28, "No space left on device")  # ...and then the disk fills up

    monkeypatch.setattr(model_spec.ModelSpec, "save", save_then_die)
    manager = manager_for(tmp_path, tiny_bart_dir)
    try:
        with pytest.raises(ModelLoadError) as raised:
            manager.load_sync("summarization", KEY)
    finally:
        manager.close_sync()
    line = str(raised.value)
    assert "could not be converted for CTranslate2" in line and "No space left" in line and "\n" not in line
    root = tmp_path / "model-cache" / "ctranslate2"
    assert list(root.iterdir()) == []  # no half-written model, no scratch folder

    monkeypatch.setattr(model_spec.ModelSpec, "save", real_save)
    manager = manager_for(tmp_path, tiny_bart_dir)
    try:
        assert manager.load_sync("summarization", KEY).backend_name == "ctranslate2"  # converts afresh
    finally:
        manager.close_sync()


def test_a_folder_that_is_not_a_model_fails_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "bart"}')
    (broken / "model.safetensors").write_bytes(b"\0" * 100)  # truncated weights
    with pytest.raises(ModelLoadError) as raised:
        ct2.convert(broken, tmp_path / "cache", key="broken")
    assert "\n" not in str(raised.value) and "broken" in str(raised.value)
    assert list((tmp_path / "cache" / "ctranslate2").iterdir()) == []


@pytest.mark.slow
async def test_the_built_in_distilbart_key_runs_on_ctranslate2_from_a_cached_hub_snapshot(tmp_path: Path, tiny_bart_dir: Path) -> None:
    """The registry default: a downloaded (here: faked) hub snapshot of distilbart converts once and summarizes."""
    from agents.runtime import ModelManager
    from sml_config import load_registry
    from tests.test_registry_cli import fake_hub_snapshot

    files = {p.name: p.read_bytes() for p in tiny_bart_dir.iterdir() if p.is_file()}
    fake_hub_snapshot(tmp_path, "sshleifer/distilbart-cnn-12-6", files)
    manager = ModelManager(cache_dir=tmp_path, offline=True, device="cpu", registry=load_registry(env={}))
    try:
        summary = await summarize_messages(conversation(40), manager=manager, model_key="distilbart")
        assert summary.complete
        assert manager.status()[0]["backend"] == "ctranslate2"
    finally:
        await manager.close()
    assert len(ct2_folders(tmp_path)) == 1
