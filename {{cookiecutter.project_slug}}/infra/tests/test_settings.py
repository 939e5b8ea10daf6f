"""Settings: every key read once, typed and required; config errors are one exact line."""

from __future__ import annotations

import ast
import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import pulumi
import pytest

from mlops_infra.config import INFRA_DIR, load_project
from mlops_infra.naming import SLUG
from mlops_infra.settings import ConfigError, Settings, load_settings
from support import STACKS, mock_stack

PROJECT = load_project()
REGION = PROJECT.config["location"]["default"]
ORGANIZATION = PROJECT.config["organization"]["default"]
DIGEST = "sha256:2e5873cc5f6126c0ee961b344fca127352143f279d71223d2012b60f2483483b"
STORAGE = re.compile(r"[a-z0-9]{3,24}")
KEY_VAULT = re.compile(r"(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]")
REGISTRY = re.compile(r"[a-zA-Z0-9]{5,50}")
WORKSPACE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}")


def settings_for(stack: str, **overrides: str | None) -> Settings:
    mock_stack(stack, **overrides)
    return load_settings()


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_load_with_pulumi_yaml_defaults(stack: str) -> None:
    settings = settings_for(stack)
    assert (settings.stack, settings.environment) == (stack, stack)
    assert (settings.location, settings.organization) == (REGION, ORGANIZATION)
    assert (settings.namespace, settings.project) == (SLUG, SLUG)
    assert settings.compute_vm_size == "Standard_DS3_v2"
    assert settings.aks_create is True
    assert settings.green_weight == 0


def test_environments_differ_as_designed() -> None:
    dev, staging, prod = (settings_for(stack) for stack in STACKS)
    assert [s.private_network for s in (dev, staging, prod)] == [False, True, True]
    assert [s.public_network_access_mode for s in (dev, prod)] == ["Enabled", "Disabled"]
    assert (dev.managed_network_isolation, prod.managed_network_isolation) == (
        "Disabled",
        "AllowOnlyApprovedOutbound",
    )
    assert [s.aks_private_cluster for s in (dev, staging, prod)] == [False, True, True]
    assert staging.vnet_address_space == prod.vnet_address_space == "10.40.0.0/16"
    assert prod.compute_max_nodes > staging.compute_max_nodes > dev.compute_max_nodes
    assert prod.serving_replicas > staging.serving_replicas > dev.serving_replicas
    assert (dev.aks_vm_size, prod.aks_vm_size) == ("Standard_D2s_v5", "Standard_D4s_v5")
    assert dev.serving_image == staging.serving_image == prod.serving_image == SLUG
    assert dev.serving_image_digest == staging.serving_image_digest == DIGEST
    assert prod.serving_image_digest == DIGEST
    assert [s.requires_digest for s in (dev, staging, prod)] == [False, True, True]


def test_settings_are_frozen() -> None:
    settings = settings_for("dev")
    with pytest.raises(FrozenInstanceError):
        settings.environment = "prod"  # type: ignore[misc]


def test_names_unique_per_environment_and_within_azure_limits() -> None:
    per_env = [settings_for(stack).names for stack in STACKS]
    long_org = settings_for("staging", organization="Contoso International Holdings Ltd").names
    for names in [*per_env, long_org]:
        assert STORAGE.fullmatch(names.storage_account_name), names.storage_account_name
        assert KEY_VAULT.fullmatch(names.key_vault_name), names.key_vault_name
        assert REGISTRY.fullmatch(names.container_registry_name)
        assert WORKSPACE.fullmatch(names.workspace_name), names.workspace_name
        assert len(names.resource_group_name) <= 90
        for name in (
            names.storage_account_name,
            names.key_vault_name,
            names.container_registry_name,
            names.resource_prefix,
        ):
            assert name.endswith(names.environment), name
    attributes = (
        "resource_prefix",
        "resource_group_name",
        "storage_account_name",
        "key_vault_name",
        "container_registry_name",
        "workspace_name",
    )
    for attribute in attributes:
        assert len({getattr(names, attribute) for names in per_env}) == len(STACKS), attribute
    # The slug, cut to 20 characters, leaves room for the environment in 24-character names.
    assert per_env[0].resource_prefix == f"{SLUG[:20].rstrip('-')}-dev"
    assert long_org.storage_account_name != per_env[1].storage_account_name


@pytest.mark.parametrize(
    ("stack", "overrides", "message"),
    [
        (
            "prod",
            {"environment": "production"},
            "environment must be one of dev, staging, prod, got 'production': "
            "set it with pulumi config set environment dev",
        ),
        (
            "dev",
            {"greenWeight": "half"},
            "greenWeight must be an integer, got 'half': "
            "set it with pulumi config set greenWeight 1",
        ),
        (
            "dev",
            {"privateNetwork": "yes please"},
            "privateNetwork must be a boolean, got 'yes please': "
            "set it with pulumi config set privateNetwork true",
        ),
        (
            "prod",
            {"aksAuthorizedIpRanges": "203.0.113.0/24"},
            "aksAuthorizedIpRanges must be a list of strings, got '203.0.113.0/24': set it with "
            "pulumi config set --path 'aksAuthorizedIpRanges[0]' <value>",
        ),
        (
            "prod",
            {"aksAuthorizedIpRanges": '["203.0.113.0/24", 7]'},
            "aksAuthorizedIpRanges must be a list of strings, got ['203.0.113.0/24', 7]: set it "
            "with pulumi config set --path 'aksAuthorizedIpRanges[0]' <value>",
        ),
        (
            "dev",
            {"location": "nowhere-east"},
            f"location is 'nowhere-east' but azure-native:location is '{REGION}': "
            f"set it with pulumi config set location {REGION}",
        ),
        (
            "staging",
            {"organization": "--"},
            "organization must contain letters or digits, got '--': "
            "set it with pulumi config set organization <organization>",
        ),
        (
            "staging",
            {"environment": None},
            "environment is required and has no value: "
            "set it with pulumi config set environment <value>",
        ),
    ],
)
def test_config_errors_name_the_key_and_the_fix(
    stack: str, overrides: dict[str, str | None], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_for(stack, **overrides)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("key", sorted(PROJECT.config))
def test_settings_carry_no_defaults_of_their_own(key: str) -> None:
    """Pulumi.yaml holds the only defaults: without a key's value, settings refuse the stack."""
    with pytest.raises(ConfigError, match=rf"^{key} is required and has no value: "):
        settings_for("dev", **{key: None})


def test_an_empty_digest_means_no_digest() -> None:
    assert settings_for("prod", servingImageDigest="").serving_image_digest is None
    assert settings_for("dev", servingImageDigest=DIGEST).serving_image_digest == DIGEST


def test_explicit_config_and_stack_arguments() -> None:
    mock_stack("dev")
    settings = load_settings(pulumi.Config(PROJECT.name), stack="feature-x")
    assert (settings.stack, settings.environment) == ("feature-x", "dev")


# --- the environment is never tested outside settings.py ------------------------------------


def _environment_comparisons(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and sub.value in STACKS:
                    found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_environment_branching_outside_settings() -> None:
    modules = sorted((INFRA_DIR / "mlops_infra").rglob("*.py"))
    assert len(modules) > 10
    offenders = [
        hit
        for path in modules
        if path.name != "settings.py"
        for hit in _environment_comparisons(path)
    ]
    assert offenders == [], "branch on Settings fields, not on the environment name"
