"""Summarizing a window of messages: render, segment, chunk, map (batched, cached), merge, attribute."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

import sml_config
from agents.records import MessageRecord
from agents.summarize.cache import CachedChunk, ChunkCache
from agents.summarize.chunks import Chunk, chunk_key, merge_key, settings_fingerprint
from agents.summarize.extractive import score_messages
from agents.summarize.generation import (
    MAP,
    MAP_NEW_TOKENS_RATIO,
    MERGE,
    MERGE_NEW_TOKENS_RATIO,
    MIN_NEW_TOKENS,
    PROMPT_VERSION,
    Plan,
    count_tokens,
    generate_summaries,
    new_tokens_for,
    plan_chunks,
    repack_pieces,
)
from agents.summarize.grounding import GroundingReport, ground_lines, quote_line
from agents.summarize.recap import TOPIC, build_recap
from agents.summarize.render import render_content, render_messages, speaker
from agents.summarize.segment import segment_starts
from agents.summarize.summary import Bullet, EmptyWindowError, Summary
from agents.summarize.textsim import TfIdf, dot, words

TASK = "summarization"

# Per profile: chunks per generate() call, and the most window tokens a model reads before the
# window is pre-selected extractively (about two minutes of DistilBART on two cores for "fast").
READING = {
    "fast": {"batch_size": 4, "max_input_tokens": 60_000},
    "quality": {"batch_size": 2, "max_input_tokens": 30_000},
}
DEFAULT_READING = {"batch_size": 2, "max_input_tokens": 30_000}
# A merge reads at most this many consecutive summaries. Groups are formed from the start, so
# appended messages re-merge only the last group.
MERGE_FANOUT = 4
# Merging repeats while more summaries than this remain: each becomes a few bullets.
MAX_TOP_SUMMARIES = 6
# Each bullet links to at most this many source messages, most similar first.
IDS_PER_BULLET = 3
ATTRIBUTION_MIN_SIMILARITY = 0.12

Progress = Callable[[str, int, int], None]


def resolve_model(model_key: str | None, registry: Any = None) -> tuple[str, sml_config.ModelSpec]:
    """(task, spec) of a summarization key, or of a causal text-generation key used with a prompt.

    `registry` is the manager's (`ModelManager.registry`); None reads the process registry.
    """
    registry = registry if registry is not None else sml_config.current_registry()
    if model_key is None:
        return TASK, registry.spec(TASK)
    try:
        return TASK, registry.spec(TASK, model_key)
    except sml_config.UnknownModelError:
        pass
    try:
        spec = registry.spec("text_generation", model_key)
    except sml_config.UnknownModelError:
        spec = None
    if spec is None or spec.family != "causal":
        summarizers = ", ".join(s.key for s in registry.list(TASK))
        chat = ", ".join(s.key for s in registry.list("text_generation") if s.family == "causal")
        raise sml_config.UnknownModelError(
            f"unknown summarization model {model_key!r}: choose one of {summarizers} (or a chat model: {chat})"
        )
    return "text_generation", spec


@dataclass(slots=True)
class _Node:
    """A summary of consecutive messages: a chunk's, or a merge of several."""

    key: str
    text: str
    message_ids: tuple[int, ...]
    children: tuple[_Node, ...] = ()


async def _summarize_missing(
    items: list[tuple[str, str, int, int]],
    *,
    manager: Any,
    task: str,
    model_key: str,
    generation: dict[str, Any],
    kind: str,
    profile: str | None,
    quantize: str | None,
    batch_size: int,
    store: Callable[[dict[str, str]], Any],
    progress: Callable[[int], None],
) -> dict[str, str]:
    """Run the model on (key, text, new_tokens, tokens) items in batches of similar size."""
    results: dict[str, str] = {}
    by_new_tokens: dict[int, list[tuple[str, str, int, int]]] = {}
    for item in items:
        by_new_tokens.setdefault(item[2], []).append(item)
    for new_tokens, group in sorted(by_new_tokens.items()):
        group.sort(key=lambda item: -item[3])  # similar lengths together: little padding
        for start in range(0, len(group), batch_size):
            batch = group[start : start + batch_size]
            texts = [item[1] for item in batch]
            outputs = await manager.run(
                task,
                model_key,
                generate_summaries,
                generation,
                texts,
                kind,
                new_tokens,
                profile=profile,
                quantize=quantize,
            )
            done = {item[0]: output for item, output in zip(batch, outputs, strict=False)}
            results.update(done)
            await store(done)
            progress(len(batch))
    return results


@dataclass(slots=True)
class PreparedWindow:
    """A window rendered for reading: one entry per message, oldest first."""

    messages: list[MessageRecord]
    ids: list[int]
    lines: list[str]  # `Name: text`
    bodies: list[str]  # text only
    speakers: list[str]
    message_words: list[list[str]]
    starts: list[int]  # the first message of each conversation segment
    bot_messages_skipped: int


def prepare_window(messages: Sequence[MessageRecord], include_bots: bool = False) -> PreparedWindow:
    """Order, deduplicate, filter bots, render and segment; EmptyWindowError when nothing is left."""
    unique = {m.id: m for m in messages}
    ordered = sorted(unique.values(), key=lambda m: (m.created_at, m.id))
    window = [m for m in ordered if include_bots or not m.is_bot]
    skipped = len(ordered) - len(window)
    if not window:
        if skipped:
            raise EmptyWindowError(f"the window holds only bot messages ({skipped}); nothing to summarize")
        raise EmptyWindowError("the window holds no messages; nothing to summarize")
    bodies = [render_content(m) for m in window]
    message_words = [words(body) for body in bodies]
    return PreparedWindow(
        messages=window,
        ids=[m.id for m in window],
        lines=render_messages(window),
        bodies=bodies,
        speakers=[speaker(m) for m in window],
        message_words=message_words,
        starts=segment_starts(window, message_words),
        bot_messages_skipped=skipped,
    )


def _load_profile(spec: sml_config.ModelSpec, profile: str) -> str | None:
    # int8 dynamic quantization (the fast profile's) wrecks small chat models' output (SmolLM2 wrote
    # greetings instead of summaries): a causal model loads as the manager's own setting says.
    return profile if spec.family != "causal" else None


async def plan_window(
    messages: Sequence[MessageRecord] | PreparedWindow,
    *,
    manager: Any,
    model_key: str | None = None,
    profile: str = "fast",
    include_bots: bool = False,
    max_input_tokens: int | None = None,
    quantize: str | None = None,
) -> Plan:
    """The chunks a model would read for this window (token counts from its own tokenizer)."""
    prepared = messages if isinstance(messages, PreparedWindow) else prepare_window(messages, include_bots)
    task, spec = resolve_model(model_key, getattr(manager, "registry", None))
    if spec.family == "extractive":
        raise ValueError("the extractive summarizer reads messages, not chunks")
    generation = sml_config.generation_kwargs(spec, profile)
    reading = READING.get(profile, DEFAULT_READING)
    budget = max_input_tokens if max_input_tokens is not None else reading["max_input_tokens"]
    p = prepared
    plan = await manager.run(
        task,
        spec.key,
        plan_chunks,
        generation,
        p.speakers,
        p.bodies,
        p.lines,
        p.starts,
        p.message_words,
        p.ids,
        budget,
        profile=_load_profile(spec, profile),
        quantize=quantize,
    )
    read_ids = {i for chunk in plan.chunks for i in chunk.message_ids}
    expected = {p.ids[i] for i in plan.selected}
    if read_ids != expected:  # a packing bug must never pass as a summary of the whole window
        raise RuntimeError(f"chunking lost {len(expected - read_ids)} messages")
    return plan


async def _reuse_cached_prefixes(
    plan: Plan,
    keys: list[str],
    known: dict[str, str],
    *,
    cache: ChunkCache,
    fingerprint: str,
    manager: Any,
    task: str,
    model_key: str,
    generation: dict[str, Any],
    profile: str | None,
    quantize: str | None,
) -> tuple[Plan, list[str], dict[str, str]]:
    """Cut a new chunk where an earlier run's chunk ended, when its first pieces are that cached chunk.

    After messages are appended, the old window's last chunk takes the first new messages and so
    misses the cache; cutting it where it ended before keeps that summary and leaves only the new
    messages to read. Checked for a missing chunk that opens the window or follows a hit.
    """
    chunks, new_tokens = list(plan.chunks), list(plan.chunk_new_tokens)
    index = 0
    while index < len(chunks):
        follows_hit = index == 0 or keys[index - 1] in known
        pieces = chunks[index].pieces
        if keys[index] in known or not follows_hit or len(pieces) < 2:
            index += 1
            continue
        prefixes = {chunk_key(Chunk(pieces[:n]), fingerprint): n for n in range(len(pieces) - 1, 0, -1)}
        hits = await cache.get_many(list(prefixes))
        if not hits:
            index += 1
            continue
        cut = max(prefixes[key] for key in hits)
        rest = list(pieces[cut:]) + [p for chunk in chunks[index + 1 :] for p in chunk.pieces]
        repacked, repacked_tokens = await manager.run(task, model_key, repack_pieces, generation, rest, profile=profile, quantize=quantize)
        head = Chunk(pieces[:cut])
        chunks[index:] = [head, *repacked]
        new_tokens[index:] = [new_tokens_for(head.tokens, MAP, plan.max_new_tokens), *repacked_tokens]
        head_key = chunk_key(head, fingerprint)
        known = {**known, head_key: hits[head_key]}
        keys = [chunk_key(chunk, fingerprint) for chunk in chunks]
        known.update(await cache.get_many([k for k in keys[index + 1 :] if k not in known]))
        index += 1
    plan = replace(plan, chunks=chunks, chunk_new_tokens=new_tokens)
    return plan, keys, known


async def summarize_messages(
    messages: Sequence[MessageRecord],
    *,
    manager: Any = None,
    model_key: str | None = None,
    profile: str = "fast",
    cache: ChunkCache | None = None,
    include_bots: bool = False,
    channel_id: int | None = None,
    max_input_tokens: int | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    quantize: str | None = None,
    timezone: str = "UTC",
) -> Summary:
    """Summarize every message of a window; `Summary.coverage` says exactly what was read.

    `model_key` None is the registry's default summarizer; `extractive` needs no manager. A causal
    text-generation key (e.g. `smollm2-135m`) is prompted to summarize. `max_input_tokens` (default:
    the profile's) caps what the model reads: a larger window is pre-selected extractively and the
    summary's notes say so. `progress(stage, done, total)` is called after each model batch.
    `quantize` ("none"/"int8") overrides the profile's choice for loading (benchmarks compare both).
    `timezone` (IANA) resolves the action items' due dates.
    Every line is grounded in the messages it cites (agents/summarize/grounding.py); the notes say
    what the check repaired or dropped. `extractive` is the offline recap (agents/summarize/recap.py);
    a model writes the topics and the recap adds decisions, action items, open questions and facts.
    Raises EmptyWindowError, UnknownModelError, and the manager's ModelError subclasses.
    """
    prepared = prepare_window(messages, include_bots)
    task, spec = resolve_model(model_key, getattr(manager, "registry", None))
    sml_config.get_profile(profile)  # the same error for an unknown profile whatever the model
    window = prepared.messages
    speakers, message_words, starts = prepared.speakers, prepared.message_words, prepared.starts
    counts = Counter(speakers)
    participants = [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], speakers.index(kv[0])))]
    channel = channel_id if channel_id is not None else window[0].channel_id
    summary = Summary(
        bullets=[],
        participants=participants,
        start=window[0].created_at,
        end=window[-1].created_at,
        model_key=spec.key,
        messages_read=0,
        messages_total=len(window),
        profile=profile,
        channel_id=channel,
        bot_messages_skipped=prepared.bot_messages_skipped,
    )

    if spec.family == "extractive":
        report = GroundingReport()
        summary.bullets = await asyncio.to_thread(
            build_recap, window, prepared.bodies, message_words, starts, timezone=timezone, report=report
        )
        summary.messages_read = len(window)
        note = report.note("the recap")
        if note:
            summary.notes.append(note)
        return summary

    if manager is None:
        raise ValueError(f"summarizing with {spec.key} needs a ModelManager (only `extractive` runs without one)")
    reading = READING.get(profile, DEFAULT_READING)
    batch_size = batch_size or reading["batch_size"]
    generation = sml_config.generation_kwargs(spec, profile)
    load_profile = _load_profile(spec, profile)
    budget = max_input_tokens if max_input_tokens is not None else reading["max_input_tokens"]
    plan = await plan_window(
        prepared,
        manager=manager,
        model_key=spec.key,
        profile=profile,
        max_input_tokens=budget,
        quantize=quantize,
    )
    summary.messages_read = len({i for chunk in plan.chunks for i in chunk.message_ids})
    if len(plan.selected) < len(window):
        summary.notes.append(
            f"the window is {plan.window_tokens:,} tokens, more than profile {profile} reads ({budget:,}): "
            f"the model read the {len(plan.selected):,} most representative of {len(window):,} messages, "
            "chosen extractively"
        )

    fingerprint = settings_fingerprint(
        spec.key,
        generation,
        {
            "prompt": PROMPT_VERSION if spec.family == "causal" else 0,
            "ratios": [MAP_NEW_TOKENS_RATIO, MERGE_NEW_TOKENS_RATIO, MIN_NEW_TOKENS],
        },
    )

    async def store(found: dict[str, str], owners: dict[str, tuple[int, ...]]) -> None:
        if cache is not None and found:
            await cache.put_many([CachedChunk(key, text, owners[key], spec.key, channel) for key, text in found.items()])

    done = 0
    total_calls = len(plan.chunks)

    def advance(stage: str) -> Callable[[int], None]:
        def step(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress(stage, done, total_calls)

        return step

    # --- map: every chunk, from the cache where possible ---
    keys = [chunk_key(chunk, fingerprint) for chunk in plan.chunks]
    known = await cache.get_many(list(dict.fromkeys(keys))) if cache is not None else {}
    if cache is not None:
        plan, keys, known = await _reuse_cached_prefixes(
            plan,
            keys,
            known,
            cache=cache,
            fingerprint=fingerprint,
            manager=manager,
            task=task,
            model_key=spec.key,
            generation=generation,
            profile=load_profile,
            quantize=quantize,
        )
    owners = {key: chunk.message_ids for key, chunk in zip(keys, plan.chunks, strict=False)}
    missing: dict[str, tuple[str, str, int, int]] = {}
    for key, chunk, new_tokens in zip(keys, plan.chunks, plan.chunk_new_tokens, strict=False):
        if key not in known:
            missing.setdefault(key, (key, chunk.text, new_tokens, chunk.tokens))
    total_calls = len(missing)
    fresh = await _summarize_missing(
        list(missing.values()),
        manager=manager,
        task=task,
        model_key=spec.key,
        generation=generation,
        kind=MAP,
        profile=load_profile,
        quantize=quantize,
        batch_size=batch_size,
        store=lambda found: store(found, owners),
        progress=advance("reading"),
    )
    texts = {**known, **fresh}
    summary.chunks_total = len(plan.chunks)
    summary.chunks_cached = sum(1 for key in keys if key in known)
    nodes = [_Node(key, texts[key], chunk.message_ids) for key, chunk in zip(keys, plan.chunks, strict=False)]

    # --- merge: consecutive summaries in fixed groups until few remain ---
    level = 0
    while len(nodes) > 1 and (level == 0 or len(nodes) > MAX_TOP_SUMMARIES):
        level += 1
        node_tokens, merge_budget = await manager.run(
            task, spec.key, count_tokens, generation, [n.text for n in nodes], profile=load_profile, quantize=quantize
        )
        groups: list[list[int]] = []
        used = 0
        for index, tokens in enumerate(node_tokens):
            if groups and len(groups[-1]) < MERGE_FANOUT and used + tokens <= merge_budget:
                groups[-1].append(index)
                used += tokens
            else:
                groups.append([index])
                used = tokens
        if all(len(group) == 1 for group in groups):
            break  # nothing can be merged further (each summary alone fills a merge)
        merged: list[_Node] = []
        wanted: dict[str, tuple[str, str, int, int]] = {}
        for group in groups:
            if len(group) == 1:
                merged.append(nodes[group[0]])
                continue
            children = [nodes[i] for i in group]
            key = merge_key([c.key for c in children], fingerprint)
            message_ids = tuple(dict.fromkeys(i for c in children for i in c.message_ids))
            tokens = sum(node_tokens[i] for i in group)
            text = "\n".join(c.text for c in children)
            owners[key] = message_ids
            merged.append(_Node(key, "", message_ids, tuple(children)))
            wanted[key] = (key, text, new_tokens_for(tokens, MERGE, plan.max_new_tokens), tokens)
        known = await cache.get_many(list(wanted)) if cache is not None else {}
        done, total_calls = 0, len([k for k in wanted if k not in known])
        fresh = await _summarize_missing(
            [item for key, item in wanted.items() if key not in known],
            manager=manager,
            task=task,
            model_key=spec.key,
            generation=generation,
            kind=MERGE,
            profile=load_profile,
            quantize=quantize,
            batch_size=batch_size,
            store=lambda found: store(found, owners),
            progress=advance("merging"),
        )
        found = {**known, **fresh}
        nodes = [_Node(n.key, found.get(n.key, n.text), n.message_ids, n.children) for n in merged]

    summary.bullets = _bullets(nodes, window, message_words, starts, summary.notes)
    # The model writes the topics; decisions, action items with their final state, open questions
    # and key facts come from the recap's detectors, grounded the same way.
    report = GroundingReport()
    structure = await asyncio.to_thread(build_recap, window, prepared.bodies, message_words, starts, timezone=timezone, report=report)
    summary.bullets += [b for b in structure if b.section != TOPIC]
    return summary


_BULLET_MARK = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9@#])")


def split_points(text: str) -> list[str]:
    """The points of a model's summary: its bullet lines when it wrote a list, else its sentences."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    points: list[str] = []
    if any(_BULLET_MARK.match(line) for line in lines):
        for line in lines:
            if _BULLET_MARK.match(line):
                points.append(_BULLET_MARK.sub("", line, count=1).strip())
            # Anything else around a list is preamble or commentary ("Here is a summary:").
    else:
        for line in lines:
            points.extend(s.strip() for s in _SENTENCE.split(line))
    points = [re.sub(r"\*\*|__", "", p).strip() for p in points]  # markdown emphasis
    return [p for p in points if len(p) >= 3 and re.search(r"\w", p)]


def _bullets(
    nodes: Sequence[_Node],
    window: Sequence[MessageRecord],
    message_words: Sequence[Sequence[str]],
    starts: Sequence[int],
    notes: list[str],
) -> list[Bullet]:
    """Each grounded point of each final summary, linked to the messages it is most similar to.

    A point that shares no content word with the messages it summarizes is dropped (a small or
    untrained model's invention). A merged summary left with no point is replaced by the points
    of the summaries it merged; a chunk left with none by its most representative message.
    """
    index_of = {m.id: i for i, m in enumerate(window)}
    tfidf = TfIdf(message_words)
    vectors = [tfidf.vector(w) for w in message_words]
    scores: np.ndarray | None = None
    unmerged = quoted = 0
    # Names prove nothing: "Theo: I'm happy" shares a word with every message that mentions Theo.
    names = {w for m in window for w in words(m.author_name)}

    def points_of(node: _Node) -> list[tuple[str, tuple[int, ...], tuple[int, ...]]]:
        nonlocal scores, unmerged, quoted
        members = [index_of[i] for i in node.message_ids if i in index_of]
        grounded = []
        for point in split_points(node.text):
            vector = tfidf.vector([w for w in words(point) if w not in names])
            ranked = sorted(((dot(vector, vectors[i]), i) for i in members), key=lambda x: (-x[0], x[1]))
            linked = tuple(window[i].id for sim, i in ranked[:IDS_PER_BULLET] if sim >= ATTRIBUTION_MIN_SIMILARITY)
            if linked:
                grounded.append((point, linked, node.message_ids))
        if node.children:
            # A merge that kept fewer points than it was given, and fewer than two, lost the content
            # (small chat models copy one line of their notes): show what it merged instead.
            unmerged_points = [point for child in node.children for point in points_of(child)]
            if len(grounded) >= min(2, len(unmerged_points)):
                return grounded
            unmerged += 1
            return unmerged_points
        if grounded:
            return grounded
        # Nothing the model wrote is about these messages: the key clause of the most
        # representative one that may be relayed stands in for it.
        if scores is None:
            scores = score_messages(message_words, starts)
        for best in sorted(members, key=lambda i: (-scores[i], i)):
            line = quote_line(window[best])
            if line:
                quoted += 1
                return [(line, (window[best].id,), (window[best].id,))]
        return []

    found = [point for node in nodes for point in points_of(node)]
    report = GroundingReport()
    points = ground_lines(
        [(text, linked) for text, linked, _ in found],
        {m.id: m for m in window},
        report,
        pools=[pool for _, _, pool in found],
        strict=True,
    )
    bullets: list[Bullet] = []
    seen: list[str] = []
    for text, linked in points:
        norm = " ".join(text.lower().split())
        # The same point again, or a copy cut short by the token limit.
        if any(norm == old or old.startswith(norm) or norm.startswith(old) for old in seen):
            continue
        seen.append(norm)
        bullets.append(Bullet(text, linked))
    if unmerged:
        notes.append(
            f"{unmerged} merged summar{'ies' if unmerged != 1 else 'y'} kept too little of the messages: "
            "showing the summaries they merged instead"
        )
    if quoted:
        notes.append(
            f"the model's summary of {quoted} part{'s' if quoted != 1 else ''} of the window had nothing in common "
            "with its messages: showing the key clause of its most representative message instead"
        )
    grounding = report.note()
    if grounding:
        notes.append(grounding)
    return bullets
