"""Production builds install only from the quarantine feed's view and run digest-pinned images.

The production build files are every ``Dockerfile`` (the scoring image) and the Azure ML YAML
under ``pipelines/`` (conda files, environments, deployments with ``image:``). ``make
quarantine`` reports, with file, line and fix:

- PKG006: a public index or channel (pypi.org, files.pythonhosted.org, anaconda.org, a conda
  channel, ``--extra-index-url``, an ``--index-url`` other than the feed's view or
  ``$PIP_INDEX_URL``), a Dockerfile install without ``--index-url`` (pip's default is PyPI), or a
  conda file's pip list without ``--index-url``. A live exception in ``exceptions.yaml`` named
  ``channel <name>`` (source conda-forge) or ``index pypi`` (source pypi) waives the last two.
- PKG007: an image not pinned by digest (``FROM x:tag``, ``x:latest``, ``image: x`` without
  ``@sha256:``); ARG defaults are expanded first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from policies.base_images import approved_images
from policies.feed_index import FeedConfigError, load_feed_config
from policies.package_lists import Permit, exceptions, normalized
from policies.package_sources import (
    MCR,
    SKIPPED_DIRS,
    dockerfile_images,
    environment_images,
    scanned_files,
)
from policies.sarif import Finding

PUBLIC_INDEX = "PKG006"
UNPINNED_IMAGE = "PKG007"
PUBLIC_HOSTS = ("pypi.org", "pythonhosted.org", "anaconda.org", "anaconda.com", "continuum.io")
INDEX_VARIABLES = ("$PIP_INDEX_URL", "${PIP_INDEX_URL}")
INDEX_OPTION = re.compile(r"--(extra-)?index-url(?:=|\s+)[\"']?([^\s\"']+)")
INSTALL = re.compile(r"\b(pip3?\s+(install|download)|uv\s+(pip\s+install|sync|add|tool))\b")
CONDA_INSTALL = re.compile(r"\b(conda|mamba|micromamba)\s+(install|create|env)\b")
FEED_FIX = 'use the feed\'s view: --index-url "$PIP_INDEX_URL" (python -m policies.feed_index)'


def build_files(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, repository path) of every Dockerfile and of every YAML file under pipelines/."""
    for path in scanned_files(root):
        rel = path.relative_to(root).as_posix()
        if not SKIPPED_DIRS.isdisjoint(rel.split("/")):
            continue  # the packaged and logged models: the quarantine checks their environments
        dockerfile = path.name == "Dockerfile" or path.suffix == ".Dockerfile"
        if dockerfile or (rel.startswith("pipelines/") and path.suffix in {".yml", ".yaml"}):
            yield path, rel


def view_pattern(root: Path) -> re.Pattern[str] | None:
    """The feed view's index URL (feed.toml) as a pattern; None when feed.toml is unusable."""
    try:
        config = load_feed_config(root)
    except FeedConfigError:
        return None  # the feed-index tests refuse a broken feed.toml; every URL is then refused
    parts = re.split(r"(\{\w+\})", config.index_url)
    fields = {"{view}": re.escape(config.view)}
    return re.compile(
        "".join(fields.get(p, "[^/@]+") if p.startswith("{") else re.escape(p) for p in parts) + "$"
    )


def logical_lines(text: str) -> Iterator[list[tuple[int, str]]]:
    """The (line number, text without comment) parts of each line, backslash continuations
    joined into one list."""
    parts: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = "" if line.lstrip().startswith("#") else line.split(" #", 1)[0]
        parts.append((number, code.rstrip().removesuffix("\\")))
        if not code.rstrip().endswith("\\"):
            yield parts
            parts = []
    if parts:
        yield parts


def index_problems(line: str, view: re.Pattern[str] | None) -> Iterator[tuple[str, str]]:
    """(where, problem) of what in one line reaches an index other than the feed's view."""
    for host in PUBLIC_HOSTS:
        if host in line:
            yield host, f"{host} is a public index; {FEED_FIX}"
    for match in INDEX_OPTION.finditer(line):
        if match[1]:
            problem = (
                f"--extra-index-url {match[2]} adds an index beside the feed's view; remove it"
            )
            yield match[2], problem
        elif match[2] not in INDEX_VARIABLES and not (view and view.match(match[2])):
            yield match[2], f"--index-url {match[2]} is not the feed's view; {FEED_FIX}"


def dockerfile_problems(line: str) -> Iterator[tuple[str, str]]:
    """(where, problem) of what a Dockerfile instruction installs from outside the feed's view."""
    if conda := CONDA_INSTALL.search(line):
        yield (
            conda[0],
            "conda installs from public channels; install the hash-pinned export with pip",
        )
    has_index = INDEX_OPTION.search(line) or "--no-index" in line
    if (install := INSTALL.search(line)) and not has_index:
        yield install[0], f"this install reads PyPI (pip's default index); {FEED_FIX}"


def conda_problems(data: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(waiver name, where to point the line, problem) of a conda file's channels and pip list."""
    channels = [str(c) for c in data.get("channels") or [] if c != "nodefaults"]
    for channel in channels:
        problem = f"conda channel {channel} is public; base the environment on an approved image"
        yield f"channel {channel}", channel, problem
    if not data.get("channels"):
        yield "channel defaults", "dependencies", "no channels: conda reads its public `defaults`"
    for dependency in data.get("dependencies") or []:
        pips = [str(p) for p in dependency.get("pip") or []] if isinstance(dependency, dict) else []
        if pips and not any(p.startswith("--index-url") for p in pips):
            yield (
                "index pypi",
                "pip:",
                f"the pip list has no --index-url, so pip reads PyPI; {FEED_FIX}",
            )


def image_problem(written: str, image: str, approved: list[str]) -> str:
    """Why ``image`` may not run in production ("" when it is pinned by digest)."""
    if "@sha256:" in image:
        return ""
    fix = " or ".join(approved) or "an allowlisted mcr image pinned by digest"
    return f"image {written} is not pinned by digest; use {fix} (policies/packages/allowlist.yaml)"


def file_findings(text: str, rel: str, view: re.Pattern[str] | None) -> Iterator[Finding]:
    """The text-level findings of one build file (indexes, Dockerfile installs), each at the
    line that holds what it names."""
    dockerfile = not rel.endswith((".yml", ".yaml"))
    for parts in logical_lines(text):
        line = " ".join(code for _, code in parts)
        problems = [*index_problems(line, view)]
        problems += [*dockerfile_problems(line)] if dockerfile else []
        for where, problem in problems:
            number = next((n for n, code in parts if where in code), parts[0][0])
            yield Finding(PUBLIC_INDEX, problem, rel, number)


def _line(text: str, needle: str) -> int:
    return text.count("\n", 0, max(text.find(needle), 0)) + 1


def waived(name: str, source: str, granted: list[Permit], today: dt.date) -> bool:
    """Whether a live exception of the checked tier names ``name`` from ``source``."""
    return any(
        p.allows_source(normalized(name, source), source) and p.until >= today for p in granted
    )


def yaml_findings(
    text: str, rel: str, granted: list[Permit], today: dt.date, approved: list[str]
) -> Iterator[Finding]:
    """The conda and image findings of one YAML build file."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return  # the Azure ML spec tests refuse broken YAML
    if not isinstance(data, dict):
        return
    if isinstance(data.get("dependencies"), list):
        for name, needle, problem in conda_problems(data):
            source = "pypi" if name == "index pypi" else "conda-forge"
            if not waived(name, source, granted, today):
                hint = f" (or a production exception for `{name}`, source {source})"
                yield Finding(PUBLIC_INDEX, problem + hint, rel, _line(text, needle))
    azureml = "azuremlschemas" in str(data.get("$schema", ""))
    for image in environment_images(data, azureml):
        if problem := image_problem(image, image, approved):
            yield Finding(UNPINNED_IMAGE, problem, rel, _line(text, image))


def findings(root: Path, today: dt.date, environment: str) -> list[Finding]:
    """Every production build file's public index, channel or unpinned image."""
    view = view_pattern(root)
    granted = [p for p in exceptions(root) if p.serves(environment)]
    approved = [f"{MCR}{image.repository}@{image.digest}" for image in approved_images(root)]
    found: list[Finding] = []
    for path, rel in build_files(root):
        text = path.read_text(encoding="utf-8")
        found += file_findings(text, rel, view)
        if rel.endswith((".yml", ".yaml")):
            found += yaml_findings(text, rel, granted, today, approved)
            continue
        for written, image, line in dockerfile_images(text):
            if problem := image_problem(written, image, approved):
                found.append(Finding(UNPINNED_IMAGE, problem, rel, line))
    return found
