"""Figures every task shares: a new figure, feature importance, and the one way to close one."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.pipeline import Pipeline

MOST_IMPORTANT = 20  # bars drawn at most: one-hot encoding can make hundreds of features


def new_figure(width: float = 6, height: float = 4.5) -> tuple[Figure, Axes]:
    """A figure with one set of axes, drawn off-screen; release it with `close`."""
    figure, axes = plt.subplots(figsize=(width, height), layout="constrained")
    return figure, axes


def close(figure: Figure) -> None:
    """Release a figure's memory (every figure of this package is closed through here)."""
    plt.close(figure)


def model_feature_names(pipeline: Pipeline) -> list[str]:
    """The names of the columns the final estimator sees, after encoding and imputation."""
    if len(pipeline) > 1:
        return [str(name) for name in pipeline[:-1].get_feature_names_out()]
    return [str(name) for name in pipeline[-1].feature_names_in_]


def feature_importance(pipeline: Pipeline) -> Figure:
    """Impurity-based importance of the (at most 20) most important model inputs."""
    importances = np.asarray(pipeline[-1].feature_importances_, dtype=float)
    names = model_feature_names(pipeline)
    order = np.argsort(importances, kind="stable")[-MOST_IMPORTANT:]
    figure, axes = new_figure(7, max(3.0, 0.3 * len(order) + 1.5))
    axes.barh([names[i] for i in order], importances[order])
    shown = f"top {len(order)} of {len(names)}" if len(names) > len(order) else "all inputs"
    axes.set(xlabel="importance", ylabel="model input", title=f"Feature importance ({shown})")
    return figure
