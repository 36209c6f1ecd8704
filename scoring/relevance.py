"""Rank short documents by relevance to a query (Okapi BM25 on scoring.text tokens, zh and en)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from scoring.text import normalize, tokens

BM25_K1 = 1.2
BM25_B = 0.75


def bm25_scores(query: str, documents: Sequence[str]) -> list[float]:
    """BM25 score of each document for the query's distinct tokens.

    score(D) = sum_t idf(t) f(t, D) (k1 + 1) / (f(t, D) + k1 (1 - b + b |D| / avgdl)),
    idf(t) = ln(1 + (N - n_t + 0.5) / (n_t + 0.5)); k1 = 1.2, b = 0.75. Chinese text is
    tokenised into characters and bigrams, so no word segmenter is needed.
    """
    bags = [Counter(tokens(normalize(doc))) for doc in documents]
    if not bags:
        return []
    lengths = [sum(bag.values()) for bag in bags]
    average = sum(lengths) / len(bags) or 1.0
    terms = set(tokens(normalize(query)))
    df = {t: sum(1 for bag in bags if t in bag) for t in terms}
    scores = []
    for bag, length in zip(bags, lengths, strict=True):
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
        total = 0.0
        for t in terms:
            f = bag.get(t, 0)
            if f:
                idf = math.log(1 + (len(bags) - df[t] + 0.5) / (df[t] + 0.5))
                total += idf * f * (BM25_K1 + 1) / (f + norm)
        scores.append(total)
    return scores


def rank(query: str, documents: Sequence[str], limit: int = 5) -> list[int]:
    """Indexes of the documents that share anything with the query, best first (ties by index)."""
    scores = bm25_scores(query, documents)
    order = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i))
    return order[: max(0, limit)]
