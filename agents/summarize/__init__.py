"""Summaries of chat windows that read every message: chunked map-reduce over a local model, cached per chunk.

    summary = await summarize_messages(records, manager=manager, model_key="distilbart", cache=cache)
    summary.bullets[0].text, summary.bullets[0].message_ids, summary.coverage

`model_key="extractive"` needs no model and no manager.
"""

from __future__ import annotations

from agents.summarize.cache import CachedChunk, ChunkCache, InMemoryChunkCache
from agents.summarize.pipeline import (
    TASK,
    PreparedWindow,
    plan_window,
    prepare_window,
    resolve_model,
    split_points,
    summarize_messages,
)
from agents.summarize.render import render_content, render_message, render_messages
from agents.summarize.summary import Bullet, EmptyWindowError, SummarizeError, Summary

__all__ = [
    "TASK",
    "Bullet",
    "CachedChunk",
    "ChunkCache",
    "EmptyWindowError",
    "InMemoryChunkCache",
    "PreparedWindow",
    "Summary",
    "SummarizeError",
    "plan_window",
    "prepare_window",
    "render_content",
    "render_message",
    "render_messages",
    "resolve_model",
    "split_points",
    "summarize_messages",
]
