"""mlops.toml: the shipped file loads, and every refused value names its key and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.settings import load_settings

from .conftest import PROJECT_ROOT

SHIPPED = (PROJECT_ROOT / "mlops.toml").read_text(encoding="utf-8")


def settings_with(tmp_path: Path, old: str, new: str) -> Path:
    """A project folder whose mlops.toml has one line changed."""
    assert old in SHIPPED
    (tmp_path / "mlops.toml").write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    return tmp_path


def test_the_shipped_settings_load_with_monitoring_off_and_a_local_event_file() -> None:
    settings = load_settings(PROJECT_ROOT)
    collection, events = settings.monitoring.collection, settings.monitoring.events
    assert (collection.sample_rate, collection.directory) == (0.0, PROJECT_ROOT / "data/collected")
    assert (events.sink, events.path) == ("jsonl", PROJECT_ROOT / "build/events.jsonl")
    assert settings.monitoring.drift.bins == 10


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("sample_rate = 0.0", "sample_rate = 1.5", "sample_rate must be between 0 and 1, got 1.5"),
        ("queue_size = 10000", "queue_size = 0", "queue_size must be a whole number >= 1, got 0"),
        ("queue_size = 10000", "queue_size = 2.5", "queue_size must be a whole number >= 1"),
        ("psi_threshold = 0.2", "psi_threshold = 0", "psi_threshold must be a positive number"),
        ("p_value = 0.01", "p_value = -0.1", "p_value must be between 0 and 1, got -0.1"),
        ("bins = 10", "bins = 1", "bins must be a whole number >= 2, got 1"),
        ('\nsink = "jsonl"', '\nsink = "kafka"', "events.sink must be one of jsonl, webhook"),
        ("test_fraction = 0.2", "test_fraction = 1", "data.test_fraction must be a fraction"),
        ("max_abs_diff = 0.001", "max_abs_diff = 0", "onnx.max_abs_diff must be a positive number"),
        ("bins = 10\n", "", "missing setting 'bins'"),
    ],
)
def test_a_refused_value_is_one_error_naming_the_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(LifecycleError, match=message.replace(".", r"\.")) as refused:
        load_settings(settings_with(tmp_path, old, new))
    assert str(refused.value).startswith(f"{tmp_path / 'mlops.toml'}: ")
