"""The README starts where a finance officer starts, and documents every command."""
from __future__ import annotations

from pathlib import Path

from openbook.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_has_a_section_with_an_example():
    for name in cli.commands:
        heading = f"### `openbook {name}"
        assert heading in README, f"README has no section for openbook {name}"
        section = README.split(heading, 1)[1].split("\n### ", 1)[0]
        assert f"openbook {name}" in section.split("```sh", 1)[-1], f"no example of openbook {name}"


def test_the_first_screen_is_the_finance_officers_path():
    first = README.split("## Try it", 1)[0]
    assert "openbook serve" in first and "openbook validate my-file.xlsx" in first
    assert "make " not in first, "make is for developers: it belongs under Try it and Development"
    assert "pipx install" in first and "py -m openbook" in first
    assert "## Try it" in README and "make demo" in README.split("## Try it", 1)[1].split("## ", 1)[0]
    assert "make test" in README.split("## Development", 1)[1]
