"""Every Azure ML YAML in pipelines/ loads with azure-ai-ml's own loaders and says what we mean."""

from __future__ import annotations

import ast
import io
import itertools
import json
import os
import re
import subprocess
import sys
import tomllib
from argparse import Namespace
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from azure.ai.ml import (
    load_batch_endpoint,
    load_component,
    load_environment,
    load_job,
    load_online_deployment,
    load_online_endpoint,
    load_workspace_connection,
)
from marshmallow.exceptions import ValidationError
from policies import build_sources

from {{ cookiecutter.package_name }}.deploy.image_environment import parse_image
from {{ cookiecutter.package_name }}.deploy.monitor_spec import ml_task
from {{ cookiecutter.package_name }}.lifecycle.bundled import load_bundled
from {{ cookiecutter.package_name }}.serving.image_entry import AZUREML_PORT, SERVER_ENV
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

try:
    from azure.ai.ml import load_model_batch_deployment, load_schedule
except ImportError:  # azure-ai-ml 1.35 keeps them out of the package namespace
    from azure.ai.ml.entities._load_functions import load_model_batch_deployment, load_schedule

ROOT = Path(__file__).resolve().parents[1]
PIPELINES = ROOT / "pipelines"
SRC = ROOT / "src"
PACKAGE = "{{ cookiecutter.package_name }}"
# Registered from the `package` output.
SERVING_MODEL = "{{ cookiecutter.project_slug }}-serving"
STEPS = ("prep", "train", "evaluate", "register", "promote")
SCHEMAS = {
    "environment.yml": "environment",
    "online/endpoint.yml": "managedOnlineEndpoint",
    "online/endpoint.dev.yml": "managedOnlineEndpoint",
    "online/blue.yml": "managedOnlineDeployment",
    "online/green.yml": "managedOnlineDeployment",
    "online/image-environment.yml": "environment",
    "batch/endpoint.yml": "batchEndpoint",
    "batch/deployment.yml": "batchDeployment",
    "training/pipeline.yml": "pipelineJob",
    **{f"training/components/{step}.yml": "commandComponent" for step in STEPS},
    "monitoring/monitor.yml": "schedule",
}
# Exported from their uv locks by `make lock` (tests/test_azureml_pins.py).
CONDA_FILES = ("conda.yml", "batch/conda.yml")
# The workspace connection to the quarantine feed (no $schema line: the CLI has none for it).
FEED_CONNECTION = "feed-connection.yml"
TEMPLATED = {"training/pipeline.yml", *(f"training/components/{step}.yml" for step in STEPS)}
OPEN, CLOSE = "$" + "{" * 2, "}" * 2  # spelled apart so a Jinja template copies this file as is
BINDING = re.compile(r"\$\{\{(inputs|outputs)\.(\w+)\}\}")
PARENT_JOB = re.compile(r"^\$\{\{parent\.jobs\.([\w-]+)\.outputs\.\w+\}\}$")
Loader = Callable[..., Any]
COLLECTIONS = ("model_inputs", "model_outputs")
DRIFT_SIGNALS = {"data_drift", "prediction_drift"}
# Serverless Spark sizes that Azure ML model monitoring runs on.
SPARK_SIZES = {f"standard_e{n}s_v3" for n in (4, 8, 16, 32, 64)}
MONITOR = "monitoring/monitor.yml"


def raw(relative: str) -> dict[str, Any]:
    """A YAML file under pipelines/ as a plain dict."""
    return yaml.safe_load((PIPELINES / relative).read_text(encoding="utf-8"))


def load_text(loader: Loader, relative: str, data: dict[str, Any]) -> Any:
    """Load `data` as if it were the file `relative` (relative paths resolve beside it)."""
    text = io.StringIO(yaml.safe_dump(data, sort_keys=False))
    return loader(text, relative_origin=str(PIPELINES / relative))


def env_ref() -> str:
    """name:version of the registered environment, as the SDK shows references to it."""
    spec = load_environment(PIPELINES / "environment.yml")
    return f"{spec.name}:{spec.version}"


def image_env_ref() -> str:
    """name:version of the scanned scoring image's environment, as the SDK shows it."""
    spec = load_environment(PIPELINES / "online/image-environment.yml")
    return f"{spec.name}:{spec.version}"


def beside(relative: str, path: str) -> Path:
    """`path` as written in pipelines/`relative`, resolved against that file's folder."""
    return ((PIPELINES / relative).parent / path).resolve()


def code_problems(relative: str, code: str, script: str | None = None) -> list[str]:
    """Why a code folder (and its entry script) would not upload the project package."""
    folder = beside(relative, code)
    problems = [] if folder == SRC else [f"{relative}: code {code} is {folder}, not {SRC}"]
    if script is not None and not (folder / script).is_file():
        problems.append(f"{relative}: entry script {script} is not in {folder}")
    return problems


def online_problems(relative: str, deployment: Any) -> list[str]:
    """What is wrong with a managed online deployment beyond the SDK's schema."""
    problems = []
    if deployment.code_configuration is not None:
        problems.append(f"{relative}: code_configuration: the scanned image carries the code")
    expected = {
        "name": Path(relative).stem,
        "endpoint_name": raw("online/endpoint.yml")["name"],
        "model": f"{SERVING_MODEL}:1",  # the SDK drops the azureml: prefix
        "environment": image_env_ref(),
        "environment_variables": {SERVER_ENV: "azureml"},
        "app_insights_enabled": True,
    }
    for field, value in expected.items():
        if getattr(deployment, field) != value:
            problems.append(f"{relative}: {field} is {getattr(deployment, field)!r}, not {value!r}")
    collector = deployment.data_collector
    collections = collector.collections if collector else {}
    for name in COLLECTIONS:
        if name not in collections or collections[name].enabled != "true":
            problems.append(f"{relative}: the data collector does not collect {name}")
    return problems


def component_problems(step: str, component: Any) -> list[str]:
    """What is wrong with a step's command component beyond the SDK's schema."""
    relative = f"training/components/{step}.yml"
    problems = code_problems(relative, component.code)
    command = " ".join(component.command.split())
    if f"python -m {PACKAGE} {step} " not in f"{command} " or "--json" not in command:
        problems.append(f"{relative}: the command does not run `python -m {PACKAGE} {step} --json`")
    used = {name for _, name in BINDING.findall(command)}
    declared = {*component.inputs, *component.outputs}
    if used != declared:
        problems.append(f"{relative}: command uses {sorted(used)}, declares {sorted(declared)}")
    for name, spec in component.inputs.items():
        wrapped = r"\$\[\[[^\]]*" + re.escape(f"{OPEN}inputs.{name}{CLOSE}")
        if spec.optional and not re.search(wrapped, command):
            problems.append(f"{relative}: optional input {name} is not inside $[[...]]")
    if component.environment != env_ref():
        problems.append(f"{relative}: environment {component.environment}, not {env_ref()}")
    contract = load_settings(ROOT).contract_path
    includes = [beside(relative, path) for path in component.additional_includes or []]
    if includes != [ROOT / "mlops.toml", contract]:
        problems.append(f"{relative}: additional_includes {includes} is not [mlops.toml, contract]")
    placed = f"cp {contract.name} {contract.relative_to(ROOT)}"  # from the snapshot's root
    if placed not in command.split(" && python -m")[0]:
        problems.append(f"{relative}: the command does not `{placed}` before the CLI runs")
    return problems


def pipeline_problems(data: dict[str, Any]) -> list[str]:
    """What is wrong with the pipeline's wiring: components, order and experiment."""
    problems = []
    experiment = tomllib.loads((ROOT / "mlops.toml").read_text(encoding="utf-8"))["tracking"]
    if data.get("experiment_name") != experiment["experiment"]:
        problems.append(f"experiment_name must be {experiment['experiment']!r} (mlops.toml)")
    jobs = data["jobs"]
    if list(jobs) != list(STEPS):
        problems.append(f"jobs are {list(jobs)}, expected {list(STEPS)}")
    for step, job in jobs.items():
        component = beside("training/pipeline.yml", str(job["component"]))
        if component != PIPELINES / "training" / "components" / f"{step}.yml":
            problems.append(f"job {step} runs {component}")
    for earlier, later in itertools.pairwise(STEPS):
        bound = [PARENT_JOB.match(str(v)) for v in jobs.get(later, {}).get("inputs", {}).values()]
        if earlier not in {match.group(1) for match in bound if match}:
            problems.append(f"{later} takes no output of {earlier}, so it may run before it")
    return problems


def monitor_target_problems(target: Any, settings: Settings) -> list[str]:
    """Why a monitor's target is not a deployment of our endpoint that collects its data."""
    endpoint, _, deployment = (
        str(target.endpoint_deployment_id).removeprefix("azureml:").partition(":")
    )
    ours = raw("online/endpoint.yml")["name"]
    deployments = {raw(f"online/{colour}.yml")["name"] for colour in ("blue", "green")}
    problems = [] if endpoint == ours else [f"monitors endpoint {endpoint!r}, not {ours!r}"]
    if deployment not in deployments:
        problems.append(f"monitors deployment {deployment!r}, not one of {sorted(deployments)}")
    else:
        relative = f"online/{deployment}.yml"
        collector = load_online_deployment(PIPELINES / relative).data_collector
        if {name for name in COLLECTIONS if collector.collections[name].enabled == "true"} != {
            *COLLECTIONS
        }:
            problems.append(f"{relative} does not collect {COLLECTIONS}: nothing to monitor")
    task = ml_task(settings.contract)
    if target.ml_task.lower() != task:
        problems.append(f"ml_task is {target.ml_task!r}, not {task} (the contract's task)")
    return problems


def reference_problems(name: str, reference: Any, target: str) -> list[str]:
    """Why a signal's reference data is not the training split the pipeline registers."""
    asset = raw("training/pipeline.yml")["outputs"]["reference_data"]["name"]
    expected = {
        "path": f"{asset}@latest",
        "type": "mltable",
        "data_context": "training",
        "target_column": target,  # what the entry script names the collected predictions
    }
    found = {
        "path": reference.input_data.path.removeprefix("azureml:"),
        "type": reference.input_data.type,
        "data_context": reference.data_context,
        "target_column": (reference.data_column_names or {}).get("target_column"),
    }
    return [
        f"{name}: reference {key} is {found[key]!r}, not {value!r}"
        for key, value in expected.items()
        if found[key] != value
    ]


def threshold_problems(name: str, thresholds: Any, psi: float) -> list[str]:
    """Why a signal would not alert on the population stability index of mlops.toml."""
    if thresholds is None:
        return [f"{name}: no metric_thresholds"]
    problems = []
    for kind in ("numerical", "categorical"):
        metrics = vars(getattr(thresholds, kind) or Namespace())
        chosen = {key: value for key, value in metrics.items() if value and "metric" not in key}
        if chosen != {"population_stability_index": psi}:  # the SDK sends only one metric
            problems.append(f"{name}: {kind} thresholds are {chosen}, not PSI {psi}")
    return problems


def monitor_problems(schedule: Any, settings: Settings) -> list[str]:
    """What is wrong with the drift monitor beyond the SDK's schema."""
    monitor = schedule.create_monitor
    problems = monitor_target_problems(monitor.monitoring_target, settings)
    if monitor.compute.instance_type.lower() not in SPARK_SIZES:
        problems.append(f"compute {monitor.compute.instance_type} is not a monitoring Spark size")
    signals = monitor.monitoring_signals or {}
    types = sorted(str(signal.type.value) for signal in signals.values())
    if types != sorted(DRIFT_SIGNALS):
        problems.append(f"signal types are {types}, expected {sorted(DRIFT_SIGNALS)}")
    psi = settings.monitoring.drift.psi_threshold
    for name, signal in signals.items():
        if signal.production_data is not None:
            problems.append(
                f"{name}: production_data is set; the deployment's collector supplies it"
            )
        problems += reference_problems(name, signal.reference_data, settings.contract.target.column)
        problems += threshold_problems(name, signal.metric_thresholds, psi)
        if not signal.alert_enabled:
            problems.append(f"{name}: alerts are off")
    if not monitor.alert_notification or not monitor.alert_notification.emails:
        problems.append("alert_notification has no emails")
    return problems


@pytest.mark.parametrize(("relative", "schema"), SCHEMAS.items())
def test_schema_line(relative: str, schema: str) -> None:
    first = (PIPELINES / relative).read_text(encoding="utf-8").splitlines()[0]
    assert first == f"$schema: https://azuremlschemas.azureedge.net/latest/{schema}.schema.json"


def test_every_yaml_file_is_checked() -> None:
    found = {str(path.relative_to(PIPELINES)) for path in PIPELINES.rglob("*.yml")}
    assert found == set(SCHEMAS) | set(CONDA_FILES) | {FEED_CONNECTION}


def test_template_placeholders_only_where_expected() -> None:
    found = {
        str(p.relative_to(PIPELINES)) for p in PIPELINES.rglob("*.yml") if OPEN in p.read_text()
    }
    assert found == TEMPLATED


def test_environment() -> None:
    spec: Any = load_environment(PIPELINES / "environment.yml")  # the SDK types are loose
    assert (spec.name, spec.version) == ("{{ cookiecutter.project_slug }}-env", "1")
    assert spec.image.startswith("mcr.microsoft.com/azureml/")
    assert "ubuntu" in spec.image
    python = (ROOT / ".python-version").read_text(encoding="utf-8").strip()
    assert f"python={python}" in spec.conda_file["dependencies"]


def test_the_online_deployments_run_the_scanned_image_without_an_azure_ml_build() -> None:
    spec: Any = load_environment(PIPELINES / "online/image-environment.yml")
    assert (spec.name, spec.conda_file, spec.build) == (image_env_ref().split(":")[0], None, None)
    assert parse_image(spec.image)["repository"] == "{{ cookiecutter.project_slug }}"
    routes = spec.inference_config
    served = {(r.port, r.path) for r in (routes.liveness_route, routes.readiness_route)}
    assert served == {(AZUREML_PORT, "/")}  # azmlinfsrv answers GET / once the model is loaded
    assert (routes.scoring_route.port, routes.scoring_route.path) == (AZUREML_PORT, "/score")
    assert spec._to_rest_object().properties.inference_config.scoring_route.port == AZUREML_PORT


@pytest.mark.parametrize(
    ("relative", "auth_mode", "public_access", "environment"),
    [
        ("online/endpoint.yml", "aad_token", "disabled", None),  # staging and prod
        ("online/endpoint.dev.yml", "key", "enabled", "dev"),
    ],
)
def test_online_endpoint(
    relative: str, auth_mode: str, public_access: str, environment: str | None
) -> None:
    endpoint = load_online_endpoint(PIPELINES / relative)
    assert endpoint.name == "{{ cookiecutter.project_slug }}-online"
    assert (endpoint.auth_mode, endpoint.public_network_access) == (auth_mode, public_access)
    assert endpoint.tags.get("environment") == environment
    assert not endpoint.traffic
    assert not endpoint.mirror_traffic


def test_the_staging_and_prod_endpoint_spec_becomes_a_private_token_only_endpoint() -> None:
    rest = load_online_endpoint(PIPELINES / "online/endpoint.yml")._to_rest_online_endpoint("x")
    assert rest.properties.auth_mode == "AADToken"
    assert rest.properties.public_network_access.lower() == "disabled"


def test_the_rollout_invokes_an_aad_token_endpoint_with_an_entra_token_not_a_key() -> None:
    """`az ml online-endpoint invoke` (the rollout's smoke test and probes, `smoke-test`) asks the
    SDK for the endpoint's credentials: for aad_token an Entra token for https://ml.azure.com."""
    from azure.ai.ml.operations import OnlineEndpointOperations

    class Credential:
        scopes: tuple[str, ...] = ()

        def get_token(self, *scopes: str) -> object:
            Credential.scopes = scopes
            return type("Token", (), {"token": "entra", "expires_on": 0})()

    class Control:
        def list_keys(self, **_: object) -> object:
            raise AssertionError("keys were fetched for an aad_token endpoint")

    operations = object.__new__(OnlineEndpointOperations)
    operations.__dict__.update(_credentials=Credential(), _online_operation=Control())
    token = operations._get_online_credentials(name="e", auth_mode="AADToken")
    assert (token.access_token, Credential.scopes) == ("entra", ("https://ml.azure.com/.default",))


@pytest.mark.parametrize("colour", ["blue", "green"])
def test_online_deployment(colour: str) -> None:
    relative = f"online/{colour}.yml"
    deployment: Any = load_online_deployment(PIPELINES / relative)
    assert online_problems(relative, deployment) == []
    assert deployment.instance_type == "Standard_DS3_v2"
    assert deployment.instance_count >= 1
    settings = deployment.request_settings
    assert settings.request_timeout_ms > 0
    assert settings.max_concurrent_requests_per_instance >= 1
    assert deployment.liveness_probe.period
    assert deployment.readiness_probe.period


def test_blue_and_green_differ_only_in_name() -> None:
    blue, green = raw("online/blue.yml"), raw("online/green.yml")
    assert (blue.pop("name"), green.pop("name")) == ("blue", "green")
    assert blue == green  # roles swap after each rollout, so either must be able to serve


@pytest.mark.parametrize("script", ["serving/azureml_online.py", "batch/azureml_batch.py"])
def test_entry_scripts_define_init_and_run(script: str) -> None:
    tree = ast.parse((SRC / PACKAGE / script).read_text(encoding="utf-8"))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"init", "run"} <= functions


def test_batch_endpoint() -> None:
    endpoint = load_batch_endpoint(PIPELINES / "batch/endpoint.yml")
    assert endpoint.name == "{{ cookiecutter.project_slug }}-batch"


def test_batch_deployment() -> None:
    relative = "batch/deployment.yml"
    deployment = load_model_batch_deployment(PIPELINES / relative)
    config = deployment.code_configuration
    assert code_problems(relative, config.code, config.scoring_script) == []
    assert config.scoring_script == f"{PACKAGE}/batch/azureml_batch.py"
    assert (deployment.type, deployment.compute) == ("model", "cpu-cluster")
    assert deployment.endpoint_name == raw("batch/endpoint.yml")["name"]
    assert deployment.model == f"{SERVING_MODEL}:1"
    settings = deployment.settings
    assert settings.output_action == "summary_only"  # the entry writes the Parquet outputs
    assert settings.mini_batch_size >= 1
    assert settings.retry_settings.max_retries >= 1
    assert settings.error_threshold is not None
    assert settings.logging_level == "info"
    assert "azureml-core" in str(deployment.environment.conda_file)


@pytest.mark.parametrize("step", STEPS)
def test_component_runs_the_project_cli(step: str) -> None:
    component = load_component(PIPELINES / "training" / "components" / f"{step}.yml")
    assert component.type == "command"
    assert component.name == f"{PACKAGE}_{step}"
    assert component_problems(step, component) == []
    assert component._validate().passed  # what `az ml job create` checks before uploading


def test_pipeline_job_references_each_component() -> None:
    job: Any = load_job(PIPELINES / "training/pipeline.yml")
    assert job.type == "pipeline"
    assert job.settings.default_compute == "cpu-cluster"
    assert pipeline_problems(raw("training/pipeline.yml")) == []
    for step in STEPS:
        component: Any = load_component(PIPELINES / "training" / "components" / f"{step}.yml")
        assert job.jobs[step].component.command == component.command
    assert job._validate().passed


def test_documented_overrides_load() -> None:
    overrides: list[dict[str, Any]] = [
        {"jobs.prep.inputs.raw_data": {"type": "uri_file", "path": "azureml:my-data:1"}},
        {"jobs.train.inputs.n_estimators": 300},
        {"inputs.reason": "weekly retrain"},
    ]
    job: Any = load_job(PIPELINES / "training/pipeline.yml", params_override=overrides)
    assert job._validate().passed


UNWRAPPED_OPTIONALS = " ".join(
    [
        f"cp -r {OPEN}inputs.processed{CLOSE}/. data/processed/ &&",
        f"python -m {PACKAGE} train --param n_estimators={OPEN}inputs.n_estimators{CLOSE}",
        f"--param max_depth={OPEN}inputs.max_depth{CLOSE}",
        f"--json > {OPEN}outputs.summary{CLOSE}/t.json",
    ]
)


DROP = object()  # set_in's value that removes the key


def set_in(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set data[a][b]... = value for a dotted key (or remove it for DROP); return data."""
    *parents, last = dotted.split(".")
    target = data
    for key in parents:
        target = target[key]
    if value is DROP:
        del target[last]
    else:
        target[last] = value
    return data


SCHEMA_MUTANTS = [
    (load_online_deployment, "online/blue.yml", "instance_count", "many"),
    (load_online_deployment, "online/green.yml", "request_settings.request_timeout_ms", "soon"),
    (load_online_endpoint, "online/endpoint.yml", "auth_mode", "password"),
    (load_model_batch_deployment, "batch/deployment.yml", "settings.output_action", "append"),
    (load_batch_endpoint, "batch/endpoint.yml", "auth_mode", "password"),
    (load_environment, "environment.yml", "imagez", "ubuntu"),
    (load_environment, "online/image-environment.yml", "inference_config.scoring_route.port", "x"),
    (load_component, "training/components/train.yml", "inputs.max_depth.type", "integr"),
    (load_job, "training/pipeline.yml", "jobs.train.type", "comand"),
    (load_job, "training/pipeline.yml", "jobs.promote.component", "./components/missing.yml"),
]


@pytest.mark.parametrize(("loader", "relative", "key", "value"), SCHEMA_MUTANTS)
def test_sdk_rejects_a_broken_copy(loader: Loader, relative: str, key: str, value: str) -> None:
    load_text(loader, relative, raw(relative))  # the unbroken copy loads from the same place
    with pytest.raises((ValidationError, ValueError)):
        load_text(loader, relative, set_in(raw(relative), key, value))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("code_configuration", {"code": "../../src", "scoring_script": "score.py"}),
        ("environment", "azureml:{{ cookiecutter.project_slug }}-env:1"),
        ("environment_variables", {SERVER_ENV: "project"}),
        ("endpoint_name", "another-endpoint"),
        ("app_insights_enabled", False),
    ],
)
def test_online_checks_catch_a_broken_copy(key: str, value: Any) -> None:
    deployment = load_text(load_online_deployment, "online/green.yml", raw("online/green.yml"))
    assert online_problems("online/green.yml", deployment) == []
    broken = load_text(
        load_online_deployment, "online/green.yml", set_in(raw("online/green.yml"), key, value)
    )
    assert online_problems("online/green.yml", broken)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("command", "python train.py --json"),
        # inputs unused
        ("command", "python -m {{ cookiecutter.package_name }} train --json"),
        ("command", UNWRAPPED_OPTIONALS),
        ("code", "../.."),
        ("environment", "azureml:{{ cookiecutter.project_slug }}-env:2"),
        ("additional_includes", []),
        ("additional_includes", ["../../../mlops.toml"]),
    ],
)
def test_component_checks_catch_a_broken_copy(key: str, value: Any) -> None:
    relative = "training/components/train.yml"
    broken = load_text(load_component, relative, set_in(raw(relative), key, value))
    assert component_problems("train", broken)


def test_component_checks_catch_a_step_that_leaves_the_contract_out_of_place() -> None:
    relative = "training/components/train.yml"
    data = raw(relative)
    data["command"] = data["command"].replace("cp contract.yaml data/contract.yaml && ", "")
    assert data["command"] != raw(relative)["command"]
    broken = load_text(load_component, relative, data)
    placed = "cp contract.yaml data/contract.yaml"
    assert component_problems("train", broken) == [
        f"{relative}: the command does not `{placed}` before the CLI runs"
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("experiment_name", "Default"),
        ("jobs.evaluate.inputs.after", f"{OPEN}parent.jobs.prep.outputs.processed{CLOSE}"),
        ("jobs.register.component", "./components/promote.yml"),
    ],
)
def test_pipeline_checks_catch_a_broken_copy(key: str, value: str) -> None:
    broken = set_in(raw("training/pipeline.yml"), key, value)
    load_text(load_job, "training/pipeline.yml", broken)  # still valid for the SDK
    assert pipeline_problems(broken)


def test_drift_monitor() -> None:
    schedule: Any = load_schedule(PIPELINES / MONITOR)
    assert schedule.name == "{{ cookiecutter.project_slug }}-drift"
    assert (schedule.trigger.frequency, schedule.trigger.interval) == ("day", 1)
    assert monitor_problems(schedule, load_settings(ROOT)) == []
    assert schedule._to_rest_object()  # what `az ml schedule create` sends, minus asset lookups


@pytest.mark.parametrize("colour", ["blue", "green"])
def test_drift_monitor_follows_the_live_deployment(colour: str) -> None:
    target = f"azureml:{raw('online/endpoint.yml')['name']}:{colour}"
    override = [{"create_monitor.monitoring_target.endpoint_deployment_id": target}]
    schedule: Any = load_schedule(PIPELINES / MONITOR, params_override=override)
    assert schedule.create_monitor.monitoring_target.endpoint_deployment_id == target
    assert monitor_problems(schedule, load_settings(ROOT)) == []


SIGNALS = "create_monitor.monitoring_signals"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("create_monitor.monitoring_target.endpoint_deployment_id", "azureml:other-online:blue"),
        (
            "create_monitor.monitoring_target.endpoint_deployment_id",
            "azureml:{{ cookiecutter.project_slug }}-online:red",
        ),
        ("create_monitor.compute.instance_type", "standard_ds3_v2"),
        (f"{SIGNALS}.data_drift.metric_thresholds", DROP),
        (f"{SIGNALS}.data_drift.metric_thresholds.numerical.population_stability_index", 0.3),
        # the SDK would send only the Jensen-Shannon threshold
        (f"{SIGNALS}.prediction_drift.metric_thresholds.numerical.jensen_shannon_distance", 0.1),
        (f"{SIGNALS}.prediction_drift.metric_thresholds.categorical", DROP),
        (f"{SIGNALS}.data_drift.reference_data.input_data.path", "azureml:other-data@latest"),
        (f"{SIGNALS}.data_drift.reference_data.input_data.type", "uri_folder"),
        (
            f"{SIGNALS}.prediction_drift.reference_data.data_column_names.target_column",
            "not_the_contract_target",
        ),
        (f"{SIGNALS}.prediction_drift.reference_data.data_context", "validation"),
        (f"{SIGNALS}.prediction_drift.type", "data_drift"),
        (f"{SIGNALS}.data_drift.alert_enabled", False),
        (
            f"{SIGNALS}.data_drift.production_data",
            {
                "input_data": {"path": "azureml:x:1", "type": "uri_folder"},
                "data_context": "model_inputs",
            },
        ),
        ("create_monitor.alert_notification.emails", []),
    ],
)
def test_monitor_checks_catch_a_broken_copy(key: str, value: Any) -> None:
    settings = load_settings(ROOT)
    assert monitor_problems(load_text(load_schedule, MONITOR, raw(MONITOR)), settings) == []
    broken = load_text(load_schedule, MONITOR, set_in(raw(MONITOR), key, value))
    assert monitor_problems(broken, settings)


def test_monitor_checks_catch_a_task_that_is_not_the_contracts() -> None:
    settings = load_settings(ROOT)
    task = ml_task(settings.contract)
    wrong = next(other for other in ("regression", "classification") if other != task)
    key = "create_monitor.monitoring_target.ml_task"
    broken = load_text(load_schedule, MONITOR, set_in(raw(MONITOR), key, wrong))
    assert monitor_problems(broken, settings) == [
        f"ml_task is {wrong!r}, not {task} (the contract's task)"
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (f"{SIGNALS}.data_drift.type", "data_drfit"),
        (f"{SIGNALS}.data_drift.metric_thresholds", None),
        (f"{SIGNALS}.data_drift.metric_thresholds.numerical.psi", 0.2),
        ("trigger.frequency", "fortnight"),
        ("create_monitor.alert_notification.emails", "ops@example.com"),
    ],
)
def test_sdk_rejects_a_broken_monitor(key: str, value: Any) -> None:
    load_text(load_schedule, MONITOR, raw(MONITOR))
    # azure-ai-ml 1.35 reports a schedule's schema errors as NotImplementedError (its error path
    # has no validation schema for schedules); either way `az ml schedule create` refuses.
    with pytest.raises((ValidationError, ValueError, NotImplementedError)):
        load_text(load_schedule, MONITOR, set_in(raw(MONITOR), key, value))


def test_monitor_checks_catch_a_deployment_that_collects_nothing() -> None:
    data = set_in(
        raw("online/green.yml"), "data_collector.collections.model_outputs.enabled", "false"
    )
    deployment = load_text(load_online_deployment, "online/green.yml", data)
    assert online_problems("online/green.yml", deployment) == [
        "online/green.yml: the data collector does not collect model_outputs"
    ]


@contextmanager
def snapshot(component: Any) -> Iterator[Path]:
    """The component's code snapshot as the SDK uploads it: code plus additional_includes."""
    with component._build_code() as code:
        yield Path(code.path)


def bound_command(component: Any, values: dict[str, str]) -> str:
    """The command as Azure ML runs it: bindings filled in, $[[...]] parts without a value gone."""

    def optional(match: re.Match[str]) -> str:
        names = [name for _, name in BINDING.findall(match[1])]
        return match[1] if all(name in values for name in names) else ""

    command = re.sub(r"\$\[\[(.*?)\]\]", optional, component.command)
    return BINDING.sub(lambda match: values[match[2]], command)


def run_step_command(step: str, values: dict[str, str], python: str, tmp_path: Path) -> None:
    """Run a component's command in its snapshot, `python` the body of the interpreter's shim."""
    component: Any = load_component(PIPELINES / "training" / "components" / f"{step}.yml")
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python").write_text(f"#!/bin/sh\n{python}\n", encoding="utf-8")
    (shims / "python").chmod(0o755)
    env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}"}
    with snapshot(component) as folder:
        done = subprocess.run(
            ["bash", "-c", bound_command(component, values)],  # noqa: S607
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def folders(tmp_path: Path, names: Iterable[str]) -> dict[str, str]:
    """An empty folder per name under tmp_path."""
    for name in names:
        (tmp_path / name).mkdir()
    return {name: str(tmp_path / name) for name in names}


@pytest.mark.parametrize("raw_data", [None, ".csv", ".parquet"])
def test_prep_writes_the_training_split_as_an_mltable_in_its_snapshot(
    tmp_path: Path, raw_data: str | None
) -> None:
    project = load_settings(ROOT)
    values = folders(tmp_path, ["processed", "reference"])
    if raw_data is not None:  # the optional raw_data input: a CSV or Parquet file
        source = tmp_path / f"raw{raw_data}"
        data = load_bundled(project.data_source)
        if raw_data == ".csv":
            data.to_csv(source, index=False)
        else:
            data.to_parquet(source)
        values["raw_data"] = str(source)
    run_step_command("prep", values, f'exec {sys.executable} "$@"', tmp_path)
    outputs = {name: Path(values[name]) for name in ("processed", "reference")}
    table = yaml.safe_load((outputs["reference"] / "MLTable").read_text(encoding="utf-8"))
    assert table == {"paths": [{"file": "./train.parquet"}], "transformations": ["read_parquet"]}
    train = pd.read_parquet(outputs["reference"] / "train.parquet")
    assert train.equals(pd.read_parquet(outputs["processed"] / "train.parquet"))
    contract = project.contract
    assert {*contract.feature_names, contract.target.column} <= set(train.columns)
    manifest = json.loads((outputs["processed"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"].endswith(raw_data or project.data_source)


# What a step's settings see: stands in for the project CLI in the step's snapshot.
PROBE = (
    "import json, sys; "
    "from {{ cookiecutter.package_name }}.settings import load_settings; "
    "print(json.dumps({'argv': sys.argv[1:], 'contract': load_settings().contract.sha256}))"
)


@pytest.mark.parametrize("step", STEPS[1:])
def test_each_step_finds_mlops_toml_and_the_contract_in_its_snapshot(
    step: str, tmp_path: Path
) -> None:
    component: Any = load_component(PIPELINES / "training" / "components" / f"{step}.yml")
    kinds = {name: spec.type for name, spec in {**component.inputs, **component.outputs}.items()}
    values = folders(tmp_path, [name for name, kind in kinds.items() if kind == "uri_folder"])
    values |= {name: "a test" for name, kind in kinds.items() if kind == "string"}
    if "after" in values:
        Path(values["after"], "earlier.json").write_text("{}", encoding="utf-8")
    run_step_command(step, values, f'exec {sys.executable} -c "{PROBE}" "$@"', tmp_path)
    summary = json.loads(Path(values["summary"], f"{step}.json").read_text(encoding="utf-8"))
    assert summary["argv"][:3] == ["-m", PACKAGE, step]
    assert summary["contract"] == load_settings(ROOT).contract.sha256


def test_pipeline_registers_the_monitor_reference() -> None:
    job: Any = load_job(PIPELINES / "training/pipeline.yml")
    output = job._to_rest_object().properties.outputs["reference_data"]
    assert (output.asset_name, output.job_output_type) == (
        "{{ cookiecutter.project_slug }}-training",
        "mltable",
    )
    assert (
        str(job.jobs["prep"].outputs["reference"]._data)
        == f"{OPEN}parent.outputs.reference_data{CLOSE}"
    )


def test_the_feed_connection_is_a_python_feed_on_the_view_without_a_stored_token() -> None:
    connection: Any = load_workspace_connection(PIPELINES / FEED_CONNECTION)
    assert (connection.type, type(connection.credentials).__name__) == (
        "python_feed",
        "PatTokenConfiguration",
    )
    view = build_sources.view_pattern(ROOT)
    assert view is not None
    assert view.match(connection.target)
    assert connection.credentials.pat == "SET-AT-CREATION"  # the token comes with --set


def test_the_feed_connection_takes_the_stacks_view_and_token_as_the_readme_says() -> None:
    view = "https://pkgs.dev.azure.com/org/proj/_packaging/feed-mlops-prod@approved/pypi/simple/"
    overrides = [{"target": view}, {"credentials.pat": "token"}]
    connection: Any = load_workspace_connection(
        PIPELINES / FEED_CONNECTION, params_override=overrides
    )
    assert (connection.target, connection.credentials.pat) == (view, "token")
