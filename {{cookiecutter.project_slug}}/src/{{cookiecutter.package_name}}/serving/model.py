"""The model as served: ONNX Runtime when an ONNX file is packaged, else the skops Pipeline."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.features import FEATURES
from {{ cookiecutter.package_name }}.lifecycle.model_io import SKOPS_FILE, load_skops

ONNX_FILE = "model.onnx"
CARD_FILE = "model_card.json"


@dataclass(frozen=True)
class ModelCard:
    """What is being served: registry name and version, runtime, and the input columns."""

    name: str
    version: str
    runtime: str = "skops"
    features: tuple[str, ...] = FEATURES

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

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self.card = card

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Run the session; ONNX returns (n, 1) float32, callers get (n,) float64."""
        output = self._session.run(None, {self._input: matrix})[0]
        return output.reshape(-1).astype(np.float64)


class SkopsModel:
    """The scikit-learn Pipeline itself, for models that have no ONNX export."""

    def __init__(self, path: Path, card: ModelCard) -> None:
        self._pipeline = load_skops(path)
        self.card = card

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Predict through the Pipeline on a frame with the training column names."""
        import pandas as pd

        frame = pd.DataFrame(matrix, columns=list(self.card.features))
        return np.asarray(self._pipeline.predict(frame), dtype=np.float64)


def read_card(model_dir: Path) -> ModelCard:
    """Read model_card.json from a packaged model folder."""
    path = model_dir / CARD_FILE
    if not path.is_file():
        raise LifecycleError(f"{model_dir} has no {CARD_FILE}: package the model with `package`")
    raw = json.loads(path.read_text(encoding="utf-8"))
    return ModelCard(raw["name"], str(raw["version"]), raw["runtime"], tuple(raw["features"]))


def find_model_dir(root: Path) -> Path:
    """The packaged model folder: `root` itself or its one subfolder that holds a card."""
    if (root / CARD_FILE).is_file():
        return root
    cards = sorted([*root.glob(f"*/{CARD_FILE}"), *root.glob(f"*/*/{CARD_FILE}")])
    if len(cards) != 1:
        raise FileNotFoundError(f"expected one {CARD_FILE} under {root}, found {len(cards)}")
    return cards[0].parent


def load_model_dir(model_dir: Path, prefer_onnx: bool = True) -> ServingModel:
    """Load a packaged model folder: ONNX when present and preferred, else the skops Pipeline."""
    card = read_card(model_dir)
    if prefer_onnx and (model_dir / ONNX_FILE).is_file():
        return OnnxModel(model_dir / ONNX_FILE, ModelCard(card.name, card.version, "onnx"))
    if not (model_dir / SKOPS_FILE).is_file():
        raise LifecycleError(f"{model_dir} has neither {ONNX_FILE} nor {SKOPS_FILE}")
    return SkopsModel(model_dir / SKOPS_FILE, ModelCard(card.name, card.version, "skops"))
