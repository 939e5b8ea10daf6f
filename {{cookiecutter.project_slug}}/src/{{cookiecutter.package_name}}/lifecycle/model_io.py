"""Loading logged models safely: skops with an explicit, code-owned list of trusted types."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from {{ cookiecutter.package_name }}.errors import LifecycleError

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

SKOPS_FILE = "model.skops"
# The only non-default types the Pipeline needs: the forest's trees and the imputer's fitted
# dtype. Anything else in a model file is refused: the list lives in reviewed code, not in the
# (possibly tampered) artifact.
TRUSTED_TYPES: tuple[str, ...] = ("numpy.dtype", "sklearn.tree._tree.Tree")


def untrusted_types(path: Path) -> list[str]:
    """Types in a skops file that are neither skops defaults nor in TRUSTED_TYPES."""
    import skops.io

    return sorted(set(skops.io.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))


def load_skops(path: Path) -> Pipeline:
    """Load a skops file, refusing any type outside the trusted list."""
    refused = untrusted_types(path)
    if refused:
        raise LifecycleError(
            f"{path}: refusing to load untrusted types {', '.join(refused)}; "
            "review them and add them to TRUSTED_TYPES only if they are safe"
        )
    import skops.io

    return skops.io.load(path, trusted=list(TRUSTED_TYPES))


def load_model(model_uri: str) -> Pipeline:
    """Download a logged model (runs:/, models:/ ...) and load it with load_skops."""
    import mlflow

    with tempfile.TemporaryDirectory(prefix="model-") as folder:
        local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=folder))
        path = local / SKOPS_FILE
        if not path.is_file():
            raise LifecycleError(f"{model_uri} has no {SKOPS_FILE}: it was not logged by `train`")
        return load_skops(path)
