"""Crafted model files, written as an attacker would: valid skops archives of the project's
Pipeline whose arrays point outside themselves, and packaged folders holding them."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import skops.io
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.model.folder import read_card, write_card
from {{ cookiecutter.package_name }}.model.model_io import SKOPS_FILE, TRUSTED_TYPES

from .model_fixtures import write_model_dir

FAR = 1 << 40  # an index far past any array: reading it faults
Nodes = Callable[[np.ndarray], None]  # edits tree 0's node records in place


def child_past_the_end(nodes: np.ndarray) -> None:
    """The root's children point far past the node array."""
    nodes["left_child"][0] = nodes["right_child"][0] = FAR


def feature_past_the_end(nodes: np.ndarray) -> None:
    """The root splits on a column the input does not have."""
    nodes["feature"][0] = FAR


def nan_threshold(nodes: np.ndarray) -> None:
    """The root compares with NaN."""
    nodes["threshold"][0] = np.nan


def child_loops_back(nodes: np.ndarray) -> None:
    """The root is its own left child: prediction would never reach a leaf."""
    nodes["left_child"][0] = 0


def load(path: Path) -> Pipeline:
    """Load a skops file without the project's checks (what an attacker starts from)."""
    return skops.io.load(path, trusted=list(TRUSTED_TYPES))


def corrupt_tree(pipeline: Pipeline, edit: Nodes) -> Pipeline:
    """Apply `edit` to the node records of the forest's first tree."""
    tree = pipeline[-1].estimators_[0].tree_
    state: dict[str, Any] = tree.__getstate__()
    nodes = state["nodes"].copy()
    edit(nodes)
    tree.__setstate__({**state, "nodes": nodes})
    return pipeline


def set_node_count(path: Path, count: int) -> None:
    """Rewrite the first tree's node_count inside the skops archive (its nodes stay as they are);
    scikit-learn lowers a count above the node array to its length, but keeps 0 or less."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members["schema.json"])
    node = _first_tree(schema)["content"]["content"]["node_count"]
    node["content"], node["__id__"] = json.dumps(count), 1  # a fresh id: no memoized value
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def crafted_folder(folder: Path, edit: Nodes, node_count: int | None = None) -> Path:
    """A packaged skops-only folder whose tree is corrupted and whose card records the result,
    as an attacker who can rewrite the whole folder would leave it."""
    write_model_dir(folder, with_onnx=False)
    path = folder / SKOPS_FILE
    skops.io.dump(corrupt_tree(load(path), edit), path)
    if node_count is not None:
        set_node_count(path, node_count)
    reseal(folder)
    return folder


def reseal(folder: Path) -> None:
    """Record the folder's current files in its card, as `package` would have."""
    write_card(folder, read_card(folder))


def flip_byte(path: Path, offset: int = -100) -> None:
    """Change one byte of a file (a byte near the end: inside the archive's data)."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _first_tree(schema: object) -> dict:
    """The first Tree node of a skops schema, depth first."""
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("__class__") == "Tree":
                return item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    raise AssertionError("no Tree in the skops schema")
