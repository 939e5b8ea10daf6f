"""Every package the project resolves, from the files that decide it, each with file and line.

Found by content, not by a list of paths: every ``uv.lock``, every conda file (YAML with
``channels:`` and a ``dependencies:`` list), every Azure ML environment (YAML with ``image:``),
every ``Dockerfile`` base image, every ``requirements*.txt`` and MLflow ``python_env.yaml``,
including the packaged model (``build/model``) and MLflow's model artifacts (``mlartifacts``).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from policies.checkov.policy_facts import scoring_image_by_digest

# Generated, vendored or local-state folders: never the project's own declarations.
SKIPPED_DIRS = frozenset(
    {".git", ".venv", ".tools", "build", "mlartifacts", "node_modules", "mlflow.db"}
    | {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
)
MCR = "mcr.microsoft.com/"
CONDA_SPEC = re.compile(r"^(?:(?P<channel>[\w.-]+)::)?(?P<name>[\w.-]+)\s*(?P<spec>.*)$")
EXACT = re.compile(r"^(===?|=)\s*(?P<version>[^\s,*|<>=!]+)$")
OPTIONS = re.compile(r"\s+(?=--)")  # where a requirement line's own options (--hash) start


@dataclass(frozen=True)
class Package:
    """One resolved package: normalized name, exact version (None: unpinned), source, where."""

    name: str
    version: str | None
    source: str
    path: str
    line: int


def _line(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first ``needle`` at or after character ``start`` (1 if absent)."""
    index = text.find(needle, start)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def scanned_files(root: Path) -> Iterator[Path]:
    """Every file of the repository and of the packaged or logged models, generated dirs aside."""
    model_dirs = [root / "build" / "model", *sorted((root / "mlartifacts").glob("**/artifacts"))]
    for top in [root, *[d for d in model_dirs if d.is_dir()]]:
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            yield from (Path(folder) / name for name in sorted(files))


def own_projects(root: Path) -> set[str]:
    """Normalized names of the repository's own Python projects (the project, its -infra)."""
    names: set[str] = set()
    for pyproject in root.glob("**/pyproject.toml"):
        if SKIPPED_DIRS.isdisjoint(pyproject.relative_to(root).parts):
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
            names.add(canonicalize_name(str(project.get("name", ""))))
    return names - {""}


def lock_packages(path: Path, rel: str, own: set[str]) -> Iterator[Package]:
    """Every ``[[package]]`` of a uv lock except the repository's own projects."""
    text = path.read_text(encoding="utf-8")
    position = 0
    for entry in tomllib.loads(text).get("package", []):
        name = canonicalize_name(entry["name"])
        position = text.find(f'name = "{entry["name"]}"', position)
        if name in own:
            continue
        source = entry.get("source", {})
        registry = str(source.get("registry", ""))
        origin = "pypi" if "pypi.org" in registry else registry or next(iter(source), "unknown")
        yield Package(name, entry.get("version"), origin, rel, _line(text, "", position))


def pip_package(line: str, text: str, rel: str, source: str = "pypi") -> Package | None:
    """A pip requirement line as a package (None for options such as ``-r file``); per-line
    options after the requirement (``--hash=...``) are not part of it."""
    stripped = OPTIONS.split(line.split("#", 1)[0].strip(), maxsplit=1)[0]
    if not stripped or stripped.startswith("-"):
        return None
    try:
        requirement = Requirement(stripped)
    except InvalidRequirement:
        return Package(stripped, None, "unparsable requirement", rel, _line(text, stripped))
    exact = EXACT.match(str(requirement.specifier))
    version = exact["version"] if exact else None
    return Package(canonicalize_name(requirement.name), version, source, rel, _line(text, stripped))


def conda_package(spec: str, text: str, rel: str) -> Package:
    """A conda dependency such as ``python=3.11`` or ``conda-forge::pip`` as a package."""
    match = CONDA_SPEC.match(spec.strip())
    if match is None:
        return Package(spec, None, "unparsable requirement", rel, _line(text, spec))
    exact = EXACT.match(match["spec"].strip())
    version = exact["version"] if exact else None
    source = match["channel"] or "conda-forge"
    return Package(canonicalize_name(match["name"]), version, source, rel, _line(text, spec))


def conda_packages(data: dict[str, Any], text: str, rel: str) -> Iterator[Package]:
    """Channels, conda packages and the nested ``pip:`` list of a conda environment file."""
    for channel in data.get("channels") or []:
        if channel != "conda-forge":
            yield Package(f"channel {channel}", None, str(channel), rel, _line(text, str(channel)))
    for dependency in data.get("dependencies") or []:
        if isinstance(dependency, dict):
            for line in dependency.get("pip") or []:
                if (package := pip_package(str(line), text, rel)) is not None:
                    yield package
        else:
            yield conda_package(str(dependency), text, rel)


def image_package(image: str, text: str, rel: str) -> Package:
    """A container image reference as a package: the repository, its tag or digest, MCR or not."""
    repository, _, digest = image.partition("@")
    name, _, tag = (
        repository.rpartition(":")
        if ":" in repository.rsplit("/", 1)[-1]
        else (
            repository,
            "",
            "",
        )
    )
    source = "mcr" if image.startswith(MCR) else image.split("/", 1)[0]
    return Package(name.lower(), digest or tag or None, source, rel, _line(text, image))


def environment_images(node: object, azureml: bool) -> Iterator[str]:
    """Every ``image:`` of an Azure ML environment in a YAML document (nested ones included)."""
    if isinstance(node, dict):
        if isinstance(node.get("image"), str) and (azureml or "conda_file" in node):
            yield node["image"]
        for value in node.values():
            yield from environment_images(value, azureml)
    elif isinstance(node, list):
        for value in node:
            yield from environment_images(value, azureml)


def yaml_packages(data: object, text: str, rel: str) -> Iterator[Package]:
    """The packages a YAML file declares: a conda file, an Azure ML spec, MLflow's python_env."""
    if not isinstance(data, dict):
        return
    if "channels" in data and isinstance(data.get("dependencies"), list):
        yield from conda_packages(data, text, rel)
    if "build_dependencies" in data:
        for line in [*data["build_dependencies"], *(data.get("dependencies") or [])]:
            if (package := pip_package(str(line), text, rel)) is not None:
                yield package
    azureml = "azuremlschemas" in str(data.get("$schema", ""))
    for image in environment_images(data, azureml):
        if not scoring_image_by_digest(image):  # the project's own scanned image is no package
            yield image_package(image, text, rel)


def dockerfile_args(text: str) -> dict[str, str]:
    """The ``ARG name=default`` values of a Dockerfile (an ARG without a default maps to "")."""
    found = re.finditer(r"^ARG\s+([A-Za-z_]\w*)(?:=(\S*))?", text, re.M | re.I)
    return {match[1]: (match[2] or "").strip("\"'") for match in found}


def expand_args(reference: str, args: dict[str, str]) -> str:
    """``reference`` with ``$NAME`` and ``${NAME}`` replaced by the ARG defaults (others kept)."""
    pattern = r"\$\{(\w+)\}|\$(\w+)"
    return re.sub(pattern, lambda m: args.get(m[1] or m[2]) or m[0], reference)


def dockerfile_images(text: str) -> Iterator[tuple[str, str, int]]:
    """(as written, ARG defaults expanded, line) of every ``FROM`` image but earlier stages."""
    stages: set[str] = set()
    args = dockerfile_args(text)
    for match in re.finditer(r"^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I):
        if match[1].lower() not in stages | {"scratch"}:
            line = text.count("\n", 0, match.start()) + 1
            yield match[1], expand_args(match[1], args), line
        if match[2]:
            stages.add(match[2].lower())


def dockerfile_packages(text: str, rel: str) -> Iterator[Package]:
    """The base images (``FROM``) of a Dockerfile, ARG defaults expanded, at their lines."""
    for _, image, line in dockerfile_images(text):
        package = image_package(image, text, rel)
        yield Package(package.name, package.version, package.source, rel, line)


def file_packages(path: Path, rel: str, own: set[str]) -> Iterator[Package]:
    """The packages one file declares (none for a file that declares no packages)."""
    if path.name == "uv.lock":
        yield from lock_packages(path, rel, own)
    elif path.name.startswith("requirements") and path.suffix == ".txt":
        text = path.read_text(encoding="utf-8")
        packages = (pip_package(line, text, rel) for line in text.splitlines())
        yield from (p for p in packages if p is not None and p.name not in own)
    elif path.name == "Dockerfile" or path.suffix == ".Dockerfile":
        yield from dockerfile_packages(path.read_text(encoding="utf-8"), rel)
    elif path.suffix in {".yml", ".yaml"}:
        text = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return  # not this gate's business: the linters and schemas refuse broken YAML
        yield from yaml_packages(data, text, rel)


def resolved_packages(root: Path) -> list[Package]:
    """Every package the repository at ``root`` resolves, in file order."""
    own = own_projects(root)
    found: list[Package] = []
    for path in scanned_files(root):
        found.extend(file_packages(path, path.relative_to(root).as_posix(), own))
    return found
