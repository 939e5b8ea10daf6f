"""Data sets bundled with scikit-learn, named `sklearn:<name>` in mlops.toml's [data] source."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from {{ cookiecutter.package_name }}.errors import LifecycleError


def _diabetes() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame


def _breast_cancer() -> pd.DataFrame:
    """Features and the diagnosis as text: `malignant` or `benign`."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    frame = data.frame
    frame["target"] = [str(data.target_names[code]) for code in frame["target"]]
    return frame


BUNDLED: dict[str, Callable[[], pd.DataFrame]] = {
    "sklearn:diabetes": _diabetes,
    "sklearn:breast_cancer": _breast_cancer,
}


def load_bundled(source: str) -> pd.DataFrame:
    """The named bundled data set, or an error listing those that exist."""
    loader = BUNDLED.get(source)
    if loader is None:
        raise LifecycleError(f"unknown data set {source!r}; bundled: {', '.join(BUNDLED)}")
    return loader()
