"""Stack config read once like the CLI: defaults overlaid by the stack, secrets, file errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlops_infra.config import (
    INFRA_DIR,
    SECURE_PLACEHOLDER,
    ConfigFileError,
    available_stacks,
    load_project,
    load_stack_config,
)
from mlops_infra.naming import SLUG
from support import STACKS

TYPES = {"string": str, "boolean": bool, "integer": int, "array": list}
DEMO_PROJECT = """\
name: demo
runtime: python
config:
  size:
    type: integer
    default: 2
  public:
    type: boolean
    default: false
  mode: fast
  shape:
    value: {kind: small}
  aws:region: eu-west-1
  required:
    type: string
"""


def infra_dir(tmp_path: Path, project: str = DEMO_PROJECT, **stacks: str) -> Path:
    """A folder with the given Pulumi.yaml text and Pulumi.<stack>.yaml texts."""
    (tmp_path / "Pulumi.yaml").write_text(project)
    for stack, text in stacks.items():
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    return tmp_path


def test_project_defaults_are_overlaid_by_the_stack_file_as_cli_strings(tmp_path: Path) -> None:
    stack = "config:\n  demo:size: 5\n  required: yes-value\n  aws:region: us-east-1\n"
    config = load_stack_config("dev", infra_dir(tmp_path, dev=stack))
    assert (config.project, config.stack, config.secret_keys) == ("demo", "dev", ())
    assert config.values == {
        "demo:size": "5",  # the stack wins over the default
        "demo:public": "false",  # booleans as the CLI writes them
        "demo:mode": "fast",  # a plain value is a default
        "demo:shape": '{"kind":"small"}',  # structured values as JSON
        "aws:region": "us-east-1",  # namespaced keys keep their namespace
        "demo:required": "yes-value",  # bare stack keys belong to the project
    }


def test_a_key_without_default_is_absent_until_a_stack_sets_it(tmp_path: Path) -> None:
    config = load_stack_config("dev", infra_dir(tmp_path, dev="config: {}\n"))
    assert "demo:required" not in config.values
    assert config.values["demo:size"] == "2"


def test_secure_values_become_a_placeholder_listed_as_secret(tmp_path: Path) -> None:
    stack = "config:\n  demo:webhook:\n    secure: v1:AAAA\n  demo:mode: slow\n"
    config = load_stack_config("dev", infra_dir(tmp_path, dev=stack))
    assert config.values["demo:webhook"] == SECURE_PLACEHOLDER
    assert config.secret_keys == ("demo:webhook",)
    assert config.values["demo:mode"] == "slow"


def test_real_stacks_get_pulumi_yaml_defaults_and_their_own_values() -> None:
    dev, prod = load_stack_config("dev"), load_stack_config("prod")

    def key(name: str) -> str:
        return f"{SLUG}-infra:{name}"

    assert dev.project == prod.project == f"{SLUG}-infra"
    assert dev.values[key("computeVmSize")] == "Standard_DS3_v2"  # Pulumi.yaml default
    assert dev.values[key("aksVmSize")] == "Standard_D2s_v5"  # Pulumi.dev.yaml
    assert prod.values[key("aksVmSize")] == "Standard_D4s_v5"  # Pulumi.yaml default
    assert dev.values[key("privateNetwork")] == "false"  # Pulumi.dev.yaml
    assert prod.values[key("privateNetwork")] == "true"  # Pulumi.yaml default: secure
    assert prod.values[key("aksAuthorizedIpRanges")] == "[]"  # a YAML array, as JSON
    assert dev.values[key("servingImageDigest")].startswith("sha256:")  # CD pins dev too
    assert prod.values[key("servingImageDigest")].startswith("sha256:")
    assert dev.values["azure-native:location"] == dev.values[key("location")]


@pytest.mark.parametrize(
    ("files", "stack", "message"),
    [
        ({}, "dev", "Pulumi.yaml not found: run from the infra/ directory"),
        ({"dev": "config: {}\n"}, "qa", "Pulumi.qa.yaml not found; available stacks: dev"),
        ({"dev": "config: [unclosed\n"}, "dev", "Pulumi.dev.yaml: invalid YAML: "),
        ({"dev": "- a\n- b\n"}, "dev", "Pulumi.dev.yaml: expected a mapping, got list"),
        ({"dev": "config: 3\n"}, "dev", "Pulumi.dev.yaml: 'config' must be a mapping"),
        ({"dev": "config:\n  demo:size:\n"}, "dev", "Pulumi.dev.yaml: demo:size has no value"),
    ],
)
def test_file_problems_are_one_line_naming_the_file(
    tmp_path: Path, files: dict[str, str], stack: str, message: str
) -> None:
    directory = infra_dir(tmp_path, **files) if files else tmp_path
    with pytest.raises(ConfigFileError) as caught:
        load_stack_config(stack, directory)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("project", "message"),
    [
        ("runtime: python\n", "Pulumi.yaml: 'name' must be a non-empty string"),
        ("name: demo\nconfig: [a]\n", "Pulumi.yaml: 'config' must be a mapping"),
    ],
)
def test_an_invalid_project_file_is_refused(tmp_path: Path, project: str, message: str) -> None:
    with pytest.raises(ConfigFileError, match=message):
        load_stack_config("dev", infra_dir(tmp_path, project, dev="config: {}\n"))


def test_available_stacks_are_the_stack_files_and_the_subprojects_stacks() -> None:
    assert available_stacks() == sorted((*STACKS, "governance"))
    assert available_stacks(INFRA_DIR / "tests") == []


def test_a_subproject_stack_reads_its_own_project_file(tmp_path: Path) -> None:
    (tmp_path / "governance").mkdir()
    infra_dir(tmp_path / "governance", "name: gov\nconfig:\n  a: 1\n", governance="")
    infra_dir(tmp_path, dev="config: {}\n")
    config = load_stack_config("governance", tmp_path)
    assert (config.project, config.program, config.values) == ("gov", "governance", {"gov:a": "1"})
    assert load_stack_config("dev", tmp_path).program == "infra"
    assert available_stacks(tmp_path) == ["dev", "governance"]


# --- the files themselves ---------------------------------------------------------------------

PROJECT = load_project()


def test_project_file_names_the_project_and_the_uv_runtime() -> None:
    raw = yaml.safe_load((INFRA_DIR / "Pulumi.yaml").read_text())
    assert PROJECT.name == f"{SLUG}-infra"
    assert raw["runtime"] == {
        "name": "python",
        "options": {"toolchain": "uv", "virtualenv": ".venv"},
    }
    assert raw["description"]


def test_every_config_key_is_typed_described_and_defaults_have_their_type() -> None:
    for key, declaration in PROJECT.config.items():
        assert declaration["type"] in TYPES, key
        assert declaration["description"].strip(), key
        if "default" in declaration:
            assert type(declaration["default"]) is TYPES[declaration["type"]], key
        if declaration["type"] == "array":  # arrays say what they hold
            assert declaration["items"] == {"type": "string"}, key
            assert all(type(item) is str for item in declaration.get("default", [])), key
    assert "default" not in PROJECT.config["environment"], "each stack must choose its environment"
    assert PROJECT.config["aksCreate"]["default"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_stack_file_sets_only_declared_keys_with_declared_types(stack: str) -> None:
    config = yaml.safe_load((INFRA_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert config["azure-native:location"] == PROJECT.config["location"]["default"]
    assert config[PROJECT.key("environment")] == stack
    for full_key, value in config.items():
        if full_key.startswith("azure-native:"):
            continue
        bare = full_key.removeprefix(f"{PROJECT.name}:")
        assert full_key == PROJECT.key(bare), full_key
        assert type(value) is TYPES[PROJECT.config[bare]["type"]], full_key
