"""The loaded model's structure, checked before its first use: a crafted file fails here.

skops checks which types a file holds, not their values. scikit-learn's tree code trusts its arrays
(no bounds checks in C): a child index past the node array, a feature index past the input's
columns or a node count past the allocation reads outside memory and kills the process. So every
array prediction (and `evaluate`'s feature importances) index with is checked here, on the one
Pipeline shape `lifecycle/pipeline.py` builds (a ColumnTransformer of passthrough, imputed and
one-hot columns, then a random forest). A new step type is refused until a check for it is added
to TRANSFORMS or PREDICTORS below.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.tree._tree import Tree

from {{ cookiecutter.package_name }}.errors import LifecycleError

LEAF = -1  # scikit-learn's TREE_LEAF: a leaf's child indices


class MalformedModelError(Exception):
    """One structural problem of a model; check_model names the file it came from."""


def check_model(pipeline: object, source: str) -> None:
    """Refuse a model whose structure could index out of bounds, loop forever or give NaN."""
    try:
        check_pipeline(pipeline)
    except (MalformedModelError, AttributeError, TypeError, ValueError) as exc:
        raise LifecycleError(
            f"{source}: refusing a malformed model ({exc}); the file is corrupt or crafted: "
            "use a model trained by `train` and packaged by `package`"
        ) from None


def check_pipeline(pipeline: Any) -> None:
    """The Pipeline's steps are known types and each one's arrays fit the next one's input."""
    _require(type(pipeline) is Pipeline, f"a {type(pipeline).__name__}, not a Pipeline")
    steps = pipeline.steps
    pairs = isinstance(steps, list) and all(isinstance(s, tuple) and len(s) == 2 for s in steps)
    _require(pairs and len(steps) > 0, "its steps are not a list of (name, model) pairs")
    width = _count(steps[0][1].n_features_in_, "n_features_in_")
    for index, (name, model) in enumerate(steps):
        known = PREDICTORS if index == len(steps) - 1 else TRANSFORMS
        check = known.get(type(model))
        expected = ", ".join(kind.__name__ for kind in known)
        if check is None:
            raise MalformedModelError(
                f"step {name!r} is a {type(model).__name__}, expected {expected}; "
                "a new step type needs its check in model/model_check.py"
            )
        given = _count(model.n_features_in_, f"step {name!r} n_features_in_")
        _require(given == width, f"step {name!r} takes {given} columns, it is given {width}")
        width = check(model, width)


def check_tree(tree: Any, n_features: int, n_outputs: int, n_classes: int = 1) -> None:
    """One fitted tree: node count within its arrays, children later nodes, features in range."""
    _require(type(tree) is Tree, f"tree_ is a {type(tree).__name__}, not a Tree")
    count, capacity = int(tree.node_count), int(tree.capacity)
    _require(1 <= count <= capacity, f"node_count {count} is outside 1..{capacity}")
    _require(tree.n_features == n_features, f"n_features {tree.n_features} is not {n_features}")
    shape = (count, n_outputs, n_classes)
    _require(tree.value.shape == shape, f"value has shape {tree.value.shape}, not {shape}")
    _require(bool(np.isfinite(tree.value).all()), "value holds NaN or infinity")
    left, right = tree.children_left, tree.children_right
    split = left != LEAF
    _first(~split & (right != LEAF), "is a leaf on the left and not on the right")
    later = np.arange(count)
    for side, child in (("left", left), ("right", right)):
        wrong = split & ((child <= later) | (child >= count))
        _first(wrong, f"has {side} child {_at(child, wrong)}, not a later node below {count}")
    feature, threshold = tree.feature, tree.threshold
    outside = split & ((feature < 0) | (feature >= n_features))
    _first(outside, f"splits on feature {_at(feature, outside)}, not in 0..{n_features - 1}")
    infinite = split & ~np.isfinite(threshold)
    _first(infinite, f"has threshold {_at(threshold, infinite)}, not a finite number")


def _imputer(imputer: Any, width: int) -> int:
    """SimpleImputer: one finite statistic per column, no missing-value indicator columns."""
    statistics = imputer.statistics_
    _require(
        isinstance(statistics, np.ndarray) and statistics.shape == (width,),
        f"the imputer's statistics_ do not hold {width} values",
    )
    _require(bool(np.isfinite(statistics).all()), "the imputer's statistics_ hold NaN or infinity")
    _require(imputer.indicator_ is None, "the imputer adds missing-value indicator columns")
    return width


def _forest(forest: Any, width: int) -> int:
    """A random forest: its trees, all fitted on `width` columns with the same outputs."""
    outputs = _count(forest.n_outputs_, "n_outputs_")
    classifier = type(forest) is RandomForestClassifier
    classes = len(forest.classes_) if classifier else 1
    _require(classes >= 1, "the forest has no classes")
    kind = DecisionTreeClassifier if classifier else DecisionTreeRegressor
    trees = forest.estimators_
    _require(
        isinstance(trees, list) and 0 < len(trees) == forest.n_estimators,
        f"estimators_ does not hold n_estimators ({forest.n_estimators}) trees",
    )
    jobs = forest.n_jobs
    cpus = os.cpu_count() or 1
    _require(jobs is None or jobs == -1 or 1 <= _count(jobs, "n_jobs") <= cpus, f"n_jobs={jobs}")
    for index, tree in enumerate(trees):
        try:
            _require(type(tree) is kind, f"a {type(tree).__name__}")
            _require(tree.n_features_in_ == width, f"n_features_in_ is not {width}")
            _require(tree.n_outputs_ == outputs, f"n_outputs_ is not {outputs}")
            check_tree(tree.tree_, width, outputs, classes)
        except MalformedModelError as exc:
            raise MalformedModelError(f"tree {index} of the forest: {exc}") from None
    return outputs


def _columns(transformer: Any, width: int) -> int:
    """ColumnTransformer: known parts over columns within the input; their widths add up."""
    total = 0
    for part in transformer.transformers_:
        _require(isinstance(part, tuple) and len(part) == 3, "a part is not (name, step, columns)")
        name, step, columns = part
        _require(isinstance(columns, list), f"part {name!r} selects columns by a {type(columns)}")
        for column in columns:
            by_position = isinstance(column, int) and not isinstance(column, bool)
            inside = 0 <= column < width if by_position else column in _names(transformer)
            _require(bool(inside), f"part {name!r} selects column {column!r}, not an input")
        if step == "drop":
            continue
        if step == "passthrough":
            total += len(columns)
        elif type(step) in PARTS:
            given = _count(step.n_features_in_, f"part {name!r} n_features_in_")
            _require(given == len(columns), f"part {name!r} takes {given} of {len(columns)}")
            total += PARTS[type(step)](step, given)
        else:
            raise MalformedModelError(f"part {name!r} is a {type(step).__name__}")
    return _count(total, "the columns it outputs")


def _names(transformer: Any) -> set[str]:
    names = getattr(transformer, "feature_names_in_", None)
    return set() if names is None else {str(name) for name in names}


def _identity(step: Any, width: int) -> int:
    """A fitted "passthrough" (scikit-learn stores an identity FunctionTransformer): no code."""
    _require(step.func is None and step.inverse_func is None, "a passthrough that runs code")
    return width


def _one_hot(encoder: Any, width: int) -> int:
    """OneHotEncoder: one list of text categories per column, nothing dropped."""
    categories = encoder.categories_
    _require(isinstance(categories, list) and len(categories) == width, "categories_ mismatch")
    _require(encoder.drop_idx_ is None, "the encoder drops categories")
    _require(all(len(levels) >= 1 for levels in categories), "a column has no category")
    _require(
        all(isinstance(value, str) for levels in categories for value in levels),
        "a category is not text",
    )
    return sum(len(levels) for levels in categories)


Check = Callable[[Any, int], int]  # (fitted step, its input columns) -> its output columns
PARTS: dict[type, Check] = {
    FunctionTransformer: _identity,
    OneHotEncoder: _one_hot,
    SimpleImputer: _imputer,
}
TRANSFORMS: dict[type, Check] = {ColumnTransformer: _columns, SimpleImputer: _imputer}
PREDICTORS: dict[type, Check] = {RandomForestRegressor: _forest, RandomForestClassifier: _forest}


def _require(condition: bool, problem: str) -> None:
    if not condition:
        raise MalformedModelError(problem)


def _count(value: Any, name: str) -> int:
    """A whole number >= 1 (numpy integers too, never a bool)."""
    whole = isinstance(value, int | np.integer) and not isinstance(value, bool)
    _require(whole and int(value) >= 1, f"{name}={value!r} is not a whole number >= 1")
    return int(value)


def _first(wrong: np.ndarray, problem: str) -> None:
    """Name the first node where `wrong` holds."""
    if wrong.any():
        raise MalformedModelError(f"node {int(np.flatnonzero(wrong)[0])} {problem}")


def _at(values: np.ndarray, wrong: np.ndarray) -> object:
    """The value at the first node where `wrong` holds (numpy scalars printed plainly)."""
    return values[np.flatnonzero(wrong)[0]].item() if wrong.any() else None
