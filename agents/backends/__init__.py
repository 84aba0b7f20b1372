"""Inference engines behind one interface: transformers, CTranslate2, llama.cpp and OpenAI-compatible servers.

The registry's `backend` field names the engine of a model; `ModelManager` asks `get_backend(spec)`
for it and every caller generates through `LoadedModel.stream` / `LoadedModel.generate_batch`, so
chat, summaries and the swarm never know which engine runs them:

    request = GenerationRequest(prompt_ids=ids, max_new_tokens=64, stop_strings=("\\nBob:",))
    result = loaded.stream(request, on_text=lambda delta: print(delta, end=""))
    result.text, result.finish_reason          # "stop", "length", "cancelled" or "cut"

| backend        | runs                          | needs                                   |
|----------------|-------------------------------|-----------------------------------------|
| `transformers` | every family (the default)    | the project's own dependencies          |
| `ctranslate2`  | seq2seq (BART, PEGASUS), int8 | `pip install 'smolcord[ctranslate2]'`   |
| `llamacpp`     | causal models from a GGUF     | `bash scripts/install-llamacpp.sh`      |
| `openai`       | any OpenAI-compatible server  | nothing (the standard library's HTTP)   |
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from agents.backends.base import (
    FINISH_CANCELLED,
    FINISH_CUT,
    FINISH_LENGTH,
    FINISH_STOP,
    GenerationBackend,
    GenerationRequest,
    GenerationResult,
    TextStream,
)
from agents.loading import BackendNotInstalledError, LoadedModel, ModelLoadError
from sml_config import BACKENDS, ModelSpec

__all__ = [
    "BACKENDS",
    "FINISH_CANCELLED",
    "FINISH_CUT",
    "FINISH_LENGTH",
    "FINISH_STOP",
    "GenerationBackend",
    "GenerationRequest",
    "GenerationResult",
    "LoadedModel",
    "TextStream",
    "backend_installed",
    "complete",
    "engine_of",
    "get_backend",
]

# backend -> (module holding the class, class name, the package it imports, the pip extra that installs it)
_BACKENDS: dict[str, tuple[str, str, str | None, str | None]] = {
    "transformers": ("agents.backends.hf", "TransformersBackend", None, None),
    "ctranslate2": ("agents.backends.ct2", "CTranslate2Backend", "ctranslate2", "ctranslate2"),
    "llamacpp": ("agents.backends.llamacpp", "LlamaCppBackend", "llama_cpp", "llamacpp"),
    "openai": ("agents.backends.openai", "OpenAIBackend", None, None),
}
_instances: dict[str, Any] = {}


def backend_installed(name: str) -> bool:
    """True when the package the backend needs can be imported (transformers and openai always can)."""
    module = _BACKENDS[name][2]
    return module is None or importlib.util.find_spec(module) is not None


def pip_extra(name: str) -> str | None:
    return _BACKENDS[name][3]


def get_backend(spec: ModelSpec | str) -> GenerationBackend:
    """The engine of a spec (or a backend name). BackendNotInstalledError names the pip extra it needs."""
    name = spec if isinstance(spec, str) else spec.backend
    if name not in _BACKENDS:
        raise ModelLoadError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    module_name, class_name, package, extra = _BACKENDS[name]
    if package is not None and not backend_installed(name):
        if isinstance(spec, str):
            raise ModelLoadError(f"the {name} backend needs the `{package}` package: pip install 'smolcord[{extra}]'")
        raise BackendNotInstalledError(spec, package, extra or name)
    backend = _instances.get(name)
    if backend is None:
        backend = getattr(importlib.import_module(module_name), class_name)()
        _instances[name] = backend
    return backend


def engine_of(loaded: Any) -> GenerationBackend:
    """The backend of a loaded model; a plain object with a torch `model` and `tokenizer` counts as transformers."""
    return getattr(loaded, "backend", None) or get_backend("transformers")


def complete(
    loaded: LoadedModel,
    *,
    messages=None,
    prompt_ids=None,
    prompt=None,
    max_new_tokens: int = 128,
    stop_strings=(),
    **options: Any,
) -> str:
    """One whole reply as text (no streaming): for the swarm's generative roles and other short calls."""
    request = GenerationRequest(
        messages=messages,
        prompt_ids=prompt_ids,
        prompt=prompt,
        max_new_tokens=max_new_tokens,
        stop_strings=tuple(stop_strings),
        options=options,
    )
    return loaded.stream(request).text
