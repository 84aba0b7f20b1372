"""all-MiniLM-L6-v2 sentence embeddings in plain numpy: no torch import, weights memory-mapped.

Why not transformers: importing torch costs seconds at start and ~300 MB resident; this forward pass is the
same BERT arithmetic (checked against transformers in tests/test_swarm_encoder.py) and, because the
safetensors file is memory-mapped, only the embedding rows of tokens actually seen are ever read from
the 47 MB vocabulary table.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np

MAX_TOKENS = 128
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file as a read-only memory-mapped numpy array."""
    with open(path, "rb") as handle:
        (header_len,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(header_len))
    base = 8 + header_len
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        dtype = _DTYPES[meta["dtype"]]
        tensors[name] = mapped[base + start : base + end].view(dtype).reshape(meta["shape"])
    return tensors


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and BERT's GELU is the exact one.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLMEncoder:
    """Mean-pooled, L2-normalised sentence embeddings (384 dimensions) from a sentence-transformers BERT folder."""

    def __init__(self, folder: str | Path) -> None:
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.layers = int(config["num_hidden_layers"])
        self.dim = int(config["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        weights = read_safetensors(folder / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.w = {name[len(prefix) :]: value for name, value in weights.items()}
        # Nothing is copied: products use transposed views of the mapped matrices (BLAS reads them as they
        # lie), so the resident weights are the ~43 MB of layers plus the vocabulary rows of tokens seen.
        self._t = {name: value.T for name, value in self.w.items() if value.ndim == 2 and "embeddings" not in name}

    def _encode_one(self, ids: list[int]) -> np.ndarray:
        w = self.w
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids].astype(np.float32)
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        head_dim = self.dim // self.heads
        scale = 1.0 / math.sqrt(head_dim)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            a = p + "attention.self."
            q, k, v = (
                (x @ self._t[a + part + ".weight"] + w[a + part + ".bias"]).reshape(n, self.heads, head_dim).transpose(1, 0, 2)
                for part in ("query", "key", "value")
            )
            scores = (q @ k.transpose(0, 2, 1)) * scale
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(1, 0, 2).reshape(n, self.dim)
            attn = context @ self._t[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            x = _layer_norm(attn + x, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps)
            hidden = _gelu(x @ self._t[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            out = hidden @ self._t[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(out + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        pooled = x.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-9)

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text; one sentence at a time (no padding work: requests are short, batch size is 1)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        return np.stack([self._encode_one(e.ids) for e in encodings]).astype(np.float32)


def limit_blas_threads(count: int = 1) -> bool:
    """Run numpy's OpenBLAS on `count` threads; True when it could be set.

    Why: a sentence is a handful of tiny matrix products, and OpenBLAS's worker threads spin-wait for each
    one: on a busy 2-core machine one product took 8-11 ms with its default threads and 0.36 ms on one.
    """
    import ctypes
    import glob

    libs_dir = Path(np.__file__).parent.parent / "numpy.libs"
    done = False
    for path in glob.glob(str(libs_dir / "*openblas*.so*")):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(lib, symbol, None)
            if setter is not None:
                setter(ctypes.c_int(count))
                done = True
                break
    return done
