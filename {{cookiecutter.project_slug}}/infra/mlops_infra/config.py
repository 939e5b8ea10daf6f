"""Stack configuration as the Pulumi CLI hands it to the program, read once from the YAML files.

``load_stack_config(stack)`` reads ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` and returns the
namespaced ``<project>:<key>`` strings the CLI would pass to the program: the project's config
defaults overlaid by the stack file. A stack of a subproject (``infra/<name>/``, see
``SUBPROJECTS``) is read from that folder's files and names its program. ``secure:`` values
cannot be decrypted offline, so they become ``SECURE_PLACEHOLDER`` and are listed as secret keys.
The offline plan and the tests use this; under ``pulumi up`` the CLI does the same and
``mlops_infra.settings`` reads the result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

INFRA_DIR = Path(__file__).resolve().parent.parent
PROJECT_FILE = "Pulumi.yaml"
MAIN_PROGRAM = "infra"
# Pulumi projects of their own under infra/<name>/, sharing this package and infra/.venv.
SUBPROJECTS = ("governance",)
SECURE_PLACEHOLDER = "offline-plan-placeholder"


class ConfigFileError(ValueError):
    """``Pulumi.yaml`` or a stack file is missing or invalid; the message names the file."""


@dataclass(frozen=True)
class Project:
    """``Pulumi.yaml``: the project name and its config declarations, by bare key."""

    name: str
    config: Mapping[str, Any]

    def key(self, name: str) -> str:
        """``<project>:<name>``, or ``name`` itself when it carries a namespace already."""
        return name if ":" in name else f"{self.name}:{name}"

    def defaults(self) -> dict[str, str]:
        """The namespaced values the project gives every stack (``default``, ``value``, plain)."""
        values: dict[str, str] = {}
        for name, declaration in self.config.items():
            if not isinstance(declaration, Mapping):
                values[self.key(name)] = config_string(declaration)
            elif "default" in declaration or "value" in declaration:
                value = declaration.get("default", declaration.get("value"))
                values[self.key(name)] = config_string(value)
        return values


@dataclass(frozen=True)
class StackConfig:
    """One stack's config in the form ``pulumi.runtime.set_all_config`` takes."""

    project: str
    stack: str
    values: Mapping[str, str]
    secret_keys: tuple[str, ...] = ()
    program: str = MAIN_PROGRAM  # ``MAIN_PROGRAM`` or the subproject the stack belongs to


def config_string(value: Any) -> str:
    """A YAML config value as the CLI passes it: booleans lowercase, structures as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _read_mapping(path: Path) -> dict[str, Any]:
    """The top-level mapping of a YAML file (empty file: empty mapping), or a ConfigFileError."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigFileError(f"{path.name}: invalid YAML: {str(exc).splitlines()[0]}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigFileError(f"{path.name}: expected a mapping, got {type(loaded).__name__}")
    return loaded


def _config_section(path: Path, document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``config:`` mapping of a project or stack file (absent: empty)."""
    section = document.get("config") or {}
    if not isinstance(section, Mapping):
        raise ConfigFileError(f"{path.name}: 'config' must be a mapping of keys to values")
    return section


def _project_dirs(infra_dir: Path) -> list[Path]:
    """``infra_dir`` and the subproject folders it holds."""
    return [infra_dir, *(infra_dir / name for name in SUBPROJECTS if (infra_dir / name).is_dir())]


def available_stacks(infra_dir: Path = INFRA_DIR) -> list[str]:
    """The stack names that have a ``Pulumi.<stack>.yaml`` in ``infra_dir`` or a subproject."""
    return sorted(
        path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for directory in _project_dirs(infra_dir)
        for path in directory.glob("Pulumi.*.yaml")
    )


def stack_dir(stack: str, infra_dir: Path = INFRA_DIR) -> Path:
    """The folder of ``stack``'s project: the subproject holding its file, else ``infra_dir``."""
    for directory in _project_dirs(infra_dir)[1:]:
        if (directory / f"Pulumi.{stack}.yaml").is_file():
            return directory
    return infra_dir


def load_project(infra_dir: Path = INFRA_DIR) -> Project:
    """``Pulumi.yaml`` of ``infra_dir``: its name and config declarations."""
    path = infra_dir / PROJECT_FILE
    if not path.is_file():
        raise ConfigFileError(f"{path} not found: run from the infra/ directory")
    document = _read_mapping(path)
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigFileError(f"{path.name}: 'name' must be a non-empty string")
    return Project(name=name, config=_config_section(path, document))


def load_stack_config(stack: str, infra_dir: Path = INFRA_DIR) -> StackConfig:
    """The config the Pulumi CLI would hand the program for ``stack``: defaults, then the stack."""
    directory = stack_dir(stack, infra_dir)
    project = load_project(directory)
    path = directory / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = ", ".join(available_stacks(infra_dir)) or "none"
        raise ConfigFileError(f"{path} not found; available stacks: {stacks}")
    values = project.defaults()
    secret_keys: list[str] = []
    for name, value in _config_section(path, _read_mapping(path)).items():
        key = project.key(str(name))
        if value is None:
            raise ConfigFileError(f"{path.name}: {key} has no value")
        if isinstance(value, Mapping) and "secure" in value:
            values[key] = SECURE_PLACEHOLDER
            secret_keys.append(key)
        else:
            values[key] = config_string(value)
    program = directory.name if directory != infra_dir else MAIN_PROGRAM
    return StackConfig(project.name, stack, values, tuple(secret_keys), program)
