"""Detection and rewrite metrics: counts to scores, Wilson intervals, similarity."""

from __future__ import annotations

import math
import re
from collections import Counter
from difflib import SequenceMatcher

from .report import LabelScore

Z95 = 1.959963984540054  # two-sided 95% normal quantile

PLACEHOLDER = re.compile(r"\[[^\]]*\]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 0) when there is nothing to measure.

    Chosen over the normal approximation because it stays inside [0, 1] and
    behaves at p = 0 or 1 with small counts, which rare labels have.
    """
    if n <= 0:
        return (0.0, 0.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def label_score(tp: int, fp: int, fn: int) -> LabelScore:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LabelScore(
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        support=tp + fn,
        tp=tp,
        fp=fp,
        fn=fn,
        precision_ci=wilson(tp, tp + fp),
        recall_ci=wilson(tp, tp + fn),
        f1_ci=wilson(tp, tp + (fp + fn) / 2),
    )


def tally(counts: Counter, gold: bool, predicted: bool) -> None:
    if gold and predicted:
        counts["tp"] += 1
    elif predicted:
        counts["fp"] += 1
    elif gold:
        counts["fn"] += 1


def normalise_rewrite(text: str) -> str:
    return " ".join(PLACEHOLDER.sub("[x]", text.lower()).split())


def similarity(a: str, b: str) -> float:
    """0-1 character similarity with every placeholder counted as the same token."""
    return SequenceMatcher(None, normalise_rewrite(a), normalise_rewrite(b)).ratio()


def placeholders_and_numbers(text: str) -> tuple[int, int]:
    return len(PLACEHOLDER.findall(text)), len(NUMBER.findall(PLACEHOLDER.sub(" ", text)))
