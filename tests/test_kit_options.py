"""Unit tests for the option rules and the pruning of unchosen paths in hooks/kit_options.py."""

from __future__ import annotations

import json

import pytest
from conftest import KIT_ROOT
from kit_options import (
    AZURE_REGIONS,
    CI_PROVIDERS,
    PYTHON_VERSIONS,
    OptionError,
    validate_context,
)

VALID = {
    "project_name": "Diabetes Progression",
    "project_slug": "diabetes-progression",
    "package_name": "diabetes_progression",
    "description": "MLOps v2 project: reproducible training.",
    "organization": "contoso",
    "azure_region": "westeurope",
    "ci_provider": "github",
    "python_version": "3.12",
    "task": "regression",
}


def error_for(field: str, value: object) -> OptionError:
    """Validate VALID with one field replaced and return the OptionError it must raise."""
    with pytest.raises(OptionError) as caught:
        validate_context({**VALID, field: value})
    return caught.value


def test_valid_context_passes() -> None:
    validate_context(VALID)


GOOD = [
    ("project_name", "A"),
    ("project_name", "Diabetes Progression (v2) - Contoso's model"),
    ("project_name", "x" * 80),
    ("project_slug", "a"),
    ("project_slug", "diabetes-progression-2"),
    ("project_slug", "a1-b2-c3"),
    ("project_slug", "a" * 40),
    ("package_name", "diabetes_progression"),
    ("package_name", "model2"),
    ("package_name", "match"),
    ("description", ""),
    ("description", "Predicts disease progression; uses MLflow & Azure ML."),
    ("description", "d" * 200),
    ("organization", "Contoso Ltd."),
    ("organization", "data-science_team 2"),
    ("azure_region", "swedencentral"),
    ("azure_region", "eastus2"),
    ("ci_provider", "both"),
    ("python_version", "3.13"),
    ("task", "classification"),
]


@pytest.mark.parametrize(("field", "value"), GOOD)
def test_good_values_are_accepted(field: str, value: str) -> None:
    validate_context({**VALID, field: value})


BAD = [
    ("project_name", "", "must not be empty"),
    ("project_name", "   ", "must not be empty"),
    ("project_name", "two\nlines", "single line"),
    ("project_name", "x" * 81, "at most 80"),
    ("project_name", 'say "hi"', "must not contain"),
    ("project_name", "back\\slash", "must not contain"),
    ("project_slug", "a/b", "path separators"),
    ("project_slug", "a\\b", "path separators"),
    ("project_slug", "a..b", "'..'"),
    ("project_slug", "my proj", "spaces"),
    ("project_slug", "my\tproj", "spaces"),
    ("project_slug", "my\nproj", "spaces"),
    ("project_slug", "", "must not be empty"),
    ("project_slug", "my\x00proj", "control characters"),
    ("project_slug", "MyProj", "lowercase"),
    ("project_slug", "my_proj", "hyphens"),
    ("project_slug", "1proj", "starting with a letter"),
    ("project_slug", "-proj", "starting with a letter"),
    ("project_slug", "my--proj", "single hyphens"),
    ("project_slug", "proj-", "single hyphens"),
    ("project_slug", "my.proj", "single hyphens"),
    ("project_slug", "a" * 41, "at most 40"),
    ("package_name", "a" * 41, "at most 40"),
    ("package_name", "1abc", "not a valid import name"),
    ("package_name", "my-pkg", "not a valid import name"),
    ("package_name", "MyPkg", "not a valid import name"),
    ("package_name", "caf\u00e9", "not a valid import name"),
    ("package_name", "class", "keyword"),
    ("package_name", "json", "standard-library"),
    ("package_name", "typing", "standard-library"),
    ("package_name", "mlflow", "dependency"),
    ("package_name", "sklearn", "dependency"),
    ("description", "two\nlines", "single line"),
    ("description", "d" * 201, "at most 200"),
    ("description", 'a "quoted" word', "must not contain"),
    ("description", "C:\\path", "must not contain"),
    ("organization", "", "must not be empty"),
    ("organization", "o" * 65, "at most 64"),
    ("organization", "ACME, Inc.", "may only contain"),
    ("organization", "a/b", "may only contain"),
    ("azure_region", "mars-north", "az account list-locations -o table"),
    ("azure_region", "West Europe", "az account list-locations -o table"),
    ("ci_provider", "gitlab", "must be one of: github, azure-devops, both"),
    ("python_version", "3.10", "must be one of: 3.11, 3.12, 3.13"),
    ("task", "clustering", "must be one of: regression, classification"),
]


@pytest.mark.parametrize(("field", "value", "rule"), BAD)
def test_bad_values_are_rejected_naming_field_and_rule(field: str, value: str, rule: str) -> None:
    message = str(error_for(field, value))
    assert message.startswith(f"{field} ")
    assert rule in message
    assert "\n" not in message


def test_missing_field_is_rejected_naming_it() -> None:
    context = {key: value for key, value in VALID.items() if key != "organization"}
    with pytest.raises(OptionError, match=r"^organization None must be a string"):
        validate_context(context)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("My Proj", "my-proj"), ("a/b", "a-b"), ("../evil", "evil"), ("1st_Try", "st-try")],
)
def test_slug_errors_suggest_a_valid_slug(value: str, expected: str) -> None:
    assert str(error_for("project_slug", value)).endswith(f"use {expected!r}")


@pytest.mark.parametrize(("value", "suggested"), [("class", "class_app"), ("json", "json_app")])
def test_package_errors_suggest_a_valid_package(value: str, suggested: str) -> None:
    assert str(error_for("package_name", value)).endswith(f"set package_name={suggested}")


def test_unknown_region_suggests_the_closest_regions() -> None:
    message = str(error_for("azure_region", "westeurop"))
    assert "did you mean 'westeurope'" in message


def test_long_values_are_shortened_in_the_message() -> None:
    message = str(error_for("description", "d" * 500))
    assert len(message) < 150


def test_regions_are_canonical_names() -> None:
    assert {"westeurope", "eastus", "swedencentral", "newzealandnorth"} <= AZURE_REGIONS
    assert all(region.isalnum() and region.islower() for region in AZURE_REGIONS)


def test_choice_tuples_match_cookiecutter_json() -> None:
    options = json.loads((KIT_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    assert tuple(options["ci_provider"]) == CI_PROVIDERS
    assert tuple(options["python_version"]) == PYTHON_VERSIONS


def test_default_cookiecutter_json_values_are_valid() -> None:
    options = json.loads((KIT_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    context = {
        key: value[0] if isinstance(value, list) else value for key, value in options.items()
    }
    validate_context({**context, "project_slug": "p", "package_name": "p"})
