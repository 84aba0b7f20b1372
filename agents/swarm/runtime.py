"""Building the router an approach needs: master_swarm_config.yaml, the shipped or trained heads, the encoder.

`current_approach` in master_swarm_config.yaml chooses what runs; the `SMOLCORD_SWARM_APPROACH` setting
overrides it. Trained heads are read from the role's `output/` folder when `smolcord swarm train` wrote
one there, else from the small artifact shipped in agents/swarm/data (so an install needs no training).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.swarm.intents import IntentHead
from agents.swarm.orchestrator import APPROACHES

PACKAGE_DATA = Path(__file__).parent / "data"
SHIPPED_HEAD = PACKAGE_DATA / "intent_head.npz"
APPROACH_ENV = "SMOLCORD_SWARM_APPROACH"
ROLES = ("intent_parser", "context_manager", "api_mappers", "error_recognizer", "orchestrator")


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def master_config_path() -> Path:
    return Path(os.environ.get("SMOLCORD_SWARM_CONFIG") or project_root() / "master_swarm_config.yaml")


@dataclass(frozen=True)
class SwarmConfig:
    current_approach: str
    hybrid_threshold: float = 0.7
    generative_model: str = "smollm2-135m"
    intent_head: str = "logreg"


def read_master_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> SwarmConfig:
    """The master config (a tiny YAML subset: `key: value` lines), with the environment's override applied."""
    environment: Mapping[str, str] = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = path or master_config_path()
    if path.exists():
        for line in path.read_text().splitlines():
            match = re.match(r"^([a-z_]+):\s*([^#]*?)\s*(?:#.*)?$", line)
            if match and match.group(2):
                values[match.group(1)] = match.group(2).strip().strip("\"'")
    approach = environment.get(APPROACH_ENV) or values.get("current_approach") or "swarm_architecture"
    if approach not in APPROACHES:
        raise ValueError(f"{APPROACH_ENV or 'current_approach'}={approach!r} is not an approach: use one of {', '.join(APPROACHES)}")
    return SwarmConfig(
        current_approach=approach,
        hybrid_threshold=float(values.get("hybrid_threshold", 0.7)),
        generative_model=str(values.get("generative_model", "smollm2-135m")),
        intent_head=str(values.get("intent_head", "logreg")),
    )


def role_dir(role: str, approach: str = "swarm_architecture") -> Path:
    base = project_root() / "training_approaches" / approach
    return base / role if approach == "swarm_architecture" else base


def head_path(kind: str = "logreg") -> Path:
    trained = role_dir("intent_parser") / "output" / f"intent_head_{kind}.npz"
    if trained.exists():
        return trained
    return SHIPPED_HEAD if kind == "logreg" else PACKAGE_DATA / f"intent_head_{kind}.npz"


def load_head(kind: str = "logreg") -> IntentHead:
    path = head_path(kind)
    if not path.exists():
        raise FileNotFoundError(f"no trained intent head at {path}: run `smolcord swarm train intent_parser`")
    return IntentHead.load(path)
