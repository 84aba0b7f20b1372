"""The intent parser: a request's words -> which command (or chat, or help), with a calibrated confidence.

Features: the all-MiniLM-L6-v2 sentence embedding (meaning, paraphrases, other languages somewhat)
next to hashed word and character n-grams (exact command words, typos). Head: multinomial logistic
regression in numpy, class-balanced, with a temperature fitted on held-out templates so the reported
probability means what it says; below `threshold` the request is chat. A nearest-neighbour head over the
same embeddings is kept for the comparison in BENCHMARKS.md.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agents.swarm.commands import INTENTS

HASH_DIM = 2048
NGRAM_WEIGHT = 0.8


def ngram_features(texts: Sequence[str]) -> np.ndarray:
    """Hashed word uni/bigrams and character 3-5-grams, L2-normalised per text."""
    out = np.zeros((len(texts), HASH_DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        words = re.findall(r"[\w'#@/-]+", text.lower())
        grams = [f"w:{w}" for w in words] + [f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        padded = f" {' '.join(words)} "
        grams += [f"c:{padded[i : i + n]}" for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
        for gram in grams:
            out[row, zlib.crc32(gram.encode()) % HASH_DIM] += 1.0
        norm = np.linalg.norm(out[row])
        if norm:
            out[row] /= norm
    return out


def features(embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    return np.hstack([embeddings, NGRAM_WEIGHT * ngram_features(texts)]).astype(np.float32)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


@dataclass
class IntentHead:
    kind: str  # "logreg" or "knn"
    labels: tuple[str, ...]
    weights: np.ndarray  # logreg: (features+1, classes); knn: the training feature rows
    temperature: float = 1.0
    threshold: float = 0.5
    knn_labels: np.ndarray | None = None

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "knn":
            sims = x @ self.weights.T  # rows are unit-ish vectors: cosine-like
            probs = np.zeros((len(x), len(self.labels)), dtype=np.float32)
            for c in range(len(self.labels)):
                mask = np.asarray(self.knn_labels) == c
                probs[:, c] = sims[:, mask].max(1) if mask.any() else -1.0
            return _softmax(probs / self.temperature)
        logits = np.hstack([x, np.ones((len(x), 1), dtype=np.float32)]) @ self.weights
        return _softmax(logits / self.temperature)

    def predict(self, x: np.ndarray) -> list[tuple[str, float, dict[str, float]]]:
        probs = self.probabilities(x)
        out = []
        for row in probs:
            best = int(row.argmax())
            top = {self.labels[i]: float(row[i]) for i in np.argsort(-row)[:3]}
            out.append((self.labels[best], float(row[best]), top))
        return out

    def save(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            kind=self.kind,
            labels=np.array(self.labels),
            weights=self.weights.astype(np.float16 if self.kind == "knn" else np.float32),
            temperature=self.temperature,
            threshold=self.threshold,
            knn_labels=self.knn_labels if self.knn_labels is not None else np.zeros(0, dtype=np.int32),
        )

    @classmethod
    def load(cls, path: str | Path) -> IntentHead:
        data = np.load(path, allow_pickle=False)
        kind = str(data["kind"])
        return cls(
            kind=kind,
            labels=tuple(str(x) for x in data["labels"]),
            weights=data["weights"].astype(np.float32),
            temperature=float(data["temperature"]),
            threshold=float(data["threshold"]),
            knn_labels=data["knn_labels"] if kind == "knn" else None,
        )


def train_logreg(
    x: np.ndarray, y: np.ndarray, classes: int, *, l2: float = 1e-4, steps: int = 400, lr: float = 0.05, seed: int = 0
) -> np.ndarray:
    """Class-balanced multinomial logistic regression by full-batch Adam (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    xb = np.hstack([x, np.ones((len(x), 1), dtype=np.float32)])
    w = rng.normal(0, 0.01, (xb.shape[1], classes)).astype(np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y]
    counts = np.bincount(y, minlength=classes).astype(np.float32)
    sample_w = (len(y) / (classes * np.maximum(counts, 1)))[y][:, None]
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):
        p = _softmax(xb @ w)
        grad = xb.T @ ((p - onehot) * sample_w) / len(y) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def fit_temperature(head: IntentHead, x: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises held-out negative log-likelihood (a grid: cheap and monotone enough)."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.05), np.log(5.0), 60)):
        head.temperature = float(t)
        p = head.probabilities(x)
        nll = float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-9, 1)).mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    head.temperature = best_t
    return best_t


def fit_threshold(head: IntentHead, x: np.ndarray, y: np.ndarray, chat_index: int) -> float:
    """The lowest confidence at which a command runs: a false command on small talk counts three times a miss."""
    probs = head.probabilities(x)
    best, best_cost = 0.5, float("inf")
    for threshold in np.linspace(0.2, 0.9, 36):
        pred = probs.argmax(1)
        pred = np.where(probs.max(1) < threshold, chat_index, pred)
        false_command = ((y == chat_index) & (pred != chat_index)).sum()
        missed = ((y != chat_index) & (pred != y)).sum()
        cost = 3 * false_command + missed
        if cost < best_cost:
            best, best_cost = float(threshold), cost
    head.threshold = best
    return best


def train_head(
    texts: Sequence[str],
    labels: Sequence[str],
    calibration: tuple[Sequence[str], Sequence[str]],
    embed: Callable[[list[str]], np.ndarray],
    *,
    kind: str = "logreg",
) -> IntentHead:
    """Fit on `texts`, calibrate temperature and chat threshold on `calibration` (other templates), refit on both."""
    index = {label: i for i, label in enumerate(INTENTS)}
    x = features(embed(list(texts)), texts)
    y = np.array([index[label] for label in labels])
    cal_texts, cal_labels = calibration
    xc = features(embed(list(cal_texts)), cal_texts)
    yc = np.array([index[label] for label in cal_labels])
    head = _fit(kind, x, y)
    fit_temperature(head, xc, yc)
    fit_threshold(head, xc, yc, index["chat"])
    final = _fit(kind, np.vstack([x, xc]), np.concatenate([y, yc]))
    final.temperature, final.threshold = head.temperature, head.threshold
    return final


def _fit(kind: str, x: np.ndarray, y: np.ndarray) -> IntentHead:
    if kind == "knn":
        return IntentHead("knn", INTENTS, x.copy(), knn_labels=y.astype(np.int32))
    return IntentHead("logreg", INTENTS, train_logreg(x, y, len(INTENTS)))
