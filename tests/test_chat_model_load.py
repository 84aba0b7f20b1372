"""Loading a model (the chat model here, through the real ModelManager) prints no progress bars: the bot's log and
a command's output are read by people."""

from __future__ import annotations

import os

from transformers.utils import logging as hf_logging

from tests.fixtures.models import model_manager_with

os.environ.setdefault("HF_HUB_OFFLINE", "1")


async def test_loading_a_model_prints_no_progress_bar(tmp_path, tiny_llama_dir, capfd):
    hf_logging.enable_progress_bar()  # as a fresh process starts; an earlier load in this one switched them off
    models = model_manager_with(tmp_path, {"text_generation": {"llama": tiny_llama_dir}})
    try:
        capfd.readouterr()
        loaded = await models.get("text_generation", "llama")
        out, err = capfd.readouterr()
    finally:
        await models.close()
    assert loaded.model is not None
    assert "Loading weights" not in err and "%|" not in err and "it/s" not in err, err
    assert not out.strip()
