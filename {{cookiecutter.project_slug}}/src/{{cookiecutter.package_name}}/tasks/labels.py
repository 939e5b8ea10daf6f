"""A fitted classifier's classes, probabilities and labels, in the contract's class order and type.

scikit-learn orders `classes_` by sorting the labels it was fitted on; the contract orders them
as the data owner wrote them. Everything this package hands out (probability columns, labels)
follows the contract, whatever the model's own order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.schema import Label
from {{ cookiecutter.package_name }}.errors import LifecycleError


def label_array(labels: Sequence[Label]) -> np.ndarray:
    """Labels as an array that keeps their type (int64 for integer classes, text otherwise)."""
    return np.asarray(list(labels))


def model_class_index(fitted: Sequence[Any], classes: Sequence[Label]) -> np.ndarray:
    """For each of the model's `classes_`, the index of that class in the contract's order."""
    position = {label: index for index, label in enumerate(classes)}
    unknown = [label for label in fitted if label not in position]
    if unknown:
        raise LifecycleError(
            f"the model predicts classes {[_plain(label) for label in unknown]} that the "
            f"contract's target.classes {list(classes)} do not list: train it on the contract's "
            "labels (same type and spelling as data/contract.yaml)"
        )
    return np.array([position[label] for label in fitted], dtype=np.intp)


def class_probabilities(
    model: Any, frame: pd.DataFrame, classes: Sequence[Label]
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, classes) probabilities in contract order, and each row's most likely class.

    The most likely class is the model's own choice (`classes_[argmax]`, ties broken in the
    model's order, as its `predict` does), given as an index into the contract's classes.
    A contract class the model never saw in training gets probability 0.
    """
    raw = np.asarray(model.predict_proba(frame), dtype=np.float64)
    index = model_class_index(list(model.classes_), classes)
    probabilities = np.zeros((raw.shape[0], len(classes)), dtype=np.float64)
    probabilities[:, index] = raw
    return probabilities, index[np.argmax(raw, axis=1)]


def check_labels(actual: np.ndarray, classes: Sequence[Label]) -> None:
    """Refuse true labels that are not among the contract's classes (wrong type or spelling)."""
    known = set(classes)
    unknown = sorted({str(_plain(label)) for label in pd.unique(actual) if label not in known})
    if unknown:
        raise LifecycleError(
            f"the target holds {unknown} that the contract's target.classes {list(classes)} "
            "do not list: fix the data or add the classes to data/contract.yaml"
        )


def _plain(label: Any) -> Any:
    """A numpy scalar as the Python value it holds (for messages)."""
    return label.item() if isinstance(label, np.generic) else label
