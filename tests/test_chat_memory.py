"""The chat model and the summarizer share the ModelManager's memory budget: both stay loaded when it allows, and the
least recently used one gives way when it does not."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from agents import chat
from agents.records import MessageRecord
from tests.fixtures.models import model_manager_with

os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUESTION = MessageRecord(
    id=10,
    channel_id=1,
    author_id=1,
    author_name="Alice",
    content="<@9> hello, what's new?",
    created_at=datetime(2024, 5, 1, tzinfo=UTC),
    mention_names={9: "smolcord"},
    channel_name="general",
)


def reply(loaded) -> str:
    prompt = chat.build_chat_prompt(loaded.tokenizer, QUESTION, bot_user_id=9, bot_name="smolcord", context_window=512, max_new_tokens=8)
    return chat.generate_reply(loaded, prompt.messages, max_new_tokens=8, stop_strings=prompt.stop_strings)


def manager(tmp_path: Path, bart: Path, llama: Path, **kwargs):
    return model_manager_with(tmp_path, {"summarization": {"bart": bart}, "text_generation": {"llama": llama}}, **kwargs)


def loaded_keys(manager) -> list[str]:
    return sorted(row["key"] for row in manager.status() if row["state"] == "loaded")


async def test_chat_and_summarizer_stay_loaded_together_under_a_generous_budget(tmp_path, tiny_bart_dir, tiny_llama_dir):
    models = manager(tmp_path, tiny_bart_dir, tiny_llama_dir, memory_budget_mb=4096)
    try:
        summarizer = await models.get("summarization", "bart")
        await models.run("text_generation", "llama", reply)
        assert loaded_keys(models) == ["bart", "llama"]
        assert await models.get("summarization", "bart") is summarizer  # not reloaded
    finally:
        await models.close()


async def test_a_small_budget_evicts_the_least_recently_used_of_chat_and_summarizer(tmp_path, tiny_bart_dir, tiny_llama_dir):
    probe = manager(tmp_path / "probe", tiny_bart_dir, tiny_llama_dir)
    sizes = [(await probe.get("summarization", "bart")).memory_mb, (await probe.get("text_generation", "llama")).memory_mb]
    await probe.close()

    # Room for the bigger of the two, not for both.
    models = manager(tmp_path / "small", tiny_bart_dir, tiny_llama_dir, memory_budget_mb=max(sizes) + min(sizes) / 2)
    try:
        await models.get("summarization", "bart")
        await models.run("text_generation", "llama", reply)  # chat arrives: the idle summarizer goes
        assert loaded_keys(models) == ["llama"]
        await models.get("summarization", "bart")  # a summary again: now chat is the least recently used
        assert loaded_keys(models) == ["bart"]
        assert models.memory_used_mb() <= models.memory_budget_mb
    finally:
        await models.close()
