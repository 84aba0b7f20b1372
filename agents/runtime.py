"""ModelManager: loads models on first use, keeps them in a memory-bounded LRU, and runs inference off the event loop.

Each loaded model has ONE single-thread worker: its jobs run one at a time, in order, so a
model is never used by two threads at once. All workers share one bound on pending jobs
(`queue_size`): beyond it `run` raises ModelBusyError at once instead of queueing forever.

    manager = ModelManager.from_settings(load_settings())
    text = await manager.run("summarization", "distilbart", summarize_chunk, chunk, profile="fast")

`fn(loaded, *args)` runs in the model's worker thread under `torch.inference_mode()`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from agents.backends import get_backend
from agents.loading import (
    BackendNotInstalledError,
    LoadedModel,
    ModelBusyError,
    ModelError,
    ModelLoadError,
    ModelNotDownloadedError,
    ModelTimeoutError,
    choose_dtype,
    cpu_supports_bf16,
    resolve_device,
)
from sml_config import ModelSpec, Registry, get_profile, load_registry

__all__ = [
    "BackendNotInstalledError",
    "LoadedModel",
    "ModelBusyError",
    "ModelError",
    "ModelLoadError",
    "ModelManager",
    "ModelNotDownloadedError",
    "ModelTimeoutError",
    "choose_dtype",
    "cpu_supports_bf16",
]

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Slot:
    """One loaded (or loading) model variant with its own worker: one thread for a local engine (a model is
    never used by two threads at once), the spec's `concurrency` for a remote server."""

    def __init__(self, spec: ModelSpec, quantized: bool, workers: int = 1):
        self.spec = spec
        self.quantized = quantized
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, workers), thread_name_prefix=f"model-{spec.task}-{spec.key}"
        )
        self.loaded: LoadedModel | None = None
        self.load_future: concurrent.futures.Future | None = None
        self.pending = 0
        self.last_used = 0
        self.load_seconds = 0.0

    @property
    def ident(self) -> tuple[str, str, bool]:
        return (self.spec.task, self.spec.key, self.quantized)


class ModelManager:
    """The one place models are loaded and run. Thread-safe; `get`/`run`/`warm`/`unload` are async."""

    def __init__(
        self,
        *,
        cache_dir: str | os.PathLike,
        memory_budget_mb: float = 6144,
        offline: bool = False,
        device: str = "auto",
        quantize: str = "none",
        queue_size: int = 16,
        timeout_s: float = 300.0,
        models_file: str | os.PathLike | None = None,
        registry: Registry | None = None,
    ):
        if quantize not in ("none", "int8"):
            raise ValueError(f"quantize must be none or int8, not {quantize!r}")
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.cache_dir = Path(cache_dir).expanduser()
        self.memory_budget_mb = float(memory_budget_mb)
        self.offline = bool(offline)
        self.device = device
        self.quantize = quantize
        self.queue_size = int(queue_size)
        self.timeout_s = float(timeout_s)
        self.registry = registry if registry is not None else load_registry(models_file)
        self._slots: dict[tuple[str, str, bool], _Slot] = {}
        self._lock = threading.RLock()
        self._pending = 0
        self._ticks = itertools.count(1)
        self._closed = False

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> ModelManager:
        """Build from a Settings object (or anything with the same attribute names)."""
        values = {
            "cache_dir": settings.model_cache_dir,
            "memory_budget_mb": getattr(settings, "memory_budget_mb", 6144),
            "offline": getattr(settings, "offline", False),
            "device": getattr(settings, "device", "auto"),
            "quantize": getattr(settings, "quantize", "none"),
            "queue_size": getattr(settings, "inference_queue_size", 16),
            "timeout_s": getattr(settings, "inference_timeout_s", 300.0),
            "models_file": getattr(settings, "models_file", None),
        }
        values.update(overrides)
        return cls(**values)

    # --- registry lookups -------------------------------------------------------------------

    def spec(self, task: str, key: str | None = None) -> ModelSpec:
        """The ModelSpec this manager resolves (task, key) to; UnknownModelError lists valid keys."""
        return self.registry.spec(task, key)

    def default_key(self, task: str) -> str:
        return self.registry.default_key(task)

    # --- loading ----------------------------------------------------------------------------

    def _wants_int8(self, profile: str | None, quantize: str | None) -> bool:
        if quantize is not None:
            if quantize not in ("none", "int8"):
                raise ValueError(f"quantize must be none or int8, not {quantize!r}")
            return quantize == "int8"
        if self.quantize == "int8":
            return True
        return profile is not None and get_profile(profile).get("quantize") == "int8"

    def _slot(self, task: str, key: str | None, profile: str | None, quantize: str | None) -> _Slot:
        spec = self.registry.spec(task, key)
        # int8 dynamic quantization is the transformers path's; the other engines run their own formats
        # (CTranslate2 int8, a GGUF's quantization), so the fast and quality profiles share one load.
        quantized = self._wants_int8(profile, quantize) and spec.needs_weights and spec.backend == "transformers"
        with self._lock:
            if self._closed:
                raise ModelError("the model manager is shut down")
            slot = self._slots.get((spec.task, spec.key, quantized))
            if slot is None:
                slot = _Slot(spec, quantized, workers=spec.concurrency if spec.is_remote else 1)
                self._slots[slot.ident] = slot
            slot.last_used = next(self._ticks)
            return slot

    def _ensure_loading(self, slot: _Slot) -> concurrent.futures.Future:
        with self._lock:
            future = slot.load_future
            if future is None or future.cancelled() or (future.done() and future.exception() is not None):
                # First use, or the last attempt failed (the user may have pulled the model since).
                future = slot.executor.submit(self._load, slot)
                slot.load_future = future
            return future

    def _load(self, slot: _Slot) -> LoadedModel:
        spec = slot.spec
        if not spec.needs_weights:
            loaded = LoadedModel(spec, None, None, "cpu", None, False, 0.0)
            with self._lock:
                slot.loaded = loaded
            return loaded
        backend = get_backend(spec)  # BackendNotInstalledError names the pip extra
        device = "remote" if backend.remote else resolve_device(self.device)
        if not backend.remote:  # a remote model holds no memory here: nothing to make room for
            self._make_room(backend.estimate_memory_mb(spec, choose_dtype(device), slot.quantized), keep=slot)
        started = time.perf_counter()
        loaded = backend.load(spec, cache_dir=self.cache_dir, offline=self.offline, device=device, quantize=slot.quantized)
        with self._lock:
            slot.loaded = loaded
            slot.load_seconds = time.perf_counter() - started
            still_registered = self._slots.get(slot.ident) is slot
        log.info(
            "loaded %s model '%s' (%s on %s, %s%s) in %.1f s, %.0f MiB",
            spec.task,
            spec.key,
            loaded.backend_name,
            loaded.device,
            str(loaded.dtype).replace("torch.", ""),
            ", int8" if loaded.quantized else "",
            slot.load_seconds,
            loaded.memory_mb,
        )
        if still_registered:
            self._make_room(0.0, keep=slot)
            if loaded.memory_mb > self.memory_budget_mb:
                log.warning(
                    "model '%s' needs %.0f MiB, more than the whole memory budget (%.0f MiB): "
                    "loaded anyway; raise SMOLCORD_MEMORY_BUDGET_MB or pick a smaller model",
                    spec.key,
                    loaded.memory_mb,
                    self.memory_budget_mb,
                )
        return loaded

    def memory_used_mb(self) -> float:
        with self._lock:
            return sum(slot.loaded.memory_mb for slot in self._slots.values() if slot.loaded is not None)

    def _make_room(self, needed_mb: float, *, keep: _Slot) -> None:
        """Evict least recently used models until `needed_mb` more fits in the budget.

        Idle models go first; a busy one is evicted only when idle ones do not free enough (its
        queued jobs still finish, holding the weights until then).
        """
        evicted: list[_Slot] = []
        with self._lock:
            while self.memory_used_mb() + needed_mb > self.memory_budget_mb:
                candidates = [s for s in self._slots.values() if s is not keep and s.loaded is not None]
                if not candidates:
                    break
                victim = min(candidates, key=lambda s: (s.pending > 0, s.last_used))
                del self._slots[victim.ident]
                evicted.append(victim)
        for victim in evicted:
            log.info(
                "unloading %s model '%s' (%.0f MiB) to stay within the %.0f MiB memory budget",
                victim.spec.task,
                victim.spec.key,
                victim.loaded.memory_mb if victim.loaded else 0,
                self.memory_budget_mb,
            )
            self._retire(victim, wait=False)
        if evicted:
            gc.collect()

    @staticmethod
    def _retire(slot: _Slot, *, wait: bool) -> None:
        # Queued jobs still run (they hold their own reference); the weights go with the last one.
        slot.executor.shutdown(wait=wait, cancel_futures=False)
        loaded, slot.loaded = slot.loaded, None
        if wait and loaded is not None:  # no job can be using it any more
            _close_quietly(loaded)

    async def get(self, task: str, key: str | None = None, *, profile: str | None = None, quantize: str | None = None) -> LoadedModel:
        """The loaded model (loading it in its worker thread on first use). `key` None: the task's default.

        `profile="fast"` (or quantize="int8") gives the int8 variant; the manager's own `quantize`
        setting applies to every load.
        """
        slot = self._slot(task, key, profile, quantize)
        loaded = await asyncio.wrap_future(self._ensure_loading(slot))
        with self._lock:
            slot.last_used = next(self._ticks)
        return loaded

    def load_sync(self, task: str, key: str | None = None, *, profile: str | None = None, quantize: str | None = None) -> LoadedModel:
        """Blocking `get` for the CLI and benchmarks (never call it on the event loop or inside a job)."""
        slot = self._slot(task, key, profile, quantize)
        return self._ensure_loading(slot).result()

    async def warm(self, task: str, key: str | None = None, *, profile: str | None = None, quantize: str | None = None) -> None:
        """Load a model now so the first user does not wait for it."""
        await self.get(task, key, profile=profile, quantize=quantize)

    async def switch(self, task: str, key: str, *, profile: str | None = None) -> LoadedModel:
        """Load `key` and unload every other model of `task` (an admin switched the task's model)."""
        loaded = await self.get(task, key, profile=profile)
        with self._lock:
            others = {s.spec.key for s in self._slots.values() if s.spec.task == loaded.spec.task}
        for other in others - {loaded.spec.key}:
            await self.unload(task, other)
        return loaded

    async def unload(self, task: str, key: str | None = None) -> bool:
        """Unload every variant of a model after its queued jobs finish; False if none was loaded."""
        spec = self.registry.spec(task, key)
        with self._lock:
            slots = [s for ident, s in self._slots.items() if ident[:2] == (spec.task, spec.key)]
            for slot in slots:
                del self._slots[slot.ident]
        for slot in slots:
            await asyncio.to_thread(self._retire, slot, wait=True)
        if slots:
            gc.collect()
        return bool(slots)

    # --- inference --------------------------------------------------------------------------

    def pending(self) -> int:
        """Jobs accepted by `run` and not finished yet (waiting, loading or running), all models together."""
        with self._lock:
            return self._pending

    def _reserve(self) -> None:
        with self._lock:
            if self._pending >= self.queue_size:
                raise ModelBusyError(position=self._pending + 1, limit=self.queue_size)
            self._pending += 1

    def _release(self, slot: _Slot | None) -> None:
        with self._lock:
            self._pending -= 1
            if slot is not None:
                slot.pending -= 1

    async def run(
        self,
        task: str,
        key: str | None,
        fn: Callable[..., T],
        *args: Any,
        timeout: float | None = None,
        profile: str | None = None,
        quantize: str | None = None,
    ) -> T:
        """Run `fn(loaded, *args)` in the model's worker thread and return its result.

        Raises ModelBusyError when `queue_size` jobs are already pending, ModelTimeoutError when
        the job has not finished `timeout` (default: the manager's timeout_s) seconds after it
        was queued (loading time not counted), and the load errors of `get`. A job that times out
        while running cannot be interrupted: it finishes in the background and still counts as
        pending until it does.
        """
        self._reserve()
        future: concurrent.futures.Future | None = None
        try:
            for attempt in range(2):
                slot = self._slot(task, key, profile, quantize)
                loaded = await asyncio.wrap_future(self._ensure_loading(slot))
                with self._lock:
                    slot.last_used = next(self._ticks)
                    slot.pending += 1
                try:
                    future = slot.executor.submit(_run_job, fn, loaded, args)
                except RuntimeError:
                    # Evicted (or unloaded) between load and submit: load it again, once.
                    with self._lock:
                        slot.pending -= 1
                    if attempt == 1:
                        raise ModelError(f"model '{slot.spec.key}' was unloaded while this job waited: try again") from None
                    continue
                final_slot = slot
                future.add_done_callback(lambda _f: self._release(final_slot))  # noqa: B023 (the loop ends here)
                break
        finally:
            if future is None:
                self._release(None)

        limit = self.timeout_s if timeout is None else timeout
        assert future is not None  # the loop above either queued the job or raised
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limit)
        except asyncio.CancelledError:
            task_cancelled = (current := asyncio.current_task()) is not None and current.cancelling() > 0
            if future.cancelled() and not task_cancelled:  # close() dropped the queued job
                raise ModelError("the model manager shut down before this job ran") from None
            raise
        except TimeoutError:
            # wait_for cancelled the job if it had not started; a running one finishes on its own.
            raise ModelTimeoutError(
                f"model '{loaded.spec.key}' did not finish within {limit:g} s: try a shorter range or the fast profile"
            ) from None

    # --- introspection and shutdown ---------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """One dict per model variant held: task, key, state, quantized, device, dtype, memory, pending."""
        with self._lock:
            slots = sorted(self._slots.values(), key=lambda s: -s.last_used)
            rows = []
            for slot in slots:
                loaded = slot.loaded
                if loaded is not None:
                    state = "loaded"
                elif slot.load_future is not None and slot.load_future.done() and slot.load_future.exception():
                    state = "failed"
                else:
                    state = "loading"
                rows.append(
                    {
                        "task": slot.spec.task,
                        "key": slot.spec.key,
                        "backend": slot.spec.backend,
                        "state": state,
                        "quantized": slot.quantized,
                        "device": loaded.device if loaded else None,
                        "dtype": str(loaded.dtype).replace("torch.", "") if loaded and loaded.dtype else None,
                        "memory_mb": round(loaded.memory_mb, 1) if loaded else 0.0,
                        "pending": slot.pending,
                        "load_seconds": round(slot.load_seconds, 2),
                    }
                )
            return rows

    async def close(self) -> None:
        """Cancel queued jobs, wait for running ones, and drop every model."""
        with self._lock:
            self._closed = True
            slots = list(self._slots.values())
            self._slots.clear()

        def shutdown() -> None:
            for slot in slots:
                self._retire_now(slot)

        await asyncio.to_thread(shutdown)
        gc.collect()

    def close_sync(self) -> None:
        """Blocking `close` for the CLI, benchmarks and session fixtures."""
        with self._lock:
            self._closed = True
            slots = list(self._slots.values())
            self._slots.clear()
        for slot in slots:
            self._retire_now(slot)
        gc.collect()

    @staticmethod
    def _retire_now(slot: _Slot) -> None:
        slot.executor.shutdown(wait=True, cancel_futures=True)
        loaded, slot.loaded = slot.loaded, None
        if loaded is not None:
            _close_quietly(loaded)


def _close_quietly(loaded: LoadedModel) -> None:
    try:
        loaded.close()
    except Exception:  # shutting down: a failing close must not stop the others
        log.warning("closing model '%s' failed", loaded.spec.key, exc_info=True)


def _run_job(fn: Callable[..., T], loaded: LoadedModel, args: tuple) -> T:
    import torch

    with torch.inference_mode():
        return fn(loaded, *args)
