"""The packaged model folder: its card, its data contract, and the model as served.

A folder holds model.skops (and model.onnx once exported), contract.yaml (the data contract the
model was trained under) and model_card.json, which records the SHA-256 of every other file.
`load_model_dir` checks every recorded file before it reads any, reads the contract, loads the
model (ONNX Runtime when a graph is packaged, else the scikit-learn Pipeline) and predicts one
valid row, so a model that cannot serve is refused when it loads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE, load_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract, Label
from {{ cookiecutter.package_name }}.errors import LifecycleError, first_line
from {{ cookiecutter.package_name }}.model.digests import check_folder, folder_sha256
from {{ cookiecutter.package_name }}.model.model_io import SKOPS_FILE
from {{ cookiecutter.package_name }}.model.onnx_model import OnnxModel
from {{ cookiecutter.package_name }}.model.runtime import SkopsModel

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.contract.inputs import Features
    from {{ cookiecutter.package_name }}.tasks.base import Prediction

ONNX_FILE = "model.onnx"
CARD_FILE = "model_card.json"
REPACKAGE = "package the model again with `package`"


@dataclass(frozen=True)
class ModelCard:
    """What is being served: registry name and version, runtime, input columns, files' SHA-256,
    the task, its classes and the binary decision threshold."""

    name: str
    version: str
    runtime: str = "skops"
    features: tuple[str, ...] = ()
    sha256: Mapping[str, str] = field(default_factory=dict)
    task: str = "regression"
    classes: tuple[Label, ...] = ()
    threshold: float | None = None
    fairness: Mapping[str, object] | None = None  # evaluate's groups and gap, when it ran

    def to_json(self) -> str:
        """The card as JSON, for model_card.json."""
        return json.dumps(asdict(self), indent=2) + "\n"


class ServingModel(Protocol):
    """A model read with its contract: validated Features in, one Prediction per row out."""

    contract: Contract
    card: ModelCard

    def predict(self, features: Features) -> Prediction:
        """Values (regression) or labels and class probabilities in contract order, per row."""
        ...


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

    Every file the card records must match its SHA-256 before any file is read; the model file
    and contract.yaml must be among them.
    """
    card = read_card(model_dir)
    use_onnx = prefer_onnx and (model_dir / ONNX_FILE).is_file()
    if not use_onnx and not (model_dir / SKOPS_FILE).is_file():
        raise LifecycleError(f"{model_dir} has neither {ONNX_FILE} nor {SKOPS_FILE}")
    name = ONNX_FILE if use_onnx else SKOPS_FILE
    record = str(model_dir / CARD_FILE)
    check_folder(model_dir, card.sha256, record, name)  # every recorded file matches
    # ... and the contract is among them, not only present (check_folder refuses it unrecorded)
    recorded = {path: digest for path, digest in card.sha256.items() if path == CONTRACT_FILE}
    check_folder(model_dir, recorded, record, CONTRACT_FILE)
    contract = load_contract(model_dir / CONTRACT_FILE)
    check_card(card, contract, record)
    if use_onnx:
        return OnnxModel(model_dir / ONNX_FILE, contract, replace(card, runtime="onnx"))
    return SkopsModel(model_dir / SKOPS_FILE, contract, replace(card, runtime="skops"))


def check_card(card: ModelCard, contract: Contract, record: str) -> None:
    """The card describes the model the contract does: same task, classes and features."""
    pairs = (
        ("task", card.task, contract.task),
        ("classes", card.classes, contract.target.classes),
        ("features", card.features, contract.feature_names),
    )
    for key, carded, contracted in pairs:
        if carded != contracted:
            raise LifecycleError(
                f"{record}: its {key} {_shown(carded)} are not the {key} of its {CONTRACT_FILE} "
                f"{_shown(contracted)}; {REPACKAGE}"
            )


def _shown(value: object) -> str:
    text = json.dumps(list(value) if isinstance(value, tuple) else value)
    return text if len(text) <= 80 else text[:77] + "..."
