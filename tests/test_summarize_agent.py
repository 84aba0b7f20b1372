"""The summarizer agent on tiny random-weight models: coverage, chunk sizes, batching, merging, caching."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

import sml_config
from agents.records import MessageRecord
from agents.summarize import (
    EmptyWindowError,
    InMemoryChunkCache,
    pipeline,
    plan_window,
    render_message,
    split_points,
    summarize_messages,
)
from agents.summarize.generation import MAP, MERGE
from tests.fixtures.models import TINY_BART_KEY, TINY_LLAMA_KEY

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAMES = ["Alice", "Bob", "Carol", "Dan", "Erin"]
TOPICS = [
    "the deploy failed because the database migration timed out on the staging server",
    "we should move the planning meeting to wednesday afternoon because thursday is full",
    "who is bringing snacks and board games to the game night on saturday evening",
    "the new onboarding docs need screenshots of the setup wizard and the token page",
]


def conversation(count: int, *, first_id: int = 10_000, seed: int = 7, start: datetime = START) -> list[MessageRecord]:
    """A chat of `count` messages over four topics, with replies, mentions and a pause between topics."""
    rng = random.Random(seed)
    messages = []
    when = start
    for i in range(count):
        topic = TOPICS[(i // 60) % len(TOPICS)]
        when += timedelta(minutes=45) if i and i % 60 == 0 else timedelta(seconds=rng.randint(20, 200))
        words = topic.split()
        rng.shuffle(words)
        author = i % len(NAMES)
        reply = first_id + i - 1 if i % 7 == 3 else None
        messages.append(
            MessageRecord(
                id=first_id + i,
                channel_id=42,
                author_id=100 + author,
                author_name=NAMES[author],
                content=" ".join(words[: rng.randint(5, len(words))]) + f" (note {i})",
                created_at=when,
                reply_to_id=reply,
                guild_id=1,
            )
        )
    return messages


class CallCounter:
    """Counts the model calls the pipeline makes (the real generate function still runs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.calls: list[tuple[str, int]] = []
        real = pipeline.generate_summaries

        def counted(loaded, generation, texts, kind, new_tokens):
            self.calls.append((kind, len(texts)))
            return real(loaded, generation, texts, kind, new_tokens)

        monkeypatch.setattr(pipeline, "generate_summaries", counted)

    def texts(self, kind: str) -> int:
        return sum(n for k, n in self.calls if k == kind)

    def reset(self) -> None:
        self.calls.clear()


async def test_every_message_is_read_and_every_chunk_fits_the_window(tiny_registry):
    messages = conversation(300)
    plan = await plan_window(messages, manager=tiny_registry, model_key=TINY_BART_KEY)
    loaded = await tiny_registry.get("summarization", TINY_BART_KEY, profile="fast")
    assert len(plan.chunks) > 3
    read = [i for chunk in plan.chunks for i in chunk.message_ids]
    assert sorted(read) == [m.id for m in messages]  # each message once, none lost
    for chunk in plan.chunks:
        assert len(loaded.tokenizer(chunk.text)["input_ids"]) <= 1024  # with <s> and </s>

    summary = await summarize_messages(messages, manager=tiny_registry, model_key=TINY_BART_KEY)
    assert summary.messages_read == summary.messages_total == 300
    assert summary.complete and summary.coverage.startswith("read all 300 messages")
    assert summary.chunks_total == len(plan.chunks)


async def test_a_giant_message_is_split_not_dropped_and_odd_messages_are_read(tiny_registry):
    messages = conversation(20)
    giant = "The release checklist is long. " + " ".join(f"step{i} verify the backup and restore it" for i in range(500))
    assert len(giant) > 4000
    extra = [
        MessageRecord(
            id=20_001,
            channel_id=42,
            author_id=101,
            author_name="Bob",
            content=giant,
            created_at=messages[-1].created_at + timedelta(seconds=30),
        ),
        MessageRecord(
            id=20_002,
            channel_id=42,
            author_id=102,
            author_name="Carol",
            content="🎉🎉🔥",
            created_at=messages[-1].created_at + timedelta(seconds=60),
        ),
        MessageRecord(
            id=20_003,
            channel_id=42,
            author_id=103,
            author_name="Dan",
            content="",
            attachments=("screenshot.png (120 kB)",),
            created_at=messages[-1].created_at + timedelta(seconds=90),
        ),
        MessageRecord(
            id=20_004,
            channel_id=42,
            author_id=104,
            author_name="Erin",
            content="",
            created_at=messages[-1].created_at + timedelta(seconds=99),
        ),
    ]
    plan = await plan_window(messages + extra, manager=tiny_registry, model_key=TINY_BART_KEY)
    loaded = await tiny_registry.get("summarization", TINY_BART_KEY, profile="fast")
    pieces = [p for chunk in plan.chunks for p in chunk.pieces if p.message_id == 20_001]
    assert len(pieces) >= 3 and [p.part for p in pieces] == list(range(len(pieces)))
    assert all(f"(part {p.part + 1}/{len(pieces)})" in p.text for p in pieces)
    # Every word of the giant message reaches the model.
    read_words = " ".join(p.text.split(": ", 1)[1] for p in pieces).split()
    assert read_words == giant.split()
    for chunk in plan.chunks:
        assert len(loaded.tokenizer(chunk.text)["input_ids"]) <= 1024
    texts = {p.message_id: p.text for chunk in plan.chunks for p in chunk.pieces}
    assert texts[20_002] == "Carol: 🎉🎉🔥"
    assert texts[20_003] == "Dan: [attachment: screenshot.png (120 kB)]"
    assert texts[20_004] == "Erin: [empty message]"

    summary = await summarize_messages(messages + extra, manager=tiny_registry, model_key=TINY_BART_KEY)
    assert summary.messages_read == summary.messages_total == 24


async def test_chunks_are_summarized_in_batches_and_merged(tiny_registry, monkeypatch):
    counter = CallCounter(monkeypatch)
    messages = conversation(400)
    summary = await summarize_messages(messages, manager=tiny_registry, model_key=TINY_BART_KEY, batch_size=3)
    assert summary.chunks_total > 3
    map_calls = [n for kind, n in counter.calls if kind == MAP]
    assert counter.texts(MAP) == summary.chunks_total
    assert max(map_calls) == 3  # batches, not one call per chunk
    assert len(map_calls) < summary.chunks_total
    # Several chunks are merged: groups of at most MERGE_FANOUT summaries.
    merges = [n for kind, n in counter.calls if kind == MERGE]
    assert merges and counter.texts(MERGE) >= math.ceil(summary.chunks_total / pipeline.MERGE_FANOUT) - 1
    ids = {m.id for m in messages}
    assert summary.bullets
    for bullet in summary.bullets:
        assert bullet.text and bullet.message_ids
        assert set(bullet.message_ids) <= ids


async def test_a_second_run_reads_everything_from_the_cache(tiny_registry, monkeypatch):
    counter = CallCounter(monkeypatch)
    cache = InMemoryChunkCache()
    messages = conversation(300)
    first = await summarize_messages(messages, manager=tiny_registry, model_key=TINY_BART_KEY, cache=cache)
    assert first.chunks_cached == 0 and counter.calls
    counter.reset()
    again = await summarize_messages(messages, manager=tiny_registry, model_key=TINY_BART_KEY, cache=cache)
    assert counter.calls == []  # not a single model call
    assert again.chunks_cached == again.chunks_total == first.chunks_total
    assert again.bullets == first.bullets


async def test_five_percent_new_messages_rerun_only_the_last_chunks(tiny_registry, monkeypatch):
    counter = CallCounter(monkeypatch)
    cache = InMemoryChunkCache()
    messages = conversation(420)
    first = await summarize_messages(messages[:400], manager=tiny_registry, model_key=TINY_BART_KEY, cache=cache)
    first_map = counter.texts(MAP)
    counter.reset()
    second = await summarize_messages(messages, manager=tiny_registry, model_key=TINY_BART_KEY, cache=cache)
    assert second.messages_read == 420
    assert first_map == first.chunks_total >= 8
    assert counter.texts(MAP) <= 2  # the old last chunk (now fuller) and at most one new one
    assert second.chunks_cached >= second.chunks_total - 2
    assert counter.texts(MERGE) <= 2  # only the last merge group (and a top merge, if any) again


async def test_an_edited_message_never_hits_a_stale_chunk(tiny_registry, monkeypatch):
    counter = CallCounter(monkeypatch)
    cache = InMemoryChunkCache()
    messages = conversation(200)
    await summarize_messages(messages, manager=tiny_registry, model_key=TINY_BART_KEY, cache=cache)
    counter.reset()
    edited = list(messages)
    target = edited[100]
    edited[100] = MessageRecord(**{**{f: getattr(target, f) for f in target.__slots__}, "content": "actually the meeting is cancelled"})
    summary = await summarize_messages(edited, manager=tiny_registry, model_key=TINY_BART_KEY, cache=cache)
    # The chunk holding the edited message runs again (its content hash changed); the new length
    # may move the next boundary or two until packing meets the old boundaries again.
    assert 1 <= counter.texts(MAP) <= 3
    assert summary.chunks_cached == summary.chunks_total - counter.texts(MAP) >= summary.chunks_total - 3


async def test_a_causal_chat_model_summarizes_through_its_chat_template(tiny_registry):
    messages = conversation(150)
    plan = await plan_window(messages, manager=tiny_registry, model_key=TINY_LLAMA_KEY)
    loaded = await tiny_registry.get("text_generation", TINY_LLAMA_KEY)
    max_new = sml_config.generation_kwargs(loaded.spec, "fast")["max_new_tokens"]
    for chunk in plan.chunks:
        prompt = loaded.tokenizer.apply_chat_template([{"role": "user", "content": chunk.text}], add_generation_prompt=True, tokenize=True)
        assert len(prompt) + max_new <= 1024 + 64  # the causal chunk window, prompt overhead aside
        assert plan.input_limit + max_new <= 1024
    summary = await summarize_messages(messages, manager=tiny_registry, model_key=TINY_LLAMA_KEY)
    assert summary.model_key == TINY_LLAMA_KEY
    assert summary.messages_read == 150 and summary.bullets


@pytest.mark.parametrize("key", [TINY_BART_KEY, TINY_LLAMA_KEY])
async def test_a_model_line_is_shown_only_when_its_cited_messages_support_it(tiny_registry, key):
    # Random weights write gibberish: whatever survives must pass the grounding check, and the
    # notes must account for every line that did not.
    from agents.summarize.grounding import Sources, check_line, people_words

    messages = conversation(120)
    summary = await summarize_messages(messages, manager=tiny_registry, model_key=key)
    by_id = {m.id: m for m in messages}
    people = people_words(messages)
    assert summary.bullets
    for bullet in summary.bullets:
        assert set(bullet.message_ids) <= set(by_id)
        assert check_line(bullet.text, Sources.of(by_id[i] for i in bullet.message_ids), people=people) == []
    for note in summary.notes:
        if " lines the model wrote " in note:
            failed, checked = (int(n) for n in note.split(" lines")[0].split(" of "))
            assert 0 < failed <= checked


async def test_extractive_needs_no_model(tiny_registry):
    messages = conversation(240)
    summary = await summarize_messages(messages, manager=None, model_key="extractive")
    assert summary.model_key == "extractive" and summary.chunks_total == 0
    assert summary.messages_read == summary.messages_total == 240
    from agents.summarize.recap import MAX_TOPICS

    topic_lines = [b for b in summary.bullets if b.section == "topic"]
    assert 1 <= len(topic_lines) <= MAX_TOPICS
    ids = {m.id for m in messages}
    for bullet in summary.bullets:
        assert bullet.message_ids and set(bullet.message_ids) <= ids
    # One topic line per conversation (they are 45 minutes apart), each citing only its own messages.
    topics = [{(i - 10_000) // 60 for i in b.message_ids} for b in topic_lines]
    assert all(len(t) == 1 for t in topics) and set().union(*topics) == {0, 1, 2, 3}


async def test_an_empty_window_is_a_clear_error(tiny_registry):
    with pytest.raises(EmptyWindowError, match="no messages"):
        await summarize_messages([], manager=tiny_registry, model_key=TINY_BART_KEY)
    bots = [MessageRecord(id=1, channel_id=42, author_id=9, author_name="CI", content="build passed", created_at=START, is_bot=True)]
    with pytest.raises(EmptyWindowError, match="only bot messages"):
        await summarize_messages(bots, model_key="extractive")
    summary = await summarize_messages(bots, model_key="extractive", include_bots=True)
    [only] = summary.bullets  # one message: the recap says what it holds
    assert only.message_ids == (1,) and "CI" in only.text and "build passed" in only.text.lower()


async def test_bot_messages_are_skipped_and_counted(tiny_registry):
    messages = conversation(30)
    bot = MessageRecord(
        id=99_999,
        channel_id=42,
        author_id=9,
        author_name="CI",
        content="nightly build failed",
        created_at=messages[5].created_at,
        is_bot=True,
    )
    summary = await summarize_messages(messages + [bot], manager=tiny_registry, model_key=TINY_BART_KEY)
    assert summary.messages_total == summary.messages_read == 30
    assert summary.bot_messages_skipped == 1
    assert "1 bot message skipped" in summary.coverage


async def test_a_window_larger_than_the_budget_is_preselected_and_says_so(tiny_registry):
    messages = conversation(300)
    summary = await summarize_messages(messages, manager=tiny_registry, model_key=TINY_BART_KEY, max_input_tokens=3000)
    assert 0 < summary.messages_read < summary.messages_total == 300
    assert not summary.complete
    assert summary.coverage.startswith(f"read {summary.messages_read} of 300 messages")
    assert any("most representative" in note for note in summary.notes)


async def test_unknown_model_and_profile_name_the_choices(tiny_registry):
    with pytest.raises(sml_config.UnknownModelError, match="choose one of .*tiny-bart"):
        await summarize_messages(conversation(5), manager=tiny_registry, model_key="gpt-17")
    with pytest.raises(sml_config.UnknownModelError, match="fast, quality"):
        await summarize_messages(conversation(5), manager=tiny_registry, model_key=TINY_BART_KEY, profile="turbo")


def test_messages_render_as_readable_lines():
    message = MessageRecord(
        id=1,
        channel_id=42,
        author_id=100,
        author_name="Alice",
        content=(
            "<@200> and <@!201> see <#300>, ask <@&400> :) <:party_parrot:123456> @everyone\n"
            "```python\n" + "\n".join(f"line_{i} = {i}" for i in range(40)) + "\n```\n"
            "docs at https://github.com/org/repo/pull/12, and ||the ending|| is **great**"
        ),
        created_at=START,
        mention_names={200: "Bob", 201: "Carol"},
        channel_names={300: "release-notes"},
        role_names={400: "maintainers"},
        attachments=("plan.pdf (88 kB)",),
        embeds=("Release notes: what changed",),
    )
    line = render_message(message)
    assert line.startswith("Alice: @Bob and @Carol see #release-notes, ask @maintainers :) :party_parrot: everyone")
    assert "[code: 40 lines python]" in line and "line_39" not in line
    assert "[github.com PR #12]," in line and "https://" not in line  # the PR number is the fact
    assert "[spoiler]" in line and "the ending" not in line
    assert "great" in line and "**" not in line
    assert line.endswith("[attachment: plan.pdf (88 kB)] [embed: Release notes: what changed]")
    assert "\n" not in line
    short = MessageRecord(id=2, channel_id=42, author_id=1, author_name="Bob", content="```\nx = 1\n```", created_at=START)
    assert render_message(short) == "Bob: x = 1"


def test_model_output_splits_into_points():
    assert split_points("Alice fixed the deploy. Bob will review it on Friday.") == [
        "Alice fixed the deploy.",
        "Bob will review it on Friday.",
    ]
    listed = "Here is a summary:\n- **Alice** fixed the deploy\n- Bob will review it\nI hope this helps!"
    assert split_points(listed) == ["Alice fixed the deploy", "Bob will review it"]
    assert split_points("1. one thing\n2) another thing") == ["one thing", "another thing"]
    assert split_points("") == []


def test_chunk_boundaries_survive_a_window_that_slides():
    """`--last N` moves the start: packing meets the old boundaries again, so cached chunks keep hitting."""
    from agents.summarize.chunks import Piece, pack_pieces

    rng = random.Random(1)
    stream = [(1000 + i, rng.randint(8, 60), rng.random() < 0.08) for i in range(1500)]

    def boundaries(start: int) -> set[tuple[int, ...]]:
        pieces = [Piece(mid, f"m{mid}", tokens, starts or k == 0) for k, (mid, tokens, starts) in enumerate(stream[start:])]
        chunks = pack_pieces(pieces, 1000)
        assert all(chunk.tokens <= 1000 for chunk in chunks)
        return {chunk.message_ids for chunk in chunks}

    before = boundaries(0)
    for shift in (5, 25, 150):
        after = boundaries(shift)
        assert len(after & before) >= 0.9 * len(after)
