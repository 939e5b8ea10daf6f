"""The command line: help everywhere, --json where there is a result, cheap start, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from {{ cookiecutter.package_name }}.cli import cli
from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import invoke

PACKAGE = "{{ cookiecutter.package_name }}"
GROUPS = sorted(name for name, command in cli.commands.items() if isinstance(command, click.Group))
COMMANDS = sorted(name for name in cli.commands if name not in GROUPS)
SUBCOMMANDS = [
    (group, name)
    for group in GROUPS
    for name in sorted(cli.commands[group].commands)  # type: ignore[attr-defined]
]
RUNS_UNTIL_STOPPED = {"serve", "serve-image"}  # the commands without a result to print
HEAVY = ("numpy", "pandas", "mlflow", "sklearn", "onnxruntime", "uvicorn", "prometheus_client")


def test_the_cli_has_the_lifecycle_serving_batch_rollout_drift_and_contract_commands() -> None:
    assert (GROUPS, SUBCOMMANDS) == (["contract"], [("contract", "check"), ("contract", "init")])
    assert COMMANDS == [
        "all", "azureml-specs", "drift", "evaluate", "export-onnx", "package", "point-monitor",
        "prep", "promote", "promote-image", "register", "register-environment", "register-model",
        "rollout", "score-batch", "serve", "serve-image", "smoke-test", "submit-training", "train",
    ]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_every_result_a_json_flag(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert ("--json" in result.stdout) is (command not in RUNS_UNTIL_STOPPED)


@pytest.mark.parametrize(("group", "command"), SUBCOMMANDS)
def test_every_subcommand_of_a_group_has_help_and_a_json_flag(group: str, command: str) -> None:
    result = invoke(group, command, "--help")
    assert result.exit_code == 0
    assert "--json" in result.stdout


def test_top_level_help_lists_every_command() -> None:
    listed = invoke("--help").stdout
    assert [command for command in [*COMMANDS, *GROUPS] if f"  {command} " not in listed] == []


def test_help_of_every_command_imports_no_heavy_library() -> None:
    script = (
        "import sys, json\n"
        f"from {PACKAGE}.cli import cli\n"
        "for name in [None, *sorted(cli.commands)]:\n"
        "    try:\n"
        "        cli([name, '--help'] if name else ['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    heavy = [name for name in loaded if name.split(".")[0] in HEAVY]
    assert heavy == []
    assert f"{PACKAGE}.serving.server" not in loaded


def test_unknown_param_is_rejected_before_any_work(project: Settings) -> None:
    result = invoke("train", "--param", "depth=3")
    assert result.exit_code == 1
    assert "unknown parameter 'depth'; accepted: max_depth, n_estimators" in result.stderr


def test_train_without_prep_says_what_to_run(project: Settings) -> None:
    result = invoke("train")
    assert result.exit_code == 1
    assert "run `prep` first" in result.stderr


def test_promote_without_registered_model_says_what_to_run(project: Settings) -> None:
    invoke("prep")
    result = invoke("promote")
    assert result.exit_code == 1
    assert "has no registered version: run `register` first" in result.stderr


def test_serve_without_a_key_refuses_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # not a project: the key is checked before the model is sought
    monkeypatch.delenv("SCORING_API_KEY", raising=False)
    result = invoke("serve")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no API key: set one (export SCORING_API_KEY=")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.com"])  # noqa: S104  # nosec B104 - refused values under test
def test_serve_refuses_no_auth_on_any_interface_but_loopback(
    host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # refused before the model is sought
    result = invoke("serve", "--no-auth", "--host", host)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: --no-auth would serve anyone who reaches {host}: it is allowed only on a "
        "loopback interface (--host 127.0.0.1, ::1 or localhost); elsewhere set a key (export "
        "SCORING_API_KEY=$(python3 -c"
    )


def test_serve_refuses_a_key_shorter_than_32_characters_and_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCORING_API_KEY", "a" * 31)
    result = invoke("serve")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: SCORING_API_KEY has 31 characters, fewer than 32: generate a key with export "
        "SCORING_API_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
    )


def test_module_entry_point_prints_errors_without_traceback(project: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-m", PACKAGE, "prep", "--input", "nope.csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "Error: nope.csv: no such file; pass an existing .csv or .parquet file"
    assert [line for line in lines if line.startswith("Error")] == lines[-1:]


def test_outside_a_project_the_error_says_where_to_run(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("prep")
    assert result.exit_code == 1
    assert "no mlops.toml" in result.stderr
