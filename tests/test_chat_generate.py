"""generate_reply on a tiny random-weight Llama: streaming, limits, early stop (wording is gibberish by design)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from transformers import LlamaConfig, LlamaForCausalLM  # noqa: E402

from agents import chat  # noqa: E402
from tests.test_chat_prompt import build, history, make_tokenizer  # noqa: E402


@pytest.fixture(scope="module")
def tiny_chat_model():
    tokenizer = make_tokenizer()
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
    )
    model = LlamaForCausalLM(config).eval()
    # Random weights could emit end-of-sequence at any step; without it every run generates the full budget.
    model.generation_config.eos_token_id = None
    return SimpleNamespace(spec=SimpleNamespace(generation={}), tokenizer=tokenizer, model=model, device="cpu")


def test_generate_reply_streams_growing_text_and_returns_the_last_of_it(tiny_chat_model):
    prompt = build(tiny_chat_model.tokenizer, history=history(5), context_window=512, max_new_tokens=24)
    seen: list[str] = []
    text = chat.generate_reply(tiny_chat_model, prompt.messages, max_new_tokens=24, on_text=seen.append, stop_strings=())
    assert seen and seen[-1] == text
    assert len(seen) >= 2  # it streamed rather than reporting once at the end


def test_generate_reply_respects_max_new_tokens(tiny_chat_model):
    prompt = build(tiny_chat_model.tokenizer, context_window=512, max_new_tokens=8)
    calls: list[int] = []

    class CountingTokenizer:
        def __getattr__(self, name):
            return getattr(tiny_chat_model.tokenizer, name)

        def decode(self, ids, **kw):
            calls.append(len(ids))
            return tiny_chat_model.tokenizer.decode(ids, **kw)

    counted = SimpleNamespace(**{**vars(tiny_chat_model), "tokenizer": CountingTokenizer()})
    chat.generate_reply(counted, prompt.messages, max_new_tokens=8, stop_strings=())
    assert max(calls) == 8


def test_should_stop_ends_generation_early(tiny_chat_model):
    prompt = build(tiny_chat_model.tokenizer, context_window=512, max_new_tokens=64)
    updates: list[str] = []
    chat.generate_reply(
        tiny_chat_model,
        prompt.messages,
        max_new_tokens=64,
        on_text=updates.append,
        stop_strings=(),
        should_stop=lambda: len(updates) >= 1,
    )
    assert 1 <= len(updates) <= 2


def test_registry_generation_settings_pass_through_but_beams_do_not():
    kwargs = chat.generation_kwargs({"temperature": 0.7, "do_sample": True, "num_beams": 4, "max_length": 9, "unknown": 1})
    assert kwargs == {"temperature": 0.7, "do_sample": True}
