"""The one generation interface every engine implements, and the pieces they share."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from agents.loading import LoadedModel
from sml_config import ModelSpec

# Why a generation ended.
FINISH_STOP = "stop"  # a stop string or the model's end-of-sequence token
FINISH_LENGTH = "length"  # max_new_tokens reached
FINISH_CANCELLED = "cancelled"  # the caller asked to stop (timeout, failed Discord edit)
FINISH_CUT = "cut"  # the engine went away mid-reply (a server closed the stream): the text is partial

# Sampling settings every engine understands (a subset of transformers' generate() arguments).
SAMPLING_KEYS = ("do_sample", "temperature", "top_p", "top_k", "min_p", "repetition_penalty")


@dataclass
class GenerationRequest:
    """What to generate: chat `messages`, or `prompt_ids` (token ids from `loaded.tokenizer`), or a plain `prompt`.

    Local engines read `prompt_ids` (the caller built them with the model's chat template, so every engine
    sees the same tokens); a remote server reads `messages` and applies its own template.
    """

    messages: Sequence[Mapping[str, str]] | None = None
    prompt_ids: Sequence[int] | None = None
    prompt: str | None = None
    max_new_tokens: int = 256
    stop_strings: Sequence[str] = ()
    should_stop: Callable[[], bool] | None = None
    options: dict[str, Any] = field(default_factory=dict)  # SAMPLING_KEYS

    def stop_now(self) -> bool:
        return self.should_stop is not None and bool(self.should_stop())


@dataclass
class GenerationResult:
    text: str  # everything generated, cut before the first stop string
    finish_reason: str
    new_tokens: int = 0


class GenerationBackend(Protocol):
    """An engine: loads a ModelSpec into a LoadedModel and generates with it (in the model's worker thread)."""

    name: str
    remote: bool  # True: another machine holds the weights (nothing counted in the memory budget)

    def estimate_memory_mb(self, spec: ModelSpec, dtype: Any, quantized: bool) -> float: ...

    def workers(self, spec: ModelSpec) -> int:
        """How many jobs may run at once on one loaded model (1 for local engines)."""
        ...

    def load(self, spec: ModelSpec, *, cache_dir: str | os.PathLike, offline: bool, device: str, quantize: bool) -> LoadedModel: ...

    def stream(self, loaded: LoadedModel, request: GenerationRequest, on_text: Callable[[str], bool | None] | None) -> GenerationResult: ...

    def generate_batch(
        self,
        loaded: LoadedModel,
        prompts: Sequence[Sequence[int]],
        *,
        max_new_tokens: int,
        min_new_tokens: int,
        options: dict[str, Any],
    ) -> list[str]: ...

    def close(self, loaded: LoadedModel) -> None: ...


class TextStream:
    """Collects the text deltas an engine produces, ends at a stop string, and passes each new piece on.

    `add(delta)` returns True when generation should end (a stop string appeared, or the caller's
    `on_text` or `should_stop` asked for it). The text before the stop string is kept; a stop string
    split across two deltas is still found.
    """

    def __init__(self, request: GenerationRequest, on_text: Callable[[str], bool | None] | None):
        self.request = request
        self.on_text = on_text
        self.stop_strings = tuple(s for s in request.stop_strings if s)
        self.raw = ""
        self.emitted = 0  # characters of `raw` already passed on
        self.stopped_at_string = False
        self.cancelled = False
        self.tokens = 0

    @property
    def text(self) -> str:
        return self.raw

    def add(self, delta: str, tokens: int = 1) -> bool:
        self.tokens += tokens
        if not delta:
            return self._check_cancel()
        self.raw += delta
        if self.stop_strings:
            cut = min((i for i in (self.raw.find(s) for s in self.stop_strings) if i >= 0), default=-1)
            if cut >= 0:
                self.raw = self.raw[:cut]
                self.stopped_at_string = True
                self._emit(self.raw)
                return True
            # Hold back a tail that may be the start of a stop string (`\nBo` of `\nBob:`).
            keep = 0
            for stop in self.stop_strings:
                for size in range(min(len(stop) - 1, len(self.raw)), keep, -1):
                    if self.raw.endswith(stop[:size]):
                        keep = size
                        break
            self._emit(self.raw[: max(self.emitted, len(self.raw) - keep)])
        else:
            self._emit(self.raw)
        return self.cancelled or self._check_cancel()

    def finish(self, reason: str) -> GenerationResult:
        self._emit(self.raw)
        if self.stopped_at_string:
            reason = FINISH_STOP
        elif self.cancelled and reason != FINISH_CUT:
            reason = FINISH_CANCELLED
        return GenerationResult(self.raw, reason, self.tokens)

    def _emit(self, upto: str) -> None:
        if len(upto) > self.emitted:
            piece = upto[self.emitted :]
            self.emitted = len(upto)
            if self.on_text is not None and self.on_text(piece):
                self.cancelled = True

    def _check_cancel(self) -> bool:
        if self.request.stop_now():
            self.cancelled = True
        return self.cancelled


def sampling_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The sampling settings of `options` (registry generation settings or a request's options)."""
    return {key: options[key] for key in SAMPLING_KEYS if key in options}


def directory_fingerprint(folder: os.PathLike | str) -> str:
    """name-size-mtime of a model folder's files: changes whenever the weights or the config are replaced."""
    import hashlib
    from pathlib import Path

    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return f"{root.name}-{digest.hexdigest()[:16]}"


def prompt_token_ids(loaded: LoadedModel, request: GenerationRequest) -> list[int]:
    """The token ids a local engine reads: given ids, else the chat template over messages, else the prompt."""
    if request.prompt_ids is not None:
        return [int(i) for i in request.prompt_ids]
    if request.messages is not None:
        from agents.chat import encode_chat

        return encode_chat(loaded.tokenizer, request.messages)
    if request.prompt is not None:
        return list(loaded.tokenizer(request.prompt)["input_ids"])
    raise ValueError("a GenerationRequest needs messages, prompt_ids or a prompt")


class DeltaDecoder:
    """Token ids in, text deltas out: decodes the whole answer each time (byte-level tokens only make sense
    together) and holds back a trailing half of a multi-byte character."""

    def __init__(self, tokenizer: Any):
        self.tokenizer = tokenizer
        self.ids: list[int] = []
        self.text = ""

    def add(self, ids: Sequence[int]) -> str:
        self.ids.extend(int(i) for i in ids)
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):
            return ""
        delta = text[len(self.text) :] if text.startswith(self.text) else ""
        self.text = text
        return delta
