"""The llamacpp backend on the real SmolLM2 GGUF: it starts (a child process probes the build first, so a
SIGILL cannot take the bot down), streams a chat reply, summarizes; bad files fail in one line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

if importlib.util.find_spec("llama_cpp") is None:
    pytest.skip("llama-cpp-python is not installed: bash scripts/install-llamacpp.sh (CI installs it)", allow_module_level=True)

from agents import chat  # noqa: E402
from agents.backends import llamacpp  # noqa: E402
from agents.loading import ModelLoadError  # noqa: E402
from agents.runtime import ModelManager  # noqa: E402
from sml_config import load_registry  # noqa: E402
from tests.fixtures.models import model_manager_with, smollm2_cache_dir  # noqa: E402
from tests.test_backend_openai import question  # noqa: E402

KEY = "smollm2-135m"


@pytest.fixture(scope="module")
def llamacpp_manager(smollm2_gguf: Path):
    registry = load_registry(env={"SMOLCORD_BACKEND__TEXT_GENERATION__SMOLLM2_135M": "llamacpp"})
    manager = ModelManager(cache_dir=smollm2_cache_dir(smollm2_gguf), offline=True, device="cpu", registry=registry)
    yield manager
    manager.close_sync()


@pytest.mark.slow
async def test_the_backend_starts_and_streams_a_chat_reply(llamacpp_manager: ModelManager) -> None:
    updates: list[str] = []

    def job(loaded) -> str:
        assert loaded.backend_name == "llamacpp" and loaded.memory_mb > 50
        prompt = chat.build_chat_prompt(
            loaded.tokenizer, question(), bot_user_id=99, bot_name="smolcord", context_window=1024, max_new_tokens=16
        )
        return chat.generate_reply(
            loaded,
            prompt.messages,
            max_new_tokens=16,
            on_text=updates.append,
            stop_strings=prompt.stop_strings,
            assistant_name=prompt.assistant_name,
        )

    text = await llamacpp_manager.run("text_generation", KEY, job)
    assert text.strip() and updates and updates[-1] == text
    row = llamacpp_manager.status()[0]
    assert row["backend"] == "llamacpp" and row["state"] == "loaded" and row["memory_mb"] > 50


@pytest.mark.slow
async def test_the_backend_generates_a_batch_for_summaries(llamacpp_manager: ModelManager) -> None:
    def job(loaded) -> list[str]:
        ids = [loaded.tokenizer(text)["input_ids"] for text in ("alice: the deploy failed", "bob: meeting moved")]
        return loaded.generate_batch(ids, max_new_tokens=6)

    outputs = await llamacpp_manager.run("text_generation", KEY, job)
    assert len(outputs) == 2 and all(isinstance(o, str) for o in outputs)


def test_a_file_that_is_not_a_gguf_fails_in_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "weights.gguf"
    fake.write_text("this is a README, not weights\n" * 10)
    manager = model_manager_with(tmp_path, {"text_generation": {"fake": {"path": str(fake), "backend": "llamacpp"}}})
    try:
        with pytest.raises(ModelLoadError) as raised:
            manager.load_sync("text_generation", "fake")
    finally:
        manager.close_sync()
    line = str(raised.value)
    assert "\n" not in line and "is not a GGUF file" in line and "weights.gguf" in line


@pytest.mark.slow
def test_a_truncated_gguf_fails_in_one_line(tmp_path: Path, smollm2_gguf: Path, monkeypatch) -> None:
    cut = tmp_path / "cut.gguf"
    with smollm2_gguf.open("rb") as source:
        cut.write_bytes(source.read(4 << 20))  # the header and the first tensors, no more
    monkeypatch.setattr(llamacpp, "_probed", {})  # the child process meets the truncated file first
    manager = model_manager_with(tmp_path, {"text_generation": {"cut": {"path": str(cut), "backend": "llamacpp"}}})
    try:
        with pytest.raises(ModelLoadError) as raised:
            manager.load_sync("text_generation", "cut")
    finally:
        manager.close_sync()
    line = str(raised.value)
    assert "\n" not in line and "cut.gguf" in line and "model 'cut'" in line and "truncated or corrupt" in line


def test_a_build_that_dies_of_sigill_is_one_line_saying_how_to_reinstall(tmp_path: Path, monkeypatch) -> None:
    # A child that dies of SIGILL exactly as a native build did on these VMs.
    monkeypatch.setattr(llamacpp, "_PROBE", "import os, signal; os.kill(os.getpid(), signal.SIGILL)")
    monkeypatch.setattr(llamacpp, "_probed", {})
    failure = llamacpp._run_probe(tmp_path / "any.gguf")
    assert failure is not None and "SIGILL" in failure and "scripts/install-llamacpp.sh" in failure
