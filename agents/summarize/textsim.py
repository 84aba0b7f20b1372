"""Cheap lexical similarity (bags of content words, TF-IDF, cosine) for segmentation, ranking and attribution."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9][a-z0-9'_-]*[a-z0-9]|[a-z0-9]")

# Function words and chat filler carry no topic; dropping them is what makes lexical
# similarity mean "talking about the same thing".
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "can't",
        "cannot",
        "could",
        "couldn't",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "hadn't",
        "has",
        "hasn't",
        "have",
        "haven't",
        "having",
        "he",
        "he'd",
        "he'll",
        "he's",
        "her",
        "here",
        "here's",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "how's",
        "i",
        "i'd",
        "i'll",
        "i'm",
        "i've",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "let's",
        "me",
        "more",
        "most",
        "mustn't",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "shan't",
        "she",
        "she'd",
        "she'll",
        "she's",
        "should",
        "shouldn't",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "there's",
        "these",
        "they",
        "they'd",
        "they'll",
        "they're",
        "they've",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "wasn't",
        "we",
        "we'd",
        "we'll",
        "we're",
        "we've",
        "were",
        "weren't",
        "what",
        "what's",
        "when",
        "when's",
        "where",
        "where's",
        "which",
        "while",
        "who",
        "who's",
        "whom",
        "why",
        "why's",
        "will",
        "with",
        "won't",
        "would",
        "wouldn't",
        "you",
        "you'd",
        "you'll",
        "you're",
        "you've",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "yes",
        "yeah",
        "yep",
        "nope",
        "ok",
        "okay",
        "oh",
        "ah",
        "uh",
        "um",
        "hmm",
        "lol",
        "lmao",
        "haha",
        "hahaha",
        "thanks",
        "thank",
        "thx",
        "pls",
        "please",
        "hey",
        "hi",
        "hello",
        "like",
        "get",
        "got",
        "go",
        "going",
        "gonna",
        "wanna",
        "think",
        "know",
        "really",
        "well",
        "sure",
        "right",
        "one",
        "two",
        "also",
        "still",
        "even",
        "much",
        "many",
        "something",
        "anything",
        "thing",
        "things",
        "way",
        "lot",
        "bit",
        "maybe",
        "probably",
        "actually",
        "though",
        "say",
        "said",
        "see",
    ]
)


def words(text: str) -> list[str]:
    """Lower-cased content words with a crude plural strip, so `tests` and `test` match."""
    found = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS or len(word) < 2 or word.isdigit():
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.append(word)
    return found


SparseVector = dict[str, float]


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    if dot == 0.0:
        return 0.0
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


class TfIdf:
    """TF-IDF weights fitted on one window's messages (document frequency counted per message)."""

    def __init__(self, documents: Sequence[Sequence[str]]):
        self.documents = len(documents)
        frequency: Counter[str] = Counter()
        for tokens in documents:
            frequency.update(set(tokens))
        self._idf = {term: math.log((1 + self.documents) / (1 + count)) + 1.0 for term, count in frequency.items()}
        self._unknown_idf = math.log(1 + self.documents) + 1.0

    def vector(self, tokens: Sequence[str]) -> SparseVector:
        counts = Counter(tokens)
        vector = {term: (1.0 + math.log(count)) * self._idf.get(term, self._unknown_idf) for term, count in counts.items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        return {term: w / norm for term, w in vector.items()} if norm else {}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two already unit-length sparse vectors (their cosine)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())


def similarity_matrix(vectors: Sequence[Mapping[str, float]]) -> np.ndarray:
    size = len(vectors)
    matrix = np.zeros((size, size), dtype=np.float64)
    for i in range(size):
        for j in range(i + 1, size):
            value = dot(vectors[i], vectors[j])
            if value:
                matrix[i, j] = matrix[j, i] = value
    return matrix


def textrank(matrix: np.ndarray, damping: float = 0.85, iterations: int = 50) -> np.ndarray:
    """PageRank over a similarity graph: how central each item is to the rest."""
    size = matrix.shape[0]
    if size == 0:
        return np.zeros(0)
    if size == 1:
        return np.ones(1)
    weights = matrix.sum(axis=1)
    # An item similar to nothing links to everything equally, so rank mass is never lost.
    transition = np.where(weights[:, None] > 0, matrix / np.where(weights > 0, weights, 1.0)[:, None], 1.0 / size)
    scores = np.full(size, 1.0 / size)
    for _ in range(iterations):
        updated = (1 - damping) / size + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-9:
            scores = updated
            break
        scores = updated
    return scores
