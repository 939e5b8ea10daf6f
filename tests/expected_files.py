"""The exact file set a generated project must have, per option value."""

from __future__ import annotations

from collections.abc import Mapping

PACKAGE_MODULES = (
    "__init__.py",
    "__main__.py",
    "cli.py",
    "console.py",
    "data.py",
    "errors.py",
    "evaluation.py",
    "lineage.py",
    "metrics.py",
    "model_io.py",
    "plots.py",
    "promotion.py",
    "registry.py",
    "schema.py",
    "settings.py",
    "steps.py",
    "tracking.py",
    "training.py",
)
TESTS = (
    "__init__.py",
    "conftest.py",
    "test_cli.py",
    "test_lifecycle.py",
    "test_model_io.py",
    "test_prep.py",
    "test_promotion_policy.py",
    "test_training.py",
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
        *PER_CI_PROVIDER[context["ci_provider"]],
    }
