"""The exact file set a generated project must have, per option value."""

from __future__ import annotations

from collections.abc import Mapping

PACKAGE_MODULES = (
    "__init__.py",
    "__main__.py",
    "asgi.py",
    "azureml_batch.py",
    "azureml_score.py",
    "batch.py",
    "batch_input.py",
    "batch_journal.py",
    "batch_output.py",
    "batch_run.py",
    "cli.py",
    "console.py",
    "data.py",
    "errors.py",
    "evaluation.py",
    "lineage.py",
    "metrics.py",
    "model_io.py",
    "model_package.py",
    "onnx_export.py",
    "plots.py",
    "promotion.py",
    "registry.py",
    "rollout.py",
    "rollout_plan.py",
    "schema.py",
    "scoring.py",
    "server.py",
    "server_metrics.py",
    "serving_model.py",
    "serving_steps.py",
    "settings.py",
    "steps.py",
    "tracking.py",
    "training.py",
)
TESTS = (
    "__init__.py",
    "conftest.py",
    "serving_fixtures.py",
    "test_azureml_batch.py",
    "test_azureml_entry.py",
    "test_azureml_specs.py",
    "test_batch.py",
    "test_cli.py",
    "test_lifecycle.py",
    "test_model_io.py",
    "test_onnx_export.py",
    "test_prep.py",
    "test_promotion_policy.py",
    "test_rollout.py",
    "test_scoring.py",
    "test_server.py",
    "test_training.py",
)
BENCHMARKS = ("batch_bench.py", "bench.py", "loadgen.py", "report.py", "servers.py")
PIPELINES = (
    "README.md",
    "batch/conda.yml",
    "batch/deployment.yml",
    "batch/endpoint.yml",
    "conda.yml",
    "environment.yml",
    "online/blue.yml",
    "online/endpoint.yml",
    "online/green.yml",
    "online/sample-request.json",
    "training/components/evaluate.yml",
    "training/components/prep.yml",
    "training/components/promote.yml",
    "training/components/register.yml",
    "training/components/train.yml",
    "training/pipeline.yml",
)
ALWAYS = (
    ".gitignore",
    ".python-version",
    "Makefile",
    "README.md",
    "data/README.md",
    "mlops.toml",
    "pyproject.toml",
    "uv.lock",
)
PER_CI_PROVIDER = {
    "github": (".github/workflows/ci.yml",),
    "azure-devops": (".azure-pipelines/ci.yml",),
    "both": (".github/workflows/ci.yml", ".azure-pipelines/ci.yml"),
}


def expected_files(context: Mapping[str, str]) -> set[str]:
    """Every file (relative, POSIX) a project baked with `context` must contain, and no other."""
    package = f"src/{context['package_name']}"
    return {
        *ALWAYS,
        *(f"{package}/{module}" for module in PACKAGE_MODULES),
        *(f"tests/{module}" for module in TESTS),
        *(f"benchmarks/{module}" for module in BENCHMARKS),
        *(f"pipelines/{spec}" for spec in PIPELINES),
        *PER_CI_PROVIDER[context["ci_provider"]],
    }
