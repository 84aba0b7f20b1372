"""The llamacpp backend: GGUF chat models through llama-cpp-python (`smolcord[llamacpp]`).

llama.cpp compiled for the build machine's CPU can die with SIGILL (illegal instruction) on another
CPU, or on a VM that hides an instruction set the CPU reports (AMX here). A signal would take the
whole bot down, so before the first model of a process is loaded in-process, a child process loads
it and evaluates a few tokens; if the child dies of a signal the model fails to load with one line
saying how to reinstall (scripts/install-llamacpp.sh builds with portable flags).

Prompts are token ids from the model's own tokenizer (the GGUF's vocabulary read by transformers,
saved once in the model cache), so chat templates, prompt packing and stop strings are exactly the
transformers path's; llama.cpp only evaluates them.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agents.backends.base import (
    FINISH_LENGTH,
    FINISH_STOP,
    GenerationRequest,
    GenerationResult,
    TextStream,
    prompt_token_ids,
)
from agents.loading import (
    LOAD_LOCK,
    LoadedModel,
    ModelLoadError,
    ModelNotDownloadedError,
    _file_fingerprint,
    _publish,
    cached_snapshot,
    converted_gguf_dir,
    one_line,
    pull,
    weight_source,
)
from sml_config import ModelSpec

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
MAX_CONTEXT = 4096  # KV cache size cap: chat packs at most this much (bot/cogs/chat.py MAX_CONTEXT_TOKENS)
REINSTALL = "reinstall it with portable CPU flags: bash scripts/install-llamacpp.sh"

_probed: dict[str, str | None] = {}  # llama.cpp library fingerprint -> None (works) or the failure line
_probe_lock = threading.Lock()

_PROBE = """
import sys
import llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=64, n_threads=1, verbose=False)
llm.eval(llm.tokenize(b"Hello", add_bos=True)[:4])
print("ok")
"""


def gguf_path(spec: ModelSpec, cache_dir: str | os.PathLike, offline: bool) -> Path:
    """The GGUF file of a spec: a local .gguf, or the file in its (cached or now pulled) hub snapshot."""
    source = weight_source(spec)
    if source.kind == "gguf":
        return Path(source.location)
    if source.kind == "hub" and source.gguf_file:
        snapshot = cached_snapshot(spec, cache_dir)
        if snapshot is None:
            if offline or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
                raise ModelNotDownloadedError(spec, "offline mode")
            snapshot = pull(spec, cache_dir, offline=offline, progress=False)
        return snapshot / source.gguf_file
    raise ModelLoadError(f"model '{spec.key}' uses the llamacpp backend, which needs a .gguf file (a local path or gguf_file on the hub)")


def check_gguf(path: Path, key: str) -> None:
    """One line for a file that is not a GGUF at all (llama.cpp's own error would be a C++ log)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise ModelLoadError(f"model '{key}': cannot read {path}: {exc.strerror or exc}") from None
    if head != GGUF_MAGIC:
        raise ModelLoadError(f"model '{key}': {path} is not a GGUF file (it starts with {head!r}, not b'GGUF')")


def _library_fingerprint() -> str:
    import llama_cpp

    folder = Path(llama_cpp.__file__).parent
    libraries = sorted(folder.rglob("libllama*")) + sorted(folder.rglob("libggml*"))
    return ";".join(_file_fingerprint(p) for p in libraries) or str(folder)


def probe(path: Path, key: str) -> None:
    """Load `path` in a child process once per llama.cpp build; ModelLoadError if the child dies or fails."""
    with _probe_lock:
        fingerprint = _library_fingerprint()
        if fingerprint in _probed:
            failure = _probed[fingerprint]
        else:
            failure = _run_probe(path)
            # A crash is the build's fault and holds for every model; a file llama.cpp rejects is that
            # file's, so only a success or a crash is remembered.
            if failure is None or "died of" in failure:
                _probed[fingerprint] = failure
    if failure is not None:
        raise ModelLoadError(f"model '{key}': {failure}")


def _run_probe(path: Path) -> str | None:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
    except subprocess.TimeoutExpired:
        return "llama.cpp did not load a model within 120 s in a test process"
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        what = "an illegal instruction: it was built for another CPU" if name == "SIGILL" else name
        return f"llama.cpp died of {what} ({name}); {REINSTALL}"
    if done.returncode != 0 or "ok" not in done.stdout:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        size = path.stat().st_size / 2**20 if path.exists() else 0.0
        return f"llama.cpp could not load {path.name} ({size:.1f} MiB): the file is truncated or corrupt ({last[:160]})"
    return None


def tokenizer_for(gguf: Path, cache_dir: str | os.PathLike):
    """The GGUF's tokenizer as a transformers tokenizer, converted once (5-15 s) and kept in the model cache."""
    from transformers import AutoTokenizer

    full = converted_gguf_dir(gguf, cache_dir)  # the transformers backend's conversion holds it too
    if (full / ".complete").exists():
        return AutoTokenizer.from_pretrained(str(full), local_files_only=True)
    target = full.with_name(full.name + "-tokenizer")
    if not (target / ".complete").exists():
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            tokenizer.save_pretrained(scratch)
            (scratch / ".complete").write_text(str(gguf))
            _publish(scratch, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return AutoTokenizer.from_pretrained(str(target), local_files_only=True)


def llama_threads() -> int:
    """Threads for llama.cpp: SMOLCORD_LLAMACPP_THREADS, else half the cores (1 on a 2-core machine).

    llama.cpp's threads wait for each other at every layer; when the cores are shared (torch models of the
    other tasks, other programs) one descheduled thread stalls the rest. On a loaded 2-core machine 2 threads
    decoded 0.6 tokens/s where 1 thread decoded 10 (BENCHMARKS.md).
    """
    configured = os.environ.get("SMOLCORD_LLAMACPP_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, (os.cpu_count() or 2) // 2)


class LlamaCppBackend:
    name = "llamacpp"
    remote = False

    def estimate_memory_mb(self, spec: ModelSpec, dtype: Any, quantized: bool) -> float:
        if spec.local_path and Path(spec.local_path).is_file():
            return Path(spec.local_path).stat().st_size * 1.1 / 2**20  # weights as stored, plus the KV cache
        return spec.disk_mb * 1e6 * 1.1 / 2**20

    def workers(self, spec: ModelSpec) -> int:
        return 1

    def load(self, spec: ModelSpec, *, cache_dir: str | os.PathLike, offline: bool, device: str, quantize: bool) -> LoadedModel:
        import llama_cpp

        path = gguf_path(spec, cache_dir, offline)
        check_gguf(path, spec.key)
        probe(path, spec.key)
        threads = llama_threads()
        n_ctx = min(spec.context_window or 2048, MAX_CONTEXT)
        with LOAD_LOCK:
            try:
                tokenizer = tokenizer_for(path, cache_dir)
            except Exception as exc:
                raise ModelLoadError(f"model '{spec.key}': cannot read the tokenizer of {path.name}: {one_line(exc)}") from None
            try:
                llm = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_batch=512,
                    n_threads=threads,
                    n_threads_batch=threads,
                    verbose=False,
                )
            except Exception as exc:
                size = path.stat().st_size / 2**20
                raise ModelLoadError(
                    f"model '{spec.key}': llama.cpp could not load {path.name} ({size:.1f} MiB): the file is "
                    f"truncated or corrupt ({one_line(exc, 120)})"
                ) from None
        if getattr(tokenizer, "pad_token", None) is None and getattr(tokenizer, "eos_token", None) is not None:
            tokenizer.pad_token = tokenizer.eos_token
        memory_mb = path.stat().st_size / 2**20
        return LoadedModel(spec, tokenizer, llm, "cpu", "gguf", False, memory_mb, backend=self)

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        sampling = bool(options.get("do_sample"))
        values: dict[str, Any] = {
            "temperature": float(options.get("temperature", 0.8)) if sampling else 0.0,
            "repeat_penalty": float(options.get("repetition_penalty", 1.0)),
        }
        if sampling:
            values["top_p"] = float(options.get("top_p", 1.0))
            values["top_k"] = int(options.get("top_k", 0))
            values["min_p"] = float(options.get("min_p", 0.0))
        return values

    def stream(self, loaded: LoadedModel, request: GenerationRequest, on_text: Callable[[str], bool | None] | None) -> GenerationResult:
        ids = prompt_token_ids(loaded, request)
        stream = TextStream(request, on_text)
        chunks = loaded.model.create_completion(
            prompt=ids, max_tokens=request.max_new_tokens, stream=True, **self._options(request.options)
        )
        finish = None
        try:
            for chunk in chunks:
                choice = chunk["choices"][0]
                finish = choice.get("finish_reason") or finish
                if stream.add(choice.get("text") or ""):
                    break
        finally:
            chunks.close()  # stops llama.cpp generating past a stop string
        return stream.finish(FINISH_LENGTH if finish == "length" else FINISH_STOP)

    def generate_batch(
        self,
        loaded: LoadedModel,
        prompts: Sequence[Sequence[int]],
        *,
        max_new_tokens: int,
        min_new_tokens: int,
        options: dict[str, Any],
    ) -> list[str]:
        # One prompt at a time: llama.cpp keeps the KV cache of a shared prefix between calls.
        outputs = []
        for ids in prompts:
            out = loaded.model.create_completion(prompt=list(ids), max_tokens=max_new_tokens, **self._options(options))
            outputs.append(out["choices"][0]["text"])
        return outputs

    def close(self, loaded: LoadedModel) -> None:
        close = getattr(loaded.model, "close", None)
        if close is not None:
            close()
