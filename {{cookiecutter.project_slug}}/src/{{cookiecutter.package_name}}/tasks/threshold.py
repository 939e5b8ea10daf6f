"""The binary decision threshold: best F1, or least cost, on the validation split.

A row is labelled positive when its positive-class probability is >= the threshold. The
candidates are the distinct predicted probabilities in (0, 1], plus 0.5 (the default): any other
value labels the same rows as one of them. Ties go to the lowest candidate, so the choice is
deterministic.
"""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.package_name }}.errors import LifecycleError

DEFAULT_THRESHOLD = 0.5


def candidates(score: np.ndarray) -> np.ndarray:
    """Distinct thresholds worth trying, ascending: the scores in (0, 1] and 0.5."""
    inside = score[(score > 0) & (score <= 1)]
    return np.unique(np.append(inside, DEFAULT_THRESHOLD))


def confusion_counts(
    is_positive: np.ndarray, score: np.ndarray, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True positives, false positives and false negatives at each threshold."""
    positives, negatives = np.sort(score[is_positive]), np.sort(score[~is_positive])
    true_pos = len(positives) - np.searchsorted(positives, thresholds, side="left")
    false_pos = len(negatives) - np.searchsorted(negatives, thresholds, side="left")
    return true_pos, false_pos, len(positives) - true_pos


def best_threshold(is_positive: np.ndarray, score: np.ndarray, cost_ratio: float | None) -> float:
    """The F1-maximizing threshold, or with `cost_ratio` the one minimizing cost_ratio*FN + FP."""
    is_positive = np.asarray(is_positive, dtype=bool)
    score = np.asarray(score, dtype=np.float64)
    if is_positive.all() or not is_positive.any():
        missing = "positive" if not is_positive.any() else "negative"
        raise LifecycleError(
            f"the validation split has no {missing} rows, so no decision threshold can be "
            "chosen: it needs both classes (more data or a larger validation share)"
        )
    thresholds = candidates(score)
    true_pos, false_pos, false_neg = confusion_counts(is_positive, score, thresholds)
    if cost_ratio is None:
        f1 = 2 * true_pos / (2 * true_pos + false_pos + false_neg)  # never 0/0: positives exist
        return float(thresholds[np.argmax(f1)])  # argmax/argmin: the first (lowest) of ties
    return float(thresholds[np.argmin(cost_ratio * false_neg + false_pos)])
