{% raw -%}
"""Load, expand and check the Azure Pipelines in .azure-pipelines/ (pure data, no Azure)."""

from __future__ import annotations

import copy
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from policies.checkov.policy_facts import DEPLOY_COMMAND, PROD_COMMAND, STORED_CREDENTIAL

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PIPELINES_DIR = PROJECT_ROOT / ".azure-pipelines"
PIPELINES = ("ci.yml", "cd.yml", "drift.yml")
CHECK_JSONSCHEMA = PROJECT_ROOT / ".tools" / "ci" / "bin" / "check-jsonschema"
# check-jsonschema's own check-azure-pipelines flags: ${{ }} keys are unnested first, and the
# schema's regexes need the non-unicode variant.
AZURE_SCHEMA = (
    "--builtin-schema",
    "vendor.azure-pipelines",
    "--data-transform",
    "azure-pipelines",
    "--regex-variant",
    "nonunicode",
)
PARAMETER = re.compile(r"\$\{\{\s*parameters\.(\w+)\s*\}\}")
# `${{ if eq|ne(variables['Build.Reason'], 'X') }}:`, the one compile-time condition used here.
CONDITION = re.compile(
    r"\$\{\{\s*if\s+(eq|ne)\(\s*variables\['Build\.Reason'\]\s*,\s*'(\w+)'\s*\)\s*\}\}"
)
# Build.Reason of a pull-request validation run and of a push to main.
PULL_REQUEST, PUSH = "PullRequest", "IndividualCI"
LISTS = ("stages", "jobs", "steps")
# What deploys, what targets prod and what is a stored credential: policies/checkov/policy_facts.
DEPLOY = DEPLOY_COMMAND
PROD_STACK = PROD_COMMAND
FORBIDDEN = STORED_CREDENTIAL
CONNECTION_INPUTS = {
    "azuresubscription",
    "connectedservicenamearm",
    "azureresourcemanagerconnection",
}
AZURE_DEVOPS_CLI = re.compile(r"^az (pipelines|devops|extension)\b")
SERVICE_CONNECTION = re.compile(r"\$\{\{\s*parameters\.\w+\s*\}\}")
STAGE_CHAIN = [("Train", []), ("Dev", ["Train"]), ("Staging", ["Dev"]), ("Prod", ["Staging"])]

Node = Any
Pipeline = dict[str, Any]


class ExpansionError(ValueError):
    """A template reference Azure DevOps would refuse, or one this expander cannot evaluate."""


def load(path: Path) -> Pipeline:
    """One YAML file as data."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ExpansionError(f"{path}: not a mapping")
    return data


def template_files(root: Path = PIPELINES_DIR) -> list[Path]:
    """Every template under templates/."""
    return sorted((root / "templates").glob("*.yml"))


def validate(path: Path, checker: Path = CHECK_JSONSCHEMA) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with the vendored Azure Pipelines schema."""
    return subprocess.run(
        [str(checker), *AZURE_SCHEMA, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def parameter_values(declared: list[dict[str, Any]], given: dict[str, Any], where: str) -> dict:
    """Defaults overlaid with the given arguments, checked as Azure DevOps checks them."""
    names = {p["name"] for p in declared}
    if unknown := set(given) - names:
        raise ExpansionError(f"{where}: unexpected parameters {sorted(unknown)}")
    values: dict[str, Any] = {}
    for param in declared:
        name = param["name"]
        if name not in given and "default" not in param:
            raise ExpansionError(f"{where}: parameter {name!r} is required")
        value = given.get(name, param.get("default"))
        if "values" in param and value not in param["values"]:
            raise ExpansionError(f"{where}: {name}={value!r} is not one of {param['values']}")
        values[name] = value
    return values


def substitute(node: Node, params: dict[str, Any]) -> Node:
    """Replace ${{ parameters.x }}; a whole-value expression takes the value's own type."""
    if isinstance(node, str):
        whole = PARAMETER.fullmatch(node.strip())
        if whole:
            return copy.deepcopy(params[whole.group(1)])
        return PARAMETER.sub(lambda match: str(params[match.group(1)]), node)
    if isinstance(node, dict):
        return {substitute(key, params): substitute(value, params) for key, value in node.items()}
    if isinstance(node, list):
        items: list[Node] = []
        for item in node:
            value = substitute(item, params)
            spliced = isinstance(item, str) and isinstance(value, list)
            items.extend(value if spliced else [value])
        return items
    return node


def instantiate(reference: dict[str, Any], base: Path, reason: str = PUSH) -> list[Node]:
    """The stages, jobs or steps a `- template:` entry stands for, expanded in turn."""
    path = (base / reference["template"]).resolve()
    if not path.is_file():
        raise ExpansionError(f"{base}: template {reference['template']!r} does not exist")
    template = load(path)
    params = parameter_values(
        template.get("parameters", []), reference.get("parameters", {}), path.name
    )
    (kind,) = [key for key in LISTS if key in template]
    return expand_node(substitute(template[kind], params), path.parent, reason)


def holds(expression: str, reason: str) -> bool:
    """Whether a compile-time `${{ if ... }}` holds for a run of Build.Reason ``reason``."""
    found = CONDITION.fullmatch(expression.strip())
    if not found:
        raise ExpansionError(f"cannot evaluate {expression!r}: only Build.Reason eq/ne")
    return (found.group(2) == reason) == (found.group(1) == "eq")


def conditional(item: Node) -> str | None:
    """The `${{ if ... }}` key of a conditional list item, None for any other item."""
    if isinstance(item, dict) and len(item) == 1:
        (key,) = item
        if isinstance(key, str) and key.strip().startswith("${{ if"):
            return key
    return None


def expand_node(node: Node, base: Path, reason: str = PUSH) -> Node:
    """Replace every template reference and compile-time condition in a list with its items."""
    if isinstance(node, dict):
        return {key: expand_node(value, base, reason) for key, value in node.items()}
    if isinstance(node, list):
        items: list[Node] = []
        for item in node:
            if (key := conditional(item)) is not None:
                items.extend(expand_node(item[key], base, reason) if holds(key, reason) else [])
            elif isinstance(item, dict) and "template" in item:
                items.extend(instantiate(item, base, reason))
            else:
                items.append(expand_node(item, base, reason))
        return items
    return node


def expand(path: Path, reason: str = PUSH) -> Pipeline:
    """A pipeline as Azure DevOps compiles it for a run of Build.Reason ``reason``: parameters at
    their defaults, templates inlined, compile-time conditions applied."""
    pipeline = load(path)
    params = parameter_values(pipeline.get("parameters", []), {}, path.name)
    body = {key: value for key, value in pipeline.items() if key != "parameters"}
    expanded = expand_node(substitute(body, params), path.parent, reason)
    if leftover := [s for s in strings(expanded) if "${{" in s]:
        raise ExpansionError(f"{path.name}: expressions left after expansion: {leftover[:3]}")
    return expanded


def strings(node: Node) -> Iterator[str]:
    """Every string (keys and values) in a YAML tree."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def stages(pipeline: Pipeline) -> list[dict[str, Any]]:
    """The stages; a pipeline of bare jobs is one implicit stage."""
    return pipeline.get("stages") or [{"stage": "__default", "jobs": pipeline.get("jobs", [])}]


def job_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    """A job's steps, or a deployment job's steps in every lifecycle hook."""
    if "steps" in job:
        return list(job["steps"])
    hooks = [hook for strategy in job.get("strategy", {}).values() for hook in strategy.values()]
    return [step for hook in hooks if isinstance(hook, dict) for step in hook.get("steps", [])]


def script(step: dict[str, Any]) -> str:
    """The shell text a step runs."""
    keys = ("script", "bash", "powershell", "pwsh")
    inline = step.get("inputs", {}).get("inlineScript", "")
    return "\n".join([*(str(step.get(key, "")) for key in keys), inline])


def jobs_with_stage(pipeline: Pipeline) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(stage, job) for every job."""
    for stage in stages(pipeline):
        for job in stage.get("jobs", []):
            yield stage, job


def environment_name(job: dict[str, Any]) -> str:
    """The environment a deployment job targets (name, or the name part of name.resource)."""
    env = job.get("environment", "")
    name = env.get("name", "") if isinstance(env, dict) else str(env)
    return name.split(".")[0]


def touches_prod(node: Node) -> bool:
    """Names the prod stack, environment, variable group or service connection."""
    return any(s == "prod" or s.endswith("-prod") or PROD_STACK.search(s) for s in strings(node))


def deploying_jobs_without_environment(pipeline: Pipeline) -> list[str]:
    """Jobs that deploy (pulumi up, model registration, rollout) outside a deployment job."""
    return [
        f"{stage['stage']}.{job.get('job') or job.get('deployment')}"
        for stage, job in jobs_with_stage(pipeline)
        if any(DEPLOY.search(script(step)) for step in job_steps(job))
        and not ("deployment" in job and environment_name(job))
    ]


def prod_jobs_not_on_prod(pipeline: Pipeline) -> list[str]:
    """Deployment jobs that touch prod but target another environment."""
    return [
        f"{stage['stage']}.{job['deployment']} -> {environment_name(job)!r}"
        for stage, job in jobs_with_stage(pipeline)
        if "deployment" in job
        and touches_prod({**stage, "jobs": [job]})
        and environment_name(job) != "prod"
    ]


def stored_credentials(text: str) -> list[str]:
    """Lines naming a stored credential or a credential-bearing login."""
    return [line.strip() for line in text.splitlines() if FORBIDDEN.search(line)]


def token_in_scripts(pipeline: Pipeline) -> list[str]:
    """Steps whose script text holds the job token (it belongs in an env mapping only)."""
    steps = [step for _, job in jobs_with_stage(pipeline) for step in job_steps(job)]
    return [str(step.get("displayName")) for step in steps if "System.AccessToken" in script(step)]


def azure_access_outside_azure_cli(pipeline: Pipeline) -> list[str]:
    """Azure connections on tasks other than AzureCLI@2, and az calls in plain scripts."""
    problems = []
    for _, job in jobs_with_stage(pipeline):
        for step in job_steps(job):
            inputs = {key.lower() for key in step.get("inputs", {})}
            if inputs & CONNECTION_INPUTS and step.get("task") != "AzureCLI@2":
                problems.append(f"{step.get('task')}: Azure connection outside AzureCLI@2")
            if "task" not in step:
                problems += [
                    f"{step.get('displayName')}: {line.strip()}"
                    for line in script(step).splitlines()
                    if line.strip().startswith("az ") and not AZURE_DEVOPS_CLI.match(line.strip())
                ]
    return problems


def literal_service_connections(raw: Node) -> list[str]:
    """azureSubscription/serviceConnection values that are not a ${{ parameters.x }} name."""
    found: list[str] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            if key in ("azureSubscription", "serviceConnection") and not (
                isinstance(value, str) and SERVICE_CONNECTION.fullmatch(value.strip())
            ):
                found.append(f"{key}: {value!r}")
            found += literal_service_connections(value)
    elif isinstance(raw, list):
        for item in raw:
            found += literal_service_connections(item)
    return found


def connection_defaults(raw: Node) -> dict[str, str]:
    """A raw pipeline's service connection parameters (``*ServiceConnection``) and defaults."""
    return {
        p["name"]: p["default"]
        for p in raw.get("parameters", [])
        if p["name"].endswith("ServiceConnection") and "default" in p
    }


def job_connections(job: dict[str, Any]) -> set[str]:
    """The service connections a job's steps sign in with."""
    return {
        str(value)
        for step in job_steps(job)
        for key, value in step.get("inputs", {}).items()
        if key.lower() in CONNECTION_INPUTS
    }


def pool_name(job: dict[str, Any], pipeline: Pipeline) -> str:
    """The self-hosted pool a job runs on ('' for a Microsoft-hosted image)."""
    pool = job.get("pool", pipeline.get("pool", {}))
    return str(pool.get("name", "")) if isinstance(pool, dict) else str(pool)


def pull_request_credentials(pipeline: Pipeline, allowed: set[str], private_pool: str) -> list[str]:
    """What a pull-request run's jobs may not hold: any service connection but ``allowed`` (the
    read-only dev preview connection), the job's access token, the private agent pool."""
    problems = []
    for stage, job in jobs_with_stage(pipeline):
        name = f"{stage['stage']}.{job.get('job') or job.get('deployment')}"
        problems += [
            f"{name}: service connection {c}" for c in sorted(job_connections(job) - allowed)
        ]
        if any("System.AccessToken" in text for text in strings(job)):
            problems.append(f"{name}: System.AccessToken")
        if pool_name(job, pipeline) == private_pool:
            problems.append(f"{name}: private pool {private_pool}")
    return problems


def stage_chain(pipeline: Pipeline) -> list[tuple[str, list[str]]]:
    """(stage, dependsOn as a list) in file order."""
    chain = []
    for stage in pipeline.get("stages", []):
        depends = stage.get("dependsOn", [])
        chain.append((stage["stage"], [depends] if isinstance(depends, str) else list(depends)))
    return chain


def template_references(raw: Node) -> Iterator[str]:
    """Every `template:` value in a raw file."""
    if isinstance(raw, dict):
        if isinstance(raw.get("template"), str):
            yield raw["template"]
        for value in raw.values():
            yield from template_references(value)
    elif isinstance(raw, list):
        for item in raw:
            yield from template_references(item)


def missing_templates(root: Path = PIPELINES_DIR) -> list[str]:
    """References (relative to the referencing file, as Azure resolves them) to no file."""
    files = [root / name for name in PIPELINES] + template_files(root)
    return [
        f"{path.name} -> {ref}"
        for path in files
        for ref in template_references(load(path))
        if not (path.parent / ref).is_file()
    ]


def unused_templates(root: Path = PIPELINES_DIR) -> list[str]:
    """Templates no pipeline or template references (dead files)."""
    files = [root / name for name in PIPELINES] + template_files(root)
    used = {
        (path.parent / ref).resolve() for path in files for ref in template_references(load(path))
    }
    return [path.name for path in template_files(root) if path.resolve() not in used]
{%- endraw %}
