"""The model as served: ONNX Runtime when an ONNX file is packaged, else the skops Pipeline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from {{ cookiecutter.package_name }}.errors import LifecycleError, first_line
from {{ cookiecutter.package_name }}.features import FEATURES
from {{ cookiecutter.package_name }}.lifecycle.digests import check_folder, folder_sha256
from {{ cookiecutter.package_name }}.lifecycle.model_io import SKOPS_FILE, load_skops

ONNX_FILE = "model.onnx"
CARD_FILE = "model_card.json"
# What ONNX Runtime raises for a file it cannot load or a graph that fails on a row of zeros.
ONNX_ERRORS = (
    "Fail",
    "InvalidArgument",
    "InvalidGraph",
    "InvalidProtobuf",
    "NoSuchFile",
    "NotImplemented",
    "RuntimeException",
)


@dataclass(frozen=True)
class ModelCard:
    """What is being served: registry name and version, runtime, input columns, files' SHA-256,
    the task, its classes and the binary decision threshold."""

    name: str
    version: str
    runtime: str = "skops"
    features: tuple[str, ...] = FEATURES
    sha256: Mapping[str, str] = field(default_factory=dict)
    task: str = "regression"
    classes: tuple[str | int, ...] = ()
    threshold: float | None = None
    fairness: Mapping[str, object] | None = None  # evaluate's groups and gap, when it ran

    def to_json(self) -> str:
        """The card as JSON, for model_card.json."""
        return json.dumps(asdict(self), indent=2) + "\n"


class ServingModel(Protocol):
    """Anything that turns a float32 feature matrix into one prediction per row."""

    card: ModelCard

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Predict for an (n_rows, n_features) float32 matrix; returns n_rows float64 values."""
        ...


class OnnxModel:
    """One ONNX Runtime session per process, single-threaded for the lowest latency per call."""

    def __init__(self, path: Path, card: ModelCard, threads: int = 1) -> None:
        import onnxruntime as ort
        from onnxruntime.capi import onnxruntime_pybind11_state as state

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        errors = tuple(getattr(state, name) for name in ONNX_ERRORS)
        try:  # ONNX Runtime checks the tree attributes here; a bad feature index fails a run
            self._session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except errors as exc:
            raise refused(path, exc) from None
        self._input = self._session.get_inputs()[0].name
        self.card = card
        warm_up(self, path, errors)

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Run the session; ONNX returns (n, 1) float32, callers get (n,) float64."""
        output = self._session.run(None, {self._input: matrix})[0]
        return output.reshape(-1).astype(np.float64)


class SkopsModel:
    """The scikit-learn Pipeline itself (types and structure checked), for models without ONNX."""

    def __init__(self, path: Path, card: ModelCard) -> None:
        self._pipeline = load_skops(path)
        self.card = card
        warm_up(self, path, (ValueError, TypeError, KeyError, IndexError, AttributeError))

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Predict through the Pipeline on a frame with the training column names."""
        import pandas as pd

        frame = pd.DataFrame(matrix, columns=list(self.card.features))
        return np.asarray(self._pipeline.predict(frame), dtype=np.float64)


def warm_up(model: ServingModel, path: Path, errors: tuple[type[Exception], ...]) -> None:
    """Predict one row of zeros, so a model that cannot serve is refused when it loads."""
    try:
        model.predict(np.zeros((1, len(model.card.features)), dtype=np.float32))
    except errors as exc:
        raise refused(path, exc) from None


def refused(path: Path, exc: Exception) -> LifecycleError:
    """One line naming the model file and the first line of what its runtime said."""
    return LifecycleError(
        f"{path}: refusing a model that does not load or predict ({first_line(exc)})"
    )


def read_card(model_dir: Path) -> ModelCard:
    """Read model_card.json from a packaged model folder."""
    path = model_dir / CARD_FILE
    if not path.is_file():
        raise LifecycleError(f"{model_dir} has no {CARD_FILE}: package the model with `package`")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        sha256 = raw.get("sha256") or {}
        texts = [*sha256, *sha256.values()] if isinstance(sha256, dict) else [None]
        if not all(isinstance(text, str) for text in texts):
            raise TypeError("sha256 must map file names to hex digests")
        features, classes = tuple(raw["features"]), tuple(raw.get("classes") or ())
        threshold = raw.get("threshold")
        return ModelCard(
            raw["name"],
            str(raw["version"]),
            raw["runtime"],
            features,
            sha256,
            str(raw.get("task", "regression")),
            classes,
            None if threshold is None else float(threshold),
            raw.get("fairness"),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LifecycleError(
            f"{path}: not a model card ({first_line(exc)}); package the model again with `package`"
        ) from None


def write_card(folder: Path, card: ModelCard) -> ModelCard:
    """Record the SHA-256 of every file in a packaged folder in its card, and write the card."""
    sealed = replace(card, sha256=folder_sha256(folder, skip=CARD_FILE))
    (folder / CARD_FILE).write_text(sealed.to_json(), encoding="utf-8")
    return sealed


def find_model_dir(root: Path) -> Path:
    """The packaged model folder: `root` itself or its one subfolder that holds a card."""
    if (root / CARD_FILE).is_file():
        return root
    cards = sorted([*root.glob(f"*/{CARD_FILE}"), *root.glob(f"*/*/{CARD_FILE}")])
    if len(cards) != 1:
        raise FileNotFoundError(f"expected one {CARD_FILE} under {root}, found {len(cards)}")
    return cards[0].parent


def load_model_dir(model_dir: Path, prefer_onnx: bool = True) -> ServingModel:
    """Load a packaged model folder: ONNX when present and preferred, else the skops Pipeline.

    Every file the card records must match its SHA-256 before any model file is read.
    """
    card = read_card(model_dir)
    use_onnx = prefer_onnx and (model_dir / ONNX_FILE).is_file()
    if not use_onnx and not (model_dir / SKOPS_FILE).is_file():
        raise LifecycleError(f"{model_dir} has neither {ONNX_FILE} nor {SKOPS_FILE}")
    name = ONNX_FILE if use_onnx else SKOPS_FILE
    check_folder(model_dir, card.sha256, str(model_dir / CARD_FILE), name)
    if use_onnx:
        return OnnxModel(model_dir / ONNX_FILE, ModelCard(card.name, card.version, "onnx"))
    return SkopsModel(model_dir / SKOPS_FILE, ModelCard(card.name, card.version, "skops"))
