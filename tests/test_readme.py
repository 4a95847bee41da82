"""The README documents every setting and the two commands."""

from __future__ import annotations

from server.config import ROOT, Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    prefix = Settings.model_config.get("env_prefix", "")
    for name in Settings.model_fields:
        variable = f"`{prefix}{name.upper()}`"
        assert variable in README, f"{variable} is missing from the README settings table"


def test_readme_names_the_two_commands() -> None:
    assert "scripts/serve" in README and "scripts/test" in README
    assert "not medical advice" in README
