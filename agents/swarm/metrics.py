"""Scoring routed turns against expected ones: the figures `smolcord swarm eval` prints side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def score(results: Sequence[tuple[dict[str, Any], dict[str, Any], int]]) -> dict[str, float]:
    """`results`: (expected, routed, turn index) per turn; expected has command, args, clarify (bool)."""
    n = len(results)
    if not n:
        return {}
    cmd = [e["command"] == r["command"] for e, r, _ in results]
    chat_ok = [(e["command"] == "chat") == (r["command"] == "chat") for e, r, _ in results]
    opts = [e["args"] == r["args"] for e, r, _ in results if e["command"] == r["command"] and e["command"] not in ("chat", "help")]
    full = [
        e["command"] == r["command"] and e["args"] == r["args"] and bool(e.get("clarify")) == bool(r.get("clarify")) for e, r, _ in results
    ]
    follow = [f for f, (_, _, i) in zip(full, results, strict=True) if i > 0]
    small_talk = [r["command"] == "chat" for e, r, _ in results if e["command"] == "chat"]
    labels = sorted({e["command"] for e, _, _ in results} | {r["command"] for _, r, _ in results})
    f1s = []
    for label in labels:
        tp = sum(e["command"] == label and r["command"] == label for e, r, _ in results)
        fp = sum(e["command"] != label and r["command"] == label for e, r, _ in results)
        fn = sum(e["command"] == label and r["command"] != label for e, r, _ in results)
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    latencies = [r["timings_ms"].get("orchestrator", 0.0) for _, r, _ in results]
    cpu = [r["timings_ms"].get("cpu", float("nan")) for _, r, _ in results]
    return {
        "turns": n,
        "command_accuracy": float(np.mean(cmd)),
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "chat_vs_command": float(np.mean(chat_ok)),
        "small_talk_kept_chat": float(np.mean(small_talk)) if small_talk else float("nan"),
        "options_exact": float(np.mean(opts)) if opts else float("nan"),
        "full_request": float(np.mean(full)),
        "follow_up": float(np.mean(follow)) if follow else float("nan"),
        "clarification_rate": float(np.mean([bool(r.get("clarify")) for _, r, _ in results])),
        "clarification_expected": float(np.mean([bool(e.get("clarify")) for e, _, _ in results])),
        "p50_ms": float(np.percentile(latencies, 50)),
        "p95_ms": float(np.percentile(latencies, 95)),
        "cpu_p50_ms": float(np.percentile(cpu, 50)),
        "cpu_p95_ms": float(np.percentile(cpu, 95)),
    }


def failures(results: Sequence[tuple[dict[str, Any], dict[str, Any], int]], texts: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for (e, r, i), text in zip(results, texts, strict=True):
        if not (e["command"] == r["command"] and e["args"] == r["args"] and bool(e.get("clarify")) == bool(r.get("clarify"))):
            out.append({"text": text, "turn": i, "expected": e, "got": {k: r[k] for k in ("command", "args", "clarify")}})
    return out
