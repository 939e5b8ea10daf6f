"""One escaping rule for CI and Azure ML expressions: every `${{` sits in a {% raw %} block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import KIT_ROOT

TEMPLATE = KIT_ROOT / "{{cookiecutter.project_slug}}"
RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.DOTALL)


def unescaped_expressions(text: str) -> list[str]:
    """Lines holding a `${{` that Jinja would try to render (outside every raw block)."""
    outside = RAW_BLOCK.sub("", text)
    return [line.strip() for line in outside.splitlines() if "${{" in line]


def template_files() -> list[Path]:
    return sorted(path for path in TEMPLATE.rglob("*") if path.is_file())


def test_every_expression_in_the_template_is_escaped() -> None:
    offenders = {
        path.relative_to(TEMPLATE).as_posix(): found
        for path in template_files()
        if (found := unescaped_expressions(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_template_does_use_escaped_expressions() -> None:
    assert any("${{" in path.read_text(encoding="utf-8") for path in template_files())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("run: echo ${{ github.sha }}\n", ["run: echo ${{ github.sha }}"]),
        ("{% raw %}a: ${{ x }}{% endraw %}\nb: ${{ y }}\n", ["b: ${{ y }}"]),
        ("{% raw -%}\na: ${{ x }}\n{%- endraw %}\n", []),
    ],
)
def test_checker_finds_expressions_outside_raw_blocks(text: str, expected: list[str]) -> None:
    assert unescaped_expressions(text) == expected
