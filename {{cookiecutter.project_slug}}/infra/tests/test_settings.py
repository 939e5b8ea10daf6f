"""Settings: the stack files load, bad config fails with one exact line, names fit Azure."""

from __future__ import annotations

import ast
import re
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pulumi
import pytest
import yaml

from mlops_infra.mocks import PROJECT_NAME
from mlops_infra.settings import (
    DEFAULT_LOCATION,
    DEFAULT_ORGANIZATION,
    ENVIRONMENTS,
    ConfigError,
    Settings,
    load_settings,
)
from mlops_infra.settings import PROJECT as SLUG

INFRA_DIR = Path(__file__).resolve().parent.parent
DIGEST = "sha256:2e5873cc5f6126c0ee961b344fca127352143f279d71223d2012b60f2483483b"

STORAGE = re.compile(r"[a-z0-9]{3,24}")
KEY_VAULT = re.compile(r"(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]")
REGISTRY = re.compile(r"[a-zA-Z0-9]{5,50}")
WORKSPACE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}")


def settings_for(stack_factory, name: str, **overrides: str) -> Settings:
    stack = stack_factory(name)
    if overrides:
        stack.set_config(**overrides)
    return load_settings()


def test_stack_files_load(stack):
    settings = load_settings()
    assert settings.stack == stack.name
    assert settings.environment == stack.name
    assert settings.location == DEFAULT_LOCATION
    assert settings.organization == DEFAULT_ORGANIZATION
    assert settings.namespace == "{{ cookiecutter.project_slug }}"
    assert settings.aks_create is True
    assert 0 <= settings.green_weight <= 100


def test_environments_differ_as_designed(stack_factory):
    dev, staging, prod = (settings_for(stack_factory, env) for env in ENVIRONMENTS)
    assert dev.public_network_access is True
    assert staging.public_network_access is False
    assert prod.public_network_access is False
    assert prod.compute_max_nodes > staging.compute_max_nodes > dev.compute_max_nodes
    assert prod.serving_replicas > dev.serving_replicas
    assert dev.serving_image_digest is None
    assert (dev.requires_digest, staging.requires_digest, prod.requires_digest) == (
        False,
        True,
        True,
    )
    assert staging.serving_image_digest == prod.serving_image_digest == DIGEST


def test_serving_image_reference(stack_factory):
    dev, prod = settings_for(stack_factory, "dev"), settings_for(stack_factory, "prod")
    assert dev.serving_image_ref == f"{dev.container_registry_login_server}/{SLUG}:dev"
    assert prod.serving_image_ref == f"{prod.container_registry_login_server}/{SLUG}@{DIGEST}"
    custom = replace(prod, serving_image="ghcr.io/contoso/model")
    assert custom.serving_image_ref == f"ghcr.io/contoso/model@{DIGEST}"


def test_settings_are_frozen(stack_factory):
    settings = settings_for(stack_factory, "dev")
    with pytest.raises(FrozenInstanceError):
        settings.environment = "prod"  # type: ignore[misc]


def test_names_unique_per_environment_and_within_azure_limits(stack_factory):
    all_settings = [settings_for(stack_factory, env) for env in ENVIRONMENTS]
    long_org = settings_for(
        stack_factory, "staging", organization="Contoso International Holdings Ltd"
    )
    for settings in [*all_settings, long_org]:
        env = settings.environment
        assert STORAGE.fullmatch(settings.storage_account_name), settings.storage_account_name
        assert KEY_VAULT.fullmatch(settings.key_vault_name), settings.key_vault_name
        assert REGISTRY.fullmatch(settings.container_registry_name)
        assert WORKSPACE.fullmatch(settings.workspace_name), settings.workspace_name
        assert len(settings.resource_group_name) <= 90
        for name in (
            settings.storage_account_name,
            settings.key_vault_name,
            settings.container_registry_name,
            settings.resource_prefix,
        ):
            assert name.endswith(env), name
    for attr in (
        "resource_prefix",
        "resource_group_name",
        "storage_account_name",
        "key_vault_name",
        "container_registry_name",
        "workspace_name",
    ):
        values = {getattr(s, attr) for s in all_settings}
        assert len(values) == len(ENVIRONMENTS), attr
    assert all_settings[0].resource_prefix == "{{ cookiecutter.project_slug }}-dev"
    assert long_org.storage_account_name != all_settings[1].storage_account_name


@pytest.mark.parametrize(
    ("stack_name", "overrides", "message"),
    [
        (
            "prod",
            {"servingImageDigest": ""},
            "servingImageDigest is required in staging and prod: "
            "set it with pulumi config set servingImageDigest sha256:...",
        ),
        (
            "staging",
            {"servingImageDigest": ""},
            "servingImageDigest is required in staging and prod: "
            "set it with pulumi config set servingImageDigest sha256:...",
        ),
        (
            "prod",
            {"environment": "production"},
            "environment must be one of dev, staging, prod, got 'production': "
            "set it with pulumi config set environment dev",
        ),
        (
            "dev",
            {"greenWeight": "101"},
            "greenWeight must be between 0 and 100, got 101: "
            "set it with pulumi config set greenWeight 10",
        ),
        (
            "staging",
            {"greenWeight": "-5"},
            "greenWeight must be between 0 and 100, got -5: "
            "set it with pulumi config set greenWeight 10",
        ),
        (
            "dev",
            {"greenWeight": "half"},
            "greenWeight must be an integer, got 'half': "
            "set it with pulumi config set greenWeight 1",
        ),
        (
            "prod",
            {"servingImageDigest": "sha256:abc"},
            "servingImageDigest must be sha256:<64 lowercase hex digits>, got 'sha256:abc': "
            "set it with pulumi config set servingImageDigest sha256:...",
        ),
        (
            "prod",
            {"servingImage": "{{ cookiecutter.project_slug }}:latest"},
            "servingImage must be a repository without tag when servingImageDigest is set, "
            "got '{{ cookiecutter.project_slug }}:latest': "
            "set it with pulumi config set servingImage {{ cookiecutter.project_slug }}",
        ),
        (
            "prod",
            {"computeMaxNodes": "0"},
            "computeMaxNodes must be at least 1, got 0: "
            "set it with pulumi config set computeMaxNodes 1",
        ),
        (
            "dev",
            {"publicNetworkAccess": "yes please"},
            "publicNetworkAccess must be a boolean, got 'yes please': "
            "set it with pulumi config set publicNetworkAccess true",
        ),
        (
            "dev",
            {"location": "nowhere-east"},
            f"location is 'nowhere-east' but azure-native:location is '{DEFAULT_LOCATION}': "
            f"set it with pulumi config set location {DEFAULT_LOCATION}",
        ),
        (
            "dev",
            {"namespace": "Diabetes_Progression"},
            "namespace must be a DNS label (lowercase alphanumerics and '-', at most 63), "
            "got 'Diabetes_Progression': set it with pulumi config set namespace "
            "{{ cookiecutter.project_slug }}",
        ),
    ],
)
def test_config_errors_name_the_key_and_the_fix(stack_factory, stack_name, overrides, message):
    with pytest.raises(ConfigError) as caught:
        settings_for(stack_factory, stack_name, **overrides)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_environment_defaults_to_stack_name(stack_factory):
    settings = settings_for(stack_factory, "staging", environment="")
    assert settings.environment == "staging"


def test_digest_is_optional_in_dev_and_validated_when_given(stack_factory):
    assert settings_for(stack_factory, "dev").serving_image_digest is None
    pinned = settings_for(stack_factory, "dev", servingImage=SLUG, servingImageDigest=DIGEST)
    assert pinned.serving_image_ref.endswith(f"/{SLUG}@{DIGEST}")


def test_explicit_config_and_stack_arguments(stack_factory):
    stack_factory("dev")
    settings = load_settings(pulumi.Config(PROJECT_NAME), stack="feature-x")
    assert settings.stack == "feature-x"
    assert settings.environment == "dev"


# --- Pulumi.yaml and stack files -------------------------------------------------------------

PROJECT = yaml.safe_load((INFRA_DIR / "Pulumi.yaml").read_text())
TYPES = {"string": str, "boolean": bool, "integer": int}
REQUIRED_KEYS = {
    "environment",
    "location",
    "organization",
    "publicNetworkAccess",
    "computeVmSize",
    "computeMaxNodes",
    "aksCreate",
    "aksNodeCount",
    "aksVmSize",
    "servingImage",
    "servingImageDigest",
    "servingReplicas",
    "greenWeight",
    "namespace",
}


def test_project_file():
    assert PROJECT["name"] == "{{ cookiecutter.project_slug }}-infra"
    assert PROJECT["runtime"] == {
        "name": "python",
        "options": {"toolchain": "uv", "virtualenv": ".venv"},
    }
    assert PROJECT["description"]


def test_every_config_key_is_typed_and_described():
    schema = PROJECT["config"]
    assert set(schema) == REQUIRED_KEYS
    for key, decl in schema.items():
        assert decl["type"] in TYPES, key
        assert decl["description"].strip(), key
        if "default" in decl:
            assert type(decl["default"]) is TYPES[decl["type"]], key
    assert "default" not in schema["environment"], "each stack must choose its environment"
    assert schema["location"]["default"] == DEFAULT_LOCATION
    assert schema["organization"]["default"] == DEFAULT_ORGANIZATION
    assert schema["computeVmSize"]["default"] == "Standard_DS3_v2"
    assert schema["aksCreate"]["default"] is True


@pytest.mark.parametrize("stack_name", ENVIRONMENTS)
def test_stack_file_sets_only_declared_keys_with_declared_types(stack_name):
    config = yaml.safe_load((INFRA_DIR / f"Pulumi.{stack_name}.yaml").read_text())["config"]
    prefix = f"{PROJECT['name']}:"
    assert config["azure-native:location"] == DEFAULT_LOCATION
    assert config[f"{prefix}environment"] == stack_name
    for full_key, value in config.items():
        if full_key.startswith("azure-native:"):
            continue
        assert full_key.startswith(prefix), full_key
        decl = PROJECT["config"][full_key.removeprefix(prefix)]
        assert type(value) is TYPES[decl["type"]], full_key


# --- the environment is never tested outside settings.py -------------------------------------


def _environment_comparisons(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and sub.value in ENVIRONMENTS:
                    found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_environment_branching_outside_settings():
    modules = sorted((INFRA_DIR / "mlops_infra").glob("*.py"))
    assert modules
    offenders = [
        hit
        for path in modules
        if path.name != "settings.py"
        for hit in _environment_comparisons(path)
    ]
    assert offenders == [], "branch on Settings fields, not on the environment name"
