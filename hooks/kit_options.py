"""Validate the kit's cookiecutter options: one rule per option, one clear line per problem."""

from __future__ import annotations

import difflib
import keyword
import re
import sys
import unicodedata
from collections.abc import Callable, Collection, Mapping

CI_PROVIDERS = ("github", "azure-devops", "both")
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
TASKS = ("regression", "classification")
SHADOWED_IMPORTS = frozenset(
    {"mlflow", "sklearn", "skops", "pandas", "numpy", "pyarrow", "matplotlib", "click", "scipy"}
)
# Public Azure region names as printed by `az account list-locations` (physical regions only).
# fmt: off
AZURE_REGIONS = frozenset((
    # Americas
    "eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus",
    "southcentralus", "westcentralus", "canadacentral", "canadaeast", "brazilsouth",
    "brazilsoutheast", "mexicocentral", "chilecentral",
    # Europe
    "northeurope", "westeurope", "uksouth", "ukwest", "francecentral", "francesouth",
    "germanywestcentral", "germanynorth", "norwayeast", "norwaywest", "swedencentral",
    "swedensouth", "switzerlandnorth", "switzerlandwest", "polandcentral", "italynorth",
    "spaincentral", "austriaeast", "belgiumcentral",
    # Asia Pacific
    "australiaeast", "australiasoutheast", "australiacentral", "australiacentral2",
    "newzealandnorth", "eastasia", "southeastasia", "japaneast", "japanwest", "koreacentral",
    "koreasouth", "centralindia", "southindia", "westindia", "jioindiacentral", "jioindiawest",
    "indonesiacentral", "malaysiawest",
    # Middle East and Africa
    "uaenorth", "uaecentral", "qatarcentral", "israelcentral", "southafricanorth",
    "southafricawest",
))
# fmt: on
SLUG_RE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PACKAGE_RE = re.compile(r"[a-z0-9_]+")
ORGANIZATION_RE = re.compile(r"[A-Za-z0-9 ._-]+")
# The generated code is ruff-formatted for import lines holding names up to this length.
MAX_NAME_LENGTH = 40
AZ_LIST_HINT = "list them with `az account list-locations -o table`"


class OptionError(ValueError):
    """A cookiecutter option value that the kit cannot generate a project from."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        super().__init__(f"{field} {shown} {rule}")
        self.field = field


def suggest_slug(value: str) -> str:
    """Turn any text into a valid project slug (best effort)."""
    slug = "-".join(re.findall(r"[a-z0-9]+", value.lower()))
    slug = re.sub(r"^[^a-z]+", "", slug)[:MAX_NAME_LENGTH].rstrip("-")
    return slug or "my-project"


def suggest_package(value: str) -> str:
    """Turn any text into a valid, non-shadowing package name (best effort)."""
    name = re.sub(r"^[^a-z]+", "", "_".join(re.findall(r"[a-z0-9]+", value.lower())))
    if not name or _shadowing(name):
        name = f"{name or 'my'}_app"
    return name


def _shadowing(name: str) -> bool:
    return keyword.iskeyword(name) or name in sys.stdlib_module_names or name in SHADOWED_IMPORTS


def _check_text(field: str, value: object, max_len: int, *, required: bool) -> str:
    if not isinstance(value, str):
        raise OptionError(field, value, "must be a string")
    if required and not value.strip():
        raise OptionError(field, value, "must not be empty")
    if "\n" in value or "\r" in value:
        raise OptionError(field, value, "must be a single line")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise OptionError(field, value, "must not contain control characters such as tabs")
    if len(value) > max_len:
        raise OptionError(field, value, f"is {len(value)} characters long: use at most {max_len}")
    return value


def _check_no_quotes(field: str, value: str) -> None:
    if '"' in value or "\\" in value:
        fixed = value.replace('"', "'").replace("\\", "/")
        raise OptionError(field, value, f"must not contain '\"' or '\\': use {fixed!r}")


def check_project_name(value: object) -> None:
    """Project name: one non-empty line of at most 80 characters, no double quote or backslash."""
    _check_no_quotes("project_name", _check_text("project_name", value, 80, required=True))


def check_project_slug(value: object) -> None:
    """Project slug: lowercase words joined by single hyphens, starting with a letter."""
    if not isinstance(value, str):
        raise OptionError("project_slug", value, "must be a string")
    text, fix = value, f"use {suggest_slug(value)!r}"
    if "/" in text or "\\" in text:
        raise OptionError("project_slug", text, f"must not contain path separators: {fix}")
    if ".." in text:
        raise OptionError("project_slug", text, f"must not contain '..': {fix}")
    if any(ch.isspace() for ch in text):
        raise OptionError("project_slug", text, f"must not contain spaces: {fix}")
    if text != text.lower():
        raise OptionError("project_slug", text, f"must be lowercase: {fix}")
    _check_text("project_slug", text, MAX_NAME_LENGTH, required=True)
    if "_" in text:
        raise OptionError("project_slug", text, f"must use hyphens, not underscores: {fix}")
    if not SLUG_RE.fullmatch(text):
        rule = "must be lowercase letters, digits and single hyphens, starting with a letter"
        raise OptionError("project_slug", text, f"{rule}: {fix}")


def check_package_name(value: object) -> None:
    """Package name: a lowercase ASCII identifier that shadows no keyword or imported module."""
    text = _check_text("package_name", value, MAX_NAME_LENGTH, required=True)
    fix = f"set package_name={suggest_package(text)}"
    if not (text.isidentifier() and PACKAGE_RE.fullmatch(text)):
        rule = (
            "is not a valid import name (lowercase letters, digits, underscores; no leading digit)"
        )
        raise OptionError("package_name", text, f"{rule}: {fix}")
    if keyword.iskeyword(text):
        raise OptionError("package_name", text, f"is a Python keyword: {fix}")
    if text in sys.stdlib_module_names:
        raise OptionError("package_name", text, f"shadows a standard-library module: {fix}")
    if text in SHADOWED_IMPORTS:
        raise OptionError("package_name", text, f"shadows a dependency of the project: {fix}")


def check_description(value: object) -> None:
    """Description: one line of at most 200 characters, no double quote or backslash."""
    _check_no_quotes("description", _check_text("description", value, 200, required=False))


def check_organization(value: object) -> None:
    """Organization: one non-empty line of letters, digits, spaces, '.', '-' or '_' (max 64)."""
    text = _check_text("organization", value, 64, required=True)
    if not ORGANIZATION_RE.fullmatch(text):
        fixed = " ".join(re.sub(r"[^A-Za-z0-9 ._-]+", "", text).split()) or "contoso"
        rule = "may only contain letters, digits, spaces, '.', '-' and '_'"
        raise OptionError("organization", text, f"{rule}: use {fixed!r}")


def check_azure_region(value: object) -> None:
    """Azure region: a canonical public region name such as 'westeurope'."""
    if isinstance(value, str) and value in AZURE_REGIONS:
        return
    key = re.sub(r"[^a-z0-9]", "", str(value).lower())
    close = difflib.get_close_matches(key, sorted(AZURE_REGIONS), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
    rule = f"is not a public Azure region name: {hint}({AZ_LIST_HINT})"
    raise OptionError("azure_region", value, rule)


CHECKS: dict[str, Callable[[object], None]] = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "description": check_description,
    "organization": check_organization,
    "azure_region": check_azure_region,
}
CHOICES: dict[str, tuple[str, ...]] = {
    "ci_provider": CI_PROVIDERS,
    "python_version": PYTHON_VERSIONS,
    "task": TASKS,
}


def check_choice(field: str, value: object, choices: Collection[str]) -> None:
    """Choice option: ``value`` must be one of ``choices``."""
    if value not in choices:
        raise OptionError(field, value, f"must be one of: {', '.join(choices)}")


def validate_context(context: Mapping[str, object]) -> None:
    """Raise OptionError for the first option in ``context`` that breaks a kit rule."""
    for field, check in CHECKS.items():
        check(context.get(field))
    for field, choices in CHOICES.items():
        check_choice(field, context.get(field), choices)
