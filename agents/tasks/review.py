"""The optional model pass over rule candidates: a chat model answering in JSON, or sentence embeddings against examples.

The rules find candidates fast; a model may then confirm or reject each one. Two kinds of model:

- a text-generation (causal) key, e.g. `smollm2-135m`: prompted with the candidate and the messages
  before it, it must answer `{"action_item": true|false}`. The answer is read from the model's
  next-token scores after the prefix `{"action_item": ` (constrained decoding: it cannot answer
  anything but JSON), which also gives a margin to threshold.
- an embedding key, e.g. `minilm`: the candidate sentence is compared with example action items and
  example non-items written below (never the labelled test set); it is kept when it is closer to
  the action items.

Both run in the model's worker thread through the ModelManager.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from agents.records import MessageRecord
from agents.tasks.language import render
from agents.tasks.records import ExtractedTask

TEXT_GENERATION = "text_generation"
EMBEDDING = "embedding"
CONTEXT_MESSAGES = 3

SYSTEM_PROMPT = (
    "You read team chat and decide whether a sentence creates an action item: concrete work that someone "
    "committed to do or was asked to do. Questions, jokes, hypotheticals, refusals, small talk and reports "
    "of work already finished are not action items. Answer only with JSON."
)

# Examples for the embedding reviewer: generic workplace and community chat, written for this file.
ACTION_EXAMPLES = (
    "I'll update the onboarding guide by Thursday",
    "can you send me the invoice for March?",
    "@sam please rotate the database credentials today",
    "I'll take care of booking the venue",
    "could you review my pull request when you get a chance?",
    "someone needs to renew the SSL certificate before it expires",
    "I can handle the customer call tomorrow morning",
    "I'm going to write the release announcement tonight",
    "we need to migrate the old tickets before the freeze",
    "will you ping the vendor about the delivery date?",
    "let me draft the agenda for Monday's meeting",
    "I'll fix the broken link on the pricing page",
)
NOT_ACTION_EXAMPLES = (
    "should we switch to a different CI provider?",
    "I fixed the flaky test yesterday",
    "lol I'll just quit and move to the mountains",
    "if we had more people I'd rebuild the whole frontend",
    "I'll be out of office tomorrow",
    "has anyone tried the new coffee place downstairs?",
    "I'm going to grab lunch, brb",
    "no sorry, I can't take that on this week",
    "the deploy went fine, everything is green",
    "can you believe how hot it is today?",
    "I would love to visit Japan someday",
    "we shipped the new dashboard last week",
)


def _model_task(manager: Any, model_key: str) -> str:
    """Which registry task `model_key` belongs to (text generation or embedding)."""
    from sml_config import UnknownModelError

    for task in (TEXT_GENERATION, EMBEDDING):
        try:
            manager.spec(task, model_key)
            return task
        except UnknownModelError:
            continue
    raise UnknownModelError(
        f"task review model {model_key!r} is neither a text_generation nor an embedding model (see `smolcord models list`)"
    )


def _context_lines(task: ExtractedTask, by_id: dict[int, MessageRecord], ordered: list[MessageRecord]) -> list[str]:
    first = by_id.get(task.source_message_ids[0])
    if first is None:
        return []
    position = ordered.index(first)
    lines = []
    for message in ordered[max(0, position - CONTEXT_MESSAGES) : position + 1]:
        text = re.sub(r"\s+", " ", render(message).text).strip()
        lines.append(f"{message.author_name}: {text[:300]}")
    return lines


def build_prompt(task: ExtractedTask, context: list[str], speaker: str) -> list[dict[str, str]]:
    """The chat messages for one candidate; the reply must start with `{"action_item": `."""
    conversation = "\n".join(context) or "(no earlier messages)"
    user = (
        f"Conversation:\n{conversation}\n\n"
        f'Sentence by {speaker}: "{task.evidence}"\n'
        f'Candidate action item for {task.owner_name or "nobody in particular"}: "{task.task}"\n\n'
        'Is this an action item? Reply with {"action_item": true} or {"action_item": false}.'
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


JSON_PREFIX = '{"action_item":'


def _prompt_text(tokenizer: Any, messages: list[dict[str, str]]) -> str:
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False) + JSON_PREFIX
    # A model without a chat template reads plain text.
    return "\n\n".join(m["content"] for m in messages) + "\n\nAnswer: " + JSON_PREFIX


def _answer_token(tokenizer: Any, prompt: str, answer: str) -> int:
    """The first token the model would write for `answer` right after `prompt` (tokenizers merge spaces differently)."""
    base = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    full = tokenizer(prompt + " " + answer, add_special_tokens=False)["input_ids"]
    for position, token in enumerate(full):
        if position >= len(base) or base[position] != token:
            return token
    return full[-1]


def score_with_chat_model(loaded: Any, prompts: list[list[dict[str, str]]]) -> list[float]:
    """Worker-thread job: log-odds of `true` over `false` after the JSON prefix, one per prompt."""
    import torch

    tokenizer, model = loaded.tokenizer, loaded.model
    scores: list[float] = []
    with torch.inference_mode():
        for messages in prompts:
            text = _prompt_text(tokenizer, messages)
            true_id = _answer_token(tokenizer, text, "true")
            false_id = _answer_token(tokenizer, text, "false")
            encoded = tokenizer(text, return_tensors="pt", add_special_tokens=False)
            device = next(model.parameters()).device
            logits = model(input_ids=encoded["input_ids"].to(device)).logits[0, -1].float()
            log_probs = torch.log_softmax(logits, dim=-1)
            scores.append(float(log_probs[true_id] - log_probs[false_id]))
    return scores


def embed_sentences(loaded: Any, texts: list[str]):
    """Worker-thread job: mean-pooled, L2-normalised sentence embeddings (the all-MiniLM recipe)."""
    import torch

    tokenizer, model = loaded.tokenizer, loaded.model
    device = next(model.parameters()).device
    with torch.inference_mode():
        encoded = tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        encoded = {name: tensor.to(device) for name, tensor in encoded.items()}
        hidden = model(**encoded).last_hidden_state.float()
        mask = encoded["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).cpu()


def score_with_embeddings(loaded: Any, sentences: list[str]) -> list[float]:
    """Worker-thread job: similarity to the nearest action examples minus to the nearest non-examples."""
    examples = embed_sentences(loaded, list(ACTION_EXAMPLES) + list(NOT_ACTION_EXAMPLES))
    positives, negatives = examples[: len(ACTION_EXAMPLES)], examples[len(ACTION_EXAMPLES) :]
    candidates = embed_sentences(loaded, sentences)
    scores = []
    for vector in candidates:
        near_positive = (positives @ vector).topk(3).values.mean()
        near_negative = (negatives @ vector).topk(3).values.mean()
        scores.append(float(near_positive - near_negative))
    return scores


async def score_tasks(tasks: Sequence[ExtractedTask], messages: Sequence[MessageRecord], *, manager: Any, model_key: str) -> list[float]:
    """One score per task (above 0: an action item), from the model `model_key`."""
    if not tasks:
        return []
    task_kind = _model_task(manager, model_key)
    if task_kind == EMBEDDING:
        return await manager.run(EMBEDDING, model_key, score_with_embeddings, [t.evidence or t.task for t in tasks])
    ordered = sorted({m.id: m for m in messages}.values(), key=lambda m: (m.created_at, m.id))
    by_id = {m.id: m for m in ordered}
    prompts = []
    for task in tasks:
        first = by_id.get(task.source_message_ids[0])
        speaker = first.author_name if first else "someone"
        prompts.append(build_prompt(task, _context_lines(task, by_id, ordered), speaker))
    return await manager.run(TEXT_GENERATION, model_key, score_with_chat_model, prompts)


async def review_tasks(
    tasks: Sequence[ExtractedTask],
    messages: Sequence[MessageRecord],
    *,
    manager: Any,
    model_key: str,
    threshold: float = 0.0,
    only_tentative: bool = False,
) -> list[ExtractedTask]:
    """The tasks the model confirms. `only_tentative` leaves the rules' firm tasks alone and judges the rest."""
    judged = [t for t in tasks if t.tentative or not only_tentative]
    scores = await score_tasks(judged, messages, manager=manager, model_key=model_key)
    verdict = {id(task): score > threshold for task, score in zip(judged, scores, strict=True)}
    kept = []
    for task in tasks:
        if verdict.get(id(task), True):
            kept.append(replace(task, tentative=False) if task.tentative else task)
    return kept
