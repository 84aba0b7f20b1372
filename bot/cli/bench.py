"""`smolcord bench`: compare summarization models on this machine against the old code path (one table, one chart).

Each variant runs in a fresh process, so load times are first loads and peak memory is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from agents.records import MessageRecord
from bot.cli import CliError

TASK = "summarization"
# The old code: pipeline("summarization", model=...) per call, fp32, the model's generation
# defaults (DistilBART/BART-CNN: 4 beams, 56-142 tokens), input cut at the model's 1024 tokens.
BASELINE_GENERATION = {
    "num_beams": 4,
    "max_length": 142,
    "min_length": 56,
    "no_repeat_ngram_size": 3,
    "length_penalty": 2.0,
    "early_stopping": True,
}
BASELINE_INPUT_TOKENS = 1024


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "bench",
        help="benchmark summarization models on this machine (speed, memory, ROUGE) against the old code path",
        description=(
            "For each model: disk size, parameters, load time (first and second load), seconds per 1024-token "
            "chunk, input tokens per second over a whole window, the cost of re-summarizing it after new "
            "messages, peak memory, and ROUGE with --labelled. Writes a markdown table, JSON and a PNG chart."
        ),
    )
    parser.add_argument(
        "--models", default=None, metavar="KEYS", help="comma-separated summarization keys (default: the configured default)"
    )
    parser.add_argument(
        "--model-path",
        action="append",
        default=[],
        metavar="KEY=PATH",
        help="benchmark a local model folder (save_pretrained) under KEY; repeatable",
    )
    parser.add_argument("--profile", choices=("fast", "quality"), default="fast", help="generation profile (default: fast)")
    parser.add_argument(
        "--quantize",
        default="int8,none",
        metavar="LIST",
        help="int8 and/or none, comma-separated: a row per choice for seq2seq models (default: int8,none)",
    )
    parser.add_argument(
        "--window", metavar="FILE", help="a DiscordChatExporter JSON export to summarize (default: the bundled sample, repeated)"
    )
    parser.add_argument("--messages", type=int, default=500, metavar="N", help="messages in the window (default: 500)")
    parser.add_argument(
        "--append", type=float, default=0.05, metavar="FRACTION", help="new messages for the re-run, as a fraction (default: 0.05)"
    )
    parser.add_argument(
        "--labelled",
        metavar="FILE|DIR",
        help='JSONL with {"text" or "messages", "summary"} per line: adds ROUGE-1/2/L; or a folder of exports with '
        "key points (NAME.json + NAME.labels.json): key-point recall and invented facts per summarizer",
    )
    parser.add_argument(
        "--backends",
        default=None,
        metavar="LIST",
        help="engines to run each model on, comma-separated (default: every installed backend that runs the "
        "model's family: transformers and ctranslate2 for seq2seq, transformers and llamacpp for a GGUF)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the old-code-path row")
    parser.add_argument("--out", default="bench-results", metavar="DIR", help="where the table, JSON and chart go (default: bench-results)")
    parser.set_defaults(func=_bench)


# --- data -----------------------------------------------------------------------------------


def repeated_sample(count: int) -> list[MessageRecord]:
    """`count` messages: the bundled sample conversation again and again, each round a new day with new ids."""
    from bot.cli.demo import SAMPLE
    from bot.exports import export_records, read_export

    sample = [m for m in export_records(read_export(SAMPLE)) if not m.is_bot]
    records: list[MessageRecord] = []
    round_ = 0
    while len(records) < count:
        for message in sample:
            if len(records) == count:
                break
            records.append(
                replace(
                    message,
                    id=message.id + round_ * 10**12,
                    created_at=message.created_at + timedelta(days=round_),
                    reply_to_id=message.reply_to_id + round_ * 10**12 if message.reply_to_id else None,
                )
            )
        round_ += 1
    return records


def labelled_items(path: str) -> list[tuple[list[MessageRecord], str]]:
    """(messages, reference summary) per JSONL line: "text" lines are `Name: words`, or "messages" objects."""
    from datetime import datetime

    items = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CliError(f"--labelled {path}: {exc.strerror or exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            reference = str(item["summary"])
            if "messages" in item:
                turns = [(str(m.get("author", "someone")), str(m["content"])) for m in item["messages"]]
            else:
                turns = [_turn(t) for t in str(item["text"]).splitlines() if t.strip()]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CliError(f'--labelled {path} line {number}: expected {{"text" or "messages", "summary"}}') from None
        records = [
            MessageRecord(
                id=number * 100_000 + i,
                channel_id=1,
                author_id=hash(name) % 10**6,
                author_name=name,
                content=content,
                created_at=start + timedelta(seconds=30 * i),
            )
            for i, (name, content) in enumerate(turns)
        ]
        if records:
            items.append((records, reference))
    if not items:
        raise CliError(f"--labelled {path}: no items")
    return items


# --- measuring (in child processes) ----------------------------------------------------------


class PeakMemory:
    """Peak resident memory of this process: psutil sampled every 20 ms, and the kernel's high-water mark."""

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def stop_mib(self) -> float:
        self._stop.set()
        self._thread.join()
        kernel = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        return max(self.peak, kernel) / 2**20


def _disk_mb(path: str | None) -> float:
    if not path:
        return 0.0
    target = Path(path)
    if target.is_file():
        return target.stat().st_size / 1e6
    weights = [p for p in target.rglob("*") if p.is_file() and p.suffix in (".safetensors", ".bin", ".gguf", ".pt")]
    return sum(p.stat().st_size for p in weights) / 1e6


def _parameters_m(model: Any) -> float:
    import torch

    total = 0
    # Quantizing gives a tied output layer (BART's lm_head) its own int8 copy: memory, not parameters.
    tied = getattr(getattr(model, "config", None), "tie_word_embeddings", False)
    output = model.get_output_embeddings() if tied and hasattr(model, "get_output_embeddings") else None
    for module in model.modules():
        weight = getattr(module, "weight", None)
        if module is output:
            continue
        if callable(weight) and not isinstance(weight, torch.nn.Parameter):  # int8 dynamic Linear
            total += weight().numel()
            bias = module.bias() if callable(getattr(module, "bias", None)) else None
            total += bias.numel() if bias is not None else 0
    total += sum(p.numel() for p in model.parameters())
    return total / 1e6


def _apply_env(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def measure_variant(config: dict[str, Any]) -> dict[str, Any]:
    _apply_env(config["env"])
    memory = PeakMemory()
    try:
        result = asyncio.run(_measure_variant(config))
    finally:
        peak = memory.stop_mib()
    result["peak_rss_mib"] = round(peak, 1)
    return result


async def _measure_variant(config: dict[str, Any]) -> dict[str, Any]:
    import gc

    import psutil

    import sml_config
    from agents.loading import local_folder
    from agents.runtime import ModelManager
    from agents.summarize import InMemoryChunkCache, plan_window, render_messages, summarize_messages
    from agents.summarize.generation import MAP, full_chunk, generate_summaries, new_tokens_for
    from agents.summarize.rouge import rouge
    from bot.settings import load_settings

    key, profile, quantize = config["model"], config["profile"], config["quantize"]
    window: list[MessageRecord] = config["window"]
    base = window[: config["base_count"]]
    settings = load_settings()
    manager = ModelManager.from_settings(settings)
    try:
        _task, spec = _resolve(manager, key)
        task = _task
        load_kwargs = {"profile": profile if spec.family != "causal" else None, "quantize": quantize}
        started = time.perf_counter()
        loaded = await manager.get(task, spec.key, **load_kwargs)
        cold = time.perf_counter() - started
        gc.collect()
        # What the process holds with the model loaded: the first load, before any unload/reload.
        loaded_rss = psutil.Process().memory_info().rss / 2**20
        params_m = _parameters_m(loaded.model) if loaded.backend_name == "transformers" else _spec_parameters_m(spec)
        folder = spec.local_path or spec.name
        if loaded.backend_name == "transformers":
            folder, _ = local_folder(spec, settings.model_cache_dir, offline=True)
        disk_mb = _disk_mb(spec.local_path or folder) or spec.disk_mb
        dtype = "int8" if loaded.quantized else str(loaded.dtype).replace("torch.", "")
        backend = loaded.backend_name
        model_mib = loaded.memory_mb
        del loaded
        await manager.unload(task, spec.key)
        started = time.perf_counter()
        await manager.get(task, spec.key, **load_kwargs)
        warm = time.perf_counter() - started

        run_kwargs = {"manager": manager, "model_key": spec.key, "profile": profile, "quantize": quantize}
        plan = await plan_window(base, **run_kwargs)
        generation = sml_config.generation_kwargs(spec, profile)
        # One chunk filled to the window (the messages from the start), summarized alone.
        text, chunk_tokens = await manager.run(task, spec.key, full_chunk, generation, render_messages(base), **load_kwargs)
        started = time.perf_counter()
        await manager.run(
            task,
            spec.key,
            generate_summaries,
            generation,
            [text],
            MAP,
            new_tokens_for(chunk_tokens, MAP, plan.max_new_tokens),
            **load_kwargs,
        )
        chunk_seconds = time.perf_counter() - started

        cache = InMemoryChunkCache()
        started = time.perf_counter()
        first = await summarize_messages(base, cache=cache, **run_kwargs)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = await summarize_messages(window, cache=cache, **run_kwargs)
        second_seconds = time.perf_counter() - started

        scores = None
        if config.get("labelled"):
            totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
            for records, reference in config["labelled"]:
                summary = await summarize_messages(records, **run_kwargs)
                for name, value in rouge(" ".join(b.text for b in summary.bullets), reference).items():
                    totals[name] += value
            scores = {name: value / len(config["labelled"]) for name, value in totals.items()}
    finally:
        await manager.close()
    return {
        "variant": f"{spec.key} {profile} {dtype}" + (f" ({backend})" if backend != "transformers" else ""),
        "model": spec.key,
        "backend": backend,
        "model_mib": round(model_mib, 1),
        "profile": profile,
        "dtype": dtype,
        "disk_mb": round(disk_mb, 1),
        "params_m": round(params_m, 1),
        "load_cold_s": round(cold, 2),
        "load_warm_s": round(warm, 2),
        "rss_loaded_mib": round(loaded_rss, 1),
        "chunk_tokens": chunk_tokens,
        "chunk_s": round(chunk_seconds, 2),
        "s_per_1024_tokens": round(chunk_seconds * 1024 / max(1, chunk_tokens), 2),
        "window_messages": len(base),
        "messages_read": first.messages_read,
        "window_tokens": plan.window_tokens,
        "chunks": first.chunks_total,
        "window_s": round(first_seconds, 2),
        "input_tokens_per_s": round(plan.window_tokens / first_seconds, 1),
        "rerun_messages": len(window),
        "rerun_s": round(second_seconds, 2),
        "rerun_chunks_cached": f"{second.chunks_cached}/{second.chunks_total}",
        "rerun_fraction": round(second_seconds / first_seconds, 3),
        "rouge": scores,
    }


def _spec_parameters_m(spec: Any) -> float:
    from agents.loading import _local_parameter_count

    if spec.params_m:
        return spec.params_m
    count = _local_parameter_count(spec)
    return count / 1e6 if count else 0.0


def measure_load(config: dict[str, Any]) -> dict[str, Any]:
    """Peak memory while loading, in a fresh process, from a warm model cache (conversions done)."""
    _apply_env(config["env"])
    import gc

    import psutil

    from agents.runtime import ModelManager
    from bot.settings import load_settings

    gc.collect()
    before = psutil.Process().memory_info().rss
    memory = PeakMemory()
    manager = ModelManager.from_settings(load_settings())
    try:
        _task, spec = _resolve(manager, config["model"])
        loaded = manager.load_sync(_task, spec.key, profile=config["profile"], quantize=config["quantize"])
        if loaded.backend_name == "transformers":  # safetensors pages in lazily: touch every weight
            import torch

            with torch.inference_mode():
                for tensor in loaded.model.state_dict().values():
                    if hasattr(tensor, "sum") and tensor.is_floating_point():
                        tensor.sum()
        gc.collect()
        after = psutil.Process().memory_info().rss
    finally:
        peak = memory.stop_mib() * 2**20
        manager.close_sync()
    return {"load_peak_mib": round((peak - before) / 2**20, 1), "load_resident_mib": round((after - before) / 2**20, 1)}


def _resolve(manager: Any, key: str):
    from agents.summarize import resolve_model

    return resolve_model(key, manager.registry)


def measure_baseline(config: dict[str, Any]) -> dict[str, Any]:
    _apply_env(config["env"])
    memory = PeakMemory()
    try:
        result = _measure_baseline(config)
    finally:
        peak = memory.stop_mib()
    result["peak_rss_mib"] = round(peak, 1)
    return result


def _measure_baseline(config: dict[str, Any]) -> dict[str, Any]:
    """The old code path: a fresh fp32 load per call, 4 beams, the window cut at 1024 tokens."""
    import psutil
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from agents.loading import local_folder
    from agents.runtime import ModelManager
    from agents.summarize import render_messages
    from agents.summarize.rouge import rouge
    from bot.settings import load_settings

    settings = load_settings()
    manager = ModelManager.from_settings(settings)
    spec = manager.spec(TASK, config["model"])
    folder, kwargs = local_folder(spec, settings.model_cache_dir, offline=settings.offline)
    manager.close_sync()
    window: list[MessageRecord] = config["window"][: config["base_count"]]
    lines = render_messages(window)

    parameters: list[float] = []
    loaded_rss: list[float] = []

    def summarize(text: str) -> tuple[str, float, float, int]:  # summary, load s, generate s, input tokens
        started = time.perf_counter()
        tokenizer = AutoTokenizer.from_pretrained(folder, **kwargs)
        model = AutoModelForSeq2SeqLM.from_pretrained(folder, dtype=torch.float32, **kwargs).eval()
        loaded = time.perf_counter()
        parameters.append(_parameters_m(model))
        inputs = tokenizer(text, truncation=True, max_length=BASELINE_INPUT_TOKENS, return_tensors="pt")
        with torch.inference_mode():
            output = model.generate(**inputs, **BASELINE_GENERATION)
        done = time.perf_counter()
        # After generate(): safetensors weights are mapped lazily, so only now are they all resident.
        loaded_rss.append(psutil.Process().memory_info().rss / 2**20)
        return str(tokenizer.decode(output[0], skip_special_tokens=True)), loaded - started, done - loaded, inputs["input_ids"].shape[1]

    _text, load_s, generate_s, tokens_read = summarize("\n".join(lines))
    tokenizer = AutoTokenizer.from_pretrained(folder, **kwargs)
    window_tokens = len(tokenizer("\n".join(lines), verbose=False)["input_ids"])
    line_tokens = [len(ids) + 1 for ids in tokenizer(lines, add_special_tokens=False)["input_ids"]]
    used, messages_read = 2, 0
    for count in line_tokens:
        if used + count > BASELINE_INPUT_TOKENS:
            break
        used += count
        messages_read += 1
    scores = None
    if config.get("labelled"):
        totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
        for records, reference in config["labelled"]:
            text = summarize("\n".join(render_messages(records)))[0]
            for name, value in rouge(text, reference).items():
                totals[name] += value
        scores = {name: value / len(config["labelled"]) for name, value in totals.items()}
    total = load_s + generate_s
    return {
        "variant": f"baseline: {spec.key} fp32, 4 beams, fresh load, first {BASELINE_INPUT_TOKENS} tokens",
        "model": spec.key,
        "profile": "old",
        "dtype": "float32",
        "disk_mb": round(_disk_mb(folder), 1),
        "params_m": round(parameters[0], 1),
        "load_cold_s": round(load_s, 2),
        "load_warm_s": round(load_s, 2),
        "rss_loaded_mib": round(loaded_rss[0], 1),
        "chunk_tokens": tokens_read,
        "chunk_s": round(generate_s, 2),
        "s_per_1024_tokens": round(generate_s * 1024 / max(1, tokens_read), 2),
        "window_messages": len(window),
        "messages_read": messages_read,
        "window_tokens": window_tokens,
        "tokens_read": tokens_read,
        "chunks": 1,
        "window_s": round(total, 2),
        "input_tokens_per_s": round(tokens_read / generate_s, 1),
        "input_tokens_per_s_with_load": round(tokens_read / total, 1),
        "rerun_messages": None,
        "rerun_s": round(total, 2),
        "rerun_chunks_cached": "-",
        "rerun_fraction": None,
        "rouge": scores,
    }


def _in_child(function, config: dict[str, Any]) -> dict[str, Any]:
    pool = multiprocessing.get_context("spawn").Pool(1)
    try:
        return pool.apply(function, (config,))
    finally:
        pool.close()  # not terminate(): let the child exit cleanly and release what it holds
        pool.join()


# --- the report -----------------------------------------------------------------------------


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    baseline = next((r for r in rows if r["profile"] == "old"), None)
    head = (
        "| variant | backend | disk MB | params M | load s (first / again) | s per 1024-token chunk | messages read | "
        "input tok/s | vs baseline | window s | +new msgs re-run s (share, cached chunks) | RSS loaded / peak MiB "
        "| load peak / resident MiB | ROUGE-1/2/L |"
    )
    lines = [head, "|" + "---|" * 14]
    for r in rows:
        ratio = f"{r['input_tokens_per_s'] / baseline['input_tokens_per_s']:.1f}x" if baseline and r is not baseline else "1x"
        if r["rerun_fraction"] is None:
            rerun = "same as first (no cache)"
        else:
            rerun = f"{r['rerun_s']} ({r['rerun_fraction']:.0%}, {r['rerun_chunks_cached']})"
        rouge = "/".join(f"{r['rouge'][k] * 100:.1f}" for k in ("rouge1", "rouge2", "rougeL")) if r.get("rouge") else "-"
        load_peak = f"{r['load_peak_mib']:.0f} / {r['load_resident_mib']:.0f}" if "load_peak_mib" in r else "-"
        lines.append(
            f"| {r['variant']} | {r.get('backend', 'transformers')} | {r['disk_mb']:.0f} | {r['params_m']:.0f} | "
            f"{r['load_cold_s']} / {r['load_warm_s']} | "
            f"{r['s_per_1024_tokens']} | {r['messages_read']}/{r['window_messages']} ({r.get('tokens_read', r['window_tokens']):,} of "
            f"{r['window_tokens']:,} tokens) | {r['input_tokens_per_s']} | {ratio} | {r['window_s']} | {rerun} | "
            f"{r['rss_loaded_mib']:.0f} / {r['peak_rss_mib']:.0f} | {load_peak} | {rouge} |"
        )
    return "\n".join(lines)


def chart(rows: Sequence[dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    names = [r["variant"].replace("baseline: ", "baseline\n").split(",")[0] for r in rows]
    figure, (speed, memory) = plt.subplots(1, 2, figsize=(12, 4.5))
    speed.barh(names, [r["input_tokens_per_s"] for r in rows], color=["#999" if r["profile"] == "old" else "#3a7" for r in rows])
    speed.set_xlabel("input tokens per second (higher is better)")
    memory.barh(names, [r["peak_rss_mib"] for r in rows], color=["#999" if r["profile"] == "old" else "#37a" for r in rows])
    memory.set_xlabel("peak RSS, MiB (lower is better)")
    memory.set_yticklabels([])
    figure.suptitle("smolcord summarization benchmark")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


async def _bench(args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from sml_config import ModelConfigError, UnknownModelError, load_registry

    if args.labelled and Path(args.labelled).is_dir():
        from bot.cli._recap_bench import run_labelled

        models = [k.strip() for k in args.models.split(",") if k.strip()] if args.models else ["extractive"]
        return await run_labelled(args.labelled, models)

    try:
        import psutil  # noqa: F401  (peak memory; matplotlib, for the chart, is optional)
    except ImportError:
        raise CliError("smolcord bench needs psutil: pip install 'smolcord[bench]'") from None
    env: dict[str, str] = {}
    local_keys = []
    for entry in args.model_path:
        key, sep, path = entry.partition("=")
        if not sep or not key or not path:
            raise CliError(f"--model-path {entry!r}: expected KEY=PATH")
        if not Path(path).expanduser().exists():
            raise CliError(f"--model-path {entry!r}: {path} does not exist")
        env[f"SMOLCORD_MODEL__SUMMARIZATION__{key.upper().replace('-', '_').replace('.', '_')}"] = str(Path(path).expanduser().resolve())
        local_keys.append(key.lower())
    os.environ.update(env)
    settings = load_settings()
    try:
        registry = load_registry(settings.models_file)
    except (ModelConfigError, UnknownModelError) as exc:
        raise CliError(str(exc)) from None
    keys = [k.strip() for k in args.models.split(",") if k.strip()] if args.models else (local_keys or [registry.default_key(TASK)])
    quantize_choices = [q.strip() for q in args.quantize.split(",") if q.strip()]
    if not quantize_choices or any(q not in ("int8", "none") for q in quantize_choices):
        raise CliError("--quantize: a comma-separated list of int8 and none")
    if not 0 < args.append < 1:
        raise CliError("--append must be a fraction between 0 and 1, like 0.05")
    if args.messages < 2:
        raise CliError("--messages must be at least 2")

    if args.window:
        from bot.exports import ExportError, export_records, read_export

        try:
            records = [m for m in export_records(read_export(args.window)) if not m.is_bot]
        except ExportError as exc:
            raise CliError(str(exc)) from None
        base_count = max(1, round(len(records) / (1 + args.append)))
    else:
        base_count = args.messages
        records = repeated_sample(args.messages + max(1, round(args.messages * args.append)))
    labelled = labelled_items(args.labelled) if args.labelled else None

    from agents.summarize import resolve_model

    variants = []
    for key in keys:
        try:
            _task, spec = resolve_model(key, registry)
        except UnknownModelError as exc:
            raise CliError(str(exc)) from None
        if spec.family == "extractive":
            continue  # no model to measure
        from agents.backends import backend_installed
        from sml_config import BACKEND_FAMILIES

        wanted = (
            [b.strip() for b in args.backends.split(",") if b.strip()]
            if args.backends
            else [
                b
                for b in ("transformers", "ctranslate2", "llamacpp")
                if spec.family in BACKEND_FAMILIES[b] and (b != "llamacpp" or (spec.gguf_file is not None))
            ]
        )
        for backend in wanted:
            if backend not in BACKEND_FAMILIES or spec.family not in BACKEND_FAMILIES[backend]:
                raise CliError(f"--backends: {backend!r} cannot run {spec.family} model {spec.key!r}")
            if not backend_installed(backend):
                print(f"skipping {spec.key} on {backend}: not installed", file=sys.stderr)
                continue
            # int8/none is the transformers path's own choice; the other engines run their own format once.
            choices = quantize_choices if spec.family == "seq2seq" and backend == "transformers" else [quantize_choices[0]]
            variants += [(spec, q, backend) for q in choices]
    if not variants:
        raise CliError("no model to benchmark: --models names only `extractive`")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    base_config = {"env": env, "window": records, "base_count": base_count, "labelled": labelled, "profile": args.profile}
    baseline_spec = next((spec for spec, _, _ in variants if spec.family == "seq2seq"), None)
    if not args.no_baseline and baseline_spec is not None:
        print(f"measuring the old code path with {baseline_spec.key} ...", file=sys.stderr)
        rows.append(await asyncio.to_thread(_in_child, measure_baseline, {**base_config, "model": baseline_spec.key}))
    for spec, quantize, backend in variants:
        print(f"measuring {spec.key} on {backend} ({args.profile}, quantize {quantize}) ...", file=sys.stderr)
        variable = f"SMOLCORD_BACKEND__{spec.task.upper()}__{spec.key.upper().replace('-', '_').replace('.', '_')}"
        config = {**base_config, "env": {**env, variable: backend}, "model": spec.key, "quantize": quantize}
        try:
            row = await asyncio.to_thread(_in_child, measure_variant, config)
            row.update(await asyncio.to_thread(_in_child, measure_load, config))
            rows.append(row)
        except Exception as exc:  # one failing model must not lose the other rows
            from agents.loading import one_line

            print(f"smolcord: {spec.key} ({quantize}) failed: {one_line(exc)}", file=sys.stderr)
    if not rows:
        raise CliError("every variant failed (see above)")

    table = markdown_table(rows)
    (out / "summaries-bench.md").write_text(table + "\n", encoding="utf-8")
    (out / "summaries-bench.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    drawn = chart(rows, out / "summaries-bench.png")
    print(table)
    print(
        f"\nwrote {out / 'summaries-bench.md'}, {out / 'summaries-bench.json'}"
        + (f", {out / 'summaries-bench.png'}" if drawn else " (no chart: matplotlib is not installed)")
    )
    return 0


def _turn(line: str) -> tuple[str, str]:
    """`Name: text` as (name, text); a line without a speaker is ("text", line)."""
    name, sep, text = line.partition(": ")
    return (name, text) if sep else ("text", line)
