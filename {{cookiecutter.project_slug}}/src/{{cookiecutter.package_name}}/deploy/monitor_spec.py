"""The drift monitor's lines that follow the contract: the task and the target column.

`pipelines/monitoring/monitor.yml` is written by hand except for two keys: the monitoring
target's `ml_task` (Azure ML knows `regression` and `classification`, binary or multiclass) and
every signal's `data_column_names.target_column`, the column the training split and the collected
`model_outputs` share: the contract's target, the name the online entry script gives the
predictions. Only those lines are rewritten; comments and everything else stay as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import yaml

from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError

PLAIN = re.compile(r"[A-Za-z_][\w .-]*[\w.]|[A-Za-z_]")


def ml_task(contract: Contract) -> str:
    """The monitoring target's ml_task for the contract's task."""
    return "classification" if contract.is_classification else "regression"


def yaml_scalar(text: str) -> str:
    """`text` as a YAML value: plain when YAML reads it back unchanged, else double-quoted."""
    if PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text)


def _key_line(key: str) -> re.Pattern[str]:
    """A `key: value` line (not a comment), keeping its indent and any trailing comment."""
    value = r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^#\n]*?"  # double-quoted, single-quoted, plain
    return re.compile(rf"^(?P<lead>[ \t]*{key}:[ \t]*)(?:{value})(?P<rest>[ \t]+#.*)?$", re.M)


def monitor_text(contract: Contract, current: str, source: str) -> str:
    """The monitor spec `current` with its contract-dependent lines set from `contract`."""
    text = current
    for key, value in (
        ("ml_task", ml_task(contract)),
        ("target_column", yaml_scalar(contract.target.column)),
    ):
        text, count = _key_line(key).subn(_setter(value), text)
        if count == 0:
            raise LifecycleError(
                f"{source} has no `{key}:` line to set: restore the file from the template"
            )
    return text


def _setter(value: str) -> Callable[[re.Match[str]], str]:
    """A substitution that sets a matched `key: value` line's value, keeping its comment."""
    return lambda match: match["lead"] + value + (match["rest"] or "")
