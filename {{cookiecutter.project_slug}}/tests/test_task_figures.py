"""Every task's figures render to PNG with their axes labelled, and each closes through `close`."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from {{ cookiecutter.package_name }}.tasks.base import Prediction
from {{ cookiecutter.package_name }}.tasks.classification import BinaryTask, MulticlassTask
from {{ cookiecutter.package_name }}.tasks.figures import close, feature_importance
from {{ cookiecutter.package_name }}.tasks.regression import RegressionTask

CURVES = {
    "roc.png": ("false positive rate", "true positive rate", "ROC curve (test)"),
    "precision_recall.png": ("recall", "precision", "Precision-recall curve (test)"),
    "calibration.png": (
        "mean predicted probability",
        "observed share of the class",
        "Calibration curve (test)",
    ),
}


def labels_of(figure: Figure) -> tuple[str, str, str]:
    axes = figure.axes[0]
    return axes.get_xlabel(), axes.get_ylabel(), axes.get_title()


def rendered_and_closed(figures: dict[str, Figure]) -> dict[str, tuple[str, str, str]]:
    """Each figure's axis labels and title, after drawing it to PNG and closing it."""
    labels = {}
    for name, figure in figures.items():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        assert buffer.getvalue().startswith(b"\x89PNG"), name
        labels[name] = labels_of(figure)
        close(figure)
        assert not plt.fignum_exists(figure.number), name
    return labels


def legend_of(figure: Figure) -> list[str]:
    legend = figure.axes[0].get_legend()
    return [text.get_text() for text in legend.get_texts()] if legend else []


def cell_counts(figure: Figure) -> list[int]:
    return [int(text.get_text()) for text in figure.axes[0].texts]


def test_regression_draws_predicted_vs_actual_and_residuals() -> None:
    actual = np.array([1.0, 2.0, 3.0, 4.0])
    figures = RegressionTask().figures(actual, Prediction(actual + 0.5), None)
    assert rendered_and_closed(figures) == {
        "predicted_vs_actual.png": ("actual", "predicted", "Predicted vs actual (test)"),
        "residuals.png": ("predicted", "actual - predicted", "Residuals (test)"),
    }


def test_binary_figures_are_of_the_positive_class_at_the_threshold() -> None:
    task = BinaryTask((1, 0), 1)
    actual = np.array([1, 1, 1, 0, 0, 0])
    positive = np.array([0.9, 0.6, 0.3, 0.7, 0.2, 0.1])
    prediction = Prediction(actual, np.column_stack([positive, 1 - positive]))
    at_half, at_high = task.figures(actual, prediction, 0.5), task.figures(actual, prediction, 0.8)
    assert legend_of(at_half["roc.png"])[:2] == ["1 (AUC 0.778)", "threshold 0.5"]
    # rows: actual 1, 0; columns: predicted 1, 0 (contract order)
    assert cell_counts(at_half["confusion_matrix.png"]) == [2, 1, 1, 2]
    assert cell_counts(at_high["confusion_matrix.png"]) == [1, 2, 0, 3]
    ticks = [tick.get_text() for tick in at_half["confusion_matrix.png"].axes[0].get_xticklabels()]
    assert ticks == ["1", "0"]
    rendered_and_closed(at_high)
    assert rendered_and_closed(at_half) == {
        **CURVES,
        "confusion_matrix.png": ("predicted", "actual", "Confusion matrix (test, threshold 0.5)"),
    }


def test_multiclass_draws_one_curve_per_class_in_the_rows() -> None:
    task = MulticlassTask(("c", "a", "b"))
    actual = np.array(["c", "a", "c", "a"])  # "b" is absent: it has no curve
    probabilities = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.1, 0.4], [0.4, 0.5, 0.1]])
    figures = task.figures(actual, Prediction(np.array(["c", "a", "c", "a"]), probabilities), None)
    assert [text.split(" ")[0] for text in legend_of(figures["roc.png"])] == ["c", "a", "chance"]
    assert legend_of(figures["calibration.png"]) == ["c", "a", "perfectly calibrated"]
    assert cell_counts(figures["confusion_matrix.png"]) == [2, 0, 0, 0, 2, 0, 0, 0, 0]
    assert rendered_and_closed(figures) == {
        **CURVES,
        "confusion_matrix.png": ("predicted", "actual", "Confusion matrix (test)"),
    }


def test_feature_importance_names_the_encoded_inputs_and_keeps_the_top_twenty() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"plan": rng.choice([f"p{i}" for i in range(30)], 300), "x": rng.random(300)}
    )
    encode = ColumnTransformer([("category", OneHotEncoder(), ["plan"])], remainder="passthrough")
    model = Pipeline([("encode", encode), ("forest", RandomForestRegressor(5, random_state=0))])
    model.fit(frame, frame["x"] * 2)
    figure = feature_importance(model)
    bars = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    assert len(bars) == 20
    assert bars[-1] == "remainder__x"  # the most important is drawn last (at the top)
    assert all(bar.startswith(("category__plan_", "remainder__")) for bar in bars)
    assert rendered_and_closed({"feature_importance.png": figure}) == {
        "feature_importance.png": ("importance", "model input", "Feature importance (top 20 of 31)")
    }
