"""Classification figures: ROC, precision-recall, confusion matrix and calibration.

Each curve is one class against the rest: the positive class for a binary task, every class for
a multiclass task (a class absent from the test rows, or the only one present, has no curve).
With a threshold, the ROC and precision-recall curves mark the operating point it gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    auc,
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_curve,
)

from {{ cookiecutter.package_name }}.contract.schema import Label
from {{ cookiecutter.package_name }}.tasks.figures import new_figure
from {{ cookiecutter.package_name }}.tasks.threshold import confusion_counts

CALIBRATION_BINS = 10


def drawable(actual: np.ndarray, classes: Sequence[Label], shown: Sequence[int]) -> list[int]:
    """The shown classes with both a row of theirs and a row of another class in `actual`."""
    return [i for i in shown if 0 < int(np.sum(actual == classes[i])) < len(actual)]


def operating_point(
    is_class: np.ndarray, score: np.ndarray, threshold: float
) -> tuple[float, float, float]:
    """False positive rate, recall and precision when rows scoring >= threshold are the class."""
    true_pos, false_pos, false_neg = (
        int(count[0]) for count in confusion_counts(is_class, score, np.array([threshold]))
    )
    negatives = len(score) - true_pos - false_neg
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    return false_pos / negatives, true_pos / (true_pos + false_neg), precision


def roc(
    actual: np.ndarray,
    probabilities: np.ndarray,
    classes: Sequence[Label],
    shown: Sequence[int],
    threshold: float | None = None,
) -> Figure:
    """ROC curve of each shown class against the rest, with its area."""
    figure, axes = new_figure(5.5, 5)
    for i in drawable(actual, classes, shown):
        fpr, tpr, _ = roc_curve(actual == classes[i], probabilities[:, i])
        axes.plot(fpr, tpr, label=f"{classes[i]} (AUC {auc(fpr, tpr):.3f})")
        if threshold is not None:
            fpr_at, recall_at, _ = operating_point(
                actual == classes[i], probabilities[:, i], threshold
            )
            axes.plot(fpr_at, recall_at, "o", color="black", label=f"threshold {threshold:.3g}")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    axes.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curve (test)")
    axes.legend(loc="lower right")
    return figure


def precision_recall(
    actual: np.ndarray,
    probabilities: np.ndarray,
    classes: Sequence[Label],
    shown: Sequence[int],
    threshold: float | None = None,
) -> Figure:
    """Precision against recall of each shown class, with its average precision."""
    figure, axes = new_figure(5.5, 5)
    for i in drawable(actual, classes, shown):
        is_class = actual == classes[i]
        precision, recall, _ = precision_recall_curve(is_class, probabilities[:, i])
        average = average_precision_score(is_class, probabilities[:, i])
        axes.plot(recall, precision, label=f"{classes[i]} (average precision {average:.3f})")
        if threshold is not None:
            _, recall_at, precision_at = operating_point(is_class, probabilities[:, i], threshold)
            axes.plot(
                recall_at, precision_at, "o", color="black", label=f"threshold {threshold:.3g}"
            )
    axes.set(xlabel="recall", ylabel="precision", title="Precision-recall curve (test)")
    axes.set(xlim=(0, 1.02), ylim=(0, 1.02))
    axes.legend(loc="lower left")
    return figure


def confusion(
    actual: np.ndarray, predicted: np.ndarray, classes: Sequence[Label], title: str
) -> Figure:
    """Counts of each actual class (rows) predicted as each class (columns)."""
    counts = confusion_matrix(actual, predicted, labels=list(classes))
    size = max(5.0, 0.6 * len(classes) + 3)
    figure, axes = new_figure(size, size)
    image = axes.imshow(counts, cmap="Blues")
    figure.colorbar(image, ax=axes, shrink=0.8)
    names = [str(label) for label in classes]
    axes.set_xticks(range(len(names)), names, rotation=45, ha="right")
    axes.set_yticks(range(len(names)), names)
    darkest = counts.max(initial=0)
    for (row, column), count in np.ndenumerate(counts):
        color = "white" if count > darkest / 2 else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=color)
    axes.set(xlabel="predicted", ylabel="actual", title=title)
    return figure


def calibration(
    actual: np.ndarray, probabilities: np.ndarray, classes: Sequence[Label], shown: Sequence[int]
) -> Figure:
    """Observed share of each shown class against its mean predicted probability, per bin."""
    figure, axes = new_figure(5.5, 5)
    for i in drawable(actual, classes, shown):
        observed, predicted = calibration_curve(
            actual == classes[i], probabilities[:, i], n_bins=CALIBRATION_BINS
        )
        axes.plot(predicted, observed, marker="o", label=str(classes[i]))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    axes.set(
        xlabel="mean predicted probability",
        ylabel="observed share of the class",
        title="Calibration curve (test)",
    )
    axes.legend(loc="upper left")
    return figure
