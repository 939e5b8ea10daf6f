"""The policy facts every gate shares, stated once: checkov's checks, the CI tests, infra/.

Standard library only, so that every environment can import it: checkov puts this folder on
``sys.path`` while it loads the checks (``from policy_facts import ...``), the project's tests and
gates import ``policies.checkov.policy_facts``, and the Pulumi program in ``infra/`` loads this
file by path (``mlops_infra/policy_facts.py``). Change a fact here and every gate follows.
"""

from __future__ import annotations

import re

ENVIRONMENTS = ("dev", "staging", "prod")
PROD = "prod"
# Only an immutable image@sha256:... may run here (AKS workloads and Azure ML deployments).
DIGEST_REQUIRED_IN = ("staging", "prod")
# The online endpoint takes only Entra tokens here, through private endpoints: no keys, no
# public network access (dev may keep keys).
PRIVATE_ENDPOINT_IN = ("staging", "prod")

# Azure ML online deployments run only the scanned scoring image: the environment registered from
# pipelines/online/image-environment.yml (referenced as azureml:<name>:<version>), whose image is
# the one CD builds, scans and pushes (repository <slug>, CI's IMAGE_REPOSITORY) to the stack's
# Azure Container Registry, by digest. Never an image Azure ML builds itself (conda_file, build),
# a tag, another registry's image or another repository (such as the imported MCR base images).
SCORING_IMAGE_ENVIRONMENT = "{{ cookiecutter.project_slug }}-scoring-image"
SCORING_IMAGE_REPOSITORY = "{{ cookiecutter.project_slug }}"
SCORING_IMAGE_REFERENCE = re.compile(rf"azureml:{re.escape(SCORING_IMAGE_ENVIRONMENT)}:[\w.-]+")
SCORING_IMAGE_BY_DIGEST = re.compile(
    r"[a-z0-9]{5,50}\.azurecr\.io/" + re.escape(SCORING_IMAGE_REPOSITORY) + r"@sha256:[0-9a-f]{64}"
)

# A command that deploys: infrastructure (`pulumi up`), the model (the CLI's `rollout` and
# `register-model`, or the `az ml` commands they wrap).
DEPLOY_COMMAND = re.compile(
    r"\bpulumi\s+up\b|\srollout\s|\brollout\s+--|\bregister-model\b"
    r"|\baz\s+ml\s+(model\s+create|online-deployment\s+(create|update)|online-endpoint\s+update)\b"
    r"|\bonline-deployment\s+(create|update)\b"
)
# A command that targets prod: the prod stack or the prod service connection.
PROD_COMMAND = re.compile(
    r"(--stack|-s|stack\s+select|STACK=)\s*[\"']?prod\b|prodServiceConnection"
)

# Markers of a stored (long-lived) credential in a CI definition: sign-in is federated only.
STORED_CREDENTIAL = re.compile(
    r"AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|AZURE_CREDENTIALS|servicePrincipalKey"
    r"|addSpnToEnvironment|AZURE_STORAGE_KEY|AZURE_STORAGE_SAS_TOKEN|PULUMI_CONFIG_PASSPHRASE"
    r"|PULUMI_ACCESS_TOKEN|client[-_]?secret|\bcreds:|\baz\s+login\b|--password\b",
    re.IGNORECASE,
)
# The Azure DevOps job token: never in a pull-request run, never echoed by a script.
JOB_TOKEN = "System.AccessToken"  # noqa: S105  # nosec B105 - a variable name, not a secret
# Deploy service connections: by template parameter, or a literal name ending in the env.
DEPLOY_CONNECTION_PARAMETER = re.compile(r"\bparameters\.(dev|staging|prod)ServiceConnection\b")
DEPLOY_CONNECTION_NAME = re.compile(r"-(dev|staging|prod)$")

# Generated or vendored folders no gate scans: these names anywhere, these at the root only.
GENERATED_ANYWHERE = (
    ".venv",
    "venv",
    ".tools",
    ".git",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
)
GENERATED_AT_ROOT = ("build", "mlartifacts", "mlflow.db")


def deploys_command(text: str) -> bool:
    """``text`` runs a deployment (DEPLOY_COMMAND)."""
    return bool(DEPLOY_COMMAND.search(f" {text} "))


def targets_prod_command(text: str) -> bool:
    """``text`` selects the prod stack or uses the prod service connection."""
    return bool(PROD_COMMAND.search(text))


def _strict(environment: str | None, strict_in: tuple[str, ...]) -> bool:
    return environment not in ENVIRONMENTS or environment in strict_in


def digest_required(environment: str | None) -> bool:
    """Whether ``environment`` may run only images by digest (none or unknown: required)."""
    return _strict(environment, DIGEST_REQUIRED_IN)


def private_endpoint_required(environment: str | None) -> bool:
    """Whether ``environment``'s online endpoint must be private and token-only (none: yes)."""
    return _strict(environment, PRIVATE_ENDPOINT_IN)


def scoring_image_reference(environment: object) -> bool:
    """``environment`` names the scoring image environment (``azureml:<name>:<version>``)."""
    return isinstance(environment, str) and bool(SCORING_IMAGE_REFERENCE.fullmatch(environment))


def scoring_image_by_digest(image: object) -> bool:
    """``image`` is ``<registry>.azurecr.io/<SCORING_IMAGE_REPOSITORY>@sha256:<64 hex>``."""
    return isinstance(image, str) and bool(SCORING_IMAGE_BY_DIGEST.fullmatch(image))
