"""The transformers backend: today's PyTorch eager path (bf16 where the CPU has it, int8 dynamic quantization)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, cast

from agents.backends.base import (
    FINISH_LENGTH,
    FINISH_STOP,
    DeltaDecoder,
    GenerationRequest,
    GenerationResult,
    TextStream,
    prompt_token_ids,
    sampling_options,
)
from agents.loading import LoadedModel, estimate_memory_mb, load_weights
from sml_config import ModelSpec


class TransformersBackend:
    name = "transformers"
    remote = False

    def estimate_memory_mb(self, spec: ModelSpec, dtype: Any, quantized: bool) -> float:
        return estimate_memory_mb(spec, dtype, quantized)

    def workers(self, spec: ModelSpec) -> int:
        return 1

    def load(self, spec: ModelSpec, *, cache_dir: str | os.PathLike, offline: bool, device: str, quantize: bool) -> LoadedModel:
        loaded = load_weights(spec, cache_dir=cache_dir, offline=offline, device=device, quantize=quantize)
        loaded.backend = self
        return loaded

    def stream(self, loaded: LoadedModel, request: GenerationRequest, on_text: Callable[[str], bool | None] | None) -> GenerationResult:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList
        from transformers.generation.streamers import BaseStreamer

        tokenizer, model = loaded.tokenizer, loaded.model
        ids = prompt_token_ids(loaded, request)
        input_ids = torch.tensor([ids], dtype=torch.long).to(model.device)
        stream = TextStream(request, on_text)
        decoder = DeltaDecoder(tokenizer)
        state = {"prompt_seen": False, "stop": False, "new": 0}

        class Streamer(BaseStreamer):
            def put(self, value: Any) -> None:
                if not state["prompt_seen"]:  # generate() first hands the streamer the prompt itself
                    state["prompt_seen"] = True
                    return
                if state["stop"]:
                    return
                new = value.reshape(-1).tolist()
                state["new"] += len(new)
                state["stop"] = stream.add(decoder.add(new), tokens=0)

            def end(self) -> None:
                pass

        class StopWhenAsked(StoppingCriteria):
            def __call__(self, ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any) -> torch.BoolTensor:
                stop = state["stop"] or request.stop_now()
                return cast(torch.BoolTensor, torch.full((ids.shape[0],), stop, dtype=torch.bool, device=ids.device))

        kwargs = sampling_options(request.options)
        if "no_repeat_ngram_size" in request.options:  # transformers-only, kept for registry entries that set it
            kwargs["no_repeat_ngram_size"] = request.options["no_repeat_ngram_size"]
        kwargs.setdefault("do_sample", False)
        if not kwargs["do_sample"]:
            for name in ("temperature", "top_p", "top_k", "min_p"):
                kwargs.pop(name, None)
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        with torch.inference_mode():
            model.generate(
                input_ids=input_ids,
                attention_mask=torch.ones_like(input_ids),
                max_new_tokens=request.max_new_tokens,
                streamer=Streamer(),
                stopping_criteria=StoppingCriteriaList([StopWhenAsked()]),
                pad_token_id=pad_id,
                **kwargs,
            )
        stream.tokens = state["new"]
        reason = FINISH_LENGTH if state["new"] >= request.max_new_tokens else FINISH_STOP
        return stream.finish(reason)

    def generate_batch(
        self,
        loaded: LoadedModel,
        prompts: Sequence[Sequence[int]],
        *,
        max_new_tokens: int,
        min_new_tokens: int,
        options: dict[str, Any],
    ) -> list[str]:
        """One padded generate() over all prompts (left padding for decoder-only models)."""
        import torch

        tokenizer, model = loaded.tokenizer, loaded.model
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        if pad_id is None:
            pad_id = 0
        longest = max(len(p) for p in prompts)
        left = loaded.spec.family == "causal"  # a decoder continues from the last position: pad on the left
        input_ids = torch.full((len(prompts), longest), pad_id, dtype=torch.long)
        attention = torch.zeros((len(prompts), longest), dtype=torch.long)
        for row, ids in enumerate(prompts):
            span = slice(longest - len(ids), longest) if left else slice(0, len(ids))
            input_ids[row, span] = torch.tensor(list(ids), dtype=torch.long)
            attention[row, span] = 1
        device = loaded.device or "cpu"
        input_ids, attention = input_ids.to(device), attention.to(device)
        kwargs = dict(options)
        # Lengths in new tokens only; None clears the model's own max_length/min_length defaults.
        kwargs.update(max_length=None, max_new_tokens=max_new_tokens)
        kwargs.setdefault("pad_token_id", pad_id)
        # min_length counts the prompt (causal) or the decoder start token (encoder-decoder);
        # passing min_new_tokens instead makes generate() warn about the model's own min_length.
        kwargs["min_length"] = (longest if left else 1) + min_new_tokens
        with torch.inference_mode():
            output = model.generate(input_ids=input_ids, attention_mask=attention, **kwargs)
        if left:
            output = output[:, longest:]
        return list(tokenizer.batch_decode(output, skip_special_tokens=True))

    def close(self, loaded: LoadedModel) -> None:
        pass
