{% raw -%}
"""One module states the policy facts; checkov's checks, the gates and the CI tests import it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from policies import bandit_gate, checkov_gate
from policies.checkov import policy_facts as facts

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "policies" / "checkov"


def test_the_gates_use_the_facts_module_itself() -> None:
    assert checkov_gate.EXCLUDED is facts.GENERATED_AT_ROOT
    assert checkov_gate.CACHES is facts.GENERATED_ANYWHERE
    assert frozenset(facts.GENERATED_ANYWHERE) == bandit_gate.EXCLUDED_DIRS
    assert frozenset(facts.GENERATED_AT_ROOT) == bandit_gate.EXCLUDED_ROOT_DIRS


FACT_WORDS: tuple[str, ...] = ("'dev'", "'staging'", "'prod'", "pulumi", "rollout")
FACT_WORDS += ("ServiceConnection", "SECRET", "AccessToken", ".venv", "mlartifacts")
FACT_WORDS += ("azurecr", "scoring-image")


def _restated(path: Path) -> list[str]:
    """Module-level names of ``path`` whose value restates a fact (environments, deploy or
    credential patterns, excluded folders)."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call | ast.Tuple):
            text = ast.unparse(node.value)
            if any(word in text for word in FACT_WORDS):
                found += [ast.unparse(target) for target in node.targets]
    return found


def test_no_check_restates_a_fact() -> None:
    checks = [p for p in CHECKS.glob("*.py") if p.name != "policy_facts.py"]
    assert len(checks) > 10
    assert {p.name: _restated(p) for p in checks if _restated(p)} == {}


def test_a_restated_fact_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "check.py"
    copy.write_text(
        'import re\nUP = re.compile(r"pulumi up")\nTARGETS = ("staging", "prod")\nN = (1, 2)\n'
    )
    assert _restated(copy) == ["UP", "TARGETS"]


@pytest.mark.parametrize(
    ("command", "deploys"),
    [
        ("pulumi up --yes -s prod", True),
        (".venv/bin/x rollout --endpoint-name e", True),
        (".venv/bin/x register-model --model-dir build/model", True),
        ("az ml online-deployment create --file green.yml", True),
        ("az ml online-endpoint update --traffic 'blue=100'", True),
        ("pulumi preview -s prod", False),
        ("az ml online-endpoint show --query traffic", False),
        ("pulumi preview --stack dev", False),
    ],
)
def test_what_deploys(command: str, deploys: bool) -> None:
    assert facts.deploys_command(command) is deploys


@pytest.mark.parametrize(
    ("text", "prod"),
    [
        ("pulumi up -s prod", True),
        ("make plan STACK=prod", True),
        ("pulumi stack select 'prod'", True),
        ("${{ parameters.prodServiceConnection }}", True),
        ("pulumi up -s production-like", False),
        ("pulumi up -s staging", False),
    ],
)
def test_what_targets_prod(text: str, prod: bool) -> None:
    assert facts.targets_prod_command(text) is prod


@pytest.mark.parametrize(
    "line",
    [
        "creds: ${{ secrets.AZURE_CREDENTIALS }}",
        "client-secret: ${{ secrets.X }}",
        "ARM_CLIENT_SECRET: $(secret)",
        "az login --service-principal -u x --password y",
        "addSpnToEnvironment: true",
        "PULUMI_ACCESS_TOKEN: $(token)",
    ],
)
def test_stored_credential_markers_are_caught(line: str) -> None:
    assert facts.STORED_CREDENTIAL.search(line)


def test_federated_sign_in_is_not_a_stored_credential() -> None:
    for line in ("client-id: ${{ vars.AZURE_CLIENT_ID }}", "azureSubscription: x-dev"):
        assert not facts.STORED_CREDENTIAL.search(line)


@pytest.mark.parametrize(
    ("environment", "required"),
    [("dev", False), ("staging", True), ("prod", True), (None, True), ("qa", True)],
)
def test_which_environments_need_an_image_digest(environment: str | None, required: bool) -> None:
    assert facts.digest_required(environment) is required


HEX = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("image", "scanned"),
    [
        ("registry.azurecr.io/{repository}@sha256:{hex}", True),
        ("contosomlopsprod.azurecr.io/{repository}@sha256:{hex}", True),
        ("registry.azurecr.io/{repository}:1.0", False),
        ("registry.azurecr.io/{repository}:latest", False),
        ("registry.azurecr.io/{repository}", False),
        ("registry.azurecr.io/{repository}@sha256:{upper}", False),
        ("registry.azurecr.io/{repository}@sha256:{short}", False),
        ("registry.azurecr.io/{repository}-debug@sha256:{hex}", False),
        ("registry.azurecr.io/team/{repository}@sha256:{hex}", False),
        ("registry.azurecr.io/azureml/openmpi5.0-ubuntu24.04@sha256:{hex}", False),
        ("mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04@sha256:{hex}", False),
        ("docker.io/library/{repository}@sha256:{hex}", False),
        ("{repository}@sha256:{hex}", False),
        ("registry.azurecr.io.example.com/{repository}@sha256:{hex}", False),
        ("example.com/registry.azurecr.io/{repository}@sha256:{hex}", False),
    ],
)
def test_which_images_are_the_scanned_scoring_image_by_digest(image: str, scanned: bool) -> None:
    repository = facts.SCORING_IMAGE_REPOSITORY
    written = image.format(repository=repository, hex=HEX, upper=HEX.upper(), short=HEX[:-1])
    assert facts.scoring_image_by_digest(written) is scanned
    assert facts.scoring_image_by_digest(None) is False


def test_only_the_scoring_image_environment_is_a_scanned_reference() -> None:
    name = facts.SCORING_IMAGE_ENVIRONMENT
    assert facts.scoring_image_reference(f"azureml:{name}:1")
    assert facts.scoring_image_reference(f"azureml:{name}:12")
    refused = [
        f"azureml:{name}@latest",
        f"azureml:{name}",
        f"azureml:{name.removesuffix('-scoring-image')}-env:1",
        f"azureml:{name}-debug:1",
        f"azureml://registries/shared/environments/{name}/versions/1",
        {"image": f"registry.azurecr.io/{facts.SCORING_IMAGE_REPOSITORY}@sha256:{HEX}"},
        None,
    ]
    assert [ref for ref in refused if facts.scoring_image_reference(ref)] == []


def test_the_online_specs_register_and_reference_the_scoring_image_environment() -> None:
    online = ROOT / "pipelines" / "online"
    environment = yaml.safe_load((online / "image-environment.yml").read_text(encoding="utf-8"))
    assert environment["name"] == facts.SCORING_IMAGE_ENVIRONMENT
    assert facts.scoring_image_by_digest(environment["image"])
    for colour in ("blue", "green"):
        deployment = yaml.safe_load((online / f"{colour}.yml").read_text(encoding="utf-8"))
        assert facts.scoring_image_reference(deployment["environment"]), colour
{%- endraw %}
