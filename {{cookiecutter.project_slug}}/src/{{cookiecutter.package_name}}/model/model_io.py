"""Loading logged models safely: skops with an explicit, code-owned list of trusted types, the
structure checked before first use, and the file's SHA-256 checked against the recorded one."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from {{ cookiecutter.package_name }}.errors import LifecycleError, first_line
from {{ cookiecutter.package_name }}.model.digests import (
    MODEL_SHA256_TAG,
    check_sha256,
    file_sha256,
)

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

SKOPS_FILE = "model.skops"
# The only non-default types the Pipeline needs: the forest's trees and the imputer's fitted
# dtype. Anything else in a model file is refused: the list lives in reviewed code, not in the
# (possibly tampered) artifact.
TRUSTED_TYPES: tuple[str, ...] = ("numpy.dtype", "sklearn.tree._tree.Tree")
# What a file that is not a skops archive, or holds inconsistent arrays, raises while loading.
UNREADABLE = (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, MemoryError)


def untrusted_types(path: Path) -> list[str]:
    """Types in a skops file that are neither skops defaults nor in TRUSTED_TYPES."""
    import skops.io

    return sorted(set(skops.io.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))


def load_skops(path: Path) -> Pipeline:
    """Load a skops file: refuse any type outside the trusted list, then any malformed structure."""
    import skops.io

    from {{ cookiecutter.package_name }}.model.model_check import check_model

    try:
        refused = untrusted_types(path)
        if refused:
            raise LifecycleError(
                f"{path}: refusing to load untrusted types {', '.join(refused)}; "
                "review them and add them to TRUSTED_TYPES only if they are safe"
            )
        pipeline = skops.io.load(path, trusted=list(TRUSTED_TYPES))
    except UNREADABLE as exc:
        raise LifecycleError(f"{path}: not a readable skops model ({first_line(exc)})") from None
    check_model(pipeline, str(path))
    return pipeline


def load_model(model_uri: str) -> Pipeline:
    """Download a logged model, check its recorded SHA-256, and load it with load_skops."""
    expected = recorded_sha256(model_uri)
    with downloaded(model_uri) as path:
        fix = "its artifact was altered: train and register the model again"
        check_sha256(path, expected, f"{model_uri}'s {MODEL_SHA256_TAG} tag", fix)
        return load_skops(path)


def logged_sha256(model_uri: str) -> str:
    """SHA-256 of a logged model's skops file as the artifact store holds it."""
    with downloaded(model_uri) as path:
        return file_sha256(path)


def recorded_sha256(model_uri: str) -> str:
    """The SHA-256 tag of models:/<name>/<version> (the version) or models:/<id> (its run)."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    reference = model_uri.removeprefix("models:/")
    name, _, version = reference.partition("/")
    if reference == model_uri or "@" in name:
        raise LifecycleError(f"{model_uri}: load models:/<name>/<version> or models:/<model id>")
    if version:
        tags = client.get_model_version(name, version).tags
    else:
        run_id = client.get_logged_model(reference).source_run_id
        tags = client.get_run(str(run_id)).data.tags
    digest = tags.get(MODEL_SHA256_TAG)
    if not digest:
        raise LifecycleError(
            f"{model_uri} has no {MODEL_SHA256_TAG} tag (logged before model digests were "
            "recorded): train and register the model again"
        )
    return digest


@contextmanager
def downloaded(model_uri: str) -> Iterator[Path]:
    """A logged model's skops file, downloaded into a temporary folder."""
    import mlflow

    with tempfile.TemporaryDirectory(prefix="model-") as folder:
        local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=folder))
        path = local / SKOPS_FILE
        if not path.is_file():
            raise LifecycleError(f"{model_uri} has no {SKOPS_FILE}: it was not logged by `train`")
        yield path
