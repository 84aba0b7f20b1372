"""ROUGE-1, ROUGE-2 and ROUGE-L F1 (lower-cased word tokens, no stemming) for benchmark comparisons."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _f1(overlap: int, candidate: int, reference: int) -> float:
    if overlap == 0 or candidate == 0 or reference == 0:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    grams_c = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
    grams_r = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((grams_c & grams_r).values())
    return _f1(overlap, sum(grams_c.values()), sum(grams_r.values()))


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    return _f1(_lcs(candidate, reference), len(candidate), len(reference))


def rouge(candidate: str, reference: str) -> dict[str, float]:
    """{"rouge1", "rouge2", "rougeL"} F1 scores of `candidate` against `reference`."""
    c, r = tokens(candidate), tokens(reference)
    return {"rouge1": rouge_n(c, r, 1), "rouge2": rouge_n(c, r, 2), "rougeL": rouge_l(c, r)}
