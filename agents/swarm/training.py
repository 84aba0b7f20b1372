"""CPU training of what fits on a CPU: the intent parser's heads over MiniLM embeddings (seconds)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from agents.swarm import data
from agents.swarm.intents import IntentHead, train_head


def calibration_split(examples: list[data.Example], every: int = 5) -> tuple[list[data.Example], list[data.Example]]:
    """Training templates split again by template: every `every`-th template calibrates (never fits)."""
    templates = sorted({e.template for e in examples})
    held = {t for i, t in enumerate(templates) if i % every == 2}
    return [e for e in examples if e.template not in held], [e for e in examples if e.template in held]


def train_intent_parser(
    embed: Callable[[list[str]], np.ndarray], out_dir: Path, *, kind: str = "logreg", seed: int = data.SEED
) -> tuple[IntentHead, dict]:
    started = time.perf_counter()
    fit, cal = calibration_split(data.examples("train", seed=seed))
    head = train_head([e.text for e in fit], [e.command for e in fit], ([e.text for e in cal], [e.command for e in cal]), embed, kind=kind)
    seconds = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"intent_head_{kind}.npz"
    head.save(path)
    report = {
        "role": "intent_parser",
        "kind": kind,
        "train_rows": len(fit),
        "calibration_rows": len(cal),
        "temperature": head.temperature,
        "threshold": head.threshold,
        "train_seconds": round(seconds, 2),
        "artifact": str(path),
        "artifact_kb": round(path.stat().st_size / 1024, 1),
    }
    (out_dir / f"train_report_{kind}.json").write_text(json.dumps(report, indent=2) + "\n")
    return head, report
