"""Model calls for summarization, run inside a ModelManager worker thread: token counting, planning, generate().

Encoder-decoder models (BART, PEGASUS) read the rendered conversation as is; causal chat models
(SmolLM2, TinyLlama) are prompted through their chat template to answer with bullet points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.summarize.chunks import Chunk, Piece, pack_pieces, split_long_line
from agents.summarize.extractive import score_messages, select_within_budget
from agents.summarize.segment import segments

MAP = "map"
MERGE = "merge"

# The instructions a causal model gets. Part of every cache key through PROMPT_VERSION.
PROMPT_VERSION = 5
# The conversation comes first and the instruction last: small models (SmolLM2-135M) follow an
# instruction they have just read far better than one they read 1,000 tokens ago.
MAP_PROMPT = "{text}\n\nList the decisions and next steps from the conversation above as three bullet points."
MERGE_PROMPT = "{text}\n\nThese are notes on one conversation. List its decisions and next steps as three bullet points."
# Causal models read at most this much per chunk even when their window is larger: long prompts
# make small models lose the thread, and prompt cost grows with the square of its length.
CAUSAL_CHUNK_WINDOW = 1024
# Emoji are dropped from a causal model's prompt: SmolLM2-135M answered a chunk with a few
# reactions in it by writing rows of emoji instead of a summary.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]+")

# A summary gets about this many new tokens per input token, within [MIN_NEW_TOKENS, the profile's
# max_new_tokens], rounded up to NEW_TOKENS_STEP. A short chunk asks for a short summary; the
# coarse step puts most chunks in the same class, so they share generate() batches (a batch has
# one length); and the count depends only on the chunk, so a cached summary is exactly what a
# new run would write. A merge compresses its summaries about as many times as it merges.
MAP_NEW_TOKENS_RATIO = 0.12
MERGE_NEW_TOKENS_RATIO = 0.25
MIN_NEW_TOKENS = 24
NEW_TOKENS_STEP = 32


def new_tokens_for(input_tokens: int, kind: str, maximum: int) -> int:
    ratio = MAP_NEW_TOKENS_RATIO if kind == MAP else MERGE_NEW_TOKENS_RATIO
    wanted = math.ceil(input_tokens * ratio / NEW_TOKENS_STEP) * NEW_TOKENS_STEP
    return max(min(MIN_NEW_TOKENS, maximum), min(maximum, wanted))


def max_new_tokens(generation: dict[str, Any], spec_window: int) -> int:
    """The profile's cap on new tokens (max_new_tokens, or a model's max_length)."""
    if "max_new_tokens" in generation:
        return int(generation["max_new_tokens"])
    if "max_length" in generation:
        return int(generation["max_length"])
    return min(128, max(MIN_NEW_TOKENS, spec_window // 8 if spec_window else 128))


class ModelAdapter:
    """What the summarizer needs from a loaded model: its token counts, its input limits and generate()."""

    def __init__(self, loaded: Any, generation: dict[str, Any]):
        self.loaded = loaded
        self.spec = loaded.spec
        self.tokenizer = loaded.tokenizer
        self.model = loaded.model
        self.family = self.spec.family
        self.generation = dict(generation)
        self.max_new = max_new_tokens(self.generation, self.spec.context_window)
        config = getattr(self.model, "config", None)  # a torch model's; other engines have their own objects
        window = self.spec.context_window or getattr(config, "max_position_embeddings", 0) or 1024
        model_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(model_max, int) and 0 < model_max < 1_000_000:
            window = min(window, model_max)
        if self.family == "causal":
            window = min(window, CAUSAL_CHUNK_WINDOW)
        self.window = window
        self._overhead = {kind: self.measure("", kind) for kind in (MAP, MERGE)}

    # --- sizes ---

    def _prompt(self, text: str, kind: str) -> str | list[int]:
        template = MAP_PROMPT if kind == MAP else MERGE_PROMPT
        content = template.format(text=_EMOJI.sub("", text))
        if getattr(self.tokenizer, "chat_template", None):
            return self.tokenizer.apply_chat_template([{"role": "user", "content": content}], add_generation_prompt=True, tokenize=False)
        return content + "\n\nBullet points:\n"

    def _encode_prompt(self, prompt: str | list[int]) -> list[int]:
        # A chat template already holds the special tokens it wants.
        has_template = bool(getattr(self.tokenizer, "chat_template", None))
        return self.tokenizer(prompt, add_special_tokens=not has_template, verbose=False)["input_ids"]

    def measure(self, text: str, kind: str = MAP) -> int:
        """Tokens the model reads for `text`, special tokens and prompt included."""
        if self.family == "causal":
            return len(self._encode_prompt(self._prompt(text, kind)))
        return len(self.tokenizer(text, verbose=False)["input_ids"])

    def input_limit(self, kind: str = MAP) -> int:
        """The most tokens a call may read: the window, less the new tokens for a causal model."""
        if self.family == "causal":
            return self.window - self.max_new
        return self.window

    def text_budget(self, kind: str = MAP) -> int:
        """Tokens left for the conversation text itself once special tokens and prompt are counted."""
        return self.input_limit(kind) - self._overhead[kind]

    def count(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text alone, plus one for the line break that joins it to the next."""
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"]
        return [len(ids) + 1 for ids in encoded]

    # --- generation ---

    def generate(self, texts: Sequence[str], kind: str, new_tokens: int) -> list[str]:
        """One batched call over `texts` on the model's engine; every text must already fit (checked, never cut)."""
        kwargs = dict(self.generation)
        # Lengths in new tokens only: the engine gets max/min new tokens, not the model's max_length/min_length.
        defaults = getattr(self.loaded, "generation_defaults", None)
        if defaults is None:  # a bare object holding a torch model
            defaults = {"min_length": getattr(getattr(self.model, "generation_config", None), "min_length", 0)}
        own_minimum = defaults.get("min_length", 0) or 0
        minimum = int(kwargs.pop("min_length", own_minimum) or 0)
        kwargs.pop("max_length", None)
        kwargs.pop("max_new_tokens", None)
        minimum_new = min(minimum, new_tokens // 2)
        if self.family == "causal":
            # Bullet lists repeat "- Name" on purpose; an n-gram ban would garble them.
            kwargs.pop("no_repeat_ngram_size", None)
            prompts = [self._encode_prompt(self._prompt(t, kind)) for t in texts]
        else:
            prompts = [self.tokenizer(t, verbose=False)["input_ids"] for t in texts]
        limit = self.input_limit(kind)
        too_long = [len(p) for p in prompts if len(p) > limit]
        if too_long:
            raise ValueError(f"a chunk of {max(too_long)} tokens exceeds the model's limit of {limit}")
        from agents.backends import engine_of

        outputs = engine_of(self.loaded).generate_batch(
            self.loaded, prompts, max_new_tokens=new_tokens, min_new_tokens=minimum_new, options=kwargs
        )
        # An output that does not end a sentence most likely stopped at the token limit: its last sentence is
        # cut off ("Theo: \"Now we need") and must not become a bullet (the grounding check refuses it too).
        return [_finished(clean_output(text)) for text in outputs]


_FINAL = re.compile(r"[.!?)\]\"'’”…]\s*$")


def _finished(text: str) -> str:
    return text if not text or _FINAL.search(text) else drop_unfinished_tail(text)


def clean_output(text: str) -> str:
    text = text.replace("<n>", "\n")  # PEGASUS writes line breaks as <n>
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")


def drop_unfinished_tail(text: str) -> str:
    """`text` without the sentence or line that the token limit cut off."""
    lines = text.splitlines()
    if len(lines) > 1:
        return "\n".join(lines[:-1])
    ends = list(_SENTENCE_END.finditer(text))
    return text[: ends[-1].end()] if ends else ""


# --- work done in the worker thread, one call each ---


@dataclass(slots=True)
class Plan:
    """How a window is read: the chunks, and which messages they cover."""

    chunks: list[Chunk]
    selected: list[int]  # indexes of the messages the chunks read (all of them unless pre-selected)
    window_tokens: int  # tokens of the whole window, every message
    text_budget: int
    input_limit: int
    max_new_tokens: int
    chunk_new_tokens: list[int] = field(default_factory=list)


def plan_chunks(
    loaded: Any,
    generation: dict[str, Any],
    speakers: Sequence[str],
    bodies: Sequence[str],
    lines: Sequence[str],
    starts: Sequence[int],
    message_words: Sequence[Sequence[str]],
    ids: Sequence[int],
    max_input_tokens: int | None,
) -> Plan:
    """Count tokens with the model's tokenizer, pre-select if the window exceeds `max_input_tokens`, pack."""
    adapter = ModelAdapter(loaded, generation)
    budget = adapter.text_budget(MAP)
    if budget < 32:
        raise ValueError(f"model {adapter.spec.key} leaves only {budget} tokens per chunk")
    counts = adapter.count(lines)
    window_tokens = sum(counts)

    selected = list(range(len(lines)))
    if max_input_tokens is not None and window_tokens > max_input_tokens:
        scores = score_messages(message_words, starts)
        selected = select_within_budget(scores, counts, max_input_tokens)

    segment_start = {r.start for r in segments(len(lines), starts)}
    pieces: list[Piece] = []
    previous = -2
    for i in selected:
        # After pre-selection a skipped message also separates conversations.
        starts_segment = i in segment_start or i != previous + 1
        previous = i
        if counts[i] <= budget:
            pieces.append(Piece(ids[i], lines[i], counts[i], starts_segment))
            continue
        parts = split_long_line(speakers[i], bodies[i], budget, adapter.count)
        part_counts = adapter.count(parts)
        for k, (text, tokens) in enumerate(zip(parts, part_counts, strict=False)):
            pieces.append(Piece(ids[i], text, tokens, starts_segment and k == 0, part=k, parts=len(parts)))

    chunks = pack_pieces(pieces, budget, measure=lambda text: adapter.measure(text, MAP) - adapter._overhead[MAP])
    new_tokens = [new_tokens_for(chunk.tokens, MAP, adapter.max_new) for chunk in chunks]
    return Plan(chunks, selected, window_tokens, budget, adapter.input_limit(MAP), adapter.max_new, new_tokens)


def count_tokens(loaded: Any, generation: dict[str, Any], texts: Sequence[str]) -> tuple[list[int], int]:
    """Token counts of `texts` and the text budget of a merge call."""
    adapter = ModelAdapter(loaded, generation)
    return adapter.count(texts), adapter.text_budget(MERGE)


def generate_summaries(loaded: Any, generation: dict[str, Any], texts: Sequence[str], kind: str, new_tokens: int) -> list[str]:
    return ModelAdapter(loaded, generation).generate(texts, kind, new_tokens)


def repack_pieces(loaded: Any, generation: dict[str, Any], pieces: Sequence[Piece]) -> tuple[list[Chunk], list[int]]:
    """Pack pieces again from a new starting point (after a cached chunk was cut off the front)."""
    adapter = ModelAdapter(loaded, generation)
    budget = adapter.text_budget(MAP)
    chunks = pack_pieces(pieces, budget, measure=lambda text: adapter.measure(text, MAP) - adapter._overhead[MAP])
    return chunks, [new_tokens_for(chunk.tokens, MAP, adapter.max_new) for chunk in chunks]


def full_chunk(loaded: Any, generation: dict[str, Any], lines: Sequence[str]) -> tuple[str, int]:
    """The longest run of `lines` from the start that fills one chunk, and its tokens (for latency benchmarks)."""
    adapter = ModelAdapter(loaded, generation)
    budget = adapter.text_budget(MAP)
    pieces = [Piece(0, line, tokens) for line, tokens in zip(lines, adapter.count(lines), strict=False) if tokens <= budget]
    chunk = pack_pieces(pieces, budget, measure=lambda text: adapter.measure(text, MAP) - adapter._overhead[MAP])[0]
    return chunk.text, adapter.measure(chunk.text, MAP)
