"""infra/ reads the project's one copy of the policy facts, and refuses to run without it."""

from __future__ import annotations

from pathlib import Path

import pytest
from policies.checkov import policy_facts as facts

from mlops_infra import policy_facts as infra_facts


def test_infra_uses_the_facts_every_gate_imports() -> None:
    assert Path(facts.__file__).resolve() == infra_facts.SOURCE
    assert infra_facts.DIGEST_REQUIRED_IN == facts.DIGEST_REQUIRED_IN
    assert infra_facts.ENVIRONMENTS == facts.ENVIRONMENTS


def test_a_changed_fact_changes_infra(tmp_path: Path) -> None:
    source = tmp_path / "policy_facts.py"
    text = infra_facts.SOURCE.read_text(encoding="utf-8")
    old = 'DIGEST_REQUIRED_IN = ("staging", "prod")'
    assert old in text
    source.write_text(text.replace(old, 'DIGEST_REQUIRED_IN = ("dev", "staging", "prod")'))
    assert infra_facts._load(source).DIGEST_REQUIRED_IN == ("dev", "staging", "prod")


def test_a_missing_facts_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImportError, match="needs the project's policies/"):
        infra_facts._load(tmp_path / "policy_facts.py")
